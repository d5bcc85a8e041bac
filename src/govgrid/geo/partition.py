"""A synthetic partition of a real district boundary into streets, communities and ~1 ha unit grids.

No street or community polygons are public, so the demo draws its own: streets and communities are
Voronoi cells of k-means centres of points sampled inside the boundary (balanced areas), unit grids
are a square lattice clipped to each community with slivers merged into a neighbour. Everything is
computed in metres (a local projection) and returned in the input's longitude/latitude."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from govgrid.domain.areas import MAX_GRID_SEQUENCE, grid_sequence_order
from govgrid.geo.shapes import LocalProjection

SLIVER_SHARE = 0.3  # a clipped lattice piece under 30 % of a full cell joins its neighbour


@dataclass
class CommunityCells:
    outline: BaseGeometry
    grids: list[BaseGeometry] = field(default_factory=list)  # in numbering order


@dataclass
class StreetCells:
    outline: BaseGeometry
    communities: list[CommunityCells] = field(default_factory=list)


def partition_district(
    district: BaseGeometry, *, streets: int, communities: int, grid_m: float = 100.0, seed: int = 370102
) -> list[StreetCells]:
    """Split `district` into `streets` streets holding about `communities` communities in all."""
    rng = np.random.default_rng(seed)
    projection = LocalProjection.around(district)
    metric = shapely.make_valid(projection.to_metres(district))
    result = []
    for street in _split(metric, streets, rng):
        share = max(2, round(communities * street.area / metric.area))
        cells = StreetCells(projection.to_lnglat(street))
        for community in _split(street, share, rng):
            grids = [projection.to_lnglat(g) for g in _lattice(community, grid_m)]
            cells.communities.append(CommunityCells(projection.to_lnglat(community), grids))
        cells.communities.sort(key=lambda c: (-c.outline.centroid.y, c.outline.centroid.x))
        result.append(cells)
    return sorted(result, key=lambda s: (-s.outline.centroid.y, s.outline.centroid.x))


def _sample_inside(shape: BaseGeometry, count: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = shape.bounds
    shapely.prepare(shape)
    found: list[np.ndarray] = []
    while sum(len(f) for f in found) < count:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(count * 2, 2))
        found.append(xy[shapely.contains_xy(shape, xy[:, 0], xy[:, 1])])
    return np.concatenate(found)[:count]


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 25) -> np.ndarray:
    centres = points[rng.choice(len(points), size=k, replace=False)]
    for _ in range(rounds):
        nearest = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        for i in range(k):
            members = points[nearest == i]
            if len(members):
                centres[i] = members.mean(axis=0)
    return centres


def _split(shape: BaseGeometry, k: int, rng: np.random.Generator) -> list[BaseGeometry]:
    """k parts of `shape` of roughly equal area: Voronoi cells of k-means centres, clipped."""
    centres = _kmeans(_sample_inside(shape, 4000, rng), k, rng)
    cells = shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=shape.envelope.buffer(1000))
    parts = [shapely.intersection(cell, shape) for cell in shapely.get_parts(cells)]
    return [p for p in parts if not p.is_empty and p.area > 0]


def _lattice(community: BaseGeometry, size: float) -> list[BaseGeometry]:
    """Lattice squares clipped to the community, slivers merged, in numbering order."""
    minx, miny, maxx, maxy = community.bounds
    xs = np.arange(np.floor(minx / size) * size, maxx, size)
    ys = np.arange(np.floor(miny / size) * size, maxy, size)
    boxes = [shapely.box(x, y, x + size, y + size) for y in ys for x in xs]
    pieces = shapely.get_parts(shapely.intersection(np.array(boxes), community))
    pieces = [p for p in pieces if p.geom_type == "Polygon" and p.area > 1e-6]
    cells = _merge_slivers(pieces, SLIVER_SHARE * size * size)
    order = grid_sequence_order([(c.centroid.x, c.centroid.y) for c in cells], row_height=size)
    if len(cells) > MAX_GRID_SEQUENCE:
        raise ValueError(f"一个社区划出 {len(cells)} 个单元网格，超过编码上限 {MAX_GRID_SEQUENCE}")
    return [cells[i] for i in order]


def _merge_slivers(pieces: list[BaseGeometry], min_area: float) -> list[BaseGeometry]:
    big = [p for p in pieces if p.area >= min_area]
    small = [p for p in pieces if p.area < min_area]
    if not big:
        return [shapely.union_all(pieces)] if pieces else []
    tree = shapely.STRtree(big)
    for sliver in small:
        neighbours = tree.query(sliver, predicate="intersects")
        if len(neighbours) == 0:
            big.append(sliver)  # an island piece: it stays a grid of its own
            continue
        shared = [shapely.length(shapely.intersection(sliver.boundary, big[i].boundary)) for i in neighbours]
        host = int(neighbours[int(np.argmax(shared))])
        merged = shapely.union(big[host], sliver)
        big[host] = merged if merged.geom_type == "Polygon" else big[host]
        if merged.geom_type != "Polygon":
            big.append(sliver)
    return big
