"""答复审核 in the pages: a weak 12345 reply waits on the supervisor's /replies with its scores and reasons;
letting it stand or sending it back are the case's own steps posted from there, each with its reason; the
case page shows the reply's scores; who may see the queue."""

from __future__ import annotations

import re

from tests.samples import GOOD_REPLY
from tests.web.test_case_forms import csrf, take
from tests.web.test_connectors import hotline_order

WEAK = "您反映的问题已转相关部门处理，请耐心等待。"


def in_hand(connector_client, as_user, district):  # type: ignore[no-untyped-def]
    """A 12345 order pushed, dispatched, signed, contacted and being handled: its reply comes next."""
    receipt = (
        connector_client("hotline12345")
        .post("/api/v1/connectors/hotline12345/events", json=hotline_order(district))
        .json()
    )
    case_id = receipt["case_id"]
    take(as_user("dispatcher"), case_id, "dispatch", unit_code="LX-CGJ")
    for step in ("sign", "contact", "handle"):
        take(as_user("dept_officer"), case_id, step)
    return case_id


def answered(connector_client, as_user, district, reply):  # type: ignore[no-untyped-def]
    case_id = in_hand(connector_client, as_user, district)
    assert take(as_user("dept_officer"), case_id, "feed_back", note=reply).status_code == 303
    return case_id


def held_section(html: str, case_id: int) -> str:
    found = re.search(rf'<section class="card held-reply" data-case="{case_id}">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


def test_a_weak_reply_waits_on_the_queue_with_its_scores_and_is_let_stand_with_a_reason(
    connector_client, as_user, district
):
    case_id = answered(connector_client, as_user, district, WEAK)
    supervisor = as_user("supervisor")
    queue = supervisor.get("/replies").text
    section = held_section(queue, case_id)
    assert WEAK in section and "推诿" in section and "没有说明由哪个单位负责" in section
    version = re.search(r'name="version" value="(\d+)"', section).group(1)
    form = {"csrf_token": csrf(queue), "step": "release_reply", "version": version, "back": "/replies"}
    refused = supervisor.post(f"/cases/{case_id}/steps", data=form)
    assert refused.status_code == 422 and "须写明理由" in refused.text
    done = supervisor.post(
        f"/cases/{case_id}/steps", data={**form, "note": "已电话核实，来电人认可"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/replies"
    assert not held_section(supervisor.get("/replies").text, case_id)
    case = supervisor.get(f"/api/v1/cases/{case_id}").json()
    assert case["status"] == "replied"


def test_the_case_page_shows_the_replys_scores_and_a_good_reply_never_queues(
    connector_client, as_user, district
):
    case_id = answered(connector_client, as_user, district, GOOD_REPLY)
    page = as_user("dispatcher").get(f"/cases/{case_id}").text
    assert 'id="reply-quality"' in page and "弱答复" not in page.split('id="reply-quality"')[1][:200]
    assert not held_section(as_user("supervisor").get("/replies").text, case_id)


def test_a_held_reply_sent_back_from_the_queue_returns_to_the_unit(connector_client, as_user, district):
    case_id = answered(connector_client, as_user, district, "您的留言已收悉。")
    supervisor = as_user("supervisor")
    queue = supervisor.get("/replies").text
    version = re.search(r'name="version" value="(\d+)"', held_section(queue, case_id)).group(1)
    form = {"csrf_token": csrf(queue), "step": "check_fail", "version": version, "back": "/replies"}
    assert (
        supervisor.post(f"/cases/{case_id}/steps", data={**form, "note": "未说明处理结果"}).status_code == 200
    )
    assert supervisor.get(f"/api/v1/cases/{case_id}").json()["status"] == "handling"


def test_only_a_queue_may_be_named_to_return_to(connector_client, as_user, district):
    case_id = answered(connector_client, as_user, district, WEAK)
    supervisor = as_user("supervisor")
    queue = supervisor.get("/replies").text
    form = {
        "csrf_token": csrf(queue),
        "step": "release_reply",
        "note": "理由",
        "back": "https://example.com/",
    }
    assert supervisor.post(f"/cases/{case_id}/steps", data=form).status_code == 422


def test_who_may_see_the_reply_queue(as_user):
    for username in ("dept_officer", "grid_worker", "citizen", "leader", "street_officer"):
        assert as_user(username).get("/replies").status_code in (403, 404), username
    for username in ("supervisor", "dispatcher", "admin"):
        assert as_user(username).get("/replies").status_code == 200, username


def test_a_reply_longer_than_the_api_allows_is_refused_by_the_page_too(connector_client, as_user, district):
    case_id = in_hand(connector_client, as_user, district)
    assert take(as_user("dept_officer"), case_id, "feed_back", note="经核实" * 1000).status_code == 422


def test_a_grid_worker_is_not_offered_to_send_a_held_reply_back(connector_client, as_user, district):
    case_id = answered(connector_client, as_user, district, WEAK)
    answer = as_user("grid_worker").get(f"/cases/{case_id}")
    assert answer.status_code == 200 and "答复待审" in answer.text  # the grid worker reads the order …
    page = answer.text  # … but the decision on its reply is the supervisor's
    assert 'data-step="check_fail"' not in page and 'data-step="release_reply"' not in page
