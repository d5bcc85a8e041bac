"""基础台账 in the pages: a grid worker enters a resident of their community and changes a phone; the values
are masked where they are shown, 查看完整信息 is audited, bad values are named, and another community or a
department cannot read the entry."""

from __future__ import annotations

import re

from sqlalchemy import select

from govgrid.db.models import AuditEvent
from tests.factories import STREET_A
from tests.services.cases.test_cases import point_in
from tests.web.test_case_forms import csrf


def add_resident(as_user, district, **values):  # type: ignore[no-untyped-def]
    _, grid = point_in(district, f"{STREET_A}001")
    worker = as_user("grid_worker")
    form = {
        "csrf_token": csrf(worker.get("/register").text),
        "kind": "resident",
        "grid_code": grid,
        "person.name": "王芳",
        "person.id_number": "370102198001011237",
        "person.phone": "13812345678",
        "person.gender": "女",
        **values,
    }
    return worker, worker.post("/register", data=form, follow_redirects=False)


def test_a_grid_worker_enters_a_resident_and_sees_it_masked_with_its_history(as_user, district):
    worker, answer = add_resident(as_user, district)
    assert answer.status_code == 303
    entry_url = answer.headers["location"]
    page = worker.get(entry_url).text
    assert "王芳" in page and "138****5678" in page and "13812345678" not in page
    assert "370102********1237" in page and 'id="unmask"' in page
    history = page.split('id="register-history"')[1]
    assert "身份证号" in history and "370102********1237" in history  # the history is masked too
    assert "王芳" in worker.get("/register").text


def test_the_full_values_are_shown_only_when_asked_and_each_view_is_audited(as_user, district, session):
    worker, answer = add_resident(as_user, district)
    entry_id = answer.headers["location"].rsplit("/", 1)[1]
    full = worker.get(f"/register/{entry_id}?unmask=true").text
    assert "13812345678" in full and "370102198001011237" in full
    logged = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "register.unmask", AuditEvent.entity_id == entry_id)
    ).all()
    assert len(logged) == 1
    leader = as_user("leader")
    assert "138****5678" in leader.get(f"/register/{entry_id}").text
    assert 'id="unmask"' not in leader.get(f"/register/{entry_id}").text
    assert leader.get(f"/register/{entry_id}?unmask=true").status_code == 403


def test_a_changed_phone_is_kept_and_an_empty_personal_field_means_unchanged(as_user, district):
    worker, answer = add_resident(as_user, district)
    url = answer.headers["location"]
    page = worker.get(url).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf(page), "version": version, "person.name": "王芳", "person.phone": "13987654321",
            "person.id_number": "", "person.gender": "女"}  # fmt: skip
    assert worker.post(url, data=form, follow_redirects=False).status_code == 303
    page = worker.get(url + "?unmask=true").text
    assert "13987654321" in page and "370102198001011237" in page  # the ID number was kept
    history = page.split('id="register-history"')[1]
    assert "139****4321" in history and "138****5678" in history  # old → new, masked in the history
    stale = worker.post(url, data={**form, "person.phone": "13700000000"})
    assert stale.status_code == 409


def test_a_bad_id_number_is_named_and_nothing_is_entered(as_user, district):
    worker, answer = add_resident(as_user, district, **{"person.id_number": "370102198001011238"})
    assert answer.status_code == 422 and "校验位应为 7" in answer.text
    assert "370102198001011238" not in answer.text  # the wrong number is not echoed whole


def test_another_community_and_a_department_cannot_read_the_entry(as_user, district):
    _, answer = add_resident(as_user, district)
    url = answer.headers["location"]
    assert as_user(f"gw_{STREET_A}002").get(url).status_code == 404
    assert as_user("other_street_officer").get(url).status_code == 404
    assert as_user("dept_officer").get("/register").status_code == 403
    assert as_user("dept_officer").get(url).status_code == 403
    assert "王芳" not in as_user(f"gw_{STREET_A}002").get("/register").text


def test_a_double_submitted_entry_form_enters_one_resident(as_user, district):
    page = as_user("grid_worker").get("/register").text
    retry = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    worker, first = add_resident(as_user, district, client_id=retry)
    _, second = add_resident(as_user, district, client_id=retry)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]  # the same entry, not a second one
    _, bad = add_resident(as_user, district, client_id="not-a-uuid")
    assert bad.status_code == 422 and "client_id" in bad.text


def test_erasing_a_persons_personal_values_needs_a_reason_and_only_the_community_may(as_user, district):
    worker, answer = add_resident(as_user, district, **{"person.name": "冯秀兰"})
    path = answer.headers["location"]
    page = worker.get(path).text
    assert 'id="register-erase"' in page
    assert as_user("leader").post(f"{path}/erase", data={"csrf_token": csrf(as_user("leader").get(path).text),
                                                          "reason": "迁出"}).status_code == 403  # fmt: skip
    assert worker.post(f"{path}/erase", data={"csrf_token": csrf(page), "reason": ""}).status_code == 422
    done = worker.post(f"{path}/erase", data={"csrf_token": csrf(page), "reason": "已迁出本社区"})
    assert done.status_code == 200
    shown = done.text.split('id="register-values"')[1].split("</section>")[0]
    assert "138****5678" not in shown and "（已抹除）" in done.text.split('id="register-history"')[1]


def test_the_special_groups_are_listed_by_kind(as_user, district):
    add_resident(as_user, district, **{"person.name": "褚大爷", "person.special_category": "独居老人"})
    worker = as_user("grid_worker")
    alone = worker.get("/register?kind=resident&group=独居老人").text
    assert 'id="register-groups"' in alone and "褚大爷" in alone and "王芳" not in alone
    assert "褚大爷" not in worker.get("/register?kind=resident&group=残疾人").text
    assert worker.get("/register?kind=resident&group=外星人").status_code == 422
