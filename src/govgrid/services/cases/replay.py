"""Replaying a recorded history — a year of a demo district, or the orders an incumbent system hands over —
through the same rules as live work: each case is admitted and built by intake's `case_row` at its own
report time, each step goes through the loop's transition table and the permission table as its own actor
at its own time, and the deadlines the record gives are kept (not counted again from today's catalogue).
A step out of order, before the one before it, or by someone who may not take it is refused naming the
case and the step. Batched: one INSERT per table per batch, no commit per step; a batch is all or nothing.
Replayed cases are not linked as 相似案件 by the worker (that is for live intake)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.db.models import OrgUnit
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import DomainError, InvalidInput
from govgrid.domain.history import SIDE_LABEL, SideAction
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.public_note import check_public_note
from govgrid.domain.supervision import EFFECT, Policy, marks_between
from govgrid.domain.text import check_chars
from govgrid.domain.workflow import IN_HAND, Decision, Status, Step, check_reason
from govgrid.domain.worktime import CalendarUnknown, Deadline
from govgrid.services.cases import reply_review
from govgrid.services.cases.bulk import insert_cases
from govgrid.services.cases.history import history_row, record_histories
from govgrid.services.cases.intake import (
    Place,
    Report,
    admit,
    case_row,
    check_known_channel,
    deadline_columns,
    known_keys,
    places_of,
    retry_key,
)
from govgrid.services.cases.side_actions import extension_decision, extension_request
from govgrid.services.cases.steps import (
    reporter_names,
    step_action,
    step_changes,
    step_outcome,
    suggested_unit,
)
from govgrid.services.cases.sweeper import clock_of, mark_row
from govgrid.services.geo.locate import LocatorCache


@dataclass(frozen=True)
class PastStep:
    step: Step
    at: datetime
    actor: Actor
    note: str = ""
    public_note: str = ""
    unit_code: str | None = None  # 派遣 to this unit (else the responsibility list's)
    due_at: datetime | None = None  # the deadline the record gives for 派遣
    closure_type: str | None = None
    answers: dict[str, object] | None = None  # 回访


@dataclass(frozen=True)
class PastSide:
    """A request beside the loop in a record: 延期 asked for (with its date) and approved or refused."""

    action: SideAction
    at: datetime
    actor: Actor
    note: str = ""
    until: datetime | None = None  # the deadline asked for


@dataclass(frozen=True)
class PastExtension:
    """An extension another system approved, as its record gives it: the deadline moves to `until`. The
    old system's rule decided it (this catalogue's 一般案件 rule is not applied again); it must be later."""

    at: datetime
    actor: Actor
    until: datetime
    note: str = ""


SIDE_ACTION = {
    SideAction.EXTENSION_REQUEST: Action.HANDLE_CASE,
    SideAction.EXTENSION_APPROVE: Action.MANAGE_CASE,
    SideAction.EXTENSION_REFUSE: Action.MANAGE_CASE,
}


@dataclass(frozen=True)
class PastCase:
    reporter: Actor
    report: Report
    reported_at: datetime
    steps: Sequence[PastStep | PastSide | PastExtension] = ()
    due_at: datetime | None = None  # a 12345 order's dispatch deadline as the record gives it
    is_synthetic: bool = False  # made up (the demo year), not a record of real work
    origin: tuple[str, str] | None = None  # an imported record's own (source, number): its retry key; its
    # channel is then the record's (any known channel), not one its reporter may file under


@dataclass
class Replayed:
    cases: list[int] = field(default_factory=list)  # the new cases' ids, in the order given
    skipped: int = 0  # already there (the same sender's key): a replay may be run again


@dataclass(frozen=True)
class Marking:
    """Record the sweeper's 超期, 催办 and 督办 in the replayed histories, by its policy, up to `until`
    (the time of the replay: a case still open then carries the marks it has earned by now)."""

    policy: Policy
    until: datetime


class ReplayRefused(InvalidInput):
    """A recorded step the rules refuse; nothing of its batch was written."""


def replay(
    session: Session,
    *,
    rules: CaseRules,
    locator: LocatorCache,
    cases: Sequence[PastCase],
    batch: int = 500,
    marking: Marking | None = None,
) -> Replayed:
    """Write the recorded cases and their histories, `batch` cases to a transaction: their retry keys
    looked up and their points located once per batch, the cases and the history rows inserted in one
    statement each."""
    done = Replayed()
    units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
    for start in range(0, len(cases), batch):
        chunk = cases[start : start + batch]
        built: list[tuple[Case, list[dict[str, Any]]]] = []
        try:
            keys = [_key(rules, past) for past in chunk]
        except DomainError as exc:
            session.rollback()
            raise ReplayRefused(f"第 {start + 1} 批：{exc.message}", field=exc.field) from None
        present = _present(session, keys)
        places = places_of(session, locator, [past.report for past in chunk])
        for number, (past, key, place) in enumerate(zip(chunk, keys, places, strict=True), start=start + 1):
            if key[1] is not None and key in present:
                done.skipped += 1
                continue
            if key[1] is not None:
                present.add(key)  # the same record twice in one replay is written once
            try:
                built.append(_build(session, rules, units, past, key, place, marking))
            except DomainError as exc:
                session.rollback()
                raise ReplayRefused(f"第 {number} 件：{exc.message}{_where(exc)}", field=exc.field) from None
        ids = insert_cases(session, [_as_row(case) for case, _ in built]) if built else []
        rows = [
            row | {"case_id": case_id}
            for case_id, (_, history) in zip(ids, built, strict=True)
            for row in history
        ]
        record_histories(session, rows)
        session.commit()
        done.cases += ids
    return done


def _key(rules: CaseRules, past: PastCase) -> tuple[str, str | None]:
    """The record's retry key: an imported record's own, else its reporter's (who must own the channel)."""
    if past.origin is not None:
        check_known_channel(rules, past.report.channel)
        return past.origin
    return retry_key(rules, past.reporter, past.report)


def _present(session: Session, keys: list[tuple[str, str | None]]) -> set[tuple[str, str | None]]:
    """Which of the keys already name a case."""
    by_source: dict[str, list[str]] = {}
    for source, key in keys:
        if key is not None:
            by_source.setdefault(source, []).append(key)
    found: set[tuple[str, str | None]] = set()
    for source, numbers in by_source.items():
        found.update((source, key) for key in known_keys(session, source, numbers))
    return found


_CASE_DEFAULTS = {
    column.key: column.default.arg if column.default is not None and column.default.is_scalar else None
    for column in Case.__table__.columns
    if column.key != "id"
}


class _Draft:
    """A case being built in memory: its columns as plain attributes (the rules read and set them as on a
    Case), without the ORM's bookkeeping of every change — a replayed year sets a quarter of a million."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(_CASE_DEFAULTS)
        self.__dict__.update(row)


def _as_row(case: Case) -> dict[str, Any]:
    """The columns of a case built in memory, for one INSERT of the batch."""
    state = vars(case)
    return {key: state[key] for key in _CASE_DEFAULTS}


def _where(exc: DomainError) -> str:
    step = getattr(exc, "step", None)
    return f"（{step}）" if step else ""


def _build(
    session: Session,
    rules: CaseRules,
    units: dict[str, int],
    past: PastCase,
    key: tuple[str, str | None],
    place: Place | InvalidInput,
    marking: Marking | None = None,
) -> tuple[Case, list[dict[str, Any]]]:
    if isinstance(place, InvalidInput):
        raise place
    source, number = key
    admit(rules, past.reporter, past.report, place)
    row = case_row(rules, past.reporter, past.report, place, source=source, key=number, now=past.reported_at)
    if past.due_at is not None:
        row |= deadline_columns(Deadline(past.due_at, is_provisional=False))
    row["links_checked"] = True  # a recorded case is not searched for 相似案件: its time has passed
    row["is_synthetic"] = past.is_synthetic
    case = cast(Case, _Draft(row))
    history = [_row(case, past.reporter, "report", None, past.reported_at, past.report.title)]
    previous = past.reported_at
    for step in past.steps:
        if step.at < previous:
            name = _name(step)
            raise InvalidInput(f"“{name}”早于上一步（{previous.isoformat()}）", field="at")
        history += _marks(rules, marking, case, previous, step.at)
        if isinstance(step, PastSide):
            history.append(_side(rules, case, step))
        elif isinstance(step, PastExtension):
            history.append(_extension(case, step))
        else:
            history.append(_take(session, rules, units, case, step, hold=past.origin is None))
        previous = step.at
    if marking is not None and previous < marking.until:
        history += _marks(rules, marking, case, previous, marking.until)
    return case, history


def _marks(
    rules: CaseRules, marking: Marking | None, case: Case, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The sweeper's marks between two recorded steps, applied to the case as the sweeper applies them."""
    if marking is None or case.due_at is None or (not case.is_overdue and case.due_at >= end):
        return []  # no rung can fall due before `end` (the common case: cheap to tell)
    try:
        found = marks_between(clock_of(rules, case), start, end, rules.calendar, marking.policy)
    except CalendarUnknown:
        return []
    rows = []
    for mark, at in found:
        for name, value in EFFECT[mark].items():
            setattr(case, name, value)
        case.version += 1
        rows.append(mark_row(0, case.district_code, case.status, mark, at))
    return rows


def _take(
    session: Session, rules: CaseRules, units: dict[str, int], case: Case, step: PastStep, *, hold: bool
) -> dict[str, Any]:
    """One recorded step on the case being built: permission, transition table, effects, its history row.
    An imported record's reply is scored but not held (`hold`): its 回访 has already happened."""
    try:
        authorize(
            step.actor,
            step_action(Status(case.status), step.step),
            area_code=case.scope_code,
            owner_id=case.reporter_id,
            unit_id=case.unit_id,
        )
    except DomainError as exc:
        exc.step = f"{step.step.value} 由 {step.actor.username}"  # type: ignore[attr-defined]
        raise
    check_reason(step.step, step.note)
    before = Status(case.status)
    after, reply = step_outcome(rules, case, step.step, step.at, step.public_note or step.note, hold=hold)
    unit_id = None
    if step.step is Step.DISPATCH:
        code = step.unit_code or suggested_unit(rules, case)
        if code not in units:
            raise InvalidInput(f"责任单位“{code}”不存在", field="unit_code")
        unit_id = units[code]
    changes, detail = step_changes(
        rules,
        case,
        step.step,
        after,
        step.at,
        unit_id=unit_id,
        closure_type=step.closure_type,
        answers=step.answers,
        due_at=step.due_at,
    )
    for name, value in {"status": after.value, **changes}.items():
        setattr(case, name, value)
    case.version += 1
    published = (  # the reporter's names are read only when there is a note to check against them
        check_public_note(step.public_note, reporter_names=reporter_names(session, case))
        if step.public_note
        else ""
    )
    published, detail = reply_review.kept(after, reply, published, detail)
    return _row(case, step.actor, step.step.value, before.value, step.at, step.note, detail, published)


def _side(rules: CaseRules, case: Case, side: PastSide) -> dict[str, Any]:
    """One recorded side action: the same permission, refusals and changes as side_actions' services."""
    if side.action not in SIDE_ACTION:
        raise InvalidInput(f"历史回放不接受“{SIDE_LABEL[side.action]}”", field="step")
    authorize(
        side.actor,
        SIDE_ACTION[side.action],
        area_code=case.scope_code,
        owner_id=case.reporter_id,
        unit_id=case.unit_id,
    )
    check_chars(side.note, "note")
    if side.action is SideAction.EXTENSION_REQUEST:
        if side.until is None:
            raise InvalidInput("延期申请须有申请的期限", field="until")
        changes, detail = extension_request(rules, case, until=side.until, reason=side.note, now=side.at)
    else:
        _, changes, detail = extension_decision(case, approve=side.action is SideAction.EXTENSION_APPROVE)
    for name, value in changes.items():
        setattr(case, name, value)
    case.version += 1
    note = side.note or SIDE_LABEL[side.action]
    return _row(case, side.actor, side.action.value, case.status, side.at, note, detail)


def _name(step: PastStep | PastSide | PastExtension) -> str:
    if isinstance(step, PastSide):
        return step.action.value
    return SideAction.EXTENSION_APPROVE.value if isinstance(step, PastExtension) else step.step.value


def _extension(case: Case, extension: PastExtension) -> dict[str, Any]:
    """A recorded, approved extension: by someone who may approve one, on a case in hand, to a later date."""
    authorize(extension.actor, Action.MANAGE_CASE, area_code=case.scope_code, unit_id=case.unit_id)
    if Status(case.status) not in IN_HAND or case.due_at is None:
        raise InvalidInput("只有已派遣、办理中的案件可以延期", field="extended_due_at")
    if extension.until <= case.due_at:
        raise InvalidInput("延期后时限须晚于处置时限", field="extended_due_at")
    case.due_at, case.extension_until = extension.until, extension.until
    case.extension_state, case.due_is_provisional = Decision.APPROVED, False
    case.version += 1
    note = extension.note or SIDE_LABEL[SideAction.EXTENSION_APPROVE]
    detail = {"due_at": extension.until.isoformat(), "until": extension.until.isoformat()}
    return _row(
        case, extension.actor, SideAction.EXTENSION_APPROVE.value, case.status, extension.at, note, detail
    )


def _row(
    case: Case,
    actor: Actor,
    step: str,
    before: str | None,
    at: datetime,
    note: str,
    detail: dict[str, Any] | None = None,
    public_note: str = "",
) -> dict[str, Any]:
    return history_row(
        0,  # the case's id once it is written
        case.district_code,
        actor=actor,
        step=step,
        from_status=before,
        to_status=case.status,
        at=at,
        note=note,
        detail=detail,
        public_note=public_note,
    )
