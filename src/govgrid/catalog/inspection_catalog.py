"""Loading catalog/inspection_sheets.yaml: each sheet, item and deduction checked (points positive, a
deduction within its item's points, its case class in the catalogue), errors naming sheet, item and field."""

from __future__ import annotations

from typing import Any

from govgrid.catalog import CatalogError
from govgrid.domain.inspection import Deduction, Item, Sheet

FILE = "inspection_sheets.yaml"


def load_inspection_sheets(doc: Any, classes: set[str]) -> dict[str, Sheet]:
    if not isinstance(doc, dict) or not isinstance(doc.get("sheets"), list) or not doc["sheets"]:
        raise CatalogError(f"catalog/{FILE}：须有 sheets（至少一张评分表）", field="sheets")
    sheets: dict[str, Sheet] = {}
    codes: set[str] = set()
    for number, raw in enumerate(doc["sheets"], start=1):
        where = f"catalog/{FILE} 第 {number} 张评分表"
        sheet_id, name = _text(raw, "id", where), _text(raw, "name", where)
        if sheet_id in sheets:
            raise CatalogError(f"{where}：id {sheet_id} 重复", field="id")
        items = []
        for index, item in enumerate(raw.get("items") or [], start=1):
            at = f"{where}第 {index} 项"
            points = _points(item, "points", at)
            deductions = []
            for d in item.get("deductions") or []:
                code = _text(d, "code", at)
                if code in codes:
                    raise CatalogError(f"{at}：扣分项 {code} 重复", field="code")
                codes.add(code)
                lost = _points(d, "points", f"{at}扣分项 {code}")
                if lost > points:
                    raise CatalogError(
                        f"{at}扣分项 {code}：扣分 {lost} 超过该项分值 {points}", field="points"
                    )
                class_code = _text(d, "class_code", f"{at}扣分项 {code}")
                if class_code not in classes:
                    raise CatalogError(
                        f"{at}扣分项 {code}：案件分类 {class_code} 不在分类目录中", field="class_code"
                    )
                deductions.append(Deduction(code, _text(d, "text", at), lost, class_code))
            if not deductions:
                raise CatalogError(f"{at}：至少须有一个扣分项", field="deductions")
            items.append(Item(_text(item, "code", at), _text(item, "name", at), points, tuple(deductions)))
        if not items:
            raise CatalogError(f"{where}：至少须有一项", field="items")
        sheets[sheet_id] = Sheet(sheet_id, name, str(raw.get("source") or ""), tuple(items))
    return sheets


def _text(raw: Any, key: str, where: str) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}：缺少 {key}", field=key)
    return value.strip()


def _points(raw: Any, key: str, where: str) -> float:
    value = raw.get(key) if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise CatalogError(f"{where}：{key} 须为正数", field=key)
    return float(value)
