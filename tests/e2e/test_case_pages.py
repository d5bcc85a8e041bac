"""The issue-3 path through the pages, as the people who do it: a grid worker reports, the command
center verifies, registers and dispatches, the department signs and reports back, the grid worker's
check fails once (返工) and then passes (结案 正常)."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import log_in
from tests.factories import STREET_A

pytestmark = pytest.mark.e2e
ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def tap_the_map(page, lng, lat):
    """Tap the report form's map at a point, and wait for the page to name the grid found there."""
    page.wait_for_selector("#report-map[data-ready='1']")
    page.evaluate(f"() => window.govgridReportMap.setView([{lat}, {lng}], 18, {{animate: false}})")
    page.wait_for_timeout(200)
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#place-result")).to_contain_text("已选位置")


def log_out(page):
    page.click("text=退出")
    page.wait_for_url(re.compile(r".*/login$"))


def take(page, case_url, username, step, note=""):
    log_in(page, username)
    page.goto(case_url)
    form = page.locator(f"form[data-step={step}]")
    if note:
        form.locator("input[name=note]").fill(note)
    form.locator("button").click()
    page.wait_for_url(case_url)
    log_out(page)


def test_a_case_goes_round_the_loop_through_the_pages(page, district):
    grid = district.grid(f"{STREET_A}001")
    point = grid.geometry.representative_point()
    log_in(page, "grid_worker")
    page.click("text=上报")
    page.select_option("select[name=class_code]", "E0102")
    page.fill("input[name=title]", "浏览器上报的暴露垃圾")
    tap_the_map(page, point.x, point.y)
    page.set_input_files(
        "input[name=photo]", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": ONE_PIXEL_PNG}]
    )
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    case_url = page.url
    assert page.locator("#case-grid").inner_text() == grid.code
    assert page.locator("#case-status").inner_text() == "待核实"
    assert page.locator("#photos img").count() == 1
    assert page.evaluate("document.querySelector('#photos img').naturalWidth") == 1  # the photo really loads
    log_out(page)

    log_in(page, "dispatcher")
    page.click("nav.menu >> text=案件")
    page.click("a[data-status=reported]")
    assert page.locator("#case-list").get_by_text("浏览器上报的暴露垃圾").count() >= 1
    log_out(page)
    take(page, case_url, "dispatcher", "verify")
    take(page, case_url, "dispatcher", "register")
    log_in(page, "dispatcher")
    page.goto(case_url)
    chosen = page.locator("form[data-step=dispatch] select[name=unit_code] option:checked").inner_text()
    assert "区城市管理局" in chosen and "建议" in chosen
    assert "4 工作时" in page.locator("form[data-step=dispatch]").inner_text()
    page.locator("form[data-step=dispatch] button").click()
    page.wait_for_url(case_url)
    assert page.locator("#case-status").inner_text() == "待签收" and page.locator("#case-due").count() == 1
    log_out(page)

    take(page, case_url, "dept_officer", "sign")
    take(page, case_url, "dept_officer", "feed_back", "已清运")
    take(page, case_url, "grid_worker", "check_fail", "仍有残留")
    take(page, case_url, "dept_officer", "feed_back", "已二次清理")
    take(page, case_url, "grid_worker", "check_pass", "现场整洁")

    log_in(page, "leader")
    page.goto(case_url)
    assert page.locator("#case-status").inner_text() == "已结案"
    assert page.locator("#case-closure").inner_text() == "正常"
    rows = page.locator("#timeline tbody tr")
    steps = [rows.nth(i).get_attribute("data-step") for i in range(rows.count())]
    assert steps == [
        "report",
        "photo",
        "verify",
        "register",
        "dispatch",
        "sign",
        "feed_back",
        "check_fail",
        "feed_back",
        "check_pass",
    ]
    # people by their names: the grid worker's is 网格员…, the test dispatcher's is its username
    assert "网格员" in rows.nth(0).inner_text() and "dispatcher" in rows.nth(4).inner_text()
    assert "待核实" in rows.nth(0).inner_text() and "reported" not in rows.nth(0).inner_text()
    assert page.locator("form[data-step]").count() == 0  # a leader takes no step of the loop …
    assert (
        page.locator("form.step").count() == 1 and page.locator("#instruction-form").count() == 1
    )  # … but 批示
