"""督办台账 pages: the tree with lights and filters, an item with its reports and escalations, the unit's
report form, the supervisor's board of what is late, and the Excel import and export."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerItem
from govgrid.db.models import OrgUnit
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LIGHT_LABEL, RUNG_LABEL, Rung, Target
from govgrid.domain.ledger_schedule import Phase
from govgrid.domain.ledger_sheet import (
    KIND_LABELS,
    MILESTONE_KIND_LABELS,
    REPORT_KIND_LABELS,
    STATUS_LABELS,
    day_end,
    day_start,
    read_date,
)
from govgrid.domain.permissions import Action, Reach, reach
from govgrid.services.ledger import closure as ledger_closure
from govgrid.services.ledger import importing as ledger_import
from govgrid.services.ledger import items as ledger_service
from govgrid.services.ledger import ladder as ledger_ladder
from govgrid.services.ledger import projects as ledger_projects
from govgrid.services.ledger import views as ledger_views
from govgrid.web.api.ledgers import parse_filter, rules, target_text
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep, verify_csrf
from govgrid.web.pages.forms import identifier
from govgrid.web.pages.forms import number as _number
from govgrid.web.pages.render import page
from govgrid.web.params import IdPath, PageQuery
from govgrid.web.uploads import evidence_of, read_upload

router = APIRouter()
LABELS = {
    "light": {k.value: v for k, v in LIGHT_LABEL.items()},
    "rung": {k.value: v for k, v in RUNG_LABEL.items()},
    "kind": KIND_LABELS,
    "status": STATUS_LABELS,
    "report": REPORT_KIND_LABELS,
    "milestone": MILESTONE_KIND_LABELS,
}


def _int(text: str, field: str = "id") -> int | None:
    return identifier(text, field)


@router.get("/ledger", response_class=HTMLResponse)
def tree_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    campaign_id: str = "",
    unit_id: str = "",
    light: str = "",
    leader: str = "",
    page_no: PageQuery = 1,
) -> Response:
    wanted = parse_filter(_int(campaign_id, "campaign_id"), _int(unit_id, "unit_id"), light or None, leader)
    found = ledger_views.tree(session, actor=actor, wanted=wanted, page=page_no)
    campaigns = ledger_views.campaign_choices(session, found.campaign_ids)
    units = {u.id: u.name for u in session.scalars(select(OrgUnit))}
    query = request.url.query
    return page(
        request,
        "ledger.html",
        actor,
        found=found,
        campaigns=campaigns,
        units=units,
        wanted=wanted,
        labels=LABELS,
        target_text=target_text,
        query=query,
        import_errors=None,
        templates=rules(request).templates,
        may_manage=reach(actor, Action.MANAGE_LEDGER) is not Reach.NONE,
    )


@router.get("/ledger/board", response_class=HTMLResponse)
def board_page(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    rows = ledger_views.late_board(session, actor=actor)
    units = {u.id: u.name for u in session.scalars(select(OrgUnit))}
    return page(request, "ledger_board.html", actor, rows=rows, units=units, labels=LABELS)


@router.get("/ledger/items/{item_id}", response_class=HTMLResponse)
def item_page(item_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    found = ledger_views.detail(session, actor=actor, item_id=item_id)
    item = found.item
    own_unit = actor.unit_id is not None and (
        actor.unit_id == item.lead_unit_id or actor.unit_id in item.co_unit_ids
    )
    may_report = (
        not found.children
        and item.status != "closed"
        and (
            reach(actor, Action.REPORT_PROGRESS) is Reach.ALL
            or (own_unit and reach(actor, Action.REPORT_PROGRESS) is Reach.UNIT)
        )
    )
    return page(
        request,
        "ledger_item.html",
        actor,
        d=found,
        item=item,
        labels=LABELS,
        target_text=target_text,
        may_report=may_report,
        may_manage=reach(actor, Action.MANAGE_LEDGER) is not Reach.NONE,
        rungs=list(Rung),
        open_milestones=[m for m in found.milestones if m.done_at is None],
        is_lead=actor.unit_id is not None and actor.unit_id == item.lead_unit_id,
        unit_choices=sorted(found.units.values(), key=lambda u: u.code),
    )


@router.post("/ledger/items/{item_id}/report")
def report(
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    narrative: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "progress",
    value_reached: Annotated[str, Form()] = "",
    problems: Annotated[str, Form()] = "",
    next_steps: Annotated[str, Form()] = "",
    funds_used: Annotated[str, Form()] = "",
    milestone_id: Annotated[str, Form()] = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    verify_csrf(request, csrf_token)
    checked = evidence_of(request, evidence, "evidence")  # checked before the report is written
    ledger_service.report_progress(
        session,
        actor=actor,
        rules=rules(request),
        item_id=item_id,
        kind=kind,
        now=now,
        value_reached=_number(value_reached, "value_reached"),
        narrative=narrative,
        problems=problems,
        next_steps=next_steps,
        funds_used=_number(funds_used, "funds_used"),
        milestone_id=_int(milestone_id),
        evidence=[checked] if checked else [],
        media_dir=request.app.state.media_dir,
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/rung")
def take_rung(
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rung: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    verify_csrf(request, csrf_token)
    try:
        chosen = Rung(rung)
    except ValueError:
        raise InvalidInput(f"督办级别“{rung}”不存在", field="rung") from None
    ledger_ladder.take_rung(session, actor=actor, item_id=item_id, rung=chosen, note=note, now=now)
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/closure")
def closure(
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    csrf_token: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
) -> Response:
    verify_csrf(request, csrf_token)
    if decision in ("approve", "refuse"):
        ledger_closure.decide_closure(
            session,
            actor=actor,
            rules=rules(request),
            item_id=item_id,
            approve=decision == "approve",
            note=note,
            now=now,
        )
    elif decision == "reopen":
        ledger_closure.reopen(session, actor=actor, rules=rules(request), item_id=item_id, note=note, now=now)
    else:
        ledger_closure.apply_for_closure(session, actor=actor, item_id=item_id, note=note, now=now)
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/import", response_class=HTMLResponse)
def import_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    verify_csrf(request, csrf_token)
    limits = request.app.state.sheet_limits
    data = read_upload(file, limits.max_bytes, "file")  # a larger file is refused, never cut
    try:
        result = ledger_import.import_ledger(
            session,
            actor=actor,
            rules=rules(request),
            data=data,
            filename=file.filename or "ledger.xlsx",
            area_code=ledger_views.home_area(session, actor),
            now=now,
            limits=limits,
        )
    except ledger_import.LedgerRejected as exc:
        found = ledger_views.tree(session, actor=actor, wanted=ledger_views.LedgerFilter())
        return page(
            request,
            "ledger.html",
            actor,
            status_code=422,
            found=found,
            campaigns=[],
            units={},
            wanted=ledger_views.LedgerFilter(),
            labels=LABELS,
            target_text=target_text,
            query="",
            import_errors=exc.errors,
            import_total=exc.total,
            may_manage=True,
            templates=rules(request).templates,
        )
    first = session.scalar(
        select(LedgerItem.id).where(LedgerItem.number == result.campaigns[0], LedgerItem.parent_id.is_(None))
    )
    return RedirectResponse(f"/ledger?campaign_id={first}", status_code=303)


def _day(text: str, field: str, end: bool = True) -> datetime:
    """A date typed in a form (2026-06-30), as the end (or start) of that day in China time."""
    try:
        moment = read_date(text.strip())
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=field) from None
    return day_end(moment) if end else day_start(moment)


def _lines(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank lines of a textarea, split on commas, tabs or spaces: (line number, parts)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in re.split(r"[,，\t ]+", line.strip()) if p]
        if parts:
            found.append((number, parts))
    return found


@router.post("/ledger/items/{item_id}/milestone")
def add_milestone(
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    label: Annotated[str, Form()],
    due: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "step",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    verify_csrf(request, csrf_token)
    ledger_projects.add_milestone(
        session,
        actor=actor,
        rules=rules(request),
        item_id=item_id,
        label=label,
        due_at=_day(due, "due"),
        kind=kind,
        now=now,
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/schedule")
def schedule(
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    phases: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """倒排工期 from lines "阶段, 工作日[, 开工|竣工]"."""
    verify_csrf(request, csrf_token)
    kinds = {label: code for code, label in MILESTONE_KIND_LABELS.items()}
    planned = []
    for number, parts in _lines(phases):
        if len(parts) < 2 or not parts[1].isdigit() or (len(parts) > 2 and parts[2] not in kinds):
            raise InvalidInput(
                f"第{number}行“{' '.join(parts)}”须写作：阶段名称, 工作日数[, 开工或竣工]", field="phases"
            )
        planned.append(Phase(parts[0], int(parts[1]), kinds[parts[2]] if len(parts) > 2 else "step"))
    ledger_projects.schedule_backwards(
        session, actor=actor, rules=rules(request), item_id=item_id, phases=planned, now=now
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/investment")
def plan_investment(
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    months: Annotated[str, Form()],
    ambassador: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Planned investment from lines "2026-03 500" (万元)."""
    verify_csrf(request, csrf_token)
    planned: dict[str, float] = {}
    for number, parts in _lines(months):
        if len(parts) != 2:
            raise InvalidInput(
                f"第{number}行“{' '.join(parts)}”须写作：月份 计划投资（万元），如 2026-03 500",
                field="months",
            )
        planned[parts[0]] = _number(parts[1], "months") or 0.0
    ledger_projects.plan_investment(
        session, actor=actor, item_id=item_id, planned=planned, now=now, ambassador=ambassador
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items")
def add_item(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    kind: Annotated[str, Form()],
    content: Annotated[str, Form()],
    parent_id: Annotated[str, Form()] = "",
    number: Annotated[str, Form()] = "",
    lead_unit_code: Annotated[str, Form()] = "",
    leader: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    sla_code: Annotated[str, Form()] = "",
    weight: Annotated[str, Form()] = "",
    target_subject: Annotated[str, Form()] = "",
    target_value: Annotated[str, Form()] = "",
    target_unit: Annotated[str, Form()] = "",
    consequence: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """交办: a new campaign (no parent) or an item under one."""
    verify_csrf(request, csrf_token)
    parent = ledger_views.get_item(session, actor=actor, item_id=int(parent_id)) if _int(parent_id) else None
    value = _number(target_value, "target_value")
    target = (
        Target(target_subject.strip() or content.strip()[:40], target_unit.strip(), value)
        if value is not None
        else None
    )
    data = ledger_service.NewItem(
        kind=kind,
        content=content,
        area_code=parent.area_code if parent else ledger_views.home_area(session, actor),
        parent_id=parent.id if parent else None,
        number=number.strip(),
        source=parent.source if parent else "",
        lead_unit_code=lead_unit_code or None,
        leader=leader.strip(),
        consequence=consequence.strip(),
        assigned_at=now,
        deadline_at=_day(deadline, "deadline")
        if deadline.strip()
        else (parent.deadline_at if parent else None),
        weight=_number(weight, "weight"),
        sla_code=sla_code or (parent.sla_code if parent else None),
        target=target,
    )
    item = ledger_service.add_item(session, actor=actor, rules=rules(request), data=data, now=now)
    return RedirectResponse(f"/ledger/items/{item.id}", status_code=303)
