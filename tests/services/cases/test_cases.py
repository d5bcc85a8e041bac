"""Work orders through the service layer: intake, the loop, the clock, conflicts, permissions."""

import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import User
from govgrid.domain.errors import Conflict, InvalidInput, NotFound
from govgrid.domain.workflow import IllegalTransition, Status, Step
from govgrid.domain.worktime import CHINA
from govgrid.services.cases import intake, queries, steps
from govgrid.services.geo.locate import LocatorCache
from govgrid.services.people.accounts import actor_for
from tests.catalogs import CATALOGS
from tests.factories import STREET_A

RULES = CATALOGS.case_rules
LOCATOR = LocatorCache()
WEDNESDAY_10 = datetime(2026, 11, 18, 10, 0, tzinfo=CHINA)


def who(session, username):
    return actor_for(session.scalars(select(User).where(User.username == username)).one())


def point_in(district, community):
    grid = next(f for f in district.features if f.code.startswith(community) and len(f.code) == 15)
    return grid.geometry.representative_point(), grid.code


def patrol(session, district, *, class_code="E0102", when=WEDNESDAY_10, external_id=None):
    point, _ = point_in(district, f"{STREET_A}001")
    data = intake.Report(
        channel="patrol",
        class_code=class_code,
        title="路边暴露垃圾",
        lng=point.x,
        lat=point.y,
        external_id=external_id or uuid.uuid4().hex,
    )
    case, _ = intake.report(
        session, actor=who(session, "grid_worker"), rules=RULES, locator=LOCATOR, data=data, now=when
    )
    return case


def step(session, username, case, action, when, **kw):
    return steps.transition(
        session, actor=who(session, username), rules=RULES, case_id=case.id, step=action, now=when, **kw
    )


def at(hour, minute=0, day=18):
    return datetime(2026, 11, day, hour, minute, tzinfo=CHINA)


def test_a_grid_workers_patrol_report_is_placed_in_its_grid(session, district):
    _, grid_code = point_in(district, f"{STREET_A}001")
    case = patrol(session, district)
    assert case.grid_code == grid_code and case.scope_code == grid_code and case.status == "reported"
    assert case.code.startswith("20261118")


def test_exposed_garbage_goes_round_the_loop_with_one_rework_and_closes_normally(session, district):
    case = patrol(session, district)
    step(session, "dispatcher", case, Step.VERIFY, at(10, 5))
    step(session, "dispatcher", case, Step.REGISTER, at(10, 10))
    case = step(session, "dispatcher", case, Step.DISPATCH, at(10, 30))
    assert case.due_at.astimezone(CHINA) == at(16, 0)  # 4 工作时 skipping the 12:00–13:30 break
    step(session, "dept_officer", case, Step.SIGN, at(10, 40))
    step(session, "dept_officer", case, Step.HANDLE, at(11, 0))
    step(session, "dept_officer", case, Step.FEED_BACK, at(13, 45), note="已清运，附照片")
    case = step(session, "grid_worker", case, Step.CHECK_FAIL, at(14, 0), note="仍有残留")
    assert case.status == "handling" and case.rework_count == 1
    step(session, "dept_officer", case, Step.FEED_BACK, at(14, 30))
    case = step(session, "grid_worker", case, Step.CHECK_PASS, at(14, 50))
    assert case.status == "closed" and case.closure_type == "normal"
    history = queries.timeline(session, actor=who(session, "dispatcher"), case_id=case.id)
    assert [h.step for h in history] == [
        "report",
        "verify",
        "register",
        "dispatch",
        "sign",
        "handle",
        "feed_back",
        "check_fail",
        "feed_back",
        "check_pass",
    ]
    worker = who(session, "grid_worker").display_name  # people are recorded by their names
    assert worker.startswith("网格员")
    assert [h.actor_name for h in history][:4] == [worker, "dispatcher", "dispatcher", "dispatcher"]


def test_a_case_closed_after_its_deadline_is_an_overdue_closure(session, district):
    case = patrol(session, district)
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = step(session, "dispatcher", case, action, at(10))
    for action in (Step.SIGN, Step.FEED_BACK):
        step(session, "dept_officer", case, action, at(17))
    case = step(session, "grid_worker", case, Step.CHECK_PASS, at(9, day=19))
    assert case.closure_type == "overdue"


def test_retrying_the_same_client_id_a_hundred_times_makes_one_case(session, district):
    external = str(uuid.uuid4())
    first = patrol(session, district, external_id=external)
    for _ in range(99):
        again = patrol(session, district, external_id=external)
        assert again.id == first.id
    count = session.scalar(select(func.count()).select_from(Case).where(Case.external_id == external))
    assert count == 1


def test_an_unknown_class_is_refused_naming_the_field_and_nothing_is_written(session, district):
    before = session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(InvalidInput) as caught:
        patrol(session, district, class_code="E9999")
    assert caught.value.field == "class_code" and "E9999" in caught.value.message
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Case)) == before


def test_a_point_outside_the_district_is_refused_not_guessed(session):
    data = intake.Report(channel="citizen", class_code="E0102", title="垃圾", lng=116.99, lat=36.64)
    with pytest.raises(InvalidInput) as caught:
        intake.report(
            session,
            actor=who(session, "dispatcher"),
            rules=RULES,
            locator=LOCATOR,
            data=data,
            now=WEDNESDAY_10,
        )
    assert caught.value.field == "lng" and "不在本系统管辖范围" in caught.value.message


def test_of_two_concurrent_steps_one_wins_and_the_other_gets_a_conflict(session, district, district_sessions):
    case = patrol(session, district)
    version = case.version
    step(session, "dispatcher", case, Step.VERIFY, at(10, 1), expected_version=version)
    with district_sessions() as other, pytest.raises(Conflict):
        steps.transition(
            other,
            actor=who(other, "dispatcher"),
            rules=RULES,
            case_id=case.id,
            step=Step.CANCEL,
            now=at(10, 1),
            expected_version=version,
            note="重复上报",
        )
    rows = session.scalar(
        select(func.count()).select_from(CaseTransition).where(CaseTransition.case_id == case.id)
    )
    assert rows == 2  # report + the winning verify; the loser wrote nothing


def test_a_street_officer_cannot_sign_a_case_dispatched_to_a_department(session, district):
    case = patrol(session, district)
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = step(session, "dispatcher", case, action, at(10))
    with pytest.raises(NotFound):
        step(session, "street_officer", case, Step.SIGN, at(11))


def test_a_unit_returns_a_wrongly_dispatched_case_and_it_is_dispatched_again(session, district):
    case = patrol(session, district, class_code="E0201")  # 非法小广告: 属地 → the street of the grid
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = step(session, "dispatcher", case, action, at(10))
    case = step(session, "street_officer", case, Step.RETURN, at(10, 30), note="应由城管处理")
    assert case.status == "registered" and case.unit_id is None and case.due_at is None
    case = step(session, "dispatcher", case, Step.DISPATCH, at(10, 45), unit_code="LX-CGJ")
    assert case.status == "dispatched"


def test_a_step_out_of_order_is_refused_as_illegal(session, district):
    case = patrol(session, district)
    with pytest.raises(IllegalTransition):
        step(session, "dispatcher", case, Step.DISPATCH, at(10))


def test_a_department_officer_sees_only_cases_of_their_unit(session, district):
    case = patrol(session, district)
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = step(session, "dispatcher", case, action, at(10))
    visible = queries.list_cases(session, actor=who(session, "water_officer")).items
    assert case.id not in {c.id for c in visible}
    assert case.id in {c.id for c in queries.list_cases(session, actor=who(session, "dept_officer")).items}
    assert Status(case.status) is Status.DISPATCHED


@pytest.mark.parametrize("field,value", [("title", "长" * 201), ("reporter_phone", "1" * 33)])
def test_an_over_long_field_is_refused_by_name_on_every_engine(session, district, field, value):
    point, _ = point_in(district, f"{STREET_A}001")
    data = intake.Report(channel="citizen", class_code="E0102", title="垃圾", lng=point.x, lat=point.y)
    data = intake.Report(**{**data.__dict__, field: value})
    with pytest.raises(InvalidInput) as caught:
        intake.report(
            session,
            actor=who(session, "dispatcher"),
            rules=RULES,
            locator=LOCATOR,
            data=data,
            now=WEDNESDAY_10,
        )
    assert caught.value.field == field


def test_a_connectors_over_long_order_number_and_a_persons_key_that_is_no_uuid_are_refused_by_name(
    session, district
):
    from govgrid.domain.workflow import Loop
    from tests.factories import connector_actor

    point, _ = point_in(district, f"{STREET_A}001")
    order = intake.Report(
        channel="hotline",
        loop=Loop.HOTLINE,
        class_code="E0102",
        title="垃圾",
        lng=point.x,
        lat=point.y,
        external_id="x" * 65,
    )
    with pytest.raises(InvalidInput) as caught:
        intake.report(
            session, actor=connector_actor(), rules=RULES, locator=LOCATOR, data=order, now=WEDNESDAY_10
        )
    assert caught.value.field == "external_id"
    mine = intake.Report(
        channel="patrol",
        class_code="E0102",
        title="垃圾",
        lng=point.x,
        lat=point.y,
        external_id="12345-20261120-0001",
    )
    with pytest.raises(InvalidInput) as caught:
        intake.report(
            session,
            actor=who(session, "grid_worker"),
            rules=RULES,
            locator=LOCATOR,
            data=mine,
            now=WEDNESDAY_10,
        )
    assert caught.value.field == "client_id" and "UUID" in caught.value.message


def test_a_street_officer_cannot_file_a_case_into_another_street(session, district):
    point, _ = point_in(district, "370102002001")
    data = intake.Report(channel="patrol", class_code="E0102", title="越界", lng=point.x, lat=point.y)
    with pytest.raises(NotFound):
        intake.report(
            session,
            actor=who(session, "street_officer"),
            rules=RULES,
            locator=LOCATOR,
            data=data,
            now=WEDNESDAY_10,
        )


def test_a_citizen_reports_anywhere_in_the_district_and_follows_only_their_own_cases(session, district):
    point, _ = point_in(district, "370102002001")
    data = intake.Report(channel="citizen", class_code="E0201", title="小广告", lng=point.x, lat=point.y)
    case, _ = intake.report(
        session, actor=who(session, "citizen"), rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10
    )
    mine = queries.list_cases(session, actor=who(session, "citizen")).items
    assert case.id in {c.id for c in mine} and all(c.reporter_id == case.reporter_id for c in mine)


def test_a_hotline_order_must_be_dispatched_within_its_urgency_limit_then_answered_within_its_reply_limit(
    session, district
):
    from datetime import timedelta

    from govgrid.domain.workflow import Loop

    point, _ = point_in(district, f"{STREET_A}001")
    from tests.factories import connector_actor

    data = intake.Report(
        channel="hotline",
        loop=Loop.HOTLINE,
        class_code="E0102",
        title="紧急：井盖缺失",
        urgency="emergency",
        lng=point.x,
        lat=point.y,
        external_id=uuid.uuid4().hex,
    )
    order, _ = intake.report(
        session, actor=connector_actor(), rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10
    )
    assert order.status == "accepted" and order.due_at == WEDNESDAY_10 + timedelta(hours=1)  # 派单 1 h
    order = step(session, "dispatcher", order, Step.DISPATCH, WEDNESDAY_10 + timedelta(minutes=30))
    assert order.due_at == WEDNESDAY_10 + timedelta(minutes=30, hours=2)  # 反馈 2 h, day and night
