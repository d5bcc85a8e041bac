"""A city in one deployment, in a real browser: the 12345 center's dispatcher opens a city order, hands it
to 市中区 and follows the link to the district's own case; 市中区's dispatcher finds it in their list and
sees where it came from; a 历下区 dispatcher does not (screenshots in build/screenshots/city/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import serving
from tests.e2e.test_browser import log_in
from tests.services.test_city_forwarding import city_order

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "city"


@pytest.fixture(scope="module")
def city_url(city_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(city_app) as url:
        yield url


@pytest.fixture
def tab(browser, city_url):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=city_url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def a_city_order(city_sessions) -> int:  # type: ignore[no-untyped-def]
    with city_sessions() as session:
        return int(city_order(session, title="市中区某小区门口垃圾三天无人清运").id)


def test_the_12345_center_hands_a_city_order_to_shizhong_which_takes_it_on(tab, city_sessions):
    order_id = a_city_order(city_sessions)
    log_in(tab, "city_dispatcher")
    tab.goto(f"/cases/{order_id}")
    form = tab.locator("#forward-form")
    assert form.locator("select[name=district] option:checked").inner_text() == "市中区"
    form.locator("input[name=note]").fill("请市中区核实处理")
    form.locator("button").click()
    tab.wait_for_url(f"**/cases/{order_id}")
    assert tab.locator("#case-status").inner_text() == "已转办区县"
    assert "（市中区的案件）" in tab.locator("#forwarded").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "city-order-forwarded.png"), full_page=True)
    tab.locator("#forwarded a").click()
    tab.wait_for_url("**/cases/*")
    district_case = tab.url.rsplit("/", 1)[-1]
    assert district_case != str(order_id) and tab.locator("#case-status").inner_text() == "已受理"

    tab.context.clear_cookies()
    log_in(tab, "sz_dispatcher")
    tab.goto(f"/cases/{district_case}")
    assert "来自市级 12345 工单" in tab.locator("main").inner_text()
    assert tab.locator("#forward-form").count() == 0 and tab.locator("form[data-step=dispatch]").count() == 1
    tab.screenshot(path=str(SHOTS / "district-case.png"), full_page=True)

    tab.context.clear_cookies()
    log_in(tab, "dispatcher")
    assert tab.goto(f"/cases/{district_case}").status == 404


@pytest.mark.parametrize("size", [(390, 844), (1920, 1080)])
def test_the_city_pages_fit_a_phone_and_the_command_centers_screen(tab, city_sessions, size):
    """With CJK fonts: the city order's 转办 form, the bulletins' district selector, the workspace (全市)."""
    order_id = a_city_order(city_sessions)
    tab.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(tab, "city_dispatcher")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("order", f"/cases/{order_id}"), ("bulletins", "/bulletins"), ("workspace", "/")):
        tab.goto(path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= size[0] + 1, (path, width)
        tab.screenshot(path=str(SHOTS / f"{name}-{size[0]}.png"), full_page=True)
    assert tab.goto("/bulletins").ok and tab.locator("#district-form select option").count() == 2
