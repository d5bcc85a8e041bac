"""The big screen's page: who may open it, and that a street officer's screen holds nothing of another
street — its map, its tiles' counts and its lists are read in their own scope."""

from __future__ import annotations

import json

from sqlalchemy import select

from govgrid.db.case_models import Case
from tests.factories import STREET_A, STREET_B


def screen_data(html: str) -> dict:
    return json.loads(
        html.split('<script type="application/json" id="screen-data">', 1)[1].split("</script>", 1)[0]
    )


def test_citizens_and_grid_workers_have_no_big_screen(as_user):
    assert as_user("citizen").get("/screen").status_code in (403, 404)
    assert as_user("grid_worker").get("/screen").status_code in (403, 404)


def test_the_command_center_leaders_streets_and_departments_open_it(as_user):
    for name in ("dispatcher", "leader", "street_officer", "dept_officer", "admin"):
        answer = as_user(name).get("/screen")
        assert answer.status_code == 200, (name, answer.text[:200])
        assert "城市运行综合指挥" in answer.text and "/static/vendor/echarts/echarts.min.js" in answer.text


def test_a_street_officers_screen_holds_nothing_of_another_street(as_user, session, district):
    from tests.web.test_route_permissions import street_b_case

    theirs = street_b_case(session, district)
    html = as_user("street_officer").get("/screen").text
    ids = [p[3] for p in screen_data(html)["points"]]
    scopes = set(session.scalars(select(Case.scope_code).where(Case.id.in_(ids)))) if ids else set()
    assert theirs.id not in ids and all(code.startswith(STREET_A) for code in scopes)
    assert theirs.code not in html and STREET_B not in html


def test_each_tile_links_to_the_list_behind_it(as_user):
    html = as_user("dispatcher").get("/screen").text
    assert 'href="/cases?open=true"' in html and 'href="/cases?open=true&amp;overdue=true"' in html
    assert "metric=due&amp;period_from=" in html and "without=closed_on_time" in html


def test_the_leaders_phone_view_is_for_those_who_read_the_assessment(as_user):
    assert as_user("grid_worker").get("/today").status_code in (403, 404)
    html = as_user("leader").get("/today").text
    assert "今日概览" in html and 'href="/cases?open=true"' in html and "/bulletins/daily/" in html


def test_a_street_officer_sees_their_own_place_in_the_districts_ranking_and_no_other(as_user):
    html = as_user("street_officer").get("/screen").text
    assert 'id="own-place"' in html and "本街道在全区的排名" in html
    assert STREET_B not in html
    assert 'id="own-place"' not in as_user("dispatcher").get("/screen").text


def test_the_own_place_is_the_streets_row_of_the_districts_ranking(session):
    from datetime import datetime

    from govgrid.services.assessment.metrics import Slice
    from govgrid.services.assessment.ranking import ranking
    from govgrid.services.dashboard.screen import last_month, own_place
    from tests.catalogs import CATALOGS
    from tests.factories import NOW
    from tests.services.cases.test_cases import who

    period = last_month(datetime.fromisoformat(NOW.isoformat()).date())
    rules = CATALOGS.case_rules
    board = ranking(
        session, actor=who(session, "dispatcher"), rules=rules, period=period, by=Slice.STREET, scheme_id=""
    )
    mine = own_place(session, actor=who(session, "street_officer"), rules=rules, period=period)
    assert mine is not None and mine["of"] == len(board["ranked"])
    expected = next((e for e in board["ranked"] if e["code"] == STREET_A), None)
    assert mine["place"] == (expected["place"] if expected else None)
    assert mine["score"] == (expected["score"] if expected else None)
