"""Side actions on a case that do not move it along the loop: 延期 and a supervisor's 督办.

延期 (DOMAIN.md §4): applied for with a reason before the deadline, by the unit handling the case;
classes the catalogue marks as not extendable are refused; the command center approves (the deadline
moves) or refuses. Each action is a compare-and-set on the case and one history row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.history import SIDE_LABEL, SideAction
from govgrid.domain.moments import check_moment
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.text import check_chars, required
from govgrid.domain.workflow import Status
from govgrid.domain.worktime import CHINA
from govgrid.services.cases.history import compare_and_set, record_history
from govgrid.services.cases.queries import get_case

IN_HAND = {
    Status.DISPATCHED.value,
    Status.SIGNED.value,
    Status.HANDLING.value,
    Status.ASSIGNED.value,
    Status.CONTACTED.value,
}


def _authorized(session: Session, actor: Actor, case_id: int, action: Action) -> Case:
    case = get_case(session, actor=actor, case_id=case_id)
    authorize(actor, action, area_code=case.scope_code, owner_id=case.reporter_id, unit_id=case.unit_id)
    return case


def _record(
    session: Session,
    case: Case,
    actor: Actor,
    side: SideAction,
    now: datetime,
    note: str,
    detail: dict[str, str],
) -> Case:
    check_chars(note, "note")
    record_history(
        session,
        case,
        actor=actor,
        step=side.value,
        from_status=case.status,
        now=now,
        note=note or SIDE_LABEL[side],
        detail=detail,
    )
    session.commit()
    return case


def request_extension(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    case_id: int,
    until: datetime,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> Case:
    """The handling unit asks for a later deadline, with a reason, before the deadline has passed."""
    case = _authorized(session, actor, case_id, Action.HANDLE_CASE)
    check_moment(until, "until")
    if case.status not in IN_HAND or case.due_at is None:
        raise InvalidInput("只有已派遣、办理中的案件可以申请延期", field="status")
    if not rules.case_class(case.class_code).is_extendable:
        raise InvalidInput(
            f"“{rules.case_class(case.class_code).name}”属一般案件，按规定不予延期", field="class_code"
        )
    if now >= case.due_at:
        raise InvalidInput("已超过处置时限，不能再申请延期", field="until")
    if until <= case.due_at:
        raise InvalidInput(
            f"申请的期限须晚于现期限 {case.due_at.astimezone(CHINA):%Y-%m-%d %H:%M}", field="until"
        )
    required(reason, "reason", "延期理由")
    if case.extension_state == "requested":
        raise InvalidInput("已有延期申请待审批", field="status")
    compare_and_set(session, case, expected_version, extension_until=until, extension_state="requested")
    return _record(
        session, case, actor, SideAction.EXTENSION_REQUEST, now, reason, {"until": until.isoformat()}
    )


def decide_extension(
    session: Session,
    *,
    actor: Actor,
    case_id: int,
    approve: bool,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> Case:
    """The command center approves (the deadline moves to the date asked for) or refuses a request."""
    case = _authorized(session, actor, case_id, Action.MANAGE_CASE)
    if case.extension_state != "requested" or case.extension_until is None:
        raise InvalidInput("该案件没有待审批的延期申请", field="status")
    if approve:
        compare_and_set(
            session,
            case,
            expected_version,
            due_at=case.extension_until,
            extension_state="approved",
            warned_at=None,
            due_is_provisional=False,
        )
        return _record(
            session,
            case,
            actor,
            SideAction.EXTENSION_APPROVE,
            now,
            note,
            {"due_at": case.extension_until.isoformat()},
        )
    compare_and_set(session, case, expected_version, extension_state="refused")
    return _record(session, case, actor, SideAction.EXTENSION_REFUSE, now, note, {})


def supervise_by_hand(
    session: Session,
    *,
    actor: Actor,
    case_id: int,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> Case:
    """A supervisor puts a case under 督办 at once, whatever its deadline (a leader's instruction, a complaint)."""
    case = _authorized(session, actor, case_id, Action.MANAGE_CASE)
    if Status(case.status).value in {Status.CLOSED.value, Status.CANCELLED.value}:
        raise InvalidInput("已办结的案件不能督办", field="status")
    required(note, "note", "督办要求")
    compare_and_set(session, case, expected_version, supervision_level=2)
    return _record(session, case, actor, SideAction.SUPERVISE_BY_HAND, now, note, {})


def request_appeal(session: Session, *, actor: Actor, case_id: int, reason: str, now: datetime) -> Case:
    """The unit that handled an evaluated 12345 order appeals against counting it (申诉), with a reason."""
    case = _authorized(session, actor, case_id, Action.HANDLE_CASE)
    if case.status != Status.EVALUATED.value:
        raise InvalidInput("只有已考评的 12345 工单可以申诉剔单", field="status")
    required(reason, "reason", "申诉理由")
    if case.appeal_state == "requested":
        raise InvalidInput("已有申诉待审核", field="status")
    compare_and_set(session, case, None, appeal_state="requested")
    return _record(session, case, actor, SideAction.APPEAL_REQUEST, now, reason, {})


def decide_appeal(
    session: Session, *, actor: Actor, rules: CaseRules, case_id: int, approve: bool, note: str, now: datetime
) -> Case:
    """A supervisor approves an appeal — the order is removed from assessment (剔单) — or refuses it."""
    from govgrid.domain.workflow import Step
    from govgrid.services.cases.steps import transition

    case = _authorized(session, actor, case_id, Action.MANAGE_CASE)
    if case.appeal_state != "requested":
        raise InvalidInput("该工单没有待审核的申诉", field="status")
    if approve:
        case.appeal_state = "approved"
        return transition(
            session,
            actor=actor,
            rules=rules,
            case_id=case_id,
            step=Step.EXCLUDE,
            now=now,
            note=note or "申诉通过，剔单",
        )
    compare_and_set(session, case, None, appeal_state="refused")
    return _record(session, case, actor, SideAction.APPEAL_REFUSE, now, note, {})
