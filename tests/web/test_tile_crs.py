"""A city whose tiles are WGS-84 (天地图, CGCS2000) sets GOVGRID_TILE_CRS=wgs84, and every overlay lines up:
the server converts what it sends (areas, grids, a grid's centre, the map's cases, the big screen's points,
a geocoded place) and reads what the map sends (a click, the view's box) in the tiles' system. The known
point: a grid's point as stored (GCJ-02) and the same point in WGS-84, some hundred metres apart — more
than a 200 m grid, so an overlay left unconverted would land in another grid."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from govgrid.geo.crs import Crs, from_stored
from tests.factories import STREET_A
from tests.web.test_route_permissions import street_b_case
from tests.web.test_screen_page import screen_data


@pytest.fixture
def known(district):  # type: ignore[no-untyped-def]
    """(grid code, the stored GCJ-02 point, the same point in WGS-84)."""
    grid = district.grid(STREET_A)
    point = grid.geometry.representative_point()
    stored = (point.x, point.y)
    return grid.code, stored, from_stored(*stored, Crs.WGS84)


@pytest.fixture
def tianditu(app):  # type: ignore[no-untyped-def]
    app.state.settings.tile_crs = "wgs84"
    yield
    app.state.settings.tile_crs = "gcj02"


def around(lng: float, lat: float, pad: float = 0.0005) -> str:
    return ",".join(f"{v:.7f}" for v in (lng - pad, lat - pad, lng + pad, lat + pad))


def test_the_known_point_is_hundreds_of_metres_off_between_the_two_systems(known):
    _, stored, wgs = known
    assert abs(stored[0] - wgs[0]) + abs(stored[1] - wgs[1]) > 0.003


def test_a_click_in_either_system_finds_the_grid_under_it(anonymous, known):
    code, stored, wgs = known
    as_stored = anonymous.get(f"/api/v1/geo/locate?crs=gcj02&lng={stored[0]}&lat={stored[1]}").json()
    as_wgs = anonymous.get(f"/api/v1/geo/locate?crs=wgs84&lng={wgs[0]}&lat={wgs[1]}").json()
    assert as_stored["grid_code"] == as_wgs["grid_code"] == code
    unconverted = anonymous.get(f"/api/v1/geo/locate?crs=wgs84&lng={stored[0]}&lat={stored[1]}").json()
    assert unconverted.get("grid_code") != code  # read in the wrong system: another grid, or none


@pytest.mark.parametrize("crs", ["gcj02", "wgs84"])
def test_the_grid_layer_draws_the_grid_around_the_known_point_in_each_system(as_user, known, crs):
    code, stored, wgs = known
    point = stored if crs == "gcj02" else wgs
    body = as_user("dispatcher").get(f"/api/v1/geo/grids?crs={crs}&bbox={around(*point)}").json()
    [grid] = [f for f in body["features"] if f["properties"]["code"] == code]
    assert shape(grid["geometry"]).contains(shapely.Point(point))
    other = wgs if crs == "gcj02" else stored
    assert not shape(grid["geometry"]).contains(shapely.Point(other))
    assert body["crs_note"].startswith("GCJ-02" if crs == "gcj02" else "WGS-84")


@pytest.mark.parametrize("crs", ["gcj02", "wgs84"])
def test_the_area_outlines_and_a_grids_centre_are_sent_in_the_system_asked_for(as_user, known, crs):
    code, stored, wgs = known
    point = stored if crs == "gcj02" else wgs
    client = as_user("dispatcher")
    areas = client.get(f"/api/v1/geo/areas?level=community&crs={crs}").json()["features"]
    holding = [a["properties"]["code"] for a in areas if shape(a["geometry"]).contains(shapely.Point(point))]
    assert holding == [code[:12]]
    detail = client.get(f"/api/v1/geo/grids/{code}?crs={crs}").json()
    stored_centre = client.get(f"/api/v1/geo/grids/{code}").json()
    expected = from_stored(stored_centre["center_lng"], stored_centre["center_lat"], Crs(crs))
    assert (detail["center_lng"], detail["center_lat"]) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("crs", ["gcj02", "wgs84"])
def test_a_case_at_the_known_point_is_drawn_there_on_the_command_map(as_user, session, district, known, crs):
    _, stored, wgs = known
    case = street_b_case(session, district, STREET_A)
    assert (case.lng, case.lat) == pytest.approx(stored)
    point = stored if crs == "gcj02" else wgs
    body = as_user("dispatcher").get(f"/api/v1/map/cases?crs={crs}&zoom=18&bbox={around(*point)}").json()
    [drawn] = [p for p in body["points"] if p["id"] == case.id]
    assert (drawn["lng"], drawn["lat"]) == pytest.approx(point, abs=1e-6)
    cells = (
        as_user("dispatcher").get(f"/api/v1/map/cases?crs={crs}&zoom=13&bbox={around(*point, 0.02)}").json()
    )
    nearest = min(cells["cells"], key=lambda c: abs(c["lng"] - point[0]) + abs(c["lat"] - point[1]))
    assert nearest["west"] <= point[0] + 1e-6 and nearest["south"] <= point[1] + 1e-6


def test_the_big_screen_and_the_map_page_speak_the_tiles_system(as_user, session, district, known, tianditu):
    _, stored, wgs = known
    case = street_b_case(session, district, STREET_A)
    leader = as_user("leader")
    data = screen_data(leader.get("/screen").text)
    assert data["tileCrs"] == "wgs84"
    [point] = [p for p in data["points"] if p[3] == case.id]
    assert (point[1], point[0]) == pytest.approx(wgs, abs=1e-6)
    page = as_user("street_officer").get("/map").text
    assert 'data-tile-crs="wgs84"' in page
    south, west, north, east = json.loads(
        page.split('data-bounds="', 1)[1].split('"', 1)[0].replace("&#34;", '"')
    )
    assert west < wgs[0] < east and south < wgs[1] < north


def test_a_geocoded_place_is_sent_in_the_system_asked_for(anonymous):
    address = {"address": "2-1社区门口"}  # a community the test district's gazetteer names
    stored = anonymous.get("/api/v1/geo/geocode", params=address).json()
    wgs = anonymous.get("/api/v1/geo/geocode", params={**address, "crs": "wgs84"}).json()
    assert stored["is_inside"] and wgs["grid_code"] == stored["grid_code"]
    assert (wgs["lng"], wgs["lat"]) == pytest.approx(
        from_stored(stored["lng"], stored["lat"], Crs.WGS84), abs=1e-6
    )


def test_an_unknown_system_is_refused_naming_the_field(as_user, known):
    _, stored, _ = known
    answer = as_user("dispatcher").get(f"/api/v1/geo/grids?crs=mercator&bbox={around(*stored)}")
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "crs"
