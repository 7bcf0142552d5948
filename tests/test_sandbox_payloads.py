"""Known Jinja sandbox escapes and docxtpl template-injection payloads, tried where strangers can put them: in the
data's text (YAML and workbook), and in a template's body, header, footer and document properties.

Every one is refused with a Chinese message naming the file, and while it is tried nothing runs a program, opens
a socket or reads the secret file (an audit hook watches), and neither the secret file's text nor an environment
variable's value shows up anywhere. Payloads that are bombs (of memory or of time) are refused within bounds.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from docx import Document

from generator import api
from generator.errors import ReportError
from generator.sandbox import ReportSandbox
from tests.fixtures import odd_workbooks as odd
from tests.fixtures.bad_inputs import TEMPLATE, YEAR
from tests.helpers import check_document, docx_lines

SECRET_ENV = "ANNUAL_REPORT_TEST_SECRET"
SECRET_VALUE = "环境变量里的秘密4711"
SECRET_TEXT = "文件里的秘密4711"

# Escapes published for Jinja/Flask/docxtpl server-side template injection, and what a curious user would try.
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__base__.__subclasses__()[140].__init__.__globals__['popen']('id').read() }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ ''['__class__']['__mro__'] }}",
    "{{ ''|attr('__class__')|attr('__mro__') }}",
    "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ ''|attr(['_','_class_','_']|join) }}",
    "{% set x = ''.__class__ %}{{ x }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ range.__init__.__globals__ }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{{ (1).__class__.__base__.__subclasses__() }}",
    "{{ '{0.__class__}'.format('') }}",
    "{{ '%s' % ''.__class__ }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ config.items() }}",
    "{{ url_for.__globals__.os.popen('id').read() }}",
    "{{ get_flashed_messages.__globals__ }}",
    "{{ 刑事发案数._figure.__class__ }}",
    "{{ 指标._views }}",
    "{{ 同比.__globals__['__builtins__'] }}",
    "{{ 同比.__closure__ }}",
    "{% set x = [] %}{{ x.append(1) }}{{ x.__class__ }}",
    "{{ dict(a=1).update(b=2) }}",
]
# Reading files, the environment or the network (the secret file is named by {secret}).
READERS = [
    "{% include '{secret}' %}",
    "{% import '{secret}' as s %}",
    "{% extends '{secret}' %}",
    "{% from '{secret}' import x %}",
    "{{ open('{secret}').read() }}",
    "{{ self.__init__.__globals__.__builtins__.open('{secret}').read() }}",
    "{{ cycler.__init__.__globals__.os.environ['" + SECRET_ENV + "'] }}",
    "{{ environ['" + SECRET_ENV + "'] }}",
    "{{ os.getenv('" + SECRET_ENV + "') }}",
    "{{ urlopen('http://127.0.0.1:9/') }}",
    "{{ __import__('socket').create_connection(('127.0.0.1', 9)) }}",
]
# Bombs: memory and time.
BOMBS = [
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{% for a in 'x' * 100000 %}{% for b in 'x' * 100000 %}{{ b }}{% endfor %}{% endfor %}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{{ 'x' * 100000000 }}",
    "{{ 10 ** 1000000 }}",
    "{{ 'x'.center(1000000000) }}",
    "{% set a = 'x' * 200000 %}{{ a.replace('x', a) }}",
    "{% set a = 'x' * 200000 %}{{ a|replace('x', 'xx') }}",
    "{% set a = 'x' * 200000 %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c|length }}",
    "{% set a = 'x' * 150000 %}{{ (a + a)|length }}",
    "{% set a = [1] * 200000 %}{{ [a] * 200000 }}",
    "{% set a = [1] * 1000 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}{% set c = [b, b, b, b, b, b, b, b, b, b] %}"
    "{% set d = [c, c, c, c, c, c, c, c, c, c] %}{{ d }}",
    "{% set a = ['x' * 1000] * 1000 %}{{ a|join('y' * 1000) }}",
    "{% set a = [[1] * 1000] * 1000 %}{{ (a|sum(start=[]))|length }}",
]
ALL = [("escape", p) for p in ESCAPES] + [("reader", p) for p in READERS] + [("bomb", p) for p in BOMBS]

# What no payload may cause while it is tried: running programs, the network, reading the secret file.
FORBIDDEN = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
             "pty.spawn", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request")  # fmt: skip
_events: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _events is None:
        return
    if event in FORBIDDEN or (event == "open" and args and "secret" in str(args[0])):
        _events.append((event, repr(args)[:200]))


sys.addaudithook(_audit)  # audit hooks cannot be removed: it records only inside watched()


@contextmanager
def watched() -> Iterator[list[tuple[str, str]]]:
    global _events
    _events = []
    try:
        yield _events
    finally:
        _events = None


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(SECRET_ENV, SECRET_VALUE)
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_TEXT, encoding="utf-8")
    return secret


def _payload(text: str, secret: Path) -> str:
    return text.replace("{secret}", str(secret))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def assert_refused(error: ReportError, kind: str, file: str, events: list[tuple[str, str]]) -> None:
    message = str(error)
    assert error.kind == kind
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p.message) for p in error.problems), message
    assert file in message, message
    assert SECRET_TEXT not in message and SECRET_VALUE not in message
    assert not events, f"the payload reached the system: {events}"


# --- in the data ----------------------------------------------------------------------------------------------------

FIELDS = {  # where a payload goes in the year's data, and the line a message must name
    "paragraph": (lambda p: YEAR.replace("- 第一段。", "- " + _quoted(p)), "2023.yaml:7"),
    "headline": (lambda p: YEAR.replace("headline: 县公安局工作综述", "headline: " + _quoted(p)), "2023.yaml:3"),
    "table cell": (
        lambda p: YEAR + "tables:\n  - title: 表\n    columns: [甲]\n    rows:\n      - [" + _quoted(p) + "]\n",
        "2023.yaml:14",
    ),
    "honor": (
        lambda p: YEAR + "honors:\n  - {recipient: 巡特警大队, honor: " + _quoted(p) + ", level: 省级}\n",
        "2023.yaml:11",
    ),
}


@pytest.mark.parametrize(("kind", "payload"), ALL, ids=[f"{k}{i}" for i, (k, _) in enumerate(ALL)])
def test_payload_in_data_text_is_refused(tmp_path: Path, secrets: Path, kind: str, payload: str) -> None:
    source = tmp_path / "2023.yaml"
    source.write_text(FIELDS["paragraph"][0](_payload(payload, secrets)), encoding="utf-8")
    started = time.perf_counter()
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source)
    assert time.perf_counter() - started < 10  # bombs are stopped, not waited out
    assert_refused(caught.value, "data", FIELDS["paragraph"][1], events)
    assert "sections[0].paragraphs[0]" in str(caught.value)
    assert not (tmp_path / "2023.docx").exists()


@pytest.mark.parametrize("field", [f for f in FIELDS if f != "paragraph"])
@pytest.mark.parametrize("payload", [ESCAPES[0], READERS[0], READERS[6], BOMBS[6]])
def test_payload_in_any_text_field_is_refused(tmp_path: Path, secrets: Path, field: str, payload: str) -> None:
    make, place = FIELDS[field]
    source = tmp_path / "2023.yaml"
    source.write_text(make(_payload(payload, secrets)), encoding="utf-8")
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source)
    assert_refused(caught.value, "data", place, events)


@pytest.mark.parametrize("payload", [ESCAPES[0], ESCAPES[11], READERS[0], READERS[7], BOMBS[0]])
def test_payload_in_a_workbook_cell_is_refused(tmp_path: Path, secrets: Path, payload: str) -> None:
    source = tmp_path / "2023.xlsx"
    rows = [odd.TEXT[0], ["正文", "第一部分", _payload(payload, secrets)]]
    source.write_bytes(odd.save(odd.workbook({"正文": rows})))
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source)
    assert_refused(caught.value, "data", "2023.xlsx 「正文」C2", events)


def test_data_text_that_looks_like_a_template_tag_stays_text(tmp_path: Path, secrets: Path) -> None:
    """Second-order injection: an expression whose result is template syntax (even docxtpl's {%p %} and {%tr %})
    is inserted as text; it is never run as part of the template."""
    tags = [ESCAPES[0], "{%p for x in range(3) %}", "{%tr endfor %}", "{{p subdoc }}", "{{r rich }}",
            "</w:t></w:r></w:p><w:p><w:r><w:t>注入的段落"]  # fmt: skip
    paragraphs = "".join(f"\n      - {_quoted('{{ ' + repr(tag) + ' }}')}" for tag in tags)
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR.replace("\n      - 第一段。", paragraphs), encoding="utf-8")
    with watched() as events:
        result = api.build(source)
    assert not events
    assert result.output is not None
    data = result.output.read_bytes()
    check_document(data)
    lines = docx_lines(data)
    for tag in tags:
        assert tag in lines, tag


# --- in the template ------------------------------------------------------------------------------------------------


def hostile_template(folder: Path, payload: str, where: str) -> Path:
    document = Document(str(TEMPLATE))
    if where == "body":
        document.add_paragraph(payload)
    elif where == "header":
        document.sections[0].header.paragraphs[0].add_run(payload)
    elif where == "footer":
        document.sections[0].footer.paragraphs[0].add_run(payload)
    else:  # a document property: title, subject, author, comments, keywords, category
        setattr(document.core_properties, where, payload)
    path = folder / f"模板-{where}.docx"
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(out.getvalue())
    return path


WHERE = ["body", "header", "footer", "title", "subject", "author", "comments", "keywords", "category"]


# The time limit's alarm may first land in a garbage-collector callback (hypothesis installs one in this process),
# where Python reports and drops it; the alarm repeats, and the next one stops the render.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("where", ["body", "header", "footer", "subject"])
@pytest.mark.parametrize(("kind", "payload"), ALL, ids=[f"{k}{i}" for i, (k, _) in enumerate(ALL)])
def test_payload_in_a_template_is_refused(
    tmp_path: Path, secrets: Path, monkeypatch: pytest.MonkeyPatch, kind: str, payload: str, where: str
) -> None:
    monkeypatch.setattr(ReportSandbox, "time_limit", 1.0)  # the same stop as in use, sooner
    template = hostile_template(tmp_path, _payload(payload, secrets), where)
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR, encoding="utf-8")
    started = time.perf_counter()
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source, template=template)
    assert time.perf_counter() - started < 10
    assert_refused(caught.value, "template", template.name, events)
    assert not (tmp_path / "2023.docx").exists()


@pytest.mark.parametrize("where", WHERE)
def test_every_place_a_template_holds_text_is_sandboxed(tmp_path: Path, secrets: Path, where: str) -> None:
    template = hostile_template(tmp_path, ESCAPES[0], where)
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR, encoding="utf-8")
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source, template=template)
    assert_refused(caught.value, "template", template.name, events)


def test_docxtpl_paragraph_and_row_tags_are_sandboxed_too(tmp_path: Path, secrets: Path) -> None:
    document = Document(str(TEMPLATE))
    document.add_paragraph("{%p for c in ''.__class__.__mro__[1].__subclasses__() %}")
    document.add_paragraph("{{ c }}")
    document.add_paragraph("{%p endfor %}")
    template = tmp_path / "段落标签.docx"
    document.save(str(template))
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR, encoding="utf-8")
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source, template=template)
    assert_refused(caught.value, "template", template.name, events)


def test_text_in_parts_no_template_code_runs_in_stays_text(tmp_path: Path, secrets: Path) -> None:
    """The company field of docProps/app.xml is not rendered: a payload there is inert text, kept as it was."""
    import zipfile

    from tests.fixtures.bad_inputs import _patched

    company = "<Company>" + ESCAPES[0].replace("'", "&apos;") + "</Company></Properties>"
    data = _patched(
        TEMPLATE.read_bytes(), "docProps/app.xml", lambda xml: xml.replace(b"</Properties>", company.encode())
    )
    template = tmp_path / "公司.docx"
    template.write_bytes(data)
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR, encoding="utf-8")
    with watched() as events:
        result = api.build(source, template=template)
    assert not events
    assert result.output is not None
    with zipfile.ZipFile(result.output) as archive:
        assert "os.popen" in archive.read("docProps/app.xml").decode("utf-8")
    assert SECRET_VALUE not in result.output.read_bytes().decode("latin-1")


def test_the_audit_hook_sees_what_a_payload_would_do(tmp_path: Path) -> None:
    """The watch itself works: running a program, reading the secret file and connecting are all recorded."""
    import socket
    import subprocess

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_TEXT, encoding="utf-8")
    with watched() as events:
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        secret.read_text(encoding="utf-8")
        with socket.socket() as connection, pytest.raises(OSError):
            connection.settimeout(0.5)
            connection.connect(("127.0.0.1", 9))
    names = {name for name, _ in events}
    assert {"subprocess.Popen", "open", "socket.connect"} <= names
    assert os.environ.get(SECRET_ENV) is None
