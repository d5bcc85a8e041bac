"""Loading catalog/hotspots.yaml (the grouping thresholds and the heat formula), with errors naming the field."""

from __future__ import annotations

from typing import Any

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.nlp.hotspots import HeatRules

FILE = "hotspots.yaml"
TERMS = ("messages", "people", "support", "concentration", "recency")


def load_hotspot_rules(doc: Any = None) -> HeatRules:
    doc = SHIPPED_SOURCE.load(FILE) if doc is None else doc
    grouping, heat = doc.get("grouping") or {}, doc.get("heat") or {}
    try:
        weights = {term: float(heat[term]["weight"]) for term in TERMS}
        explain = {
            term: f"{heat[term].get('label', term)}：{heat[term].get('explain', '')}" for term in TERMS
        }
        rules = HeatRules(
            same_place_similarity=float(grouping["same_place_similarity"]),
            same_text_similarity=float(grouping["same_text_similarity"]),
            repost_similarity=float(grouping["repost_similarity"]),
            window_days=int(grouping["window_days"]),
            min_messages=int(grouping["min_messages"]),
            weights=weights,
            explain=explain,
            labels={term: str(heat[term].get("label", term)) for term in TERMS},
            concentration_days=int(doc.get("concentration_days", 30)),
            recency_days=int(doc.get("recency_days", 90)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(
            f"catalog/{FILE}：缺少或无效的 {exc}（grouping 的阈值、heat 的五项权重）", field="heat"
        ) from None
    for name in ("same_place_similarity", "same_text_similarity", "repost_similarity"):
        if not 0 < getattr(rules, name) <= 1:
            raise CatalogError(f"catalog/{FILE} grouping.{name} 须在 0 到 1 之间", field=name)
    if rules.min_messages < 2 or rules.window_days < 1 or any(w < 0 for w in weights.values()):
        raise CatalogError(
            f"catalog/{FILE}：min_messages ≥ 2、window_days ≥ 1、权重不可为负", field="grouping"
        )
    return rules
