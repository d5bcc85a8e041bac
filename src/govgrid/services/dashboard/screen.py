"""The big screen's panels (/screen), in the caller's data scope: 30 days of intake and closure, the month's
street and department ranking with 红黑榜, the top classes of the month and the classes and places rising
fastest this week, the ledger's red and yellow items with their countdowns, the grid workers on duty today
and today's patrol reports, and the open cases for the map. Every count is read through the case list's
own conditions (queries.conditions), so each number opens the list that holds exactly its cases."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition, still_open
from govgrid.db.models import User
from govgrid.domain.assessment import Period
from govgrid.domain.case_fields import case_code
from govgrid.domain.case_filter import CaseFilter
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach
from govgrid.domain.roles import Role
from govgrid.domain.worktime import CHINA
from govgrid.geo.crs import Crs, from_stored
from govgrid.services.assessment.metrics import Slice
from govgrid.services.assessment.ranking import ranking
from govgrid.services.cases import queries
from govgrid.services.ledger import boards

MAP_POINTS = 5_000  # open cases drawn on the screen's map, newest first
TREND_DAYS = 30


@dataclass
class Screen:
    today: date
    trend: dict[str, list[Any]] = field(default_factory=dict)  # days, intake, closed
    rankings: dict[str, dict[str, Any]] = field(default_factory=dict)  # street, department
    top_classes: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, count
    rising: list[dict[str, Any]] = field(default_factory=list)  # {kind, code, name, now, before}
    ledger: boards.Attention | None = None
    on_duty: list[str] = field(default_factory=list)  # grid workers' names
    patrols: list[Case] = field(default_factory=list)
    patrol_count: int = 0
    points: list[list[Any]] = field(default_factory=list)  # [lat, lng, status, id, code, class, overdue]
    ranked_month: Period | None = None  # the rankings are monthly: of the last whole month
    own: dict[str, Any] | None = None  # a street's or department's own place in the district's ranking


def last_month(today: date) -> Period:
    end = today.replace(day=1) - timedelta(days=1)
    return Period(end.replace(day=1), end)


def allowed(actor: Actor) -> None:
    """Who may open the big screen: whoever reads the assessment (leaders, the command center, streets,
    departments), in their own scope."""
    authorize(actor, Action.READ_ASSESSMENT, area_code=actor.scope_code, unit_id=actor.unit_id)


def screen(
    session: Session, *, actor: Actor, rules: CaseRules, now: datetime, crs: Crs = Crs.GCJ02
) -> Screen:
    """The screen in the caller's scope; its map points in `crs`, the tiles' system."""
    allowed(actor)
    today = now.astimezone(CHINA).date()
    found = Screen(today=today)
    found.trend = _trend(session, actor, today)
    month = Period(today.replace(day=1), today)
    found.ranked_month = last_month(today)
    for by in (Slice.STREET, Slice.DEPARTMENT):
        found.rankings[by.value] = ranking(
            session, actor=actor, rules=rules, period=found.ranked_month, by=by, scheme_id=""
        )
    found.own = own_place(session, actor=actor, rules=rules, period=found.ranked_month)
    names = {code: c.name for code, c in rules.classes.items()}
    month_counts = _by(session, actor, Case.class_code, month.first, today)
    found.top_classes = [(code, names.get(code, code), n) for code, n in month_counts.most_common(7)]
    found.rising = _rising(session, actor, today, names)
    if reach(actor, Action.READ_LEDGER) is not Reach.NONE:
        found.ledger = boards.attention(session, actor=actor, limit=10)
    found.on_duty = _on_duty(session, actor, today)
    patrols = CaseFilter(channel="patrol", reported_from=today, reported_to=today)
    found.patrols = queries.list_cases(session, actor=actor, wanted=patrols).items[:8]
    found.patrol_count = queries.count_cases(session, actor=actor, wanted=patrols)
    found.points = _points(session, actor, crs)
    return found


def own_place(session: Session, *, actor: Actor, rules: CaseRules, period: Period) -> dict[str, Any] | None:
    """A street officer's street, or a department officer's department, in the whole district's monthly
    ranking: its own place, score and the number ranked — nothing of the others (the published 红黑榜
    carries them). None for callers who see the whole ranking already."""
    if actor.role is Role.STREET_OFFICER and actor.scope_code:
        by, code = Slice.STREET, actor.scope_code[:9]
    elif actor.role is Role.DEPARTMENT_OFFICER and actor.unit_id is not None:
        by, code = Slice.DEPARTMENT, str(actor.unit_id)
    else:
        return None
    reader = Actor(
        user_id=None,
        username="ranking",
        role=Role.LEADER,
        scope_code=code[:6] if by is Slice.STREET else (actor.scope_code or "")[:6],
    )  # the district's view, of which only the caller's row is kept
    board = ranking(session, actor=reader, rules=rules, period=period, by=by, scheme_id="")
    mine = next((e for e in board["ranked"] if e["code"] == code), None)
    return {
        "by": by.value,
        "place": mine["place"] if mine else None,
        "of": len(board["ranked"]),
        "score": mine["score"] if mine else None,
        "red": any(e["code"] == code for e in board["red"]),
        "black": any(e["code"] == code for e in board["black"]),
    }


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, CHINA)


def _trend(session: Session, actor: Actor, today: date) -> dict[str, list[Any]]:
    first = today - timedelta(days=TREND_DAYS - 1)
    days = [first + timedelta(days=n) for n in range(TREND_DAYS)]
    seen = queries.conditions(session, actor, CaseFilter())
    since = _midnight(first)
    intake = Counter(
        moment.astimezone(CHINA).date()
        for moment in session.scalars(select(Case.reported_at).where(*seen, Case.reported_at >= since))
    )
    closed = Counter(
        moment.astimezone(CHINA).date()
        for moment in session.scalars(select(Case.closed_at).where(*seen, Case.closed_at >= since))
        if moment is not None
    )
    return {
        "days": [d.strftime("%m-%d") for d in days],
        "dates": [d.isoformat() for d in days],
        "intake": [intake.get(d, 0) for d in days],
        "closed": [closed.get(d, 0) for d in days],
    }


def _by(session: Session, actor: Actor, column: Any, first: date, last: date) -> Counter[str]:
    where = queries.conditions(session, actor, CaseFilter(reported_from=first, reported_to=last))
    rows = session.execute(select(column, func.count()).where(*where).group_by(column))
    return Counter({code: n for code, n in rows if code})


def _rising(session: Session, actor: Actor, today: date, names: dict[str, str]) -> list[dict[str, Any]]:
    """The classes and communities whose last 7 days hold the most more cases than the 7 before."""
    week, before = today - timedelta(days=6), today - timedelta(days=13)
    found = []
    community = func.substr(Case.scope_code, 1, 12)
    for kind, column, label in (("class", Case.class_code, names), ("place", community, None)):
        now, then = (
            _by(session, actor, column, week, today),
            _by(session, actor, column, before, week - timedelta(days=1)),
        )
        grew = sorted(((now[c] - then.get(c, 0), c) for c in now if now[c] > then.get(c, 0)), reverse=True)
        for _, code in grew[: 4 if kind == "class" else 3]:
            if kind == "place" and len(code) < 12:
                continue
            found.append(
                {
                    "kind": kind,
                    "code": code,
                    "name": (label or {}).get(code, code),
                    "now": now[code],
                    "before": then.get(code, 0),
                    "from": week.isoformat(),
                    "to": today.isoformat(),
                }
            )
    return found


def _on_duty(session: Session, actor: Actor, today: date) -> list[str]:
    """Grid workers with a report or a step today on a case the caller may see."""
    seen = queries.conditions(session, actor, CaseFilter())
    rows = session.scalars(
        select(User.display_name)
        .join(CaseTransition, CaseTransition.actor_id == User.id)
        .join(
            Case, (Case.district_code == CaseTransition.district_code) & (Case.id == CaseTransition.case_id)
        )
        .where(User.role == Role.GRID_WORKER.value, CaseTransition.at >= _midnight(today), *seen)
        .distinct()
        .limit(200)
    )
    return sorted(rows)


def _points(session: Session, actor: Actor, crs: Crs) -> list[list[Any]]:
    seen = queries.conditions(session, actor, CaseFilter())
    rows = session.execute(
        select(Case.lat, Case.lng, Case.status, Case.id, Case.reported_at, Case.class_code, Case.is_overdue)
        .where(*seen, still_open(), Case.lng.is_not(None))
        .order_by(Case.reported_at.desc())
        .limit(MAP_POINTS)
    )

    points = []
    for r in rows:
        lng, lat = from_stored(r.lng, r.lat, crs) if crs is not Crs.GCJ02 else (r.lng, r.lat)
        points.append([lat, lng, r.status, r.id, case_code(r.reported_at, r.id), r.class_code, r.is_overdue])
    return points
