"""重放 in a real browser: a 12345 order refused because the platform renamed its title field waits on
/connectors with why; once the catalogue's mapping is fixed (the server restarted with it), the
administrator clicks 重放, is told the case it filed, the message leaves the waiting list, and the case is
there with the order's title (screenshots in build/screenshots/connectors/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govgrid.db.connector_models import ConnectorMessage
from tests.e2e.test_browser import log_in
from tests.web.test_connector_log import fixed_rules, renamed
from tests.web.test_connectors import hotline_order

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "connectors"


def test_an_administrator_replays_a_refused_order_once_its_mapping_is_fixed(
    page, app, connector_client, district, district_sessions
):
    order = renamed(hotline_order(district))
    refused = connector_client().post("/api/v1/connectors/hotline12345/events", json=order)
    assert refused.status_code == 422
    with district_sessions() as session:
        message = session.query(ConnectorMessage).order_by(ConnectorMessage.id.desc()).first()
        assert message is not None and message.payload == order
        message_id = message.id
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "admin")
    page.goto("/connectors")
    row = page.locator(f"tr[data-id='{message_id}']")
    assert "缺少 title" in row.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "waiting.png"), full_page=True)

    shipped = app.state.case_rules
    app.state.case_rules = fixed_rules()  # the mapping fixed in the catalogue, and the server restarted
    try:
        row.locator("button", has_text="重放").click()
        page.wait_for_selector("#replayed")
    finally:
        app.state.case_rules = shipped
    said = page.locator("#replayed").inner_text()
    page.screenshot(path=str(SHOTS / "replayed.png"), full_page=True)
    assert said.startswith(f"已重放 #{message_id}：已立案 案件 ")
    assert page.locator(f"tr[data-id='{message_id}']").count() == 0
    page.locator("#replayed a").click()
    page.wait_for_url("**/cases/*")
    assert order["subject"] in page.locator("main").inner_text()
