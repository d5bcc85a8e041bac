"""Ledger use cases: add items to the tree, file progress reports, recompute progress and lights.

A leaf's progress is its latest value against its quantified target (without a target, the value is a
percentage); a parent's is the weighted roll-up of its children. A parent shows its worst child's light.
Every light change and every report is recorded (ledger_event) and audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import (
    LedgerEvent,
    LedgerInvestment,
    LedgerItem,
    LedgerMilestone,
    ProgressReport,
    ReportEvidence,
)
from govgrid.db.models import OrgUnit
from govgrid.domain.areas import is_within
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.ledger import (
    Direction,
    Light,
    Target,
)
from govgrid.domain.moments import check_moment
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.quantity import check_amount
from govgrid.domain.text import check_chars, required
from govgrid.domain.worktime import CHINA
from govgrid.services import audit, blobs
from govgrid.services.ledger.lights import LedgerRules, recompute, shipped_ledger_rules

KINDS = ("campaign", "measure", "task", "project")
REPORT_KINDS = ("sign", "progress", "staged_result", "plan", "resolved", "resolved_major")  # sign: 签收


@dataclass
class NewItem:
    kind: str
    content: str
    area_code: str
    parent_id: int | None = None
    number: str = ""
    source: str = ""
    lead_unit_code: str | None = None
    leader: str = ""
    officer: str = ""
    assigned_at: datetime | None = None
    deadline_at: datetime | None = None
    consequence: str = ""
    weight: float | None = None
    sla_code: str | None = None
    target: Target | None = None


def add_item(
    session: Session, *, actor: Actor, rules: LedgerRules, data: NewItem, now: datetime
) -> LedgerItem:
    """A supervisor adds a campaign, measure, task or project (交办), in their area."""
    authorize(actor, Action.MANAGE_LEDGER, area_code=data.area_code)
    if data.kind not in KINDS:
        raise InvalidInput(f"类型须为 {'、'.join(KINDS)} 之一", field="kind")
    required(data.content, "content", "内容")
    for name in ("assigned_at", "deadline_at"):
        if getattr(data, name) is not None:
            check_moment(getattr(data, name), name)
    for name in ("number", "source", "leader", "officer", "consequence"):
        check_chars(getattr(data, name) or "", name)
    check_amount(data.weight, "weight")
    if data.sla_code is not None and data.sla_code not in rules.templates:
        raise InvalidInput(f"回应规则“{data.sla_code}”不存在", field="sla_code")
    parent = session.get(LedgerItem, data.parent_id) if data.parent_id else None
    if parent is not None and parent.batch_id is not None:
        parent = None
    if data.parent_id and parent is None:
        raise NotFound(f"上级事项 {data.parent_id} 不存在", field="parent_id")
    _check_fields(data)
    _check_weight(session, data)
    if data.target is not None:
        data.target.completion(
            data.target.baseline
        )  # refuses a target with no span between baseline and value
    unit = _unit(session, data.lead_unit_code, data.area_code)
    target = data.target
    item = LedgerItem(
        parent_id=data.parent_id,
        kind=data.kind,
        number=data.number,
        content=data.content.strip(),
        source=data.source,
        area_code=data.area_code,
        lead_unit_id=unit.id if unit else None,
        co_unit_ids=[],
        leader=data.leader,
        officer=data.officer,
        assigned_at=data.assigned_at or now,
        deadline_at=data.deadline_at,
        consequence=data.consequence,
        weight=data.weight,
        sla_code=data.sla_code,
        target_subject=target.subject if target else "",
        target_unit=target.unit if target else "",
        target_value=target.value if target else None,
        target_baseline=target.baseline if target else 0.0,
        target_direction=target.direction.value if target else Direction.INCREASE.value,
        target_qualifier=target.qualifier if target else "",
        status="open",
        progress=0.0,
        light=Light.GREEN.value,
        version=1,
    )
    session.add(item)
    session.flush()
    item.campaign_id = parent.campaign_id if parent else item.id
    _event(session, item, actor, "create", now, data.content[:60])
    audit.record(
        session,
        actor=actor,
        action="ledger.create",
        entity_type="ledger_item",
        entity_id=str(item.id),
        now=now,
        scope_code=item.area_code,
    )
    session.commit()
    return item


LIMITS = {"number": 32, "source": 24, "leader": 64, "officer": 64}  # the columns' lengths


def _check_fields(data: NewItem) -> None:
    for name, limit in LIMITS.items():
        if len(getattr(data, name) or "") > limit:
            raise InvalidInput(f"“{getattr(data, name)[:20]}…”超过 {limit} 个字符", field=name)
    if data.target is not None and (len(data.target.unit) > 24 or len(data.target.subject) > 200):
        raise InvalidInput("指标名称或计量单位过长", field="target")
    if data.target is not None:
        check_amount(data.target.value, "target_value", allow_negative=True)
        check_amount(data.target.baseline, "target_baseline", allow_negative=True)
        check_chars(data.target.subject, "target_subject")
        check_chars(data.target.unit, "target_unit")


def _check_weight(session: Session, data: NewItem) -> None:
    """Siblings either all carry a weight or none does (the roll-up would be ambiguous); a weight is > 0."""
    if data.weight is not None and data.weight <= 0:
        raise InvalidInput(f"权重须大于 0（{data.weight:g}）", field="weight")
    if data.parent_id is None:
        return
    weights = list(session.scalars(select(LedgerItem.weight).where(LedgerItem.parent_id == data.parent_id)))
    if weights and (data.weight is None) != (weights[0] is None):
        wanted = "不设权重" if weights[0] is None else "设权重"
        raise InvalidInput(f"同一上级下的事项要么都设权重，要么都不设：已有下级事项{wanted}", field="weight")


def _unit(session: Session, code: str | None, area_code: str = "") -> OrgUnit | None:
    if not code:
        return None
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise InvalidInput(f"责任单位“{code}”不在单位名录中", field="lead_unit")
    if area_code and not serves(unit, area_code):
        raise InvalidInput(f"“{unit.name}”不在本台账的区域（{area_code}）内，不能交办给它", field="lead_unit")
    return unit


def serves(unit: OrgUnit, area_code: str) -> bool:
    """Whether work in this area may be assigned to the unit: its own area lies inside the item's."""
    return unit.area_code is None or is_within(unit.area_code, area_code)


def item_for(
    session: Session, actor: Actor, action: Action, item_id: int, *, lead_only: bool = False
) -> LedgerItem:
    """A ledger item the actor may act on: NotFound when it does not exist or is out of reach. For a unit's
    reach the acting officer's unit must lead the item, or help with it (unless `lead_only`)."""
    item = session.get(LedgerItem, item_id)
    if item is None or item.batch_id is not None:  # an import still staging it: not there yet
        raise NotFound(f"督办事项 {item_id} 不存在")
    authorize_on(actor, action, item, lead_only=lead_only)
    return item


def authorize_on(actor: Actor, action: Action, item: LedgerItem, *, lead_only: bool = False) -> None:
    """The permission table applied to one ledger item: its area, and its lead unit or a co-unit."""
    helping = not lead_only and actor.unit_id is not None and actor.unit_id in item.co_unit_ids
    authorize(
        actor, action, area_code=item.area_code, unit_id=actor.unit_id if helping else item.lead_unit_id
    )


def _event(
    session: Session, item: LedgerItem, actor: Actor, action: str, now: datetime, note: str = ""
) -> None:
    session.add(
        LedgerEvent(item_id=item.id, at=now, actor_name=actor.username, action=action, note=note, detail={})
    )


def report_progress(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    item_id: int,
    kind: str,
    value_reached: float | None,
    narrative: str,
    now: datetime,
    problems: str = "",
    next_steps: str = "",
    funds_used: float | None = None,
    milestone_id: int | None = None,
    evidence: Sequence[blobs.Upload] = (),
    media_dir: Path | None = None,
) -> ProgressReport:
    """The lead unit (or a co-unit) reports progress, with its checked evidence files, in one transaction;
    the tree's progress and lights are recomputed. A report may meet a 时间节点 (milestone_id); on a key
    project its funds count as completed investment for the month it is filed in."""
    item = item_for(session, actor, Action.REPORT_PROGRESS, item_id)
    if kind not in REPORT_KINDS:
        raise InvalidInput(f"进展类型须为 {'、'.join(REPORT_KINDS)} 之一", field="kind")
    if item.status == "closed":
        raise InvalidInput("事项已销号，不能再填报进展", field="status")
    if session.scalar(select(LedgerItem.id).where(LedgerItem.parent_id == item.id).limit(1)) is not None:
        raise InvalidInput("该事项有下级任务：请在下级任务上填报进展，进度自动汇总", field="item_id")
    required(narrative, "narrative", "进展情况")
    check_chars(problems, "problems")
    check_chars(next_steps, "next_steps")
    check_amount(value_reached, "value_reached", allow_negative=True)
    check_amount(funds_used, "funds_used")
    milestone = _milestone(session, item, milestone_id)
    report = ProgressReport(
        item_id=item.id,
        kind=kind,
        reported_at=now,
        reported_by=actor.username,
        value_reached=value_reached,
        narrative=narrative,
        problems=problems,
        next_steps=next_steps,
        funds_used=funds_used,
        milestone_id=milestone_id,
    )
    session.add(report)
    if milestone is not None:
        milestone.done_at = now
    if item.kind == "project" and funds_used:
        _add_completed_investment(session, item, now, funds_used)
    _event(session, item, actor, "report", now, narrative[:60])
    audit.record(
        session,
        actor=actor,
        action="ledger.report",
        entity_type="ledger_item",
        entity_id=str(item.id),
        now=now,
        scope_code=item.area_code,
        detail={"value": value_reached, "kind": kind},
    )
    session.flush()
    for upload in evidence:
        if media_dir is None:
            raise ValueError("evidence needs a media folder")
        add_evidence(session, report, item, actor=actor, upload=upload, media_dir=media_dir, now=now)
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return report


def add_evidence(
    session: Session,
    report: ProgressReport,
    item: LedgerItem,
    *,
    actor: Actor,
    upload: blobs.Upload,
    media_dir: Path,
    now: datetime,
) -> ReportEvidence:
    """The one writer of an evidence file (the caller commits): the file by its hash, its row, an event and
    an audit row. A closed item takes no more evidence."""
    if item.status == "closed":
        raise InvalidInput("事项已销号，不能再添加佐证材料", field="file")
    digest = blobs.store(media_dir, upload.data)
    saved = ReportEvidence(
        report_id=report.id,
        uploaded_by=actor.username,
        uploaded_at=now,
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=digest,
    )
    session.add(saved)
    session.flush()
    _event(session, item, actor, "evidence", now, f"上传佐证材料 {upload.filename[:60]}")
    audit.record(
        session,
        actor=actor,
        action="ledger.evidence",
        entity_type="ledger_item",
        entity_id=str(item.id),
        now=now,
        scope_code=item.area_code,
        detail={"report_id": report.id, "sha256": digest},
    )
    return saved


def _milestone(session: Session, item: LedgerItem, milestone_id: int | None) -> LedgerMilestone | None:
    if milestone_id is None:
        return None
    milestone = session.get(LedgerMilestone, milestone_id)
    if milestone is None or milestone.item_id != item.id:
        raise InvalidInput(f"时间节点 {milestone_id} 不属于该事项", field="milestone_id")
    if milestone.done_at is not None:
        raise InvalidInput(f"时间节点“{milestone.label}”已完成", field="milestone_id")
    return milestone


def _add_completed_investment(session: Session, item: LedgerItem, now: datetime, amount: float) -> None:
    month = now.astimezone(CHINA).strftime("%Y-%m")
    row = session.scalar(
        select(LedgerInvestment).where(LedgerInvestment.item_id == item.id, LedgerInvestment.month == month)
    )
    if row is None:
        row = LedgerInvestment(item_id=item.id, month=month, planned=0.0, completed=0.0)
        session.add(row)
    row.completed = (row.completed or 0.0) + amount


__all__ = ["LedgerRules", "NewItem", "add_item", "recompute", "report_progress", "shipped_ledger_rules"]
