"""Shipped catalogues (YAML). Loaded and validated at start-up; errors name the file, the row and the field."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from govgrid.domain.errors import InvalidInput


class CatalogError(InvalidInput):
    """A catalogue file is malformed; the message names file, row and field."""


def load(name: str) -> Any:
    """Read catalog/<name> from the package."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"目录文件 catalog/{name} 不是有效的 YAML：{exc}") from None


def require(name: str, rows: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
    """Every row has every field, non-empty; else a CatalogError naming file, row and field."""
    for number, row in enumerate(rows, start=1):
        for key in fields:
            if not isinstance(row, dict) or row.get(key) in (None, ""):
                raise CatalogError(f"目录文件 catalog/{name} 第 {number} 条缺少字段 {key}", field=key)
