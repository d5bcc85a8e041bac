"""The inspection app on a phone: a supervisor at 390 × 844 starts a campaign, scores a community — ticks a
deduction, photographs it, asks for rectification — and lands on the scored sheet, whose rectification
case opens; no page is wider than the phone (screenshots in build/screenshots/inspection/)."""

import re
from pathlib import Path

import pytest

from tests.e2e.test_browser import log_in
from tests.e2e.test_case_pages import ONE_PIXEL_PNG
from tests.factories import STREET_A

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "inspection"


def fits(page, name):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width} px wide"


def test_a_supervisor_scores_a_community_on_a_phone_with_a_photo(page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "supervisor")
    page.goto("/inspections")
    page.fill("#campaign-form input[name=name]", "手机端督导检查")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/inspections/\d+$"))
    fits(page, "campaign")
    page.click(f"tr[data-code='{STREET_A}001'] >> text=现场评分")
    page.wait_for_url(re.compile(r".*/score\?place="))
    row = page.locator(".deduction[data-code='waste-exposed']")
    row.locator("input[name=ticked]").check()
    row.locator("input[name='seen-waste-exposed']").fill("村口垃圾两处")
    row.locator("input[type=file]").set_input_files(
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": ONE_PIXEL_PNG}]
    )
    row.locator("input[name=rectify]").check()
    fits(page, "score-form")
    page.click("#score-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/inspections/records/\d+$"))
    fits(page, "scored-sheet")
    assert "95.0 分" in page.locator("h1").inner_text()
    assert "村口垃圾两处" in page.content() and "有照片" in page.content()
    page.click("a.rectification")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert "督导检查整改" in page.content()
