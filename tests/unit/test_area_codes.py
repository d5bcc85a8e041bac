import pytest

from govgrid.domain.areas import (
    AreaLevel,
    ancestors,
    grid_sequence_order,
    is_within,
    level_of,
    parent_code,
    unit_grid_code,
)
from govgrid.domain.errors import InvalidInput


def test_the_level_of_a_code_follows_its_length():
    assert level_of("370102") is AreaLevel.DISTRICT
    assert level_of("370102004") is AreaLevel.STREET
    assert level_of("370102004001") is AreaLevel.COMMUNITY
    assert level_of("370102004001007") is AreaLevel.GRID


@pytest.mark.parametrize("bad", ["", "37010", "3701020041", "37010200400A", "370102 004", "3701020040010071"])
def test_a_code_of_any_other_shape_is_refused_with_the_value_named(bad):
    with pytest.raises(InvalidInput, match="区划代码"):
        level_of(bad)


def test_codes_nest_by_prefix():
    assert parent_code("370102004001007") == "370102004001"
    assert parent_code("370102004") == "370102"
    assert parent_code("370102") is None
    assert ancestors("370102004001007") == ["370102", "370102004", "370102004001"]
    assert is_within("370102004001007", "370102004")
    assert not is_within("370102005001007", "370102004")


def test_a_unit_grid_code_is_fifteen_characters_with_a_three_digit_sequence():
    code = unit_grid_code("370102004001", 7)
    assert code == "370102004001007" and len(code) == 15


def test_a_unit_grid_sequence_outside_001_to_999_is_refused():
    with pytest.raises(InvalidInput):
        unit_grid_code("370102004001", 1000)
    with pytest.raises(InvalidInput):
        unit_grid_code("370102004", 1)


def test_grids_are_numbered_west_to_east_then_north_to_south():
    # A 2×2 block given in scrambled order: (x, y) centroids in metres, north is larger y.
    centroids = [(150, 50), (50, 150), (50, 50), (150, 150)]
    order = grid_sequence_order(centroids, row_height=100)
    assert [centroids[i] for i in order] == [(50, 150), (150, 150), (50, 50), (150, 50)]


def test_a_slightly_ragged_row_still_numbers_as_one_row():
    centroids = [(250, 148), (50, 151), (150, 139)]
    order = grid_sequence_order(centroids, row_height=100)
    assert [centroids[i][0] for i in order] == [50, 150, 250]
