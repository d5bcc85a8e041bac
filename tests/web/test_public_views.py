"""Public views carry no personal data: names, phone numbers and flat numbers typed anywhere by anyone —
the reporter, a 12345 caller, staff in their notes — never appear in an anonymous response. Cancelled
cases and the epidemic and police systems' cases are not public at all."""

import re
import uuid

import pytest

from govgrid.geo.crs import Crs, from_stored
from tests.factories import STREET_A

NAME, PHONE, FLAT = "王五", "13700009999", "3号楼2单元501室"
SECRETS = (NAME, PHONE, "501室", "3号楼", "2单元", "赵六", "13600001111")


@pytest.fixture
def private_cases(as_user, connector_client, district, anonymous):  # type: ignore[no-untyped-def]
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    citizen = (
        as_user("citizen")
        .post(
            "/api/v1/cases",
            json={
                "class_code": "E0102",
                "title": f"{NAME}反映{FLAT}门口垃圾",
                "description": f"我是{NAME}，电话{PHONE}，住{FLAT}",
                "address": f"测试小区{FLAT}",
                "reporter_name": NAME,
                "reporter_phone": PHONE,
                "lng": point.x,
                "lat": point.y,
            },
        )
        .json()
    )
    order = (
        connector_client()
        .post(
            "/api/v1/connectors/hotline12345/events",
            json={
                "order_no": uuid.uuid4().hex,
                "title": "赵六反映噪音",
                "content": "来电人赵六 13600001111 住1号楼",
                "category": "环境保护/环境污染/噪音污染",
                "location": {"lng": point.x, "lat": point.y},
                "caller": {"name": "赵六", "phone": "13600001111"},
            },
        )
        .json()
    )
    dispatcher = as_user("dispatcher")
    note = f"联系报案人{NAME} {PHONE}，住址{FLAT}"
    dispatcher.post(
        f"/api/v1/cases/{citizen['id']}/steps",
        json={"step": "verify", "note": note, "public_note": "已核实，问题属实"},
    )
    dispatcher.post(
        f"/api/v1/cases/{citizen['id']}/supervision", json={"note": f"督办：{NAME}再次来电{PHONE}"}
    )
    lng, lat = from_stored(point.x, point.y, Crs.WGS84)
    key = dispatcher.post("/api/v1/tokens", json={"name": "pii"}).json()["token"]
    anonymous.post(
        "/open311/v2/requests.json",
        headers={"X-Api-Key": key},
        data={
            "service_code": "E0102",
            "lat": str(lat),
            "long": str(lng),
            "description": f"{FLAT}楼道堆物",
            "first_name": "五",
            "last_name": "王",
            "phone": PHONE,
        },
    )
    return citizen, order


def anonymous_paths(citizen, order) -> list[str]:  # type: ignore[no-untyped-def]
    paths = [
        "/api/v1/health",
        "/login",
        "/signup",
        "/sw.js",
        "/follow",
        "/docs",
        "/api/v1/openapi.json",
        "/api/v1/geo/locate?lng=117.04&lat=36.655",
        "/open311/v2/services.json",
        "/open311/v2/services.xml",
        "/open311/v2/services/E0102.json",
    ]
    for fmt in ("json", "xml"):
        paths += [
            f"/open311/v2/requests.{fmt}",
            f"/open311/v2/requests/{citizen['id']}.{fmt}",
            f"/open311/v2/requests/{order['case_id']}.{fmt}",
            f"/open311/v2/tokens/{citizen['id']}.{fmt}",
            f"/open311/v2/servicerequestupdates.{fmt}",
            f"/open311/v2/requests.{fmt}?status=open,closed",
        ]
    paths.append(f"/follow?code={citizen['code']}&secret={citizen['follow_secret']}")
    paths.append(f"/follow?code={order['code']}&secret={order['follow_secret']}")
    return paths


def test_no_anonymous_response_carries_a_name_a_phone_or_a_flat_number(private_cases, anonymous):
    citizen, order = private_cases
    assert citizen["follow_secret"] and order["follow_secret"]
    for path in anonymous_paths(citizen, order):
        answer = anonymous.get(path)
        assert answer.status_code < 500, path
        leaked = [s for s in SECRETS if s in answer.text]
        assert leaked == [], f"{path} leaked {leaked}"
    follow = anonymous.get(f"/follow?code={citizen['code']}&secret={citizen['follow_secret']}").text
    assert "已核实，问题属实" in follow and 'id="follow-status"' in follow  # the published note, and only it


def test_a_public_note_with_personal_data_is_refused_naming_what_to_take_out(as_user, private_cases):
    citizen, _ = private_cases
    dispatcher = as_user("dispatcher")
    for text, what in (
        (f"已联系{PHONE}", "电话"),
        (f"已到{FLAT}现场", "门牌"),
        (f"已告知{NAME}", "姓名"),
        ("身份证 370102199001011234", "电话号码或证件号码"),
        ("见 wang5@example.com", "邮箱"),
    ):
        answer = dispatcher.post(
            f"/api/v1/cases/{citizen['id']}/steps", json={"step": "register", "public_note": text}
        )
        assert answer.status_code == 422 and answer.json()["error"]["field"] == "public_note", text
        assert what in answer.json()["error"]["message"]


def test_cancelled_cases_and_the_police_and_epidemic_systems_are_not_public(
    as_user, connector_client, district, anonymous
):
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    spam = (
        as_user("grid_worker")
        .post("/api/v1/cases", json={"class_code": "E0102", "title": "误报", "lng": point.x, "lat": point.y})
        .json()
    )
    dispatcher = as_user("dispatcher")
    dispatcher.post(f"/api/v1/cases/{spam['id']}/steps", json={"step": "cancel", "note": "误报"})
    police = (
        connector_client("police_screening")
        .post(
            "/api/v1/connectors/police_screening/events",
            json={"check_id": uuid.uuid4().hex, "note": "人口协查", "lng": point.x, "lat": point.y},
        )
        .json()
    )
    listed = {r["service_request_id"] for r in anonymous.get("/open311/v2/requests.json").json()}
    assert str(spam["id"]) not in listed and str(police["case_id"]) not in listed
    assert anonymous.get(f"/open311/v2/requests/{police['case_id']}.json").status_code == 404
    updates = anonymous.get("/open311/v2/servicerequestupdates.json").json()
    assert str(police["case_id"]) not in {u["service_request_id"] for u in updates}
    keyed = dispatcher.post("/api/v1/tokens", json={"name": "staff"}).json()["token"]
    staff = anonymous.get(f"/open311/v2/requests/{police['case_id']}.json", headers={"X-Api-Key": keyed})
    assert staff.status_code == 200  # staff with a key see it, within their scope


def test_the_follow_page_form_asks_for_the_code_not_the_phone(anonymous):
    page = anonymous.get("/follow").text
    assert 'name="secret"' in page and not re.search(r'name="phone"', page)
