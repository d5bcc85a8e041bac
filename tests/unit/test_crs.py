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
