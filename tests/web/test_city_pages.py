"""A city's deployment through the web: a 历下区 dispatcher can never touch a 市中区 case through ANY case
route (every route with a case id is probed, so a new one is covered), the city's people see both districts
on the list and the map, and each district reads and pushes its own bulletins."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.areas import AreaLevel
from tests.factories import SECOND_DISTRICT, district_features, second_district_features

SECRET_TITLE = "市中区的暴露垃圾"


def a_point_in(district: str) -> tuple[float, float]:
    """Inside the first unit grid of the district's first street (tests.factories draws both districts)."""
    features = district_features() if district == "370102" else second_district_features()
    grid = next(f for f in features if f.level is AreaLevel.GRID and f.code.startswith(f"{district}001"))
    point = grid.geometry.representative_point()
    return round(point.x, 6), round(point.y, 6)


@pytest.fixture(scope="module")
def shizhong_case(in_city):  # type: ignore[no-untyped-def]
    client = in_city("sz_dispatcher")
    lng, lat = a_point_in(SECOND_DISTRICT)
    answer = client.post(
        "/api/v1/cases",
        json={"channel": "phone", "class_code": "E0102", "title": SECRET_TITLE, "lng": lng, "lat": lat},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()


def case_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every route with a case id: the API's (its OpenAPI document) and every page module's."""
    import importlib
    import pkgutil

    import govgrid.web.pages

    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if "{case_id}" in path
    }
    for module in pkgutil.iter_modules(govgrid.web.pages.__path__):
        router = getattr(importlib.import_module(f"govgrid.web.pages.{module.name}"), "router", None)
        for route in getattr(router, "routes", []):
            if "{case_id}" in getattr(route, "path", ""):
                found |= {(method, route.path) for method in route.methods - {"HEAD", "OPTIONS"}}
    return sorted(found)


def state(city_sessions, case_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with city_sessions() as session:
        version = session.scalar(select(Case.version).where(Case.id == case_id))
        steps = session.scalar(
            select(func.count()).select_from(CaseTransition).where(CaseTransition.case_id == case_id)
        )
        return version, steps


def test_a_lixia_dispatcher_can_never_touch_a_shizhong_case_through_any_case_route(
    in_city, city_sessions, shizhong_case
):
    lixia = in_city("dispatcher")
    before = state(city_sessions, shizhong_case["id"])
    routes = case_routes(lixia.app)
    assert len(routes) >= 15, routes  # the API's and the pages' case routes
    for method, path in routes:
        url = path.replace("{case_id}", str(shizhong_case["id"])).replace("{photo_id}", "1")
        answer = lixia.request(method, url, json={"step": "verify"}, data=None, follow_redirects=False)
        assert answer.status_code in (403, 404, 422), (method, path, answer.status_code)
        assert SECRET_TITLE not in answer.text, (method, path)
    transition = lixia.post(f"/api/v1/cases/{shizhong_case['id']}/steps", json={"step": "verify"})
    assert transition.status_code == 404  # with a valid body: not theirs, as if it did not exist
    assert state(city_sessions, shizhong_case["id"]) == before


def test_the_lists_and_the_map_keep_each_district_to_its_own_and_show_the_city_both(in_city, shizhong_case):
    def codes(username: str) -> set[str]:
        items = in_city(username).get("/api/v1/cases?page_size=100").json()["items"]
        return {c["scope_code"][:6] for c in items}

    lixia = in_city("dispatcher")
    lng, lat = a_point_in("370102")
    assert lixia.post(
        "/api/v1/cases",
        json={"channel": "phone", "class_code": "E0102", "title": "历下区的井盖", "lng": lng, "lat": lat},
    ).status_code == 201  # fmt: skip
    assert codes("dispatcher") == {"370102"}
    assert codes("sz_dispatcher") == {SECOND_DISTRICT}
    assert codes("city_dispatcher") == {"370102", SECOND_DISTRICT}

    def on_map(username: str) -> set[int]:
        found = in_city(username).get("/api/v1/map/cases?bbox=116.9,36.5,117.2,36.8&zoom=18").json()
        return {point["id"] for point in found["points"]}

    assert shizhong_case["id"] not in on_map("dispatcher")
    assert shizhong_case["id"] in on_map("city_dispatcher") and shizhong_case["id"] in on_map("sz_dispatcher")


def test_each_district_reads_its_own_bulletins_and_the_city_chooses_among_its_districts(in_city):
    city = in_city("city_leader").get("/bulletins")
    assert city.status_code == 200 and 'id="district-form"' in city.text
    assert "测试区" in city.text and "市中区" in city.text
    chosen = in_city("city_leader").get(f"/bulletins?district={SECOND_DISTRICT}")
    assert '<span id="bulletin-district">市中区</span>' in chosen.text
    assert f"/bulletins/daily/2026-11-20?district={SECOND_DISTRICT}" in chosen.text
    preview = in_city("city_leader").get(f"/bulletins/daily/2026-11-20?district={SECOND_DISTRICT}")
    assert preview.status_code == 200 and "市中区城市运行综合指挥中心" in preview.text
    own = in_city("dispatcher").get("/bulletins")
    assert '<span id="bulletin-district">测试区</span>' in own.text and 'id="district-form"' not in own.text
    assert in_city("dispatcher").get(f"/bulletins?district={SECOND_DISTRICT}").status_code == 422
    assert (
        in_city("dispatcher").get(f"/bulletins/daily/2026-11-20.pdf?district={SECOND_DISTRICT}").status_code
        == 422
    )


def test_an_administrator_sees_and_pauses_only_their_own_districts_push_groups(in_city, city_sessions):
    from govgrid.db.push_models import PushDestination

    theirs = in_city("sz_admin")
    answer = theirs.post(
        "/bulletins/pushes",
        data={"name": "市中区指挥群", "platform": "email", "url": "zhzx@shizhong.example", "district": ""},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    with city_sessions() as session:
        group = session.scalars(select(PushDestination).where(PushDestination.name == "市中区指挥群")).one()
        assert group.district_code == SECOND_DISTRICT
    assert "市中区指挥群" in theirs.get("/bulletins").text
    lixia_admin = in_city("admin")
    assert "市中区指挥群" not in lixia_admin.get("/bulletins").text
    assert (
        lixia_admin.post(f"/bulletins/pushes/{group.id}/active", data={"active": "false"}).status_code == 404
    )
    with city_sessions() as session:
        assert session.get(PushDestination, group.id).active


def test_the_citys_people_see_the_whole_city_named_on_their_workspace_screen_and_map(in_city):
    client = in_city("city_leader")
    assert "数据范围：<strong>全市</strong>（370100）" in client.get("/").text
    assert "城市运行综合指挥 · 全市" in client.get("/screen").text
    assert "指挥地图 · 全市" in client.get("/map").text
    assert "城市运行综合指挥 · 市中区" in in_city("sz_dispatcher").get("/screen").text


def test_open311_shows_a_forwarded_complaint_once_as_the_districts_case(city_app, city_sessions):
    from fastapi.testclient import TestClient

    from tests.services.test_city_forwarding import city_order, forward

    with city_sessions() as session:
        order = city_order(session, title="公开只显示一次的工单")
        case = forward(session, order)
        order_id, case_id = order.id, case.id
    with TestClient(city_app) as anonymous:
        found = anonymous.get("/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z").json()
    ids = {
        int(r["service_request_id"]) for r in found if r.get("description", "") or r.get("service_request_id")
    }
    assert case_id in ids and order_id not in ids
