"""答复质量 in a real browser: a department officer answers a 12345 order with a boilerplate transfer, the
order is held at 答复待审 with its scores; the supervisor opens 答复审核, reads why, and lets it stand with a
reason; the queue is then empty and the order counts as answered (screenshots in
build/screenshots/intelligence/)."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import log_in
from tests.e2e.test_hotspots import SHOTS
from tests.web.test_case_forms import take
from tests.web.test_connectors import hotline_order

pytestmark = pytest.mark.e2e
WEAK = "您反映的问题已转相关部门处理，请耐心等待。"


def test_a_weak_reply_is_held_for_review(page, connector_client, as_user, district):
    receipt = (
        connector_client("hotline12345")
        .post(
            "/api/v1/connectors/hotline12345/events", json=hotline_order(district, title="小区门口垃圾堆放")
        )
        .json()
    )
    case_id = receipt["case_id"]
    take(as_user("dispatcher"), case_id, "dispatch", unit_code="LX-CGJ")
    for step in ("sign", "contact", "handle"):
        take(as_user("dept_officer"), case_id, step)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "dept_officer")
    page.goto(f"/cases/{case_id}")
    form = page.locator("form[data-step=feed_back]")
    form.locator("textarea[name=note]").fill(WEAK)
    form.locator("button").click()
    page.wait_for_url(f"**/cases/{case_id}")
    quality = page.locator("#reply-quality")
    assert "弱答复，待审核" in quality.inner_text() and "答复待审" in page.locator("main").inner_text()
    assert "没有说明由哪个单位负责" in quality.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reply-held.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, "supervisor")
    page.click("nav >> text=答复审核")
    held = page.locator(f"section.held-reply[data-case='{case_id}']")
    assert WEAK in held.inner_text() and "推诿" in held.inner_text()
    page.screenshot(path=str(SHOTS / "reply-queue.png"), full_page=True)
    for width, height in ((390, 844), (1920, 1080)):  # a phone and the command center's screen, CJK fonts
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        page.screenshot(path=str(SHOTS / f"replies-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    release = held.locator("form[data-step=release_reply]")
    release.locator("input[name=note]").fill("已电话核实，来电人认可处理情况")
    release.locator("button").click()
    page.wait_for_url("**/replies")
    assert page.locator(f"section.held-reply[data-case='{case_id}']").count() == 0
    page.goto(f"/cases/{case_id}")
    main = page.locator("main").inner_text()
    assert "已反馈" in main and "答复放行" in main and "已电话核实" in main
    page.screenshot(path=str(SHOTS / "reply-released.png"), full_page=True)
