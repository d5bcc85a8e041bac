"""一表通 in the pages: a department sends a form down; the community's grid worker sees it among the day's
forms, pre-filled from the register, changes a phone on it and adds a person (both reach the register),
and 报送; the department downloads its sheet in its own layout, with the new row, and the export is audited.
Another community, another department, a leader and a citizen get only what they may."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from govgrid.db.models import AuditEvent
from govgrid.db.register_models import RegisterEntry
from tests.factories import STREET_A
from tests.services.cases.test_cases import point_in
from tests.web.test_case_forms import csrf

COMMUNITY = f"{STREET_A}001"
DAY = "2026-08-05"  # a Wednesday of its own: the forms of this day pick this test's residents only


def issue(as_user, form, day=DAY):  # type: ignore[no-untyped-def]
    officer = as_user("health_officer")
    answer = officer.post(
        "/forms/tasks",
        data={"csrf_token": csrf(officer.get("/forms").text), "template": form, "communities": [COMMUNITY],
              "starts_on": day, "due_workdays": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    listed = as_user("grid_worker").get(f"/forms?day={day}").text
    return re.findall(rf'<tr data-form="{form}"><td><a href="(/forms/tasks/\d+/{day})"', listed)[-1]


def resident(as_user, district, name, **values):  # type: ignore[no-untyped-def]
    _, grid = point_in(district, COMMUNITY)
    worker = as_user("grid_worker")
    form = {"csrf_token": csrf(worker.get("/register").text), "kind": "resident", "grid_code": grid,
            "person.name": name, "person.phone": "13812340000", "person.came_from": "北京市",
            "person.arrived_on": "2026-08-03", **values}  # fmt: skip
    assert worker.post("/register", data=form, follow_redirects=False).status_code == 303
    return worker


def entry_id(session, name):  # type: ignore[no-untyped-def]
    return session.scalar(select(RegisterEntry.id).where(RegisterEntry.label == name))


def test_a_phone_changed_on_one_form_shows_on_the_other_and_in_the_register(as_user, district, session):
    worker = resident(as_user, district, "孔令华")
    follow_ups, new_residents = issue(as_user, "follow_ups"), issue(as_user, "new_residents")
    person = entry_id(session, "孔令华")
    page = worker.get(follow_ups).text
    assert "孔令华" in page and "138****0000" in page and 'id="row-add"' in page
    saved = worker.post(
        f"{follow_ups}/rows/{person}",
        data={"csrf_token": csrf(page), "person.phone": "13998760000", "event.temperature": "36.4"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    other = worker.get(new_residents).text
    row = other.split(f'data-entry="{person}"')[1].split("</tr>")[0]
    assert "139****0000" in row and 'class="cell-register" data-code="person.phone"' in row
    assert "139****0000" in worker.get("/register").text
    mine = worker.get(follow_ups).text.split(f'data-entry="{person}"')[1].split("</tr>")[0]
    assert 'class="cell-typed" data-code="person.phone"' in mine and ">36.4<" in mine


def test_a_person_added_on_a_form_is_registered_and_the_departments_sheet_has_them(
    as_user, district, session
):
    new_residents = issue(as_user, "new_residents", "2026-07-08")
    worker = as_user("grid_worker")
    page = worker.get(new_residents).text
    grid = re.search(r'name="grid_code" required><option>(\d{15})</option>', page).group(1)
    added = worker.post(
        f"{new_residents}/rows",
        data={"csrf_token": csrf(page), "grid_code": grid, "person.name": "钱国强", "person.gender": "男",
              "person.phone": "13911112222", "person.came_from": "武汉市", "person.arrived_on": "2026-07-08",
              "person.travel_mode": "火车", "remark": "返乡"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    assert "钱国强" in worker.get("/register").text
    submitted = worker.post(
        f"{new_residents}/submit", data={"csrf_token": csrf(page)}, follow_redirects=False
    )
    assert submitted.status_code == 303 and "已报送" in worker.get(new_residents).text
    sheet = as_user("health_officer").get(f"{new_residents}/sheet.xlsx")
    assert sheet.status_code == 200 and "filename*=UTF-8''" in sheet.headers["content-disposition"]
    book = load_workbook(io.BytesIO(sheet.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "新增人员表" and "A1:L1" in {str(m) for m in book.active.merged_cells.ranges}
    assert rows[2][:4] == ("序号", "姓名", "性别", "身份证号")
    found = [r for r in rows[3:] if r[1] == "钱国强"]
    assert found and found[0][4] == "13911112222" and found[0][-1] == "返乡"  # whole: the department asked
    logged = session.scalars(select(AuditEvent).where(AuditEvent.action == "forms.export")).all()
    assert logged and "person.phone" in logged[-1].detail["personal_fields"]


def test_others_get_only_what_they_may(as_user, district):
    follow_ups = issue(as_user, "follow_ups", "2026-06-03")
    assert as_user(f"gw_{STREET_A}002").get(follow_ups).status_code == 404  # another community
    assert as_user("water_officer").get(follow_ups).status_code == 404  # another department
    assert as_user("water_officer").get(f"{follow_ups}/sheet.xlsx").status_code == 404
    assert as_user("health_officer").get(f"{follow_ups}/sheet.xlsx").status_code == 409  # not yet submitted
    city = as_user("dept_officer")  # 区城管局 sends its own forms, not the health bureau's
    refused = city.post("/forms/tasks", data={"csrf_token": csrf(city.get("/forms").text), "template": "follow_ups",
                                              "communities": [COMMUNITY], "starts_on": DAY})  # fmt: skip
    assert refused.status_code == 403 and "区卫生健康局的报表" in refused.text
    leader = as_user("leader")
    page = leader.get(follow_ups)
    assert (
        page.status_code == 200 and 'id="row-add"' not in page.text and 'id="sheet-download"' not in page.text
    )
    assert leader.get(f"{follow_ups}/sheet.xlsx").status_code == 403
    assert leader.post(f"{follow_ups}/submit", data={"csrf_token": csrf(page.text)}).status_code == 403
    assert as_user("citizen").get("/forms").status_code == 403
    worker = as_user("grid_worker")
    assert worker.get(f"{follow_ups}/sheet.xlsx").status_code == 403  # the sheet is the department's
    assert worker.post("/forms/tasks", data={"csrf_token": csrf(worker.get("/forms").text), "template": "follow_ups",
                                             "communities": [COMMUNITY], "starts_on": DAY}).status_code == 403  # fmt: skip


def test_bad_input_is_named(as_user, district):
    follow_ups = issue(as_user, "follow_ups", "2026-04-08")
    worker = as_user("grid_worker")
    page = worker.get(follow_ups).text
    grid = re.search(r'name="grid_code" required><option>(\d{15})</option>', page).group(1)
    bad = worker.post(f"{follow_ups}/rows", data={"csrf_token": csrf(page), "grid_code": grid,
                                                  "person.name": "周敏", "event.temperature": "52"})  # fmt: skip
    assert bad.status_code == 422 and "体温" in bad.text
    assert "周敏" not in worker.get("/register").text  # nothing entered
    assert worker.get("/forms/tasks/1/not-a-date").status_code == 422
    assert worker.get(follow_ups.replace("2026-04-08", "2026-04-07")).status_code == 404  # no such period


def test_the_figures_show_on_the_workspace_and_the_assessment_page(as_user, district):
    follow_ups = issue(as_user, "follow_ups", "2026-03-04")
    worker = as_user("grid_worker")
    worker.post(f"{follow_ups}/submit", data={"csrf_token": csrf(worker.get(follow_ups).text)})
    glance = worker.get("/").text.split('id="forms-glance"')[1].split("</section>")[0]
    assert "本月已报送" in glance and "估计节省" in glance
    figures = (
        as_user("supervisor").get("/assessment").text.split('id="assessment-forms"')[1].split("</section>")[0]
    )
    assert "1-1社区" in figures and "2026-11" in figures  # submitted on the test district's today
    assert 'id="assessment-forms"' not in as_user("dispatcher").get("/assessment").text  # reads no forms


def test_a_department_proposes_a_form_and_the_office_approves_it_for_sending_down(as_user, district):
    from tests.services.forms.test_admission import VACCINE, sheet

    officer = as_user("dept_officer")
    page = officer.get("/forms/requests").text
    answer = officer.post(
        "/forms/requests",
        data={
            "csrf_token": csrf(page),
            "name": "疫苗接种统计表（页面）",
            "frequency": "weekly",
            "basis": "通知",
        },
        files={"file": ("疫苗接种统计表.xlsx", sheet(VACCINE))},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    path = answer.headers["location"]
    check = officer.get(path).text
    assert (
        "6</strong> 列中 <strong>4</strong> 列已在基础台账中登记" in check and 'id="request-overlap"' in check
    )
    assert 'id="request-decide"' not in check  # a department does not decide its own
    assert as_user("grid_worker").get(path).status_code == 403
    supervisor = as_user("supervisor")
    decided = supervisor.post(
        f"{path}/decision", data={"csrf_token": csrf(supervisor.get(path).text), "decision": "approve",
                                  "reason": "复用登记字段"}, follow_redirects=False,
    )  # fmt: skip
    assert decided.status_code == 303 and "已准入" in supervisor.get(path).text
    assert 'id="assessment-admission"' in supervisor.get("/assessment").text  # counted with the assessment
    assert (
        "疫苗接种统计表（页面）" in officer.get("/forms").text.split('id="forms-issue"')[1]
    )  # may be sent down
    again = supervisor.post(f"{path}/decision", data={"csrf_token": csrf(supervisor.get(path).text),
                                                      "decision": "approve"})  # fmt: skip
    assert again.status_code == 409
    bad = officer.post(
        "/forms/requests", data={"csrf_token": csrf(page), "name": "空表", "frequency": "once"},
        files={"file": ("a.txt", b"\x00\x01binary")},
    )  # fmt: skip
    assert bad.status_code == 422


def test_a_registered_person_is_put_on_a_form_by_name(as_user, district, session):
    resident(as_user, district, "郑晓燕", **{"person.arrived_on": "2025-01-01"})  # not picked by any rule
    test_requests = issue(as_user, "test_requests", "2026-02-04")
    worker = as_user("grid_worker")
    page = worker.get(test_requests).text
    added = worker.post(f"{test_requests}/include", data={"csrf_token": csrf(page), "label": "郑晓燕"})
    assert (
        added.status_code == 200 and "郑晓燕" in added.text.split('id="form-sheet"')[1].split("</table>")[0]
    )
    missing = worker.post(f"{test_requests}/include", data={"csrf_token": csrf(page), "label": "查无此人"})
    assert missing.status_code == 404 and "查无此人" in missing.text


def test_a_form_never_takes_another_communitys_person_or_an_outsiders_hand(as_user, district, session):
    resident(as_user, district, "蒋文彬", **{"person.arrived_on": "2025-12-01"})
    follow_ups = issue(as_user, "follow_ups", "2025-12-03")
    person = entry_id(session, "蒋文彬")
    other = as_user(f"gw_{STREET_A}002")  # a grid worker of the next community, with its own form
    theirs = other.get("/forms").text
    token = csrf(theirs)
    assert other.post(f"{follow_ups}/rows/{person}", data={"csrf_token": token}).status_code == 404
    assert other.post(f"{follow_ups}/submit", data={"csrf_token": token}).status_code == 404
    assert (
        other.post(f"{follow_ups}/include", data={"csrf_token": token, "label": "蒋文彬"}).status_code == 404
    )
    citizen = as_user("citizen")
    assert citizen.get("/forms/requests").status_code == 403
    refused = citizen.post(
        "/forms/requests", data={"csrf_token": csrf(citizen.get("/").text), "name": "某表", "frequency": "once"},
        files={"file": ("a.xlsx", b"PK" + b"\x00" * 100)},
    )  # fmt: skip
    assert refused.status_code == 403  # refused before the upload is read
    worker = as_user("grid_worker")
    page = worker.get(follow_ups).text
    worker.post(f"{follow_ups}/submit", data={"csrf_token": csrf(page)})
    assert worker.post(f"{follow_ups}/submit", data={"csrf_token": csrf(page)}).status_code == 409  # once
