"""通报: the daily, weekly and monthly bulletins of the district — the list, a preview, and each as .docx (in
official document style) and PDF. A bulletin is composed on request from the history (services.bulletins),
so it always says what the history says; it is meant for circulation, and shows to everyone with the
assessment (read_assessment)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.domain.bulletins import KIND_LABEL, Kind, parse_kind, period_of, span
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Actor, scope_filter
from govgrid.domain.worktime import CHINA
from govgrid.services.bulletins.content import Bulletin, compose
from govgrid.services.bulletins.docx_render import render_docx
from govgrid.services.bulletins.render import render_html, render_pdf
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page

router = APIRouter()
SHOWN = {Kind.DAILY: 14, Kind.WEEKLY: 8, Kind.MONTHLY: 12}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _issues(kind: Kind, today: date) -> list[date]:
    """The issue dates of the latest bulletins of a kind, newest first."""
    if kind is Kind.DAILY:
        return [today - timedelta(days=n) for n in range(SHOWN[kind])]
    if kind is Kind.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return [monday - timedelta(weeks=n) for n in range(SHOWN[kind])]
    first, found = today.replace(day=1), []
    for _ in range(SHOWN[kind]):
        found.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return found


@router.get("/bulletins", response_class=HTMLResponse)
def bulletins_page(request: Request, actor: LoggedInDep, now: NowDep) -> Response:
    scope_filter(actor, Action.READ_ASSESSMENT)
    today = now.astimezone(CHINA).date()
    lists = {kind: [(day, span(period_of(kind, day))) for day in _issues(kind, today)] for kind in Kind}
    return page(request, "bulletins.html", actor, lists=lists, labels=KIND_LABEL)


def _bulletin(
    request: Request, session: SessionDep, actor: Actor, now: NowDep, kind: str, issued_on: str
) -> Bulletin:
    scope_filter(actor, Action.READ_ASSESSMENT)
    chosen = parse_kind(kind)
    try:
        day = date.fromisoformat(issued_on[:10])
    except ValueError:
        raise InvalidInput(f"日期“{issued_on[:16]}”无效（YYYY-MM-DD）", field="issued_on") from None
    today = now.astimezone(CHINA).date()
    if not today - timedelta(days=3 * 366) <= day <= today:
        raise InvalidInput("通报日期须在近三年内，且不晚于今天", field="issued_on")
    return compose(session, rules=request.app.state.case_rules, kind=chosen, issued_on=day)


@router.get("/bulletins/{kind}/{issued_on}", response_class=HTMLResponse)
def bulletin_preview(
    request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep, kind: str, issued_on: str
) -> Response:
    if issued_on.endswith((".docx", ".pdf")):
        return _download(request, session, actor, now, kind, issued_on)
    return HTMLResponse(render_html(_bulletin(request, session, actor, now, kind, issued_on)))


def _download(
    request: Request, session: SessionDep, actor: Actor, now: NowDep, kind: str, name: str
) -> Response:
    stem, _, suffix = name.rpartition(".")
    bulletin = _bulletin(request, session, actor, now, kind, stem)
    data, media = (
        (render_docx(bulletin), DOCX) if suffix == "docx" else (render_pdf(bulletin), "application/pdf")
    )
    filename = quote(f"{bulletin.label}-{bulletin.issued_on.isoformat()}.{suffix}")
    return Response(
        data, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    )
