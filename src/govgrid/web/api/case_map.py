"""`GET /api/v1/map/cases`: the command map's cases, clustered on the server by zoom (services.dashboard.case_map)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from govgrid.domain.permissions import Action, scope_filter
from govgrid.geo.crs import parse_crs
from govgrid.services.dashboard.case_map import Box, case_map
from govgrid.web.deps import CrsQuery, LoggedInDep, ReadSessionDep
from govgrid.web.filters import CaseFilterDep

router = APIRouter(prefix="/map", tags=["map"])


@router.get(
    "/cases", summary="指挥地图的案件：按缩放级别在服务端聚合成网格单元，放大后为逐件点位（按数据范围）"
)
def map_cases(
    session: ReadSessionDep,
    actor: LoggedInDep,
    wanted: CaseFilterDep,
    bbox: Annotated[str, Query(max_length=100, description="西,南,东,北（经纬度，坐标系见 crs）")],
    zoom: Annotated[int, Query(ge=1, le=20, description="地图缩放级别")] = 13,
    all_cases: Annotated[bool, Query(alias="all", description="含已办结（默认只看在办）")] = False,
    crs: CrsQuery = "gcj02",
) -> dict[str, Any]:
    scope_filter(actor, Action.READ_CASES)  # refuses a role with no reach at all
    return case_map(
        session,
        actor=actor,
        box=Box.parse(bbox),
        zoom=zoom,
        wanted=wanted,
        open_only=not all_cases,
        crs=parse_crs(crs),
    )
