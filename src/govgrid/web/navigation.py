"""The menu a person sees: the entries of catalog/navigation.yaml their permissions reach."""

from __future__ import annotations

from govgrid.catalog.navigation import NavItem
from govgrid.domain.permissions import Actor, Reach, reach

_ORDER = {Reach.NONE: 0, Reach.OWN: 1, Reach.UNIT: 2, Reach.SCOPE: 3, Reach.ALL: 4}


def menu_for(items: list[NavItem], actor: Actor) -> list[NavItem]:
    if actor.is_anonymous:
        return []
    return [i for i in items if i.needs is None or _ORDER[reach(actor, i.needs)] >= _ORDER[i.reach]]
