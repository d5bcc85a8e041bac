"""大屏 (/screen) and 今日概览 (/today, a leader's phone view): the command center's wall, a street's or a department's own screen — the same page in
each caller's data scope, live through /api/v1/stream."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.domain.ledger import LIGHT_LABEL
from govgrid.domain.permissions import Action, Reach, reach
from govgrid.domain.workflow import FINAL, STATUS_LABEL
from govgrid.domain.worktime import CHINA
from govgrid.geo.crs import parse_crs
from govgrid.services.dashboard.screen import allowed, screen
from govgrid.services.dashboard.tiles import tiles
from govgrid.services.geo import geography
from govgrid.services.intelligence import hotspots
from govgrid.services.ledger import boards as ledger_boards
from govgrid.services.ledger import instructions as ledger_instructions
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page

router = APIRouter()


@router.get("/screen", response_class=HTMLResponse)
def big_screen(request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    rules = request.app.state.case_rules
    crs = parse_crs(request.app.state.settings.tile_crs)
    found = screen(session, actor=actor, rules=rules, now=now, crs=crs)
    scope = geography.scope_area(session, actor.scope_code)
    places = {r["code"] for r in found.rising if r["kind"] == "place"}
    catalogs = request.app.state.catalogs
    hot = (  # the hotspot page's own reading (and its ten-minute cache), its three hottest
        hotspots.recent(
            session, actor=actor, hints=catalogs.dispatch_hints, rules=catalogs.hotspot_rules, now=now
        )[:3]
        if reach(actor, Action.READ_ASSESSMENT) in (Reach.SCOPE, Reach.ALL)
        else None
    )
    return page(
        request,
        "screen.html",
        actor,
        scope=scope,
        screen=found,
        tiles=tiles(session, actor=actor, rules=rules, now=now),
        place_names=geography.area_names(session, places),
        hotspots=hot,
        hotspot_days=hotspots.WINDOW_DAYS,
        light_labels={k.value: v for k, v in LIGHT_LABEL.items()},
        status_labels={k.value: v for k, v in STATUS_LABEL.items()},
        final=[s.value for s in FINAL],
        now_text=now.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        now_iso=now.isoformat(),
    )


@router.get("/today", response_class=HTMLResponse)
def leader_today(request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    """今日概览: a leader's phone view — the tiles, the red and yellow items to 批示, the day's bulletin."""
    allowed(actor)
    rules = request.app.state.case_rules
    today = now.astimezone(CHINA).date()
    may_ledger = reach(actor, Action.READ_LEDGER) is not Reach.NONE
    return page(
        request,
        "today.html",
        actor,
        tiles=tiles(session, actor=actor, rules=rules, now=now),
        ledger=ledger_boards.attention(session, actor=actor, limit=10) if may_ledger else None,
        instructions=ledger_instructions.recent(session, actor=actor) if may_ledger else [],
        may_instruct=reach(actor, Action.INSTRUCT) is not Reach.NONE,
        bulletin=today.isoformat() if reach(actor, Action.READ_BULLETINS) is not Reach.NONE else None,
        light_labels={k.value: v for k, v in LIGHT_LABEL.items()},
        now_text=now.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
    )
