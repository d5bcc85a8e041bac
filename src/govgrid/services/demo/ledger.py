"""The demo's 督办台账: the three work plans in ../shared/seeds (catalog/demo_ledger.yaml) entered as
campaigns, with a year of progress reports so that every light colour shows on the day the demo is built.

Each campaign is dated in the current year, or the last one if it would start less than a month ago.
Reports follow the task's schedule (序时进度) with the first answer and the staged result in time; a few
tasks stall (黄), a few are finished and closed (灰), a few have a 时间节点 in the coming days (蓝), and the
unfinished tasks of a campaign whose deadline has passed are red (红). Which task gets which profile is
fixed by its position, so the demo is the same every time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem, LedgerMilestone, ProgressReport
from govgrid.db.models import OrgUnit
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import Direction, Light, Target, expected_progress
from govgrid.domain.ledger_schedule import Phase, backward_schedule
from govgrid.domain.ledger_sheet import day_end, day_start
from govgrid.domain.permissions import SYSTEM
from govgrid.domain.worktime import CHINA
from govgrid.services import audit
from govgrid.services.ledger.items import LedgerRules, recompute
from govgrid.services.ledger.ladder import escalate_due

CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "demo_ledger.yaml"
PROFILES = ("on_track", "stalled", "on_track", "closed", "near_node")


@dataclass(frozen=True)
class DemoLedger:
    campaigns: int
    items: int
    reports: int
    lights: dict[str, int]


def load_spec(path: Path = CATALOG) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["campaigns"])


def campaign_year(assigned: str, now: datetime) -> int:
    """This year, unless the campaign would have started less than 30 days ago: then last year's."""
    local = now.astimezone(CHINA)
    month, day = (int(x) for x in assigned.split("-"))
    return local.year if date(local.year, month, day) <= local.date() - timedelta(days=30) else local.year - 1


def _on(year: int, month_day: str) -> datetime:
    month, day = (int(x) for x in month_day.split("-"))
    return datetime(year, month, day, tzinfo=CHINA)


def build_demo_ledger(
    session: Session,
    *,
    rules: LedgerRules,
    area_code: str,
    now: datetime,
    spec: list[dict[str, Any]] | None = None,
) -> DemoLedger:
    """Enter the campaigns and their history; idempotent (skipped when the campaigns exist)."""
    spec = spec if spec is not None else load_spec()
    existing = set(session.scalars(select(LedgerItem.number).where(LedgerItem.parent_id.is_(None))))
    units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
    reports = 0
    position = 0
    for campaign in spec:
        if campaign["number"] in existing:
            continue
        year = campaign_year(campaign["assigned"], now)
        root = _add(session, None, "campaign", campaign, campaign, year, area_code, units, now)
        for measure in campaign["measures"]:
            node = _add(session, root, "measure", measure, campaign, year, area_code, units, now)
            for task in measure["tasks"]:
                leaf = _add(
                    session, node, task.get("kind", "task"), task, campaign, year, area_code, units, now
                )
                profile = PROFILES[position % len(PROFILES)]
                reports += _history(session, leaf, profile, rules, now)
                if leaf.kind == "project":
                    _schedule(session, leaf, profile, rules, now)
                position += 1
    session.flush()
    recompute(session, rules=rules, now=now, commit=False)
    audit.record(
        session,
        actor=SYSTEM,
        action="ledger.demo",
        entity_type="ledger_item",
        entity_id="demo",
        now=now,
        scope_code=area_code,
        detail={"campaigns": len(spec), "reports": reports},
    )
    session.commit()
    escalate_due(session, rules=rules, now=now)  # the ladder's first steps on what is late today
    lights: dict[str, int] = {}
    for (colour,) in session.execute(
        select(LedgerItem.light).where(LedgerItem.kind.in_(("task", "project")))
    ):
        lights[colour] = lights.get(colour, 0) + 1
    items = len(session.scalars(select(LedgerItem.id)).all())
    return DemoLedger(campaigns=len(spec), items=items, reports=reports, lights=lights)


def _add(
    session: Session,
    parent: LedgerItem | None,
    kind: str,
    row: dict[str, Any],
    campaign: dict[str, Any],
    year: int,
    area_code: str,
    units: dict[str, int],
    now: datetime,
) -> LedgerItem:
    target = row.get("target") or {}
    lead = row.get("lead_unit") or campaign.get("lead_unit")
    for code in [lead, *row.get("co_units", [])]:
        if code and code not in units:
            raise InvalidInput(
                f"演示台账中的单位“{code}”不在单位名录中（catalog/demo_ledger.yaml，{row['number']}）",
                field="lead_unit",
            )
    item = LedgerItem(
        parent_id=parent.id if parent else None,
        kind=kind,
        number=str(row["number"]),
        content=row.get("content") or row.get("name") or "",
        source=campaign.get("source", ""),
        area_code=area_code,
        lead_unit_id=units.get(lead) if lead else None,
        co_unit_ids=[units[c] for c in row.get("co_units", [])],
        leader=row.get("leader") or campaign.get("leader", ""),
        officer=row.get("officer") or campaign.get("officer", ""),
        ambassador="",
        assigned_at=day_start(_on(year, campaign["assigned"])),
        deadline_at=day_end(_on(year, row.get("deadline") or campaign["deadline"])),
        consequence=row.get("consequence") or campaign.get("consequence", ""),
        weight=row.get("weight"),
        sla_code=campaign.get("sla") if kind in ("task", "project") else None,
        target_subject=target.get("subject", ""),
        target_unit=target.get("unit", ""),
        target_value=target.get("value"),
        target_baseline=float(target.get("baseline", 0) or 0),
        target_direction=target.get("direction", "increase"),
        target_qualifier=target.get("qualifier", "") or "",
        status="open",
        progress=0.0,
        light=Light.GREEN.value,
        version=1,
    )
    session.add(item)
    session.flush()
    item.campaign_id = parent.campaign_id if parent else item.id
    session.add(
        LedgerEvent(
            item_id=item.id,
            at=item.assigned_at or now,
            actor_name="supervisor",
            action="create",
            note=item.content[:60],
            detail={},
        )
    )
    return item


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


def _history(session: Session, item: LedgerItem, profile: str, rules: LedgerRules, now: datetime) -> int:
    """Reports from assignment to today in the task's profile; returns how many were filed."""
    assert item.assigned_at is not None and item.deadline_at is not None
    start, deadline = item.assigned_at, item.deadline_at
    until = min(now, deadline)
    calendar = rules.calendar
    # 三天有回音、七天有阶段性成果: an answer the next working day, a staged result on the fifth, at 10:00
    moments = [datetime.combine(calendar.add_workdays(start, n).date(), time(10), CHINA) for n in (1, 5)]
    month = (start.astimezone(CHINA).replace(day=10) + timedelta(days=31)).replace(day=10)
    while month < until:
        moments.append(datetime.combine(calendar.next_workday(month.date()), time(10), CHINA))
        month = (month + timedelta(days=31)).replace(day=10)
    moments = [m for m in moments if m <= until]
    past = deadline < now
    finish = profile == "closed" or (past and profile in ("on_track", "near_node") and item.id % 2 == 0)
    filed = 0
    for number, moment in enumerate(moments):
        share = expected_progress(start, deadline, moment)
        if profile == "stalled" or (past and not finish):
            share = min(share, 0.35) * 0.6
        elif finish:
            share = min(1.0, share * 1.6)
        kind = ("progress", "staged_result")[number] if number < 2 else "progress"
        session.add(
            ProgressReport(
                item_id=item.id,
                kind=kind,
                reported_at=moment,
                reported_by="dept_officer",
                value_reached=_value(item, share),
                narrative=_narrative(item, share, number),
                problems="" if share >= 0.2 else "前期手续办理较慢",
                next_steps="按序时进度推进",
            )
        )
        filed += 1
    if finish:
        done = min(until, calendar.add_workdays(moments[-1] if moments else start, 2))
        session.add(
            ProgressReport(
                item_id=item.id,
                kind="resolved",
                reported_at=done,
                reported_by="dept_officer",
                value_reached=_value(item, 1.0),
                narrative="已全面完成目标任务",
                next_steps="巩固成果，申请销号",
            )
        )
        item.status = "closed"
        session.add(
            LedgerEvent(
                item_id=item.id,
                at=done,
                actor_name="supervisor",
                action="close_approve",
                note="核查属实，同意销号",
                detail={},
            )
        )
        filed += 1
    elif profile == "near_node" and not past:
        due = datetime.combine(calendar.next_workday((now + timedelta(days=3)).date()), time(17, 30), CHINA)
        session.add(LedgerMilestone(item_id=item.id, label="阶段性成果验收", kind="step", due_at=due))
    return filed


PROJECT_PHASES = (
    Phase("前期手续", 30),
    Phase("开工", 5, "start"),
    Phase("主体施工", 90),
    Phase("竣工验收", 15, "finish"),
)


def _schedule(session: Session, item: LedgerItem, profile: str, rules: LedgerRules, now: datetime) -> None:
    """倒排工期 for a key project: phases counted back from its deadline; those already due are met, except on
    a stalled project (its missed 时间节点 keeps it yellow)."""
    assert item.deadline_at is not None
    for phase, due in backward_schedule(item.deadline_at, PROJECT_PHASES, rules.calendar):
        done = due - timedelta(days=2) if due < now and profile != "stalled" else None
        session.add(
            LedgerMilestone(item_id=item.id, label=phase.label, kind=phase.kind, due_at=due, done_at=done)
        )


def _narrative(item: LedgerItem, share: float, number: int) -> str:
    if number == 0:
        return f"已收到交办，成立专班，制定“{item.content[:20]}”推进方案"
    if number == 1:
        return "完成阶段性工作：摸底调查和任务分解已完成，进入实施阶段"
    return f"按计划推进，完成目标任务的 {share:.0%}"
