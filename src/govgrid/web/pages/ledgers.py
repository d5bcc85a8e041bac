"""督办台账 pages: the tree with lights and filters, an item with its reports and escalations, the unit's
report form, 销号, 交办 of a child, and the Excel import. Each form is read into the domain's command and
handed to the one service of its rule — the same the JSON API calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LIGHT_LABEL, RUNG_LABEL, Rung
from govgrid.domain.ledger_items import NewItem, NewReport
from govgrid.domain.ledger_schedule import MILESTONE_KINDS
from govgrid.domain.ledger_states import (
    EVENT_LABEL,
    KIND_LABEL,
    REPORT_LABEL,
    STATUS_LABEL,
    STEP_LABEL,
    ClosureStep,
    ItemStatus,
)
from govgrid.domain.paging import Paging
from govgrid.domain.permissions import Action, Reach, reach
from govgrid.services.ledger import boards as ledger_boards
from govgrid.services.ledger import closure as ledger_closure
from govgrid.services.ledger import importing as ledger_import
from govgrid.services.ledger import instructions as ledger_instructions
from govgrid.services.ledger import items as ledger_items
from govgrid.services.ledger import ladder as ledger_ladder
from govgrid.services.ledger import reports as ledger_reports
from govgrid.services.ledger import views as ledger_views
from govgrid.services.ledger.views import LedgerFilter, target_text
from govgrid.services.people.accounts import list_units
from govgrid.web.deps import LedgerRulesDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.filters import LedgerFilterDep
from govgrid.web.forms import day, identifier, number, parse_choice
from govgrid.web.pages.render import page
from govgrid.web.paging import PageNumberDep
from govgrid.web.params import IdPath
from govgrid.web.uploads import evidence_of, read_upload

router = APIRouter()
LABELS = {
    "light": {k.value: v for k, v in LIGHT_LABEL.items()},
    "rung": {k.value: v for k, v in RUNG_LABEL.items()},
    "kind": {k.value: v for k, v in KIND_LABEL.items()},
    "status": {k.value: v for k, v in STATUS_LABEL.items()},
    "report": {k.value: v for k, v in REPORT_LABEL.items()},
    "milestone": dict(MILESTONE_KINDS),
    "event": {k.value: v for k, v in EVENT_LABEL.items()},
    "step": {k.value: v for k, v in STEP_LABEL.items()},
}


def unit_names(session: SessionDep, actor: LoggedInDep) -> dict[int, str]:
    return {u.id: u.name for u in list_units(session, actor=actor)}


@router.get("/ledger", response_class=HTMLResponse)
def tree_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    rules: LedgerRulesDep,
    paging: PageNumberDep,
    wanted: LedgerFilterDep,
) -> Response:
    return _tree(request, session, actor, rules, wanted, paging.page)


def _tree(request, session, actor, rules, wanted, page_no=1, import_errors=None, total=0, status_code=200):
    found = ledger_views.tree(
        session, actor=actor, wanted=wanted, paging=Paging(page_no, ledger_views.PAGE_SIZE)
    )
    return page(
        request,
        "ledger.html",
        actor,
        status_code=status_code,
        found=found,
        campaigns=ledger_views.campaign_choices(session, found.campaign_ids),
        units=unit_names(session, actor),
        wanted=wanted,
        labels=LABELS,
        target_text=target_text,
        query=request.url.query if import_errors is None else "",
        import_errors=import_errors,
        import_total=total,
        templates=rules.templates,
        may_manage=reach(actor, Action.MANAGE_LEDGER) is not Reach.NONE,
    )


@router.get("/ledger/board", response_class=HTMLResponse)
def board_page(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    rows = ledger_boards.late_board(session, actor=actor)
    return page(
        request, "ledger_board.html", actor, rows=rows, units=unit_names(session, actor), labels=LABELS
    )


@router.get("/ledger/items/{item_id}", response_class=HTMLResponse)
def item_page(item_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    found = ledger_views.detail(session, actor=actor, item_id=item_id)
    item = found.item
    may_report = not found.children and ledger_items.may(actor, Action.REPORT_PROGRESS, item)
    return page(
        request,
        "ledger_item.html",
        actor,
        d=found,
        item=item,
        labels=LABELS,
        target_text=target_text,
        may_report=may_report and item.status != ItemStatus.CLOSED,
        may_manage=ledger_items.may(actor, Action.MANAGE_LEDGER, item),
        may_instruct=ledger_items.may(actor, Action.INSTRUCT, item),
        closure_steps=ledger_closure.steps_open_to(actor, item, has_children=bool(found.children)),
        rungs=list(Rung),
        open_milestones=[m for m in found.milestones if m.done_at is None],
        unit_choices=sorted(found.units.values(), key=lambda u: u.code),
    )


class ReportForm(BaseModel):
    narrative: str
    kind: str = "progress"
    value_reached: str = ""
    problems: str = ""
    next_steps: str = ""
    funds_used: str = ""
    milestone_id: str = ""
    evidence: UploadFile | None = None  # 佐证材料, checked before the report is written

    def command(self) -> NewReport:
        return NewReport(
            narrative=self.narrative,
            kind=self.kind,
            value_reached=number(self.value_reached, "value_reached"),
            problems=self.problems,
            next_steps=self.next_steps,
            funds_used=number(self.funds_used, "funds_used"),
            milestone_id=identifier(self.milestone_id, "milestone_id"),
        )


@router.post("/ledger/items/{item_id}/report")
def report(
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rules: LedgerRulesDep,
    form: Annotated[ReportForm, Form()],
) -> Response:
    checked = evidence_of(request, form.evidence, "evidence")  # checked before the report is written
    ledger_reports.report_progress(
        session,
        actor=actor,
        rules=rules,
        item_id=item_id,
        data=form.command(),
        now=now,
        evidence=[checked] if checked else [],
        media_dir=request.app.state.media_dir,
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/instruction")
def instruct(
    item_id: IdPath,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    ledger_instructions.instruct(session, actor=actor, item_id=item_id, note=note, now=now)
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/rung")
def take_rung(
    item_id: IdPath,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rung: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    chosen = parse_choice(Rung, rung, "rung", RUNG_LABEL)
    if chosen is None:
        raise InvalidInput("请选择督办级别", field="rung")
    ledger_ladder.take_rung(session, actor=actor, item_id=item_id, rung=chosen, note=note, now=now)
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


class ClosureForm(BaseModel):
    """申请销号 / 批准 / 退回 / 重新打开 as the item page sends it (the API's closure body, as text)."""

    step: Annotated[str, Field(max_length=12)]
    note: Annotated[str, Field(max_length=2000)] = ""
    version: Annotated[str, Field(max_length=12)] = ""


@router.post("/ledger/items/{item_id}/closure")
def closure(
    item_id: IdPath,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rules: LedgerRulesDep,
    form: Annotated[ClosureForm, Form()],
) -> Response:
    chosen = parse_choice(ClosureStep, form.step, "step", STEP_LABEL)
    if chosen is None:
        raise InvalidInput("请选择销号操作", field="step")
    ledger_closure.take_closure_step(
        session,
        actor=actor,
        rules=rules,
        item_id=item_id,
        step=chosen,
        note=form.note,
        now=now,
        expected_version=identifier(form.version, "version"),
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/import", response_class=HTMLResponse)
def import_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rules: LedgerRulesDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    limits = request.app.state.sheet_limits
    data = read_upload(file, limits.max_bytes, "file")  # a larger file is refused, never cut
    try:
        result = ledger_import.import_ledger(
            session,
            actor=actor,
            rules=rules,
            data=data,
            filename=file.filename or "ledger.xlsx",
            now=now,
            limits=limits,
        )
    except ledger_import.LedgerRejected as exc:
        return _tree(request, session, actor, rules, LedgerFilter(), 1, exc.errors, exc.total, 422)
    first = session.scalar(
        select(LedgerItem.id).where(LedgerItem.number == result.campaigns[0], LedgerItem.parent_id.is_(None))
    )
    return RedirectResponse(f"/ledger?campaign_id={first}", status_code=303)


class ItemForm(BaseModel):
    """交办 as the page's form gives it: every field text, read into the domain's command."""

    kind: str
    content: str
    parent_id: str = ""
    number: str = ""
    lead_unit_code: str = ""
    leader: str = ""
    deadline: str = ""
    sla_code: str = ""
    weight: str = ""
    target_subject: str = ""
    target_value: str = ""
    target_unit: str = ""
    consequence: str = ""

    def command(self) -> NewItem:
        return NewItem(
            kind=self.kind,
            content=self.content,
            parent_id=identifier(self.parent_id, "parent_id"),
            number=self.number,
            lead_unit_code=self.lead_unit_code or None,
            leader=self.leader,
            deadline_at=day(self.deadline, "deadline") if self.deadline.strip() else None,
            sla_code=self.sla_code or None,
            weight=number(self.weight, "weight"),
            target_subject=self.target_subject,
            target_value=number(self.target_value, "target_value"),
            target_unit=self.target_unit,
            consequence=self.consequence,
        )


@router.post("/ledger/items")
def add_item(
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rules: LedgerRulesDep,
    form: Annotated[ItemForm, Form()],
) -> Response:
    """交办: a new campaign (no parent) or an item under one."""
    item = ledger_items.assign(session, actor=actor, rules=rules, data=form.command(), now=now)
    return RedirectResponse(f"/ledger/items/{item.id}", status_code=303)
