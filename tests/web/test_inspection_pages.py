"""督导检查 pages: a supervisor starts a campaign, scores a community on the phone form with a photo and a
rectification order, and lands on the scored sheet with a link to the case it raised; a resent form records
once; a bad deduction comes back on the form; nobody but a supervisor (or the administrator) starts or
scores, and a street's officer sees only their street's places."""

from __future__ import annotations

import re
import uuid

from tests.factories import STREET_A, STREET_B
from tests.samples import jpeg
from tests.web.test_pages import csrf_of


def start(client, name: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/inspections").text)
    sent = client.post(
        "/inspections",
        data={"csrf_token": token, "name": name, "sheet_id": "village-sanitation"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    return int(sent.headers["location"].rsplit("/", 1)[1])


def score(client, campaign: int, place: str, ticked: list[str], rectify=(), client_id=None, photo_for=None):  # type: ignore[no-untyped-def]
    form = client.get(f"/inspections/{campaign}/score?place={place}").text
    codes = re.findall(r'name="ticked" value="([^"]+)"', form)
    data = {
        "csrf_token": csrf_of(form),
        "client_id": client_id or str(uuid.uuid4()),
        "place": place,
        "note": "总体较好",
        "ticked": ticked,
        "rectify": list(rectify),
        **{f"seen-{c}": "村口有垃圾" for c in codes if c == photo_for},
    }
    files = [(f"photo-{c}", (f"{c}.jpg", jpeg(), "image/jpeg")) for c in codes if c == photo_for]
    return client.post(f"/inspections/{campaign}/score", data=data, files=files, follow_redirects=False)


def test_a_supervisor_scores_a_community_and_its_deduction_becomes_a_case(as_user):
    supervisor = as_user("supervisor")
    campaign = start(supervisor, "页面测试督导检查")
    place = f"{STREET_A}001"
    sent = score(
        supervisor,
        campaign,
        place,
        ["waste-exposed", "ads-posters"],
        ["waste-exposed"],
        photo_for="waste-exposed",
    )
    assert sent.status_code == 303, sent.text
    sheet = supervisor.get(sent.headers["location"]).text
    assert "93.0 分" in sheet and "村口有垃圾" in sheet and "有照片" in sheet
    case = re.search(r'href="/cases/(\d+)" class="rectification"', sheet)
    assert case, sheet
    opened = supervisor.get(f"/cases/{case.group(1)}").text
    assert "督导检查整改" in opened and "督导检查" in opened
    ranking = as_user("leader").get(f"/inspections/{campaign}").text
    assert re.search(rf'<tr data-code="{place}"><td>1</td>', ranking)


def test_a_resent_form_records_once_and_a_bad_deduction_comes_back_on_the_form(as_user):
    supervisor = as_user("supervisor")
    campaign = start(supervisor, "重复提交测试")
    same = str(uuid.uuid4())
    first = score(supervisor, campaign, f"{STREET_A}002", ["green-litter"], client_id=same)
    again = score(supervisor, campaign, f"{STREET_A}002", ["green-litter"], client_id=same)
    assert first.headers["location"] == again.headers["location"]
    bad = score(supervisor, campaign, f"{STREET_A}002", ["no-such-deduction"])
    assert bad.status_code == 422 and "no-such-deduction" in bad.text and 'id="score-form"' in bad.text
    assert supervisor.get(f"/inspections/{campaign}").text.count("/inspections/records/") == 1


def test_only_a_supervisor_starts_or_scores_and_a_street_sees_its_own_places(as_user):
    campaign = start(as_user("supervisor"), "权限测试")
    for username in ("dispatcher", "leader", "street_officer", "dept_officer", "grid_worker"):
        client = as_user(username)
        page = client.get("/inspections")
        token = csrf_of(page.text) if page.status_code == 200 else csrf_of(client.get("/").text)
        refused = client.post(
            "/inspections",
            data={"csrf_token": token, "name": "x", "sheet_id": "village-sanitation"},
            follow_redirects=False,
        )
        assert refused.status_code in (403, 404), username
        scored = client.post(
            f"/inspections/{campaign}/score",
            data={"csrf_token": token, "client_id": str(uuid.uuid4()), "place": f"{STREET_A}001"},
            follow_redirects=False,
        )
        assert scored.status_code in (403, 404), username
    street = as_user("other_street_officer").get(f"/inspections/{campaign}").text
    assert f'data-code="{STREET_B}001"' in street and f'data-code="{STREET_A}001"' not in street
    assert as_user("dept_officer").get("/inspections").status_code == 403


def test_a_scored_sheet_of_another_street_is_not_found_and_anonymous_callers_are_sent_to_log_in(
    as_user, anonymous
):
    supervisor = as_user("supervisor")
    campaign = start(supervisor, "越权查看测试")
    sent = score(supervisor, campaign, f"{STREET_A}001", ["ads-posters"])
    record = sent.headers["location"]
    assert as_user("street_officer").get(record).status_code == 200  # its own street
    assert as_user("other_street_officer").get(record).status_code == 404
    for path in ("/inspections", f"/inspections/{campaign}", f"/inspections/{campaign}/score", record):
        answer = anonymous.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
