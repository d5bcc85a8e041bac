"""The demo's 督办台账: the three work plans in ../shared/seeds (catalog/demo_ledger.yaml) entered as
campaigns, with a year of progress so that every light colour shows on the day the demo is built — all of
it through the services people use, each step at its own time: the supervisor's 交办 and 时间节点, each
lead unit's liaison filing its reports (三天有回音、七天有阶段性成果, then monthly), 销号 applied for and
approved. The lights and the ladder's steps are the system's own, as the year went.

Each campaign is dated in the current year, or the last one if it would start less than a month ago. A
few tasks stall (黄), a few are finished and closed (灰), a few have a 时间节点 in the coming days (蓝),
and the unfinished tasks of a campaign whose deadline has passed are red (红). Which task gets which
profile is fixed by its position, so the demo is the same every time. The liaisons are fictitious
people without a login; the units that have a demo login (区城管局, 泉城路街道) report as that person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.catalog import CatalogSource
from govgrid.db.ledger_models import LedgerItem
from govgrid.db.models import OrgUnit, User
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import Direction, LedgerRules, Target, expected_progress
from govgrid.domain.ledger_items import NewItem, NewReport
from govgrid.domain.ledger_schedule import Phase
from govgrid.domain.ledger_states import ClosureStep, ItemKind
from govgrid.domain.moments import day_end, day_start
from govgrid.domain.permissions import Actor
from govgrid.domain.worktime import CHINA
from govgrid.services.demo.people import unit_handlers
from govgrid.services.ledger import closure, items, projects, reports
from govgrid.services.ledger.ladder import escalate_due
from govgrid.services.ledger.lights import recompute
from govgrid.services.people.accounts import actor_for

CATALOG = "demo_ledger.yaml"
PROFILES = ("on_track", "stalled", "on_track", "closed", "near_node")
PROJECT_PHASES = (
    Phase("前期手续", 30),
    Phase("开工", 5, "start"),
    Phase("主体施工", 90),
    Phase("竣工验收", 15, "finish"),
)


@dataclass(frozen=True)
class DemoLedger:
    campaigns: int
    items: int
    reports: int
    lights: dict[str, int]


def load_spec(source: CatalogSource) -> list[dict[str, Any]]:
    return list(source.load(CATALOG)["campaigns"])


def campaign_year(assigned: str, now: datetime) -> int:
    """This year, unless the campaign would have started less than 30 days ago: then last year's."""
    local = now.astimezone(CHINA)
    month, day = (int(x) for x in assigned.split("-"))
    return local.year if date(local.year, month, day) <= local.date() - timedelta(days=30) else local.year - 1


def _on(year: int, month_day: str) -> datetime:
    month, day = (int(x) for x in month_day.split("-"))
    return datetime(year, month, day, tzinfo=CHINA)


@dataclass
class _Run:
    session: Session
    rules: LedgerRules
    now: datetime
    supervisor: Actor
    liaisons: dict[str, Actor]
    reports: int = 0
    position: int = 0


def build_demo_ledger(
    session: Session,
    *,
    rules: LedgerRules,
    source: CatalogSource,
    area_code: str,
    now: datetime,
    spec: list[dict[str, Any]] | None = None,
) -> DemoLedger:
    """Enter the campaigns and their year; idempotent (skipped when the campaigns exist)."""
    spec = spec if spec is not None else load_spec(source)
    existing = set(session.scalars(items.live_campaign_numbers()))
    supervisor = actor_for(session.scalars(select(User).where(User.username == "supervisor")).one())
    run = _Run(session, rules, now, supervisor, _liaisons(session, spec, area_code, now))
    for campaign in spec:
        if campaign["number"] not in existing:
            _campaign(run, campaign)
    recompute(session, rules=rules, now=now)  # the lights of today
    escalate_due(session, rules=rules, now=now)  # the ladder's first steps on what is late today
    lights: dict[str, int] = {}
    for (colour,) in session.execute(
        select(LedgerItem.light).where(LedgerItem.kind.in_((ItemKind.TASK.value, ItemKind.PROJECT.value)))
    ):
        lights[colour] = lights.get(colour, 0) + 1
    count = len(session.scalars(select(LedgerItem.id)).all())
    return DemoLedger(campaigns=len(spec), items=count, reports=run.reports, lights=lights)


def _liaisons(
    session: Session, spec: list[dict[str, Any]], area_code: str, now: datetime
) -> dict[str, Actor]:
    """Who files for each unit that leads or helps with a task: its demo login, else a fictitious liaison."""
    codes = sorted(
        {
            c
            for campaign in spec
            for m in campaign["measures"]
            for t in m["tasks"]
            for c in _unit_codes(campaign, t)
        }
    )
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    missing = [code for code in codes if code not in units]
    if missing:
        raise InvalidInput(
            f"演示台账中的单位“{missing[0]}”不在单位名录中（catalog/{CATALOG}）", field="lead_unit"
        )
    return unit_handlers(session, [units[code] for code in codes], area_code, now)


def _unit_codes(campaign: dict[str, Any], task: dict[str, Any]) -> list[str]:
    lead = task.get("lead_unit") or campaign.get("lead_unit")
    return [code for code in (lead, *task.get("co_units", [])) if code]


def _campaign(run: _Run, campaign: dict[str, Any]) -> None:
    year = campaign_year(campaign["assigned"], run.now)
    assigned = day_start(_on(year, campaign["assigned"]))
    root = _assign(run, None, ItemKind.CAMPAIGN, campaign, campaign, year, assigned)
    for measure in campaign["measures"]:
        node = _assign(run, root, ItemKind.MEASURE, measure, campaign, year, assigned)
        for task in measure["tasks"]:
            kind = ItemKind(task.get("kind", "task"))
            leaf = _assign(run, node, kind, task, campaign, year, assigned)
            _year_of(run, leaf, PROFILES[run.position % len(PROFILES)], _unit_codes(campaign, task)[0])
            run.position += 1


def _assign(
    run: _Run,
    parent: int | None,
    kind: ItemKind,
    row: dict[str, Any],
    campaign: dict[str, Any],
    year: int,
    at: datetime,
) -> int:
    target = row.get("target") or {}
    is_work = kind in (ItemKind.TASK, ItemKind.PROJECT)
    data = NewItem(
        kind=kind.value,
        content=row.get("content") or row.get("name") or "",
        parent_id=parent,
        number=str(row["number"]),
        source=campaign.get("source", ""),
        lead_unit_code=row.get("lead_unit") or campaign.get("lead_unit"),
        co_unit_codes=tuple(row.get("co_units", [])),
        leader=row.get("leader") or campaign.get("leader", ""),
        officer=row.get("officer") or campaign.get("officer", ""),
        assigned_at=at,
        deadline_at=day_end(_on(year, row.get("deadline") or campaign["deadline"])),
        consequence=row.get("consequence") or campaign.get("consequence", ""),
        weight=row.get("weight"),
        sla_code=campaign.get("sla") if is_work else None,
        target_subject=target.get("subject", ""),
        target_value=target.get("value"),
        target_unit=target.get("unit", ""),
        target_baseline=float(target.get("baseline", 0) or 0),
        target_direction=target.get("direction", Direction.INCREASE.value),
        target_qualifier=target.get("qualifier", "") or "",
    )
    return items.assign(run.session, actor=run.supervisor, rules=run.rules, data=data, now=at).id


def _year_of(run: _Run, item_id: int, profile: str, lead: str) -> None:
    """A task's year in its profile: its 时间节点, its reports in time order, 销号 if it was finished."""
    item = run.session.get_one(LedgerItem, item_id)
    assert item.assigned_at is not None and item.deadline_at is not None
    start, deadline, calendar = item.assigned_at, item.deadline_at, run.rules.calendar
    until = min(run.now, deadline)
    past, officer = deadline < run.now, run.liaisons[lead]
    finish = profile == "closed" or (past and profile in ("on_track", "near_node") and item.id % 2 == 0)
    milestones = _milestones(run, item, profile, start)
    # 三天有回音、七天有阶段性成果: an answer the next working day, a staged result on the fifth, at 10:00
    moments = [datetime.combine(calendar.add_workdays(start, n).date(), time(10), CHINA) for n in (1, 5)]
    month = (start.astimezone(CHINA).replace(day=10) + timedelta(days=31)).replace(day=10)
    while month < until:
        moments.append(datetime.combine(calendar.next_workday(month.date()), time(10), CHINA))
        month = (month + timedelta(days=31)).replace(day=10)
    filed = [(m, None) for m in moments if m <= until] + [
        (due - timedelta(days=2), mid) for mid, due in milestones
    ]
    for number, (moment, milestone) in enumerate(sorted(filed, key=lambda f: f[0])):
        share = expected_progress(start, deadline, moment)
        if profile == "stalled" or (past and not finish):
            share = min(share, 0.35) * 0.6
        elif finish:
            share = min(1.0, share * 1.6)
        kind = ("progress", "staged_result")[number] if number < 2 else "progress"
        _report(run, item, officer, moment, kind, share, _narrative(item, share, number), milestone)
    if finish:
        last = max((f[0] for f in filed), default=start)
        done = min(until, calendar.add_workdays(last, 2))
        _report(run, item, officer, done, "resolved", 1.0, "已全面完成目标任务", None, "巩固成果，申请销号")
        for step, actor, note in (
            (ClosureStep.APPLY, officer, "目标任务已全面完成，申请销号"),
            (ClosureStep.APPROVE, run.supervisor, "核查属实，同意销号"),
        ):
            closure.take_closure_step(
                run.session, actor=actor, rules=run.rules, item_id=item.id, step=step, note=note, now=done
            )


def _milestones(run: _Run, item: LedgerItem, profile: str, start: datetime) -> list[tuple[int, datetime]]:
    """倒排工期 for a key project, and a 时间节点 in the coming days for a task near one. Returns the nodes a
    report meets (those already due, except on a stalled project: its missed node keeps it yellow)."""
    if item.kind == ItemKind.PROJECT:
        made = projects.schedule_backwards(
            run.session,
            actor=run.supervisor,
            rules=run.rules,
            item_id=item.id,
            phases=PROJECT_PHASES,
            now=start,
        )
        met = [(m.id, m.due_at) for m in made if start < m.due_at - timedelta(days=2) < run.now]
        return [] if profile == "stalled" else met
    if profile == "near_node" and (item.deadline_at or run.now) > run.now:
        due = datetime.combine(
            run.rules.calendar.next_workday((run.now + timedelta(days=3)).date()), time(17, 30), CHINA
        )
        if item.deadline_at is None or due <= item.deadline_at:
            projects.add_milestone(
                run.session,
                actor=run.supervisor,
                rules=run.rules,
                item_id=item.id,
                label="阶段性成果验收",
                due_at=due,
                now=start,
            )
    return []


def _report(
    run: _Run,
    item: LedgerItem,
    officer: Actor,
    at: datetime,
    kind: str,
    share: float,
    narrative: str,
    milestone: int | None,
    next_steps: str = "按序时进度推进",
) -> None:
    data = NewReport(
        narrative=narrative,
        kind=kind,
        value_reached=_value(item, share),
        problems="" if share >= 0.2 else "前期手续办理较慢",
        next_steps=next_steps,
        milestone_id=milestone,
    )
    reports.report_progress(run.session, actor=officer, rules=run.rules, item_id=item.id, data=data, now=at)
    run.reports += 1


def _value(item: LedgerItem, share: float) -> float:
    """The value a task reaches at this share of its target (a percentage without a target)."""
    if item.target_value is None:
        return round(share * 100, 1)
    target = Target(
        item.target_subject,
        item.target_unit,
        item.target_value,
        item.target_baseline,
        Direction(item.target_direction),
    )
    span = target.value - target.baseline
    return round(target.baseline + span * share, 2)


def _narrative(item: LedgerItem, share: float, number: int) -> str:
    if number == 0:
        return f"已收到交办，成立专班，制定“{item.content[:20]}”推进方案"
    if number == 1:
        return "完成阶段性工作：摸底调查和任务分解已完成，进入实施阶段"
    return f"按计划推进，完成目标任务的 {share:.0%}"
