"""Retry keys belong to their sender. The attacks found on the demo, replayed: reading another street's
12345 order by replaying its number, and squatting a future order number so the real complaint is lost."""

import uuid

from sqlalchemy import func, select

from govgrid.db.case_models import Case
from govgrid.db.models import User
from tests.factories import STREET_A, STREET_B
from tests.web.test_connectors import hotline_order


def test_a_citizen_and_a_street_officer_cannot_reach_another_streets_order_by_replaying_its_number(
    as_user, connector_client, district
):
    point_b = district.grid(STREET_B).geometry.representative_point()
    order = hotline_order(
        district,
        location={"lng": point_b.x, "lat": point_b.y},
        caller={"name": "赵六", "phone": "13600001111"},
        address="某小区2号楼301室",
    )
    assert connector_client().post("/api/v1/connectors/hotline12345/events", json=order).status_code == 201
    point_a = district.grid(STREET_A).geometry.representative_point()
    for username in ("citizen", "street_officer"):
        client = as_user(username)
        base = {"class_code": "E0102", "title": "重放", "lng": point_a.x, "lat": point_a.y}
        for body, field in (
            ({**base, "channel": "hotline", "client_id": str(uuid.uuid4())}, "channel"),
            ({**base, "external_id": order["order_no"]}, "external_id"),
            ({**base, "client_id": order["order_no"]}, "client_id"),
        ):
            answer = client.post("/api/v1/cases", json=body)
            assert answer.status_code == 422 and answer.json()["error"]["field"] == field, (
                username,
                answer.text,
            )
            assert "赵六" not in answer.text and "13600001111" not in answer.text


def test_a_citizen_cannot_squat_a_future_12345_order_number(as_user, connector_client, district, session):
    future = f"12345-{uuid.uuid4().hex[:10]}"
    point = district.grid(STREET_A).geometry.representative_point()
    squat = as_user("citizen").post(
        "/api/v1/cases",
        json={"channel": "hotline", "class_code": "E0102", "title": "占号", "lng": point.x, "lat": point.y},
    )
    assert squat.status_code == 422
    own = as_user("citizen").post(
        "/api/v1/cases",
        json={
            "client_id": str(uuid.uuid5(uuid.NAMESPACE_URL, future)),
            "class_code": "E0102",
            "title": "占号",
            "lng": point.x,
            "lat": point.y,
        },
    )
    assert own.status_code == 201  # files under the citizen's own source, whatever the key
    leak = hotline_order(district, order_no=future, title="燃气泄漏", content="楼道内有明显燃气味")
    real = connector_client().post("/api/v1/connectors/hotline12345/events", json=leak)
    assert real.status_code == 201 and not real.json()["is_duplicate"]
    case = session.get(Case, real.json()["case_id"])
    assert case.title == "燃气泄漏" and case.source == "hotline12345" and case.id != own.json()["id"]


def test_a_person_replaying_their_own_client_id_gets_their_first_case_back(as_user, district, session):
    key = str(uuid.uuid4())
    point = district.grid(STREET_A).geometry.representative_point()
    body = {"client_id": key, "class_code": "E0102", "title": "离线重发", "lng": point.x, "lat": point.y}
    officer = as_user("street_officer")
    first = officer.post("/api/v1/cases", json=body)
    again = officer.post("/api/v1/cases", json={**body, "title": "改了标题也不会新建"})
    assert (first.status_code, again.status_code) == (201, 200) and again.json()["id"] == first.json()["id"]
    assert again.json()["title"] == "离线重发"
    other = as_user("grid_worker").post("/api/v1/cases", json=body)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]  # another sender's own key
    count = session.scalar(select(func.count()).select_from(Case).where(Case.external_id == key))
    assert count == 2


def test_a_replay_by_a_sender_who_can_no_longer_see_the_case_is_a_409_that_says_nothing(
    as_user, district, district_sessions
):
    key = str(uuid.uuid4())
    point = district.grid(STREET_A).geometry.representative_point()
    body = {"client_id": key, "class_code": "E0102", "title": "调岗前上报", "lng": point.x, "lat": point.y}
    officer = as_user("street_officer")
    assert officer.post("/api/v1/cases", json=body).status_code == 201
    with district_sessions() as session:
        user = session.scalars(select(User).where(User.username == "street_officer")).one()
        user.role = "department_officer"  # moved to a department: sees only its unit's cases now
        session.commit()
        try:
            answer = officer.post("/api/v1/cases", json=body)
            assert answer.status_code == 409 and answer.json()["error"]["field"] == "client_id"
            assert "调岗前上报" not in answer.text and STREET_A not in answer.text
        finally:
            user.role = "street_officer"
            session.commit()


def test_a_bulk_batch_refuses_a_connector_channel_row_like_a_single_report(session, district):
    from govgrid.services.cases.bulk import report_batch
    from govgrid.services.cases.intake import Report
    from tests.services.cases.test_cases import LOCATOR, RULES, WEDNESDAY_10, who

    point = district.grid(STREET_A).geometry.representative_point()
    rows = [
        Report(
            channel="hotline",
            class_code="E0102",
            title="批量冒充",
            lng=point.x,
            lat=point.y,
            external_id="12345-0001",
        ),
        Report(
            channel="phone",
            class_code="E0102",
            title="来电",
            lng=point.x,
            lat=point.y,
            external_id=str(uuid.uuid4()),
        ),
    ]
    result = report_batch(
        session,
        actor=who(session, "dispatcher"),
        rules=RULES,
        locator=LOCATOR,
        reports=rows,
        now=WEDNESDAY_10,
    )
    assert result.created == 1 and len(result.errors) == 1 and "第 1 行 channel" in result.errors[0]


def test_the_report_form_submitted_twice_files_one_case(as_user, district, session):
    import re

    worker = as_user("grid_worker")
    form = worker.get("/report").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    key = re.search(r'name="client_id" value="([^"]+)"', form).group(1)
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    data = {
        "csrf_token": csrf,
        "client_id": key,
        "class_code": "E0102",
        "title": "双击提交",
        "lng": str(point.x),
        "lat": str(point.y),
        "crs": "gcj02",
    }
    first = worker.post("/report", data=data, follow_redirects=False)
    second = worker.post("/report", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert session.scalar(select(func.count()).select_from(Case).where(Case.external_id == key)) == 1
