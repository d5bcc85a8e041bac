"""The JSON API: health, locate, geography in scope, import, people, tokens, errors that name the field."""

from sqlalchemy import func, select

from govgrid.db.models import Area
from tests.factories import STREET_A, STREET_B
from tests.samples import GOOD_REPLY
from tests.unit.geojson_samples import district_doc, with_change


def test_health_answers_with_the_engine_in_use(anonymous):
    body = anonymous.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] in ("sqlite", "postgresql")


def test_the_openapi_document_is_published(anonymous):
    spec = anonymous.get("/api/v1/openapi.json").json()
    assert "/api/v1/geo/locate" in spec["paths"]


def test_anyone_can_locate_a_point_to_its_grid_community_and_street(anonymous, district):
    point = district.grid(STREET_A).geometry.representative_point()
    body = anonymous.get(f"/api/v1/geo/locate?lng={point.x}&lat={point.y}&crs=gcj02").json()
    assert body["is_inside"] and len(body["grid_code"]) == 15 and body["grid_code"].startswith(STREET_A)
    assert body["street"]["code"] == STREET_A and body["community"]["code"] == body["grid_code"][:12]


def test_a_wgs84_point_is_converted_before_it_is_located(anonymous, district):
    from govgrid.geo.crs import Crs, from_stored

    point = district.grid(STREET_A).geometry.representative_point()
    lng, lat = from_stored(point.x, point.y, Crs.WGS84)
    body = anonymous.get(f"/api/v1/geo/locate?lng={lng}&lat={lat}&crs=wgs84").json()
    assert (
        body["grid_code"]
        == anonymous.get(f"/api/v1/geo/locate?lng={point.x}&lat={point.y}").json()["grid_code"]
    )


def test_a_point_outside_the_district_gets_a_clear_answer_not_a_guess(anonymous):
    body = anonymous.get("/api/v1/geo/locate?lng=116.99&lat=36.64").json()
    assert (
        body["is_inside"] is False and body["grid_code"] is None and "不在本系统管辖范围" in body["message"]
    )


def test_bad_coordinates_get_a_422_naming_the_field(anonymous):
    answer = anonymous.get("/api/v1/geo/locate?lng=abc&lat=36.6")
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "lng"
    answer = anonymous.get("/api/v1/geo/locate?lng=117.0&lat=36.6&crs=mercator")
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "crs"


def test_geography_needs_a_login(anonymous):
    assert anonymous.get("/api/v1/geo/areas").status_code == 401


def test_a_citizen_does_not_browse_grids(as_user, district):
    assert as_user("citizen").get(f"/api/v1/geo/grids/{district.grid(STREET_A).code}").status_code == 403


def test_a_grid_shows_its_community_street_and_worker(as_user, district):
    body = as_user("dispatcher").get(f"/api/v1/geo/grids/{district.grid(STREET_A).code}").json()
    assert body["street"]["code"] == STREET_A and body["worker"]["name"].startswith("网格员")
    assert body["responsibility_grid_code"].startswith(body["community"]["code"])


def test_the_dispatcher_sees_every_street_and_the_street_officer_only_theirs(as_user):
    everyone = as_user("dispatcher").get("/api/v1/geo/areas?level=street&geometry=false").json()["features"]
    mine = as_user("street_officer").get("/api/v1/geo/areas?level=street&geometry=false").json()["features"]
    assert {f["properties"]["code"] for f in everyone} == {STREET_A, STREET_B}
    assert [f["properties"]["code"] for f in mine] == [STREET_A]


def test_grids_in_a_box_come_back_as_geojson(as_user):
    body = as_user("leader").get("/api/v1/geo/grids?bbox=117.03,36.65,117.04,36.66").json()
    assert body["features"] and body["features"][0]["geometry"]["type"] == "Polygon"


def test_a_malformed_bbox_is_refused_naming_the_field(as_user):
    answer = as_user("leader").get("/api/v1/geo/grids?bbox=1,2,3")
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "bbox"


def test_a_bad_geojson_import_names_the_feature_and_writes_nothing(as_user, session):
    before = session.scalar(select(func.count()).select_from(Area))
    doc = with_change(district_doc(), 1, coordinates=[[[117.0, 36.6], [117.01, 36.6], [117.01, 36.62]]])
    answer = as_user("admin").post("/api/v1/geo/import", json=doc)
    assert answer.status_code == 422
    assert any("要素 #2" in p and "370199001" in p for p in answer.json()["error"]["problems"])
    assert session.scalar(select(func.count()).select_from(Area)) == before


def test_a_cookie_write_without_the_csrf_token_is_refused(as_user):
    client = as_user("admin")
    del client.headers["X-CSRF-Token"]
    answer = client.post("/api/v1/tokens", json={"name": "no-csrf"})
    assert answer.status_code == 403 and answer.json()["error"]["field"] == "csrf_token"


def test_a_bearer_token_authenticates_an_integration_without_cookies(as_user, app):
    from fastapi.testclient import TestClient

    secret = as_user("dispatcher").post("/api/v1/tokens", json={"name": "12345 对接"}).json()["token"]
    with TestClient(app) as integration:
        me = integration.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.json()["username"] == "dispatcher"
        assert integration.get("/api/v1/me", headers={"Authorization": "Bearer ggt_wrong"}).status_code == 401


def test_an_administrator_creates_a_person_through_the_api(as_user):
    answer = as_user("security_admin").post(
        "/api/v1/people",
        json={
            "username": "api_created_officer",
            "display_name": "新街道干部",
            "role": "street_officer",
            "scope_code": STREET_B,
            "password": "long-enough-2",
        },
    )
    assert answer.status_code == 201 and answer.json()["scope_code"] == STREET_B


def test_an_invalid_role_is_refused_naming_the_field(as_user):
    answer = as_user("admin").post(
        "/api/v1/people", json={"username": "x1", "display_name": "x", "role": "mayor"}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "role"


def test_an_extension_is_asked_for_and_approved_through_the_api(as_user, district):
    point = district.grid(STREET_A).geometry.representative_point()
    dispatcher, officer = as_user("dispatcher"), as_user("dept_officer")
    case = dispatcher.post(
        "/api/v1/cases", json={"class_code": "E0101", "title": "违建", "lng": point.x, "lat": point.y}
    ).json()
    for step in ("verify", "register", "dispatch"):
        case = dispatcher.post(f"/api/v1/cases/{case['id']}/steps", json={"step": step}).json()
    assert case["suggested_unit_code"] is None and case["due_at"]
    officer.post(f"/api/v1/cases/{case['id']}/steps", json={"step": "sign"})
    asked = officer.post(
        f"/api/v1/cases/{case['id']}/extension",
        json={"until": "2027-06-30T17:30:00+08:00", "reason": "需拆除审批"},
    )
    assert asked.status_code == 200, asked.text
    decided = dispatcher.post(f"/api/v1/cases/{case['id']}/extension/decision", json={"approve": True}).json()
    assert decided["due_at"].startswith("2027-06-30")
    stale = dispatcher.post(
        f"/api/v1/cases/{case['id']}/steps", json={"step": "park", "expected_version": 1, "note": "待资金"}
    )
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"


def test_a_report_that_is_not_utf8_gets_a_422_naming_the_body_and_writes_nothing(as_user, session):
    from govgrid.db.case_models import Case

    before = session.scalar(select(func.count()).select_from(Case))
    body = '{"class_code": "E0102", "title": "垃圾", "lng": 117.04, "lat": 36.655}'.encode("gbk")
    answer = as_user("dispatcher").post(
        "/api/v1/cases", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "body"
    assert "UTF-8" in answer.json()["error"]["message"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Case)) == before


def test_a_report_with_a_bad_field_names_it(as_user):
    answer = as_user("dispatcher").post(
        "/api/v1/cases", json={"class_code": "E0102", "title": "x", "lng": "东经"}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "lng"
    answer = as_user("dispatcher").post(
        "/api/v1/cases", json={"class_code": "Z9", "title": "x", "lng": 117.04, "lat": 36.655}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "class_code"


def test_a_hotline_order_goes_round_its_loop_and_the_callback_answers_are_kept(
    as_user, connector_client, district
):
    import uuid

    point = district.grid(STREET_A).geometry.representative_point()
    dispatcher, officer = as_user("dispatcher"), as_user("dept_officer")
    order = (
        connector_client()
        .post(
            "/api/v1/connectors/hotline12345/events",
            json={
                "order_no": uuid.uuid4().hex,
                "title": "垃圾清运",
                "category": "城乡建设/城市建设和市政管理/环境卫生",
                "location": {"lng": point.x, "lat": point.y},
            },
        )
        .json()
    )
    case_id = order["case_id"]
    dispatcher.post(f"/api/v1/cases/{case_id}/steps", json={"step": "dispatch"})
    for step in ("sign", "contact", "handle", "feed_back"):
        taken = officer.post(f"/api/v1/cases/{case_id}/steps", json={"step": step, "note": GOOD_REPLY})
        assert taken.status_code == 200, step
    missing = dispatcher.post(f"/api/v1/cases/{case_id}/steps", json={"step": "call_back", "contacted": True})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "resolved"
    done = dispatcher.post(
        f"/api/v1/cases/{case_id}/steps",
        json={
            "step": "call_back",
            "contacted": True,
            "resolved": True,
            "satisfaction": "basically_satisfied",
        },
    )
    assert done.json()["status"] == "called_back"
    last = dispatcher.get(f"/api/v1/cases/{case_id}/timeline").json()[-1]
    assert last["detail"]["callback"] == {
        "contacted": True,
        "resolved": True,
        "satisfaction": "basically_satisfied",
    }


def test_a_grid_worker_lists_cases_nearest_first(as_user, district):
    from govgrid.domain.similarity import metres_between
    from govgrid.geo.crs import Crs, from_stored

    worker = as_user("grid_worker")
    grids = [f for f in district.features if f.code.startswith(f"{STREET_A}001") and len(f.code) == 15]
    near, far = grids[0].geometry.representative_point(), grids[-1].geometry.representative_point()
    ids = {}
    for point, title in ((near, "近处"), (far, "远处")):  # the far one is the newest
        answer = worker.post(
            "/api/v1/cases",
            json={"class_code": "E0506", "title": f"{title}-排序", "lng": point.x, "lat": point.y},
        )
        ids[title] = answer.json()["id"]
    lng, lat = from_stored(near.x, near.y, Crs.WGS84)
    first = worker.get(f"/api/v1/cases?near={lng},{lat}&crs=wgs84&page_size=20").json()["items"]
    assert ids["近处"] in [c["id"] for c in first]  # nearest over every case, not only the newest ones
    placed = [c for c in first if c["lng"] is not None]
    metres = [metres_between(near.x, near.y, c["lng"], c["lat"]) for c in placed]
    assert all(b >= a - 0.5 for a, b in zip(metres, metres[1:], strict=False))  # by distance, to 0.5 m
    assert worker.get("/api/v1/cases?near=abc").json()["error"]["field"] == "near"
    listed = worker.get("/api/v1/cases?page_size=500").json()["items"]  # without `near`: newest first
    times = [c["reported_at"] for c in listed]
    assert times == sorted(times, reverse=True)
    order = [c["id"] for c in listed]
    assert order.index(ids["远处"]) < order.index(ids["近处"])  # the same moment: the later case first


def test_an_oversized_body_is_refused_with_413_before_it_is_read(as_user, app):
    client = as_user("dispatcher")
    limit = app.state.settings.max_request_mb * 1024 * 1024
    answer = client.post(
        "/api/v1/cases", content=b"{" + b" " * limit + b"}", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413 and answer.json()["error"]["field"] == "body"

    def chunks():  # no Content-Length: the body is counted as it streams in
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = client.post("/api/v1/people", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_a_geojson_with_too_many_features_is_refused_before_geometry_is_built():
    from govgrid.geo import features
    from govgrid.geo.crs import Crs

    doc = {"type": "FeatureCollection", "features": [{"type": "Feature"}] * (features.MAX_FEATURES + 1)}
    found, problems = features.read_features(doc, Crs.GCJ02)
    assert found == [] and "超过上限" in problems[-1].message
