"""延期 and a supervisor's 督办: recorded on the case, never moving it along the loop."""

from datetime import timedelta

import pytest

from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.workflow import Step
from govgrid.services.cases import queries, steps
from govgrid.services.cases import side_actions as case_actions
from tests.samples import GOOD_REPLY
from tests.services.cases.test_cases import RULES, at, patrol, step, who


def dispatched(session, district, class_code):
    case = patrol(session, district, class_code=class_code)
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = step(session, "dispatcher", case, action, at(10))
    return step(session, "dept_officer", case, Step.SIGN, at(10, 30))


def ask(session, case, until, reason="需协调产权单位", who_="dept_officer", when=None):
    return case_actions.request_extension(
        session,
        actor=who(session, who_),
        rules=RULES,
        case_id=case.id,
        until=until,
        reason=reason,
        now=when or at(11),
    )


def test_an_extendable_case_gets_a_later_deadline_when_the_center_approves(session, district):
    case = dispatched(session, district, "E0101")  # 私搭乱建: 20 工作日, extendable
    later = case.due_at + timedelta(days=10)
    case = ask(session, case, later)
    assert case.extension_state == "requested" and case.status == "signed"
    case = case_actions.decide_extension(
        session, actor=who(session, "dispatcher"), case_id=case.id, approve=True, note="同意", now=at(14)
    )
    assert case.due_at == later and case.extension_state == "approved"
    history = [h.step for h in queries.timeline(session, actor=who(session, "dispatcher"), case_id=case.id)]
    assert history[-2:] == ["extension_request", "extension_approve"]


def test_an_ordinary_case_is_not_extended(session, district):
    case = dispatched(session, district, "E0102")  # 暴露垃圾: not extendable
    with pytest.raises(InvalidInput) as caught:
        ask(session, case, case.due_at + timedelta(days=1))
    assert caught.value.field == "class_code" and "不予延期" in caught.value.message


def test_an_extension_is_asked_for_before_the_deadline_with_a_reason(session, district):
    case = dispatched(session, district, "E0101")
    with pytest.raises(InvalidInput) as no_reason:
        ask(session, case, case.due_at + timedelta(days=1), reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as too_late:
        ask(session, case, case.due_at + timedelta(days=1), when=case.due_at + timedelta(minutes=1))
    assert too_late.value.field == "until"


def test_a_refused_extension_keeps_the_deadline(session, district):
    case = dispatched(session, district, "E0101")
    due = case.due_at
    ask(session, case, due + timedelta(days=3))
    case = case_actions.decide_extension(
        session,
        actor=who(session, "dispatcher"),
        case_id=case.id,
        approve=False,
        note="理由不充分",
        now=at(15),
    )
    assert case.due_at == due and case.extension_state == "refused"


def test_only_the_handling_unit_asks_and_only_the_center_decides(session, district):
    case = dispatched(session, district, "E0101")
    with pytest.raises(NotFound):
        ask(session, case, case.due_at + timedelta(days=1), who_="water_officer")
    ask(session, case, case.due_at + timedelta(days=1))
    with pytest.raises(Forbidden):
        case_actions.decide_extension(
            session, actor=who(session, "dept_officer"), case_id=case.id, approve=True, note="", now=at(15)
        )


def test_a_supervisor_puts_a_case_under_supervision_at_once(session, district):
    case = dispatched(session, district, "E0102")
    case = case_actions.supervise_by_hand(
        session, actor=who(session, "supervisor"), case_id=case.id, note="区领导批示：今日办结", now=at(12)
    )
    assert case.supervision_level == 2 and case.status == "signed"


def evaluated_hotline_order(session, district):
    from tests.services.cases.test_reply_review import answered

    order = answered(session, district, GOOD_REPLY)
    order = steps.transition(
        session,
        actor=who(session, "dispatcher"),
        rules=RULES,
        case_id=order.id,
        step=Step.CALL_BACK,
        now=at(12),
        answers={"contacted": True, "resolved": False, "satisfaction": "dissatisfied"},
    )
    return step(session, "supervisor", order, Step.EVALUATE, at(13))


def test_an_approved_appeal_removes_the_order_from_assessment(session, district):
    order = evaluated_hotline_order(session, district)
    order = case_actions.request_appeal(
        session,
        actor=who(session, "dept_officer"),
        case_id=order.id,
        reason="诉求人要求超出职责范围",
        now=at(14),
    )
    assert order.appeal_state == "requested" and order.status == "evaluated"
    order = case_actions.decide_appeal(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        case_id=order.id,
        approve=True,
        note="同意剔单",
        now=at(15),
    )
    assert order.status == "excluded" and order.appeal_state == "approved"


def test_a_refused_appeal_keeps_the_order_counted(session, district):
    order = evaluated_hotline_order(session, district)
    case_actions.request_appeal(
        session, actor=who(session, "dept_officer"), case_id=order.id, reason="理由", now=at(14)
    )
    order = case_actions.decide_appeal(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        case_id=order.id,
        approve=False,
        note="不符合剔单条件",
        now=at(15),
    )
    assert order.status == "evaluated" and order.appeal_state == "refused"


def test_an_order_not_yet_evaluated_cannot_be_appealed(session, district):
    case = dispatched(session, district, "E0102")
    with pytest.raises(InvalidInput) as caught:
        case_actions.request_appeal(
            session, actor=who(session, "dept_officer"), case_id=case.id, reason="x", now=at(14)
        )
    assert caught.value.field == "status"


def test_a_forced_closure_is_special_unless_marked_as_an_error(session, district):
    first, second = dispatched(session, district, "E0102"), dispatched(session, district, "E0102")
    first = step(session, "dispatcher", first, Step.FORCE_CLOSE, at(15), note="历史遗留问题")
    second = steps.transition(
        session,
        actor=who(session, "dispatcher"),
        rules=RULES,
        case_id=second.id,
        step=Step.FORCE_CLOSE,
        now=at(15),
        closure_type="error",
        note="不应立案",
    )
    assert (first.closure_type, second.closure_type) == ("special", "error")
    with pytest.raises(InvalidInput):
        steps.transition(
            session,
            actor=who(session, "dispatcher"),
            rules=RULES,
            case_id=dispatched(session, district, "E0102").id,
            step=Step.FORCE_CLOSE,
            now=at(15),
            closure_type="whatever",
            note="理由",
        )
