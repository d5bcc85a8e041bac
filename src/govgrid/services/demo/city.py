"""The demo's city layer (`govgrid demo --city`, catalogue demo_city.yaml): more districts beside the demo's
历下区 in one deployment, each with its streets, communities, unit grids, departments, grid workers, logins
and a month of cases, and the city's own people (the 12345 center, the city's leaders) whose scope is the city — they see
every district, a district's people only theirs. Written through the same services as the demo district."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid import catalog
from govgrid.catalog.bundle import Catalogs
from govgrid.db.models import Area, Meta, OrgUnit
from govgrid.domain.permissions import SYSTEM, Actor
from govgrid.services import audit
from govgrid.services.assessment.rollups import catch_up
from govgrid.services.demo.district_geography import Progress, add_logins, build_district_geography
from govgrid.services.demo.year import build_demo_year

CATALOG = "demo_city.yaml"
CITY_MARKER = "demo_city"


@dataclass(frozen=True)
class CitySummary:
    city: str
    districts: list[str]  # names of the districts added
    logins: list[dict[str, str]]
    already_built: bool = False
    cases: int = 0  # the added districts' synthetic cases
    orders: int = 0  # the city's 12345 orders


def build_city(
    session: Session,
    *,
    catalogs: Catalogs,
    shared_dir: Path | None,
    password: str,
    now: datetime,
    progress: Progress = lambda _: None,
    overrides: dict[str, object] | None = None,
) -> CitySummary:
    """Add the catalogue's districts (those not stored yet) and the city's units and logins; commits.
    `overrides` replaces fields of every district's spec (tests make smaller partitions)."""
    spec = catalogs.source.load(CATALOG)
    catalog.require(
        CATALOG, spec["districts"], ("district", "boundary_file", "streets_file", "units", "logins")
    )
    catalog.require(CATALOG, spec["logins"], ("username", "name", "role"))
    logins = [login for d in spec["districts"] for login in d["logins"]] + spec["logins"]
    shown = [{"username": x["username"], "role": x["role"], "name": x["name"]} for x in logins]
    if session.get(Meta, CITY_MARKER) is not None:
        return CitySummary(spec["city"], [], shown, already_built=True)
    added, cases = [], 0
    for district in spec["districts"]:
        if session.get(Area, district["district"]) is not None:
            continue
        own = {**district, "city": spec["city"], **(overrides or {})}
        name = build_district_geography(
            session, spec=own, shared_dir=shared_dir, password=password, now=now, progress=progress
        )
        session.commit()
        added.append(name)
        if own.get("case_days"):
            progress(
                f"{name}：生成近 {own['case_days']} 天的案件（合成数据，经由与实际相同的立案与流转规则）…"
            )
            year = build_demo_year(
                session, rules=catalogs.case_rules, source=catalogs.source, area_code=own["district"], now=now,
                days=int(own["case_days"]), staff=tuple(own["staff"]),
            )  # fmt: skip
            catch_up(session, rules=catalogs.case_rules, district_code=own["district"], now=now)
            cases += year.cases
    known = set(session.scalars(select(OrgUnit.code)))
    for unit in spec["units"]:
        if unit["code"] not in known:  # the city's units belong to no one district
            session.add(OrgUnit(code=unit["code"], name=unit["name"], kind=unit["kind"], area_code=None))
    session.flush()
    add_logins(session, {"city": spec["city"], "logins": spec["logins"]}, password, now)
    session.commit()
    _city_orders(session, catalogs=catalogs, city=spec["city"], orders=spec.get("orders") or [], now=now)
    session.add(Meta(key=CITY_MARKER, value=now.isoformat()))
    audit.record(
        session,
        actor=SYSTEM,
        action="demo.city",
        entity_type="area",
        entity_id=spec["city"],
        now=now,
        scope_code=spec["city"],
    )
    session.commit()
    return CitySummary(spec["city"], added, shown, cases=cases, orders=len(spec.get("orders") or []))


def _city_orders(
    session: Session, *, catalogs: Catalogs, city: str, orders: list[dict[str, Any]], now: datetime
) -> None:
    """The city's 12345 orders, through the same intake as a city-scoped 12345 key's (services.cases.intake),
    and those marked forward handed to their district by the city's dispatcher (services.cases.forwarding)."""
    from govgrid.db.models import User
    from govgrid.domain.roles import Role
    from govgrid.domain.workflow import Loop
    from govgrid.geo.shapes import from_wkb
    from govgrid.services.cases import forwarding, intake
    from govgrid.services.geo.locate import LocatorCache
    from govgrid.services.people.accounts import actor_for

    hotline = Actor(None, "connector:hotline12345", Role.CONNECTOR, scope_code=city, source="hotline12345")
    dispatcher = next(
        actor_for(u)
        for u in session.scalars(
            select(User).where(User.role == Role.DISPATCHER.value, User.scope_code == city)
        )
    )
    locator = LocatorCache()
    for number, order in enumerate(orders, start=1):
        communities = session.scalars(
            select(Area.geometry_wkb)
            .where(Area.level == "community", Area.code.startswith(str(order["district"])))
            .order_by(Area.code)
        ).all()
        point = from_wkb(communities[int(order["community"]) % len(communities)]).representative_point()
        at = now - timedelta(hours=2 * (len(orders) - number) + 1)
        data = intake.Report(
            channel="hotline", loop=Loop.HOTLINE, class_code=str(order["class"]), title=str(order["title"]),
            lng=round(point.x, 6), lat=round(point.y, 6), external_id=f"demo-city-{number}",
        )  # fmt: skip
        case, _ = intake.report(
            session, actor=hotline, rules=catalogs.case_rules, locator=locator, data=data, now=at
        )
        case.is_synthetic = True
        session.commit()
        if order.get("forward"):
            forwarding.forward(
                session, actor=dispatcher, rules=catalogs.case_rules, case_id=case.id, district=str(order["district"]),
                now=at + timedelta(minutes=20),
            )  # fmt: skip
