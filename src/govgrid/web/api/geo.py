"""Geography: locate (public), areas, unit grids, responsibility grids, import (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from govgrid.db.models import Area, UnitGrid
from govgrid.domain.areas import AreaLevel
from govgrid.domain.paging import page_of
from govgrid.geo.crs import Crs, box_to_stored, from_stored, parse_crs, shape_from_stored
from govgrid.geo.shapes import from_wkb, geojson_geometry
from govgrid.services.geo import geography, locate
from govgrid.web.deps import CrsQuery, LoggedInDep, NowDep, SessionDep
from govgrid.web.paging import Page, PagingDep, page_body
from govgrid.web.schemas import (
    FeatureCollection,
    GridPublic,
    ImportResult,
    LocationPublic,
    PlacePublic,
    ResponsibilityGridPublic,
    WorkerPublic,
)

router = APIRouter(prefix="/geo", tags=["geography"])


@router.get("/locate", response_model=LocationPublic, summary="坐标定位到单元网格（公开）")
def locate_point(
    request: Request,
    session: SessionDep,
    lng: Annotated[float, Query(description="经度")],
    lat: Annotated[float, Query(description="纬度")],
    crs: Annotated[str, Query(description="gcj02 | wgs84 | bd09")] = "gcj02",
) -> Any:
    found = locate.locate(
        session, cache=request.app.state.locator_cache, lng=lng, lat=lat, crs=parse_crs(crs)
    )
    return found


def _area_feature(area: Area, with_geometry: bool, crs: Crs = Crs.GCJ02) -> dict[str, Any]:
    props = {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "parent_code": area.parent_code,
        "area_m2": round(area.area_m2),
        "is_synthetic": area.is_synthetic,
    }
    geometry = (
        geojson_geometry(shape_from_stored(from_wkb(area.geometry_wkb), crs)) if with_geometry else None
    )
    return {"type": "Feature", "properties": props, "geometry": geometry}


@router.get("/areas", response_model=FeatureCollection, summary="区划列表（按数据范围）")
def list_areas(
    session: SessionDep,
    actor: LoggedInDep,
    level: AreaLevel | None = None,
    parent: str | None = None,
    geometry: bool = True,
    crs: CrsQuery = "gcj02",
) -> FeatureCollection:
    areas = geography.list_areas(session, actor=actor, level=level, parent=parent)
    chosen = parse_crs(crs)
    return FeatureCollection(
        crs_note=_note(chosen), features=[_area_feature(a, geometry, chosen) for a in areas]
    )


@router.get("/areas/{code}", summary="单个区划（GeoJSON Feature）")
def get_area(code: str, session: SessionDep, actor: LoggedInDep, crs: CrsQuery = "gcj02") -> dict[str, Any]:
    return _area_feature(geography.get_area(session, actor=actor, code=code), True, parse_crs(crs))


def _note(crs: Crs) -> str:
    return {Crs.GCJ02: "GCJ-02", Crs.WGS84: "WGS-84", Crs.BD09: "BD-09"}[crs] + " longitude/latitude"


def _grid_feature(grid: UnitGrid, crs: Crs) -> dict[str, Any]:
    props = {
        "code": grid.code,
        "community_code": grid.community_code,
        "responsibility_grid_code": grid.responsibility_grid_code,
    }
    geometry = geojson_geometry(shape_from_stored(from_wkb(grid.geometry_wkb), crs))
    return {"type": "Feature", "properties": props, "geometry": geometry}


@router.get("/grids", response_model=FeatureCollection, summary="范围内的单元网格（按数据范围）")
def grids_in_bbox(
    session: SessionDep,
    actor: LoggedInDep,
    bbox: Annotated[
        str, Query(max_length=100, description="最小经度,最小纬度,最大经度,最大纬度（坐标系见 crs）")
    ],
    crs: CrsQuery = "gcj02",
) -> FeatureCollection:
    chosen = parse_crs(crs)
    box = box_to_stored(_parse_bbox(bbox), chosen)
    grids = geography.grids_in_bbox(session, actor=actor, bbox=box)
    return FeatureCollection(crs_note=_note(chosen), features=[_grid_feature(g, chosen) for g in grids])


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    from govgrid.domain.errors import InvalidInput

    try:
        a, b, c, d = (float(part) for part in text.split(","))
    except ValueError:
        raise InvalidInput(f"bbox“{text}”应为 4 个逗号分隔的数字", field="bbox") from None
    return a, b, c, d


@router.get("/grids/{code}", response_model=GridPublic, summary="单元网格详情：社区、街道、责任网格、网格员")
def grid_detail(code: str, session: SessionDep, actor: LoggedInDep, crs: CrsQuery = "gcj02") -> GridPublic:
    d = geography.grid_detail(session, actor=actor, code=code)
    center_lng, center_lat = from_stored(d.grid.center_lng, d.grid.center_lat, parse_crs(crs))
    worker = (
        WorkerPublic(id=d.worker.id, name=d.worker.display_name, phone=d.worker.phone) if d.worker else None
    )
    return GridPublic(
        code=d.grid.code,
        sequence=d.grid.sequence,
        area_m2=round(d.grid.area_m2, 1),
        land_use=d.grid.land_use,
        management_level=d.grid.management_level,
        is_synthetic=d.grid.is_synthetic,
        center_lng=round(center_lng, 7),
        center_lat=round(center_lat, 7),
        community=PlacePublic(code=d.community.code, name=d.community.name),
        street=PlacePublic(code=d.street.code, name=d.street.name),
        responsibility_grid_code=d.responsibility.code if d.responsibility else None,
        responsibility_grid_name=d.responsibility.name if d.responsibility else None,
        worker=worker,
    )


@router.get(
    "/responsibility-grids", response_model=Page[ResponsibilityGridPublic], summary="责任网格列表（分页）"
)
def list_responsibility_grids(
    session: SessionDep,
    actor: LoggedInDep,
    paging: PagingDep,
    area: Annotated[str | None, Query(max_length=32, description="区划代码")] = None,
) -> Any:
    return page_body(page_of(geography.list_responsibility_grids(session, actor=actor, area=area), paging))


@router.get(
    "/responsibility-grids/{code}", response_model=ResponsibilityGridPublic, summary="责任网格及其单元网格"
)
def get_responsibility_grid(code: str, session: SessionDep, actor: LoggedInDep) -> ResponsibilityGridPublic:
    found, codes = geography.responsibility_grid(session, actor=actor, code=code)
    return ResponsibilityGridPublic(
        code=found.code,
        name=found.name,
        community_code=found.community_code,
        worker_id=found.worker_id,
        unit_grid_codes=codes,
    )


@router.post(
    "/import", response_model=ImportResult, summary="导入区划/网格 GeoJSON（管理员；全部通过才写入）"
)
def import_geojson(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    doc: Annotated[dict[str, Any], Body()],
    crs: str = "gcj02",
    allow_gaps: bool = False,
) -> ImportResult:
    summary = geography.import_geojson(
        session,
        actor=actor,
        doc=doc,
        crs=parse_crs(crs),
        now=now,
        allow_gaps=allow_gaps,
        on_change=request.app.state.locator_cache.invalidate,
    )
    return ImportResult(counts=summary.counts)


@router.get("/geocode", response_model=LocationPublic, summary="地址文字定位到单元网格（公开；按地名地址库）")
def geocode(
    request: Request,
    session: SessionDep,
    address: Annotated[str, Query(max_length=200)],
    crs: CrsQuery = "gcj02",
) -> Any:
    """The place named in the address, its point in `crs` (a map on 天地图 tiles asks for wgs84)."""
    from dataclasses import replace

    from govgrid.domain.errors import NotFound

    found = request.app.state.locator_cache.get(session).geocode(address)
    if found is None:
        raise NotFound(f"地址“{address}”中没有地名地址库里的地名", field="address")
    lng, lat = from_stored(found.lng, found.lat, parse_crs(crs))
    return replace(found, lng=round(lng, 7), lat=round(lat, 7))
