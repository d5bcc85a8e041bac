"""拉出单子 in a real browser: a supervisor pastes a plan, reviews the drafted rows (rejects one, edits
another), imports, and the accepted rows are ledger items under the new campaign (screenshots in
build/screenshots/intelligence/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_browser import log_in
from tests.web.test_ledger_drafts import PLAN

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "intelligence"


def test_a_pasted_plan_becomes_a_draft_and_accepted_rows_become_ledger_items(page):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "supervisor")
    page.goto("/ledger")
    page.click("#draft-link")
    page.fill("textarea[name=text]", PLAN)
    page.click("#draft-form button[type=submit]")
    rows = page.locator("#draft-rows tbody tr")
    assert rows.count() == 4
    assert rows.nth(3).get_attribute("data-kind") == "result"
    assert not rows.nth(3).locator("input[name=accept]").is_checked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ledger-draft-review.png"), full_page=True)
    for width, height in ((390, 844), (1920, 1080)):  # the review table scrolls inside its box, the page fits
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"ledger-draft-review-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1366, "height": 900})

    rows.nth(2).locator("input[name=accept]").uncheck()  # reject the greening rate
    rows.nth(0).locator("input[name=content]").fill("新建口袋公园39个（浏览器中改写）")
    page.fill("input[name=campaign]", "浏览器拉出单子行动")
    page.click("#import-draft")
    page.wait_for_url("**/ledger?campaign_id=*")
    tree = page.locator("#ledger-tree").inner_text()
    page.screenshot(path=str(SHOTS / "ledger-draft-imported.png"), full_page=True)
    assert "浏览器拉出单子行动" in tree and "新建口袋公园39个（浏览器中改写）" in tree
    assert "1.23万户" in tree.replace(" ", "") or "1.23" in tree
    assert "绿化覆盖率" not in tree and "清理垃圾" not in tree
