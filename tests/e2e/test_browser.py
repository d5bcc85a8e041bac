"""A person in a real browser: logs in as each role, sees their menu, opens the map, clicks a grid."""

import re

import pytest
from playwright.sync_api import expect

from govgrid.services.geo.locate import LocatorCache, locate
from tests.factories import PASSWORD, STREET_A
from tests.web.test_pages import EXPECTED_MENU

pytestmark = pytest.mark.e2e


def log_in(page, username):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


@pytest.mark.parametrize("username", sorted(EXPECTED_MENU))
def test_each_role_logs_in_and_sees_its_menu(page, username):
    log_in(page, username)
    assert page.locator("nav.menu a").all_inner_texts() == EXPECTED_MENU[username]
    assert page.locator(".user").get_attribute("data-role") is not None


def test_a_wrong_password_is_shown_on_the_form(page):
    page.goto("/login")
    page.fill("input[name=username]", "dispatcher")
    page.fill("input[name=password]", "not-my-password")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "用户名或密码错误"


def open_map_at(page, lng, lat, zoom=17):
    page.click("text=指挥地图")
    page.wait_for_selector("#map[data-ready='1']")
    if page.locator("#map-filters input[name=cases]").count():  # the case layer off: a click finds the grid
        page.uncheck("#map-filters input[name=cases]")
        page.wait_for_selector("#map[data-mode='off']")
    page.evaluate(f"() => {{ window.govgridMap.setView([{lat}, {lng}], {zoom}, {{animate: false}}); }}")
    box = page.locator("#map").bounding_box()
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_dispatcher_clicks_a_grid_and_sees_its_code_and_worker(page, district, session, tmp_path):
    point = district.grid(STREET_A).geometry.representative_point()
    expected = locate(
        session,
        cache=LocatorCache(),
        lng=point.x,
        lat=point.y,
        crs=__import__("govgrid.geo.crs", fromlist=["Crs"]).Crs.GCJ02,
    )
    log_in(page, "dispatcher")
    open_map_at(page, point.x, point.y)
    code = page.locator(".grid-popup [data-field=code]")
    code.wait_for()
    assert code.inner_text() == expected.grid_code
    assert page.locator(".grid-popup [data-field=worker]").inner_text().startswith("网格员")
    assert page.locator(".grid-popup [data-field=street]").inner_text() == "第1街道"
    page.screenshot(path=str(tmp_path / "map.png"))


def test_a_street_officer_clicking_another_street_is_told_it_is_outside_their_scope(page, district):
    point = district.grid("370102002").geometry.representative_point()
    log_in(page, "street_officer")
    open_map_at(page, point.x, point.y)
    popup = page.locator(".grid-popup")
    popup.wait_for()
    assert "不在您的数据范围内" in popup.inner_text()


def test_a_citizen_finds_the_grid_of_a_point(page, district):
    point = district.grid(STREET_A).geometry.representative_point()
    log_in(page, "citizen")
    page.fill("input[name=lng]", f"{point.x:.7f}")
    page.fill("input[name=lat]", f"{point.y:.7f}")
    page.click("#locate-form button")
    result = page.locator("#locate-result")
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that polling needs.
    expect(result).to_contain_text("单元网格 370102001")
