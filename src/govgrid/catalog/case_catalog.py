"""Loading the case-class catalogue and the responsibility list, validated with errors that name the
file, the row and the field."""

from __future__ import annotations

import re
from typing import Any

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.domain.case_rules import CaseClass, HotlineLimit, ResponsibilityList, ResponsibilityRule
from govgrid.domain.worktime import TimeUnit

CLASSES = "case_classes.yaml"
RESPONSIBILITY = "responsibility.yaml"
CODE = re.compile(r"^[EC]\d{4}$")
LOCAL = "属地"  # 属地兜底: the street that owns the grid


def load_case_classes(doc: Any = None) -> dict[str, CaseClass]:
    doc = SHIPPED_SOURCE.load(CLASSES) if doc is None else doc
    majors = {m["code"]: m["name"] for m in doc.get("majors") or []}
    classes: dict[str, CaseClass] = {}
    for row, item in enumerate(doc.get("classes") or [], start=1):
        found = _case_class(row, item, majors)
        if found.code in classes:
            raise CatalogError(f"catalog/{CLASSES} 第 {row} 条：分类编码 {found.code} 重复", field="code")
        classes[found.code] = found
    if not classes:
        raise CatalogError(f"catalog/{CLASSES}：没有任何分类", field="classes")
    return classes


def _case_class(row: int, item: Any, majors: dict[str, str]) -> CaseClass:
    where = f"catalog/{CLASSES} 第 {row} 条"
    if not isinstance(item, dict):
        raise CatalogError(f"{where}：应为映射", field="classes")
    for key in ("code", "name", "time_limit", "unit", "register", "close"):
        if item.get(key) in (None, ""):
            raise CatalogError(f"{where}：缺少字段 {key}", field=key)
    code = str(item["code"])
    if not CODE.match(code) or code[:3] not in majors:
        raise CatalogError(f"{where}：编码“{code}”无效或其大类 {code[:3]} 未定义", field="code")
    try:
        amount, unit = item["time_limit"]
        amount, unit = float(amount), TimeUnit(str(unit))
    except (TypeError, ValueError):
        units = "、".join(u.value for u in TimeUnit)
        raise CatalogError(
            f"{where}：time_limit 应为 [数量, 单位]，单位为 {units}，实为 {item['time_limit']!r}",
            field="time_limit",
        ) from None
    if amount <= 0:
        raise CatalogError(f"{where}：time_limit 数量须为正数", field="time_limit")
    return CaseClass(
        code=code,
        name=str(item["name"]),
        major_code=code[:3],
        major_name=majors[code[:3]],
        time_limit=amount,
        time_unit=unit,
        unit_key=str(item["unit"]),
        register_condition=str(item["register"]),
        close_condition=str(item["close"]),
        is_extendable=bool(item.get("extendable", False)),
    )


def load_responsibility(classes: dict[str, CaseClass], doc: Any = None) -> ResponsibilityList:
    doc = SHIPPED_SOURCE.load(RESPONSIBILITY) if doc is None else doc
    keys = {str(k): str(v) for k, v in (doc.get("keys") or {}).items()}
    for case_class in classes.values():
        if case_class.unit_key not in keys:
            raise CatalogError(
                f"catalog/{CLASSES} 分类 {case_class.code} 的责任键“{case_class.unit_key}”"
                f"在 catalog/{RESPONSIBILITY} 的 keys 中没有定义",
                field="unit",
            )
    districts = {}
    for code, own in (doc.get("districts") or {}).items():
        where = f"districts.{code}"
        if not (isinstance(code, str) and len(code) == 6 and code.isdigit()) or not isinstance(own, dict):
            raise CatalogError(
                f"catalog/{RESPONSIBILITY} {where}：须以 6 位区县代码为键，其下为 keys 与 rules",
                field="districts",
            )
        districts[code] = ResponsibilityList(
            keys={str(k): str(v) for k, v in (own.get("keys") or {}).items()},
            rules=_rules(own.get("rules"), classes, where),
        )
    return ResponsibilityList(
        keys=keys, rules=_rules(doc.get("rules"), classes, "rules"), districts=districts
    )


def _rules(items: Any, classes: dict[str, CaseClass], where: str) -> tuple[ResponsibilityRule, ...]:
    rules = []
    for row, item in enumerate(items or [], start=1):
        if not isinstance(item, dict) or item.get("class") not in classes or not item.get("unit"):
            raise CatalogError(
                f"catalog/{RESPONSIBILITY} {where} 第 {row} 条：class 须为已定义分类且须有 unit",
                field="rules",
            )
        rules.append(ResponsibilityRule(str(item["class"]), str(item.get("area") or ""), str(item["unit"])))
    return tuple(rules)


def load_hotline(doc: Any = None) -> dict[str, HotlineLimit]:
    """catalog/hotline.yaml, with errors naming the urgency and the field."""
    doc = SHIPPED_SOURCE.load("hotline.yaml") if doc is None else doc
    limits = {}
    for name, spec in (doc.get("urgencies") or {}).items():
        try:
            limits[str(name)] = HotlineLimit(
                str(spec["label"]), _limit(spec["dispatch"]), _limit(spec["reply"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(
                f"catalog/hotline.yaml 紧急程度 {name}：字段缺失或无效（{exc}）", field=str(name)
            ) from None
    return limits


def _limit(pair: Any) -> tuple[float, TimeUnit]:
    amount, unit = pair
    if float(amount) <= 0:
        raise ValueError("时限须为正数")
    return float(amount), TimeUnit(str(unit))
