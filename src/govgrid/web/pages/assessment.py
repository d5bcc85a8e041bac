"""考核 page: the metrics of a period by a slice, the rows ranked by 按期结案率 (a row with fewer due cases
than the minimum is listed but not ranked: one fast case must not top the table), and every count a link
to the case list filtered to exactly the cases behind it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.domain.assessment import LABELS, parse_period
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment.metrics import Slice
from govgrid.services.assessment.metrics import metrics as compute
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page

router = APIRouter()
MIN_DUE = 20  # fewer due cases than this: listed, not ranked
SLICE_LABEL = {
    Slice.DISTRICT: "区县",
    Slice.STREET: "街道",
    Slice.COMMUNITY: "社区",
    Slice.GRID: "单元网格",
    Slice.DEPARTMENT: "责任单位",
    Slice.CLASS: "问题分类",
    Slice.CHANNEL: "来源渠道",
    Slice.WORKER: "网格员",
}
# the case-list filter a row's code becomes (the worker slice has none: its links are the whole period's)
ROW_FILTER = {
    Slice.DISTRICT: "area",
    Slice.STREET: "area",
    Slice.COMMUNITY: "area",
    Slice.GRID: "area",
    Slice.DEPARTMENT: "unit_id",
    Slice.CLASS: "class_code",
    Slice.CHANNEL: "channel",
}


def last_month(today: date) -> tuple[date, date]:
    first_of_this = today.replace(day=1)
    last = first_of_this - timedelta(days=1)
    return last.replace(day=1), last


@router.get("/assessment", response_class=HTMLResponse)
def assessment_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    by: Slice = Slice.STREET,
) -> Response:
    if not first or not last:
        start, end = last_month(now.astimezone(CHINA).date())
        first, last = first or start.isoformat(), last or end.isoformat()
    period = parse_period(first, last)
    found = compute(session, actor=actor, rules=request.app.state.case_rules, period=period, by=by)
    ranked = sorted(
        (r for r in found["rows"] if r["code"] and r["due"] >= MIN_DUE),
        key=lambda r: (-(r["on_time_rate"] or 0), -(r["closure_rate"] or 0), r["name"]),
    )
    unranked = [r for r in found["rows"] if r not in ranked]

    def drill(row: dict[str, Any] | None, metric: str, without: str = "") -> str:
        query = [
            ("metric", metric),
            ("period_from", period.first.isoformat()),
            ("period_to", period.last.isoformat()),
        ]
        if without:
            query.append(("without", without))
        if row is not None and row["code"] and by in ROW_FILTER:
            query.append((ROW_FILTER[by], row["code"]))
        return "/cases?" + urlencode(query)

    return page(
        request,
        "assessment.html",
        actor,
        found=found,
        ranked=ranked,
        unranked=unranked,
        by=by,
        slices=SLICE_LABEL,
        labels=LABELS,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        min_due=MIN_DUE,
        drill=drill,
    )
