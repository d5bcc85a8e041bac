"""派单建议 in a real browser: a dispatcher opens a new 12345 case, sees the suggested category and unit with
the model's confidence already chosen in the dispatch form, corrects the category, dispatches, and the
correction is stored beside the prediction (screenshot in build/screenshots/intelligence/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from govgrid.db.intelligence_models import MessageLabel
from tests.e2e.test_browser import log_in
from tests.web.test_dispatch_suggestion import SURE, order

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "intelligence"


def test_a_dispatcher_sees_the_suggestion_corrects_it_and_the_correction_is_stored(
    page,
    with_model,
    connector_client,
    district,
    district_sessions,
):
    case_id = order(connector_client, district, **SURE)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "dispatcher")
    page.goto(f"/cases/{case_id}")
    hint = page.locator("#dispatch-suggestion")
    assert "劳动和社会保障" in hint.inner_text() and "历下区人力资源和社会保障局" in hint.inner_text()
    assert "置信度" in hint.inner_text() and "%" in hint.inner_text()
    form = page.locator("form[data-step='dispatch']")
    assert form.locator("select[name='category']").input_value() == "劳动和社会保障"
    assert form.locator("select[name='unit_code']").input_value() == "LX-RS"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dispatch-suggestion.png"), full_page=True)
    for width, height in ((390, 844), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"dispatch-suggestion-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1366, "height": 900})

    form.locator("select[name='category']").select_option("城乡建设")
    form.locator("select[name='unit_code']").select_option("LX-ZJJ")
    form.locator("button[type='submit']").click()
    page.wait_for_url(f"**/cases/{case_id}")
    assert page.locator("form[data-step='dispatch']").count() == 0
    with district_sessions() as session:
        label = session.scalars(select(MessageLabel).where(MessageLabel.case_id == case_id)).one()
        assert (label.label, label.predicted) == ("城乡建设", "劳动和社会保障")
