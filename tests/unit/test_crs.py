import math

import pytest

from govgrid.domain.errors import InvalidInput
from govgrid.geo.crs import Crs, from_stored, parse_crs, to_stored

JINAN_WGS84 = (117.0329, 36.6672)


def metres_between(a, b):
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dx, (a[1] - b[1]) * 110_540)


def test_wgs84_points_move_by_the_known_few_hundred_metres_into_gcj02():
    gcj = to_stored(*JINAN_WGS84, Crs.WGS84)
    assert 100 < metres_between(gcj, JINAN_WGS84) < 800


@pytest.mark.parametrize("crs", [Crs.WGS84, Crs.BD09])
def test_converting_out_and_back_returns_the_same_point_within_a_decimetre(crs):
    stored = (117.0386, 36.6642)
    assert metres_between(to_stored(*from_stored(*stored, crs), crs), stored) < 0.1


def test_gcj02_is_stored_as_given():
    assert to_stored(117.0386, 36.6642, Crs.GCJ02) == (117.0386, 36.6642)


def test_coordinate_system_names_and_aliases_are_understood():
    assert parse_crs("GCJ-02") is Crs.GCJ02
    assert parse_crs("EPSG:4326") is Crs.WGS84
    assert parse_crs("bd09ll") is Crs.BD09


def test_an_unknown_coordinate_system_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        parse_crs("epsg:3857")
    assert caught.value.field == "crs" and "epsg:3857" in caught.value.message


@pytest.mark.parametrize("lng,lat", [(500000.0, 4060000.0), (float("nan"), 36.6), (36.6, 117.0)])
def test_values_that_are_not_longitude_latitude_are_refused(lng, lat):
    with pytest.raises(InvalidInput):
        to_stored(lng, lat, Crs.GCJ02)


def test_a_published_point_converts_as_the_reference_implementation_says():
    """wandergis/coordtransform's own example: WGS-84 (116.404, 39.915) is GCJ-02 (116.41024449916938,
    39.91640428150164); back again within a centimetre."""
    assert to_stored(116.404, 39.915, Crs.WGS84) == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-9
    )
    back = from_stored(116.41024449916938, 39.91640428150164, Crs.WGS84)
    assert metres_between(back, (116.404, 39.915)) < 0.01


def test_a_shape_and_a_view_box_convert_vertex_by_vertex():
    import shapely

    from govgrid.geo.crs import box_to_stored, points_from_stored, shape_from_stored

    square = shapely.box(117.03, 36.66, 117.04, 36.67)
    moved = shape_from_stored(square, Crs.WGS84)
    for (x, y), (u, v) in zip(square.exterior.coords, moved.exterior.coords, strict=True):
        assert (u, v) == pytest.approx(from_stored(x, y, Crs.WGS84), abs=1e-12)
    assert shape_from_stored(square, Crs.GCJ02) is square
    view = shapely.box(*box_to_stored(moved.bounds, Crs.WGS84))  # the stored box a WGS-84 view asks for
    assert view.covers(square) and view.bounds == pytest.approx(square.bounds, abs=1e-4)  # ≈ 10 m
    [point] = points_from_stored([{"id": 1, "lng": 117.0386, "lat": 36.6642}], Crs.WGS84)
    assert (point["lng"], point["lat"]) == pytest.approx(from_stored(117.0386, 36.6642, Crs.WGS84), abs=1e-7)
    assert points_from_stored([{"lng": None, "lat": None}], Crs.WGS84) == [{"lng": None, "lat": None}]
