"""Key projects (项目为王) and 时间节点: dated milestones (开工/竣工), a backward schedule from the deadline
(倒排工期) and planned investment by month. Supervisors plan; the owning unit's reports meet milestones and
add completed investment (services/ledgers.report_progress)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerInvestment, LedgerItem, LedgerMilestone
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger_schedule import MILESTONE_KINDS, Phase, backward_schedule, check_month
from govgrid.domain.moments import check_moment
from govgrid.domain.permissions import Action, Actor
from govgrid.domain.quantity import check_amount
from govgrid.domain.text import check_chars, required
from govgrid.services import audit
from govgrid.services.ledger.items import LedgerRules, item_for, recompute


def _managed_item(session: Session, actor: Actor, item_id: int) -> LedgerItem:
    return item_for(session, actor, Action.MANAGE_LEDGER, item_id)


def _record(
    session: Session,
    item: LedgerItem,
    actor: Actor,
    action: str,
    note: str,
    now: datetime,
    detail: dict[str, object],
) -> None:
    session.add(
        LedgerEvent(item_id=item.id, at=now, actor_name=actor.username, action=action, note=note, detail={})
    )
    audit.record(
        session,
        actor=actor,
        action=f"ledger.{action}",
        entity_type="ledger_item",
        entity_id=str(item.id),
        now=now,
        scope_code=item.area_code,
        detail=detail,
    )


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
    if kind not in MILESTONE_KINDS:
        raise InvalidInput(f"节点类型须为 {'、'.join(MILESTONE_KINDS.values())} 之一", field="kind")
    required(label, "label", "节点名称")
    check_moment(due_at, "due_at")
    if len(label.strip()) > 200:
        raise InvalidInput("节点名称超过 200 个字符", field="label")
    if item.deadline_at is not None and due_at > item.deadline_at:
        raise InvalidInput("节点日期晚于完成时限", field="due_at")
    milestone = LedgerMilestone(item_id=item.id, label=label.strip(), kind=kind, due_at=due_at)
    session.add(milestone)
    session.flush()
    _record(
        session,
        item,
        actor,
        "milestone",
        f"{MILESTONE_KINDS[kind]}：{label.strip()}",
        now,
        {"milestone_id": milestone.id, "due_at": due_at.isoformat()},
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
        LedgerMilestone(item_id=item.id, label=phase.label, kind=phase.kind, due_at=due)
        for phase, due in planned
    ]
    session.add_all(milestones)
    session.flush()
    _record(
        session,
        item,
        actor,
        "schedule",
        "倒排工期：" + "→".join(p.label for p in phases),
        now,
        {"phases": [[p.label, p.workdays, p.kind] for p in phases]},
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
    if item.kind != "project":
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
            rows[month] = row = LedgerInvestment(item_id=item.id, month=month, planned=0.0, completed=0.0)
            session.add(row)
        row.planned = float(amount)
    if ambassador is not None:
        item.ambassador = ambassador.strip()
    _record(
        session,
        item,
        actor,
        "investment",
        f"投资计划 {sum(planned.values()):g} 万元",
        now,
        {"planned": dict(planned)},
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
