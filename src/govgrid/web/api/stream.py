"""`GET /api/v1/stream`: the live events of the caller's data scope as server-sent events — a `case` event on
every new case and every step (the sweeper's marks too), `kpi` when the big screen's tiles change, and a
`heartbeat` every 10 s. Each case event's id is its position in commit order (services.cases.feed), so a
screen reconnecting with Last-Event-ID is sent what it missed. Async: an open stream holds no thread."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from govgrid.domain.errors import Forbidden, NotAuthenticated, TooManyAttempts
from govgrid.domain.permissions import Action, Actor, Reach, allows, reach
from govgrid.geo.crs import Crs, parse_crs, points_from_stored
from govgrid.services.cases.feed import Change, Position
from govgrid.services.dashboard.tiles import tiles
from govgrid.web.deps import CrsQuery, get_actor
from govgrid.web.stream_hub import Hub

router = APIRouter(tags=["stream"])
HEARTBEAT = 10.0  # seconds without an event before a heartbeat
KPI_EVERY = 3.0  # seconds between two tile readings of one stream
RECHECK = 60.0  # seconds between two checks that the login still holds


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "服务器推送事件流（SSE）"}},
)
async def stream(
    request: Request,
    seconds: int = Query(
        3600, ge=1, le=3600, description="连接保持的秒数，到时关闭（浏览器随即带 Last-Event-ID 重连）"
    ),
    last_event_id: str = Query(
        "", max_length=40, description="从该事件之后续传（浏览器重连时自动带 Last-Event-ID）"
    ),
    crs: CrsQuery = "gcj02",
) -> StreamingResponse:
    """实时事件流：本人数据范围内的案件变动（case）、大屏指标（kpi）与心跳（heartbeat）。"""
    actor = await to_thread.run_sync(_actor, request)
    if actor.is_anonymous:
        raise NotAuthenticated("请先登录")
    if reach(actor, Action.READ_CASES) is Reach.NONE:
        raise Forbidden("当前角色无权查看案件动态")
    hub: Hub = request.app.state.stream_hub
    holder = f"user:{actor.user_id}"
    most = request.app.state.settings.streams_per_user
    if hub.open[holder] >= most:
        raise TooManyAttempts(
            f"实时连接过多：每人至多同时打开 {most} 个，请关闭其他大屏或标签页后再试", retry_after=30
        )
    since = Position.parse(request.headers.get("last-event-id") or last_event_id)
    chosen = parse_crs(crs)
    return StreamingResponse(
        _events(request, hub, actor, holder, since, time.monotonic() + seconds, chosen),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _actor(request: Request) -> Actor:
    """The caller, from a session of its own closed at once: the stream holds no database session."""
    with request.app.state.session_factory() as session:
        return get_actor(request, session, request.app.state.clock())


async def _events(
    request: Request, hub: Hub, actor: Actor, holder: str, since: Position | None, until: float, crs: Crs
) -> AsyncIterator[str]:
    hub.open[holder] += 1  # counted once the stream runs: a body never started holds no place
    try:
        position = since or await hub.start()
        yield "retry: 3000\n\n"
        sent = checked = time.monotonic()
        kpi_at, last_kpi, dirty = 0.0, "", True
        while time.monotonic() < until:
            changes = await hub.after(position)
            for change in changes:
                position = change.position
                if _visible(actor, change):
                    yield _event("case", _case(change, crs), str(change.position))
                    sent, dirty = time.monotonic(), True
            if dirty and time.monotonic() - kpi_at >= KPI_EVERY:
                kpi_at, dirty = time.monotonic(), False
                now = request.app.state.clock()
                key = (actor.user_id, actor.role, actor.scope_code, actor.unit_id)
                figures = await hub.tiles_for(key, position, functools.partial(_tiles, request, actor, now))
                if figures != last_kpi:
                    last_kpi = figures
                    yield f"event: kpi\ndata: {figures}\n\n"
                    sent = time.monotonic()
            if time.monotonic() - sent >= HEARTBEAT:
                yield _event("heartbeat", {"at": request.app.state.clock().isoformat()})
                sent = time.monotonic()
            if time.monotonic() - checked >= RECHECK:
                checked = time.monotonic()
                if (await to_thread.run_sync(_actor, request)).user_id != actor.user_id:
                    return  # logged out, or the token revoked: the stream ends
            if not changes:
                await asyncio.sleep(hub.every)
    finally:
        hub.open[holder] -= 1


def _visible(actor: Actor, change: Change) -> bool:
    """The case list's own rule for one case (domain.permissions)."""
    return allows(
        actor,
        Action.READ_CASES,
        area_code=change.scope_code,
        owner_id=change.reporter_id,
        unit_id=change.unit_id,
    )


def _case(change: Change, crs: Crs) -> dict[str, object]:
    """A case event: its point GCJ-02 as stored, or in the map's `crs` when it asked (天地图: wgs84)."""
    event = {
        "id": change.case_id,
        "code": change.code,
        "status": change.status,
        "step": change.step,
        "lng": change.lng,
        "lat": change.lat,
        "class_code": change.class_code,
    }
    return points_from_stored([event], crs)[0]


def _tiles(request: Request, actor: Actor, now: datetime) -> str:
    with request.app.state.session_factory() as session:
        found = tiles(session, actor=actor, rules=request.app.state.case_rules, now=now)
        return json.dumps([t.as_json() for t in found], ensure_ascii=False)


def _event(kind: str, data: dict[str, object], event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
