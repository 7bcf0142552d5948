"""The page's routes: each reads the request, asks ``api`` (in a worker process when it is real work) and renders
a template. Nothing here checks, builds or converts anything itself."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import mimetypes
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from generator import api
from generator.errors import Problem, ReportError
from generator.unit import MAX_UPLOAD_BYTES, safe_stem, shown_name, stage, sweep_staged
from generator.web.jobs import Failed, Workers
from generator.web.security import BodyTooLarge, Guard, csrf_ok, form_token, guard_of, session_of
from generator.web.site import BuildRecord, Site

HERE = Path(__file__).resolve().parent
BODY_LIMIT = MAX_UPLOAD_BYTES + 256 * 1024  # the file and the form around it
INSTALL_OFFICE = {
    "Windows 或 macOS": "从 LibreOffice 官方网站下载安装包，安装后重新启动本页面",
    "Debian / Ubuntu": "sudo apt-get install libreoffice-writer-nogui python3-uno fonts-noto-cjk fonts-arphic-ukai "
    "fonts-arphic-uming fonts-liberation2",
}


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("generator.web", "templates"), autoescape=select_autoescape(default=True))
    env.filters["when"] = _when
    env.filters["size"] = _size
    env.globals["install_office"] = INSTALL_OFFICE
    return env


def _when(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp)
    today = dt.date.today()
    if moment.date() == today:
        return f"今天 {moment:%H:%M}"
    if moment.year == today.year:
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


templates = Jinja2Templates(env=_environment())


def _site(request: Request) -> Site:
    return request.app.state.site  # type: ignore[no-any-return]


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    site = _site(request)
    guard = guard_of(request)
    let_in = not guard.locked or session_of(request).authenticated
    context = {
        "csrf": form_token(request),
        "office": site.office,
        "locked": guard.locked,
        "unit": site.unit_name() if let_in else "",  # a visitor without the token learns nothing
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def _error(request: Request, title: str, message: str = "", problems: list[Problem] | None = None,
           status: int = 400, notes: list[str] | None = None) -> Response:  # fmt: skip
    context = {"title": title, "message": message, "problems": problems or [], "notes": notes or []}
    return _page(request, "error.html", context, status)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303)


async def _form(request: Request) -> tuple[Any, Response | None]:
    """The posted form, or the page that says why it can't be used (too large, broken, not from this page)."""
    try:
        form = await request.form(max_files=1, max_fields=20)
    except BodyTooLarge as exc:
        return None, _error(request, "文件太大", str(exc), status=413)
    except MultiPartException:
        return None, _error(request, "上传没有完成", "请重新选择文件上传")
    if not csrf_ok(request, form):
        return None, _error(request, "页面已过期", "请刷新页面后再操作一次", status=403)
    return form, None


# --- pages -------------------------------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    site = _site(request)
    years = await site.years()
    checked = await site.all_checked(list(years))
    styles = await run_in_threadpool(api.unit_styles, site.folder)
    rows = [(years[y], checked[y], site.last_build(y)) for y in sorted(years, reverse=True)]
    newest = max(years) if years else None
    saved = site.upload(request.query_params.get("saved", ""), session_of(request).id)
    return _page(request, "index.html", {"rows": rows, "styles": styles, "newest": newest, "saved": saved})


async def year_page(request: Request) -> Response:
    site = _site(request)
    year = request.path_params["year"]
    years = await site.years()
    if year not in years:
        return _error(request, f"没有{year}年的数据", f"本文件夹里没有 {year}.xlsx 或 {year}.yaml", status=404)
    checked = await site.checked(year)
    styles = await run_in_threadpool(api.unit_styles, site.folder)
    build = site.build(year, request.query_params.get("build", "")) or site.last_build(year)
    stale = (
        build is not None
        and build.page.report is not None
        and not await run_in_threadpool(_unchanged, site.folder / build.page.report, build)
    )
    saved = site.upload(request.query_params.get("saved", ""), session_of(request).id)
    context = {"year": year, "files": years[year], "checked": checked, "styles": styles, "build": build,
               "stale": stale, "saved": saved, "chosen": build.page.style if build else api.DEFAULT_STYLE}  # fmt: skip
    return _page(request, "year.html", context)


def _unchanged(report: Path, record: BuildRecord) -> bool:
    try:
        return report.stat().st_mtime <= record.when + 0.001
    except OSError:
        return False


# --- uploads -----------------------------------------------------------------------------------------------------


async def _staged_upload(request: Request, kind: str) -> tuple[Any, Response | None]:
    form, refused = await _form(request)
    if refused is not None:
        return None, refused
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return None, _error(request, "没有选择文件", "请先选择要上传的文件")
    site = _site(request)
    head = await file.read(8)
    await file.seek(0)
    name = file.filename.lower()
    if kind in ("template", "report"):
        suffix = ".docx"
    elif head.startswith((b"PK", b"\xd0\xcf\x11\xe0")) or not name.endswith((".yaml", ".yml")):
        suffix = ".xlsx"  # the reader looks inside and says what it really is (an old .xls, a CSV …)
    else:
        suffix = ".yaml"
    try:
        staged = await run_in_threadpool(stage, site.folder, file.file, suffix)
    except ReportError as exc:
        return None, _error(request, "无法接收这个文件", problems=exc.problems, status=413)
    finally:
        await file.close()
    upload = site.new_upload(session_of(request).id, kind, shown_name(file.filename), staged)
    return upload, None


async def upload_data(request: Request) -> Response:
    upload, refused = await _staged_upload(request, "data")
    if refused is not None:
        return refused
    site = _site(request)
    checked = await site.workers.run(api.check, upload.staged, shown=upload.shown)
    if isinstance(checked, Failed):
        checked = api.Checked(upload.shown, None, checked.notes, checked.problems)
    upload.checked, upload.year = checked, checked.year
    if not checked.ok or checked.year is None:
        site.drop(upload)
        return _see(f"/upload/{upload.id}")
    async with site.lock(checked.year):
        names, fingerprint = await run_in_threadpool(api.replaced_by_data, site.folder, checked.year)
        if not names:
            return await _store(request, upload, None)
        upload.replacing, upload.expected = names, fingerprint
    return _see(f"/upload/{upload.id}")


async def upload_template(request: Request) -> Response:
    upload, refused = await _staged_upload(request, "template")
    if refused is not None:
        return refused
    site = _site(request)
    problems = await site.workers.run(api.check_template_file, upload.staged, shown=upload.shown)
    upload.problems = problems.problems if isinstance(problems, Failed) else problems
    if upload.problems:
        site.drop(upload)
        return _see(f"/upload/{upload.id}")
    upload.stem = safe_stem(upload.shown, "我的样式")
    target = site.folder / api.TEMPLATE_FOLDER / f"{upload.stem}.docx"
    async with site.lock("templates"):
        if not await run_in_threadpool(target.exists):
            return await _store(request, upload, None)
        upload.replacing = [f"{api.TEMPLATE_FOLDER}/{target.name}"]
        upload.expected = await run_in_threadpool(api.fingerprint, [target])
    return _see(f"/upload/{upload.id}")


async def _store(request: Request, upload: Any, expected: str | None) -> Response:
    """Store a checked upload (the caller holds its year's lock)."""
    site = _site(request)
    if upload.kind == "data":
        stored = await run_in_threadpool(api.store_data, upload.staged, upload.year, expected)
    else:
        stored = await run_in_threadpool(api.store_template, upload.staged, site.folder, upload.stem, expected)
    if stored.path is None:  # changed since the person was asked: ask again, with what is there now
        upload.expected = stored.current
        return _see(f"/upload/{upload.id}?changed=1")
    upload.stored, upload.staged = stored, None
    if upload.kind == "data":
        site.forget(upload.year)
        return _see(f"/year/{upload.year}?saved={upload.id}")
    return _see(f"/?saved={upload.id}")


async def upload_result(request: Request) -> Response:
    upload = _site(request).upload(request.path_params["upload"], session_of(request).id)
    if upload is None:
        return _error(request, "这次上传已经过期", "请重新上传文件", status=404)
    changed = request.query_params.get("changed") == "1"
    return _page(request, "upload.html", {"upload": upload, "changed": changed})


async def upload_replace(request: Request) -> Response:
    _, refused = await _form(request)
    if refused is not None:
        return refused
    site = _site(request)
    upload = site.upload(request.path_params["upload"], session_of(request).id)
    if upload is None or upload.staged is None:
        return _error(request, "这次上传已经过期", "请重新上传文件", status=404)
    async with site.lock(upload.year if upload.kind == "data" else "templates"):
        return await _store(request, upload, upload.expected)


async def upload_cancel(request: Request) -> Response:
    _, refused = await _form(request)
    if refused is not None:
        return refused
    site = _site(request)
    upload = site.upload(request.path_params["upload"], session_of(request).id)
    if upload is not None:
        site.drop(upload)
    return _see("/")


# --- building and downloading --------------------------------------------------------------------------------------


async def build_year(request: Request) -> Response:
    form, refused = await _form(request)
    if refused is not None:
        return refused
    site = _site(request)
    year = request.path_params["year"]
    styles = {s.key: s for s in await run_in_threadpool(api.unit_styles, site.folder)}
    style = styles.get(str(form.get("style") or api.DEFAULT_STYLE))
    if style is None:
        return _error(request, "没有这个样式", "请刷新页面后重新选择样式")
    async with site.lock(year):
        years = await site.years()
        if year not in years:
            return _error(request, f"没有{year}年的数据", status=404)
        if len(years[year].data) != 1:
            checked = await site.checked(year)
            return _error(request, "无法生成", problems=checked.problems if checked else [])
        build_id, folder = site.new_preview_folder()
        template = style.template  # a built-in name, or 模板/<name>.docx: workers run in the unit's folder
        started = dt.datetime.now().timestamp()
        page = await site.workers.run(api.build_for_page, years[year].data[0], template, folder)
        if isinstance(page, Failed):
            return _error(request, "无法生成", problems=page.problems, notes=page.notes)
        page.style = style.key
        site.record_build(year, BuildRecord(build_id, page, max(started, await _report_time(site, page)), style.label))
    return _see(f"/year/{year}?build={build_id}")  # this person's build, whoever builds the year next


async def _report_time(site: Site, page: api.PageBuild) -> float:
    if page.report is None:
        return 0.0
    with contextlib.suppress(OSError):
        return (await run_in_threadpool((site.folder / page.report).stat)).st_mtime
    return 0.0


async def year_file(request: Request) -> Response:
    """A file of the year, by its exact name among the year's files: data, reports, PDFs, kept versions."""
    site = _site(request)
    year, name = request.path_params["year"], request.path_params["name"]
    years = await site.years()
    files = years.get(year)
    offered = set()
    if files is not None:
        offered |= {p.name for p in files.data}
        offered |= {r.docx.name for r in files.reports} | {r.pdf.name for r in files.reports if r.pdf}
        offered |= {k.name for k in files.kept}
    if name not in offered:
        raise HTTPException(404)
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(site.folder / name, media_type=media, filename=name, content_disposition_type="attachment")


async def _download(request: Request, job: Any) -> Response:
    site = _site(request)
    year = request.path_params["year"]
    years = await site.years()
    if year not in years or len(years[year].data) != 1:
        return _error(request, f"没有{year}年的数据", status=404)
    result = await site.workers.run(job, years[year].data[0])
    if isinstance(result, Failed):
        return _error(request, f"{years[year].data[0].name} 有问题，无法生成工作簿", problems=result.problems,
                      notes=result.notes)  # fmt: skip
    return _attachment(result.name, result.data)


def _attachment(name: str, data: bytes) -> Response:
    response = Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["content-disposition"] = f"attachment; filename*=utf-8''{_quoted(name)}"
    return response


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


async def next_year(request: Request) -> Response:
    return await _download(request, api.next_year_workbook)


async def as_workbook(request: Request) -> Response:
    return await _download(request, api.data_workbook)


async def build_file(request: Request) -> Response:
    """The .docx or PDF of one build from the page, as it was when that person built it."""
    path = _site(request).build_file(request.path_params["build"], request.path_params["name"])
    if path is None or not await run_in_threadpool(path.is_file):
        raise HTTPException(404)
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media, filename=path.name, content_disposition_type="attachment")


async def preview(request: Request) -> Response:
    path = _site(request).preview_file(request.path_params["build"], request.path_params["page"])
    if path is None or not await run_in_threadpool(path.is_file):
        raise HTTPException(404)
    return FileResponse(path, media_type="image/png", headers={"cache-control": "private, max-age=3600"})


# --- checking a report against the data (verify) ---------------------------------------------------------------


async def verify_report(request: Request) -> Response:
    """A report of the year, edited by hand in Word or WPS, compared with the year's data, figure by figure: either
    one in the folder (chosen by its name among the year's reports) or a copy the person uploads."""
    site = _site(request)
    year = request.path_params["year"]
    years = await site.years()
    if year not in years or len(years[year].data) != 1:
        return _error(request, f"没有{year}年的数据", status=404)
    data = years[year].data[0]
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        upload, refused = await _staged_upload(request, "report")
        if refused is not None:
            return refused
        report, shown = upload.staged, upload.shown
    else:
        form, refused = await _form(request)
        if refused is not None:
            return refused
        name = str(form.get("report") or "")
        if name not in {r.docx.name for r in years[year].reports}:  # only the year's own reports, by name
            return _error(request, "没有这份报告", "请从页面上选择要核对的报告", status=404)
        upload, report, shown = None, site.folder / name, name
    try:
        result = await site.workers.run(api.verify_for_page, report, data, shown)
    finally:
        if upload is not None:
            site.drop(upload)
    record = site.record_verification(session_of(request).id, year, shown, result)
    return _see(f"/year/{year}/verify/{record.id}")


async def verify_result(request: Request) -> Response:
    site = _site(request)
    record = site.verification(request.path_params["record"], session_of(request).id)
    if record is None or record.year != request.path_params["year"]:
        return _error(request, "这次核对已经过期", "请重新核对", status=404)
    from generator.verify.findings import CHECKS

    failed = record.result if isinstance(record.result, Failed) else None
    context = {"year": record.year, "shown": record.shown, "result": None if failed else record.result,
               "failed": failed, "checks": CHECKS}  # fmt: skip
    return _page(request, "verify.html", context)


# --- login ---------------------------------------------------------------------------------------------------------


async def login(request: Request) -> Response:
    guard = guard_of(request)
    if not guard.locked or session_of(request).authenticated:
        return _see("/")
    message = ""
    if request.method == "POST":
        form, refused = await _form(request)
        if refused is not None:
            return refused
        client = request.client.host if request.client else ""
        message = guard.login(session_of(request), str(form.get("secret") or ""), client)
        if not message:
            return _see("/")
    status = 401 if request.method == "GET" or message else 200
    return _page(request, "login.html", {"message": message, "password": guard.password is not None}, status)


# --- the application -------------------------------------------------------------------------------------------------


async def _not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    if status == 405:
        return _error(request, "不能这样访问", "请从页面上的按钮操作", status=405)
    return _error(request, "没有这个页面", "请从首页重新进入", status=404)


async def _internal_error(request: Request, exc: Exception) -> Response:
    message = f"请把这条信息告诉维护者：{type(exc).__name__}: {exc}"
    return _error(request, "程序内部错误（这不是您数据的问题）", message, status=500)


def create_app(
    folder: Path,
    *,
    token: str | None = None,
    password: str | None = None,
    loopback: bool = True,
    port: int = 0,
    jobs: int | None = None,
    warm: bool = True,
    on_ready: Callable[[], None] | None = None,
) -> Guard:
    """The page for the unit in ``folder``: a Starlette application inside its guard (security.py)."""
    folder = folder.resolve()
    workers = Workers(folder, jobs, warm=warm)
    site = Site(folder, workers)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(sweep_staged, folder)
        workers.start()
        prefetch = asyncio.ensure_future(site.check_all())
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            prefetch.cancel()
            site.close()
            await run_in_threadpool(workers.close)

    routes = [
        Route("/", index),
        Route("/year/{year:int}", year_page),
        Route("/year/{year:int}/build", build_year, methods=["POST"]),
        Route("/year/{year:int}/file/{name}", year_file),
        Route("/year/{year:int}/next-year", next_year),
        Route("/year/{year:int}/workbook", as_workbook),
        Route("/year/{year:int}/verify", verify_report, methods=["POST"]),
        Route("/year/{year:int}/verify/{record}", verify_result),
        Route("/upload", upload_data, methods=["POST"]),
        Route("/templates", upload_template, methods=["POST"]),
        Route("/upload/{upload}", upload_result),
        Route("/upload/{upload}/replace", upload_replace, methods=["POST"]),
        Route("/upload/{upload}/cancel", upload_cancel, methods=["POST"]),
        Route("/preview/{build}/{page:int}.png", preview),
        Route("/build/{build}/{name}", build_file),
        Route("/login", login, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: _not_found, 500: _internal_error},
    )
    app.state.site = site
    return Guard(app, port_name=str(port), token=token, password=password, loopback=loopback, body_limit=BODY_LIMIT)
