"""The 填写说明 sheet: a plain-Chinese guide to the workbook, written from the same layout the reader uses."""

from __future__ import annotations

from collections.abc import Sequence

from generator.model import Report
from generator.sources.layout import (
    BASIC_COLUMNS,
    BASIC_ITEMS,
    BASICS_SHEET,
    CHART_COLUMNS,
    CHART_SHEET,
    HONOR_COLUMNS,
    HONOR_SHEET,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    PHOTO_COLUMNS,
    PHOTO_SHEET,
    TABLE_SHEET_PREFIX,
    TABLE_TITLE_LABEL,
    TEXT_COLUMNS,
    TEXT_KINDS,
    TEXT_SHEET,
    Column,
)

LEAD, EVENT, BODY, OUTLOOK = TEXT_KINDS

EXPRESSION_EXAMPLES = (
    ("{{ 刑事发案数.同比 }}", "同比下降25.8%"),
    ("{{ 同比(刑事发案数, 治安发案数) }}", "同比下降25.8%、23.9%"),
    ("{{ 拘留所化解社会矛盾.本年 }}", "697（本年数值；写 {{ 拘留所化解社会矛盾 }} 则带单位：697起）"),
    ("{{ 年份 }}、{{ 年份 + 1 }}", "2019、2020"),
)


def _column_lines(columns: Sequence[Column]) -> list[tuple[str, str]]:
    return [("text", f"　· {column.header}：{column.note}") for column in columns]


def guide_lines(report: Report) -> list[tuple[str, str]]:
    """(kind, text) rows of the guide: kind is title, heading, sheet (a sheet's name) or text."""
    first_table = f"{TABLE_SHEET_PREFIX}1"
    second_table = f"{TABLE_SHEET_PREFIX}2"
    basic_label, basic_value = BASIC_COLUMNS[0].header, BASIC_COLUMNS[1].header
    heading = TEXT_COLUMNS[1].header
    lines: list[tuple[str, str]] = [
        ("title", "年度工作报道数据  填写说明"),
        ("text", f"{report.organization.name}　{report.year} 年"),
        (
            "text",
            "这个工作簿保存一年的工作数据和文字。annual-report 程序读取它，生成报纸通讯版式的年度工作报道"
            "（Word 文档）：引题、主题、导语、各部分正文、展望，以及“数说”主要指标表、荣誉榜和附表。"
            f"正文里的数字都从「{INDICATOR_SHEET}」表读取：改一处数据，正文和表格一起变。",
        ),
        ("heading", "一、怎样用"),
        (
            "text",
            "1. 逐张填写下面说明的各工作表。新的一年从去年的工作簿开始：运行  annual-report new-year 去年.xlsx  ，"
            "得到新一年的工作簿：年份加一，去年的数值已移到“上年”一列，标题和正文留作草稿，改写后填上今年的数字。",
        ),
        ("text", "2. 保存为 Excel 工作簿（.xlsx）。用 WPS 或 LibreOffice 另存时，文件类型也选 .xlsx。"),
        (
            "text",
            "3. 生成报告：在命令行运行  annual-report build 本文件.xlsx  ，Word 文档写在本文件旁边，"
            "文件名相同、扩展名为 .docx。只检查不生成：annual-report validate 本文件.xlsx 。",
        ),
        (
            "text",
            "4. 有错误时，程序一次列出全部问题，每一条都写明工作表和单元格，如「指标」D7：“六百九十七” 不是数字。"
            "按提示改正后，再生成一次。",
        ),
        ("heading", "二、各工作表"),
        ("sheet", f"「{BASICS_SHEET}」"),
        (
            "text",
            f"单位、年份、标题和署名，一行一项。只在“{basic_value}”一列填写；“{basic_label}”一列不要修改。",
        ),
        *[("text", f"　· {item.label}：{item.note}") for item in BASIC_ITEMS],
        ("sheet", f"「{TEXT_SHEET}」"),
        (
            "text",
            f"报道的全部文字，一行一段，按阅读顺序排列：先是“{LEAD}”（开头的一段或几段），"
            f"再是“{EVENT}”（排在标题下方底色框里的活动消息，可不填），然后是各部分“{BODY}”，最后是“{OUTLOOK}”"
            f"（可不填）。每一部分正文在第一行写{heading}，同一部分的后续行{heading}空着；写了新的{heading}，"
            "就开始新的一部分。",
        ),
        *_column_lines(TEXT_COLUMNS),
        ("sheet", f"「{INDICATOR_SHEET}」"),
        (
            "text",
            "报道里的数字，一行一个指标；引题、正文和表格都从这里读取。有本年和上年时，同比自动计算"
            "（四舍五入保留一位小数）；报道只公布幅度时，只填同比。列入主要指标表的指标排进报告后面的“数说”表。",
        ),
        *_column_lines(INDICATOR_COLUMNS),
        ("sheet", f"「{HONOR_SHEET}」"),
        ("text", "荣誉榜，一行一项荣誉。"),
        *_column_lines(HONOR_COLUMNS),
        ("sheet", f"「{PHOTO_SHEET}」"),
        (
            "text",
            "照片和图注，一行一张，依次排在正文各部分之后。图片放在本工作簿所在的文件夹里"
            "（或其下的文件夹），支持 JPG、PNG、GIF、BMP。",
        ),
        *_column_lines(PHOTO_COLUMNS),
        ("sheet", f"「{CHART_SHEET}」"),
        (
            "text",
            "可以在 Word 里编辑的图表，一行一张：“对比”画本年与上年，“趋势”画本文件夹里各年工作簿的数值"
            "（每年一个文件，文件名为年份，如 2021.xlsx、2022.xlsx）。不要图表时让这张表空着。",
        ),
        *_column_lines(CHART_COLUMNS),
        ("sheet", f"「{first_table}」「{second_table}」……"),
        (
            "text",
            f"报道最后的附表，一张工作表一张表。第 1 行：A1 是“{TABLE_TITLE_LABEL}”，在 B1 写表题；"
            "第 2 行写列名，一列一个；第 3 行起一行一条。没有附表时，让「附表1」空着。",
        ),
        ("heading", "三、在文字里读取指标（表达式）"),
        (
            "text",
            "任何文字（引题、主题、段落、图注、荣誉、附表单元格……）里都可以写 {{ … }}，"
            f"读取「{INDICATOR_SHEET}」表中的数字和同比。例如（结果以示例数据为准）：",
        ),
        *[("text", f"　{expression}　→　{result}") for expression, result in EXPRESSION_EXAMPLES],
        ("text", "指标名称写错时，程序会提示最接近的名称。"),
        ("heading", "四、注意"),
        (
            "text",
            "· 不要修改工作表的名称，也不要修改列名（第 1 行；附表是第 1、2 行）。"
            "列名右上角的小三角是批注，鼠标移上去可以看到这一列怎么填。",
        ),
        ("text", "· 可以在任何位置插入或删除行；空行会被跳过。"),
        ("text", "· 自己添加的列不会被读取，生成时会给出提示。"),
        (
            "text",
            "· 数字可以带千位分隔符（1,234），也可以写成百分数（25.8%）；不要写“12.5万”，请写 125000。"
            "数字按显示的小数位读取：要保留末尾的 0（如 13.0），把单元格格式设为一位小数（已有的数字都已设好）。",
        ),
        ("text", "· 有下拉箭头的单元格，请从列表中选择。"),
        (
            "text",
            f"· 要增加一张附表：复制工作表「{first_table}」（右键点击工作表标签，选“移动或复制”，勾选“建立副本”；"
            f"WPS 中选“创建副本”），把副本改名为「{second_table}」，依次类推。",
        ),
        ("text", "· 一个单元格是一段。段内要换行，按 Alt+Enter。"),
    ]
    return lines
