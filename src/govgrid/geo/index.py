"""Point → unit grid lookup over a Shapely 2 STRtree (GEOS, vectorised over numpy arrays).

A point on an edge shared by two grids belongs to the grid with the smaller code, so every point
gets exactly one answer; a point in no grid gets none — never the nearest grid."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

NOWHERE = -1


class GridIndex:
    def __init__(self, codes: Sequence[str], polygons: Sequence[BaseGeometry]) -> None:
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes = [codes[i] for i in order]
        self.polygons = np.array([polygons[i] for i in order], dtype=object)
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)

    def __len__(self) -> int:
        return len(self.codes)

    def locate_many(self, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Index into `codes` of the grid holding each point, or NOWHERE (-1)."""
        points = shapely.points(lngs, lats)
        source, target = self.tree.query(points, predicate="intersects")
        found = np.full(len(points), len(self.codes), dtype=np.int64)
        np.minimum.at(found, source, target)
        found[found == len(self.codes)] = NOWHERE
        return found

    def locate(self, lng: float, lat: float) -> str | None:
        """The code of the grid holding the point, or None when it lies in no grid."""
        hit = int(self.locate_many(np.array([lng]), np.array([lat]))[0])
        return None if hit == NOWHERE else self.codes[hit]


def naive_locate(
    polygons: Sequence[BaseGeometry], codes: Sequence[str], lng: float, lat: float
) -> str | None:
    """The baseline the benchmark compares with: test every polygon in turn (no index)."""
    point = shapely.Point(lng, lat)
    hits = [code for polygon, code in zip(polygons, codes, strict=True) if polygon.intersects(point)]
    return min(hits) if hits else None
