"""Inbound systems push events through their connectors: mapped by data, idempotent, errors by path."""

import uuid

import pytest
from sqlalchemy import func, select

from govgrid.catalog import CatalogError, load
from govgrid.catalog.connector_catalog import load_connectors
from govgrid.db.case_models import Case
from govgrid.geo.crs import Crs, from_stored
from govgrid.services.case_rules import shipped_rules
from tests.factories import STREET_A


def hotline_order(district, **extra):
    point = district.grid(STREET_A).geometry.representative_point()
    return {"order_no": f"12345-{uuid.uuid4().hex[:10]}", "title": "小区垃圾无人清运", "content": "三天无人清运",
            "category": "城乡建设/城市建设和市政管理/环境卫生", "location": {"lng": point.x, "lat": point.y},
            "caller": {"name": "王先生", "phone": "13900000000"}, "urgency": "general", **extra}  # fmt: skip


def test_retrying_the_same_12345_push_a_hundred_times_makes_one_case(as_user, district, session):
    client = as_user("dispatcher")
    order = hotline_order(district)
    first = client.post("/api/v1/connectors/hotline12345/events", json=order)
    assert first.status_code == 201
    for _ in range(99):
        again = client.post("/api/v1/connectors/hotline12345/events", json=order)
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    count = session.scalar(select(func.count()).select_from(Case).where(Case.external_id == order["order_no"]))
    assert count == 1


def test_a_hotline_order_is_mapped_to_its_class_loop_and_grid(as_user, district):
    case = as_user("dispatcher").post("/api/v1/connectors/hotline12345/events", json=hotline_order(district)).json()
    assert case["class_code"] == "E0102" and case["loop"] == "hotline" and case["status"] == "accepted"
    assert case["channel"] == "hotline" and case["grid_code"].startswith(STREET_A)


def test_an_unmapped_category_falls_to_the_connectors_default_class(as_user, district):
    order = hotline_order(district, category="商贸旅游/价格/乱收费")
    assert as_user("dispatcher").post("/api/v1/connectors/hotline12345/events", json=order).json()["class_code"] == "E0199"


def test_a_video_alarm_in_wgs84_is_converted_and_located(as_user, district):
    point = district.grid(STREET_A).geometry.representative_point()
    lng, lat = from_stored(point.x, point.y, Crs.WGS84)
    case = as_user("dispatcher").post("/api/v1/connectors/video/events", json={
        "alarm_id": uuid.uuid4().hex, "event_type": "stall", "event_name": "占道摆摊", "position": [lng, lat]}).json()  # fmt: skip
    assert case["class_code"] == "E0501" and abs(case["lng"] - point.x) < 1e-5


@pytest.mark.parametrize("change,field", [
    ({"order_no": None}, "order_no"),
    ({"location": {"lng": "东经117", "lat": 36.6}}, "location.lng"),
    ({"urgency": "very"}, "urgency"),
])  # fmt: skip
def test_a_malformed_push_is_refused_naming_the_payload_path(as_user, district, change, field):
    answer = as_user("dispatcher").post("/api/v1/connectors/hotline12345/events", json=hotline_order(district, **change))
    assert answer.status_code == 422 and answer.json()["error"]["field"] == field


def test_an_unknown_connector_is_not_found(as_user, district):
    answer = as_user("dispatcher").post("/api/v1/connectors/fax/events", json=hotline_order(district))
    assert answer.status_code == 404 and "fax" in answer.json()["error"]["message"]


def test_a_grid_worker_account_cannot_push_as_a_system(as_user, district):
    assert as_user("grid_worker").post("/api/v1/connectors/hotline12345/events",
                                       json=hotline_order(district)).status_code == 403  # fmt: skip


def test_a_connector_mapping_to_an_unknown_class_is_refused_at_start_up():
    doc = load("connectors.yaml")
    doc[0]["class"]["map"]["某类"] = "E7777"
    with pytest.raises(CatalogError, match="E7777"):
        load_connectors(set(shipped_rules().classes), doc)
