"""案件 list page: a role's tabs with their counts, the search and filter form, a page of cases with street
and community names (and distances when sorted by nearness), the pager and the export links."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.domain.assessment import LABELS as METRIC_LABELS
from govgrid.domain.paging import Paging
from govgrid.domain.roles import Role
from govgrid.domain.similarity import metres_between
from govgrid.domain.sources import channel_labels
from govgrid.domain.workflow import STATUS_LABEL, Status
from govgrid.geo.crs import parse_near
from govgrid.services.cases import queries
from govgrid.services.geo import geography
from govgrid.services.people import accounts as people
from govgrid.web.deps import LoggedInDep, SessionDep
from govgrid.web.filters import CaseFilterDep
from govgrid.web.pages.render import page
from govgrid.web.paging import PageNumberDep

router = APIRouter()
LIST_PAGE = 100  # cases a page of the list
TABS = {  # the statuses a role works on first (its queue or inbox); "全部" is always there
    Role.DISPATCHER: [
        Status.REPORTED,
        Status.VERIFIED,
        Status.REGISTERED,
        Status.FED_BACK,
        Status.REPLY_HELD,
    ],
    Role.DEPARTMENT_OFFICER: [Status.DISPATCHED, Status.SIGNED, Status.HANDLING],
    Role.STREET_OFFICER: [Status.DISPATCHED, Status.SIGNED, Status.HANDLING],
    Role.GRID_WORKER: [Status.FED_BACK, Status.REPORTED],
    Role.SUPERVISOR: [Status.REPLY_HELD, Status.FED_BACK, Status.DISPATCHED, Status.SIGNED],
}


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    paging: PageNumberDep,
    wanted: CaseFilterDep,
    near: str = "",
    crs: str = "wgs84",
) -> Response:
    chosen = wanted.status
    tabs = TABS.get(actor.role, []) if actor.role else []
    point = parse_near(near, crs)
    rules = request.app.state.case_rules
    found = queries.list_cases(
        session, actor=actor, wanted=wanted, paging=Paging(paging.page, LIST_PAGE), near=point, rules=rules
    )
    distances = (
        {
            c.id: metres_between(point[0], point[1], c.lng, c.lat)
            for c in found.items
            if c.lng is not None and c.lat is not None
        }
        if point
        else {}
    )
    return page(
        request,
        "cases.html",
        actor,
        found=found,
        wanted=wanted,
        query=urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"]),
        channels=channel_labels(request.app.state.case_rules),
        units=people.list_units(session, actor=actor) if actor.role is not Role.CITIZEN else [],
        tabs=tabs,
        counts=queries.status_counts(session, actor=actor, wanted=wanted, rules=rules),
        names=geography.area_names(session, {c.grid_code for c in found.items if c.grid_code}),
        distances=distances,
        chosen=chosen,
        labels=STATUS_LABEL,
        classes=request.app.state.case_rules.classes,
        metric_labels=METRIC_LABELS,
        sort_url=lambda key: (
            "/cases?"
            + urlencode(
                [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "sort")]
                + [("sort", key)]
            )
        ),
    )
