import numpy as np
import shapely

from govgrid.geo.index import GridIndex, naive_locate


def lattice(n=10, size=0.001):
    codes, polys = [], []
    for row in range(n):
        for col in range(n):
            codes.append(f"370102001001{row * n + col + 1:03d}")
            polys.append(
                shapely.box(117 + col * size, 36 + row * size, 117 + (col + 1) * size, 36 + (row + 1) * size)
            )
    return codes, polys


def test_a_point_inside_a_grid_finds_that_grid():
    codes, polys = lattice()
    index = GridIndex(codes, polys)
    assert index.locate(117.0005, 36.0005) == "370102001001001"
    assert index.locate(117.0095, 36.0095) == "370102001001100"


def test_a_point_outside_every_grid_gets_no_grid_rather_than_the_nearest():
    index = GridIndex(*lattice())
    assert index.locate(117.0101, 36.0005) is None
    assert index.locate(116.5, 36.5) is None


def test_a_point_on_a_shared_edge_belongs_to_the_smaller_code():
    index = GridIndex(*lattice())
    assert index.locate(117.001, 36.0005) == "370102001001001"


def test_the_index_agrees_with_testing_every_polygon():
    codes, polys = lattice()
    index = GridIndex(codes, polys)
    rng = np.random.default_rng(3)
    lngs, lats = rng.uniform(116.999, 117.011, 400), rng.uniform(35.999, 36.011, 400)
    found = index.locate_many(lngs, lats)
    for i in range(400):
        expected = naive_locate(polys, codes, float(lngs[i]), float(lats[i]))
        assert (index.codes[found[i]] if found[i] >= 0 else None) == expected
