"""Loading catalog/reply_rubric.yaml (the reply scorer's cues and the reply time limit), with errors naming
the field and the pattern."""

from __future__ import annotations

import re
from typing import Any

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.nlp.reply_quality import ReplyRules

FILE = "reply_rubric.yaml"
CUES = {
    "transfer": ("relevance", "transfer"),
    "generic": ("relevance", "generic"),
    "referral": ("relevance", "referral"),
    "facts": ("completeness", "facts"),
    "measures": ("completeness", "measures"),
    "results": ("completeness", "results"),
    "specific": ("explainability", "specific"),
    "general": ("explainability", "general"),
    "deflection": ("deflection", "phrases"),
}


def load_reply_rules(doc: Any = None) -> ReplyRules:
    doc = SHIPPED_SOURCE.load(FILE) if doc is None else doc
    try:
        relevance, deflection = doc["relevance"], doc["deflection"]
        rules = ReplyRules(
            limit_workdays=int(doc["timeliness"]["limit_workdays"]),
            courtesy=_patterns(doc["courtesy"], "courtesy"),
            min_substance=int(relevance["min_substance"]),
            transfer_only_chars=int(relevance["transfer_only_chars"]),
            subject_overlap=float(relevance["subject_overlap"]),
            cues={name: _patterns(doc[part][key], f"{part}.{key}") for name, (part, key) in CUES.items()},
            named_unit=_compile(deflection["named_unit"], "deflection.named_unit"),
            substantive_after=int(deflection["substantive_after"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"catalog/{FILE}：缺少或无效的 {exc}", field="reply_rubric") from None
    if rules.limit_workdays < 1:
        raise CatalogError(f"catalog/{FILE} timeliness.limit_workdays 须为正整数", field="limit_workdays")
    if not 0 <= rules.subject_overlap <= 1:
        raise CatalogError(
            f"catalog/{FILE} relevance.subject_overlap 须在 0 到 1 之间", field="subject_overlap"
        )
    return rules


def _patterns(items: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(items, list) or not items:
        raise CatalogError(f"catalog/{FILE} {where} 须是非空的正则表达式列表", field=where)
    return tuple(_compile(item, f"{where}[{n}]") for n, item in enumerate(items))


def _compile(text: Any, where: str) -> re.Pattern[str]:
    try:
        return re.compile(str(text))
    except re.error as exc:
        raise CatalogError(f"catalog/{FILE} {where} 不是有效的正则表达式：{exc}", field=where) from None
