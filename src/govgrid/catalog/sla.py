"""Loading catalog/sla_templates.yaml, with errors naming the file, the template and the field."""

from __future__ import annotations

from typing import Any

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.domain.response_rules import ResponseStep, ResponseTemplate
from govgrid.domain.worktime import TimeUnit

FILE = "sla_templates.yaml"


def load_templates(doc: Any = None) -> dict[str, ResponseTemplate]:
    doc = SHIPPED_SOURCE.load(FILE) if doc is None else doc
    templates: dict[str, ResponseTemplate] = {}
    for number, item in enumerate(doc or [], start=1):
        where = f"catalog/{FILE} 第 {number} 个模板"
        if not isinstance(item, dict) or not item.get("code") or not item.get("steps"):
            raise CatalogError(f"{where}：须有 code 和 steps", field="code")
        steps = []
        for s, step in enumerate(item["steps"], start=1):
            try:
                amount, unit = step["within"]
                steps.append(
                    ResponseStep(str(step["kind"]), str(step["label"]), float(amount), TimeUnit(str(unit)))
                )
            except (KeyError, TypeError, ValueError):
                raise CatalogError(
                    f"{where} 第 {s} 步：须有 kind、label 和 within: [数量, 单位]", field="within"
                ) from None
        templates[str(item["code"])] = ResponseTemplate(
            str(item["code"]), str(item.get("name", "")), tuple(steps)
        )
    return templates
