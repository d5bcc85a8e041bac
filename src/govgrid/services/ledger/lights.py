"""Progress and warning lights of the whole ledger, recomputed bottom-up (a leaf's progress is its latest
value against its target; a parent's the weighted roll-up, showing its worst child's light). Lean on
purpose: plain rows in, only what changed written back, so 50,000 tasks take well under a second.
Every light change is recorded as a ledger event."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.bulk import Moments, naive_utc, raw_rows, update_many
from govgrid.db.ledger_models import LedgerItem, LedgerMilestone, ProgressReport
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LIGHT_LABEL, Direction, LedgerRules, Light, completion, light, rollup
from govgrid.domain.ledger_states import EventKind, ItemStatus
from govgrid.domain.response_rules import Filed, ResponseStep, deadlines, missed_steps
from govgrid.services.ledger.events import SYSTEM, Event, record_events

log = logging.getLogger(__name__)
SEVERITY = {Light.GREY: 0, Light.GREEN: 1, Light.BLUE: 2, Light.YELLOW: 3, Light.RED: 4}
COLUMNS = (
    "id",
    "parent_id",
    "status",
    "progress",
    "light",
    "weight",
    "target_subject",
    "target_unit",
    "target_value",
    "target_baseline",
    "target_direction",
    "target_qualifier",
    "assigned_at",
    "deadline_at",
    "sla_code",
    "district_code",
)


def _record_changes(session: Session, turned: list[_Node], now: datetime) -> None:
    """One ledger_event per light change (the history's one writer, in bulk)."""
    record_events(
        session,
        [
            Event(
                n.id,
                n.district_code,
                EventKind.LIGHT,
                now,
                SYSTEM,
                f"{LIGHT_LABEL[Light(n.old_light)]} → {LIGHT_LABEL[Light(n.light)]}",
                {"from": n.old_light, "to": n.light},
            )
            for n in turned
        ],
    )


class _Node:
    """One item as the walk needs it (plain attributes, not an ORM object)."""

    __slots__ = (*COLUMNS, "old_progress", "old_light")
    id: int
    parent_id: int | None
    status: str
    progress: float
    light: str
    weight: float | None
    target_subject: str
    target_unit: str
    target_value: float | None
    target_baseline: float
    target_direction: str
    target_qualifier: str
    assigned_at: datetime | None
    deadline_at: datetime | None
    sla_code: str | None
    district_code: str
    old_progress: float
    old_light: str

    def __init__(self, row: Any) -> None:
        (
            self.id,
            self.parent_id,
            self.status,
            self.progress,
            self.light,
            self.weight,
            self.target_subject,
            self.target_unit,
            self.target_value,
            self.target_baseline,
            self.target_direction,
            self.target_qualifier,
            self.assigned_at,
            self.deadline_at,
            self.sla_code,
            self.district_code,
        ) = row  # the order of COLUMNS
        self.old_progress = self.progress
        self.old_light = self.light


def recompute(
    session: Session,
    *,
    rules: LedgerRules,
    now: datetime,
    campaign_id: int | None = None,
    commit: bool = True,
) -> int:
    """Progress bottom-up and lights for every item (of one campaign, or all); light changes recorded.
    Returns how many lights changed."""
    session.flush()
    moment = Moments(session)
    positions = [COLUMNS.index("assigned_at"), COLUMNS.index("deadline_at")]
    query = select(*(getattr(LedgerItem, name) for name in COLUMNS))
    reports = select(
        ProgressReport.item_id, ProgressReport.reported_at, ProgressReport.kind, ProgressReport.value_reached
    ).order_by(ProgressReport.reported_at, ProgressReport.id)
    milestones = select(LedgerMilestone.item_id, LedgerMilestone.due_at).where(
        LedgerMilestone.done_at.is_(None)
    )
    if campaign_id is None:
        query = query.where(LedgerItem.batch_id.is_(None))  # a staged import computes its own, by campaign
    else:
        query = query.where(LedgerItem.campaign_id == campaign_id)
        members = select(LedgerItem.id).where(LedgerItem.campaign_id == campaign_id)
        reports = reports.where(ProgressReport.item_id.in_(members))
        milestones = milestones.where(LedgerMilestone.item_id.in_(members))
    walk = _Walk(rules=rules, now=naive_utc(now))
    nodes = {row[0]: _Node(_with_moments(row, positions, moment)) for row in raw_rows(session, query)}
    read = moment.read
    for item_id, at, kind, value in raw_rows(session, reports):  # in time order
        walk.reports[item_id].append(Filed(read(at) or walk.now, kind))
        if value is not None:
            walk.latest[item_id] = value
        if kind.startswith("resolved"):
            walk.resolved.add(item_id)
    for item_id, due in session.execute(milestones):
        due = naive_utc(due)
        if due < walk.now:
            walk.late.add(item_id)
        elif item_id not in walk.next_due or due < walk.next_due[item_id]:
            walk.next_due[item_id] = due
    for node in nodes.values():
        walk.children[node.parent_id if node.parent_id in nodes else None].append(node)
    for root in walk.children[None]:
        walk.visit(root)
    changed = [n for n in nodes.values() if n.progress != n.old_progress or n.light != n.old_light]
    if changed:
        update_many(
            session, LedgerItem, ("progress", "light"), [(n.progress, n.light, n.id) for n in changed]
        )
        turned = [n for n in changed if n.light != n.old_light]
        if turned:
            _record_changes(session, turned, now)
        for obj in list(session.identity_map.values()):  # loaded items now hold old values: reload on access
            if isinstance(obj, LedgerItem) and obj.id in nodes:
                session.expire(obj, ["progress", "light"])
    else:
        turned = []
    if commit:
        session.commit()
    return len(turned)


def _with_moments(row: Any, positions: list[int], moment: Moments) -> list[Any]:
    values = list(row)
    for position in positions:
        values[position] = moment.read(values[position])
    return values


@dataclass
class _Walk:
    """One recompute: what the tree walk needs. Response deadlines are shared by tasks assigned together."""

    rules: LedgerRules
    now: datetime
    children: dict[int | None, list[_Node]] = field(default_factory=lambda: defaultdict(list))
    reports: dict[int, list[Filed]] = field(default_factory=lambda: defaultdict(list))
    latest: dict[int, float] = field(default_factory=dict)  # the latest value reached
    resolved: set[int] = field(default_factory=set)  # items with a 已解决 report
    late: set[int] = field(default_factory=set)  # items with an unmet milestone past due
    next_due: dict[int, datetime] = field(default_factory=dict)  # the next unmet milestone
    dues: dict[tuple[str, datetime], list[tuple[ResponseStep, datetime]] | None] = field(default_factory=dict)

    def visit(self, node: _Node) -> Light:
        kids = self.children.get(node.id, [])
        if kids:
            lights = [self.visit(child) for child in kids]
            try:
                node.progress = rollup([(child.progress, child.weight) for child in kids])
            except InvalidInput as exc:  # weights set on some children only: average, say so, keep going
                log.warning("督办事项 %s 的下级权重不一致（%s）：按平均计算", node.id, exc.message)
                node.progress = sum(child.progress for child in kids) / len(kids)
            shown = max(lights, key=SEVERITY.__getitem__)
            if shown is Light.GREY:  # every child closed, the parent itself not yet: done, not 已销号
                shown = Light.GREEN
        else:
            node.progress = _leaf_progress(node, self.latest.get(node.id), node.id in self.resolved)
            shown = self._leaf_light(node, self.reports.get(node.id, []))
        if node.status == ItemStatus.CLOSED:
            shown = Light.GREY
        node.light = shown.value
        return shown

    def _response_dues(self, code: str, assigned_at: datetime) -> list[tuple[ResponseStep, datetime]] | None:
        key = (code, assigned_at)
        if key not in self.dues:
            calendar = self.rules.calendar
            aware = assigned_at.replace(tzinfo=UTC)  # the calendar counts local working days
            if calendar.knows(aware):  # a year not yet in the calendar: no response rule, never a guess
                self.dues[key] = [
                    (step, naive_utc(due))
                    for step, due in deadlines(self.rules.templates[code], aware, calendar)
                ]
            else:
                self.dues[key] = None
        return self.dues[key]

    def _leaf_light(self, node: _Node, filed: list[Filed]) -> Light:
        if node.deadline_at is None or node.assigned_at is None:
            return Light.GREEN
        late = False
        if node.sla_code in self.rules.templates:
            dues = self._response_dues(node.sla_code, node.assigned_at)
            if dues is not None:
                late = bool(missed_steps(dues, reports=filed, now=self.now))
        return light(
            progress=node.progress,
            start=node.assigned_at,
            deadline=node.deadline_at,
            now=self.now,
            is_closed=node.status == ItemStatus.CLOSED,
            missed_response=late or node.id in self.late,
            thresholds=self.rules.thresholds,
            next_milestone=self.next_due.get(node.id),
        )


def _leaf_progress(node: _Node, latest: float | None, resolved: bool) -> float:
    if node.target_value is None and resolved:
        return 1.0
    if latest is None:
        return 0.0
    if node.target_value is None:  # no quantified target: the value is a percentage
        return min(max(latest / 100, 0.0), 1.0)
    return completion(
        latest,
        value=node.target_value,
        baseline=node.target_baseline or 0.0,
        decreasing=node.target_direction == Direction.DECREASE.value,
    )
