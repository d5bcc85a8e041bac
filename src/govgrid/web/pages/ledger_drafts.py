"""拉出单子 pages: paste or upload a work plan's text, review the drafted rows (accept, edit, reject), and
import the accepted ones as a campaign with measures and targets through the ledger's own import."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.errors import InvalidInput
from govgrid.domain.worktime import CHINA
from govgrid.nlp.plan_targets import draft
from govgrid.services.ledger import drafting
from govgrid.services.ledger import importing as ledger_import
from govgrid.services.people.accounts import list_units
from govgrid.web.deps import LedgerRulesDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.forms import day, number
from govgrid.web.pages.render import page
from govgrid.web.uploads import read_upload

router = APIRouter()
MAX_TEXT = drafting.MAX_PLAN_BYTES


@router.get("/ledger/draft", response_class=HTMLResponse)
def draft_form(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    drafting.may_draft(session, actor)
    return page(request, "ledger_draft.html", actor, rows=None, text="", errors=None)


@router.post("/ledger/draft", response_class=HTMLResponse)
def draft_rows(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The drafted rows of the pasted or uploaded text, for review (nothing is written)."""
    drafting.may_draft(session, actor)
    if file is not None and file.filename:
        data = read_upload(file, MAX_TEXT, "file")
        name = file.filename
    else:
        data, name = text.encode("utf-8"), "粘贴的文本"
    try:
        plan = drafting.read_plan(data, name)
    except drafting.PlanTextError as exc:
        raise InvalidInput(str(exc), field="text") from None
    records = draft(plan)[: drafting.MAX_ROWS]
    directory = list_units(session, actor=actor)
    units = {u.code: u.name for u in directory}
    own = next((u.code for u in directory if u.id == actor.unit_id), "")
    today = now.astimezone(CHINA).date()
    rows = [
        {
            "record": r,
            "unit_code": drafting.matching_unit(r.owner, units) or own,
            "deadline": drafting.deadline_date(r.deadline, today),
        }
        for r in records
    ]
    campaign = next((r.campaign for r in records if r.campaign), "") or ""
    return page(
        request,
        "ledger_draft.html",
        actor,
        rows=rows,
        text=plan,
        units=units,
        campaign=campaign,
        campaign_deadline=date(today.year, 12, 31),
        errors=None,
    )


class ReviewForm(BaseModel):
    """The review table as the page sends it: one list per column, one entry per drafted row; `accept`
    holds the indices of the accepted rows."""

    campaign: str = Field(max_length=200)
    campaign_deadline: str = Field(max_length=10)
    accept: list[str] = []
    content: list[str] = []
    subject: list[str] = []
    value: list[str] = []
    unit: list[str] = []
    qualifier: list[str] = []
    unit_code: list[str] = []
    deadline: list[str] = []


@router.post("/ledger/draft/import", response_class=HTMLResponse)
def import_rows(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rules: LedgerRulesDep,
    form: Annotated[ReviewForm, Form()],
) -> Response:
    """The accepted rows, as edited, into the ledger (all or nothing); then the new campaign's tree."""
    accept, content, subject, value = form.accept, form.content, form.subject, form.value
    unit, qualifier, unit_code, deadline = form.unit, form.qualifier, form.unit_code, form.deadline
    columns = (content, subject, value, unit, qualifier, unit_code, deadline)
    if len({len(c) for c in columns}) != 1 or len(content) > drafting.MAX_ROWS:
        raise InvalidInput("审核表不完整：请重新拉出单子", field="accept")
    units = {u.code: u.name for u in list_units(session, actor=actor)}
    chosen = []
    for raw in accept:
        if not raw.isdigit() or int(raw) >= len(content):
            raise InvalidInput(f"第“{raw[:8]}”行不在审核表中", field="accept")
        i = int(raw)
        if unit_code[i] not in units:
            raise InvalidInput(f"第 {i + 1} 行：请选择牵头单位", field="unit_code")
        chosen.append(
            drafting.ReviewedRow(
                content=content[i].strip(),
                subject=subject[i].strip(),
                value=number(value[i], "value"),
                unit=unit[i].strip(),
                qualifier=qualifier[i].strip(),
                lead_unit=units[unit_code[i]],
                deadline=day(deadline[i], "deadline").date() if deadline[i].strip() else None,
            )
        )
    try:
        result = drafting.import_draft(
            session,
            actor=actor,
            rules=rules,
            campaign=form.campaign,
            deadline=day(form.campaign_deadline, "campaign_deadline").date(),
            rows=chosen,
            now=now,
        )
    except ledger_import.LedgerRejected as exc:
        return page(
            request, "ledger_draft.html", actor, rows=None, text="", errors=exc.errors, status_code=422
        )
    first = session.scalar(
        select(LedgerItem.id).where(LedgerItem.number == result.campaigns[0], LedgerItem.parent_id.is_(None))
    )
    return RedirectResponse(f"/ledger?campaign_id={first}", status_code=303)
