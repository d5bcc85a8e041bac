"""Coordinate systems. govgrid stores GCJ-02 (the system of Amap, Tencent, WeChat and of the public
boundary files); WGS-84 (GPS, 天地图, Open311) and BD-09 (Baidu) are converted at the edges with prcoords."""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import prcoords
import shapely

from govgrid.domain.errors import InvalidInput

STORED_CRS = "gcj02"


class Crs(StrEnum):
    GCJ02 = "gcj02"
    WGS84 = "wgs84"
    BD09 = "bd09"


def parse_crs(value: str) -> Crs:
    aliases = {
        "gcj-02": Crs.GCJ02,
        "wgs-84": Crs.WGS84,
        "wgs84": Crs.WGS84,
        "cgcs2000": Crs.WGS84,
        "epsg:4326": Crs.WGS84,
        "bd-09": Crs.BD09,
        "bd09ll": Crs.BD09,
    }
    key = value.strip().lower()
    try:
        return aliases.get(key) or Crs(key)
    except ValueError:
        raise InvalidInput(f"坐标系“{value}”不支持：可用 gcj02、wgs84、bd09", field="crs") from None


def check_lnglat(lng: float, lat: float) -> None:
    """Refuse coordinates that are not longitude/latitude at all (NaN, out of range, swapped)."""
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise InvalidInput(f"坐标无效：lng={lng}, lat={lat}", field="lng")
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise InvalidInput(
            f"坐标超出经纬度范围：lng={lng}, lat={lat}（是否为投影坐标或经纬度颠倒？）", field="lng"
        )


def to_stored(lng: float, lat: float, crs: Crs) -> tuple[float, float]:
    """Convert a point from `crs` into the stored system (GCJ-02)."""
    check_lnglat(lng, lat)
    if crs is Crs.GCJ02:
        return lng, lat
    if crs is Crs.WGS84:
        c = prcoords.wgs_gcj((lat, lng), check_china=False)
    else:
        c = prcoords.bd_gcj_bored((lat, lng), check_china=False)
    return c.lon, c.lat


def from_stored(lng: float, lat: float, crs: Crs) -> tuple[float, float]:
    """Convert a stored GCJ-02 point into `crs` (the precise iterative inverse for WGS-84)."""
    check_lnglat(lng, lat)
    if crs is Crs.GCJ02:
        return lng, lat
    if crs is Crs.WGS84:
        c = prcoords.gcj_wgs_bored((lat, lng), check_china=False)
    else:
        c = prcoords.gcj_bd((lat, lng))
    return c.lon, c.lat


def parse_near(near: str, crs: str) -> tuple[float, float] | None:
    """ "lng,lat" in `crs` (a list's "near" filter) → a stored GCJ-02 point; None when not given."""
    if not near:
        return None
    try:
        lng, lat = (float(part) for part in near.split(","))
    except ValueError:
        raise InvalidInput(f"near“{near}”应为“经度,纬度”", field="near") from None
    return to_stored(lng, lat, parse_crs(crs))


def shape_from_stored(geometry: Any, crs: Crs) -> Any:
    """A stored (GCJ-02) shapely geometry with every vertex in `crs`: what a map on 天地图 (WGS-84) tiles
    draws over them."""
    if crs is Crs.GCJ02:
        return geometry

    def convert(coords: Any) -> Any:
        out = coords.copy()
        for i, (lng, lat) in enumerate(coords):
            out[i] = from_stored(float(lng), float(lat), crs)
        return out

    return shapely.transform(geometry, convert)


def box_to_stored(box: tuple[float, float, float, float], crs: Crs) -> tuple[float, float, float, float]:
    """A map's view (west, south, east, north) in `crs` as the stored box that covers it."""
    if crs is Crs.GCJ02:
        return box
    west, south, east, north = box
    corners = [to_stored(lng, lat, crs) for lng in (west, east) for lat in (south, north)]
    lngs, lats = [c[0] for c in corners], [c[1] for c in corners]
    return min(lngs), min(lats), max(lngs), max(lats)


def points_from_stored(items: Iterable[dict[str, Any]], crs: Crs) -> list[dict[str, Any]]:
    """Dicts carrying a stored point as "lng"/"lat" (map points, clusters, stream events), in `crs`."""
    if crs is Crs.GCJ02:
        return list(items)
    out = []
    for item in items:
        if item.get("lng") is None or item.get("lat") is None:
            out.append(item)
            continue
        lng, lat = from_stored(item["lng"], item["lat"], crs)
        out.append({**item, "lng": round(lng, 7), "lat": round(lat, 7)})
    return out
