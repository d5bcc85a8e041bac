"""The menu per role, from catalog/navigation.yaml, judged by the permission table."""

from __future__ import annotations

from dataclasses import dataclass

from govgrid import catalog
from govgrid.domain.permissions import Action, Actor, Reach, reach

_ORDER = {Reach.NONE: 0, Reach.OWN: 1, Reach.UNIT: 2, Reach.SCOPE: 3, Reach.ALL: 4}
FILE = "navigation.yaml"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    needs: Action | None
    reach: Reach


def load_navigation() -> list[NavItem]:
    rows = catalog.load(FILE)
    catalog.require(FILE, rows, ("label", "href"))
    items = []
    for number, row in enumerate(rows, start=1):
        try:
            needs = Action(row["needs"]) if row.get("needs") else None
            level = Reach(row.get("reach", "own"))
        except ValueError as exc:
            raise catalog.CatalogError(
                f"目录文件 catalog/{FILE} 第 {number} 条：{exc}", field="needs"
            ) from None
        items.append(NavItem(row["label"], row["href"], needs, level))
    return items


def menu_for(items: list[NavItem], actor: Actor) -> list[NavItem]:
    if actor.is_anonymous:
        return []
    return [i for i in items if i.needs is None or _ORDER[reach(actor, i.needs)] >= _ORDER[i.reach]]
