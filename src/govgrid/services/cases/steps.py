"""Taking a step on a case — the only way its status changes: the permission table, the loop's transition
table, the step's side effects (the unit and the clock on 派遣, rework, closure), a compare-and-set and
exactly one history row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, still_open
from govgrid.db.models import OrgUnit
from govgrid.domain.areas import district_of
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import Conflict, InvalidInput
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.public_note import check_public_note
from govgrid.domain.roles import Role
from govgrid.domain.text import check_chars
from govgrid.domain.workflow import (
    FORCED_CLOSURES,
    ClosureType,
    Decision,
    Loop,
    Status,
    Step,
    callback_answers,
    check_reason,
    next_status,
)
from govgrid.domain.worktime import Deadline
from govgrid.services.cases import forwarding, reply_review
from govgrid.services.cases.history import compare_and_set, record_history
from govgrid.services.cases.intake import deadline_columns
from govgrid.services.cases.queries import get_case
from govgrid.services.intelligence import labels
from govgrid.services.intelligence.suggestions import Suggester

STEP_ACTION = {
    Step.VERIFY: Action.VERIFY_CASE,
    Step.REGISTER: Action.REGISTER_CASE,
    Step.CANCEL: Action.REGISTER_CASE,
    Step.DISPATCH: Action.DISPATCH_CASE,
    Step.SIGN: Action.HANDLE_CASE,
    Step.HANDLE: Action.HANDLE_CASE,
    Step.FEED_BACK: Action.HANDLE_CASE,
    Step.RETURN: Action.HANDLE_CASE,
    Step.CONTACT: Action.HANDLE_CASE,
    Step.CHECK_PASS: Action.CHECK_CASE,
    Step.CHECK_FAIL: Action.CHECK_CASE,
    Step.PARK: Action.MANAGE_CASE,
    Step.UNPARK: Action.MANAGE_CASE,
    Step.FORCE_CLOSE: Action.MANAGE_CASE,
    Step.CALL_BACK: Action.DISPATCH_CASE,
    Step.EVALUATE: Action.MANAGE_CASE,
    Step.EXCLUDE: Action.MANAGE_CASE,
    Step.RELEASE_REPLY: Action.MANAGE_CASE,
    Step.FORWARD: Action.DISPATCH_CASE,
}
# 返工 of a held reply is the supervisor's decision (答复审核), not a grid worker's 核查
HELD_ACTION = {Step.CHECK_FAIL: Action.MANAGE_CASE}


def step_action(status: Status, step: Step) -> Action:
    """The permission a step needs from a status (the page, the API, the replay and the 待办 ask here)."""
    if status is Status.REPLY_HELD and step in HELD_ACTION:
        return HELD_ACTION[step]
    return STEP_ACTION[step]


def transition(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    case_id: int,
    step: Step,
    now: datetime,
    note: str = "",
    unit_code: str | None = None,
    expected_version: int | None = None,
    answers: dict[str, object] | None = None,
    closure_type: str | None = None,
    public_note: str = "",
    category: str | None = None,
    suggester: Suggester | None = None,
) -> Case:
    """Take one step on a case (the only way its status changes). 回访 needs the citizen's answers;
    `public_note` is what the public may read about the step (checked for personal data). On 派遣, a
    12345 `category` is kept as a labelled example beside the `suggester`'s prediction. A 12345 反馈's reply
    (the public note, else the note) is scored and kept in the history; a weak one is held at 答复待审."""
    if step is Step.FORWARD:  # forwarding.forward files the district's case with it
        raise InvalidInput("转办区县须选定区县：请用“转办区县”", field="step")
    case = get_case(session, actor=actor, case_id=case_id)
    authorize(
        actor,
        step_action(Status(case.status), step),
        area_code=case.scope_code,
        owner_id=case.reporter_id,
        unit_id=case.unit_id,
    )
    _take(
        session, actor=actor, rules=rules, case=case, step=step, now=now, note=note, unit_code=unit_code,
        expected_version=expected_version, answers=answers, closure_type=closure_type, public_note=public_note,
        category=category, suggester=suggester,
    )  # fmt: skip
    other = forwarding.relayed(session, case=case, step=step, note=note, answers=answers)
    if other is not None:  # a forwarded 12345 order's other row: the district's reply up, 回访 and 考评 down
        _take(
            session, actor=forwarding.RELAY, rules=rules, case=session.get_one(Case, other.case_id), step=other.step,
            now=now, note=other.note, answers=other.answers, hold=False,
        )  # fmt: skip
    session.commit()
    return case


def _take(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    case: Case,
    step: Step,
    now: datetime,
    note: str = "",
    unit_code: str | None = None,
    expected_version: int | None = None,
    answers: dict[str, object] | None = None,
    closure_type: str | None = None,
    public_note: str = "",
    category: str | None = None,
    suggester: Suggester | None = None,
    hold: bool = True,
) -> None:
    """Write one step on a case the caller may take it on (or, for a step relayed from the other row of a
    forwarded order, that was taken there): checked against the loop, compare-and-set, one history row."""
    check_chars(note, "note")
    check_reason(step, note)
    published = check_public_note(public_note, reporter_names=reporter_names(session, case))
    before = Status(case.status)
    after, reply = step_outcome(rules, case, step, now, public_note or note, hold=hold)
    unit_id = dispatch_unit(session, rules, case, unit_code) if step is Step.DISPATCH else None
    changes, detail = step_changes(
        rules, case, step, after, now, unit_id=unit_id, closure_type=closure_type, answers=answers
    )
    if category:
        if step is not Step.DISPATCH or suggester is None:
            raise InvalidInput("只有派遣时可以指定留言类别", field="category")
        labels.record(session, suggester, actor=actor, case=case, category=category, now=now)
        detail = {**detail, "category": category}
    if step is Step.RELEASE_REPLY and not published:
        published = reply_review.released_public_note(session, case.id)
    published, detail = reply_review.kept(after, reply, published, detail)
    compare_and_set(session, case, expected_version, status=after.value, **changes)
    record_history(
        session,
        case,
        actor=actor,
        step=step.value,
        from_status=before.value,
        now=now,
        note=note,
        detail=detail,
        public_note=published,
    )


def step_outcome(
    rules: CaseRules, case: Case, step: Step, now: datetime, reply: str, *, hold: bool = True
) -> tuple[Status, dict[str, Any] | None]:
    """The status a step leads to and, for a 12345 反馈, the scores of its reply: a weak reply is held at
    答复待审 (workflow.HELD) unless `hold` is off (a record of another system, whose 回访 has happened).
    Live steps and replayed records both go through here."""
    loop, status = Loop(case.loop), Status(case.status)
    after = next_status(loop, status, step)  # an illegal step is refused before its reply is read
    review = reply_review.review(rules, case, step, reply, now)
    held = hold and bool(review and review["weak"])
    return (next_status(loop, status, step, held=True) if held else after), review


def step_changes(
    rules: CaseRules,
    case: Case,
    step: Step,
    after: Status,
    now: datetime,
    *,
    unit_id: int | None = None,
    closure_type: str | None = None,
    answers: dict[str, object] | None = None,
    due_at: datetime | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a step changes besides the status (the unit and the clock on 派遣, closure, rework) and the
    history's detail of it; all checked before anything is written. `due_at` is a deadline a replayed
    record gives for 派遣, kept as given instead of counted from the catalogue."""
    changes = _effects(rules, case, step, after, now, unit_id, due_at)
    if step is Step.FORCE_CLOSE and closure_type is not None:  # 强制结案 as 特殊 (default) or 差错
        if closure_type not in FORCED_CLOSURES:
            raise InvalidInput("强制结案的结案类型须为 special（特殊）或 error（差错）", field="closure_type")
        changes["closure_type"] = closure_type
    detail = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in changes.items()}
    if step is Step.CALL_BACK:
        given = answers or {}
        detail["callback"] = callback_answers(
            given.get("contacted"), given.get("resolved"), given.get("satisfaction")
        )
    return changes, detail


def _effects(
    rules: CaseRules,
    case: Case,
    step: Step,
    after: Status,
    now: datetime,
    unit_id: int | None,
    due_at: datetime | None,
) -> dict[str, Any]:
    if step is Step.DISPATCH:
        if due_at is None:
            amount, time_unit = rules.limit_for(case.class_code, case.loop, case.urgency, at_dispatch=True)
            deadline = rules.calendar.due(now, amount, time_unit)
        else:
            deadline = Deadline(due_at, is_provisional=False)
        return {
            "unit_id": unit_id,
            "dispatched_at": now,
            "is_overdue": False,
            "warned_at": None,
            "supervision_level": 0,
            **deadline_columns(deadline),
        }
    if step is Step.RETURN:
        return {"unit_id": None, **deadline_columns(None)}
    if step is Step.CHECK_FAIL:
        return {"rework_count": case.rework_count + 1}
    if after is Status.CLOSED:
        late = case.due_at is not None and now > case.due_at
        kind = (
            ClosureType.SPECIAL
            if step is Step.FORCE_CLOSE
            else (ClosureType.OVERDUE if late else ClosureType.NORMAL)
        )
        return {"closed_at": now, "closure_type": kind}
    return {}


def dispatch_unit(session: Session, rules: CaseRules, case: Case, unit_code: str | None) -> int:
    """The unit a case is dispatched to: the one named, else the one the responsibility list names — a unit
    of the case's own district (or of the whole city): a case never leaves its district."""
    unit = _unit(session, unit_code or suggested_unit(rules, case))
    if unit.area_code and district_of(unit.area_code) != case.district_code:
        raise InvalidInput(f"{unit.name}属于另一区县：本案只能派给本区县（或市级）的单位", field="unit_code")
    return unit.id


def reschedule_provisional(session: Session, *, actor: Actor, rules: CaseRules, now: datetime) -> int:
    """Once a year's notice is entered: recompute every open case's provisional deadline from its clock
    start (派遣, or 受理 for a 12345 order not yet dispatched). Each is a compare-and-set with one history
    row; a deadline moved by an approved 延期 is the date the center granted and stays."""
    from govgrid.domain.history import SideAction

    moved = 0
    waiting = select(Case.id).where(Case.due_is_provisional.is_(True), still_open())
    for case_id in session.scalars(waiting).all():
        case = session.get(Case, case_id)
        if case is None or case.due_at is None or case.extension_state == Decision.APPROVED:
            continue
        start = case.dispatched_at or case.reported_at
        amount, unit = rules.limit_for(
            case.class_code, case.loop, case.urgency, at_dispatch=case.dispatched_at is not None
        )
        deadline = rules.calendar.due(start, amount, unit)
        before = case.due_at
        try:
            compare_and_set(session, case, None, **deadline_columns(deadline))
        except Conflict:
            continue  # someone moved it meanwhile; its next step recomputes the deadline anyway
        record_history(
            session,
            case,
            actor=actor,
            step=SideAction.RESCHEDULE.value,
            from_status=case.status,
            now=now,
            note=f"按正式节假日安排重算期限：{before.isoformat()} → {deadline.at.isoformat()}",
            detail={
                "due_at": deadline.at.isoformat(),
                "was": before.isoformat(),
                "provisional": deadline.is_provisional,
            },
        )
        session.commit()
        moved += 1
    return moved


def reporter_names(session: Session, case: Case) -> tuple[str, ...]:
    """The names a public note must not carry: the one given with the report, and the reporter's account's."""
    from govgrid.db.models import User

    account = session.get(User, case.reporter_id) if case.reporter_id else None
    shown = account.display_name if account is not None and account.role == Role.CITIZEN else ""
    return tuple(name for name in (case.reporter_name, shown) if name)


def suggested_unit(rules: CaseRules, case: Case) -> str:
    """The unit the responsibility list names for this class and grid (属地兜底 when none)."""
    unit = rules.responsibility.unit_for(
        rules.case_class(case.class_code), case.grid_code, case.district_code
    )
    if unit is None:
        raise InvalidInput("案件没有网格位置，无法按属地确定责任单位：请指定 unit_code", field="unit_code")
    return unit


def _unit(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise InvalidInput(f"责任单位“{code}”不存在", field="unit_code")
    return unit
