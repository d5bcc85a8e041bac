"""Key projects and 时间节点 on the pages: a milestone, the backward schedule (倒排工期) from lines
"阶段, 工作日[, 开工|竣工]", and the planned investment from lines "2026-03 500"."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger_schedule import MILESTONE_KINDS, Phase
from govgrid.services.ledger import projects as ledger_projects
from govgrid.web.deps import LedgerRulesDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.forms import day
from govgrid.web.forms import number as read_number
from govgrid.web.params import IdPath

router = APIRouter()


def _lines(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank lines of a textarea, split on commas, tabs or spaces: (line number, parts)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in re.split(r"[,，\t ]+", line.strip()) if p]
        if parts:
            found.append((number, parts))
    return found


class MilestoneForm(BaseModel):
    label: str
    due: str
    kind: str = "step"


@router.post("/ledger/items/{item_id}/milestone")
def add_milestone(
    item_id: IdPath,
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[MilestoneForm, Form()],
) -> Response:
    ledger_projects.add_milestone(
        session,
        actor=actor,
        rules=rules,
        item_id=item_id,
        label=form.label,
        due_at=day(form.due, "due"),
        kind=form.kind,
        now=now,
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/schedule")
def schedule(
    item_id: IdPath,
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    phases: Annotated[str, Form()],
) -> Response:
    """倒排工期 from lines "阶段, 工作日[, 开工|竣工]"."""
    kinds = {label: code for code, label in MILESTONE_KINDS.items()}
    planned = []
    for number, parts in _lines(phases):
        if len(parts) < 2 or not parts[1].isdigit() or (len(parts) > 2 and parts[2] not in kinds):
            raise InvalidInput(
                f"第{number}行“{' '.join(parts)}”须写作：阶段名称, 工作日数[, 开工或竣工]", field="phases"
            )
        planned.append(Phase(parts[0], int(parts[1]), kinds[parts[2]] if len(parts) > 2 else "step"))
    ledger_projects.schedule_backwards(
        session, actor=actor, rules=rules, item_id=item_id, phases=planned, now=now
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)


@router.post("/ledger/items/{item_id}/investment")
def plan_investment(
    item_id: IdPath,
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    months: Annotated[str, Form()],
    ambassador: Annotated[str, Form()] = "",
) -> Response:
    """Planned investment from lines "2026-03 500" (万元)."""
    planned: dict[str, float] = {}
    for number, parts in _lines(months):
        if len(parts) != 2:
            raise InvalidInput(
                f"第{number}行“{' '.join(parts)}”须写作：月份 计划投资（万元），如 2026-03 500",
                field="months",
            )
        planned[parts[0]] = read_number(parts[1], "months") or 0.0
    ledger_projects.plan_investment(
        session, actor=actor, item_id=item_id, planned=planned, now=now, ambassador=ambassador
    )
    return RedirectResponse(f"/ledger/items/{item_id}", status_code=303)
