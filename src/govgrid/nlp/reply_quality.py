"""答复质量: a department's reply to a citizen's message, scored as docs/reply_rubric.md describes —
相关性, 完整性 and 可解释性 (0–2, each with its reasons), 及时性 on the working calendar, and the 推诿 and
弱答复 flags. The cues are data (catalog/reply_rubric.yaml); this module only applies them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from govgrid.domain.worktime import WorkCalendar

DIMENSIONS = ("relevance", "completeness", "explainability")
DIMENSION_LABEL = {
    "relevance": "相关性",
    "completeness": "完整性",
    "explainability": "可解释性",
    "timeliness": "及时性",
}
_HAN_PAIR = re.compile(r"(?=([\u4e00-\u9fa5]{2}))")
_ANONYMISED = re.compile(r"[A-Z]\d*[市区县]")
# words a subject is framed with, not what it is about
_FRAME = frozenset(
    [
        "关于",
        "反映",
        "问题",
        "建议",
        "希望",
        "请求",
        "咨询",
        "投诉",
        "强烈",
        "呼吁",
        "要求",
        "恳请",
        "请问",
        "能否",
        "是否",
        "为什么",
        "怎么",
        "如何",
        "何时",
        "举报",
        "严重",
        "解决",
        "处理",
        "一下",
        "我们",
        "相关",
        "部门",
        "领导",
        "政府",
    ]
)


@dataclass(frozen=True)
class ReplyRules:
    """The scorer's cues, compiled (loaded by catalog.reply_rules)."""

    limit_workdays: int
    courtesy: tuple[re.Pattern[str], ...]
    min_substance: int
    transfer_only_chars: int
    subject_overlap: float
    cues: dict[str, tuple[re.Pattern[str], ...]]  # transfer, generic, referral, facts, measures, results …
    named_unit: re.Pattern[str]
    substantive_after: int


@dataclass(frozen=True)
class ReplyScore:
    relevance: int
    completeness: int
    explainability: int
    deflection: bool
    reasons: dict[str, str] = field(default_factory=dict)
    timely: bool | None = None  # None when a moment is missing
    workdays: int | None = None

    @property
    def weak(self) -> bool:
        """弱答复 (rubric §6): a deflection, an answer to another matter, or three scores summing to ≤ 2."""
        total = self.relevance + self.completeness + self.explainability
        return self.deflection or self.relevance == 0 or total <= 2

    def as_dict(self) -> dict[str, Any]:
        return {
            "relevance": self.relevance,
            "completeness": self.completeness,
            "explainability": self.explainability,
            "deflection": self.deflection,
            "weak": self.weak,
            "timely": self.timely,
            "workdays": self.workdays,
            "reasons": dict(self.reasons),
        }


def substance(rules: ReplyRules, reply: str) -> str:
    """The reply without its courtesy formulas (greeting, 已收悉, thanks, signature and date)."""
    text = re.sub(r"\s+", " ", reply).strip()
    for _ in range(2):  # a formula may uncover another (a date after the thanks)
        for pattern in rules.courtesy:
            text = pattern.sub("", text).strip()
    return text


MAX_REPLY = 6000  # characters of a reply read (a real one is under 2,000; the rest cannot change much)


def score_reply(rules: ReplyRules, subject: str | None, body: str | None, reply: str | None) -> ReplyScore:
    """The three scores, the deflection flag and a reason for each, for one reply to one message (its first
    MAX_REPLY characters, so no input makes a pattern slow)."""
    subject, body = (subject or "")[:MAX_REPLY], (body or "")[:MAX_REPLY]
    text = substance(rules, (reply or "")[:MAX_REPLY])
    found = {name: _hits(patterns, text) for name, patterns in rules.cues.items()}
    deflection, why_deflection = _deflection(rules, text, found)
    relevance, why_relevance = _relevance(rules, subject, body, text, found)
    completeness, why_complete = _completeness(found)
    explainability, why_basis = _explainability(found)
    reasons = {
        "relevance": why_relevance,
        "completeness": why_complete,
        "explainability": why_basis,
        "deflection": why_deflection,
    }
    return ReplyScore(relevance, completeness, explainability, deflection, reasons)


def timeliness(
    calendar: WorkCalendar, asked: datetime | None, replied: datetime | None, limit_workdays: int
) -> tuple[bool | None, int | None, str]:
    """及时性: whether the reply came by the end of the limit's last working day after the message."""
    if asked is None or replied is None:
        return None, None, "缺少留言时间或答复时间，无法计算"
    days = calendar.workdays_between(asked, replied)
    on_time = replied <= calendar.add_workdays(asked, limit_workdays)
    verdict = "及时" if on_time else "超时"
    return on_time, days, f"{days} 个工作日后答复，时限 {limit_workdays} 个工作日：{verdict}"


def _hits(patterns: tuple[re.Pattern[str], ...], text: str) -> list[str]:
    return [m.group(0) for p in patterns for m in p.finditer(text)]


def _quote(hits: list[str]) -> str:
    shown = [h if len(h) <= 12 else h[:12] + "…" for h in dict.fromkeys(hits)][:2]
    return "、".join(f"“{h}”" for h in shown)


def _bigrams(text: str) -> set[str]:
    text = _ANONYMISED.sub(" ", text)
    return {pair for pair in _HAN_PAIR.findall(text) if pair not in _FRAME}


def _overlap(subject: str, body: str, text: str) -> float:
    """The share of the subject's bigrams (the body's when the subject is short) that the reply repeats."""
    wanted = _bigrams(subject)
    if len(wanted) < 4:
        wanted |= _bigrams(body[:200])
    if not wanted:
        return 1.0
    return sum(pair in text for pair in wanted) / len(wanted)


def _relevance(
    rules: ReplyRules, subject: str, body: str, text: str, found: dict[str, list[str]]
) -> tuple[int, str]:
    if len(text) < rules.min_substance:
        return 0, "只有问候、收悉或致谢，没有实质内容"
    substantive = found["facts"] or found["measures"] or found["results"]
    if found["transfer"] and len(text) < rules.transfer_only_chars and not found["results"]:
        return 0, f"只有转办通知（{_quote(found['transfer'])}），没有实质答复"
    share = _overlap(subject, body, text)
    if found["referral"] and len(text) < 300 and not found["results"]:
        return 1, f"只说明管辖或指明去向（{_quote(found['referral'])}），没有答复本事项"
    if found["generic"] and not found["facts"] and share < rules.subject_overlap:
        return 1, f"格式化表态（{_quote(found['generic'])}），没有落到本留言的地点或诉求"
    if share >= rules.subject_overlap or substantive:
        return 2, f"答复针对本留言的地点和问题（重合 {share:.0%}）"
    return 1, f"回应了这类问题，但很少提到本留言的地点或诉求（重合 {share:.0%}）"


def _completeness(found: dict[str, list[str]]) -> tuple[int, str]:
    parts = [
        ("查明事实", found["facts"]),
        ("采取措施", found["measures"]),
        ("结果或时间", found["results"]),
    ]
    present = [f"{name}{_quote(hits)}" for name, hits in parts if hits]
    missing = [name for name, hits in parts if not hits]
    score = 0 if not present else (2 if not missing else 1)
    said = "有" + "；".join(present) if present else "没有事实、措施或结果"
    return score, said + (f"；缺{'、'.join(missing)}" if present and missing else "")


def _explainability(found: dict[str, list[str]]) -> tuple[int, str]:
    if found["specific"]:
        return 2, f"有具体依据或责任主体：{_quote(found['specific'])}"
    if found["general"]:
        return 1, f"依据笼统：{_quote(found['general'])}"
    return 0, "没有说明处理依据"


def _deflection(rules: ReplyRules, text: str, found: dict[str, list[str]]) -> tuple[bool, str]:
    for pattern in rules.cues["deflection"]:
        for match in pattern.finditer(text):
            window = text[max(0, match.start() - 30) : match.end() + 40]
            if rules.named_unit.search(window.replace(match.group(0), "")):
                continue  # the responsible unit is named beside the phrase
            rest = len(text) - len(match.group(0))
            if rest >= rules.substantive_after and (found["facts"] or found["results"]):
                continue  # a routing note before the handling unit's own answer
            return True, f"套话推诿：“{match.group(0)}”，没有说明由哪个单位负责"
    return False, "未见推诿套话"
