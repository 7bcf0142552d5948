"""The page's routes through Starlette's test client: what each shows, what it refuses, and what it does to the
unit's folder (issue 12). The browser tests (test_web_browser.py) drive the same page in chromium."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from generator.web.app import create_app
from tests.helpers import command, environment
from tests.web_support import unit_folder, workbook_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def client_for(folder: Path, **options) -> TestClient:  # type: ignore[no-untyped-def]
    options.setdefault("warm", False)
    options.setdefault("jobs", 1)
    return TestClient(create_app(folder, **options), base_url="http://127.0.0.1:8000", follow_redirects=False)


def csrf(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def upload(client: TestClient, data: bytes, name: str = "上传.xlsx", token: str | None = None):  # type: ignore[no-untyped-def]
    token = token or csrf(client)
    return client.post("/upload", data={"csrf": token}, files={"file": (name, data, XLSX)})


@pytest.fixture(scope="module")
def unit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unit_folder(tmp_path_factory.mktemp("unit") / "永康")


@pytest.fixture(scope="module")
def client(unit: Path):  # type: ignore[no-untyped-def]
    with client_for(unit) as c:
        yield c


# --- what every response carries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/year/2019", "/static/app.css", "/no-such-page", "/year/1999"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    for path in ("/", "/year/2019", "/year/2022"):
        html = client.get(path).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']


def test_index_lists_every_year_with_its_state(client: TestClient) -> None:
    html = client.get("/").text
    assert "2019 年" in html and "2022 年" in html and "可以生成" in html
    assert "永康市公安局" in html
    assert "下载 2023 年的工作簿" in html


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io:8000", "192.168.1.5:8000"])
def test_a_foreign_host_name_is_refused_on_loopback(client: TestClient, host: str) -> None:
    """DNS rebinding: a web site pointing its own name at 127.0.0.1 gets nothing."""
    response = client.get("/", headers={"host": host})
    assert response.status_code == 400
    assert "永康" not in response.text


@pytest.mark.parametrize(
    "path",
    ["/year/2019/file/..%2F..%2Fetc%2Fpasswd", "/year/2019/file/%2Fetc%2Fpasswd", "/year/2019/file/2022.yaml",
     "/year/2019/file/photos", "/static/../api.py", "/static/", "/preview/x/1.png", "/year/2019/file/.~lock.x#"],
)  # fmt: skip
def test_only_the_years_own_files_are_offered(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text and "organization" not in response.text


def test_a_years_data_file_downloads_as_it_is(client: TestClient, unit: Path) -> None:
    response = client.get("/year/2019/file/2019.yaml")
    assert response.status_code == 200
    assert response.content == (unit / "2019.yaml").read_bytes()
    assert "attachment" in response.headers["content-disposition"]


def test_download_as_workbook_equals_convert(client: TestClient, unit: Path, tmp_path: Path) -> None:
    response = client.get("/year/2019/workbook")
    assert response.status_code == 200
    subprocess.run([command(), "convert", str(unit / "2019.yaml"), str(tmp_path / "2019.xlsx")], check=True,
                   capture_output=True, env=environment())  # fmt: skip
    assert response.content == (tmp_path / "2019.xlsx").read_bytes()
    assert "2019.xlsx" in response.headers["content-disposition"]


def test_next_year_workbook_equals_new_year(client: TestClient, unit: Path, tmp_path: Path) -> None:
    response = client.get("/year/2022/next-year")
    assert response.status_code == 200
    subprocess.run([command(), "new-year", str(unit / "2022.yaml"), "-o", str(tmp_path / "2023.xlsx")], check=True,
                   capture_output=True, env=environment())  # fmt: skip
    assert response.content == (tmp_path / "2023.xlsx").read_bytes()
    book = openpyxl.load_workbook(tmp_path / "2023.xlsx")
    assert "指标" in book.sheetnames


# --- posts ------------------------------------------------------------------------------------------------------------


def test_post_without_the_forms_token_is_refused(client: TestClient, unit: Path) -> None:
    before = sorted(p.name for p in unit.iterdir())
    for data in ({}, {"csrf": "0" * 64}, {"csrf": ""}):
        response = client.post("/year/2019/build", data={**data, "style": "newspaper"})
        assert response.status_code == 403
        assert "页面已过期" in response.text
    assert sorted(p.name for p in unit.iterdir()) == before


def test_post_from_another_site_is_refused(client: TestClient) -> None:
    token = csrf(client)
    for origin in ("http://evil.example", "null", "http://127.0.0.1:9999"):
        response = client.post("/year/2019/build", data={"csrf": token}, headers={"origin": origin})
        assert response.status_code == 403


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client: TestClient, unit: Path) -> None:
    token = csrf(client)
    response = client.post("/upload", data={"csrf": token}, files={"file": ("big.xlsx", b"PK" + b"0" * (21 << 20))})
    assert response.status_code == 413
    assert "20 MB" in response.text
    assert not any(p.name.startswith(".~annual-report-upload-") for p in unit.iterdir())


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel"),
        ("年份,指标\n2023,12\n".encode("gbk"), "CSV"),
        (b"<html><body>report</body></html>", "网页"),
        (b"", "空"),
        (b"PK\x03\x04broken zip", "损坏"),
    ],
)
def test_what_is_not_a_workbook_is_named_and_nothing_is_stored(
    client: TestClient, unit: Path, content: bytes, said: str
) -> None:
    before = sorted(p.name for p in unit.iterdir())
    response = upload(client, content, "2023.xlsx")
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "没有保存" in page.text and said in page.text
    assert sorted(p.name for p in unit.iterdir()) == before


def test_an_uploaded_name_is_never_a_path(client: TestClient, unit: Path) -> None:
    data = workbook_of(unit / "2019.yaml", cells={("指标", "C2"): "十二"})
    for name in ("../../escape.xlsx", "/etc/cron.d/x.xlsx", "..\\..\\x.xlsx", "a\x00b.xlsx"):
        response = upload(client, data, name)
        assert response.status_code == 303
    assert not (unit.parent / "escape.xlsx").exists()
    assert not (unit.parent.parent / "escape.xlsx").exists()


# --- the year's cycle: problems, storing, replacing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "where"),
    [
        ({("指标", "C3"): "十二"}, ("「指标」", "C3")),
        ({("指标", "C4"): "12.5万", ("指标", "C6"): "abc"}, ("「指标」", "C4")),
        ({("基本信息", "B6"): None}, ("「基本信息」", "B6")),
    ],
)
def test_problems_are_listed_by_sheet_and_cell(tmp_path: Path, cells: dict, where: tuple[str, str]) -> None:
    unit = unit_folder(tmp_path / "unit")
    data = workbook_of(unit / "2019.yaml", year=2023, cells=cells)
    with client_for(unit) as client:
        response = upload(client, data, "我的2023.xlsx")
        page = client.get(response.headers["location"]).text
    assert "我的2023.xlsx" in page and "没有保存" in page
    rows = re.findall(r'<td class="sheet">(.*?)</td>\s*<td class="cell">(.*?)</td>', page)
    assert where in rows, rows
    assert len(rows) >= len(cells)
    assert not (unit / "2023.xlsx").exists()
    assert not any(p.name.startswith(".~") for p in unit.iterdir())


def test_problems_come_in_fixing_order_with_notes_first(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    cells = {("指标", "C9"): "x", ("指标", "C3"): "y", ("基本信息", "B6"): None, ("荣誉", "C2"): "宇宙级"}
    data = workbook_of(unit / "2019.yaml", year=2023, cells=cells)
    with client_for(unit) as client:
        page = client.get(upload(client, data).headers["location"]).text
    rows = re.findall(r'<td class="sheet">「(.*?)」</td>\s*<td class="cell">([A-Z]+)(\d+)</td>', page)
    order = ["基本信息", "正文", "指标", "荣誉", "照片", "图表"]
    keys = [(order.index(s) if s in order else 9, int(r)) for s, _, r in rows]
    assert keys == sorted(keys) and len(keys) >= 4


def test_notes_that_explain_the_problems_come_before_them(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    data = workbook_of(unit / "2019.yaml", year=2023, cells={("指标", "H1"): "备注", ("指标", "C3"): "十二"})
    with client_for(unit) as client:
        page = client.get(upload(client, data, "带备注.xlsx").headers["location"]).text
    note = page.find("列“备注”不是本工具的列")
    assert note != -1, page
    assert note < page.find('<table class="problems">')
    assert "带备注.xlsx 「指标」H1" in page and ".~annual-report-upload" not in page


def test_a_valid_upload_is_stored_and_a_replacement_asks_and_keeps_the_old_file(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    first = workbook_of(unit / "2019.yaml", year=2023)
    second = workbook_of(unit / "2019.yaml", year=2023, cells={("基本信息", "B6"): "第二版主题"})
    with client_for(unit) as client:
        response = upload(client, first, "随便什么名字.xlsx")
        assert response.headers["location"].startswith("/year/2023?saved=")
        page = client.get(response.headers["location"]).text
        assert "已保存" in page and "2023.xlsx" in page
        assert (unit / "2023.xlsx").read_bytes() == first

        response = upload(client, second, "2023.xlsx")
        confirm = client.get(response.headers["location"]).text
        assert "替换" in confirm and "2023.xlsx" in confirm
        assert (unit / "2023.xlsx").read_bytes() == first  # nothing happens before the person says yes
        upload_id = response.headers["location"].rsplit("/", 1)[1]
        response = client.post(f"/upload/{upload_id}/replace", data={"csrf": csrf(client)})
        assert response.status_code == 303
        page = client.get(response.headers["location"]).text
    assert (unit / "2023.xlsx").read_bytes() == second
    kept = [p for p in unit.iterdir() if p.name.startswith("2023（") and p.name.endswith("替换前）.xlsx")]
    assert len(kept) == 1 and kept[0].read_bytes() == first
    assert kept[0].name in page
    assert not any(p.name.startswith(".~") for p in unit.iterdir())


def test_replacing_a_yaml_year_with_a_workbook_keeps_the_yaml(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    original = (unit / "2019.yaml").read_bytes()
    data = workbook_of(unit / "2019.yaml")
    with client_for(unit) as client:
        response = upload(client, data)
        upload_id = response.headers["location"].rsplit("/", 1)[1]
        assert "2019.yaml" in client.get(response.headers["location"]).text
        client.post(f"/upload/{upload_id}/replace", data={"csrf": csrf(client)})
    assert (unit / "2019.xlsx").read_bytes() == data
    assert not (unit / "2019.yaml").exists()  # one data file per year: no clash left behind
    kept = [p for p in unit.iterdir() if p.name.startswith("2019（")]
    assert [p.read_bytes() for p in kept] == [original]


def test_two_people_replacing_one_year_each_see_a_true_result(tmp_path: Path) -> None:
    """B stores while A is still looking at "replace?": A is asked again instead of overwriting B's file unseen."""
    unit = unit_folder(tmp_path / "unit")
    a_data = workbook_of(unit / "2019.yaml", cells={("基本信息", "B6"): "甲的版本"})
    b_data = workbook_of(unit / "2019.yaml", cells={("基本信息", "B6"): "乙的版本"})
    original = (unit / "2019.yaml").read_bytes()
    with client_for(unit) as a:
        b = TestClient(a.app, base_url="http://127.0.0.1:8000", follow_redirects=False)  # another browser
        a_id = upload(a, a_data).headers["location"].rsplit("/", 1)[1]
        b_id = upload(b, b_data).headers["location"].rsplit("/", 1)[1]
        b.post(f"/upload/{b_id}/replace", data={"csrf": csrf(b)})
        assert (unit / "2019.xlsx").read_bytes() == b_data
        response = a.post(f"/upload/{a_id}/replace", data={"csrf": csrf(a)})
        assert response.headers["location"].endswith("?changed=1")
        assert "又被更新了" in a.get(response.headers["location"]).text
        assert (unit / "2019.xlsx").read_bytes() == b_data
        assert a.get(f"/upload/{b_id}").status_code == 404  # one person's upload is not another's to see
        a.post(f"/upload/{a_id}/replace", data={"csrf": csrf(a)})
    assert (unit / "2019.xlsx").read_bytes() == a_data
    kept = sorted(p.read_bytes() for p in unit.iterdir() if p.name.startswith("2019（"))
    assert kept == sorted([original, b_data])


# --- building ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["newspaper", "official"])
def test_the_report_from_the_page_is_the_command_lines_byte_for_byte(tmp_path: Path, style: str) -> None:
    unit = unit_folder(tmp_path / "unit")
    elsewhere = unit_folder(tmp_path / "cli")
    cli = subprocess.run([command(), "build", str(elsewhere / "2022.yaml"), "-t", style], capture_output=True,
                         text=True, env=environment(), check=True)  # fmt: skip
    written = re.search(r"已生成 (\S+\.docx)", cli.stdout).group(1)
    with client_for(unit) as client:
        response = client.post("/year/2022/build", data={"csrf": csrf(client, "/year/2022"), "style": style})
        assert response.status_code == 303
        page = client.get("/year/2022").text
        name = Path(written).name
        assert f"/year/2022/file/{name}" in page
        download = client.get(f"/year/2022/file/{name}")
    assert download.content == Path(written).read_bytes()


def test_a_build_with_a_style_that_is_not_offered_is_refused(client: TestClient, unit: Path) -> None:
    for style in ("../../etc/passwd", "模板/../../x.docx", "/tmp/x.docx"):
        response = client.post("/year/2019/build", data={"csrf": csrf(client), "style": style})
        assert response.status_code == 400
        assert "没有这个样式" in response.text


def test_a_year_with_problems_offers_no_build_and_lists_them(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    (unit / "2022.yaml").write_text((unit / "2022.yaml").read_text().replace("headline:", "headlin:"))
    with client_for(unit) as client:
        html = client.get("/year/2022").text
    assert "处问题" in html and "headlin" in html and 'action="/year/2022/build"' not in html


def test_without_libreoffice_the_page_builds_and_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = unit_folder(tmp_path / "unit")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no soffice on the PATH …
    monkeypatch.setattr("generator.output._SOFFICE_PLACES", ())  # … nor where installers put it
    monkeypatch.setattr("generator.api.office_available", lambda: False)
    with client_for(unit) as client:
        assert "没有安装 LibreOffice" in client.get("/").text
        client.post("/year/2019/build", data={"csrf": csrf(client, "/year/2019"), "style": "newspaper"})
        html = client.get("/year/2019").text
    assert "没有安装 LibreOffice" in html and "apt-get install" in html
    assert (unit / "2019.docx").exists()
    assert "/preview/" not in html


# --- templates --------------------------------------------------------------------------------------------------------


def test_a_template_upload_is_checked_like_template_check(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    good = tmp_path / "我局样式.docx"
    subprocess.run([command(), "template", "copy", "official", str(good)], check=True, capture_output=True,
                   env=environment())  # fmt: skip
    import docx

    document = docx.Document(str(good))
    document.paragraphs[0].add_run("{{ director }}")
    bad = tmp_path / "坏模板.docx"
    document.save(str(bad))
    said = subprocess.run([command(), "template", "check", str(bad)], capture_output=True, text=True,
                          env=environment()).stderr  # fmt: skip
    with client_for(unit) as client:
        token = csrf(client)
        response = client.post("/templates", data={"csrf": token}, files={"file": ("坏模板.docx", bad.read_bytes())})
        page = client.get(response.headers["location"]).text
        assert "没有保存" in page and "director" in page
        assert "坏模板.docx 正文第" in page and ".~annual-report-upload" not in page and str(unit) not in page
        message = re.search(r"：(模板使用了数据中没有的名称.*?)$", said, re.M).group(1)
        assert message.split("；")[0] in page
        files = {"file": ("../我局样式.docx", good.read_bytes())}
        response = client.post("/templates", data={"csrf": token}, files=files)
        assert (unit / "模板" / "我局样式.docx").read_bytes() == good.read_bytes()
        assert "自定义：我局样式" in client.get("/year/2019").text
        client.post("/year/2019/build", data={"csrf": token, "style": "模板/我局样式.docx"})
        assert "自定义：我局样式" in client.get("/year/2019").text
    assert any(p.suffix == ".docx" and p.name.startswith("2019") for p in unit.iterdir())


# --- the access token -------------------------------------------------------------------------------------------------


def test_with_a_token_nothing_but_the_login_page_without_it(unit: Path) -> None:
    with client_for(unit, token="s3cret-token", loopback=False) as client:
        for path in ("/", "/year/2019", "/year/2019/file/2019.yaml", "/year/2019/workbook", "/upload/x"):
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/login"
        login = client.get("/login")
        assert login.status_code == 401 and "永康" not in login.text and "2019" not in login.text
        assert client.post("/upload", files={"file": ("a.xlsx", b"PK")}).status_code == 401
        token = csrf(client, "/login")
        wrong = client.post("/login", data={"csrf": token, "secret": "guess"})
        assert "不对" in wrong.text and client.get("/").status_code == 303
        response = client.get("/?token=s3cret-token")
        assert response.status_code == 303 and "token" not in response.headers["location"]
        assert client.get("/").status_code == 200


def test_with_a_password_the_login_form_lets_in(unit: Path) -> None:
    with client_for(unit, token="t" * 32, password="管理员密码", loopback=False) as client:
        token = csrf(client, "/login")
        assert client.post("/login", data={"csrf": token, "secret": "管理员密码"}).status_code == 303
        assert client.get("/year/2019").status_code == 200


def test_login_attempts_are_limited(unit: Path) -> None:
    with client_for(unit, token="right", loopback=False) as client:
        token = csrf(client, "/login")
        for _ in range(10):
            client.post("/login", data={"csrf": token, "secret": "wrong"})
        response = client.post("/login", data={"csrf": token, "secret": "right"})
        assert "尝试次数过多" in response.text
        assert client.get("/").status_code == 303


# --- checking a hand-edited report (verify) ----------------------------------------------------------------------


def _edited_report(unit: Path, year: int, old: str, new: str) -> bytes:
    """The year's report as the command line builds it, with one figure retyped by hand in Word."""
    import io

    from docx import Document

    subprocess.run([command(), "build", str(unit / f"{year}.yaml"), "-o", str(unit / "原稿.docx")], check=True,
                   capture_output=True, env=environment())  # fmt: skip
    document = Document(str(unit / "原稿.docx"))
    (unit / "原稿.docx").unlink()
    changed = 0
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if old in run.text and not changed:
                run.text, changed = run.text.replace(old, new, 1), 1
    assert changed
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("year", "old", "new"), [(2019, "下降25.8%", "增长25.8%"), (2022, "下降10.9%", "下降19.9%")])
def test_an_uploaded_report_is_checked_against_the_years_data(tmp_path: Path, year: int, old: str, new: str) -> None:
    unit = unit_folder(tmp_path / "unit")
    edited = _edited_report(unit, year, old, new)
    before = sorted(p.name for p in unit.rglob("*"))
    with client_for(unit) as client:
        token = csrf(client, f"/year/{year}")
        response = client.post(f"/year/{year}/verify", data={"csrf": token},
                               files={"file": ("改过的报告.docx", edited, "application/octet-stream")})  # fmt: skip
        assert response.status_code == 303
        page = client.get(response.headers["location"]).text
    assert "1 处与数据不一致" in page and "改过的报告.docx" in page
    assert "正文第" in page and new in page  # where, and what the text says
    assert sorted(p.name for p in unit.rglob("*")) == before  # read, never stored


def test_a_report_in_the_folder_is_checked_by_its_name_only(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    subprocess.run([command(), "build", str(unit / "2019.yaml")], check=True, capture_output=True, env=environment())
    with client_for(unit) as client:
        page = client.get("/year/2019").text
        assert 'name="report" value="2019.docx"' in page  # a 核对 button beside the report
        response = client.post("/year/2019/verify", data={"csrf": csrf(client, "/year/2019"), "report": "2019.docx"})
        result = client.get(response.headers["location"]).text
        assert "数字都与数据一致" in result
        for name in ("../2019.yaml", "2019.yaml", "/etc/passwd", "2022.docx"):
            refused = client.post("/year/2019/verify", data={"csrf": csrf(client, "/year/2019"), "report": name})
            assert refused.status_code == 404, name


def test_what_is_not_a_report_is_said_in_chinese(tmp_path: Path) -> None:
    unit = unit_folder(tmp_path / "unit")
    with client_for(unit) as client:
        for data in (b"not a docx", b"PK\x03\x04broken"):
            response = client.post("/year/2019/verify", data={"csrf": csrf(client, "/year/2019")},
                                   files={"file": ("报告.docx", data, "application/octet-stream")})  # fmt: skip
            page = client.get(response.headers["location"]).text
            text = re.sub(r"<[^>]+>", " ", page)
            assert "无法核对" in text and re.search("不是|损坏|无法", text.split("无法核对", 1)[1]), text
            assert "Traceback" not in page and "程序内部错误" not in page
            assert ".~" not in text  # the staged copy's own name never shows
