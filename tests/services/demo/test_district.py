"""The demo district built from the real 历下区 boundary and street list (../shared)."""

import csv
import json
from datetime import timedelta

import pytest
import shapely
from sqlalchemy import func, select

from govgrid.db.models import Area, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.errors import NotFound
from govgrid.geo.crs import Crs
from govgrid.services.demo.district import build_demo
from govgrid.services.geo.locate import LocatorCache, locate
from tests.catalogs import CATALOGS
from tests.factories import NOW

pytestmark = pytest.mark.shared
DAYS = 21  # the demo's last three weeks of cases: the whole year is built by `govgrid demo`


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import pathlib

    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade
    from tests.databases import fresh_database

    shared = pathlib.Path(__file__).resolve().parents[4] / "shared"
    if not (shared / "data/geo/370102.geojson").is_file():
        pytest.skip(f"参考数据目录 {shared} 不存在")
    with fresh_database(tmp_path_factory.mktemp("demo")) as url:
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            summary = build_demo(
                session,
                catalogs=CATALOGS,
                shared_dir=shared,
                password="demo-pass-123",
                now=NOW,
                days=DAYS,
            )
        yield sessions, summary, shared
        engine.dispose()


def test_the_demo_has_the_thirteen_real_streets_with_their_codes(demo):
    sessions, summary, shared = demo
    with (shared / "data/geo/jinan_streets.csv").open(encoding="utf-8") as handle:
        real = {(r["code"], r["name"]) for r in csv.DictReader(handle) if r["areaCode"] == "370102"}
    with sessions() as session:
        stored = {(a.code, a.name) for a in session.scalars(select(Area).where(Area.level == "street"))}
    assert stored == real and len(real) == 13


def test_about_ten_thousand_unit_grids_in_about_nine_hundred_responsibility_grids(demo):
    _, summary, _ = demo
    assert 9_000 <= summary.grids <= 12_000
    assert 850 <= summary.responsibility_grids <= 960
    assert 80 <= summary.communities <= 120


def test_every_unit_grid_has_a_fifteen_character_code_and_a_grid_worker(demo):
    sessions, _, _ = demo
    with sessions() as session:
        codes = session.scalars(select(UnitGrid.code)).all()
        assert all(len(c) == 15 and c.startswith("370102") for c in codes)
        unstaffed = session.scalar(
            select(func.count()).select_from(ResponsibilityGrid).where(ResponsibilityGrid.worker_id.is_(None))
        )
        assert unstaffed == 0
        assert (
            session.scalar(
                select(func.count()).select_from(UnitGrid).where(UnitGrid.responsibility_grid_code.is_(None))
            )
            == 0
        )


def test_there_is_one_login_per_role(demo):
    sessions, summary, _ = demo
    with sessions() as session:
        roles = {u.role for u in session.scalars(select(User).where(User.password_hash.is_not(None)))}
    assert roles == {
        "citizen",
        "grid_worker",
        "street_officer",
        "department_officer",
        "dispatcher",
        "supervisor",
        "leader",
        "admin",
        "security_admin",
        "auditor",
    }


def test_the_acceptance_point_lies_in_a_lixia_unit_grid(demo):
    sessions, _, _ = demo
    with sessions() as session:
        found = locate(session, cache=LocatorCache(), lng=117.0386, lat=36.6642, crs=Crs.GCJ02)
    assert found.is_inside and len(found.grid_code) == 15 and found.grid_code.startswith("370102")
    assert found.street.name.endswith("街道") and found.community.code == found.grid_code[:12]


def test_a_point_in_shizhong_district_is_outside_with_a_clear_answer(demo):
    sessions, _, shared = demo
    doc = json.loads((shared / "data/geo/370103.geojson").read_text(encoding="utf-8"))
    shizhong = shapely.geometry.shape(doc["features"][0]["geometry"])
    point = shizhong.representative_point()
    with sessions() as session:
        found = locate(session, cache=LocatorCache(), lng=point.x, lat=point.y, crs=Crs.GCJ02)
    assert (
        not found.is_inside and found.grid_code is None and "不在本系统管辖范围（历下区）内" in found.message
    )


def test_building_again_reports_the_existing_demo(demo):
    sessions, summary, shared = demo
    with sessions() as session:
        again = build_demo(session, catalogs=CATALOGS, shared_dir=shared, password="demo-pass-123", now=NOW)
    assert again.already_built and again.grids == summary.grids


def test_without_the_reference_data_the_demo_names_the_file_it_needs(empty_sessions, tmp_path):
    with empty_sessions() as session, pytest.raises(NotFound) as caught:
        build_demo(
            session, catalogs=CATALOGS, shared_dir=tmp_path / "nowhere", password="demo-pass-123", now=NOW
        )
    assert "370102.geojson" in caught.value.message and "GOVGRID_SHARED_DIR" in caught.value.message


def test_the_demo_year_has_cases_from_every_channel_at_about_a_hundred_a_day(demo):
    _, summary, _ = demo
    year = summary.year
    assert year is not None and 60 * DAYS <= year.cases <= 140 * DAYS
    assert set(year.by_channel) == {
        "patrol",
        "hotline12345",
        "citizen",
        "video",
        "superior_task",
        "epidemic",
        "police_screening",
    }
    assert sum(year.by_channel.values()) == year.cases
    assert {"on_time", "late", "reworked", "cancelled", "called_back"} <= set(year.by_outcome)
    assert 0 < year.still_open < year.cases / 2


def test_every_demo_case_stands_where_its_history_ends(demo):
    """Built through the transition table: each case's status is its last history row's."""
    from govgrid.db.case_models import Case, CaseTransition

    sessions, _, _ = demo
    with sessions() as session:
        last = (
            select(CaseTransition.case_id, func.max(CaseTransition.id).label("last_id"))
            .group_by(CaseTransition.case_id)
            .subquery()
        )
        rows = session.execute(
            select(Case.status, CaseTransition.to_status)
            .join(last, last.c.case_id == Case.id)
            .join(CaseTransition, CaseTransition.id == last.c.last_id)
        ).all()
        assert rows and all(status == ended for status, ended in rows)
        late = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.closure_type == "overdue", Case.closed_at <= Case.due_at)
        )
        assert late == 0
        unlabelled = select(func.count()).select_from(Case).where(Case.description.not_like("%合成演示数据%"))
        assert session.scalar(unlabelled) == 0  # every synthetic case says so
        unmarked = select(func.count()).select_from(Case).where(Case.is_synthetic.is_(False))
        assert session.scalar(unmarked) == 0  # … and is marked so that lists and assessments can tell


def test_the_sweeper_finds_no_mark_the_demo_year_has_not_recorded(demo):
    from govgrid.db.case_models import CaseTransition
    from govgrid.services.cases.sweeper import sweep

    sessions, _, _ = demo
    with sessions() as session:
        before = session.scalar(
            select(func.count()).select_from(CaseTransition).where(CaseTransition.step != "warn")
        )
        late = session.scalar(
            select(func.count())
            .select_from(CaseTransition)
            .where(CaseTransition.step.in_(["overdue", "urge", "supervise"]))
        )
        sweep(session, rules=CATALOGS.case_rules, policy=CATALOGS.policy, now=NOW)
        after = session.scalar(
            select(func.count()).select_from(CaseTransition).where(CaseTransition.step != "warn")
        )
    assert late > 0  # late cases carry 超期, 催办, 督办 in their histories …
    assert after == before  # … and the live sweeper, run at the build time, has nothing to add but 预警


def test_building_the_demo_year_again_adds_nothing(demo):
    from govgrid.services.demo.year import build_demo_year

    sessions, _, _ = demo
    with sessions() as session:
        again = build_demo_year(
            session, rules=CATALOGS.case_rules, source=CATALOGS.source, area_code="370102", now=NOW, days=DAYS
        )
    assert again.cases == 0


def test_streets_differ_in_how_often_they_are_late(demo):
    from govgrid.db.case_models import Case

    sessions, _, _ = demo
    with sessions() as session:
        rows = session.execute(
            select(Case.scope_code, Case.closure_type).where(Case.closure_type.in_(["normal", "overdue"]))
        ).all()
    by_street: dict[str, dict[str, int]] = {}
    for scope, kind in rows:
        counts = by_street.setdefault(scope[:9], {})
        counts[kind] = counts.get(kind, 0) + 1
    shares = [
        kinds.get("overdue", 0) / sum(kinds.values())
        for kinds in by_street.values()
        if sum(kinds.values()) >= 20
    ]
    assert len(shares) >= 5 and max(shares) - min(shares) > 0.05


def test_the_rollups_give_the_plain_figures_over_the_demo_weeks(demo):
    from datetime import date, timedelta

    from govgrid.domain.assessment import Period
    from govgrid.domain.permissions import Actor, Role
    from govgrid.services.assessment.metrics import Slice, metrics

    sessions, _, _ = demo
    admin = Actor(user_id=None, username="rollup-check", role=Role.ADMIN)
    last = NOW.date()
    month = last.replace(day=1) - timedelta(days=1)
    periods = [
        Period(last - timedelta(days=DAYS), last),
        Period(last - timedelta(days=6), last),
        Period(month.replace(day=1), month),  # a whole month: the monthly rollup
        Period(date(last.year, last.month, 1), last),
    ]
    with sessions() as session:
        for period in periods:
            for by in (Slice.STREET, Slice.COMMUNITY, Slice.DEPARTMENT, Slice.CLASS, Slice.CHANNEL):
                args = dict(actor=admin, rules=CATALOGS.case_rules, period=period, by=by, compare=False)
                rolled, plain = metrics(session, **args), metrics(session, **args, plain=True)
                assert rolled == plain, (period, by)
        assert plain["total"]["registered"] > 100 and plain["total"]["supervised"] > 0


def test_the_demo_has_an_inspection_campaign_over_its_communities_with_rankings_and_rectifications(demo):
    from govgrid.db.case_models import Case
    from govgrid.db.inspection_models import InspectionCampaign, InspectionDeduction
    from govgrid.domain.permissions import Actor, Role
    from govgrid.services import inspection

    sessions, _, _ = demo
    with sessions() as session:
        campaign = session.scalars(select(InspectionCampaign)).one()
        board = inspection.ranking(
            session, actor=Actor(user_id=None, username="check", role=Role.ADMIN), campaign=campaign
        )
        assert campaign.is_synthetic and board["inspected"] > board["places"] / 2
        scores = [p.score for p in board["rows"] if p.score is not None]
        assert scores == sorted(scores, reverse=True) and min(scores) < 100
        raised = session.scalars(
            select(InspectionDeduction.case_id).where(InspectionDeduction.case_id.is_not(None))
        )
        cases = [session.get(Case, case_id) for case_id in raised]
        assert cases and all(c.channel == "inspection" and c.is_synthetic for c in cases)


def test_the_linked_systems_pushed_today_through_the_log_and_two_wait_for_a_replay(demo):
    from govgrid.db.connector_models import ConnectorMessage
    from govgrid.domain.permissions import Actor, Role
    from govgrid.services.cases import connector_log

    sessions, _, _ = demo
    admin = Actor(user_id=None, username="admin", role=Role.ADMIN)
    with sessions() as session:
        health = connector_log.health(session, actor=admin, rules=CATALOGS.case_rules, now=NOW)
        assert {h.connector_id for h in health} == set(CATALOGS.case_rules.connectors)
        assert all(h.week >= 1 and h.last_at is not None for h in health)
        waiting = connector_log.waiting(session)
        assert sorted(m.connector_id for m in waiting) == ["hotline12345", "video"]
        assert {m.field for m in waiting} == {"title", "position.0"}
        taken = session.scalar(
            select(func.count())
            .select_from(ConnectorMessage)
            .where(
                ConnectorMessage.outcome == "taken", ConnectorMessage.received_at >= NOW - timedelta(hours=8)
            )
        )  # today's traffic; the recurring problems came over the weeks before
        assert taken == len(CATALOGS.case_rules.connectors) * 4 - 2


def test_the_demo_plants_recurring_problems_that_show_as_the_top_hotspots(demo):
    from govgrid.catalog import SHIPPED_SOURCE
    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.intelligence import hotspots

    sessions, _, _ = demo
    planted = [p["place"] for p in SHIPPED_SOURCE.load("demo_hotspots.yaml")["problems"]]
    hotspots.forget()
    with sessions() as session:
        found = hotspots.recent(
            session,
            actor=SYSTEM,
            hints=CATALOGS.dispatch_hints,
            rules=CATALOGS.hotspot_rules,
            now=NOW,
            top=10,
        )
    hotspots.forget()
    places = [f.hotspot.place for f in found[:5]]
    assert all(any(p in place for place in places) for p in planted), places  # among the five hottest
    assert all(len(f.hotspot.members) >= 6 for f in found if any(p in f.hotspot.place for p in planted))


def test_the_demo_supervisor_has_weak_replies_to_review_and_decided_earlier_ones(demo):
    from sqlalchemy import func, select

    from govgrid.db.case_models import Case, CaseTransition

    sessions, _, _ = demo
    with sessions() as session:
        held = session.scalar(select(func.count()).select_from(Case).where(Case.status == "reply_held"))
        decided = dict(
            session.execute(
                select(CaseTransition.step, func.count())
                .where(CaseTransition.from_status == "reply_held")
                .group_by(CaseTransition.step)
            ).all()
        )
        scored = session.scalar(
            select(func.count()).select_from(CaseTransition).where(CaseTransition.step == "feed_back")
        )
    assert held >= 1, "the 答复审核 queue of the demo is empty"
    assert decided.get("release_reply", 0) > 0 and decided.get("check_fail", 0) > 0, decided
    assert scored > held


def test_each_demo_community_has_a_synthetic_register_entered_by_its_grid_worker(demo):
    from sqlalchemy import func, select

    from govgrid.db.models import User
    from govgrid.db.register_models import RegisterChange, RegisterEntry
    from govgrid.domain.forms import id_number_problem

    sessions, _, _ = demo
    with sessions() as session:
        kinds = dict(
            session.execute(select(RegisterEntry.kind, func.count()).group_by(RegisterEntry.kind)).all()
        )
        entries = session.scalars(
            select(RegisterEntry).where(RegisterEntry.kind == "resident").limit(50)
        ).all()
        by = set(session.scalars(select(RegisterChange.actor_name).distinct()).all())
        workers = set(session.scalars(select(User.display_name).where(User.role == "grid_worker")).all())
    assert set(kinds) == {"resident", "house", "enterprise"} and kinds["resident"] > kinds["house"]
    assert all(e.is_synthetic for e in entries)
    assert all(id_number_problem(e.values["person.id_number"]) is None for e in entries)
    assert len(by) > 1 and by <= workers  # each community's own grid worker entered it
