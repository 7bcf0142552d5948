"""The built-in newspaper template, checked from its XML: what Word and WPS will read."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from lxml import etree

from generator.render.templates import builtin_dir

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "newspaper.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def part(name: str) -> etree._Element:
    with zipfile.ZipFile(TEMPLATE) as archive:
        return etree.fromstring(archive.read(name))


def test_templates_are_what_the_build_script_makes() -> None:
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "templates" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, build in module.BUILDERS.items():
        assert build() == (ROOT / "templates" / f"{name}.docx").read_bytes(), "run: python templates/build_templates.py"


def test_every_font_is_named_for_chinese_and_no_theme_font_remains() -> None:
    for name in ("word/styles.xml", "word/document.xml", "word/header1.xml", "word/footer1.xml"):
        for fonts in part(name).iter(f"{W}rFonts"):
            assert not [a for a in fonts.attrib if "heme" in a], f"theme font in {name}"
    styles = part("word/styles.xml")
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert default.get(f"{W}eastAsia") == "宋体"
    faces = {}
    for style in styles.iter(f"{W}style"):
        fonts = style.find(f"{W}rPr/{W}rFonts")
        if fonts is not None and fonts.get(f"{W}eastAsia"):
            faces[style.find(f"{W}name").get(f"{W}val")] = fonts.get(f"{W}eastAsia")
    assert faces["主题"] == "黑体" and faces["引题"] == "楷体" and faces["报道正文"] == "宋体"
    assert faces["小标题"] == "黑体" and faces["图注"] == "楷体"


def test_page_is_a4_with_two_column_body_and_page_numbers() -> None:
    document = Document(str(TEMPLATE))
    for section in document.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    cols = [s._sectPr.find(f"{W}cols") for s in document.sections]
    assert cols[1].get(f"{W}num") == "2" and cols[1].get(f"{W}sep") == "1"
    assert [s._sectPr.find(f"{W}type").get(f"{W}val") for s in document.sections[1:]] == ["continuous"] * 2
    footer = part("word/footer1.xml")
    kinds = [f.get(f"{W}fldCharType") for f in footer.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]  # a complete field, as WPS needs
    assert "".join(t.text for t in footer.iter(f"{W}instrText")).strip() == "PAGE"
    header = "".join(t.text or "" for t in part("word/header1.xml").iter(f"{W}t"))
    assert "{{ organization }}" in header and "{{ year }}" in header


def test_body_text_has_a_two_character_first_line_indent() -> None:
    styles = part("word/styles.xml")
    for style in styles.iter(f"{W}style"):
        if style.find(f"{W}name").get(f"{W}val") in {"报道正文", "导语"}:
            indent = style.find(f"{W}pPr/{W}ind")
            assert indent.get(f"{W}firstLineChars") == "200"


def test_summary_boxes_are_finished_tables_with_a_shaded_title_bar() -> None:
    body = "".join(t.text or "" for t in part("word/document.xml").iter(f"{W}t"))
    assert "{{p summary_table.body }}" in body and "{{p honors_table.body }}" in body
    styles = {s.find(f"{W}name").get(f"{W}val"): s for s in part("word/styles.xml").iter(f"{W}style")}
    assert styles["栏目"].find(f"{W}pPr/{W}shd").get(f"{W}fill") == "C00000"  # the red title bar
    box = styles["数说表格"]
    assert box.get(f"{W}type") == "table"
    assert box.find(f"{W}tcPr/{W}shd").get(f"{W}fill") == "FDF5EF"  # the body's shading
    first_row = box.find(f"{W}tblStylePr[@{W}type='firstRow']")
    assert first_row.find(f"{W}tcPr/{W}shd").get(f"{W}fill") == "F2DCDB"


def test_builtin_templates_are_found_outside_the_checkout() -> None:
    assert (builtin_dir() / "newspaper.docx").is_file() and (builtin_dir() / "official.docx").is_file()


def test_wheel_ships_the_templates_and_the_page_inside_the_package(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "generator/builtin_templates/newspaper.docx" in names
        assert "generator/builtin_templates/official.docx" in names
        assert "generator/builtin_templates/newspaper.prepared.json" in names  # tags repaired: no docxtpl at build
        assert "generator/builtin_templates/official.prepared.json" in names
        assert "generator/pdf-fonts.conf" in names
    page = (
        "web/templates/base.html",
        "web/templates/year.html",
        "web/templates/verify.html",
        "web/static/app.css",
        "web/static/app.js",
        "web/static/icon.svg",
        "uno_bridge.py",
        "converter.py",
        "preview.py",
    )
    for part in page:  # the page and its converter ship too: `serve` works from any folder
        assert f"generator/{part}" in names, part


def test_template_cache_is_optional_and_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import cache

    monkeypatch.setenv("ANNUAL_REPORT_CACHE", str(tmp_path))
    for number in range(cache.KEEP + 5):
        cache.store(f"entry{number}", {"parts": {}, "names": []})
    assert len(list(tmp_path.glob("*.template"))) == cache.KEEP
    assert cache.load("entry36") == {"parts": {}, "names": []}
    (tmp_path / "broken.template").write_bytes(b"not marshal data")
    assert cache.load("broken") is None  # a damaged entry is no entry
    monkeypatch.setenv("ANNUAL_REPORT_CACHE", "")
    assert cache.cache_dir() is None and cache.load("entry36") is None


# --- what a build pays for (issue 11): built-in templates ship with their tags repaired, and a command imports only
# what it uses. Checked by the modules loaded, never by time.

HEAVY = ("docxtpl", "docx", "openpyxl", "PIL", "rich", "xml.sax", "starlette", "uvicorn", "pypdfium2")


@pytest.mark.parametrize("name", ["newspaper", "official"])
def test_builtin_templates_ship_their_tags_repaired_as_docxtpl_repairs_them(name: str) -> None:
    from generator.render.engine import prepared_json

    data = (builtin_dir() / f"{name}.docx").read_bytes()
    shipped = (builtin_dir() / f"{name}.prepared.json").read_text(encoding="utf-8")
    assert shipped.strip() == prepared_json(data), "run: python templates/build_templates.py"


def test_a_changed_builtin_template_is_repaired_by_docxtpl_again() -> None:
    from generator.render.engine import shipped_sources
    from generator.render.templates import load_template

    builtin = load_template("newspaper")
    assert shipped_sources(builtin) is not None
    changed = type(builtin)(builtin.name, builtin.data + b"\0", builtin=True, path=builtin.path)
    assert shipped_sources(changed) is None  # made from other bytes: not used
    own = type(builtin)(str(builtin.path), builtin.data, path=builtin.path)
    assert shipped_sources(own) is None  # only for our own templates


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["build", "{year}", "-o", "{out}"], ()),
        (["build", "{year}", "-o", "{out}", "-t", "official"], ()),
        (["validate", "{year}"], ()),
        (["build", "{book}", "-o", "{out}"], ("openpyxl", "PIL")),  # the workbook reader (openpyxl loads PIL)
    ],
)
def test_a_command_with_a_builtin_template_loads_no_module_it_does_not_use(
    tmp_path: Path, args: list[str], extra: tuple[str, ...]
) -> None:
    """With an empty template cache (the first build after install), through the command's own entry."""
    year = ROOT / "reports" / "yongkang-police" / "2019.yaml"
    book = tmp_path / "2019.xlsx"
    if "{book}" in args:
        subprocess.run([sys.executable, "-m", "generator", "convert", str(year), str(book)], check=True,
                       capture_output=True)  # fmt: skip
    filled = [a.format(year=year, book=book, out=tmp_path / "报告.docx") for a in args]
    script = (
        "import sys\nfrom generator.cli import run\n"
        f"code = run({filled!r})\n"
        "print(repr(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    env = {**__import__("os").environ, "ANNUAL_REPORT_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = eval(done.stdout.strip().splitlines()[-1])

    def within(module: str, names: tuple[str, ...]) -> bool:
        return any(module == name or module.startswith(name + ".") for name in names)

    unwanted = [m for m in loaded if within(m, HEAVY) and not within(m, extra)]
    assert unwanted == []
