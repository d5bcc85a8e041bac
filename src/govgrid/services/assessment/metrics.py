"""考核指标 of a period by a slice, read from the case history (domain.assessment): the rows and the total
of GET /api/v1/assessment/metrics, and the cases behind any figure (the case list's drill-down). Each
caller counts only the cases it may see. This is the plain path — every case that can count in the
period is read with its history up to the period's end; issue 11's rollups will answer the same."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition, still_open
from govgrid.db.models import OrgUnit, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.assessment import (
    Period,
    events_of,
    facts_at,
    outcomes,
    previous_period,
    totals,
    with_rates,
    year_before,
)
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import Action, Actor, Reach, reach, scope_filter
from govgrid.domain.sources import channel_labels
from govgrid.domain.workflow import Loop
from govgrid.services.assessment import rollup_sums, rollups
from govgrid.services.assessment.ledger_figures import ledger_figures
from govgrid.services.cases.reach import visible_cases
from govgrid.services.geo import geography


class Slice(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    DEPARTMENT = "department"
    CLASS = "class"
    CHANNEL = "channel"
    WORKER = "worker"


AREA_DIGITS = {Slice.DISTRICT: 6, Slice.STREET: 9, Slice.COMMUNITY: 12, Slice.GRID: 15}
CATCH_UP = 5_000  # cases a request rolls before it reads the rollups; more wait for the worker
NOWHERE = {  # the row of the cases a slice cannot place
    Slice.DEPARTMENT: "未派遣",
    Slice.WORKER: "无责任网格员",
    Slice.GRID: "未定位",
    Slice.COMMUNITY: "未定位",
    Slice.STREET: "未定位",
}


@dataclass(frozen=True)
class Counted:
    case_id: int
    share: dict[str, float]
    attributes: dict[str, Any]  # what slices read: area code, unit, class, channel


def districts_only() -> Any:
    """The cases the assessment counts: a district's. A city's own 12345 orders (its partition's code ends in
    00, as 370100) are answered by the districts' cases they are handed to (services.cases.forwarding): those
    count, so a complaint counts once across the city."""
    return Case.district_code.not_like("____00")


def counted_cases(
    session: Session, *, actor: Actor, rules: CaseRules, period: Period, where: Any = None
) -> Iterator[Counted]:
    """Every case the actor may see (and that meets `where`) that can count in the period, with its share
    of each count. A case finished before the period began cannot count in it: every other may (one closed
    after the period whose deadline fell in it is due and overdue there)."""
    scope_filter(actor, Action.READ_ASSESSMENT)
    moved = select(CaseTransition.case_id).where(CaseTransition.at >= period.start)
    candidates = (
        select(Case.id, Case.loop, Case.scope_code, Case.grid_code, Case.class_code, Case.channel)
        .where(visible_cases(actor), Case.reported_at < period.end, districts_only())
        .where(or_(still_open(), Case.id.in_(moved)))
    )
    if where is not None:
        candidates = candidates.where(where)
    cases = {row.id: row for row in session.execute(candidates)}
    if not cases:
        return
    history = session.execute(
        select(
            CaseTransition.case_id,
            CaseTransition.at,
            CaseTransition.step,
            CaseTransition.to_status,
            CaseTransition.detail,
        )
        .where(
            CaseTransition.case_id.in_(candidates.with_only_columns(Case.id)), CaseTransition.at < period.end
        )
        .order_by(CaseTransition.case_id, CaseTransition.id)
    )
    rows: dict[int, list[Any]] = defaultdict(list)

    def work_hours(start: Any, end: Any) -> float:
        return rules.calendar.work_time_between(start, end).total_seconds() / 3600

    for case_id, at, step, to_status, detail in history:
        rows[case_id].append((at, step, to_status, detail))
    terms = rules.assessment.terms
    for case_id, row in cases.items():
        facts = facts_at(Loop(row.loop), events_of(rows.get(case_id, [])), period.end)
        share = outcomes(facts, period, terms, work_hours)
        if share:
            yield Counted(
                case_id,
                share,
                {
                    "area": row.grid_code or row.scope_code,
                    "unit": facts.unit_id,
                    "class": row.class_code,
                    "channel": row.channel,
                    "grid": row.grid_code,
                },
            )


def metrics(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    period: Period,
    by: Slice,
    compare: bool = True,
    plain: bool = False,
) -> dict[str, Any]:
    """{from, to, by, rows: [{code, name, …every count and rate}], total, ledger, mom, yoy} — total over
    every case counted; mom and yoy the same for the period before and the same dates a year before.
    Read from the rollups where they answer the slice and the caller's scope (areas down to the community,
    departments, classes, channels; a caller seeing everything or an area), else — or with `plain` — from
    the history itself; both give the same figures (tests/services/test_assessment_rollups.py)."""
    found = _figures(session, actor, rules, period, by, plain)
    found["ledger"] = ledger_figures(session, actor=actor, period=period)
    if compare:
        for key, other in (("mom", previous_period(period)), ("yoy", year_before(period))):
            found[key] = _figures(session, actor, rules, other, by, plain)
    return found


def _figures(
    session: Session, actor: Actor, rules: CaseRules, period: Period, by: Slice, plain: bool
) -> dict[str, Any]:
    scope_filter(actor, Action.READ_ASSESSMENT)
    grouped = None if plain else rolled_up(session, actor, rules, period, by)
    if grouped is None:
        grouped = _grouped_plain(session, actor, rules, period, by)
    names = _names(session, rules, by, {code for code in grouped if code})
    rows = [
        {
            "code": code,
            "name": names.get(code, code) if code else NOWHERE.get(by, "—"),
            **with_rates(counts),
        }
        for code, counts in sorted(grouped.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    ]
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "by": by.value,
        "rows": rows,
        "total": with_rates(totals(grouped.values())),
    }


def _grouped_plain(
    session: Session, actor: Actor, rules: CaseRules, period: Period, by: Slice, where: Any = None
) -> dict[str | None, dict[str, float]]:
    counted = list(counted_cases(session, actor=actor, rules=rules, period=period, where=where))
    keys = _keys(session, by, counted)
    grouped: dict[str | None, list[dict[str, float]]] = defaultdict(list)
    for item in counted:
        grouped[keys(item)].append(item.share)
    return {code: totals(shares) for code, shares in grouped.items()}


def rolled_up(
    session: Session, actor: Actor, rules: CaseRules, period: Period, by: Slice
) -> dict[str | None, dict[str, float]] | None:
    """The counts by slice from the rollups, brought up to date first; None where they cannot answer."""
    from datetime import UTC, datetime

    if by in (Slice.GRID, Slice.WORKER) or reach(actor, Action.READ_CASES) is Reach.UNIT:
        return None
    narrowing = scope_filter(actor, Action.READ_CASES)
    prefix = narrowing.area_prefix or ""
    if not narrowing.everything and not 2 <= len(prefix) <= AREA_DIGITS[Slice.COMMUNITY]:
        return None
    # a city's (or a province's) scope: each of its districts; else the one district the scope lies in
    districts = [d for d in rollups.districts(session) if narrowing.everything or d.startswith(prefix[:6])]
    waiting: dict[str, Any] = {}
    for code in districts:
        now = datetime.now(UTC)
        caught = session.info.get("read_only") or rollups.catch_up(  # a replica: the primary's worker rolls
            session, rules=rules, district_code=code, now=now, most=CATCH_UP
        )
        if caught is None:
            return None  # a backlog (an import, a calendar change): the worker rolls it, the history answers
        waiting[code] = rollups.pending(session, rules=rules, district_code=code, most=CATCH_UP)
        if waiting[code] is None:
            return None

    grouped = rollup_sums.sums(
        session,
        waiting=waiting,
        period=period,
        digits=AREA_DIGITS.get(by),
        column=rollup_sums.SLICE_COLUMNS.get(by.value),
        districts=districts,
        scope_prefix=prefix,
    )
    if prefix and narrowing.owner_id is not None:  # their own reports outside their area, as the plain path
        outside = list(
            session.scalars(  # by the reporter index: few or none (a leader rarely reports elsewhere)
                select(Case.id)
                .where(Case.reporter_id == narrowing.owner_id, ~Case.scope_code.startswith(prefix))
                .limit(MOST_OUTSIDE + 1)
            )
        )
        if len(outside) > MOST_OUTSIDE:
            return None  # the plain path reads them all
        if not outside:
            return grouped
        for place, counts in _grouped_plain(session, actor, rules, period, by, Case.id.in_(outside)).items():
            into = grouped.setdefault(place, dict.fromkeys(counts, 0.0))
            for name, value in counts.items():
                into[name] = into.get(name, 0) + value
    return grouped


MOST_OUTSIDE = 1_000  # own reports outside the caller's area read case by case on top of the rollups


def drill(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    period: Period,
    metric: str,
    without: str = "",
    limit: int = 50_000,
) -> list[int]:
    """The ids of the cases behind a figure: counted in `metric` and not in `without`, in the period."""
    from govgrid.domain.assessment import matches

    found = [
        c.case_id
        for c in counted_cases(session, actor=actor, rules=rules, period=period)
        if matches(c.share, metric, without)
    ]
    return found[:limit]


def _keys(session: Session, by: Slice, counted: list[Counted]) -> Any:
    if by in AREA_DIGITS:
        digits = AREA_DIGITS[by]
        return lambda c: c.attributes["area"][:digits] if len(c.attributes["area"] or "") >= digits else None
    if by is Slice.DEPARTMENT:
        return lambda c: str(c.attributes["unit"]) if c.attributes["unit"] is not None else None
    if by is Slice.WORKER:
        grids = {c.attributes["grid"] for c in counted if c.attributes["grid"]}
        workers = (
            dict(
                session.execute(
                    select(UnitGrid.code, ResponsibilityGrid.worker_id)
                    .join(ResponsibilityGrid, ResponsibilityGrid.code == UnitGrid.responsibility_grid_code)
                    .where(UnitGrid.code.in_(grids))
                ).all()
            )
            if grids
            else {}
        )
        return lambda c: str(workers[c.attributes["grid"]]) if workers.get(c.attributes["grid"]) else None
    field = "class" if by is Slice.CLASS else "channel"
    return lambda c: c.attributes[field]


def _names(session: Session, rules: CaseRules, by: Slice, codes: set[str]) -> dict[str, str]:
    if by in AREA_DIGITS:
        return geography.area_names(session, codes)
    if by is Slice.DEPARTMENT:
        ids = [int(code) for code in codes]
        return {
            str(i): name
            for i, name in session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)))
        }
    if by is Slice.WORKER:
        ids = [int(code) for code in codes]
        return {
            str(i): name
            for i, name in session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
        }
    if by is Slice.CLASS:
        return {code: rules.classes[code].name for code in codes if code in rules.classes}
    return {code: name for code, name in channel_labels(rules).items() if code in codes}
