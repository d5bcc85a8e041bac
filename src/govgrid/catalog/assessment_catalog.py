"""Loading catalog/assessment.yaml: the assessment's terms (the weight of 基本满意, the statuses left out or
not due), the ranking rule (minimum of cases, 红黑榜 size) and the schemes, each checked, with errors that
name the file, the scheme and the field."""

from __future__ import annotations

from typing import Any

from govgrid.catalog import CatalogError
from govgrid.domain.assessment import COUNTS, RATES, Terms
from govgrid.domain.assessment_schemes import AssessmentRules, Part, PartKind, Scheme
from govgrid.domain.workflow import Status

FILE = "assessment.yaml"
FIGURES = {*COUNTS, *RATES}


def load_assessment(doc: Any) -> AssessmentRules:
    if not isinstance(doc, dict):
        raise CatalogError(f"catalog/{FILE}：须为映射（terms、ranking、schemes）", field="terms")
    terms, ranking = _section(doc, "terms"), _section(doc, "ranking")
    weight = _number(terms, "fairly_satisfied_weight", f"catalog/{FILE} terms")
    if not 0 <= weight <= 1:
        raise CatalogError(
            f"catalog/{FILE} terms：fairly_satisfied_weight 须在 0–1 之间", field="fairly_satisfied_weight"
        )
    schemes: dict[str, Scheme] = {}
    for number, item in enumerate(doc.get("schemes") or [], start=1):
        scheme = _scheme(number, item)
        if scheme.id in schemes:
            raise CatalogError(f"catalog/{FILE} 第 {number} 个方案：id {scheme.id} 重复", field="id")
        schemes[scheme.id] = scheme
    if not schemes:
        raise CatalogError(f"catalog/{FILE}：至少须有一个考核方案", field="schemes")
    return AssessmentRules(
        terms=Terms(weight, _statuses(terms, "left_out"), _statuses(terms, "not_due")),
        min_due=int(_number(ranking, "min_due", f"catalog/{FILE} ranking")),
        board=int(_number(ranking, "board", f"catalog/{FILE} ranking")),
        schemes=schemes,
        sources={
            key.removesuffix("_source"): str(value)
            for section in (terms, ranking)
            for key, value in section.items()
            if key.endswith("_source")
        },
    )


def _section(doc: dict[str, Any], key: str) -> dict[str, Any]:
    section = doc.get(key)
    if not isinstance(section, dict):
        raise CatalogError(f"catalog/{FILE}：缺少 {key}", field=key)
    return section


def _number(section: dict[str, Any], key: str, where: str) -> float:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise CatalogError(f"{where}：{key} 须为非负数", field=key)
    return float(value)


def _statuses(terms: dict[str, Any], key: str) -> frozenset[str]:
    values = terms.get(key) or []
    known = {s.value for s in Status}
    bad = [v for v in values if v not in known]
    if bad or not isinstance(values, list):
        raise CatalogError(
            f"catalog/{FILE} terms：{key} 中的状态 {bad} 不存在（可用：{', '.join(sorted(known))}）",
            field=key,
        )
    return frozenset(values)


def _scheme(number: int, item: Any) -> Scheme:
    where = f"catalog/{FILE} 第 {number} 个方案"
    for key in ("id", "name", "source", "basis", "parts"):
        if not isinstance(item, dict) or not item.get(key):
            raise CatalogError(f"{where}：缺少 {key}", field=key)
    if item["basis"] not in COUNTS:
        raise CatalogError(f"{where}：basis {item['basis']} 不是指标计数", field="basis")
    parts = tuple(_part(f"{where} 第 {n} 项", part) for n, part in enumerate(item["parts"], start=1))
    return Scheme(str(item["id"]), str(item["name"]), str(item["source"]), str(item["basis"]), parts)


def _part(where: str, item: Any) -> Part:
    if not isinstance(item, dict):
        raise CatalogError(f"{where}：须为映射", field="parts")
    try:
        kind = PartKind(str(item.get("kind")))
    except ValueError:
        raise CatalogError(
            f"{where}：kind 须为 {', '.join(k.value for k in PartKind)} 之一", field="kind"
        ) from None
    metric = item.get("metric")
    if metric not in FIGURES:
        raise CatalogError(f"{where}：指标 {metric} 不存在", field="metric")
    if kind in (PartKind.RATE, PartKind.INVERSE_RATE, PartKind.THRESHOLD) and metric not in RATES:
        raise CatalogError(f"{where}：{kind.value} 须用比率指标", field="metric")
    if kind in (PartKind.POINTS_OFF, PartKind.DEDUCT) and metric not in COUNTS:
        raise CatalogError(f"{where}：{kind.value} 须用计数指标", field="metric")
    drill = item.get("drill") or ["", ""]
    if not isinstance(drill, list) or len(drill) != 2 or any(d and d not in COUNTS for d in drill):
        raise CatalogError(f"{where}：drill 须为 [计数, 排除的计数]", field="drill")
    values = {}
    for key in ("full", "per", "at"):
        value = item.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise CatalogError(f"{where}：{key} 须为非负数", field=key)
        values[key] = float(value)
    return Part(
        str(item.get("label") or metric),
        kind,
        str(metric),
        drill=(str(drill[0]), str(drill[1] or "")),
        **values,
    )
