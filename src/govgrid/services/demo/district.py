"""The demo district (历下区): the real boundary and street codes, a synthetic partition inside it,
departments, ~900 responsibility grids with a grid worker each, and one login per role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid import catalog
from govgrid.catalog.bundle import Catalogs
from govgrid.db.models import Area, Meta, ResponsibilityGrid, UnitGrid
from govgrid.domain.permissions import SYSTEM
from govgrid.domain.roles import Role
from govgrid.services import audit
from govgrid.services.assessment.rollups import catch_up
from govgrid.services.demo.connector_traffic import build_demo_traffic
from govgrid.services.demo.district_geography import build_district_geography
from govgrid.services.demo.forms import build_demo_forms
from govgrid.services.demo.inspections import build_demo_inspections
from govgrid.services.demo.ledger import DemoLedger, build_demo_ledger
from govgrid.services.demo.planted_hotspots import plant_hotspots
from govgrid.services.demo.register import build_demo_register
from govgrid.services.demo.year import DemoYear, build_demo_year

DEMO_MARKER = "demo_district"
CATALOG = "demo_district.yaml"
Progress = Callable[[str], None]


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
    build_district_geography(
        session, spec=spec, shared_dir=shared_dir, password=password, now=now, progress=progress
    )
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
