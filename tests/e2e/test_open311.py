"""Open311 GeoReport v2 against the served app, read with the `georeport` client from PyPI (JSON and XML)
and written with plain HTTP form posts, as an Open311 app would."""

import pytest
import requests
from georeport import GeoReport
from sqlalchemy import select

from govgrid.db.models import User
from govgrid.geo.crs import Crs, from_stored
from govgrid.services.people.accounts import actor_for, issue_token
from tests.factories import NOW, STREET_A


@pytest.fixture(scope="module")
def citizen_key(district_sessions, district):
    with district_sessions() as session:
        citizen = session.scalars(select(User).where(User.username == "citizen")).one()
        return issue_token(session, actor=actor_for(citizen), name="open311 app", now=NOW)


@pytest.fixture(scope="module")
def created(base_url, citizen_key, district):
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    lng, lat = from_stored(point.x, point.y, Crs.WGS84)  # Open311 speaks WGS-84
    answer = requests.post(
        f"{base_url}/open311/v2/requests.json",
        data={
            "api_key": citizen_key,
            "service_code": "E0102",
            "lat": f"{lat:.7f}",
            "long": f"{lng:.7f}",
            "description": "小区门口垃圾无人清运",
            "first_name": "女士",
            "last_name": "陈",
            "phone": "13800000000",
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()[0]["service_request_id"], (lng, lat)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_lists_services_with_codes_groups_and_limits(base_url, fmt):
    services = GeoReport(f"{base_url}/open311/v2", output_format=fmt).get_service_list()
    garbage = next(s for s in services if s["service_code"] == "E0102")
    assert (
        garbage["service_name"] == "暴露垃圾"
        and garbage["group"] == "市容环境"
        and "4工作时" in garbage["description"]
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_a_service_definition(base_url, fmt):
    definition = GeoReport(f"{base_url}/open311/v2", output_format=fmt).get_service_definition("E0102")
    assert definition["service_code"] == "E0102"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_finds_a_created_request_in_the_public_view(base_url, created, fmt):
    request_id, (lng, lat) = created
    client = GeoReport(f"{base_url}/open311/v2", output_format=fmt)
    found = client.get_service_request(request_id)
    found = found[0] if isinstance(found, list) else found
    assert found["service_code"] == "E0102" and found["status"] == "open"
    assert abs(float(found["lat"]) - lat) < 0.001 and abs(float(found["long"]) - lng) < 0.001
    assert not found.get("description")  # the public view leaves the citizen's words out
    listed = client.get_service_requests(service_code="E0102", status="open")
    listed = listed if isinstance(listed, list) else [listed]
    assert request_id in {r["service_request_id"] for r in listed}


def test_with_an_api_key_the_owner_sees_the_full_request(base_url, created, citizen_key):
    request_id, _ = created
    body = requests.get(
        f"{base_url}/open311/v2/requests/{request_id}.json", params={"api_key": citizen_key}
    ).json()
    assert body[0]["description"] == "小区门口垃圾无人清运" and body[0]["address_id"].startswith(STREET_A)


def test_a_request_without_an_api_key_is_refused_in_the_spec_error_format(base_url):
    answer = requests.post(
        f"{base_url}/open311/v2/requests.json", data={"service_code": "E0102", "lat": "36.6", "long": "117.0"}
    )
    assert answer.status_code == 403 and answer.json()[0]["code"] == 403


def test_an_unknown_service_code_is_a_400_naming_it_in_xml(base_url, citizen_key):
    answer = requests.post(
        f"{base_url}/open311/v2/requests.xml",
        data={"api_key": citizen_key, "service_code": "X1", "address_string": "泉城路1号"},
    )
    assert (
        answer.status_code == 400 and "<errors><error><code>400</code>" in answer.text and "X1" in answer.text
    )


def test_a_point_outside_the_district_is_refused(base_url, citizen_key):
    answer = requests.post(
        f"{base_url}/open311/v2/requests.json",
        data={"api_key": citizen_key, "service_code": "E0102", "lat": "36.64", "long": "116.98"},
    )
    assert answer.status_code == 400 and "不在本系统管辖范围" in answer.json()[0]["description"]


def test_a_date_range_over_ninety_days_is_refused(base_url):
    answer = requests.get(
        f"{base_url}/open311/v2/requests.json",
        params={"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
    )
    assert answer.status_code == 400 and "90" in answer.json()[0]["description"]


def test_status_updates_follow_the_case_history(base_url, created):
    request_id, _ = created
    updates = requests.get(
        f"{base_url}/open311/v2/servicerequestupdates.json",
        params={"start_date": "2026-11-19T00:00:00+08:00"},
    ).json()
    mine = [u for u in updates if u["service_request_id"] == request_id]
    assert mine and mine[0]["status"] == "open" and mine[0]["description"].startswith("上报")
