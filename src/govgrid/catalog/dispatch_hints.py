"""Loading catalog/dispatch_hints.yaml, with errors naming the file, the row and the field."""

from __future__ import annotations

from typing import Any

from govgrid.catalog import CatalogError
from govgrid.domain.dispatch_hints import DispatchHints

FILE = "dispatch_hints.yaml"
MAX_CATEGORY = 16  # message_label.label


def load_dispatch_hints(doc: Any, responsibility_keys: dict[str, str]) -> DispatchHints:
    doc = doc or {}
    try:
        threshold = float(doc.get("threshold", 0.6))
    except (TypeError, ValueError):
        raise CatalogError(f"catalog/{FILE} threshold 须为 0 到 1 之间的数", field="threshold") from None
    if not 0.0 <= threshold <= 1.0:
        raise CatalogError(
            f"catalog/{FILE} threshold 须为 0 到 1 之间的数（实际 {threshold}）", field="threshold"
        )
    units: dict[str, str] = {}
    for row, item in enumerate(doc.get("categories") or [], start=1):
        where = f"catalog/{FILE} categories 第 {row} 条"
        if not isinstance(item, dict) or not item.get("name") or not item.get("unit"):
            raise CatalogError(f"{where}：须有 name 和 unit", field="categories")
        name, key = str(item["name"]), str(item["unit"])
        if len(name) > MAX_CATEGORY or name in units:
            raise CatalogError(f"{where}：类别名“{name[:40]}”重复或超过 {MAX_CATEGORY} 字", field="name")
        if key not in responsibility_keys:
            raise CatalogError(
                f"{where}：责任键“{key}”在 responsibility.yaml 的 keys 中没有定义", field="unit"
            )
        units[name] = key
    return DispatchHints(threshold, frozenset(str(c) for c in doc.get("channels") or []), units)
