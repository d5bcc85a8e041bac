"""Replaying a recorded history: the same builder, transition table and permissions as live work, at the
record's own times, with the deadlines it gives; batched; a step the rules refuse stops its batch whole."""

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import CHINA
from govgrid.services.cases.intake import Report
from govgrid.services.cases.replay import PastCase, PastStep, ReplayRefused, replay
from tests.factories import STREET_A
from tests.services.cases.test_cases import LOCATOR, RULES, point_in, who

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)


def recorded(session, district, start, *, steps=None, key=None):  # type: ignore[no-untyped-def]
    point, _ = point_in(district, f"{STREET_A}001")
    worker, dispatcher, officer = (who(session, n) for n in ("grid_worker", "dispatcher", "dept_officer"))
    given_due = start + timedelta(days=3, hours=2)
    if steps is None:
        steps = [
            PastStep(Step.VERIFY, start + timedelta(minutes=10), dispatcher),
            PastStep(Step.REGISTER, start + timedelta(minutes=20), dispatcher),
            PastStep(
                Step.DISPATCH, start + timedelta(minutes=30), dispatcher, unit_code="LX-CGJ", due_at=given_due
            ),
            PastStep(Step.SIGN, start + timedelta(hours=1), officer),
            PastStep(Step.FEED_BACK, start + timedelta(hours=5), officer, note="已清运"),
            PastStep(Step.CHECK_PASS, start + timedelta(hours=6), worker, note="现场整洁"),
        ]
    report = Report(
        channel="patrol",
        class_code="E0102",
        title="往年的暴露垃圾",
        lng=point.x,
        lat=point.y,
        external_id=key or str(uuid.uuid4()),
    )
    return PastCase(reporter=worker, report=report, reported_at=start, steps=steps)


def test_a_recorded_case_is_replayed_at_its_own_times_and_keeps_the_deadline_it_gives(session, district):
    past = recorded(session, district, MONDAY)
    done = replay(session, rules=RULES, locator=LOCATOR, cases=[past])
    case = session.get(Case, done.cases[0])
    assert case.status == "closed" and case.closure_type == "normal"
    assert case.reported_at == MONDAY and case.closed_at == MONDAY + timedelta(hours=6)
    assert case.due_at == MONDAY + timedelta(days=3, hours=2)  # as recorded, not counted again
    history = session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.id)
    ).all()
    assert [h.step for h in history] == [
        "report",
        "verify",
        "register",
        "dispatch",
        "sign",
        "feed_back",
        "check_pass",
    ]
    assert [h.at for h in history] == sorted(h.at for h in history) and history[-1].actor_name == who(
        session, "grid_worker"
    ).display_name
    assert {h.district_code for h in history} == {case.district_code}


def test_replaying_the_same_record_again_adds_nothing(session, district):
    key = str(uuid.uuid4())
    replay(session, rules=RULES, locator=LOCATOR, cases=[recorded(session, district, MONDAY, key=key)])
    again = replay(
        session, rules=RULES, locator=LOCATOR, cases=[recorded(session, district, MONDAY, key=key)]
    )
    assert again.cases == [] and again.skipped == 1


def test_a_step_out_of_order_stops_the_whole_batch_naming_the_case(session, district):
    dispatcher = who(session, "dispatcher")
    bad = recorded(
        session, district, MONDAY, steps=[PastStep(Step.DISPATCH, MONDAY, dispatcher, unit_code="LX-CGJ")]
    )
    good = recorded(session, district, MONDAY)
    before = session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(ReplayRefused, match="第 2 件"):
        replay(session, rules=RULES, locator=LOCATOR, cases=[good, bad])
    assert session.scalar(select(func.count()).select_from(Case)) == before


def test_a_step_before_the_one_before_it_or_by_someone_who_may_not_take_it_is_refused(session, district):
    dispatcher, citizen = who(session, "dispatcher"), who(session, "citizen")
    backwards = recorded(
        session,
        district,
        MONDAY,
        steps=[
            PastStep(Step.VERIFY, MONDAY + timedelta(hours=2), dispatcher),
            PastStep(Step.REGISTER, MONDAY, dispatcher),
        ],
    )
    with pytest.raises(ReplayRefused, match="早于上一步"):
        replay(session, rules=RULES, locator=LOCATOR, cases=[backwards])
    stranger = recorded(session, district, MONDAY, steps=[PastStep(Step.VERIFY, MONDAY, citizen)])
    with pytest.raises(ReplayRefused):
        replay(session, rules=RULES, locator=LOCATOR, cases=[stranger])
    unexplained = recorded(session, district, MONDAY, steps=[PastStep(Step.CANCEL, MONDAY, dispatcher)])
    with pytest.raises(ReplayRefused, match="须写明理由"):  # the same reason rule as a live 作废
        replay(session, rules=RULES, locator=LOCATOR, cases=[unexplained])


def test_a_thousand_recorded_cases_go_in_a_few_batches_without_a_commit_per_step(session, district):
    from sqlalchemy import event

    cases = [recorded(session, district, MONDAY + timedelta(minutes=n)) for n in range(1000)]
    commits: list[int] = []

    def count(_):  # type: ignore[no-untyped-def]
        commits.append(1)

    event.listen(session, "after_commit", count)
    done = replay(session, rules=RULES, locator=LOCATOR, cases=cases, batch=400)
    event.remove(session, "after_commit", count)
    assert len(commits) == 3  # 400 + 400 + 200
    assert len(done.cases) == 1000
    rows = session.scalar(
        select(func.count()).select_from(CaseTransition).where(CaseTransition.case_id.in_(done.cases))
    )
    assert rows == 7000


def test_a_recorded_extension_moves_the_deadline_through_the_same_rules_as_a_live_one(session, district):
    from govgrid.domain.history import SideAction
    from govgrid.services.cases.replay import PastSide

    dispatcher, officer = who(session, "dispatcher"), who(session, "dept_officer")
    point, _ = point_in(district, f"{STREET_A}001")
    due = MONDAY + timedelta(days=20)
    later = due + timedelta(days=10)

    def extended(until, by=dispatcher):  # type: ignore[no-untyped-def]
        return PastCase(
            reporter=who(session, "grid_worker"),
            report=Report(
                channel="patrol",
                class_code="E0101",
                title="违建延期",
                lng=point.x,
                lat=point.y,
                external_id=str(uuid.uuid4()),
            ),
            reported_at=MONDAY,
            steps=[
                PastStep(Step.VERIFY, MONDAY + timedelta(minutes=5), dispatcher),
                PastStep(Step.REGISTER, MONDAY + timedelta(minutes=6), dispatcher),
                PastStep(
                    Step.DISPATCH, MONDAY + timedelta(minutes=7), dispatcher, unit_code="LX-CGJ", due_at=due
                ),
                PastStep(Step.SIGN, MONDAY + timedelta(hours=1), officer),
                PastSide(
                    SideAction.EXTENSION_REQUEST, MONDAY + timedelta(days=2), officer, "需协调拆除", until
                ),
                PastSide(SideAction.EXTENSION_APPROVE, MONDAY + timedelta(days=3), by, "同意"),
            ],
        )

    done = replay(session, rules=RULES, locator=LOCATOR, cases=[extended(later)])
    case = session.get(Case, done.cases[0])
    assert case.due_at == later and case.extension_state == "approved"
    steps = session.scalars(select(CaseTransition.step).where(CaseTransition.case_id == case.id)).all()
    assert steps[-2:] == ["extension_request", "extension_approve"]
    with pytest.raises(ReplayRefused, match="须晚于现期限"):  # the service's own refusal
        replay(session, rules=RULES, locator=LOCATOR, cases=[extended(due - timedelta(days=1))])
    with pytest.raises(ReplayRefused):  # a unit officer may not approve its own request
        replay(session, rules=RULES, locator=LOCATOR, cases=[extended(later, by=officer)])
