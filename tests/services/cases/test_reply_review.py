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


def answered(session, district, reply, community=f"{STREET_A}001", **feedback):
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
    return step(session, "dept_officer", order, Step.FEED_BACK, at(11, 30), note=reply, **feedback)


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


def test_a_grid_worker_cannot_send_a_held_reply_back():
    from govgrid.domain.permissions import Action
    from govgrid.domain.workflow import Status
    from govgrid.services.cases.steps import step_action

    assert step_action(Status.REPLY_HELD, Step.CHECK_FAIL) is Action.MANAGE_CASE
    assert step_action(Status.FED_BACK, Step.CHECK_FAIL) is Action.CHECK_CASE  # 核查 stays the grid's


def test_a_held_replys_public_note_is_published_only_when_it_is_let_stand(session, district):
    order = answered(session, district, "", public_note=WEAK)
    assert order.status == "reply_held"
    held = queries.timeline(session, actor=who(session, "dispatcher"), case_id=order.id)[-1]
    assert held.public_note == "" and held.detail["held_public_note"] == WEAK
    order = step(session, "supervisor", order, Step.RELEASE_REPLY, at(14), note="已电话核实")
    released = queries.timeline(session, actor=who(session, "dispatcher"), case_id=order.id)[-1]
    assert released.public_note == WEAK and released.note == "已电话核实"


def test_no_mark_while_the_supervisor_holds_the_reply_and_it_counts_as_answered_when_given(session, district):
    from govgrid.domain.assessment import Event, facts_at
    from govgrid.domain.supervision import Clock, next_mark
    from govgrid.domain.workflow import Status
    from tests.catalogs import CATALOGS

    order = answered(session, district, WEAK)
    late = order.due_at + timedelta(days=5)
    clock = Clock(Status.REPLY_HELD, order.dispatched_at, order.due_at, None, False, 0)
    assert next_mark(clock, late, RULES.calendar, CATALOGS.policy) is None
    order = step(session, "supervisor", order, Step.RELEASE_REPLY, late, note="来电人认可")
    rows = queries.timeline(session, actor=who(session, "dispatcher"), case_id=order.id)
    events = [Event(r.at, r.step, r.to_status, r.detail or {}) for r in rows]
    facts = facts_at(Loop.HOTLINE, events, late + timedelta(days=1))
    assert facts.closed_at == at(11, 30) and facts.closed_at <= order.due_at  # answered in time, by the unit
