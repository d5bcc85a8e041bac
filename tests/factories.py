"""A small synthetic district for tests (no reference data needed) and the personas who work in it.

District 370102 is a 2 km × 1.6 km rectangle near Jinan, split into two streets (370102001 and
370102002) with two communities each and 200 m unit grids; every responsibility grid has a worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid import catalog
from govgrid.db.models import OrgUnit, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.areas import AreaLevel, unit_grid_code
from govgrid.domain.permissions import SYSTEM, Actor
from govgrid.domain.roles import Role
from govgrid.geo.features import AreaFeature
from govgrid.geo.partition import partition_district
from govgrid.services.geo.geography import write_features
from govgrid.services.people.accounts import add_user, hash_password

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "persona-pass-1"
DISTRICT = "370102"
STREET_A = "370102001"
STREET_B = "370102002"
# A rectangle east of Jinan's centre, in GCJ-02 degrees (about 2.0 km × 1.6 km).
DISTRICT_OUTLINE = shapely.box(117.0300, 36.6500, 117.0524, 36.6644)
PERSONAS = {
    # username: (role, scope, unit)
    "admin": (Role.ADMIN, DISTRICT, "LX-ZHZX"),
    "security_admin": (Role.SECURITY_ADMIN, DISTRICT, "LX-ZHZX"),
    "auditor": (Role.AUDITOR, DISTRICT, "LX-ZHZX"),
    "dispatcher": (Role.DISPATCHER, DISTRICT, "LX-ZHZX"),
    "supervisor": (Role.SUPERVISOR, DISTRICT, "LX-DCS"),
    "leader": (Role.LEADER, DISTRICT, "LX-LD"),
    "dept_officer": (Role.DEPARTMENT_OFFICER, DISTRICT, "LX-CGJ"),
    "water_officer": (Role.DEPARTMENT_OFFICER, DISTRICT, "LX-SW"),
    "health_officer": (Role.DEPARTMENT_OFFICER, DISTRICT, "LX-WJ"),  # 一表通: the health bureau's forms
    "street_officer": (Role.STREET_OFFICER, STREET_A, STREET_A),
    "other_street_officer": (Role.STREET_OFFICER, STREET_B, STREET_B),
    "citizen": (Role.CITIZEN, None, None),
}


@dataclass(frozen=True)
class District:
    features: list[AreaFeature]

    def codes(self, level: AreaLevel) -> list[str]:
        return [f.code for f in self.features if f.level is level]

    def grid(self, street: str) -> AreaFeature:
        return next(f for f in self.features if f.level is AreaLevel.GRID and f.code.startswith(street))


def district_features() -> list[AreaFeature]:
    return drawn(
        DISTRICT, "测试区", DISTRICT_OUTLINE, streets=2, communities=4, grid_m=200, seed=7, prefix=""
    )


def drawn(
    code: str,
    name: str,
    outline: shapely.Geometry,
    *,
    streets: int,
    communities: int,
    grid_m: int,
    seed: int,
    prefix: str,
) -> list[AreaFeature]:
    """A district drawn inside its outline: streets (第n街道), communities (s-c社区), unit grids."""
    cells = partition_district(outline, streets=streets, communities=communities, grid_m=grid_m, seed=seed)
    features = [AreaFeature(1, code, AreaLevel.DISTRICT, name, outline)]
    for s, street in enumerate(cells, start=1):
        street_code = f"{code}{s:03d}"
        features.append(
            AreaFeature(
                len(features) + 1, street_code, AreaLevel.STREET, f"{prefix}第{s}街道", street.outline
            )
        )
        for c, community in enumerate(street.communities, start=1):
            community_code = f"{street_code}{c:03d}"
            features.append(
                AreaFeature(
                    len(features) + 1,
                    community_code,
                    AreaLevel.COMMUNITY,
                    f"{prefix}{s}-{c}社区",
                    community.outline,
                )
            )
            for g, grid in enumerate(community.grids, start=1):
                grid_code = unit_grid_code(community_code, g)
                features.append(AreaFeature(len(features) + 1, grid_code, AreaLevel.GRID, grid_code, grid))
    return features


def build_district(session: Session) -> District:
    """Write the test district, its units, one worker per community and every persona."""
    features = district_features()
    write_features(session, actor=SYSTEM, features=features, now=NOW, synthetic=True)
    for unit in catalog.SHIPPED_SOURCE.load("demo_district.yaml")[
        "units"
    ]:  # the units the shipped catalogues name
        session.add(OrgUnit(code=unit["code"], name=unit["name"], kind=unit["kind"], area_code=DISTRICT))
    for street in (STREET_A, STREET_B):
        session.add(OrgUnit(code=street, name=f"{street}办事处", kind="street", area_code=street))
    session.flush()
    for username, (role, scope, unit) in PERSONAS.items():
        add_user(
            session,
            username=username,
            display_name=username,
            role=role,
            unit_code=unit,
            scope_code=scope,
            phone="",
            password=PASSWORD,
            now=NOW,
        )
    _grid_workers(session, [f.code for f in features if f.level is AreaLevel.COMMUNITY])
    session.commit()
    _places(session, features)
    return District(features)


def _places(session: Session, features: list[AreaFeature]) -> None:
    """Every community by name, and a building 测试大厦 in the first grid of street A."""
    from govgrid.services.geo.gazetteer import add_places
    from govgrid.services.geo.locate import LocatorCache

    places = [(f.name, "community", *_xy(f)) for f in features if f.level is AreaLevel.COMMUNITY]
    first = next(f for f in features if f.level is AreaLevel.GRID and f.code.startswith(STREET_A))
    places.append(("测试大厦", "building", *_xy(first)))
    add_places(session, actor=SYSTEM, locator=LocatorCache(), places=places, now=NOW, synthetic=True)


def _xy(feature: AreaFeature) -> tuple[float, float]:
    point = feature.geometry.representative_point()
    return point.x, point.y


def _grid_workers(session: Session, communities: list[str]) -> None:
    hashed = hash_password(PASSWORD)
    for community in communities:
        username = "grid_worker" if community == f"{STREET_A}001" else f"gw_{community}"
        worker = User(
            username=username,
            display_name=f"网格员{community[-4:]}",
            role=Role.GRID_WORKER.value,
            scope_code=community,
            phone=f"1390000{community[-4:]}",
            password_hash=hashed,
            created_at=NOW,
        )
        session.add(worker)
        session.flush()
        code = f"{community}-01"
        session.add(
            ResponsibilityGrid(
                code=code, name=f"{community}第1责任网格", community_code=community, worker_id=worker.id
            )
        )
        session.flush()
        session.execute(
            UnitGrid.__table__.update()
            .where(UnitGrid.community_code == community)
            .values(responsibility_grid_code=code)
        )


def connector_actor(connector_id: str = "hotline12345"):  # type: ignore[no-untyped-def]
    """The actor an inbound system pushes as (what services.connector_keys.actor_for_key returns)."""
    from govgrid.domain.permissions import Actor

    return Actor(
        user_id=None,
        username=f"connector:{connector_id}",
        role=Role.CONNECTOR,
        scope_code=DISTRICT,
        source=connector_id,
    )


def user_id(session: Session, username: str) -> int:
    return int(session.scalar(select(User.id).where(User.username == username)) or 0)


def add_demo_ledger_units(session: Session) -> None:
    """The demo ledger also names streets the test district lacks (垛石镇 is mapped to 泉城路街道)."""
    for code in ("370102004", "370102005"):
        if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is None:
            session.add(
                OrgUnit(code=code, name=f"{code}办事处（演示台账）", kind="street", area_code=DISTRICT)
            )
    session.commit()


# the security administrator at the server's console (三员分立: accounts are theirs, not the system's)
SECURITY_CONSOLE = Actor(user_id=None, username="cli:test", role=Role.SECURITY_ADMIN)


SECOND_DISTRICT = "370103"
# 市中区 of the tests: a rectangle west of the test district, sharing its western edge
SECOND_OUTLINE = shapely.box(117.0076, 36.6500, 117.0300, 36.6644)
CITY = "370100"
CITY_PERSONAS = {
    "sz_dispatcher": (Role.DISPATCHER, SECOND_DISTRICT, "SZ-ZHZX"),
    "sz_admin": (Role.ADMIN, SECOND_DISTRICT, "SZ-ZHZX"),
    "sz_street_officer": (Role.STREET_OFFICER, f"{SECOND_DISTRICT}001", None),
    "sz_dept_officer": (Role.DEPARTMENT_OFFICER, SECOND_DISTRICT, "SZ-CGJ"),
    "sz_supervisor": (Role.SUPERVISOR, SECOND_DISTRICT, None),
    "city_dispatcher": (Role.DISPATCHER, CITY, None),
    "city_leader": (Role.LEADER, CITY, None),
}


def second_district_features() -> list[AreaFeature]:
    return drawn(
        SECOND_DISTRICT,
        "市中区",
        SECOND_OUTLINE,
        streets=1,
        communities=2,
        grid_m=400,
        seed=11,
        prefix="市中",
    )


def add_second_district(session: Session) -> District:
    """市中区 beside the test district in the same database (a city's deployment), its command center, and
    the city's people: a 市中区 dispatcher, administrator and street officer, the city's dispatcher and
    leader (scope 370100: both districts)."""
    features = second_district_features()
    write_features(session, actor=SYSTEM, features=features, now=NOW, synthetic=True)
    for code, name, kind in (
        ("SZ-ZHZX", "市中区城市运行综合指挥中心", "command_center"),
        ("SZ-CGJ", "市中区城市管理局", "department"),  # the shipped list's 城管 and 环卫 of 市中区
        (f"{SECOND_DISTRICT}001", "市中第1街道办事处", "street"),
    ):
        area = code if kind == "street" else SECOND_DISTRICT
        session.add(OrgUnit(code=code, name=name, kind=kind, area_code=area))
    session.flush()
    for username, (role, scope, unit) in CITY_PERSONAS.items():
        add_user(
            session, username=username, display_name=username, role=role, unit_code=unit, scope_code=scope,
            phone="", password=PASSWORD, now=NOW,
        )  # fmt: skip
    _grid_workers(session, [f.code for f in features if f.level is AreaLevel.COMMUNITY])
    session.commit()
    return District(features)
