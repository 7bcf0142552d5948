"""The styles a template really holds, found by the names people see in Word.

Generated content (the finished tables) must point at styles by their id, and ids are not stable: LibreOffice
renames custom ids when it saves a .docx (``TableText`` becomes ``Style19``), WPS numbers them, and only the names
(表格文字) survive. So each style generated content needs is looked up by its name first, then by the id our own
templates give it; what the template lacks is reported by ``template check`` and replaced by direct formatting
in the report, so a table never falls apart.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


@dataclass(frozen=True)
class StyleRole:
    """A style that generated content needs: the name people see, the id our templates use, what it is for."""

    name: str
    style_id: str
    kind: str  # "paragraph" or "table"
    purpose: str
    aliases: tuple[str, ...] = ()


TABLE = StyleRole("报告表格", "ReportTable", "table", "附表、趋势表和附件表格的边框与表头底色")
BOX = StyleRole("数说表格", "BoxTable", "table", "“数说”主要指标表和荣誉榜的边框与底色")
HEADING = StyleRole("表头", "TableHeading", "paragraph", "表格第一行（列名）的文字", ("Table Heading",))
TEXT = StyleRole("表格文字", "TableText", "paragraph", "表格中的文字", ("Table Contents",))
NUMBER = StyleRole("表格数字", "TableNumber", "paragraph", "表格中的数字（右对齐）")
ROLES = (TABLE, BOX, HEADING, TEXT, NUMBER)
# The formal report's closing block: the text's last lines keep with it, so it never stands alone on a page.
SIGN_OFF = (
    StyleRole("落款前空行", "DocSignOffGap", "paragraph", "落款前的空行"),
    StyleRole("附件说明", "DocAttachments", "paragraph", "附件说明"),
    StyleRole("落款", "DocSignOff", "paragraph", "落款"),
)


def _key(name: str) -> str:
    """Names compared as people read them: full-width and half-width forms alike, no spaces, any case."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


@dataclass(frozen=True)
class TableStyles:
    """The ids generated tables use in one template, None where the template has no such style; and what their
    widths are measured with."""

    ids: dict[str, str | None] = field(default_factory=dict)  # role name -> style id in this template
    font_pt: float = 10.5  # the larger of the table text and heading sizes
    cell_margin: int = 108  # twips left + right of a cell's text, each

    def id(self, role: StyleRole) -> str | None:
        return self.ids.get(role.name)

    def missing(self, roles: tuple[StyleRole, ...] = ROLES) -> list[StyleRole]:
        return [role for role in roles if self.ids.get(role.name) is None]


@dataclass
class _Style:
    style_id: str
    kind: str
    name: str
    element: etree._Element


def _read(styles_xml: bytes | None) -> etree._Element | None:
    if not styles_xml:
        return None
    try:
        return etree.fromstring(styles_xml, _SAFE)
    except etree.XMLSyntaxError:
        return None


def _find(root: etree._Element, roles: tuple[StyleRole, ...]) -> tuple[dict[str, _Style | None], list[_Style]]:
    """Each role's style: by name (as people see it), then by the id our templates give it."""
    styles: list[_Style] = []
    for element in root.iter(f"{W}style"):
        style_id = element.get(f"{W}styleId")
        name = element.find(f"{W}name")
        if style_id:
            styles.append(_Style(style_id, element.get(f"{W}type") or "paragraph",
                                 name.get(f"{W}val", "") if name is not None else "", element))  # fmt: skip
    by_name = {(s.kind, _key(s.name)): s for s in reversed(styles) if s.name}
    by_id = {(s.kind, s.style_id): s for s in reversed(styles)}
    found: dict[str, _Style | None] = {}
    for role in roles:
        match = by_name.get((role.kind, _key(role.name))) or by_id.get((role.kind, role.style_id))
        for alias in role.aliases:
            match = match or by_name.get((role.kind, _key(alias)))
        found[role.name] = match
    return found, styles


def style_ids(styles_xml: bytes | None, roles: tuple[StyleRole, ...]) -> list[str]:
    """The ids of those of ``roles`` the template holds."""
    root = _read(styles_xml)
    if root is None:
        return []
    found, _ = _find(root, roles)
    return [style.style_id for style in found.values() if style is not None]


def table_styles(styles_xml: bytes | None) -> TableStyles:
    """The styles of ``word/styles.xml`` that generated tables use, found by name, then by our id."""
    root = _read(styles_xml)
    if root is None:
        return TableStyles({role.name: None for role in ROLES})
    found, styles = _find(root, ROLES)
    every = {s.style_id: s for s in styles}
    sizes = [_size(found[r.name], every, root) for r in (TEXT, NUMBER, HEADING)]
    margin = _cell_margin(found[BOX.name] or found[TABLE.name])
    return TableStyles(
        {name: (style.style_id if style is not None else None) for name, style in found.items()},
        font_pt=max(sizes),
        cell_margin=margin,
    )


def _size(style: _Style | None, every: dict[str, _Style], root: etree._Element) -> float:
    """The font size a paragraph style gives, following its based-on chain to the document default."""
    seen = set()
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        size = style.element.find(f"{W}rPr/{W}sz")
        if size is not None and (size.get(f"{W}val") or "").isdigit():
            return int(size.get(f"{W}val")) / 2
        based = style.element.find(f"{W}basedOn")
        style = every.get(based.get(f"{W}val", "")) if based is not None else None
    default = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}sz")
    if default is not None and (default.get(f"{W}val") or "").isdigit():
        return int(default.get(f"{W}val")) / 2
    return 10.5


def _cell_margin(style: _Style | None) -> int:
    """The larger of a table style's left and right cell margins (Word's default is 0.08 inch)."""
    if style is not None:
        margins = style.element.find(f"{W}tblPr/{W}tblCellMar")
        if margins is not None:
            values = []
            for side in ("left", "right", "start", "end"):
                element = margins.find(f"{W}{side}")
                if element is not None and (element.get(f"{W}w") or "").isdigit():
                    values.append(int(element.get(f"{W}w")))
            if values:
                return max(values)
    return 108
