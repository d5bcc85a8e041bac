"""A city in one deployment: 历下区 and 市中区 imported from the reference data side by side, each with its
streets, communities, grids, departments, grid workers and logins; the city's people see both districts,
a district's people only theirs; metrics and rankings by district across the city."""

from __future__ import annotations

import csv
import uuid

import pytest
from sqlalchemy import func, select

from govgrid.db.models import Area, OrgUnit, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.assessment import Period
from govgrid.domain.errors import NotFound
from govgrid.domain.paging import Paging
from govgrid.domain.workflow import Step
from govgrid.services.assessment.metrics import Slice, metrics
from govgrid.services.cases import intake, queries, steps
from govgrid.services.demo.city import build_city
from govgrid.services.demo.district_geography import build_district_geography
from govgrid.services.geo.locate import LocatorCache
from tests.catalogs import CATALOGS
from tests.factories import NOW
from tests.services.cases.test_cases import who

pytestmark = pytest.mark.shared
SMALL = {"communities": 12, "grid_metres": 400, "grid_workers": 24, "case_days": 2}  # coarser inside


@pytest.fixture(scope="module")
def city(tmp_path_factory):  # type: ignore[no-untyped-def]
    import pathlib

    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade
    from tests.databases import fresh_database

    shared = pathlib.Path(__file__).resolve().parents[4] / "shared"
    if not (shared / "data/geo/370103.geojson").is_file():
        pytest.skip(f"参考数据目录 {shared} 不存在：需要 shared/data/geo/370102.geojson 与 370103.geojson")
    with fresh_database(tmp_path_factory.mktemp("city")) as url:
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            lixia = {**CATALOGS.source.load("demo_district.yaml"), **SMALL}
            build_district_geography(session, spec=lixia, shared_dir=shared, password="demo-pass-1", now=NOW)
            session.commit()
            summary = build_city(
                session,
                catalogs=CATALOGS,
                shared_dir=shared,
                password="demo-pass-1",
                now=NOW,
                overrides=SMALL,
            )
        yield sessions, summary, shared
        engine.dispose()


def streets_of(shared, district: str) -> set[str]:  # type: ignore[no-untyped-def]
    with (shared / "data/geo/jinan_streets.csv").open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle) if row["areaCode"] == district}


def report_at(session, username: str, district: str):  # type: ignore[no-untyped-def]
    """A case reported at a point inside a community of `district` (the locator places it)."""
    from govgrid.geo.shapes import from_wkb

    community = session.scalars(
        select(Area).where(Area.level == "community", Area.code.startswith(district)).order_by(Area.code)
    ).first()
    point = from_wkb(community.geometry_wkb).representative_point()
    data = intake.Report(
        channel="phone",
        class_code="E0102",
        title="路边暴露垃圾",
        lng=round(point.x, 6),
        lat=round(point.y, 6),
        external_id=uuid.uuid4().hex,
    )
    case, _ = intake.report(
        session,
        actor=who(session, username),
        rules=CATALOGS.case_rules,
        locator=LocatorCache(),
        data=data,
        now=NOW,
    )
    return case


def test_both_districts_stand_side_by_side_each_with_its_streets_grids_units_and_people(city):
    sessions, summary, shared = city
    assert summary.districts == ["市中区"] and summary.cases > 0
    with sessions() as session:
        names = dict(session.execute(select(Area.code, Area.name).where(Area.level == "district")).all())
        assert names == {"370102": "历下区", "370103": "市中区"}
        for district in ("370102", "370103"):
            streets = set(
                session.scalars(
                    select(Area.code).where(Area.level == "street", Area.code.startswith(district))
                )
            )
            assert streets == streets_of(shared, district)
            assert (
                session.scalar(
                    select(func.count()).select_from(UnitGrid).where(UnitGrid.code.startswith(district))
                )
                > 0
            )
            workers = (
                select(func.count())
                .select_from(ResponsibilityGrid)
                .where(
                    ResponsibilityGrid.community_code.startswith(district),
                    ResponsibilityGrid.worker_id.is_not(None),
                )
            )
            assert session.scalar(workers) > 0
            assert (
                session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.area_code == district))
                > 0
            )
        scopes = dict(session.execute(select(User.username, User.scope_code)).all())
        assert (scopes["dispatcher"], scopes["sz_dispatcher"], scopes["city_dispatcher"]) == (
            "370102",
            "370103",
            "370100",
        )


def test_a_case_placed_in_shizhong_belongs_to_shizhong_whoever_took_it(city):
    sessions, _, _ = city
    with sessions() as session:
        case = report_at(session, "city_dispatcher", "370103")
        assert case.district_code == "370103" and case.scope_code.startswith("370103")


def test_district_people_see_only_their_district_and_the_city_sees_both(city):
    sessions, _, _ = city
    with sessions() as session:
        lixia, shizhong = (
            report_at(session, "dispatcher", "370102"),
            report_at(session, "sz_dispatcher", "370103"),
        )

        def listed(username: str) -> set[str]:
            page = queries.list_cases(session, actor=who(session, username), paging=Paging(page_size=100))
            return {c.district_code for c in page.items}

        assert listed("dispatcher") == {"370102"}
        assert listed("sz_dispatcher") == {"370103"}
        assert listed("city_dispatcher") == {"370100", "370102", "370103"}  # and the city's own 12345 orders
        with pytest.raises(NotFound):
            queries.get_case(session, actor=who(session, "dispatcher"), case_id=shizhong.id)
        with pytest.raises(NotFound):
            steps.transition(
                session, actor=who(session, "sz_dispatcher"), rules=CATALOGS.case_rules, case_id=lixia.id,
                step=Step.VERIFY, now=NOW,
            )  # fmt: skip
        assert (
            queries.get_case(session, actor=who(session, "city_dispatcher"), case_id=shizhong.id).id
            == shizhong.id
        )


def test_metrics_rank_the_districts_across_the_city_and_each_district_sees_its_own(city):
    sessions, _, _ = city
    with sessions() as session:
        report_at(session, "dispatcher", "370102")
        report_at(session, "sz_dispatcher", "370103")
        period = Period(NOW.date().replace(day=1), NOW.date())
        across = metrics(
            session,
            actor=who(session, "city_leader"),
            rules=CATALOGS.case_rules,
            period=period,
            by=Slice.DISTRICT,
        )
        assert {row["code"] for row in across["rows"]} == {"370102", "370103"}
        mine = metrics(
            session,
            actor=who(session, "sz_leader"),
            rules=CATALOGS.case_rules,
            period=period,
            by=Slice.DISTRICT,
        )
        assert {row["code"] for row in mine["rows"]} == {"370103"}


def test_a_second_build_adds_nothing(city):
    sessions, _, shared = city
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Area))
        again = build_city(session, catalogs=CATALOGS, shared_dir=shared, password="demo-pass-1", now=NOW)
        assert again.already_built and session.scalar(select(func.count()).select_from(Area)) == before


def test_shizhongs_demo_cases_stay_in_shizhong_and_go_to_its_own_departments_and_streets(city):
    from govgrid.db.case_models import Case

    sessions, _, _ = city
    with sessions() as session:
        units = session.execute(
            select(Case.district_code, OrgUnit.area_code).join(OrgUnit, OrgUnit.id == Case.unit_id)
        ).all()
        shizhong = [area for district, area in units if district == "370103"]
        assert shizhong and all(area.startswith("370103") for area in shizhong)


def test_the_citys_12345_orders_wait_at_the_city_or_are_handed_to_their_districts(city):
    from govgrid.db.case_models import Case, CaseForward

    sessions, summary, _ = city
    with sessions() as session:
        orders = session.scalars(select(Case).where(Case.district_code == "370100")).all()
        assert len(orders) == summary.orders == 6 and all(o.is_synthetic for o in orders)
        assert sorted(o.status for o in orders) == ["accepted"] * 2 + ["forwarded"] * 4
        for link in session.scalars(select(CaseForward)):
            copy = session.get(Case, link.to_case_id)
            assert copy.district_code == link.to_district and copy.is_synthetic and copy.status == "accepted"
