"""A demo district's geography and people: its real boundary and street codes (the reference data), a
synthetic partition inside it into communities and unit grids, its departments and street offices,
responsibility grids with a grid worker each, and one login per role. The demo's 历下区 is built by it, and
each district a city's demo adds beside it (services.demo.city)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid.db.models import Area, OrgUnit, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.areas import AreaLevel, unit_grid_code
from govgrid.domain.permissions import SYSTEM
from govgrid.domain.roles import Role
from govgrid.geo.features import AreaFeature, GeoImportError
from govgrid.geo.partition import StreetCells, partition_district
from govgrid.geo.topology import check_topology
from govgrid.services.demo.reference import reference_file
from govgrid.services.geo.geography import stored_geometries, write_features
from govgrid.services.people.accounts import add_user, hash_password

Progress = Callable[[str], None]
_DIGITS = "零一二三四五六七八九"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌志宏海波宁晨"


def build_district_geography(
    session: Session,
    *,
    spec: dict[str, Any],
    shared_dir: Path | None,
    password: str,
    now: datetime,
    progress: Progress = lambda _: None,
) -> str:
    """Write one district by its spec (a district of demo_district.yaml's shape) beside whatever is stored;
    the caller commits. Returns the district's name."""
    name, district, streets = _reference(shared_dir, spec)
    district = _clipped(session, spec["district"], district)
    progress(f"{name}：划分 {len(streets)} 个街道、约 {spec['communities']} 个社区和单元网格（合成数据）…")
    cells = partition_district(
        district, streets=len(streets), communities=spec["communities"], grid_m=spec["grid_metres"]
    )
    features = _features(spec["district"], name, district, streets, cells)
    problems = check_topology(features, stored_geometries(session))
    if problems:
        raise GeoImportError(problems)
    progress(f"{name}：写入 {len(features)} 个区划与网格…")
    write_features(session, actor=SYSTEM, features=features, now=now, synthetic=True)
    session.get_one(Area, spec["district"]).is_synthetic = False
    progress(f"{name}：创建单位、网格员与演示账号…")
    _units(session, spec, streets)
    _responsibility_grids(session, spec, now)
    add_logins(session, spec, password, now)
    progress(f"{name}：生成地名地址库（街道、社区与合成楼栋）…")
    _places(session, spec["district"], now)
    return name


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十二, 二十三) for synthetic community names."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "") if n >= 10 else _DIGITS[n]


def _reference(shared_dir: Path | None, spec: dict[str, Any]) -> tuple[str, Any, list[tuple[str, str]]]:
    boundary_path = reference_file(shared_dir, spec["boundary_file"])
    doc = json.loads(boundary_path.read_text(encoding="utf-8"))
    district = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in doc["features"]])
    name = str(doc["features"][0].get("properties", {}).get("name") or spec["district"])
    with reference_file(shared_dir, spec["streets_file"]).open(encoding="utf-8") as handle:
        streets = [
            (r["code"], r["name"]) for r in csv.DictReader(handle) if r["areaCode"] == spec["district"]
        ]
    return name, district, sorted(streets)


def _clipped(session: Session, code: str, district: Any) -> Any:
    """The published outlines of neighbouring districts overlap by slivers along their border (they are
    simplified): a district added beside stored ones gives up those slivers, so no grid lies in two."""
    from govgrid.geo.shapes import from_wkb

    stored = [
        from_wkb(wkb)
        for wkb in session.scalars(
            select(Area.geometry_wkb).where(Area.level == AreaLevel.DISTRICT.value, Area.code != code)
        )
    ]
    if not stored:
        return district
    rest = shapely.make_valid(district.difference(shapely.union_all(stored)))
    parts = [g for g in getattr(rest, "geoms", [rest]) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _features(
    district_code: str, name: str, district: Any, streets: list[tuple[str, str]], cells: list[StreetCells]
) -> list[AreaFeature]:
    features = [AreaFeature(1, district_code, AreaLevel.DISTRICT, name, district)]
    for (street_code, street_name), street in zip(streets, cells, strict=True):
        features.append(
            AreaFeature(len(features) + 1, street_code, AreaLevel.STREET, street_name, street.outline)
        )
        short = street_name.removesuffix("街道").removesuffix("镇")
        for c, community in enumerate(street.communities, start=1):
            code = f"{street_code}{c:03d}"
            name = f"{short}{chinese_number(c)}社区"
            features.append(
                AreaFeature(len(features) + 1, code, AreaLevel.COMMUNITY, name, community.outline)
            )
            for s, grid in enumerate(community.grids, start=1):
                grid_code = unit_grid_code(code, s)
                features.append(AreaFeature(len(features) + 1, grid_code, AreaLevel.GRID, grid_code, grid))
    return features


def _units(session: Session, spec: dict[str, Any], streets: list[tuple[str, str]]) -> None:
    for unit in spec["units"]:
        session.add(
            OrgUnit(code=unit["code"], name=unit["name"], kind=unit["kind"], area_code=spec["district"])
        )
    for code, name in streets:
        session.add(OrgUnit(code=code, name=f"{name}办事处", kind="street", area_code=code))
    session.flush()


def _person_name(n: int) -> str:
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n * 7) % len(_GIVEN)] + _GIVEN[(n * 13 + 5) % len(_GIVEN)]


def _responsibility_grids(session: Session, spec: dict[str, Any], now: datetime) -> None:
    """Group each community's unit grids, in numbering order, into responsibility grids of ~equal size."""
    district = spec["district"]
    rows = session.scalars(
        select(UnitGrid.code).where(UnitGrid.code.startswith(district)).order_by(UnitGrid.code)
    ).all()
    prefix = spec.get("worker_prefix", "gw")  # a second district's workers: usernames of their own
    per_worker = len(rows) / spec["grid_workers"]
    by_community: dict[str, list[str]] = {}
    for code in rows:
        by_community.setdefault(code[:12], []).append(code)
    names = dict(
        session.execute(select(Area.code, Area.name).where(Area.level == AreaLevel.COMMUNITY.value)).all()
    )
    serial = 0
    for community, codes in by_community.items():
        groups = max(1, round(len(codes) / per_worker))
        for g in range(groups):
            serial += 1
            members = codes[g * len(codes) // groups : (g + 1) * len(codes) // groups]
            worker = User(
                username=f"{prefix}{serial:04d}",
                display_name=_person_name(serial),
                role=Role.GRID_WORKER.value,
                scope_code=community,
                phone=f"{spec.get('worker_phones', '1390531')}{serial:04d}",
                created_at=now,
            )
            session.add(worker)
            session.flush()
            code = f"{community}-{g + 1:02d}"
            session.add(
                ResponsibilityGrid(
                    code=code,
                    name=f"{names[community]}第{g + 1}责任网格",
                    community_code=community,
                    worker_id=worker.id,
                )
            )
            session.flush()
            session.execute(
                update(UnitGrid).where(UnitGrid.code.in_(members)).values(responsibility_grid_code=code)
            )


def add_logins(session: Session, spec: dict[str, Any], password: str, now: datetime) -> None:
    """One login per row of spec["logins"]; scope "district" is the spec's district, "city" its city."""
    for login in spec["logins"]:
        role = Role(login["role"])
        if role is Role.GRID_WORKER:
            _adopt_grid_worker(session, login, password)
            continue
        scope = {"district": spec.get("district"), "city": spec.get("city")}.get(
            login.get("scope"), login.get("scope")
        )
        add_user(
            session,
            username=login["username"],
            display_name=login["name"],
            role=role,
            unit_code=login.get("unit"),
            scope_code=scope,
            phone="",
            password=password,
            now=now,
        )


def _adopt_grid_worker(session: Session, login: dict[str, Any], password: str) -> None:
    """The demo grid worker login is the worker of the first responsibility grid in the given street."""
    grid = session.scalars(
        select(ResponsibilityGrid)
        .where(ResponsibilityGrid.community_code.startswith(login["street"]))
        .order_by(ResponsibilityGrid.code)
    ).first()
    if grid is None or grid.worker_id is None:
        raise ValueError(f"街道 {login['street']} 没有责任网格，无法创建演示网格员")
    worker = session.get_one(User, grid.worker_id)
    worker.username, worker.display_name = login["username"], login["name"]
    worker.password_hash = hash_password(password)


def _places(session: Session, district: str, now: datetime) -> None:
    """Streets and communities at a point inside them, and one synthetic building per unit grid
    ("大明湖八社区26号楼"), so that reports by address find their grid in the demo."""
    from govgrid.geo.shapes import from_wkb
    from govgrid.services.geo.gazetteer import add_places
    from govgrid.services.geo.locate import LocatorCache

    places: list[tuple[str, str, float, float]] = []
    areas = session.scalars(
        select(Area).where(
            Area.level.in_([AreaLevel.STREET.value, AreaLevel.COMMUNITY.value]),
            Area.code.startswith(district),
        )
    )
    names = {}
    for area in areas:
        point = from_wkb(area.geometry_wkb).representative_point()
        places.append((area.name, area.level, point.x, point.y))
        names[area.code] = area.name
    for grid in session.scalars(
        select(UnitGrid).where(UnitGrid.code.startswith(district)).order_by(UnitGrid.code)
    ):
        places.append(
            (f"{names[grid.community_code]}{grid.sequence}号楼", "building", grid.center_lng, grid.center_lat)
        )
    add_places(session, actor=SYSTEM, locator=LocatorCache(), places=places, now=now, synthetic=True)
