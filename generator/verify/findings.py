"""What verify found, as data: for the command line to print and a web page to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["disagrees", "agrees", "unexplained"]

# The writing conventions verify checks, by the name users turn them off with (--skip 名称).
CHECKS = {
    "百分点": "比率（…率）的变化应以“个百分点”表示，而不是 %",
    "约数": "约、近、余、多、左右不能两个同时用（不写“约……左右”）",
    "增减": "增长、增加不能带负数；减少不用“倍”",
    "数字写法": "同一份文件里数字的写法应一致（千分撇、全角数字、汉字数字）",
    "标点": "中文句子里应使用全角标点",
}


@dataclass(frozen=True)
class Finding:
    """One figure of the report, compared with the data; or one place where a writing convention is broken."""

    outcome: Outcome | Literal["warning"]
    where: str  # 正文第 4 段“全年全市刑事、治安发案同比增长25.8%…”, 第 1 张表格（数说2019）第 3 行「同比」列
    found: str  # what the text says
    expected: str = ""  # what the data says
    suggestion: str = ""  # the sentence (or cell) to write instead
    indicators: tuple[str, ...] = ()
    check: str = ""  # a warning's convention (a key of CHECKS)
    message: str = ""  # a warning's explanation


@dataclass
class Verification:
    report: str  # how messages call the report file
    data: str  # and the data file
    findings: list[Finding] = field(default_factory=list)

    def of(self, outcome: str) -> list[Finding]:
        return [f for f in self.findings if f.outcome == outcome]

    @property
    def disagreements(self) -> list[Finding]:
        return self.of("disagrees")

    @property
    def agreements(self) -> list[Finding]:
        return self.of("agrees")

    @property
    def unexplained(self) -> list[Finding]:
        return self.of("unexplained")

    @property
    def warnings(self) -> list[Finding]:
        return self.of("warning")

    @property
    def ok(self) -> bool:
        """Every figure an indicator explains agrees with it (warnings and unexplained figures do not count)."""
        return not self.disagreements
