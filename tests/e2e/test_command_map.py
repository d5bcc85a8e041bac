"""The command map in a real browser: the dispatcher's map draws the open cases as server-side clusters
whose counts add up to the list's, a filter narrows them, zooming in shows the cases themselves and a point
opens its case, and the grid layer turns off on demand (screenshots in build/screenshots/map/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_browser import log_in
from tests.factories import STREET_A

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "map"


@pytest.fixture(scope="module")
def a_case(app, district):  # type: ignore[no-untyped-def]
    """An open case in street A, reported through the API: (id, lng, lat)."""
    import uuid

    from fastapi.testclient import TestClient

    from tests.conftest import login

    point = district.grid(f"{STREET_A}002").geometry.representative_point()
    with TestClient(app) as client:
        login(client, "dispatcher")
        answer = client.post(
            "/api/v1/cases",
            json={
                "class_code": "E0102",
                "title": "地图测试",
                "lng": point.x,
                "lat": point.y,
                "client_id": str(uuid.uuid4()),
            },
        )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["id"], point.x, point.y


def ready(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#map[data-cases-ready='1']")


def test_the_command_map_clusters_filters_and_opens_a_case(page, a_case):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "dispatcher")
    page.goto("/map")
    ready(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "command-map-1366.png"), full_page=True)
    total = int(page.locator("#map").get_attribute("data-total") or "-1")
    bbox = page.evaluate("() => window.govgridMap.getBounds().toBBoxString()")
    listed = page.request.get("/api/v1/cases?open=true&page_size=1").json()["total"]
    assert 0 < total <= listed  # a case filed without a point is listed, not mapped
    assert page.locator(".cluster").count() >= 1
    clustered = sum(int(t) for t in page.locator(".cluster span").all_inner_texts())
    assert clustered == total

    page.evaluate("() => { document.getElementById('map').dataset.casesReady = ''; }")
    page.select_option("#map-filters select[name=class_code]", "E01")
    ready(page)
    narrowed = int(page.locator("#map").get_attribute("data-total") or "-1")
    body = page.request.get(f"/api/v1/map/cases?bbox={bbox}&zoom=13&class_code=E01").json()
    assert 0 < narrowed == body["total"] <= total

    page.evaluate("() => { document.getElementById('map').dataset.casesReady = ''; }")
    page.select_option("#map-filters select[name=class_code]", "")
    page.uncheck("#map-filters input[name=grids]")
    page.evaluate("([lat, lng]) => window.govgridMap.setView([lat, lng], 17)", [a_case[2], a_case[1]])
    page.wait_for_selector("#map[data-mode='points']")
    page.screenshot(path=str(SHOTS / "command-map-points.png"), full_page=True)
    point = page.evaluate(
        "([lat, lng]) => { const p = window.govgridMap.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
        [a_case[2], a_case[1]],
    )
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_url("**/cases/*")
    assert page.url.endswith(f"/cases/{a_case[0]}")


def test_on_wgs84_tiles_a_case_and_a_grid_are_drawn_and_clicked_where_they_are(page, app, a_case, district):
    """GOVGRID_TILE_CRS=wgs84 (天地图): the page asks for every overlay in WGS-84, so clicking the case's
    WGS-84 point opens it and clicking a grid's WGS-84 point names that grid (geo.crs converts; here the
    browser's requests are checked to say so)."""
    from govgrid.geo.crs import Crs, from_stored

    app.state.settings.tile_crs = "wgs84"
    try:
        page.set_viewport_size({"width": 1366, "height": 900})
        log_in(page, "dispatcher")
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/api/v1/" in r.url else None)
        page.goto("/map")
        ready(page)
        lng, lat = from_stored(a_case[1], a_case[2], Crs.WGS84)
        page.evaluate("() => { document.getElementById('map').dataset.casesReady = ''; }")
        page.evaluate("([lat, lng]) => { window.govgridMap.setView([lat, lng], 17); }", [lat, lng])
        page.wait_for_selector("#map[data-mode='points']")
        page.screenshot(path=str(SHOTS / "command-map-wgs84.png"), full_page=True)
        overlays = [u for u in asked if "/geo/areas" in u or "/geo/grids" in u or "/map/cases" in u]
        assert overlays and all("crs=wgs84" in u for u in overlays)

        grid = district.grid(f"{STREET_A}001")
        centre = grid.geometry.representative_point()
        glng, glat = from_stored(centre.x, centre.y, Crs.WGS84)
        page.uncheck("#map-filters input[name=cases]")
        page.evaluate("([lat, lng]) => { window.govgridMap.setView([lat, lng], 17); }", [glat, glng])
        box = page.locator("#map").bounding_box()
        assert box is not None
        spot = page.evaluate(
            "([lat, lng]) => { const p = window.govgridMap.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
            [glat, glng],
        )
        page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
        page.wait_for_selector(".grid-popup td[data-field=code]")
        assert page.locator(".grid-popup td[data-field=code]").inner_text() == grid.code

        page.check("#map-filters input[name=cases]")
        page.evaluate("([lat, lng]) => { window.govgridMap.setView([lat, lng], 18); }", [lat, lng])
        page.wait_for_selector("#map[data-mode='points']")
        page.wait_for_timeout(300)
        spot = page.evaluate(
            "([lat, lng]) => { const p = window.govgridMap.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
            [lat, lng],
        )
        page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
        page.wait_for_url("**/cases/*")
        assert page.url.endswith(f"/cases/{a_case[0]}")
    finally:
        app.state.settings.tile_crs = "gcj02"
