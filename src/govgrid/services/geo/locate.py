"""Point → unit grid, community, street. Public: citizens need it to report; it returns codes and names
only (never a grid worker). The index is built once per geography revision and shared by requests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import Area, GazetteerEntry, UnitGrid
from govgrid.domain.areas import AreaLevel
from govgrid.geo.crs import Crs, to_stored
from govgrid.geo.gazetteer import Gazetteer
from govgrid.geo.gazetteer import Place as NamedPlace
from govgrid.geo.index import GridIndex
from govgrid.geo.shapes import from_wkb
from govgrid.services.geo.geography import geo_revision


@dataclass(frozen=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True)
class Location:
    """The answer to "where is this point": inside a unit grid, or a clear statement that it is not."""

    is_inside: bool
    lng: float  # GCJ-02, as stored
    lat: float
    message: str
    grid_code: str | None = None
    responsibility_grid_code: str | None = None
    community: Place | None = None
    street: Place | None = None
    district: Place | None = None


class Locator:
    """An in-memory index of every unit grid and the district outlines, for one geography revision."""

    def __init__(self, session: Session) -> None:
        self.revision = geo_revision(session)
        rows = session.execute(
            select(UnitGrid.code, UnitGrid.geometry_wkb, UnitGrid.responsibility_grid_code)
        ).all()
        self.index = GridIndex([r[0] for r in rows], [from_wkb(r[1]) for r in rows])
        self.responsibility = {r[0]: r[2] for r in rows}
        areas = session.execute(select(Area.code, Area.name, Area.level, Area.geometry_wkb)).all()
        self.names = {code: name for code, name, _, _ in areas}
        self.districts = [
            (code, from_wkb(wkb)) for code, _, level, wkb in areas if level == AreaLevel.DISTRICT
        ]
        places = session.execute(
            select(
                GazetteerEntry.name,
                GazetteerEntry.kind,
                GazetteerEntry.lng,
                GazetteerEntry.lat,
                GazetteerEntry.grid_code,
            )
        ).all()
        self.gazetteer = Gazetteer([NamedPlace(*row) for row in places], self.revision)

    def geocode(self, address: str) -> Location | None:
        """The place an address names (via the gazetteer), located like a point; None when none is named."""
        place = self.gazetteer.find(address)
        if place is None:
            return None
        found = self.locate(place.lng, place.lat)
        return Location(
            found.is_inside,
            found.lng,
            found.lat,
            f"地址匹配“{place.name}”，{found.message}",
            found.grid_code,
            found.responsibility_grid_code,
            found.community,
            found.street,
            found.district,
        )

    def locate(self, lng: float, lat: float, crs: Crs = Crs.GCJ02) -> Location:
        x, y = to_stored(lng, lat, crs)
        code = self.index.locate(x, y)
        if code is None:
            return Location(False, x, y, self._outside_message(x, y))
        return Location(
            True,
            x,
            y,
            f"位于单元网格 {code}",
            grid_code=code,
            responsibility_grid_code=self.responsibility.get(code),
            community=self._place(code[:12]),
            street=self._place(code[:9]),
            district=self._place(code[:6]),
        )

    def _place(self, code: str) -> Place:
        return Place(code, self.names.get(code, code))

    def _outside_message(self, x: float, y: float) -> str:
        point = shapely.Point(x, y)
        for code, outline in self.districts:
            if outline.intersects(point):
                return f"该点在{self.names[code]}内，但不在任何单元网格中（网格数据有空缺，请联系管理员）"
        served = "、".join(self.names[c] for c, _ in self.districts) or "任何已导入的区县"
        return f"该点（GCJ-02 经度 {x:.6f}，纬度 {y:.6f}）不在本系统管辖范围（{served}）内"


class LocatorCache:
    """Keeps one Locator and rebuilds it when the stored geography revision changes. The revision is
    read at most every `check_seconds`, so an import by another process is seen within that time; the
    writer that holds this cache calls `invalidate()` and its own next request looks again at once."""

    def __init__(self, check_seconds: float = 2.0) -> None:
        self._locator: Locator | None = None
        self._lock = threading.Lock()
        self._check_seconds = check_seconds
        self._checked_at = float("-inf")

    def invalidate(self) -> None:
        self._checked_at = float("-inf")

    def get(self, session: Session) -> Locator:
        if self._locator is not None and time.monotonic() - self._checked_at < self._check_seconds:
            return self._locator
        revision = geo_revision(session)
        self._checked_at = time.monotonic()
        with self._lock:
            if self._locator is None or self._locator.revision != revision:
                self._locator = Locator(session)
            return self._locator


def locate(session: Session, *, cache: LocatorCache, lng: float, lat: float, crs: Crs) -> Location:
    """Which unit grid, community and street hold the point (any of the three coordinate systems)."""
    return cache.get(session).locate(lng, lat, crs)
