"""The menu as data (navigation.yaml): each entry's label, link, and the permission it needs, judged by
the permission table (web/navigation.menu_for)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govgrid.catalog import CatalogError, require
from govgrid.domain.permissions import Action, Reach

FILE = "navigation.yaml"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    needs: Action | None
    reach: Reach


def load_navigation(rows: Any) -> list[NavItem]:
    require(FILE, rows, ("label", "href"))
    items = []
    for number, row in enumerate(rows, start=1):
        try:
            needs = Action(row["needs"]) if row.get("needs") else None
            level = Reach(row.get("reach", "own"))
        except ValueError as exc:
            raise CatalogError(f"目录文件 catalog/{FILE} 第 {number} 条：{exc}", field="needs") from None
        items.append(NavItem(row["label"], row["href"], needs, level))
    return items
