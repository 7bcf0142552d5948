"""Known Jinja sandbox escapes and docxtpl template-injection payloads, tried where strangers can put them: in the
data's text (YAML and workbook), and in a template's body, header, footer and document properties.

Every one is refused with a Chinese message naming the file, and while it is tried nothing runs a program, opens
a socket or reads the secret file (an audit hook watches), and neither the secret file's text nor an environment
variable's value shows up anywhere. Payloads that are bombs (of memory or of time) are refused within bounds.
"""

from __future__ import annotations

import decimal
import io
import os
import re
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from docx import Document

from generator import api, sandbox
from generator.errors import ReportError
from generator.figures import expressions
from generator.sandbox import ReportSandbox
from tests.fixtures import odd_workbooks as odd
from tests.fixtures.bad_inputs import TEMPLATE, YEAR
from tests.fixtures.corpus_sandbox import (  # after bad_inputs, whose last line registers its cases
    ALIAS_BOMBS,
    ERRORS,
    LEGITIMATE,
    MEMORY,
    NOT_XML_CHARACTERS,
    NUMBERS_OVERFLOW,
    NUMBERS_REFUSED,
    NUMBERS_THAT_BUILD,
    TIME,
    alias_yaml,
    character_payloads,
    formatted_workbook,
    indicator_year,
    name_twins,
    odd_one,
    twin_workbook,
    typed_in_workbook,
    yaml_name,
)
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
    started = time.process_time()  # processor time: what the bomb costs, whatever else the machine does
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source)
    assert time.process_time() - started < 10  # bombs are stopped, not waited out
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
    started = time.process_time()
    with watched() as events, pytest.raises(ReportError) as caught:
        api.build(source, template=template)
    assert time.process_time() - started < 10
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


# === Classes, as generators of variants (tests/fixtures/corpus_sandbox.py) ==========================================
# Every variant is refused by a check that runs *before* the operation: the attempt takes a few megabytes at most
# (tracemalloc counts every allocation Python makes), the message names the field or the template paragraph, and it
# is never the memory ceiling's (that is the last line, tested on its own below).

MEMORY_VARIANTS = [(name, p) for name, payloads in MEMORY.items() for p in payloads]
TIME_VARIANTS = [(name, p) for name, payloads in TIME.items() for p in payloads]
ERROR_VARIANTS = [(name, p) for name, payloads in ERRORS.items() for p in payloads]
PLACES = [  # where a payload goes in a template, and how the message names the paragraph (or property) with its text
    ("body", r"正文第 \d+ 段“"),
    ("header", "页眉“"),
    ("footer", "页脚“"),
    ("subject", "文档属性“主题”“"),
    ("title", "文档属性“标题”“"),
    ("comments", "文档属性“备注”“"),
]
# Words Jinja and Python use in their messages: none may reach the user.
ENGLISH = (
    "filter named",
    "expected",
    "must be",
    "object",
    "unsupported",
    "invalid",
    "cannot",
    "division",
    "overflow",
    "argument",
    "sort by",
    "got ",
    "Exceeds",
    "too large",
    "too big",
    "not ",
    "Traceback",
)


def _ids(items: list[tuple[str, str]]) -> list[str]:
    return [f"{name}{i}" for i, (name, _) in enumerate(items)]


@contextmanager
def traced() -> Iterator[list[int]]:
    """The peak of what Python allocates inside, in bytes."""
    peak = [0]
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def _load_refused(tmp_path: Path, payload: str) -> ReportError:
    source = tmp_path / "2023.yaml"
    source.write_text(FIELDS["paragraph"][0](payload), encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        api.load(source)
    return caught.value


def assert_chinese_at(error: ReportError, place: str) -> None:
    """One problem, at ``place`` (a regular expression), in Chinese without a word of Jinja's or Python's."""
    (problem,) = error.problems
    assert re.search(place, str(problem)), str(problem)
    assert re.search("[\u4e00-\u9fff]", problem.message), problem.message
    assert not any(word in problem.message for word in ENGLISH), problem.message


@pytest.mark.parametrize(("kind", "payload"), MEMORY_VARIANTS, ids=_ids(MEMORY_VARIANTS))
def test_memory_bomb_in_data_is_refused_before_it_allocates(tmp_path: Path, kind: str, payload: str) -> None:
    with traced() as peak:
        error = _load_refused(tmp_path, payload)
    assert_chinese_at(error, re.escape("2023.yaml:7（sections[0].paragraphs[0]）"))
    assert "内存超过上限" not in str(error)  # a check stopped it, not the ceiling
    # within a few tens of MB of the limits (200,000 items of a few dozen bytes each), far from the GB it once took
    assert peak[0] < 64 * 1024 * 1024, f"{peak[0] / 1e6:.0f} MB allocated before the refusal"


@pytest.mark.parametrize(("kind", "payload"), TIME_VARIANTS, ids=_ids(TIME_VARIANTS))
def test_time_bomb_in_data_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, payload: str) -> None:
    monkeypatch.setattr(sandbox, "TEXT_TIME_LIMIT", 0.5)  # the same stop as in use, sooner
    error = _load_refused(tmp_path, payload)
    assert_chinese_at(error, re.escape("2023.yaml:7（sections[0].paragraphs[0]）"))
    assert "计算" in error.problems[0].message  # stopped by the time limit, or by what the loop made first


@pytest.mark.parametrize(("kind", "payload"), ERROR_VARIANTS, ids=_ids(ERROR_VARIANTS))
def test_jinja_and_python_errors_in_data_are_chinese_with_the_field(tmp_path: Path, kind: str, payload: str) -> None:
    error = _load_refused(tmp_path, payload)
    assert_chinese_at(error, re.escape("2023.yaml:7（sections[0].paragraphs[0]）"))
    assert error.problems[0].message.startswith("表达式")


TEMPLATE_VARIANTS = MEMORY_VARIANTS[::2] + TIME_VARIANTS + ERROR_VARIANTS


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # see test_payload_in_a_template…
@pytest.mark.parametrize(("kind", "payload"), TEMPLATE_VARIANTS, ids=_ids(TEMPLATE_VARIANTS))
def test_bomb_or_error_in_a_template_names_its_paragraph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, payload: str
) -> None:
    monkeypatch.setattr(ReportSandbox, "time_limit", 1.0)
    where, label = PLACES[TEMPLATE_VARIANTS.index((kind, payload)) % len(PLACES)]
    template = hostile_template(tmp_path, payload, where)
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR, encoding="utf-8")
    with traced() as peak, pytest.raises(ReportError) as caught:
        api.build(source, template=template)
    error = caught.value
    assert error.kind == "template"
    assert_chinese_at(error, re.escape(f"{template.name} ") + label)
    assert "内存超过上限" not in str(error)
    assert peak[0] < 160 * 1024 * 1024, f"{peak[0] / 1e6:.0f} MB allocated before the refusal"
    assert not (tmp_path / "2023.docx").exists()


@pytest.mark.parametrize("payload", character_payloads())
def test_a_character_word_cannot_hold_made_by_an_expression_is_refused(tmp_path: Path, payload: str) -> None:
    error = _load_refused(tmp_path, payload)
    assert_chinese_at(error, re.escape("2023.yaml:7（sections[0].paragraphs[0]）"))
    assert "不能容纳的字符（U+" in str(error)


@pytest.mark.parametrize("payload", character_payloads()[::3])
def test_a_character_word_cannot_hold_made_by_a_template_is_refused(tmp_path: Path, payload: str) -> None:
    where, label = PLACES[character_payloads().index(payload) % len(PLACES)]
    template = hostile_template(tmp_path, payload, where)
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR, encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        api.build(source, template=template)
    assert_chinese_at(caught.value, re.escape(f"{template.name} ") + label.split("“")[0])
    assert "不能容纳的字符（U+" in str(caught.value)


@pytest.mark.parametrize("character", [c for c in NOT_XML_CHARACTERS if not 0xD800 <= ord(c) <= 0xDFFF])
def test_a_character_word_cannot_hold_typed_in_yaml_is_dropped_and_reported(tmp_path: Path, character: str) -> None:
    """YAML lets a double-quoted text write any character as an escape (lone surrogates it refuses itself)."""
    escaped = f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}"
    source = tmp_path / "2023.yaml"
    source.write_text(YEAR.replace("- 第一段。", f'- "第一{escaped}段"'), encoding="utf-8")
    result = api.build(source)
    assert result.output is not None
    check_document(result.output.read_bytes())
    assert "第一段" in docx_lines(result.output.read_bytes())
    (warning,) = result.warnings
    assert "2023.yaml:7（sections[0].paragraphs[0]）：" in warning and f"U+{ord(character):04X}" in warning


@pytest.mark.parametrize("code", ["0000", "0008", "000B", "000C", "001B", "001F", "FFFE", "FFFF", "D800", "DFFF"])
def test_a_character_word_cannot_hold_in_a_workbook_cell_is_dropped_and_reported(tmp_path: Path, code: str) -> None:
    source = tmp_path / "2023.xlsx"
    source.write_bytes(typed_in_workbook(code)())
    result = api.build(source)
    assert result.output is not None
    check_document(result.output.read_bytes())
    assert "第一段" in docx_lines(result.output.read_bytes())
    (warning,) = [w for w in result.warnings if "U+" in w]  # besides the notes on sheets this small book lacks
    assert "2023.xlsx 「正文」C2：" in warning and f"U+{code}" in warning


@pytest.mark.parametrize(("value", "previous", "change"), NUMBERS_THAT_BUILD)
def test_a_change_of_many_digits_is_computed_exactly(tmp_path: Path, value: str, previous: str, change: None) -> None:
    loaded = api.load(_write(tmp_path, indicator_year(value, previous, change)))
    with decimal.localcontext() as context:
        context.prec = 100
        exact = (decimal.Decimal(value) - decimal.Decimal(previous)) / abs(decimal.Decimal(previous)) * 100
        expected = exact.quantize(decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)
    (row,) = loaded.content.summary
    assert row.change.endswith(f"{abs(expected):f}%")


@pytest.mark.parametrize(("value", "previous", "change"), NUMBERS_OVERFLOW)
def test_a_change_of_more_than_28_digits_is_refused_at_the_indicator(
    tmp_path: Path, value: str, previous: str, change: None
) -> None:
    """999999999999999 over 0.00000000000001 is a change of 10^31 %: a mistyped figure, said so at its line."""
    error = _load_refused_text(tmp_path, indicator_year(value, previous, change))
    (problem,) = error.problems
    assert "2023.yaml:9（indicators[0].previous）：" in str(problem) and "同比变化过大" in problem.message


@pytest.mark.parametrize(("value", "previous", "change"), NUMBERS_REFUSED)
def test_a_number_with_more_decimals_than_a_figure_has_is_refused_at_its_field(
    tmp_path: Path, value: str | None, previous: str | None, change: str | None
) -> None:
    error = _load_refused_text(tmp_path, indicator_year(value, previous, change))
    assert all("2023.yaml:9（indicators[0]." in str(p) and "小数位数过多" in p.message for p in error.problems)


def _load_refused_text(tmp_path: Path, text: str) -> ReportError:
    source = tmp_path / "2023.yaml"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        api.load(source)
    return caught.value


@pytest.mark.parametrize("decimals", [21, 25, 31, 100, 900])
def test_a_cell_format_with_too_many_decimals_is_refused_at_its_cell(tmp_path: Path, decimals: int) -> None:
    source = tmp_path / "2023.xlsx"
    source.write_bytes(formatted_workbook(decimals)())
    with pytest.raises(ReportError) as caught:
        api.load(source)
    (problem,) = caught.value.problems
    assert "2023.xlsx 「指标」C2：" in str(problem) and "小数位数过多" in problem.message


@pytest.mark.parametrize("twin", name_twins(), ids=lambda t: f"U+{ord(odd_one(t)):04X}")
def test_names_that_differ_only_by_what_cannot_be_seen_are_one_name(tmp_path: Path, twin: str) -> None:
    text = YEAR + f"  - {{name: {yaml_name(twin)}, unit: 起, value: 7, previous: 9}}\n"
    error = _load_refused_text(tmp_path, text)
    (problem,) = error.problems
    assert "2023.yaml:10（indicators[1].name）：" in str(problem) and "重复" in problem.message


@pytest.mark.parametrize("twin", name_twins()[::4], ids=lambda t: f"U+{ord(odd_one(t)):04X}")
def test_names_that_differ_only_by_what_cannot_be_seen_are_one_name_in_a_workbook(tmp_path: Path, twin: str) -> None:
    source = tmp_path / "2023.xlsx"
    source.write_bytes(twin_workbook(twin)())
    with pytest.raises(ReportError) as caught:
        api.load(source)
    (problem,) = caught.value.problems
    assert "2023.xlsx 「指标」A3：" in str(problem) and "重复" in problem.message


def test_an_invisible_character_in_a_name_is_dropped_so_the_name_can_be_used(tmp_path: Path) -> None:
    text = (
        YEAR.replace("{name: 刑事发案数,", '{name: "刑事\\u200b发案数\\ufeff",').replace(
            "- 第一段。", "- '{{ 刑事发案数.本年 }}'"
        )
        + "trend: [刑事发案数]\n"
    )
    loaded = api.load(_write(tmp_path, text))
    assert loaded.report.indicators[0].name == "刑事发案数"
    assert loaded.content.sections[0].paragraphs == ["120"]


def _write(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "2023.yaml"
    source.write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize(("where", "length", "times"), ALIAS_BOMBS)
def test_aliases_that_repeat_a_long_text_are_refused_before_anything_is_done(
    tmp_path: Path, where: str, length: int, times: int
) -> None:
    with traced() as peak:
        error = _load_refused_text(tmp_path, alias_yaml(length, times, where))
    (problem,) = error.problems
    assert "2023.yaml:" in str(problem) and "文字合计超过" in problem.message
    assert peak[0] < 64 * 1024 * 1024


def test_a_text_used_many_times_is_evaluated_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    original = ReportSandbox.compile_text
    monkeypatch.setattr(ReportSandbox, "compile_text", lambda self, text: compiled.append(text) or original(self, text))
    paragraph = "'" + "长{{ 年份 }}" * 300 + "'"
    loaded = api.load(
        _write(tmp_path, YEAR.replace("      - 第一段。", f"      - &p {paragraph}\n" + "      - *p\n" * 500))
    )
    assert len(compiled) == 1
    assert loaded.content.sections[0].paragraphs[-1] == "长2023" * 300


def test_all_the_texts_of_a_year_share_one_time_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten texts that each run nearly as long as one may would together take ten times as long: the year's
    expressions stop at one budget, and say so once."""
    monkeypatch.setattr(expressions, "TIME_BUDGET", 0.6)
    monkeypatch.setattr(sandbox, "TEXT_TIME_LIMIT", 5.0)
    loop = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    paragraphs = "".join(f"\n      - '{i}{loop}'" for i in range(10))
    error = _load_refused_text(tmp_path, YEAR.replace("\n      - 第一段。", paragraphs))
    assert len(error.problems) == 1 and "合计" in error.problems[0].message


def test_a_text_with_a_thousand_expressions_or_a_template_with_ten_thousand_tags_is_refused(tmp_path: Path) -> None:
    error = _load_refused_text(tmp_path, YEAR.replace("- 第一段。", "- '" + "{{ 年份 }}" * 1001 + "'"))
    assert "表达式过多" in error.problems[0].message
    assert api.load(_write(tmp_path, YEAR.replace("- 第一段。", "- '" + "{{ 年份 }}" * 999 + "'")))
    template = hostile_template(tmp_path, "{{ year }}" * 10_001, "body")
    with pytest.raises(ReportError) as caught:
        api.build(_write(tmp_path, YEAR), template=template)
    assert "标签过多" in str(caught.value) and f"{template.name} 正文" in str(caught.value)


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the memory ceiling needs Linux")
def test_the_memory_ceiling_makes_an_escaped_allocation_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the size checks switched off, a three-gigabyte text fails inside the ceiling: a message naming the
    field, and the limit is lifted again afterwards."""
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    monkeypatch.setattr(sandbox, "MAX_SIZE", 10**12)
    monkeypatch.setattr(ReportSandbox, "charge", lambda self, amount: None)
    error = _load_refused(tmp_path, "{{ ('x' * 3000000000)|length }}")
    assert_chinese_at(error, re.escape("2023.yaml:7（sections[0].paragraphs[0]）"))
    assert "内存超过上限" in str(error)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    with sandbox.memory_ceiling(), pytest.raises(MemoryError):
        bytearray(4 * 1024**3)
    assert resource.getrlimit(resource.RLIMIT_AS) == before


ALLOWED = [
    *LEGITIMATE,
    ("{{ ' a '|trim }}", "a"),
    ("{{ 'abc'|length }}{{ [1, 2]|count }}", "32"),
    ("{{ [1, 2, 3]|first }}{{ [1, 2, 3]|last }}", "13"),
    ("{{ [1, 2, 2]|unique|list|length }}", "2"),
    ("{{ [1, 2, 3]|sum }}", "6"),
    ("{{ [1, 5, 3]|max }}{{ [1, 5, 3]|min }}", "51"),
    ("{{ '3'|int + 1 }}", "4"),
    ("{{ '2.5'|float }}", "2.5"),
    ("{{ -3|abs }}", "3"),
    ("{{ 'hello world'|title }}", "Hello World"),
    ("{{ 'hello'|capitalize }}", "Hello"),
    ("{{ 'a b c'|wordcount }}", "3"),
    ("{{ 'abcdefghij'|truncate(7, leeway=0) }}", "abcd..."),
    ("{{ range(5)|batch(2)|list|length }}", "3"),
    ("{{ range(6)|slice(3)|list|length }}", "3"),
    ("{{ {'b': 1, 'a': 2}|dictsort|first|first }}", "a"),
    ("{{ 'a,b'.split(',')|join('、') }}", "a、b"),
    ("{{ '  x '.strip() }}", "x"),
    ("{{ 'abc'.startswith('a') }}", "True"),
    ("{{ 'abc'.replace('b', 'x') }}", "axc"),
    ("{{ '、'.join(['甲', '乙']) }}", "甲、乙"),
    ("{{ 'x'.center(5, '-') }}", "--x--"),
    ("{{ '7'.zfill(3) }}", "007"),
    ("{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "3"),
    ("{% for i in range(3) %}{{ loop.index }}{{ loop.cycle('a', 'b') }}{% endfor %}", "1a2b3a"),
    ("{% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(1) }}", "[1]"),
    ("{{ 指标.get('刑事发案数').本年 }}", "120"),
    ("{{ 指标.keys()|list|length }}", "1"),
    ("{{ dict(a=1).get('a') }}", "1"),
    ("{{ [1, 2].index(2) }}", "1"),
    ("{{ 刑事发案数.value * 2 }}", "240"),
    ("{{ 2 ** 10 }}", "1024"),
    ("{{ 'ab' * 3 }}", "ababab"),
    ("{{ [0] * 3 }}", "[0, 0, 0]"),
    ("{{ 7 % 3 }}", "1"),
    ("{{ 刑事发案数|string }}", "120起"),
    ("{{ 刑事发案数.同比|replace('同比', '') }}", "下降20.0%"),
    ("{{ 1.25|round(1, 'floor') }}", "1.2"),
    ("{{ [1, 2]|map('string')|join('-') }}", "1-2"),
    ("{{ [{'a': 1}, {'a': 2}]|map(attribute='a')|sum }}", "3"),
    ("{{ [1, 2, 3]|select('odd')|list|length }}{{ [1, 2, 3]|reject('odd')|first }}", "22"),
    ("{{ 'x' is string }}{{ 10 is divisibleby 5 }}", "TrueTrue"),
    ("{{ [1, 2, 3]|reverse|join }}", "321"),
    ("{{ '<b>x</b>'|striptags }}", "x"),
    ("{{ [[1], [2]]|sum(start=[]) }}", "[1, 2]"),
    ("{{ 约(41234) }}{{ 41234|约 }}", "4万余4万余"),
    ("{% if 刑事发案数.change < 0 %}降{% else %}升{% endif %}", "降"),
]


@pytest.mark.parametrize(("expression", "expected"), ALLOWED)
def test_what_a_report_needs_stays_allowed(tmp_path: Path, expression: str, expected: str) -> None:
    loaded = api.load(_write(tmp_path, YEAR.replace("- 第一段。", "- " + _quoted(expression))))
    assert loaded.content.sections[0].paragraphs == [expected]
