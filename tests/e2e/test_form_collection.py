"""一表通 in a real browser: a department sends 随访记录表 and 新增人员表 down to a community; its grid worker
opens the day's forms, changes one resident's phone on the first and adds a returning resident on the
second; both forms and the register show the change and neither asks for it again; the department
downloads its sheet in its own layout with the new row in it (screenshots in build/screenshots/forms/)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.test_browser import log_in
from tests.factories import STREET_A

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "forms"
DAY = "2026-11-20"  # the test district's today (a Friday)
COMMUNITY = f"{STREET_A}001"


def test_a_grid_worker_fills_two_forms_once_and_the_department_downloads_its_sheet(page, as_user, district):
    from tests.web.test_form_pages import resident

    resident(as_user, district, "赵丽华", **{"person.arrived_on": "2026-11-16", "person.gender": "女"})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "health_officer")
    page.click("nav >> text=一表通")
    issue = page.locator("#forms-issue")
    for form in ("follow_ups", "new_residents"):
        issue.locator("summary").click()  # the page reloads after each: the form is folded again
        issue.locator("select[name=template]").select_option(form)
        issue.locator("select[name=communities]").select_option(COMMUNITY)
        issue.locator("input[name=starts_on]").fill(DAY)
        issue.locator("button").click()
        page.wait_for_url(f"**/forms?day={DAY}")
    page.context.clear_cookies()

    log_in(page, "grid_worker")
    page.click("nav >> text=一表通")
    tasks = page.locator("#form-tasks")
    assert "随访记录表" in tasks.inner_text() and "新增人员表" in tasks.inner_text()
    page.screenshot(path=str(SHOTS / "day-forms.png"), full_page=True)
    page.locator("#form-tasks tr[data-form=follow_ups] a").last.click()
    row = page.locator("#form-sheet tr", has_text="赵丽华")
    assert "138****0000" in row.inner_text()  # from the register
    person = row.get_attribute("data-entry")
    edit = page.locator(f"#row-{person}")
    edit.locator("summary").click()
    edit.locator("input[name='person.phone']").fill("13987650000")
    edit.locator("input[name='event.temperature']").fill("36.5")
    edit.locator("select[name=visit_mode]").select_option("上门")
    edit.locator("button").click()
    page.wait_for_url("**/forms/tasks/**")
    row = page.locator("#form-sheet tr", has_text="赵丽华")
    assert "139****0000" in row.inner_text()
    assert row.locator("td[data-code='person.phone']").get_attribute("class") == "cell-typed"
    follow_ups_url = page.url.split("#")[0]

    page.goto(f"/forms?day={DAY}")
    page.locator("#form-tasks tr[data-form=new_residents] a").last.click()
    row = page.locator("#form-sheet tr", has_text="赵丽华")
    phone = row.locator("td[data-code='person.phone']")
    assert phone.inner_text() == "139****0000" and phone.get_attribute("class") == "cell-register"
    page.locator(f"#row-{person} summary").click()
    assert page.locator(f"#row-{person} input[name='person.phone']").input_value() == ""  # not asked again
    add = page.locator("#row-add")
    add.locator("summary").click()
    add.locator("input[name='person.name']").fill("钱国强")
    add.locator("select[name='person.gender']").select_option("男")
    add.locator("input[name='person.phone']").fill("13911112222")
    add.locator("input[name='person.came_from']").fill("武汉市")
    add.locator("input[name='person.arrived_on']").fill(DAY)
    add.locator("select[name='person.travel_mode']").select_option("火车")
    add.locator("input[name=remark]").fill("返乡人员")
    add.locator("button").click()
    page.wait_for_url("**/forms/tasks/**")
    assert page.locator("#form-sheet tr", has_text="钱国强").count() == 1
    page.screenshot(path=str(SHOTS / "new-residents.png"), full_page=True)
    page.locator("#sheet-submit button").click()
    page.wait_for_url("**/forms/tasks/**")
    assert page.locator("#sheet-status").inner_text() == "已报送"

    page.goto(follow_ups_url)
    added = page.locator("#form-sheet tr", has_text="钱国强")  # a new arrival is followed up: not typed again
    assert added.count() == 1 and "139****2222" in added.inner_text()
    assert added.locator("td[data-code='person.phone']").get_attribute("class") == "cell-register"
    page.screenshot(path=str(SHOTS / "follow-ups.png"), full_page=True)
    page.goto("/register")
    register = page.locator("main").inner_text()
    assert "钱国强" in register and "赵丽华" in register
    for width in (390, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(follow_ups_url)
        page.screenshot(path=str(SHOTS / f"form-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.clear_cookies()

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "health_officer")
    page.goto(f"/forms?day={DAY}")
    with page.expect_download() as download:
        page.locator("#form-tasks tr[data-form=new_residents] a", has_text="下载报表").last.click()
    assert download.value.suggested_filename.endswith(f"新增人员表{DAY}.xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "新增人员表" and rows[2][1] == "姓名"  # the department's layout: title, header
    new = [r for r in rows[3:] if r[1] == "钱国强"]
    assert new and new[0][4] == "13911112222" and new[0][-1] == "返乡人员"
    zhao = [r for r in rows[3:] if r[1] == "赵丽华"]
    assert zhao and zhao[0][4] == "13987650000"
