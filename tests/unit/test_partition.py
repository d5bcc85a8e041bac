from govgrid.domain.areas import AreaLevel
from govgrid.geo.shapes import area_m2
from govgrid.geo.topology import check_topology
from tests.factories import DISTRICT_OUTLINE, district_features


def test_the_synthetic_partition_covers_the_district_without_overlaps_or_gaps():
    features = district_features()
    assert check_topology(features, {}) == []


def test_the_partition_has_the_streets_and_communities_asked_for():
    features = district_features()
    assert len([f for f in features if f.level is AreaLevel.STREET]) == 2
    assert len([f for f in features if f.level is AreaLevel.COMMUNITY]) >= 4


def test_unit_grids_are_about_the_lattice_size_and_fill_the_district():
    grids = [f for f in district_features() if f.level is AreaLevel.GRID]
    total = sum(area_m2(g.geometry) for g in grids)
    assert abs(total - area_m2(DISTRICT_OUTLINE)) / total < 1e-3
    assert 0.8 * 40_000 < total / len(grids) < 1.6 * 40_000


def test_grid_numbers_run_west_to_east_along_the_northern_row_first():
    grids = [f for f in district_features() if f.level is AreaLevel.GRID and f.code[:12].endswith("001")]
    first_community = [g for g in grids if g.code[:12] == grids[0].code[:12]]
    first, second = first_community[0].geometry.centroid, first_community[1].geometry.centroid
    northmost = max(g.geometry.centroid.y for g in first_community)
    assert northmost - first.y < 200 / 110_540  # the first grid is in the northern row
    assert second.x > first.x or second.y < first.y
