"""每月一题 in a real browser: a supervisor opens 热点, sees the repeated complaints about one place as a
hotspot with its heat, chooses the lead unit and turns it into a ledger task, lands on the task, and the
hotspot then shows it is under that task (screenshots in build/screenshots/intelligence/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govgrid.services.intelligence import hotspots
from tests.e2e.test_browser import log_in
from tests.web.test_hotspot_pages import COMPLAINTS, push

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "intelligence"


def test_a_supervisor_turns_a_hotspot_into_a_ledger_task(page, connector_client, district):
    hotspots.forget()
    for title in COMPLAINTS:
        push(connector_client, district, title.replace("翠柳苑", "金桂园"))
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "supervisor")
    page.click("nav >> text=热点")
    card = page.locator("section.hotspot[data-place^='金桂园']")
    assert card.count() == 1 and "留言 4 条" in card.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "hotspots.png"), full_page=True)
    card.locator("select[name=lead_unit_code]").select_option("LX-STHJ")
    card.locator("button", has_text="转为每月一题").click()
    page.wait_for_url("**/ledger/items/*")
    assert "金桂园" in page.locator("main").inner_text()
    page.goto("/hotspots")
    assert "已转为每月一题" in page.locator("section.hotspot[data-place^='金桂园']").inner_text()
    page.screenshot(path=str(SHOTS / "hotspot-task.png"), full_page=True)
    for width, height in ((390, 844), (1920, 1080)):  # a phone and the command center's screen, CJK fonts
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/hotspots")
        page.screenshot(path=str(SHOTS / f"hotspots-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    hotspots.forget()
