"""The demo district (历下区): the real boundary and street codes, a synthetic partition inside it,
departments, ~900 responsibility grids with a grid worker each, and one login per role."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid import catalog
from govgrid.catalog.bundle import Catalogs
from govgrid.db.models import Area, Meta, OrgUnit, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.areas import AreaLevel, unit_grid_code
from govgrid.domain.permissions import SYSTEM
from govgrid.domain.roles import Role
from govgrid.geo.features import AreaFeature, GeoImportError
from govgrid.geo.partition import StreetCells, partition_district
from govgrid.geo.topology import check_topology
from govgrid.services import audit
from govgrid.services.assessment.rollups import catch_up
from govgrid.services.demo.connector_traffic import build_demo_traffic
from govgrid.services.demo.forms import build_demo_forms
from govgrid.services.demo.inspections import build_demo_inspections
from govgrid.services.demo.ledger import DemoLedger, build_demo_ledger
from govgrid.services.demo.planted_hotspots import plant_hotspots
from govgrid.services.demo.reference import reference_file
from govgrid.services.demo.register import build_demo_register
from govgrid.services.demo.year import DemoYear, build_demo_year
from govgrid.services.geo.geography import write_features
from govgrid.services.people.accounts import add_user, hash_password

DEMO_MARKER = "demo_district"
CATALOG = "demo_district.yaml"
Progress = Callable[[str], None]
_DIGITS = "零一二三四五六七八九"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌志宏海波宁晨"


@dataclass(frozen=True)
class DemoSummary:
    streets: int
    communities: int
    grids: int
    responsibility_grids: int
    logins: list[dict[str, str]]
    already_built: bool = False
    ledger: DemoLedger | None = None
    year: DemoYear | None = None


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十二, 二十三) for synthetic community names."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "") if n >= 10 else _DIGITS[n]


def is_built(session: Session) -> bool:
    return session.get(Meta, DEMO_MARKER) is not None


def build_demo(
    session: Session,
    *,
    catalogs: Catalogs,
    shared_dir: Path | None,
    password: str,
    now: datetime,
    progress: Progress = lambda _: None,
    days: int | None = None,
    secret: bytes = b"govgrid-demo",
) -> DemoSummary:
    """Build the demo district into an empty database (a second call reports what is there): its
    geography and people, its ledger, and a year of cases (`days` to make fewer, e.g. in tests)."""
    spec = catalogs.source.load(CATALOG)
    catalog.require(CATALOG, spec["units"], ("code", "name", "kind"))
    catalog.require(CATALOG, spec["logins"], ("username", "name", "role"))
    if is_built(session):
        return _summary(session, spec, already_built=True)
    district, streets = _reference(shared_dir, spec)
    progress(f"划分 {len(streets)} 个街道、约 {spec['communities']} 个社区和单元网格（合成数据）…")
    cells = partition_district(
        district, streets=len(streets), communities=spec["communities"], grid_m=spec["grid_metres"]
    )
    features = _features(spec["district"], district, streets, cells)
    problems = check_topology(features, {})
    if problems:
        raise GeoImportError(problems)
    progress(f"写入 {len(features)} 个区划与网格…")
    write_features(session, actor=SYSTEM, features=features, now=now, synthetic=True)
    session.get_one(Area, spec["district"]).is_synthetic = False
    progress("创建单位、网格员与演示账号…")
    _units(session, spec, streets)
    _responsibility_grids(session, spec, now)
    _logins(session, spec, password, now)
    progress("生成地名地址库（街道、社区与合成楼栋）…")
    _places(session, now)
    session.add(Meta(key=DEMO_MARKER, value=now.isoformat()))
    audit.record(
        session,
        actor=SYSTEM,
        action="demo.build",
        entity_type="area",
        entity_id=spec["district"],
        now=now,
        scope_code=spec["district"],
    )
    session.commit()
    progress("录入督办台账（三份工作方案）与全年进展…")
    ledger = build_demo_ledger(
        session, rules=catalogs.ledger_rules, source=catalogs.source, area_code=spec["district"], now=now
    )
    progress("生成全年案件（合成数据，经由与实际相同的立案与流转规则）…")
    year = build_demo_year(
        session,
        rules=catalogs.case_rules,
        source=catalogs.source,
        area_code=spec["district"],
        now=now,
        progress=progress,
        days=days,
    )
    progress("督导检查：按评分表对各社区现场评分，扣分项提出整改意见（合成数据）…")
    build_demo_inspections(session, catalogs=catalogs, area_code=spec["district"], now=now)
    progress("联网系统今日推送（12345、视频识别、上级交办、疫情防控、公安排查；合成数据）…")
    build_demo_traffic(session, rules=catalogs.case_rules, area_code=spec["district"], now=now)
    progress("12345 反复反映的问题（每月一题的热点；合成数据）…")
    plant_hotspots(
        session, rules=catalogs.case_rules, policy=catalogs.policy, area_code=spec["district"], now=now
    )
    progress("一表通基础台账：各社区的人、房、企（合成数据，由各社区网格员经同一录入服务登记）…")
    build_demo_register(session, catalog=catalogs.forms, area_code=spec["district"], now=now, key=secret)
    progress("一表通报表：区卫健局每日报表，网格员只填变化的部分并报送（合成数据）…")
    street = next(login["street"] for login in spec["logins"] if login["role"] == Role.GRID_WORKER.value)
    build_demo_forms(
        session, catalog=catalogs.forms, calendar=catalogs.case_rules.calendar, street_code=street, now=now,
        key=secret,
    )  # fmt: skip
    progress("汇总考核指标…")
    catch_up(session, rules=catalogs.case_rules, district_code=spec["district"], now=now)
    return replace(_summary(session, spec), ledger=ledger, year=year)


def _reference(shared_dir: Path | None, spec: dict[str, Any]) -> tuple[Any, list[tuple[str, str]]]:
    boundary_path = reference_file(shared_dir, spec["boundary_file"])
    doc = json.loads(boundary_path.read_text(encoding="utf-8"))
    district = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in doc["features"]])
    with reference_file(shared_dir, spec["streets_file"]).open(encoding="utf-8") as handle:
        streets = [
            (r["code"], r["name"]) for r in csv.DictReader(handle) if r["areaCode"] == spec["district"]
        ]
    return district, sorted(streets)


def _features(
    district_code: str, district: Any, streets: list[tuple[str, str]], cells: list[StreetCells]
) -> list[AreaFeature]:
    features = [AreaFeature(1, district_code, AreaLevel.DISTRICT, "历下区", district)]
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
    rows = session.execute(select(UnitGrid.code).order_by(UnitGrid.code)).scalars().all()
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
                username=f"gw{serial:04d}",
                display_name=_person_name(serial),
                role=Role.GRID_WORKER.value,
                scope_code=community,
                phone=f"1390531{serial:04d}",
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


def _logins(session: Session, spec: dict[str, Any], password: str, now: datetime) -> None:
    for login in spec["logins"]:
        role = Role(login["role"])
        if role is Role.GRID_WORKER:
            _adopt_grid_worker(session, login, password)
            continue
        scope = spec["district"] if login.get("scope") == "district" else login.get("scope")
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


def _summary(session: Session, spec: dict[str, Any], already_built: bool = False) -> DemoSummary:
    def count(level: str) -> int:
        return len(session.scalars(select(Area.code).where(Area.level == level)).all())

    return DemoSummary(
        streets=count("street"),
        communities=count("community"),
        grids=len(session.scalars(select(UnitGrid.code)).all()),
        responsibility_grids=len(session.scalars(select(ResponsibilityGrid.code)).all()),
        logins=[{"username": x["username"], "role": x["role"], "name": x["name"]} for x in spec["logins"]],
        already_built=already_built,
    )


def _places(session: Session, now: datetime) -> None:
    """Streets and communities at a point inside them, and one synthetic building per unit grid
    ("大明湖八社区26号楼"), so that reports by address find their grid in the demo."""
    from govgrid.geo.shapes import from_wkb
    from govgrid.services.geo.gazetteer import add_places
    from govgrid.services.geo.locate import LocatorCache

    places: list[tuple[str, str, float, float]] = []
    areas = session.scalars(
        select(Area).where(Area.level.in_([AreaLevel.STREET.value, AreaLevel.COMMUNITY.value]))
    )
    names = {}
    for area in areas:
        point = from_wkb(area.geometry_wkb).representative_point()
        places.append((area.name, area.level, point.x, point.y))
        names[area.code] = area.name
    for grid in session.scalars(select(UnitGrid).order_by(UnitGrid.code)):
        places.append(
            (f"{names[grid.community_code]}{grid.sequence}号楼", "building", grid.center_lng, grid.center_lat)
        )
    add_places(session, actor=SYSTEM, locator=LocatorCache(), places=places, now=now, synthetic=True)
