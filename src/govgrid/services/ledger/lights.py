"""Progress and warning lights of the whole ledger, recomputed bottom-up (a leaf's progress is its latest
value against its target; a parent's the weighted roll-up, showing its worst child's light). Lean on
purpose: plain rows in, only what changed written back, so 50,000 tasks take well under a second.
Every light change is recorded as a ledger event."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem, LedgerMilestone, ProgressReport
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import (
    LIGHT_LABEL,
    Direction,
    LadderPolicy,
    Light,
    LightThresholds,
    completion,
    light,
    rollup,
)
from govgrid.domain.response_rules import Filed, ResponseStep, ResponseTemplate, deadlines, missed_steps
from govgrid.domain.worktime import WorkCalendar

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
)


@dataclass(frozen=True)
class LedgerRules:
    calendar: WorkCalendar
    templates: dict[str, ResponseTemplate]
    thresholds: LightThresholds = field(default_factory=LightThresholds)
    ladder: LadderPolicy = field(default_factory=LadderPolicy)


def shipped_ledger_rules(calendar: WorkCalendar | None = None) -> LedgerRules:
    """The ledger rules shipped as data: SLA templates, and the light thresholds and ladder policy under
    `ledger:` in catalog/supervision.yaml (errors name the field)."""
    from govgrid import catalog
    from govgrid.catalog.calendars import load_calendar
    from govgrid.catalog.sla import load_templates

    doc = catalog.load("supervision.yaml").get("ledger") or {}
    try:
        thresholds = LightThresholds(near_days=float(doc["near_days"]), behind_by=float(doc["behind_by"]))
        ladder = LadderPolicy(
            red_workdays_to_supervise=int(doc["red_workdays_to_supervise"]),
            red_workdays_to_bulletin=int(doc["red_workdays_to_bulletin"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise catalog.CatalogError(
            f"catalog/supervision.yaml ledger 字段缺失或无效：{exc}", field=str(exc)
        ) from None
    return LedgerRules(
        calendar=calendar or load_calendar(), templates=load_templates(), thresholds=thresholds, ladder=ladder
    )


def raw_rows(session: Session, query: Any) -> list[Any]:
    """The rows as the database driver returns them, skipping SQLAlchemy's per-value processing (the query
    is still SQLAlchemy's, so it is the same on every engine). Timestamps come back as the driver has them:
    _Moments reads them."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _write_back(session: Session, rows: list[tuple[float, str, int]]) -> None:
    """(progress, light, id) written with the driver's own executemany: plain numbers and text need none of
    SQLAlchemy's per-row processing, which costs more than the writing itself at 50,000 rows."""
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    sql = f"UPDATE ledger_item SET progress = {mark}, light = {mark} WHERE id = {mark}"
    connection = session.connection()
    cursor = connection.connection.cursor()  # the DBAPI connection of this session's transaction
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _record_changes(session: Session, turned: list[_Node], now: datetime) -> None:
    """One ledger_event per light change, written with the driver's executemany. Values go through the
    columns' own SQLAlchemy bind processors (the timestamp once: every row has the same), so the stored form
    is exactly what the ORM writes on either engine."""
    table = cast(Table, LedgerEvent.__table__)
    dialect = session.get_bind().dialect
    columns = ("item_id", "at", "actor_name", "action", "note", "detail")

    def bind(name: str) -> Callable[[Any], Any]:
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        return processor if processor is not None else (lambda value: value)

    at, detail = bind("at")(now), bind("detail")
    rows = [
        (
            n.id,
            at,
            "system:ledger",
            "light",
            f"{LIGHT_LABEL[Light(n.old_light)]} → {LIGHT_LABEL[Light(n.light)]}",
            detail({"from": n.old_light, "to": n.light}),
        )
        for n in turned
    ]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO ledger_event ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    cursor = session.connection().connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


class _Moments:
    """Timestamps inside a recompute are naive UTC: SQLite's driver returns the stored ISO text (read by
    datetime.fromisoformat), other drivers aware values (converted). Nothing naive leaves this module."""

    def __init__(self, session: Session) -> None:
        self.raw = session.get_bind().dialect.name == "sqlite"
        self.positions = [COLUMNS.index("assigned_at"), COLUMNS.index("deadline_at")]

    def read(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value) if self.raw else naive_utc(value)

    def row(self, row: Any) -> Any:
        values = list(row)
        for position in self.positions:
            values[position] = self.read(values[position])
        return values


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


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
    moment = _Moments(session)
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
    nodes = {row[0]: _Node(moment.row(row)) for row in raw_rows(session, query)}
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
        _write_back(session, [(n.progress, n.light, n.id) for n in changed])
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
        if node.status == "closed":
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
            is_closed=node.status == "closed",
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
