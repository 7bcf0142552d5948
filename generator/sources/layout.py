"""The input workbook's layout: sheets, their columns and what each column means in the data.

One description shared by the workbook reader (sources/xlsx_source.py) and writer (writers/workbook.py), so the
two can never disagree. Sheet names, headers and 基本信息 labels are matched loosely when reading (spaces of any
kind, invisible characters, full-width forms and anything in brackets ignored), so a person may write 同比,
同比（%） or ＦＯＯ and the column is still found, and a sheet tab 「荣誉 」 with a trailing space is still 荣誉.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

INSTRUCTIONS_SHEET = "填写说明"
BASICS_SHEET = "基本信息"
TEXT_SHEET = "正文"
INDICATOR_SHEET = "指标"
HONOR_SHEET = "荣誉"
PHOTO_SHEET = "照片"
CHART_SHEET = "图表"
TABLE_SHEET_PREFIX = "附表"  # 附表1, 附表2, …: one sheet per extra table


@dataclass(frozen=True)
class Column:
    key: str  # the data key this column fills
    header: str  # what the header cell says
    note: str  # the comment on the header: what to write
    width: int = 12  # in characters (a Chinese character counts 2)
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # a drop-down list
    required: bool = False  # the column must be present (its cells may still be empty)
    wrap: bool = False


# 基本信息: one row per item, the item named in column A, its value in column B.
@dataclass(frozen=True)
class BasicItem:
    path: tuple[str, ...]  # where the value goes in the data
    label: str
    note: str
    aliases: tuple[str, ...] = ()
    required: bool = False


BASIC_COLUMNS = (
    Column("label", "项目", "不要修改这一列", width=14, required=True),
    Column("value", "内容", "在这一列填写", width=60, required=True, wrap=True),
    Column("note", "说明", "填写提示，不会进入报告", width=46, wrap=True),
)

BASIC_ITEMS = (
    BasicItem(("organization", "name"), "单位全称", "如：永康市公安局（必填）", required=True),
    BasicItem(("organization", "short_name"), "单位简称", "正文里的自称，如：市公安局；可不填"),
    BasicItem(("year",), "年份", "四位数字，如：2019（必填）", required=True),
    BasicItem(("kicker",), "引题", "主题上方的一行，常写当年最亮眼的数字；可不填"),
    BasicItem(("headline",), "主题", "大标题（必填）", aliases=("大标题", "标题"), required=True),
    BasicItem(("subtitle",), "副题", "主题下方的一行；可不填"),
    BasicItem(("title",), "报告标题", "正式工作报告（公文样式）的标题；不填则为“单位全称+年份+年工作总结”"),
    BasicItem(("date",), "成文日期", "正式工作报告落款的日期，如 2020-01-15；不填则为生成当天"),
    BasicItem(("trend",), "历年趋势指标", "要排成“历年趋势”表的指标名称，用顿号隔开；数值取自本文件夹里各年的工作簿"),
    BasicItem(("byline", "label"), "署名前缀", "如：通讯员；可不填（默认“通讯员”）"),
    BasicItem(("byline", "names"), "署名姓名", "多个姓名用顿号或空格隔开，如：俞亮波、胡湘；不填则不署名"),
)

# 正文: one paragraph per row, in reading order.
TEXT_KINDS = ("导语", "活动", "正文", "展望")
TEXT_COLUMNS = (
    Column("kind", "类别", "导语、活动、正文或展望；空着表示与上一行相同", width=8, choices=TEXT_KINDS, required=True),
    Column(
        "heading",
        "小标题",
        "“正文”的每一部分只在第一行写小标题，同一部分的后续行空着（写了小标题的行开始新的一部分）；“展望”的小标题可不填",
        width=30,
        wrap=True,
        required=True,
    ),
    Column(
        "subheading",
        "二级标题",
        "可不填。“正文”某一部分里的二级标题（正式报告排成“（一）（二）”）：写了二级标题的行在这一部分里开始新的一小节，"
        "同一小节的后续行空着；写在小标题那一行时，这一部分从这一小节开始",
        width=24,
        wrap=True,
    ),
    Column(
        "paragraph",
        "段落",
        "一行一段；可以用 {{ 指标名.同比 }} 这样的表达式读取“指标”表中的数字",
        width=90,
        wrap=True,
        required=True,
        aliases=("段落内容", "内容"),
    ),
)

INDICATOR_COLUMNS = (
    Column(
        "name", "指标名称", "同一年内不能重复；正文用这个名称读取它", width=26, required=True, aliases=("指标", "名称")
    ),
    Column("unit", "单位", "如：起、人、件；比率可不填（默认 %）", width=8),
    Column("value", "本年", "本年数值；只公布同比幅度时可不填", width=12, aliases=("本年数值", "本年数")),
    Column("previous", "上年", "上年数值；有本年和上年时，同比自动计算", width=12, aliases=("上年数值", "上年数")),
    Column(
        "change",
        "同比（%或个百分点）",
        "同比变化，下降写负数，如 -25.8；比率类写个百分点。本年和上年都填了时可不填",
        width=16,
        aliases=("同比", "同比变化", "同比增减"),
    ),
    Column(
        "kind", "类型", "数量（默认）或比率（破案率、覆盖率等，同比以个百分点计）", width=8, choices=("数量", "比率")
    ),
    Column(
        "in_summary",
        "列入主要指标表",
        "是（默认）或否：否表示只供正文读取",
        width=14,
        choices=("是", "否"),
        aliases=("列入主要指标", "主要指标表"),
    ),
)
KIND_WORDS = {"count": "数量", "rate": "比率"}

HONOR_LEVELS = ("全国", "省级", "市级", "县级", "其他")
HONOR_COLUMNS = (
    Column(
        "recipient",
        "获奖集体或个人",
        "如：巡特警大队、应健达",
        width=24,
        required=True,
        aliases=("集体/个人", "集体或个人", "获奖者"),
    ),
    Column("honor", "荣誉名称", "如：全国优秀公安基层单位", width=50, wrap=True, required=True, aliases=("荣誉",)),
    Column(
        "level",
        "级别",
        "全国、省级、市级（地级市）、县级（县、县级市）或其他",
        width=8,
        choices=HONOR_LEVELS,
        required=True,
    ),
)

PHOTO_COLUMNS = (
    Column(
        "file",
        "图片文件",
        "相对于本工作簿所在文件夹的路径，如：photos/2022/meeting.jpg",
        width=40,
        required=True,
        aliases=("文件", "图片"),
    ),
    Column("caption", "图片说明", "排在照片下方的说明，如：会议现场", width=40, wrap=True, aliases=("说明", "图注")),
)

CHART_KINDS = ("对比", "趋势")
CHART_KIND_WORDS = {"compare": "对比", "trend": "趋势"}
CHART_COLUMNS = (
    Column(
        "title", "图表标题", "排在图上方的标题，如：主要案件本年与上年对比", width=30, required=True, aliases=("标题",)
    ),
    Column("kind", "类型", "对比：本年与上年；趋势：本文件夹里各年的数值", width=8, choices=CHART_KINDS, required=True),
    Column(
        "indicators",
        "指标",
        "“指标”表中的名称，用顿号隔开，如：刑事发案数、治安发案数",
        width=50,
        wrap=True,
        required=True,
        aliases=("指标名称",),
    ),
)

TABLE_TITLE_LABEL = "表题"


@dataclass(frozen=True)
class Sheet:
    """A sheet of one item per row under a header row."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False  # a workbook without it is refused; the others may be deleted (with a note)


# Every sheet the tool writes and reads besides 填写说明 and the 附表: the workbook it writes always has all of them,
# with every column, so a missing one was deleted or renamed.
DATA_SHEETS = (
    Sheet(BASICS_SHEET, BASIC_COLUMNS, required=True),
    Sheet(TEXT_SHEET, TEXT_COLUMNS, required=True),
    Sheet(INDICATOR_SHEET, INDICATOR_COLUMNS),
    Sheet(HONOR_SHEET, HONOR_COLUMNS),
    Sheet(PHOTO_SHEET, PHOTO_COLUMNS),
    Sheet(CHART_SHEET, CHART_COLUMNS),
)


# Characters a person cannot see in a cell or on a sheet tab: zero-width spaces and joiners, direction marks, word
# joiners, the byte-order mark pasted from other programs, the soft hyphen.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# A remark in brackets (after NFKC, full-width （）［］ are the ASCII ones); one left open runs to the end.
_REMARK = re.compile(r"[(\[【〔〖].*?[)\]】〕〗]")
_OPEN_REMARK = re.compile(r"[(\[【〔〖].*$")


def normalize_header(text: object) -> str:
    """How a sheet name, header or label is compared: 'Ｆｏｏ\u00a0（%）' -> 'foo', ' 荣誉 ' -> '荣誉'. Full-width and
    half-width forms alike (NFKC), case ignored, spaces of every kind and invisible characters left out, and
    remarks in brackets (同比（%或个百分点） is 同比)."""
    value = "" if text is None else unicodedata.normalize("NFKC", str(text))
    value = _INVISIBLE.sub("", value)
    value = _OPEN_REMARK.sub("", _REMARK.sub("", value))
    return re.sub(r"\s+", "", value).casefold()


def column_names(column: Column) -> set[str]:
    return {normalize_header(n) for n in (column.header, *column.aliases)}


def match_column(header: object, columns: tuple[Column, ...]) -> Column | None:
    wanted = normalize_header(header)
    if not wanted:
        return None
    for column in columns:
        if wanted in column_names(column):
            return column
    return None


def likeness(text: object, names: tuple[str, ...] | list[str] | set[str]) -> float:
    """How close ``text`` is to the nearest of ``names`` (0 to 1), compared as normalize_header compares: 今年 and
    本年 0.5, 计量单位 and 单位 0.67. What a did-you-mean is chosen by."""
    wanted = normalize_header(text)
    if not wanted:
        return 0.0
    return max((difflib.SequenceMatcher(None, wanted, normalize_header(n)).ratio() for n in names), default=0.0)


NEAR_MISS = 0.5  # a likeness at least this high is a near miss (一字之差 in a two-character name)
