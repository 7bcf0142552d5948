// annual-report serve: the little the page does in the browser. Everything works without it; with it, a file can
// be dropped on the upload box, the upload shows its progress, and a build says that it is running.
"use strict";

(function () {
  function setChosen(form, file) {
    var chosen = form.querySelector(".drop-chosen");
    if (chosen) {
      chosen.textContent = file ? "已选择：" + file.name : "";
      chosen.hidden = !file;
    }
  }

  function showError(form, text) {
    var status = form.querySelector(".status");
    status.textContent = text;
    status.classList.add("error");
  }

  function send(form) {
    var input = form.querySelector("input[type=file]");
    if (!input.files.length) {
      showError(form, "请先选择一个文件");
      return;
    }
    var button = form.querySelector("button[type=submit]");
    var progress = form.querySelector(".progress");
    var status = form.querySelector(".status");
    status.classList.remove("error");
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = "正在上传……";
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-CSRF-Token", document.querySelector("meta[name=csrf-token]").content);
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        progress.value = Math.round((event.loaded / event.total) * 100);
        if (event.loaded === event.total) status.textContent = "正在检查……";
      }
    });
    request.addEventListener("load", function () {
      if (request.status < 400 && request.responseURL) {
        window.location.assign(request.responseURL);
        return;
      }
      button.disabled = false;
      progress.hidden = true;
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      var message = page.querySelector(".message, td.message");
      var title = page.querySelector("h1");
      showError(form, (title ? title.textContent + "：" : "") + (message ? message.textContent : request.statusText || "上传失败"));
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      progress.hidden = true;
      showError(form, "上传没有完成：与本机的页面服务断开了。请确认 annual-report serve 仍在运行，然后重试");
    });
    request.send(new FormData(form));
  }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector("input[type=file]");
    input.addEventListener("change", function () {
      setChosen(form, input.files[0]);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("over");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      setChosen(form, input.files[0]);
      send(form);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form);
    });
  });

  document.querySelectorAll("form[data-build]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      var status = form.querySelector(".status");
      // disabled after the browser has taken the form's values, so the post still goes
      window.setTimeout(function () {
        button.disabled = true;
      }, 0);
      status.textContent = "正在生成报告和页面预览，通常需要几秒钟……";
    });
  });
})();
