"""A city in one deployment, in a real browser: the 12345 center's dispatcher opens a city order, hands it
to 市中区 and follows the link to the district's own case; 市中区's dispatcher finds it in their list and
sees where it came from; a 历下区 dispatcher does not (screenshots in build/screenshots/city/)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from govgrid.domain.areas import AreaLevel
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.domain.workflow import Loop
from govgrid.services.cases import intake
from govgrid.services.geo.locate import LocatorCache
from tests.e2e.conftest import FLAGS, _free_port  # noqa: F401  (the same flags as every browser test)
from tests.e2e.test_browser import log_in
from tests.factories import CITY, second_district_features
from tests.services.cases.test_cases import RULES, WEDNESDAY_10

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "city"


@pytest.fixture(scope="module")
def city_url(city_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(city_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def tab(browser, city_url):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=city_url, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def a_city_order(city_sessions) -> int:  # type: ignore[no-untyped-def]
    grid = next(f for f in second_district_features() if f.level is AreaLevel.GRID)
    point = grid.geometry.representative_point()
    hotline = Actor(None, "connector:hotline12345", Role.CONNECTOR, scope_code=CITY, source="hotline12345")
    data = intake.Report(
        channel="hotline", loop=Loop.HOTLINE, class_code="E0102", title="市中区某小区门口垃圾三天无人清运",
        lng=point.x, lat=point.y, external_id=uuid.uuid4().hex,
    )  # fmt: skip
    with city_sessions() as session:
        order, _ = intake.report(
            session, actor=hotline, rules=RULES, locator=LocatorCache(), data=data, now=WEDNESDAY_10
        )
        return order.id


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
