"""Side actions on a case that do not move it along the loop: 延期 and a supervisor's 督办.

延期 (DOMAIN.md §4): applied for with a reason before the deadline, by the unit handling the case;
classes the catalogue marks as not extendable are refused; the command center approves (the deadline
moves) or refuses. Each action is a compare-and-set on the case and one history row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.history import SIDE_LABEL, SideAction
from govgrid.domain.instructions import instruction_text
from govgrid.domain.moments import check_moment
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.text import check_chars, required
from govgrid.domain.workflow import FINAL, IN_HAND, Decision, Status
from govgrid.domain.worktime import CHINA
from govgrid.services.cases.history import compare_and_set, record_history
from govgrid.services.cases.queries import get_case


def _authorized(session: Session, actor: Actor, case_id: int, action: Action) -> Case:
    case = get_case(session, actor=actor, case_id=case_id)
    authorize(actor, action, area_code=case.scope_code, owner_id=case.reporter_id, unit_id=case.unit_id)
    return case


def extension_refusal(rules: CaseRules, case: Case, now: datetime) -> InvalidInput | None:
    """Why 延期 cannot be asked for now — or None. The service refuses with it; the page offers the form
    only when there is none."""
    if Status(case.status) not in IN_HAND or case.due_at is None:
        return InvalidInput("只有已派遣、办理中的案件可以申请延期", field="status")
    case_class = rules.case_class(case.class_code)
    if not case_class.is_extendable:
        return InvalidInput(f"“{case_class.name}”属一般案件，按规定不予延期", field="class_code")
    if now >= case.due_at:
        return InvalidInput("已超过处置时限，不能再申请延期", field="until")
    if case.extension_state == Decision.REQUESTED:
        return InvalidInput("已有延期申请待审批", field="status")
    return None


def decision_refusal(case: Case) -> InvalidInput | None:
    if case.extension_state != Decision.REQUESTED or case.extension_until is None:
        return InvalidInput("该案件没有待审批的延期申请", field="status")
    return None


def supervision_refusal(case: Case) -> InvalidInput | None:
    if Status(case.status) in FINAL:
        return InvalidInput("已办结的案件不能督办", field="status")
    if case.supervision_level >= 2:
        return InvalidInput("案件已在督办中", field="supervision_level")
    return None


def open_to(actor: Actor, rules: CaseRules, case: Case, now: datetime) -> dict[str, bool]:
    """The side actions this actor may take on the case now (the forms the case page shows)."""

    def may(action: Action) -> bool:
        try:
            authorize(
                actor, action, area_code=case.scope_code, owner_id=case.reporter_id, unit_id=case.unit_id
            )
        except (Forbidden, NotFound):
            return False
        return True

    return {
        "extend": may(Action.HANDLE_CASE) and extension_refusal(rules, case, now) is None,
        "decide": may(Action.MANAGE_CASE) and decision_refusal(case) is None,
        "supervise": may(Action.MANAGE_CASE) and supervision_refusal(case) is None,
        "instruct": may(Action.INSTRUCT),
    }


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


def extension_request(
    rules: CaseRules, case: Case, *, until: datetime, reason: str, now: datetime
) -> tuple[dict[str, object], dict[str, str]]:
    """The changes and history detail of a request for a later deadline — what the service and a replayed
    history both write. Refused before the case is in hand, for an ordinary class, after the deadline, for a
    date not later than it, or without a reason."""
    check_moment(until, "until")
    if (refusal := extension_refusal(rules, case, now)) is not None:
        raise refusal
    assert case.due_at is not None
    if until <= case.due_at:
        raise InvalidInput(
            f"申请的期限须晚于现期限 {case.due_at.astimezone(CHINA):%Y-%m-%d %H:%M}", field="until"
        )
    required(reason, "reason", "延期理由")
    return {"extension_until": until, "extension_state": Decision.REQUESTED}, {"until": until.isoformat()}


def extension_decision(case: Case, *, approve: bool) -> tuple[SideAction, dict[str, object], dict[str, str]]:
    """The side action, changes and detail of approving (the deadline moves to the date asked for) or
    refusing a pending request."""
    if (refusal := decision_refusal(case)) is not None:
        raise refusal
    assert case.extension_until is not None
    if not approve:
        return SideAction.EXTENSION_REFUSE, {"extension_state": Decision.REFUSED}, {}
    changes: dict[str, object] = {
        "due_at": case.extension_until,
        "extension_state": Decision.APPROVED,
        "warned_at": None,
        "due_is_provisional": False,
    }
    return SideAction.EXTENSION_APPROVE, changes, {"due_at": case.extension_until.isoformat()}


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
    changes, detail = extension_request(rules, case, until=until, reason=reason, now=now)
    compare_and_set(session, case, expected_version, **changes)
    return _record(session, case, actor, SideAction.EXTENSION_REQUEST, now, reason, detail)


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
    side, changes, detail = extension_decision(case, approve=approve)
    compare_and_set(session, case, expected_version, **changes)
    return _record(session, case, actor, side, now, note, detail)


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
    if (refusal := supervision_refusal(case)) is not None:
        raise refusal
    required(note, "note", "督办要求")
    compare_and_set(session, case, expected_version, supervision_level=2)
    return _record(session, case, actor, SideAction.SUPERVISE_BY_HAND, now, note, {})


def instruct(session: Session, *, actor: Actor, case_id: int, note: str, now: datetime) -> Case:
    """领导批示: a leader's instruction on a case in their area — on its timeline, in the 提醒 of everyone
    who handles or oversees it, and pushed to the group. It changes no status and no deadline."""
    case = _authorized(session, actor, case_id, Action.INSTRUCT)
    return _record(session, case, actor, SideAction.INSTRUCT, now, instruction_text(note), {})


def request_appeal(session: Session, *, actor: Actor, case_id: int, reason: str, now: datetime) -> Case:
    """The unit that handled an evaluated 12345 order appeals against counting it (申诉), with a reason."""
    case = _authorized(session, actor, case_id, Action.HANDLE_CASE)
    if case.status != Status.EVALUATED.value:
        raise InvalidInput("只有已考评的 12345 工单可以申诉剔单", field="status")
    required(reason, "reason", "申诉理由")
    if case.appeal_state == Decision.REQUESTED:
        raise InvalidInput("已有申诉待审核", field="status")
    compare_and_set(session, case, None, appeal_state=Decision.REQUESTED)
    return _record(session, case, actor, SideAction.APPEAL_REQUEST, now, reason, {})


def decide_appeal(
    session: Session, *, actor: Actor, rules: CaseRules, case_id: int, approve: bool, note: str, now: datetime
) -> Case:
    """A supervisor approves an appeal — the order is removed from assessment (剔单) — or refuses it."""
    from govgrid.domain.workflow import Step
    from govgrid.services.cases.steps import transition

    case = _authorized(session, actor, case_id, Action.MANAGE_CASE)
    if case.appeal_state != Decision.REQUESTED:
        raise InvalidInput("该工单没有待审核的申诉", field="status")
    if approve:
        case.appeal_state = Decision.APPROVED
        return transition(
            session,
            actor=actor,
            rules=rules,
            case_id=case_id,
            step=Step.EXCLUDE,
            now=now,
            note=note or "申诉通过，剔单",
        )
    compare_and_set(session, case, None, appeal_state=Decision.REFUSED)
    return _record(session, case, actor, SideAction.APPEAL_REFUSE, now, note, {})
