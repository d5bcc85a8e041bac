"""The city's 12345 center hands its order to a district, which dispatches on within it: two linked rows,
neither ever changing its district; the district's reply comes up to the city's order, the city's 回访 and
考评 go down to the district's case, and the assessment counts the complaint once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.areas import AreaLevel
from govgrid.domain.assessment import Period
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.domain.workflow import Loop, Step
from govgrid.services.assessment.metrics import Slice, metrics
from govgrid.services.cases import forwarding, intake, queries, steps
from govgrid.services.chain_verify import verify
from govgrid.services.geo.locate import LocatorCache
from tests.factories import CITY, SECOND_DISTRICT, second_district_features
from tests.samples import GOOD_REPLY
from tests.services.cases.test_cases import RULES, WEDNESDAY_10, who

CITY_HOTLINE = Actor(None, "connector:hotline12345", Role.CONNECTOR, scope_code=CITY, source="hotline12345")


def city_order(session, title: str = "市中区小区门口垃圾无人清运"):  # type: ignore[no-untyped-def]
    grid = next(f for f in second_district_features() if f.level is AreaLevel.GRID)
    point = grid.geometry.representative_point()
    data = intake.Report(
        channel="hotline", loop=Loop.HOTLINE, class_code="E0102", title=title,
        description="小区门口的垃圾已经堆了三天，没有人清运。", lng=point.x, lat=point.y,
        external_id=uuid.uuid4().hex,
    )  # fmt: skip
    order, _ = intake.report(
        session, actor=CITY_HOTLINE, rules=RULES, locator=LocatorCache(), data=data, now=WEDNESDAY_10
    )
    return order


def step(session, username: str, case, action: Step, minutes: int, **kw):  # type: ignore[no-untyped-def]
    return steps.transition(
        session, actor=who(session, username), rules=RULES, case_id=case.id, step=action,
        now=WEDNESDAY_10 + timedelta(minutes=minutes), **kw,
    )  # fmt: skip


def forward(session, order, username: str = "city_dispatcher", district: str = ""):  # type: ignore[no-untyped-def]
    return forwarding.forward(
        session, actor=who(session, username), rules=RULES, case_id=order.id, district=district,
        now=WEDNESDAY_10 + timedelta(minutes=5),
    )  # fmt: skip


def history_of(session, case) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(CaseTransition.step, CaseTransition.to_status)
        .where(CaseTransition.case_id == case.id)
        .order_by(CaseTransition.id)
    )
    return [(s, t) for s, t in rows]


def test_the_citys_order_lives_in_the_citys_own_partition_seen_by_the_city_only(city_sessions):
    with city_sessions() as session:
        order = city_order(session)
        assert (order.district_code, order.scope_code, order.status) == (CITY, CITY, "accepted")
        assert order.grid_code.startswith(SECOND_DISTRICT)  # where it is: which district to hand it to
        assert queries.get_case(session, actor=who(session, "city_dispatcher"), case_id=order.id)
        for username in ("sz_dispatcher", "dispatcher"):
            with pytest.raises(NotFound):
                queries.get_case(session, actor=who(session, username), case_id=order.id)


def test_forwarding_files_the_districts_own_case_and_a_retry_returns_it(city_sessions):
    with city_sessions() as session:
        order = city_order(session)
        case = forward(session, order)
        assert (case.district_code, case.loop, case.status) == (SECOND_DISTRICT, "hotline", "accepted")
        assert case.title == order.title and case.grid_code == order.grid_code and case.id != order.id
        assert session.get(Case, order.id).status == "forwarded"
        assert forward(session, order).id == case.id  # retry-safe: no second case
        assert history_of(session, order)[-1] == ("forward", "forwarded")
        assert queries.get_case(session, actor=who(session, "sz_dispatcher"), case_id=case.id)
        assert forwarding.linked(session, order).case_id == case.id
        assert forwarding.linked(session, case).case_id == order.id
        assert all(check.broken == 0 for check in verify(session))


def test_the_districts_reply_comes_up_and_the_citys_callback_and_evaluation_go_down(city_sessions):
    with city_sessions() as session:
        order = city_order(session)
        case = forward(session, order)
        case = step(session, "sz_dispatcher", case, Step.DISPATCH, 10, unit_code="SZ-CGJ")
        for n, action in enumerate((Step.SIGN, Step.CONTACT)):
            case = step(session, "sz_dept_officer", case, action, 20 + n)
        step(session, "sz_dept_officer", case, Step.FEED_BACK, 60, note=GOOD_REPLY)
        session.expire_all()
        assert session.get(Case, order.id).status == "replied"
        assert history_of(session, order)[-1] == ("feed_back", "replied")
        answers = {"contacted": True, "resolved": True, "satisfaction": "satisfied"}
        step(session, "city_dispatcher", order, Step.CALL_BACK, 120, answers=answers)
        step(session, "city_dispatcher", order, Step.EVALUATE, 130)
        session.expire_all()
        assert session.get(Case, case.id).status == "evaluated"
        down = session.scalars(
            select(CaseTransition).where(
                CaseTransition.case_id == case.id, CaseTransition.step == "call_back"
            )
        ).one()
        assert down.actor_name == "系统（转办回传）" and down.detail.get("answers", down.detail) != {}
        assert all(check.broken == 0 for check in verify(session))


def test_only_the_citys_people_forward_only_a_citys_order_only_to_a_district_of_theirs(city_sessions):
    with city_sessions() as session:
        order = city_order(session)
        with pytest.raises(NotFound):
            forward(session, order, username="sz_dispatcher")  # not theirs to see
        with pytest.raises(InvalidInput, match="不在您的数据范围内"):
            forward(session, order, district="370199")
        case = forward(session, order)
        with pytest.raises(InvalidInput, match="只有市级 12345 工单"):
            forwarding.forward(
                session, actor=who(session, "sz_dispatcher"), rules=RULES, case_id=case.id, district="",
                now=WEDNESDAY_10,
            )  # fmt: skip
        with pytest.raises(InvalidInput, match="转办区县须选定区县"):
            step(session, "city_dispatcher", city_order(session), Step.FORWARD, 1)


def test_the_assessment_counts_a_forwarded_complaint_once_by_the_districts_case(city_sessions):
    with city_sessions() as session:
        order = city_order(session, title="计数一次的工单")
        forward(session, order)
        period = Period(WEDNESDAY_10.date().replace(day=1), WEDNESDAY_10.date() + timedelta(days=1))
        for plain in (False, True):  # the rollups and the history answer alike
            across = metrics(
                session, actor=who(session, "city_leader"), rules=RULES, period=period, by=Slice.DISTRICT,
                plain=plain, compare=False,
            )  # fmt: skip
            assert CITY not in {row["code"] for row in across["rows"]}
            reported = sum(row["reported"] for row in across["rows"])
            assert reported == across["total"]["reported"]
        cases = session.scalars(select(Case).where(Case.title == "计数一次的工单")).all()
        assert sorted(c.district_code for c in cases) == [CITY, SECOND_DISTRICT]


def test_a_held_district_reply_comes_up_only_once_the_districts_supervisor_lets_it_stand(city_sessions):
    with city_sessions() as session:
        order = city_order(session)
        case = forward(session, order)
        case = step(session, "sz_dispatcher", case, Step.DISPATCH, 10, unit_code="SZ-CGJ")
        for n, action in enumerate((Step.SIGN, Step.CONTACT)):
            case = step(session, "sz_dept_officer", case, action, 20 + n)
        case = step(
            session, "sz_dept_officer", case, Step.FEED_BACK, 60, note="已转相关部门处理，请耐心等待。"
        )
        assert case.status == "reply_held"
        session.expire_all()
        assert session.get(Case, order.id).status == "forwarded"  # not yet an answer
        step(session, "sz_supervisor", case, Step.RELEASE_REPLY, 90, note="已电话核实，群众认可")
        session.expire_all()
        assert session.get(Case, order.id).status == "replied"


def test_a_citys_12345_platform_gets_a_key_of_the_citys_scope_and_its_orders_stay_with_the_city(
    city_sessions,
):
    from govgrid.services.cases.connector_keys import connector_actor, issue_key

    with city_sessions() as session:
        admin = who(session, "admin")
        key, _ = issue_key(
            session, actor=admin, connectors=RULES.connectors, connector_id="hotline12345", name="市 12345",
            now=WEDNESDAY_10, scope=CITY,
        )  # fmt: skip
        assert (
            key.district_code == CITY
            and connector_actor(key.connector_id, key.district_code).scope_code == CITY
        )
        with pytest.raises(InvalidInput, match="不是本平台的区县代码或市级代码"):
            issue_key(
                session, actor=admin, connectors=RULES.connectors, connector_id="hotline12345", name="x",
                now=WEDNESDAY_10, scope="110100",
            )  # fmt: skip
