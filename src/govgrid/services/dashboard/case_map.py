"""The command map's cases (/map, the big screen): in the caller's data scope and the map's filters, inside a
bounding box, clustered on the server into square cells sized by the zoom — so a district of 50,000 open
cases is a few hundred cells at the default zoom — or, zoomed in close, the cases themselves (bounded).
Each cell carries its count, its overdue count and its mean point; the heat layer reads the same cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, still_open
from govgrid.domain.case_fields import case_code
from govgrid.domain.case_filter import CaseFilter
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Actor
from govgrid.geo.crs import Crs, box_to_stored, from_stored, points_from_stored
from govgrid.services.cases import queries

POINTS_FROM_ZOOM = 16  # at this zoom and closer the cases themselves are sent
MOST_POINTS = 5_000
CELLS_ACROSS = 8  # cells per 256-pixel tile: a cell is about 32 px on screen


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> Box:
        parts = text.split(",")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise InvalidInput(f"bbox“{text[:60]}”须为 西,南,东,北 四个经纬度", field="bbox") from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise InvalidInput(f"bbox“{text[:60]}”超出范围或方向颠倒（西<东，南<北）", field="bbox")
        return cls(west, south, east, north)


def cell_size(zoom: int) -> float:
    """The cell's side in degrees at a zoom: a 256-pixel tile spans 360 / 2^zoom degrees of longitude."""
    return 360 / (2**zoom) / CELLS_ACROSS


def case_map(
    session: Session,
    *,
    actor: Actor,
    box: Box,
    zoom: int,
    wanted: CaseFilter,
    open_only: bool = True,
    crs: Crs = Crs.GCJ02,
) -> dict[str, Any]:
    """{"mode": "cells"|"points", "cell": degrees, "cells": [...], "points": [...], "total": n}, the box
    and every point in `crs` (the tiles' system: GCJ-02 as stored, or WGS-84 for 天地图)."""
    box = Box(*box_to_stored((box.west, box.south, box.east, box.north), crs))
    where = [
        *queries.conditions(session, actor, wanted),
        Case.lng.between(box.west, box.east),
        Case.lat.between(box.south, box.north),
    ]
    if open_only:
        where.append(still_open())
    total = int(session.scalar(select(func.count()).select_from(Case).where(*where)) or 0)
    if zoom >= POINTS_FROM_ZOOM and total <= MOST_POINTS:
        rows = session.execute(
            select(
                Case.id, Case.reported_at, Case.lng, Case.lat, Case.status, Case.class_code, Case.is_overdue
            )
            .where(*where)
            .order_by(Case.reported_at.desc())
            .limit(MOST_POINTS)
        )
        points = [
            {
                "id": r.id,
                "code": case_code(r.reported_at, r.id),
                "lng": r.lng,
                "lat": r.lat,
                "status": r.status,
                "class_code": r.class_code,
                "overdue": bool(r.is_overdue),
            }
            for r in rows
        ]
        points = points_from_stored(points, crs)
        return {"mode": "points", "cell": None, "cells": [], "points": points, "total": total}
    size = cell_size(zoom)
    x, y = _cell(session, Case.lng, size), _cell(session, Case.lat, size)
    rows = session.execute(
        select(
            x.label("x"),
            y.label("y"),
            func.count().label("n"),
            func.sum(case((Case.is_overdue.is_(True), 1), else_=0)).label("overdue"),
            func.avg(Case.lng).label("lng"),
            func.avg(Case.lat).label("lat"),
        )
        .where(*where)
        .group_by(x, y)
    )
    cells = [
        {
            "lng": round(r.lng, 6),
            "lat": round(r.lat, 6),
            "count": int(r.n),
            "overdue": int(r.overdue or 0),
            "west": r.x * size,
            "south": r.y * size,
            "size": size,
        }
        for r in rows
    ]
    return {"mode": "cells", "cell": size, "cells": _cells_in(cells, crs), "points": [], "total": total}


def _cells_in(cells: list[dict[str, Any]], crs: Crs) -> list[dict[str, Any]]:
    """The cells' mean points and south-west corners in `crs` (their size in degrees barely changes)."""
    if crs is Crs.GCJ02:
        return cells
    out = []
    for cell in points_from_stored(cells, crs):
        west, south = from_stored(cell["west"], cell["south"], crs)
        out.append({**cell, "west": round(west, 7), "south": round(south, 7)})
    return out


def _cell(session: Session, column: Any, size: float) -> Any:
    """The cell index of a coordinate: floor(value / size). SQLite has no floor before 3.35, and casting
    there truncates, which is floor for the positive degrees of China; PostgreSQL's cast rounds."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(column / size), Integer)
    return cast(column / size, Integer)
