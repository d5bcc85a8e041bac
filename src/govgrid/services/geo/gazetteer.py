"""Address text → a place and its unit grid, through the gazetteer (地名地址库).

The longest known name found in the text wins ("大明湖八社区3号楼东侧" → 大明湖八社区3号楼 → its grid);
a text naming no known place gets no place — never a guess."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govgrid.db.models import GazetteerEntry
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.geo.crs import Crs
from govgrid.services import audit
from govgrid.services.geo.geography import bump_revision
from govgrid.services.geo.locate import LocatorCache


def add_places(
    session: Session,
    *,
    actor: Actor,
    locator: LocatorCache,
    places: list[tuple[str, str, float, float]],
    now: datetime,
    synthetic: bool = False,
) -> int:
    """Add (name, kind, lng, lat) places in GCJ-02; each must lie in a unit grid (else nothing is added)."""
    authorize(actor, Action.IMPORT_GEOGRAPHY)
    index = locator.get(session)
    rows = []
    for number, (name, kind, lng, lat) in enumerate(places, start=1):
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidInput(f"第 {number} 条：名称为空或超过 100 字", field="name")
        found = index.locate(lng, lat, Crs.GCJ02)
        if not found.is_inside or found.grid_code is None:
            raise InvalidInput(f"第 {number} 条“{name}”：{found.message}", field="lng")
        rows.append(
            GazetteerEntry(
                name=name, kind=kind, lng=lng, lat=lat, grid_code=found.grid_code, is_synthetic=synthetic
            )
        )
    session.add_all(rows)
    bump_revision(session)
    audit.record(
        session,
        actor=actor,
        action="gazetteer.add",
        entity_type="gazetteer",
        entity_id=str(len(rows)),
        now=now,
        detail={"count": len(rows), "synthetic": synthetic},
    )
    session.commit()
    locator.invalidate()  # the next address is matched against these places too
    return len(rows)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(GazetteerEntry)) or 0)
