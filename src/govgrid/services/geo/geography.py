"""Geography use cases: import areas and unit grids from GeoJSON (all or nothing), read them in scope."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govgrid.db.models import Area, Meta, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.areas import AreaLevel, level_of, parent_code
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.permissions import Action, Actor, authorize, scope_filter
from govgrid.geo.crs import Crs
from govgrid.geo.features import AreaFeature, GeoImportError, read_features
from govgrid.geo.shapes import area_m2, from_wkb, to_wkb
from govgrid.geo.topology import check_topology
from govgrid.services import audit

GEO_REVISION = "geo_revision"
MAX_BBOX_GRIDS = 5000


@dataclass(frozen=True)
class ImportSummary:
    counts: dict[str, int]

    def __str__(self) -> str:
        return "，".join(f"{level} {n} 个" for level, n in self.counts.items())


def import_geojson(
    session: Session,
    *,
    actor: Actor,
    doc: Any,
    crs: Crs,
    now: datetime,
    allow_gaps: bool = False,
    synthetic: bool = False,
    on_change: Callable[[], None] = lambda: None,
) -> ImportSummary:
    """Validate every feature and relation first; write all of them in one transaction, or nothing.
    `on_change` runs once it is written (the caller's locator cache invalidates itself)."""
    authorize(actor, Action.IMPORT_GEOGRAPHY)
    features, problems = read_features(doc, crs)
    if not problems:
        problems = check_topology(features, stored_geometries(session), allow_gaps=allow_gaps)
    if problems:
        raise GeoImportError(problems)
    summary = write_features(session, actor=actor, features=features, now=now, synthetic=synthetic)
    on_change()
    return summary


def write_features(
    session: Session, *, actor: Actor, features: list[AreaFeature], now: datetime, synthetic: bool
) -> ImportSummary:
    """Upsert already-validated features (parents first), bump the geography revision, audit, commit."""
    for feature in sorted(features, key=lambda f: len(f.code)):
        if feature.level is AreaLevel.GRID:
            _upsert_grid(session, feature, synthetic)
        else:
            _upsert_area(session, feature, synthetic)
        session.flush() if feature.level is not AreaLevel.GRID else None
    counts = Counter(f.level.value for f in features)
    bump_revision(session)
    audit.record(
        session,
        actor=actor,
        action="geography.import",
        entity_type="area",
        entity_id=min(f.code for f in features),
        now=now,
        scope_code=min(f.code for f in features),
        detail={"counts": dict(counts), "synthetic": synthetic},
    )
    session.commit()
    return ImportSummary(dict(counts))


def _bbox(geometry: BaseGeometry) -> dict[str, float]:
    minx, miny, maxx, maxy = geometry.bounds
    return {"min_lng": minx, "min_lat": miny, "max_lng": maxx, "max_lat": maxy}


def _upsert_area(session: Session, f: AreaFeature, synthetic: bool) -> None:
    area = session.get(Area, f.code) or Area(code=f.code)
    area.level, area.name, area.parent_code = f.level.value, f.name, parent_code(f.code)
    area.geometry_wkb, area.area_m2, area.is_synthetic = to_wkb(f.geometry), area_m2(f.geometry), synthetic
    for key, value in _bbox(f.geometry).items():
        setattr(area, key, value)
    session.add(area)


def _upsert_grid(session: Session, f: AreaFeature, synthetic: bool) -> None:
    grid = session.get(UnitGrid, f.code) or UnitGrid(code=f.code)
    centre = f.geometry.representative_point()
    grid.community_code, grid.sequence = f.code[:12], int(f.code[12:])
    grid.geometry_wkb, grid.area_m2, grid.is_synthetic = to_wkb(f.geometry), area_m2(f.geometry), synthetic
    grid.center_lng, grid.center_lat = centre.x, centre.y
    grid.land_use = str(f.properties.get("land_use", grid.land_use or ""))
    grid.management_level = str(f.properties.get("management_level", grid.management_level or ""))
    for key, value in _bbox(f.geometry).items():
        setattr(grid, key, value)
    session.add(grid)


def stored_geometries(session: Session) -> dict[str, BaseGeometry]:
    """Every stored area and unit grid geometry by code (for validating an import against them)."""
    areas = session.execute(select(Area.code, Area.geometry_wkb)).all()
    grids = session.execute(select(UnitGrid.code, UnitGrid.geometry_wkb)).all()
    return {code: from_wkb(wkb) for code, wkb in [*areas, *grids]}


def bump_revision(session: Session) -> None:
    meta = session.get(Meta, GEO_REVISION) or Meta(key=GEO_REVISION, value="0")
    meta.value = str(int(meta.value) + 1)
    session.add(meta)


def geo_revision(session: Session) -> int:
    meta = session.get(Meta, GEO_REVISION)
    return int(meta.value) if meta else 0


def list_areas(
    session: Session, *, actor: Actor, level: AreaLevel | None = None, parent: str | None = None
) -> list[Area]:
    """Areas inside the actor's scope, optionally of one level or under one parent."""
    narrowing = scope_filter(actor, Action.READ_GEOGRAPHY)
    query = select(Area).order_by(Area.code)
    if level is not None:
        if level is AreaLevel.GRID:
            raise InvalidInput("单元网格请用 /geo/grids 查询", field="level")
        query = query.where(Area.level == level.value)
    if parent is not None:
        query = query.where(Area.parent_code == parent)
    if not narrowing.everything:
        query = query.where(Area.code.startswith(narrowing.area_prefix or "\x00"))
    return list(session.scalars(query))


def area_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of the streets and communities over the given grid or area codes (for lists that show
    names, not 15-digit codes). Names are not personal data: no permission is needed to read them."""
    wanted = {code[:length] for code in codes for length in (6, 9, 12) if len(code) >= length}
    if not wanted:
        return {}
    return {
        code: name
        for code, name in session.execute(select(Area.code, Area.name).where(Area.code.in_(wanted)))
    }


def get_area(session: Session, *, actor: Actor, code: str) -> Area:
    level_of(code)
    area = session.get(Area, code)
    if area is None:
        raise NotFound(f"区划 {code} 不存在")
    authorize(actor, Action.READ_GEOGRAPHY, area_code=code)
    return area


def grids_in_bbox(
    session: Session, *, actor: Actor, bbox: tuple[float, float, float, float]
) -> list[UnitGrid]:
    """Unit grids whose bounding boxes meet `bbox` (GCJ-02 min_lng, min_lat, max_lng, max_lat), in scope."""
    narrowing = scope_filter(actor, Action.READ_GEOGRAPHY)
    min_lng, min_lat, max_lng, max_lat = bbox
    if not (min_lng < max_lng and min_lat < max_lat):
        raise InvalidInput(f"bbox 无效：{bbox}（应为 最小经度,最小纬度,最大经度,最大纬度）", field="bbox")
    query = (
        select(UnitGrid)
        .where(
            UnitGrid.max_lng >= min_lng,
            UnitGrid.min_lng <= max_lng,
            UnitGrid.max_lat >= min_lat,
            UnitGrid.min_lat <= max_lat,
        )
        .order_by(UnitGrid.code)
        .limit(MAX_BBOX_GRIDS + 1)
    )
    if not narrowing.everything:
        query = query.where(UnitGrid.code.startswith(narrowing.area_prefix or "\x00"))
    grids = list(session.scalars(query))
    if len(grids) > MAX_BBOX_GRIDS:
        raise InvalidInput(f"范围内单元网格超过 {MAX_BBOX_GRIDS} 个，请放大地图或缩小范围", field="bbox")
    return grids


@dataclass(frozen=True)
class GridDetail:
    grid: UnitGrid
    community: Area
    street: Area
    responsibility: ResponsibilityGrid | None
    worker: User | None


def grid_detail(session: Session, *, actor: Actor, code: str) -> GridDetail:
    """A unit grid with its community, street, responsibility grid and grid worker."""
    if level_of(code) is not AreaLevel.GRID:
        raise InvalidInput(f"“{code}”不是 15 位单元网格编码", field="code")
    grid = session.get(UnitGrid, code)
    if grid is None:
        raise NotFound(f"单元网格 {code} 不存在")
    authorize(actor, Action.READ_GEOGRAPHY, area_code=code)
    responsibility = session.get(ResponsibilityGrid, grid.responsibility_grid_code or "")
    worker = (
        session.get(User, responsibility.worker_id) if responsibility and responsibility.worker_id else None
    )
    return GridDetail(
        grid, session.get_one(Area, code[:12]), session.get_one(Area, code[:9]), responsibility, worker
    )


def responsibility_grid(session: Session, *, actor: Actor, code: str) -> tuple[ResponsibilityGrid, list[str]]:
    """A responsibility grid and the codes of its unit grids."""
    found = session.get(ResponsibilityGrid, code)
    if found is None:
        raise NotFound(f"责任网格 {code} 不存在")
    authorize(actor, Action.READ_GEOGRAPHY, area_code=found.community_code)
    codes = session.scalars(
        select(UnitGrid.code).where(UnitGrid.responsibility_grid_code == code).order_by(UnitGrid.code)
    )
    return found, list(codes)


def list_responsibility_grids(
    session: Session, *, actor: Actor, area: str | None = None
) -> list[ResponsibilityGrid]:
    """Responsibility grids inside the actor's scope (and inside `area` when given)."""
    narrowing = scope_filter(actor, Action.READ_GEOGRAPHY)
    query = select(ResponsibilityGrid).order_by(ResponsibilityGrid.code)
    if area:
        query = query.where(ResponsibilityGrid.community_code.startswith(area))
    if not narrowing.everything:
        query = query.where(
            or_(ResponsibilityGrid.community_code.startswith(narrowing.area_prefix or "\x00"))
        )
    return list(session.scalars(query))


@dataclass(frozen=True)
class ScopeSummary:
    streets: int
    communities: int
    grids: int
    responsibility_grids: int
    staffed: int


def scope_summary(session: Session, *, actor: Actor) -> ScopeSummary:
    """How much geography the actor's scope holds (for the workspace page)."""
    from sqlalchemy import func

    narrowing = scope_filter(actor, Action.READ_GEOGRAPHY)
    prefix = "" if narrowing.everything else (narrowing.area_prefix or "\x00")

    def count(column: Any, *where: Any) -> int:
        return int(
            session.scalar(
                select(func.count()).select_from(column.table).where(column.startswith(prefix), *where)
            )
            or 0
        )

    return ScopeSummary(
        streets=count(Area.code, Area.level == AreaLevel.STREET.value),
        communities=count(Area.code, Area.level == AreaLevel.COMMUNITY.value),
        grids=count(UnitGrid.code),
        responsibility_grids=count(ResponsibilityGrid.community_code),
        staffed=count(ResponsibilityGrid.community_code, ResponsibilityGrid.worker_id.is_not(None)),
    )


def grids_of_worker(session: Session, *, actor: Actor) -> list[ResponsibilityGrid]:
    """The responsibility grids bound to the acting grid worker."""
    return list(
        session.scalars(
            select(ResponsibilityGrid)
            .where(ResponsibilityGrid.worker_id == actor.user_id)
            .order_by(ResponsibilityGrid.code)
        )
    )


def districts_for(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the districts stored that the actor's scope covers, by code: their own district for
    people of a district, a street or below; every district of their city for the city's people; every
    district for a deployment-wide account (no scope)."""
    from govgrid.domain.areas import scope_prefix

    query = select(Area.code, Area.name).where(Area.level == AreaLevel.DISTRICT.value)
    if actor.scope_code:
        query = query.where(Area.code.startswith(scope_prefix(actor.scope_code)[:6], autoescape=True))
    return [(code, name) for code, name in session.execute(query.order_by(Area.code))]


def district_for(session: Session, actor: Actor, wanted: str = "") -> tuple[str, str]:
    """(code, name) of the one district a district-wide piece of work (a bulletin, a push group, an import,
    an inspection) is for: the actor's own, or — for the city's people — the one they chose (`wanted`),
    else the first of theirs. Refused when none is stored in their scope, or the chosen one is not theirs."""
    from govgrid.domain.errors import InvalidInput

    mine = districts_for(session, actor)
    if not mine:
        raise InvalidInput("数据范围内尚无区县边界：请先导入区划（govgrid import-geo）", field="district")
    if not wanted:
        return mine[0]
    chosen = next((d for d in mine if d[0] == wanted.strip()), None)
    if chosen is None:
        raise InvalidInput(f"区县“{wanted.strip()[:15]}”不存在或不在您的数据范围内", field="district")
    return chosen


@dataclass(frozen=True)
class ScopeArea:
    code: str
    name: str
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float


def scope_area(session: Session, scope_code: str | None) -> ScopeArea | None:
    """The area a data scope names, as pages show it (its name, its bounds for a map to fit): a stored
    area, or 全市 / 全省 for a city's or a province's scope over the districts stored in it (those are not
    stored as areas); None for no scope, or one with nothing stored in it."""
    from sqlalchemy import func

    from govgrid.domain.areas import is_city_scope, scope_prefix

    if not scope_code:
        return None
    area = session.get(Area, scope_code)
    if area is not None:
        return ScopeArea(area.code, area.name, area.min_lng, area.min_lat, area.max_lng, area.max_lat)
    if not is_city_scope(scope_code):
        return None
    west, south, east, north = session.execute(
        select(
            func.min(Area.min_lng), func.min(Area.min_lat), func.max(Area.max_lng), func.max(Area.max_lat)
        ).where(
            Area.level == AreaLevel.DISTRICT.value,
            Area.code.startswith(scope_prefix(scope_code), autoescape=True),
        )
    ).one()
    if west is None:
        return None
    return ScopeArea(scope_code, "全省" if scope_code[2:] == "0000" else "全市", west, south, east, north)
