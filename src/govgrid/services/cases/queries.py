"""Reading cases as the permission table allows: one case, the cases an actor may see, a case's history,
and following a case by its number and 查询码."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition, still_open
from govgrid.db.paging import fetch_page
from govgrid.domain.assessment import Period
from govgrid.domain.case_fields import case_id_from_code
from govgrid.domain.case_filter import CaseFilter
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.follow import normalized
from govgrid.domain.moments import midnight
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach
from govgrid.domain.workflow import ClosureType, Status
from govgrid.services.assessment.metrics import drill
from govgrid.services.cases.reach import visible_cases


def get_case(session: Session, *, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    authorize(
        actor, Action.READ_CASES, area_code=case.scope_code, owner_id=case.reporter_id, unit_id=case.unit_id
    )
    return case


def list_cases(
    session: Session,
    *,
    actor: Actor,
    status: Status | None = None,
    paging: Paging = Paging(),
    near: tuple[float, float] | None = None,
    wanted: CaseFilter = CaseFilter(),
    rules: CaseRules | None = None,
) -> Paged[Case]:
    """A page of the cases the actor may see: in their area, assigned to their unit, or reported by them;
    newest first, or nearest first when `near` (a stored GCJ-02 point) is given — a grid worker's 核查 tasks
    near where they stand. Distance is ordered in SQL over every visible case, not only the newest page."""
    query = select(Case).where(*conditions(session, actor, wanted, rules))
    if status is not None:
        query = query.where(Case.status == status.value)
    if near is not None:  # the work near where one stands: what is still open
        query = query.where(still_open())
        query = query.order_by(Case.lng.is_(None), nearness(near), Case.id.desc())
    else:
        query = query.order_by(*ordering(wanted))
    return fetch_page(session, query, paging)


MAX_DRILLED = 30_000  # the cases one drill-down may name (a district's year is well inside it)


def conditions(
    session: Session, actor: Actor, wanted: CaseFilter, rules: CaseRules | None = None
) -> list[Any]:
    """Every SQL condition of a filtered list the actor reads: their reach, the filter, and a drill-down's
    cases (computed from the histories by the assessment's own terms, so a list and its figure agree: a
    drill-down needs the rules those terms are in)."""
    found = [visible_cases(actor), *matching(wanted)]
    if wanted.metric and wanted.period_from and wanted.period_to:
        if rules is None:
            raise ValueError("a drill-down is counted by the assessment's terms: pass the case rules")
        period = Period(wanted.period_from, wanted.period_to)
        ids = drill(
            session,
            actor=actor,
            rules=rules,
            period=period,
            metric=wanted.metric,
            without=wanted.without,
            limit=MAX_DRILLED + 1,
        )
        if len(ids) > MAX_DRILLED:
            raise InvalidInput(f"钻取的案件超过 {MAX_DRILLED} 件，请缩小期间或范围", field="period_to")
        found.append(Case.id.in_(ids) if ids else false())
    return found


def ordering(wanted: CaseFilter) -> list[Any]:
    """The ORDER BY of a filtered list (the list, the API and the export): the chosen column, empty values
    last either way, then the newest case first."""
    name, descending = wanted.order
    column = getattr(Case, name)
    return [column.is_(None), column.desc() if descending else column.asc(), Case.id.desc()]


def matching(wanted: CaseFilter) -> list[Any]:
    """The SQL conditions of a case filter (the API, the list page and its export share them)."""
    found: list[Any] = []
    if wanted.text:
        text = wanted.text
        numbered = case_id_from_code(text)
        found.append(
            or_(
                Case.id == (numbered or 0),
                Case.title.icontains(text, autoescape=True),
                Case.address.icontains(text, autoescape=True),
                Case.reporter_name.icontains(text, autoescape=True),
            )
        )
    if wanted.status is not None:
        found.append(Case.status == wanted.status.value)
    if wanted.class_code:
        found.append(Case.class_code.startswith(wanted.class_code, autoescape=True))
    if wanted.area_code:
        found.append(Case.scope_code.startswith(wanted.area_code, autoescape=True))
    if wanted.unit_id is not None:
        found.append(Case.unit_id == wanted.unit_id)
    if wanted.channel:
        found.append(Case.channel == wanted.channel)
    if wanted.overdue:
        found.append(or_(Case.is_overdue.is_(True), Case.closure_type == ClosureType.OVERDUE.value))
    if wanted.open:
        found.append(still_open())
    if wanted.supervised:
        found.append(Case.supervision_level >= 1)
    if wanted.reworked:
        found.append(Case.rework_count > 0)
    if wanted.reported_from is not None:
        found.append(Case.reported_at >= midnight(wanted.reported_from))
    if wanted.reported_to is not None:
        found.append(Case.reported_at < midnight(wanted.reported_to, days_after=1))
    return found


def count_cases(session: Session, *, actor: Actor, wanted: CaseFilter = CaseFilter()) -> int:
    """How many cases the list would hold for this actor and filter (the big screen's tiles and panels)."""
    return int(
        session.scalar(select(func.count()).select_from(Case).where(*conditions(session, actor, wanted))) or 0
    )


def status_counts(
    session: Session, *, actor: Actor, wanted: CaseFilter = CaseFilter(), rules: CaseRules | None = None
) -> dict[str, int]:
    """How many of the filtered cases the actor may see stand in each status (the list's tabs): the
    filter's own status is left out, so every tab counts what it would show."""
    wider = replace(wanted, status=None)
    rows = session.execute(
        select(Case.status, func.count())
        .where(*conditions(session, actor, wider, rules))
        .group_by(Case.status)
    )
    return {status: count for status, count in rows}


def nearness(point: tuple[float, float]) -> Any:
    """A SQL expression that orders cases as their distance from `point` would (an equirectangular square
    distance: exact in order at a district's scale, and plain arithmetic on both engines)."""
    lng, lat = point
    stretch = math.cos(math.radians(lat))
    return ((Case.lng - lng) * stretch) * ((Case.lng - lng) * stretch) + (Case.lat - lat) * (Case.lat - lat)


@dataclass(frozen=True)
class Entry:
    """One history row as a reader may see it."""

    id: int
    at: datetime
    actor_name: str
    step: str
    from_status: str | None
    to_status: str
    note: str
    public_note: str
    detail: dict[str, Any]


def sees_working_notes(actor: Actor) -> bool:
    """Staff read each other's working notes; a citizen, even on their own case, reads only what staff
    published (a note may name a caller, a phone, a home)."""
    return reach(actor, Action.READ_CASES) not in (Reach.NONE, Reach.OWN)


def as_seen(row: CaseTransition, actor: Actor) -> Entry:
    if sees_working_notes(actor):
        return Entry(
            row.id,
            row.at,
            row.actor_name,
            row.step,
            row.from_status,
            row.to_status,
            row.note,
            row.public_note,
            dict(row.detail),
        )
    own = row.actor_id is not None and row.actor_id == actor.user_id
    return Entry(
        row.id,
        row.at,
        actor.name if own else "工作人员",
        row.step,
        row.from_status,
        row.to_status,
        row.note if own else row.public_note,
        row.public_note,
        {},
    )


def timeline(session: Session, *, actor: Actor, case_id: int) -> list[Entry]:
    """A case's history, as this reader may see it."""
    get_case(session, actor=actor, case_id=case_id)
    rows = session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case_id).order_by(CaseTransition.id)
    )
    return [as_seen(row, actor) for row in rows]


def follow(session: Session, *, code: str, secret: str) -> tuple[Case, list[CaseTransition]]:
    """Anyone follows a case by its number and its 查询码 (given on the receipt). One answer for every
    mismatch, so numbers cannot be probed; the page shows no personal data. The caller throttles failures."""
    import hmac

    from govgrid.domain.case_fields import case_id_from_code

    missing = NotFound("未找到该案件：请核对案件编号和查询码")
    case_id = case_id_from_code(code.strip())
    if case_id is None:
        raise missing
    case = session.get(Case, case_id)
    if (
        case is None
        or case.code != code.strip()
        or not case.follow_secret
        or not hmac.compare_digest(case.follow_secret, normalized(secret))
    ):
        raise missing
    rows = session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.id)
    ).all()
    return case, list(rows)
