"""Polygon helpers: WKB storage, metric areas through a local projection, GeoJSON output."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS = 6_371_008.8


class LocalProjection:
    """An equirectangular projection around a reference latitude: metres east/north of (lng0, lat0).

    Good to well under 0.1 % over a district (tens of kilometres), which is all areas and the demo
    partition need."""

    def __init__(self, lng0: float, lat0: float) -> None:
        self.lng0, self.lat0 = lng0, lat0
        self.kx = math.radians(1) * EARTH_RADIUS * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * EARTH_RADIUS

    def to_metres(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geom,
            lambda c: np.column_stack(((c[:, 0] - self.lng0) * self.kx, (c[:, 1] - self.lat0) * self.ky)),
        )

    def to_lnglat(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geom, lambda c: np.column_stack((c[:, 0] / self.kx + self.lng0, c[:, 1] / self.ky + self.lat0))
        )

    @classmethod
    def around(cls, geom: BaseGeometry) -> LocalProjection:
        c = geom.centroid
        return cls(c.x, c.y)


def area_m2(geom: BaseGeometry) -> float:
    return float(LocalProjection.around(geom).to_metres(geom).area)


def to_wkb(geom: BaseGeometry) -> bytes:
    return bytes(shapely.to_wkb(geom))


def from_wkb(data: bytes) -> BaseGeometry:
    return shapely.from_wkb(data)


def geojson_geometry(geom: BaseGeometry, precision: int = 6) -> dict[str, Any]:
    """The geometry as a GeoJSON dict, rounded to `precision` decimals (≈ 0.1 m at 6)."""
    rounded = shapely.transform(geom, lambda c: np.round(c, precision))
    return shapely.geometry.mapping(rounded)
