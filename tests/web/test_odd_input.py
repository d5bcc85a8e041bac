"""Odd input gets a 4xx naming the field, never a 500: ids beyond what can exist, Unicode digits, unknown
choices in page filters, NaN and Infinity, absurd magnitudes, NUL bytes and text made only of invisible
characters — on every engine."""

import json
import re
import uuid

import pytest

from tests.factories import STREET_A


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/99999999999999999999",
        "/api/v1/cases/99999999999999999999/timeline",
        "/api/v1/ledger/items/18446744073709551616",
        "/api/v1/people/-1",
        "/api/v1/photos/0",
    ],
)
def test_an_id_beyond_any_id_is_a_422_naming_it(as_user, path):
    answer = as_user("admin").get(path)
    assert answer.status_code == 422 and answer.json()["error"]["field"].endswith("_id"), answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests/%C2%B2.json",
        "/open311/v2/requests/99999999999999999999.json",
        "/open311/v2/tokens/%E2%91%A0.json",
        "/open311/v2/requests.json?service_request_id=%C2%B2,99999999999",
    ],
)
def test_open311_ids_in_unicode_digits_or_beyond_64_bits_answer_4xx_or_nothing(anonymous, path):
    answer = anonymous.get(path)
    assert answer.status_code in (200, 404) and (answer.status_code == 404 or answer.json() == [])


def test_an_unknown_status_in_a_page_filter_is_a_422_page_in_chinese(as_user):
    answer = as_user("dispatcher").get("/cases?status=bogus")
    assert answer.status_code == 422 and "status“bogus”无效" in answer.text and "待核实" in answer.text
    assert as_user("supervisor").get("/ledger?campaign_id=%C2%B2").status_code == 422
    assert as_user("supervisor").get("/ledger?page=99999999999999999999").status_code == 422


def test_nan_infinity_and_absurd_numbers_are_refused_by_name(as_user, demo_ledger, session):
    from sqlalchemy import select

    from govgrid.db.ledger_models import LedgerItem

    client = as_user("supervisor")
    project = session.scalars(select(LedgerItem).where(LedgerItem.kind == "project")).first()
    for raw in (
        '{"planned": {"2026-03": NaN}}',
        '{"planned": {"2026-03": Infinity}}',
        '{"planned": {"2026-03": 1e999}}',
    ):
        answer = client.put(
            f"/api/v1/ledger/items/{project.id}/investment",
            content=raw,
            headers={"content-type": "application/json"},
        )
        assert answer.status_code == 422 and "planned" in answer.json()["error"]["field"], raw
    officer = as_user("dept_officer")
    task = session.scalars(
        select(LedgerItem).where(LedgerItem.kind == "task", LedgerItem.lead_unit_id.is_not(None))
    ).first()
    huge = officer.post(
        f"/api/v1/ledger/items/{task.id}/reports", json={"narrative": "x", "value_reached": 1e308}
    )
    assert huge.status_code == 422 and huge.json()["error"]["field"] == "value_reached"


def test_a_form_number_that_is_nan_or_huge_is_refused():
    from govgrid.domain.errors import InvalidInput
    from govgrid.web.forms import number

    for text in ("nan", "inf", "-Infinity", "1e308"):
        with pytest.raises(InvalidInput):
            number(text, "value_reached")
    assert number("1.5万"[:3], "x") == 1.5


@pytest.mark.parametrize(
    "title,field", [("垃圾\u0000堆放", "title"), ("\u200b\u200b\ufeff", "title"), ("正常\u202e反转", "title")]
)
def test_nul_bytes_invisible_only_text_and_direction_overrides_are_refused(as_user, district, title, field):
    point = district.grid(STREET_A).geometry.representative_point()
    answer = as_user("dispatcher").post(
        "/api/v1/cases", json={"class_code": "E0102", "title": title, "lng": point.x, "lat": point.y}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == field


def test_a_nul_byte_in_a_page_form_or_a_query_never_reaches_the_database(as_user, anonymous, district):
    worker = as_user("grid_worker")
    form = worker.get("/report").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    answer = worker.post(
        "/report",
        data={
            "csrf_token": csrf,
            "class_code": "E0102",
            "title": "a\x00b",
            "lng": str(point.x),
            "lat": str(point.y),
            "client_id": str(uuid.uuid4()),
        },
    )
    assert answer.status_code == 422
    for path in (
        "/open311/v2/requests.json?service_code=%00",
        "/api/v1/geo/geocode?address=%00",
        "/follow?code=2026%00&secret=x",
        "/api/v1/geo/areas/%00",
    ):
        assert anonymous.get(path).status_code == 422, path
    refused = as_user("dispatcher").get("/api/v1/ledger/items?leader=%00")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "leader"


def test_a_merge_into_a_case_beyond_any_id_is_a_422(as_user, district):
    point = district.grid(STREET_A).geometry.representative_point()
    case = (
        as_user("dispatcher")
        .post("/api/v1/cases", json={"class_code": "E0102", "title": "并案", "lng": point.x, "lat": point.y})
        .json()
    )
    answer = as_user("dispatcher").post(f"/api/v1/cases/{case['id']}/merge", json={"into": 2**70})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "into"


def test_open311_refuses_a_nul_byte_and_nan_coordinates_with_400(as_user, anonymous, district):
    key = as_user("dispatcher").post("/api/v1/tokens", json={"name": "odd"}).json()["token"]
    for form in (
        {"service_code": "E0102", "lat": "nan", "long": "nan"},
        {"service_code": "E0102", "address_string": "x", "description": "a\x00b"},
    ):
        answer = anonymous.post("/open311/v2/requests.json", data=form, headers={"X-Api-Key": key})
        assert answer.status_code in (400, 404), answer.text
        json.loads(answer.text)
