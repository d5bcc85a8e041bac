"""Reading GeoJSON features one by one, with errors that name the feature: structure, rings, CRS, validity.

Relations between features (parents, siblings) are checked in geo/topology.py."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from govgrid.domain.areas import AreaLevel, level_of
from govgrid.domain.errors import InvalidInput
from govgrid.geo.crs import Crs, to_stored

# Longitude/latitude box of China with a margin: anything outside is not GCJ-02/WGS-84/BD-09 degrees.
CHINA_LNG = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)
_ACCEPTED_CRS_NAMES = ("crs84", "epsg::4326", "epsg:4326", "gcj02", "gcj-02", "wgs84", "bd09")


@dataclass(frozen=True)
class GeoProblem:
    """One thing wrong with an import, naming the feature (1-based) and its code when known."""

    message: str
    feature: int | None = None
    code: str | None = None

    def __str__(self) -> str:
        where = []
        if self.feature is not None:
            where.append(f"要素 #{self.feature}")
        if self.code:
            where.append(f"编码 {self.code}")
        return f"{'，'.join(where)}：{self.message}" if where else self.message


class GeoImportError(InvalidInput):
    """The import was refused; every problem found is listed and nothing was written."""

    def __init__(self, problems: list[GeoProblem]) -> None:
        self.problems = problems
        head = f"地理数据校验未通过，共 {len(problems)} 处问题，未写入任何数据"
        super().__init__(head + "：\n" + "\n".join(f"- {p}" for p in problems[:200]), field="features")


@dataclass
class AreaFeature:
    index: int
    code: str
    level: AreaLevel
    name: str
    geometry: BaseGeometry  # GCJ-02, Polygon or MultiPolygon
    properties: dict[str, Any] = field(default_factory=dict)


MAX_FEATURES = 200_000  # a district has about 11,000 unit grids; a city about 150,000
MAX_VERTICES = 20_000_000  # every position of every ring, counted before any geometry is built


def read_features(doc: Any, crs: Crs) -> tuple[list[AreaFeature], list[GeoProblem]]:
    """Parse a FeatureCollection into area features (converted to GCJ-02) and the problems found. A file
    beyond MAX_FEATURES features or MAX_VERTICES positions is refused before any geometry is built."""
    problems: list[GeoProblem] = []
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return [], [GeoProblem("文件不是 GeoJSON FeatureCollection")]
    problems += _check_declared_crs(doc.get("crs"))
    raw = doc.get("features")
    if not isinstance(raw, list) or not raw:
        return [], problems + [GeoProblem("FeatureCollection 中没有要素（features 为空）")]
    if len(raw) > MAX_FEATURES:
        return [], problems + [GeoProblem(f"要素共 {len(raw):,} 个，超过上限 {MAX_FEATURES:,}：请分批导入")]
    vertices = sum(_positions(item.get("geometry") if isinstance(item, dict) else None) for item in raw)
    if vertices > MAX_VERTICES:
        return [], problems + [
            GeoProblem(f"坐标点共 {vertices:,} 个，超过上限 {MAX_VERTICES:,}：请简化或分批导入")
        ]
    features = []
    for index, item in enumerate(raw, start=1):
        feature, found = _read_one(index, item, crs)
        problems += found
        if feature is not None:
            features.append(feature)
    return features, problems + _duplicate_codes(features)


def _positions(geometry: Any) -> int:
    """How many positions a (Multi)Polygon holds, without building it (malformed parts count as none)."""
    if not isinstance(geometry, dict) or not isinstance(geometry.get("coordinates"), list):
        return 0
    polygons = (
        geometry["coordinates"] if geometry.get("type") == "MultiPolygon" else [geometry["coordinates"]]
    )
    return sum(
        len(ring) for rings in polygons if isinstance(rings, list) for ring in rings if isinstance(ring, list)
    )


def _check_declared_crs(crs: Any) -> list[GeoProblem]:
    if crs is None:
        return []
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else str(crs)
    if any(token in name.lower() for token in _ACCEPTED_CRS_NAMES):
        return []
    return [GeoProblem(f"坐标参考系“{name}”不受支持：须为经纬度（GCJ-02、WGS-84 或 BD-09），不能是投影坐标")]


def _read_one(index: int, item: Any, crs: Crs) -> tuple[AreaFeature | None, list[GeoProblem]]:
    props = item.get("properties") if isinstance(item, dict) else None
    props = props if isinstance(props, dict) else {}
    code = str(props.get("code") or props.get("adcode") or "").strip()
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return None, [GeoProblem("不是 GeoJSON Feature", index, code or None)]
    try:
        level = level_of(code)
    except InvalidInput as exc:
        return None, [GeoProblem(f"属性 code 无效：{exc.message}", index, code or None)]
    problems = _ring_problems(item.get("geometry"), index, code)
    if problems:
        return None, problems
    geometry = shapely.geometry.shape(item["geometry"])
    geometry = shapely.transform(geometry, lambda c: _convert(c, crs)) if crs is not Crs.GCJ02 else geometry
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        return None, [GeoProblem(f"多边形无效（{_explain(reason)}）", index, code)]
    name = str(props.get("name") or "").strip()
    if level is not AreaLevel.GRID and not name:
        return None, [GeoProblem("缺少属性 name（名称）", index, code)]
    return AreaFeature(index, code, level, name or code, geometry, props), []


def _convert(coords: Any, crs: Crs) -> Any:
    import numpy as np

    return np.array([to_stored(float(x), float(y), crs) for x, y in coords])


def _explain(reason: str) -> str:
    known = {
        "Self-intersection": "自相交",
        "Ring Self-intersection": "环自相交",
        "Too few points": "点数过少",
        "Hole lies outside shell": "内环在外环之外",
        "Nested shells": "外环嵌套",
        "Interior is disconnected": "内部不连通",
    }
    for english, chinese in known.items():
        if reason.startswith(english):
            return f"{chinese}：{reason}"
    return reason


def _ring_problems(geometry: Any, index: int, code: str) -> list[GeoProblem]:
    """Rings must be closed, have ≥ 4 positions, and be longitude/latitude inside China."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        return [GeoProblem(f"几何类型须为 Polygon 或 MultiPolygon，实为 {kind}", index, code)]
    polygons = geometry.get("coordinates")
    polygons = [polygons] if geometry["type"] == "Polygon" else polygons
    if not isinstance(polygons, list) or not polygons:
        return [GeoProblem("几何坐标为空", index, code)]
    for p, rings in enumerate(polygons, start=1):
        for r, ring in enumerate(rings if isinstance(rings, list) else [None], start=1):
            message = _ring_message(ring)
            if message:
                return [GeoProblem(f"第 {p} 个多边形第 {r} 个环{message}", index, code)]
    return []


def _ring_message(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "点数少于 4 个（环不完整）"
    try:
        points = [(float(pt[0]), float(pt[1])) for pt in ring]
    except (TypeError, ValueError, IndexError):
        return "含有非数字坐标"
    if any(not (math.isfinite(x) and math.isfinite(y)) for x, y in points):
        return "含有非数字坐标"
    if points[0] != points[-1]:
        return f"未闭合（首点 {list(points[0])} ≠ 末点 {list(points[-1])}）"
    for x, y in points:
        if not (CHINA_LNG[0] <= x <= CHINA_LNG[1] and CHINA_LAT[0] <= y <= CHINA_LAT[1]):
            return f"坐标 {[x, y]} 不是中国境内的经纬度（坐标系错误？须为 GCJ-02/WGS-84/BD-09 经纬度）"
    return None


def _duplicate_codes(features: list[AreaFeature]) -> list[GeoProblem]:
    seen: dict[str, int] = {}
    problems = []
    for f in features:
        if f.code in seen:
            problems.append(GeoProblem(f"编码重复（与要素 #{seen[f.code]} 相同）", f.index, f.code))
        seen.setdefault(f.code, f.index)
    return problems
