"""A dispatcher searches and filters the case list in the browser, pages through it, and exports exactly
the rows it shows; at phone width the filter still fits."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import pytest

from tests.e2e.test_browser import log_in
from tests.factories import STREET_A

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def file_cases(as_user, district, mark, count):  # type: ignore[no-untyped-def]
    point = district.grid(STREET_A).geometry.representative_point()
    worker = as_user("grid_worker")
    for n in range(count):
        worker.post(
            "/api/v1/cases",
            json={"class_code": "E0102", "title": f"浏览器筛选{mark}{n}", "lng": point.x, "lat": point.y},
        )
    worker.post(
        "/api/v1/cases",
        json={"class_code": "E0201", "title": f"浏览器筛选{mark}广告", "lng": point.x, "lat": point.y},
    )


def test_a_filtered_case_list_exports_the_rows_it_shows(page, as_user, district):
    mark = uuid.uuid4().hex[:6]
    file_cases(as_user, district, mark, 3)
    log_in(page, "dispatcher")
    page.goto("/cases")
    page.fill("#case-filter input[name=q]", mark)
    page.select_option("#case-filter select[name=class_code]", "E0102")
    page.click("#case-filter button[type=submit]")
    page.wait_for_url(re.compile(rf".*q={mark}.*class_code=E0102.*"))
    shown = {c.strip() for c in page.locator("#case-list tbody tr td:first-child a").all_inner_texts()}
    assert len(shown) == 3
    assert page.locator("#case-filter input[name=q]").input_value() == mark  # the form keeps its input
    with page.expect_download() as download:
        page.click("#export-cases-csv")
    assert download.value.suggested_filename.startswith("案件-")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = {row[0] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert exported == shown
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "case-list-1280.png"), full_page=True)


def test_the_case_list_and_its_filter_fit_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "dispatcher")
    page.goto("/cases")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "case-list-390.png"), full_page=True)


def test_every_menu_item_is_on_screen_at_phone_width(page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "admin")
    items = page.locator("nav.menu a")
    assert items.count() >= 6
    for n in range(items.count()):
        box = items.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, items.nth(n).inner_text()
    page.screenshot(path=str(SHOTS / "menu-admin-390.png"))


@pytest.mark.parametrize("path", ["/cases", "/audit", "/people"])
def test_lists_fit_a_command_center_screen(page, path):
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, "admin")
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path.strip('/')}-1920.png"))
