"""答复质量 on a 12345 order: a weak reply is held at 答复待审 for the supervisor before the order counts as
answered; a good one goes straight on; the scores and reasons stay in the history."""

import uuid
from datetime import timedelta

import pytest

from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.domain.workflow import IllegalTransition, Loop, Step
from govgrid.services.cases import intake, queries, reply_review
from tests.factories import STREET_A, STREET_B, connector_actor
from tests.samples import GOOD_REPLY
from tests.services.cases.test_cases import LOCATOR, RULES, WEDNESDAY_10, at, patrol, point_in, step, who

WEAK = "您反映的问题已转相关部门处理，请耐心等待。"


def answered(session, district, reply, community=f"{STREET_A}001"):
    point, _ = point_in(district, community)
    data = intake.Report(
        channel="hotline",
        loop=Loop.HOTLINE,
        class_code="E0102",
        title="小区门口垃圾堆放无人清运",
        description="幸福小区门口的垃圾已经堆了三天，没有人清运。",
        lng=point.x,
        lat=point.y,
        external_id=uuid.uuid4().hex,
    )
    order, _ = intake.report(
        session, actor=connector_actor(), rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10
    )
    order = step(session, "dispatcher", order, Step.DISPATCH, at(10, 5))
    for action in (Step.SIGN, Step.CONTACT):
        order = step(session, "dept_officer", order, action, at(11))
    return step(session, "dept_officer", order, Step.FEED_BACK, at(11, 30), note=reply)


def test_a_good_reply_goes_straight_on_with_its_scores_in_the_history(session, district):
    order = answered(session, district, GOOD_REPLY)
    assert order.status == "replied"
    row = queries.timeline(session, actor=who(session, "dispatcher"), case_id=order.id)[-1]
    review = row.detail["reply_review"]
    assert (review["relevance"], review["completeness"], review["explainability"]) == (2, 2, 2)
    assert review["weak"] is False and review["timely"] is True and "及时" in review["reasons"]["timeliness"]


def test_a_deflecting_reply_is_held_and_the_order_cannot_be_called_back(session, district):
    order = answered(session, district, WEAK)
    assert order.status == "reply_held"
    review = reply_review.latest_review(session, order.id)
    assert review["deflection"] is True and "没有说明由哪个单位负责" in review["reasons"]["deflection"]
    with pytest.raises(IllegalTransition, match="答复待审"):
        step(session, "dispatcher", order, Step.CALL_BACK, at(14), answers={"contacted": True})


def test_the_supervisor_lets_a_held_reply_stand_only_with_a_reason(session, district):
    order = answered(session, district, WEAK)
    with pytest.raises(InvalidInput, match="须写明理由"):
        step(session, "supervisor", order, Step.RELEASE_REPLY, at(14))
    order = step(session, "supervisor", order, Step.RELEASE_REPLY, at(14), note="已电话核实，来电人认可")
    assert order.status == "replied"
    last = queries.timeline(session, actor=who(session, "supervisor"), case_id=order.id)[-1]
    assert (last.step, last.from_status, last.note) == (
        "release_reply",
        "reply_held",
        "已电话核实，来电人认可",
    )


def test_a_held_reply_sent_back_is_rework_and_the_better_reply_passes(session, district):
    order = answered(session, district, "您的留言已收悉。")
    order = step(session, "supervisor", order, Step.CHECK_FAIL, at(14), note="未说明核查情况，退回重办")
    assert order.status == "handling" and order.rework_count == 1
    order = step(session, "dept_officer", order, Step.FEED_BACK, at(15), note=GOOD_REPLY)
    assert order.status == "replied"


def test_a_department_officer_cannot_let_its_own_reply_stand(session, district):
    order = answered(session, district, WEAK)
    with pytest.raises(Forbidden):
        step(session, "dept_officer", order, Step.RELEASE_REPLY, at(14), note="我们认为可以")


def test_the_queue_holds_the_weak_replies_of_the_callers_area_only(session, district):
    held = answered(session, district, WEAK)
    good = answered(session, district, GOOD_REPLY)
    queue = {h.case.id: h for h in reply_review.held_queue(session, actor=who(session, "supervisor"))}
    assert held.id in queue and good.id not in queue
    assert queue[held.id].reply == WEAK and queue[held.id].review["weak"] is True
    assert all(h.case.status == "reply_held" for h in queue.values())
    elsewhere = Actor(user_id=None, username="b-supervisor", role=Role.SUPERVISOR, scope_code=STREET_B)
    assert reply_review.held_queue(session, actor=elsewhere) == []
    with pytest.raises((Forbidden, NotFound)):
        reply_review.held_queue(session, actor=who(session, "dept_officer"))


def test_an_urban_feedback_is_not_scored(session, district):
    case = patrol(session, district)
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = step(session, "dispatcher", case, action, at(10))
    case = step(session, "dept_officer", case, Step.SIGN, at(10, 30))
    case = step(session, "dept_officer", case, Step.FEED_BACK, at(11), note="已清运")
    assert case.status == "fed_back"
    assert (
        "reply_review"
        not in queries.timeline(session, actor=who(session, "dispatcher"), case_id=case.id)[-1].detail
    )


def test_a_late_reply_says_so_against_the_orders_own_deadline(session, district):
    order = answered(session, district, WEAK)
    review = reply_review.latest_review(session, order.id)
    assert review["timely"] is True
    late = order.due_at + timedelta(days=3)
    order = step(session, "supervisor", order, Step.CHECK_FAIL, late, note="退回")
    order = step(session, "dept_officer", order, Step.FEED_BACK, late + timedelta(hours=1), note=GOOD_REPLY)
    review = reply_review.latest_review(session, order.id)
    assert review["timely"] is False and "超时" in review["reasons"]["timeliness"]
