"""The per-user cache of compiled expressions (generator/sandbox.py _StoredCodes, generator/cache.py): a build stores
the code of its year's texts, the next process uses it instead of compiling, and the report is the same; an entry
that is damaged, of another kind or of other settings is never used."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from generator import api, sandbox
from tests.helpers import docx_lines

EXAMPLE = Path(__file__).resolve().parents[1] / "reports" / "yongkang-police" / "2019.yaml"


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new per-user cache in tmp_path, and a process that has compiled nothing yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ANNUAL_REPORT_CACHE", str(folder))
    _next_process(monkeypatch)
    return folder


def _next_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a new process: nothing compiled yet, nothing read from the cache."""
    monkeypatch.setattr(sandbox, "_COMPILED", {})
    monkeypatch.setattr(sandbox, "_STORED", sandbox._StoredCodes())


def _entries(folder: Path) -> dict[str, object]:
    """The stored code of each text, by its entry's name."""
    return {path.stem: marshal.loads(path.read_bytes()).get("code") for path in folder.glob("*.code")}


def test_a_build_stores_its_compiled_texts_and_the_next_process_uses_them(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api.build(EXAMPLE, output=tmp_path / "first.docx")
    stored = _entries(fresh)
    assert len(stored) >= 10  # the example's texts hold more than ten distinct expressions
    _next_process(monkeypatch)
    calls: list[str] = []
    from jinja2 import Environment

    compile_ = Environment.compile

    def counting(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(source)
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    second = api.build(EXAMPLE, output=tmp_path / "second.docx")
    assert calls == []  # every text came from the cache
    assert docx_lines(second.output) == docx_lines(first.output)
    assert _entries(fresh).keys() == stored.keys()  # nothing new to store: the entry is unchanged


def test_damaged_foreign_or_emptied_entries_are_compiled_again(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api.build(EXAMPLE, output=tmp_path / "first.docx")
    paths = sorted(fresh.glob("*.code"))
    expected = docx_lines(first.output)
    for damage in (b"not marshal data", marshal.dumps(["a", "list"]), marshal.dumps({"code": 1}), marshal.dumps({})):
        for path in paths:
            path.write_bytes(damage)
        _next_process(monkeypatch)
        again = api.build(EXAMPLE, output=tmp_path / "again.docx")
        assert docx_lines(again.output) == expected
        assert all(type(code).__name__ == "code" for code in _entries(fresh).values())  # stored anew, sound


def test_the_digest_depends_on_the_text_and_every_setting_it_was_compiled_with() -> None:
    stored = sandbox._StoredCodes()
    base = (sandbox.ImmutableSandboxedEnvironment, False, False, frozenset({"a"}), frozenset({"t"}), "{{ x }}")
    variants = [
        (*base[:5], "{{ y }}"),
        (base[0], True, *base[2:]),
        (base[0], base[1], True, *base[3:]),
        (*base[:3], frozenset({"a", "b"}), *base[4:]),
        (*base[:4], frozenset(), base[5]),
        (type("Other", (sandbox.ImmutableSandboxedEnvironment,), {}), *base[1:]),
    ]
    digests = {stored.digest(key) for key in [base, *variants]}
    assert len(digests) == len(variants) + 1
    assert stored.digest(base) == stored.digest(tuple(base))


def test_without_a_cache_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNUAL_REPORT_CACHE", "")
    _next_process(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path))
    api.build(EXAMPLE, output=tmp_path / "report.docx")
    assert not list(tmp_path.rglob("*.code"))


def test_reading_an_entry_takes_the_memory_of_the_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read sized by the most an entry may hold (64 MB) allocates all of it, for an entry of 2 KB: every build that
    found its texts compiled held 64 MB for a moment (the sandbox's memory tests saw it)."""
    import tracemalloc

    from generator import cache

    monkeypatch.setenv("ANNUAL_REPORT_CACHE", str(tmp_path))
    cache.store("entry", {"code": compile("x = 1", "<text>", "exec")}, "code")
    tracemalloc.start()
    try:
        assert cache.load("entry", "code") is not None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024, f"{peak / 1e6:.0f} MB to read a {(tmp_path / 'entry.code').stat().st_size} byte entry"
