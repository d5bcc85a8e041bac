"""Key projects and 时间节点 over the API: milestones, the backward schedule (倒排工期) and the planned
investment by month."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from govgrid.domain.ledger_schedule import Phase
from govgrid.services.ledger import projects as ledger_projects
from govgrid.web.deps import LedgerRulesDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.params import IdPath
from govgrid.web.schemas import In, Moment

router = APIRouter(prefix="/ledger", tags=["ledger"])
AMOUNT = 1e12  # domain.quantity.MAX_AMOUNT


class MilestoneCreate(In):
    label: str = Field(max_length=200)
    due_at: Moment
    kind: str = Field("step", description="step（节点）| start（开工）| finish（竣工）")


class PhaseIn(In):
    label: str = Field(max_length=200)
    workdays: int = Field(ge=1, le=3650)
    kind: str = Field("step", max_length=12)


class ScheduleCreate(In):
    phases: list[PhaseIn] = Field(
        max_length=50, description="从前到后的各阶段；最后一段止于完成时限（倒排工期）"
    )


class InvestmentPlan(In):
    planned: dict[Annotated[str, Field(max_length=10)], Annotated[float, Field(ge=0, le=AMOUNT)]] = Field(
        max_length=240, description="月份（YYYY-MM）→ 计划投资（万元）"
    )
    ambassador: str | None = Field(None, max_length=64)


@router.post(
    "/items/{item_id}/milestones", status_code=201, response_model=dict[str, Any], summary="新增时间节点"
)
def add_milestone(
    item_id: IdPath,
    body: MilestoneCreate,
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> dict[str, Any]:
    milestone = ledger_projects.add_milestone(
        session,
        actor=actor,
        rules=rules,
        item_id=item_id,
        label=body.label,
        due_at=body.due_at,
        kind=body.kind,
        now=now,
    )
    return {
        "id": milestone.id,
        "label": milestone.label,
        "kind": milestone.kind,
        "due_at": milestone.due_at.isoformat(),
    }


@router.post(
    "/items/{item_id}/schedule", status_code=201, response_model=list[dict[str, Any]], summary="倒排工期"
)
def schedule(
    item_id: IdPath,
    body: ScheduleCreate,
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> list[dict[str, Any]]:
    phases = [Phase(p.label, p.workdays, p.kind) for p in body.phases]
    made = ledger_projects.schedule_backwards(
        session, actor=actor, rules=rules, item_id=item_id, phases=phases, now=now
    )
    return [{"id": m.id, "label": m.label, "kind": m.kind, "due_at": m.due_at.isoformat()} for m in made]


@router.put(
    "/items/{item_id}/investment", response_model=list[dict[str, Any]], summary="重点项目投资计划（按月）"
)
def plan_investment(
    item_id: IdPath, body: InvestmentPlan, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> list[dict[str, Any]]:
    rows = ledger_projects.plan_investment(
        session, actor=actor, item_id=item_id, planned=body.planned, now=now, ambassador=body.ambassador
    )
    return [{"month": r.month, "planned": r.planned, "completed": r.completed} for r in rows]
