"""The case page's forms take every step the API takes: the 12345 loop to 回访 with its three answers and
考评; and the steps that end or stop a case (作废, 强制结案, 挂账, 剔单) look different, ask for confirmation
and refuse to go without a reason — the reason rule in the service, for the API and the replay alike."""

from __future__ import annotations

import re

import pytest

from govgrid.domain.errors import InvalidInput
from govgrid.domain.workflow import Step, check_reason
from tests.factories import STREET_A
from tests.samples import GOOD_REPLY
from tests.web.test_connectors import hotline_order


def csrf(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def take(client, case_id, step, **fields):  # type: ignore[no-untyped-def]
    page = client.get(f"/cases/{case_id}").text
    assert f'data-step="{step}"' in page, f"the page offers no {step}"
    version = re.search(rf'data-step="{step}">.*?name="version" value="(\d+)"', page, re.S).group(1)
    return client.post(
        f"/cases/{case_id}/steps",
        data={"csrf_token": csrf(page), "step": step, "version": version, **fields},
        follow_redirects=False,
    )


def test_a_12345_order_goes_to_callback_and_evaluation_through_the_page(connector_client, as_user, district):
    receipt = (
        connector_client("hotline12345")
        .post("/api/v1/connectors/hotline12345/events", json=hotline_order(district))
        .json()
    )
    case_id = receipt["case_id"]
    dispatcher, officer, supervisor = as_user("dispatcher"), as_user("dept_officer"), as_user("supervisor")
    assert take(dispatcher, case_id, "dispatch", unit_code="LX-CGJ").status_code == 303
    for step in ("sign", "contact", "handle", "feed_back"):
        assert take(officer, case_id, step, note=GOOD_REPLY).status_code == 303, step
    page = dispatcher.get(f"/cases/{case_id}").text
    assert 'name="satisfaction"' in page and "基本满意" in page
    answered = take(
        dispatcher, case_id, "call_back", contacted="true", resolved="false", satisfaction="dissatisfied"
    )
    assert answered.status_code == 303
    timeline = dispatcher.get(f"/api/v1/cases/{case_id}/timeline").json()
    callback = next(row for row in timeline if row["step"] == "call_back")
    assert callback["detail"]["callback"] == {
        "contacted": True,
        "resolved": False,
        "satisfaction": "dissatisfied",
    }
    assert take(supervisor, case_id, "evaluate").status_code == 303
    assert dispatcher.get(f"/api/v1/cases/{case_id}").json()["status"] == "evaluated"


def test_a_callback_without_its_answers_is_refused_naming_the_answer(connector_client, as_user, district):
    receipt = (
        connector_client("hotline12345")
        .post("/api/v1/connectors/hotline12345/events", json=hotline_order(district))
        .json()
    )
    dispatcher, officer = as_user("dispatcher"), as_user("dept_officer")
    take(dispatcher, receipt["case_id"], "dispatch", unit_code="LX-CGJ")
    for step in ("sign", "contact", "feed_back"):
        take(officer, receipt["case_id"], step, note=GOOD_REPLY)
    refused = take(dispatcher, receipt["case_id"], "call_back", contacted="true")
    assert refused.status_code == 422 and "是否已解决" in refused.text


def a_reported_case(as_user, district):  # type: ignore[no-untyped-def]
    point = district.grid(STREET_A).geometry.representative_point()
    return (
        as_user("grid_worker")
        .post(
            "/api/v1/cases", json={"class_code": "E0102", "title": "待作废", "lng": point.x, "lat": point.y}
        )
        .json()
    )


def test_cancelling_needs_a_reason_through_the_api(as_user, district):
    case = a_reported_case(as_user, district)
    dispatcher = as_user("dispatcher")
    refused = dispatcher.post(f"/api/v1/cases/{case['id']}/steps", json={"step": "cancel"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "note"
    assert "须写明理由" in refused.json()["error"]["message"]
    done = dispatcher.post(f"/api/v1/cases/{case['id']}/steps", json={"step": "cancel", "note": "重复上报"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_the_page_marks_grave_steps_asks_to_confirm_and_needs_the_tick(as_user, district):
    case = a_reported_case(as_user, district)
    dispatcher = as_user("dispatcher")
    page = dispatcher.get(f"/cases/{case['id']}").text
    form = re.search(r'<form[^>]*data-step="cancel".*?</form>', page, re.S).group(0)
    assert (
        "grave" in form and 'name="confirmed"' in form and "required" in form and "作废理由（必填）" in form
    )
    ordinary = re.search(r'<form[^>]*data-step="verify".*?</form>', page, re.S).group(0)
    assert "grave" not in ordinary and 'name="confirmed"' not in ordinary
    unticked = take(dispatcher, case["id"], "cancel", note="重复")
    assert unticked.status_code == 422 and "请勾选确认" in unticked.text
    assert take(dispatcher, case["id"], "cancel", note="重复", confirmed="true").status_code == 303


@pytest.mark.parametrize("step", [Step.CANCEL, Step.FORCE_CLOSE, Step.PARK, Step.EXCLUDE])
def test_the_reason_rule_names_each_grave_step(step):
    with pytest.raises(InvalidInput) as refused:
        check_reason(step, "  ")
    assert refused.value.field == "note"
    check_reason(step, "理由")
    check_reason(Step.VERIFY, "")
