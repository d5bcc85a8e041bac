"""Two districts in one deployment (a city's first step): a case that comes in without a point belongs to the
district that took it, never to "the first district"; a citizen's unplaced report is refused once the
platform holds several; and a 历下区 dispatcher can neither read nor move a 市中区 case."""

from __future__ import annotations

import uuid

import pytest
import shapely

from govgrid.db.models import Area
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.roles import Role
from govgrid.domain.workflow import Step
from govgrid.services.cases import intake, queries, steps
from govgrid.services.people.accounts import actor_for, add_user
from tests.services.cases.test_cases import LOCATOR, RULES, WEDNESDAY_10, who


@pytest.fixture
def city(own):
    """The test district (370102) and a second one, 市中区 (370103), in one database, with its dispatcher."""
    sessions, district = own
    with sessions() as session:
        box = shapely.box(116.95, 36.60, 116.99, 36.64)
        session.add(
            Area(code="370103", level="district", name="市中区", parent_code=None, geometry_wkb=shapely.to_wkb(box),
                 min_lng=116.95, min_lat=36.60, max_lng=116.99, max_lat=36.64, area_m2=1.0)
        )  # fmt: skip
        add_user(
            session, username="szq_dispatcher", display_name="市中区派遣员", role=Role.DISPATCHER, unit_code=None,
            scope_code="370103", phone="", password=None, now=WEDNESDAY_10,
        )  # fmt: skip
        session.commit()
    return sessions


def by_address(session, username):
    data = intake.Report(
        channel="phone",
        class_code="E0102",
        title="路边暴露垃圾",
        address="某处无名小巷",
        external_id=uuid.uuid4().hex,
    )
    case, _ = intake.report(
        session, actor=who(session, username), rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10
    )
    return case


def test_a_case_without_a_point_belongs_to_the_district_that_took_it(city):
    with city() as session:
        lixia, shizhong = by_address(session, "dispatcher"), by_address(session, "szq_dispatcher")
        assert (lixia.district_code, lixia.scope_code) == ("370102", "370102")
        assert (shizhong.district_code, shizhong.scope_code) == ("370103", "370103")


def test_with_two_districts_a_citizens_unplaced_report_must_name_its_place(city):
    with city() as session:
        citizen = actor_for(add_user(
            session, username=f"c_{uuid.uuid4().hex[:6]}", display_name="市民", role=Role.CITIZEN, unit_code=None,
            scope_code=None, phone="", password=None, now=WEDNESDAY_10,
        ))  # fmt: skip
        session.commit()
        data = intake.Report(channel="citizen", class_code="E0102", title="井盖破损", address="某处无名小巷")
        with pytest.raises(InvalidInput, match="多个区县"):
            intake.report(session, actor=citizen, rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10)


def test_a_lixia_dispatcher_can_never_touch_a_shizhong_case(city):
    with city() as session:
        theirs = by_address(session, "szq_dispatcher")
        lixia = who(session, "dispatcher")
        with pytest.raises(NotFound):
            queries.get_case(session, actor=lixia, case_id=theirs.id)
        with pytest.raises(NotFound):
            steps.transition(
                session, actor=lixia, rules=RULES, case_id=theirs.id, step=Step.VERIFY, now=WEDNESDAY_10
            )
        assert theirs.id not in {c.id for c in queries.list_cases(session, actor=lixia).items}
        mine = steps.transition(
            session, actor=who(session, "szq_dispatcher"), rules=RULES, case_id=theirs.id, step=Step.VERIFY,
            now=WEDNESDAY_10,
        )  # fmt: skip
        assert mine.status == "verified" and mine.district_code == "370103"
