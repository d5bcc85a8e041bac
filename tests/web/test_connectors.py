"""Inbound systems push events through their connectors: mapped by data, idempotent, errors by path."""

import uuid

import pytest
from sqlalchemy import func, select

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.catalog.connector_catalog import load_connectors
from govgrid.db.case_models import Case
from govgrid.geo.crs import Crs, from_stored
from tests.catalogs import CATALOGS
from tests.factories import STREET_A


def hotline_order(district, **extra):
    point = district.grid(STREET_A).geometry.representative_point()
    return {
        "order_no": f"12345-{uuid.uuid4().hex[:10]}",
        "title": "小区垃圾无人清运",
        "content": "三天无人清运",
        "category": "城乡建设/城市建设和市政管理/环境卫生",
        "location": {"lng": point.x, "lat": point.y},
        "caller": {"name": "王先生", "phone": "13900000000"},
        "urgency": "general",
        **extra,
    }


def pushed(session, receipt):
    return session.get(Case, receipt["case_id"])


def test_retrying_the_same_12345_push_a_hundred_times_makes_one_case(connector_client, district, session):
    client = connector_client("hotline12345")
    order = hotline_order(district)
    first = client.post("/api/v1/connectors/hotline12345/events", json=order)
    assert first.status_code == 201 and not first.json()["is_duplicate"]
    for _ in range(99):
        again = client.post("/api/v1/connectors/hotline12345/events", json=order)
        assert again.status_code == 200 and again.json()["case_id"] == first.json()["case_id"]
        assert again.json()["is_duplicate"]
    count = session.scalar(
        select(func.count()).select_from(Case).where(Case.external_id == order["order_no"])
    )
    assert count == 1


def test_a_connector_gets_a_receipt_not_the_callers_personal_data(connector_client, district):
    receipt = (
        connector_client().post("/api/v1/connectors/hotline12345/events", json=hotline_order(district)).json()
    )
    assert set(receipt) == {"case_id", "code", "status", "status_label", "is_duplicate", "follow_secret"}


def test_a_hotline_order_is_mapped_to_its_class_loop_and_grid(connector_client, district, session):
    receipt = (
        connector_client().post("/api/v1/connectors/hotline12345/events", json=hotline_order(district)).json()
    )
    case = pushed(session, receipt)
    assert case.class_code == "E0102" and case.loop == "hotline" and case.status == "accepted"
    assert case.channel == "hotline" and case.source == "hotline12345" and case.grid_code.startswith(STREET_A)


def test_an_unmapped_category_falls_to_the_connectors_default_class(connector_client, district, session):
    order = hotline_order(district, category="商贸旅游/价格/乱收费")
    receipt = connector_client().post("/api/v1/connectors/hotline12345/events", json=order).json()
    assert pushed(session, receipt).class_code == "E0199"


def test_a_video_alarm_in_wgs84_is_converted_and_located(connector_client, district, session):
    point = district.grid(STREET_A).geometry.representative_point()
    lng, lat = from_stored(point.x, point.y, Crs.WGS84)
    receipt = (
        connector_client("video")
        .post(
            "/api/v1/connectors/video/events",
            json={
                "alarm_id": uuid.uuid4().hex,
                "event_type": "stall",
                "event_name": "占道摆摊",
                "position": [lng, lat],
            },
        )
        .json()
    )
    case = pushed(session, receipt)
    assert case.class_code == "E0501" and abs(case.lng - point.x) < 1e-5


@pytest.mark.parametrize(
    "change,field",
    [
        ({"order_no": None}, "order_no"),
        ({"location": {"lng": "东经117", "lat": 36.6}}, "location.lng"),
        ({"urgency": "very"}, "urgency"),
    ],
)
def test_a_malformed_push_is_refused_naming_the_payload_path(connector_client, district, change, field):
    answer = connector_client().post(
        "/api/v1/connectors/hotline12345/events", json=hotline_order(district, **change)
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == field


def test_a_key_opens_only_its_own_connector(connector_client, district):
    answer = connector_client("video").post(
        "/api/v1/connectors/hotline12345/events", json=hotline_order(district)
    )
    assert answer.status_code == 403 and "video" in answer.json()["error"]["message"]


@pytest.mark.parametrize("username", ["dispatcher", "grid_worker", "admin"])
def test_a_staff_session_or_token_cannot_push_as_a_system(as_user, district, username):
    client = as_user(username)
    assert (
        client.post("/api/v1/connectors/hotline12345/events", json=hotline_order(district)).status_code == 401
    )
    token = client.post("/api/v1/tokens", json={"name": "try"}).json()["token"]
    answer = client.post(
        "/api/v1/connectors/hotline12345/events",
        json=hotline_order(district),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403 and "连接器密钥" in answer.json()["error"]["message"]


def test_a_revoked_or_expired_key_stops_working_at_once(app, district_sessions, district):
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.cases.connector_keys import issue_key, revoke_key
    from tests.factories import NOW

    with district_sessions() as session:
        key, secret = issue_key(
            session,
            actor=SYSTEM,
            connectors=app.state.case_rules.connectors,
            connector_id="hotline12345",
            name="to revoke",
            now=NOW - timedelta(days=2),
            days=1,
        )
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as client:
        expired = client.post("/api/v1/connectors/hotline12345/events", json=hotline_order(district))
        assert expired.status_code == 401 and "过期" in expired.json()["error"]["message"]
        with district_sessions() as session:
            key, secret = issue_key(
                session,
                actor=SYSTEM,
                connectors=app.state.case_rules.connectors,
                connector_id="hotline12345",
                name="to revoke",
                now=NOW,
            )
            client.headers["Authorization"] = f"Bearer {secret}"
            assert (
                client.post(
                    "/api/v1/connectors/hotline12345/events", json=hotline_order(district)
                ).status_code
                == 201
            )
            revoke_key(session, actor=SYSTEM, key_id=key.id, now=NOW)
        assert (
            client.post("/api/v1/connectors/hotline12345/events", json=hotline_order(district)).status_code
            == 401
        )


def test_an_unknown_connector_is_not_found(connector_client, district):
    answer = connector_client().post("/api/v1/connectors/fax/events", json=hotline_order(district))
    assert answer.status_code == 404 and "fax" in answer.json()["error"]["message"]


def test_a_connector_mapping_to_an_unknown_class_is_refused_at_start_up():
    doc = SHIPPED_SOURCE.load("connectors.yaml")
    doc[0]["class"]["map"]["某类"] = "E7777"
    with pytest.raises(CatalogError, match="E7777"):
        load_connectors(set(CATALOGS.case_rules.classes), doc)
