"""Key projects (项目为王) and 时间节点: dated milestones (开工/竣工), a backward schedule from the deadline
(倒排工期) and planned investment by month. Supervisors plan; the owning unit's reports meet milestones and
add completed investment (services/ledgers.report_progress)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerInvestment, LedgerItem, LedgerMilestone
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.ledger_schedule import (
    MILESTONE_KINDS,
    Phase,
    backward_schedule,
    check_milestone,
    check_month,
)
from govgrid.domain.ledger_states import EventKind, ItemKind
from govgrid.domain.permissions import Action, Actor
from govgrid.domain.quantity import check_amount
from govgrid.domain.text import check_chars
from govgrid.services.ledger.events import record_event
from govgrid.services.ledger.items import item_for
from govgrid.services.ledger.lights import recompute


def _managed_item(session: Session, actor: Actor, item_id: int) -> LedgerItem:
    return item_for(session, actor, Action.MANAGE_LEDGER, item_id)


def add_milestone(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    item_id: int,
    label: str,
    due_at: datetime,
    now: datetime,
    kind: str = "step",
) -> LedgerMilestone:
    """A supervisor adds a 时间节点 to a task or project."""
    item = _managed_item(session, actor, item_id)
    check_chars(label, "label")
    for field, message in check_milestone(label, kind, due_at, item.deadline_at):
        raise InvalidInput(message, field=field)
    milestone = LedgerMilestone(
        item_id=item.id, district_code=item.district_code, label=label.strip(), kind=kind, due_at=due_at
    )
    session.add(milestone)
    session.flush()
    record_event(
        session,
        item,
        EventKind.MILESTONE,
        actor=actor,
        now=now,
        note=f"{MILESTONE_KINDS[kind]}：{label.strip()}",
        detail={"milestone_id": milestone.id, "due_at": due_at.isoformat()},
    )
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return milestone


def schedule_backwards(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    item_id: int,
    phases: Sequence[Phase],
    now: datetime,
) -> list[LedgerMilestone]:
    """倒排工期: replaces the item's unmet milestones by the phases counted back from its deadline."""
    item = _managed_item(session, actor, item_id)
    if item.deadline_at is None:
        raise InvalidInput("事项没有完成时限，无法倒排工期", field="deadline_at")
    planned = backward_schedule(item.deadline_at, phases, rules.calendar)
    session.execute(
        delete(LedgerMilestone).where(LedgerMilestone.item_id == item.id, LedgerMilestone.done_at.is_(None))
    )
    milestones = [
        LedgerMilestone(
            item_id=item.id, district_code=item.district_code, label=phase.label, kind=phase.kind, due_at=due
        )
        for phase, due in planned
    ]
    session.add_all(milestones)
    session.flush()
    record_event(
        session,
        item,
        EventKind.SCHEDULE,
        actor=actor,
        now=now,
        note="倒排工期：" + "→".join(p.label for p in phases),
        detail={"phases": [[p.label, p.workdays, p.kind] for p in phases]},
    )
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return milestones


def plan_investment(
    session: Session,
    *,
    actor: Actor,
    item_id: int,
    planned: Mapping[str, float],
    now: datetime,
    ambassador: str | None = None,
) -> list[LedgerInvestment]:
    """The planned investment of a key project by month (万元); completed figures already reported stay."""
    item = _managed_item(session, actor, item_id)
    if item.kind != ItemKind.PROJECT:
        raise InvalidInput("只有重点项目有投资计划", field="kind")
    if len(planned) > 240:
        raise InvalidInput("投资计划最多 240 个月", field="planned")
    for month, amount in planned.items():
        check_month(month)
        check_amount(amount, "planned")
    if ambassador is not None and (len(check_chars(ambassador, "ambassador")) > 64):
        raise InvalidInput("服务大使姓名超过 64 个字符", field="ambassador")
    rows = {
        row.month: row
        for row in session.scalars(select(LedgerInvestment).where(LedgerInvestment.item_id == item.id))
    }
    for month, amount in planned.items():
        row = rows.get(month)
        if row is None:
            rows[month] = row = LedgerInvestment(
                item_id=item.id, district_code=item.district_code, month=month, planned=0.0, completed=0.0
            )
            session.add(row)
        row.planned = float(amount)
    if ambassador is not None:
        item.ambassador = ambassador.strip()
    record_event(
        session,
        item,
        EventKind.INVESTMENT,
        actor=actor,
        now=now,
        note=f"投资计划 {sum(planned.values()):g} 万元",
        detail={"planned": dict(planned)},
    )
    session.commit()
    return sorted(rows.values(), key=lambda r: r.month)


def investment_of(session: Session, item_id: int) -> list[LedgerInvestment]:
    return list(
        session.scalars(
            select(LedgerInvestment)
            .where(LedgerInvestment.item_id == item_id)
            .order_by(LedgerInvestment.month)
        )
    )


def milestones_of(session: Session, item_id: int) -> list[LedgerMilestone]:
    return list(
        session.scalars(
            select(LedgerMilestone)
            .where(LedgerMilestone.item_id == item_id)
            .order_by(LedgerMilestone.due_at, LedgerMilestone.id)
        )
    )
