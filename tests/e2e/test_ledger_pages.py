"""The ledger through the pages: a supervisor filters the 督办台账 to red items, opens one and sees what the
ladder did; a unit officer files a progress report on a lagging task and its light changes."""

import re

import pytest
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerItem
from govgrid.db.models import OrgUnit
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.e2e


def test_a_supervisor_filters_red_items_opens_one_and_sees_its_escalations(page, demo_ledger):
    log_in(page, "supervisor")
    page.click("nav.menu >> text=督办台账")
    page.select_option("#ledger-filter select[name=light]", "red")
    page.click("#ledger-filter button[type=submit]")
    page.wait_for_url(re.compile(r".*light=red.*"))
    lights = page.locator("#ledger-tree tbody tr").evaluate_all("rows => rows.map(r => r.dataset.light)")
    assert lights and set(lights) == {"red"}
    page.locator("#ledger-tree tbody tr.depth-2 a").last.click()  # (the API tests escalate the first by hand)
    page.wait_for_url(re.compile(r".*/ledger/items/\d+$"))
    assert page.locator("#item-light").inner_text() == "红灯"
    rungs = page.locator("#events tr[data-action=rung]")
    assert (
        rungs.count() >= 1 and "催办" in rungs.last.inner_text()
    )  # newest first: the sweeper's 催办 is oldest
    page.select_option("#rung-form select[name=rung]", "interview")
    page.fill("#rung-form input[name=note]", "约谈牵头单位主要负责人")
    page.click("#rung-form button")
    page.wait_for_url(re.compile(r".*/ledger/items/\d+$"))
    assert "约谈" in page.locator("#events tr[data-action=rung]").first.inner_text()
    page.click("nav.menu >> text=督办看板")
    page.wait_for_url("**/ledger/board")  # count() does not wait: under load it ran before the board loaded
    page.wait_for_selector("#late-board tbody tr[data-light=red]")


def test_a_unit_officer_files_a_report_and_the_light_changes(page, demo_ledger, district_sessions):
    with district_sessions() as session:
        unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "LX-CGJ"))
        demo = select(LedgerItem.id).where(LedgerItem.number.in_(("LX-JD", "DS-HJ", "SZ-JT", "ZQ-LD")))
        task = session.scalars(
            select(LedgerItem)
            .where(
                LedgerItem.lead_unit_id == unit,
                LedgerItem.light == "yellow",
                LedgerItem.kind == "task",
                LedgerItem.campaign_id.in_(demo),
            )
            .order_by(LedgerItem.id)
        ).first()
        assert task is not None, "the demo gives 区城市管理局 a lagging task"
        full = task.target_value if task.target_value is not None else 100
    log_in(page, "dept_officer")
    page.click("nav.menu >> text=督办台账")
    page.select_option("#ledger-filter select[name=campaign_id]", str(task.campaign_id))
    page.click("#ledger-filter button[type=submit]")
    page.wait_for_url(re.compile(rf".*campaign_id={task.campaign_id}.*"))
    page.click(f"#ledger-tree tr[data-id='{task.id}'] a")
    page.wait_for_url(re.compile(rf".*/ledger/items/{task.id}$"))
    assert page.locator("#item-light").inner_text() == "黄灯"
    page.fill("#report-form input[name=value_reached]", f"{full:g}")
    page.fill("#report-form textarea[name=narrative]", "已全面完成，现场核验通过")
    page.set_input_files(
        "#report-form input[name=evidence]",
        files=[
            {"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%\xe2\xe3\n%%EOF\n"}
        ],
    )
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/ledger/items/{task.id}$"))
    assert page.locator("#item-light").inner_text() == "绿灯"
    assert "100.0%" in page.locator("#item-progress").inner_text()
    assert page.locator("#reports").get_by_text("验收报告.pdf").count() == 1


def test_the_ledger_fits_a_phone_screen(page, demo_ledger):
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "dept_officer")
    page.goto("/ledger")
    item = page.locator("#ledger-tree tbody tr.depth-2 a").first.get_attribute("href")
    for path in ("/ledger", item, "/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
