"""`govgrid bench forms`: one community of 10,000 residents (with houses and shops), the ten seed forms
issued to it, and a day's sheets: built the way govgrid builds them (the register read once, each form
composed from it: services.forms.returns.day_sheets) against building the same sheets by querying each
form's fields separately (one query per form and field), in the same run; then the ten workbooks written in
their layouts. Synthetic data, by bulk insert into a temporary SQLite database."""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta

import click

from govgrid.cli.context import Context, pass_context

COMMUNITY, DISTRICT = "370102004001", "370102"
TARGET_SECONDS = 2.0


def _fill(session, residents: int, day: date, now: datetime) -> None:
    """The community (area, unit), its residents, houses and shops by bulk insert: about one in five
    arrived in the last 14 days, one in ten is a returning resident, some are tenants, work at a shop, are
    elderly living alone, have a fever."""
    import shapely
    from sqlalchemy import insert

    from govgrid.db.models import Area, OrgUnit
    from govgrid.db.register_models import RegisterEntry

    box = shapely.to_wkb(shapely.box(117.0, 36.6, 117.1, 36.7))
    for code, level, parent in ((DISTRICT, "district", None), (COMMUNITY, "community", DISTRICT)):
        session.add(
            Area(code=code, level=level, name="基准社区" if parent else "历下区", parent_code=parent,
                 geometry_wkb=box, min_lng=117.0, min_lat=36.6, max_lng=117.1, max_lat=36.7, area_m2=1.0,
                 is_synthetic=True)
        )  # fmt: skip
    session.add(OrgUnit(code="LX-WJ", name="历下区卫生健康局", kind="department", area_code=DISTRICT))
    session.flush()
    rng = random.Random(7)
    houses = [
        f"基准社区{b}号楼{u}单元{r}室" for b in range(1, 101) for u in range(1, 3) for r in range(101, 111)
    ]
    shops = [(f"基准商铺{n}号", "小餐饮" if n % 3 else "小商店") for n in range(300)]
    firms = [(f"基准企业{n}号", "企业") for n in range(50)]
    rows: list[dict] = []
    grid = COMMUNITY + "001"

    def add(kind: str, label: str, values: dict[str, str]) -> None:
        rows.append(dict(district_code=DISTRICT, kind=kind, grid_code=grid, community_code=COMMUNITY,
                         label=label, values=values, version=1, is_synthetic=True, created_at=now, updated_at=now))  # fmt: skip

    for address in houses:
        add("house", address, {"house.address": address, "house.owner": "房主", "house.owner_phone": "13800000000",
                               "house.use": rng.choice(("自住", "出租"))})  # fmt: skip
    for name, kind in shops + firms:
        add("enterprise", name, {"enterprise.name": name, "enterprise.kind": kind, "enterprise.address": name,
                                 "enterprise.contact": "负责人", "enterprise.contact_phone": "13900000000",
                                 "enterprise.employees": "5", "enterprise.credit_code": "91370102MA3C000000"})  # fmt: skip
    for n in range(residents):
        values = {"person.name": f"居民{n}", "person.gender": rng.choice(("男", "女")),
                  "person.id_number": "370102198001011237", "person.phone": f"138{n:08d}",
                  "person.address": rng.choice(houses), "person.household_address": "济南市历下区",
                  "person.kind": rng.choice(("户籍人口", "户籍人口", "流动人口", "租户"))}  # fmt: skip
        if rng.random() < 0.2:
            values["person.arrived_on"] = (day - timedelta(days=rng.randrange(14))).isoformat()
            values["person.came_from"] = rng.choice(("北京市", "上海市", "武汉市"))
        if rng.random() < 0.1:
            values["person.special_category"] = rng.choice(("返乡人员", "独居老人", "居家隔离人员"))
        if rng.random() < 0.3:
            values["person.work_unit"] = rng.choice(shops + firms)[0]
        if rng.random() < 0.03:
            values["person.health_status"] = "发热"
        add("resident", values["person.name"], values)
    for start in range(0, len(rows), 5000):
        session.execute(insert(RegisterEntry), rows[start : start + 5000])
    session.commit()


def _by_field(session, catalog, template, day: date) -> int:
    """The baseline: a sheet built by asking the database for each of the form's fields separately (the id
    and that one value of every entry of the row's register), then picking the rows in memory."""
    from sqlalchemy import select

    from govgrid.db.register_models import RegisterEntry
    from govgrid.domain.forms import ENTRY_PREFIX

    kind = template.rows.kind
    columns: dict[str, dict[int, str]] = {}
    codes = [c for c in template.fields if c.startswith(ENTRY_PREFIX[kind] + ".")]
    wanted = {c.field for c in template.rows.any_of} | set(codes)
    for code in wanted:
        column = RegisterEntry.values[code].as_string()
        found = session.execute(
            select(RegisterEntry.id, column).where(
                RegisterEntry.community_code == COMMUNITY, RegisterEntry.kind == kind
            )
        )
        columns[code] = {i: v for i, v in found if v is not None}
    ids = set().union(*(columns[c].keys() for c in wanted)) if wanted else set()
    picked = [
        i for i in sorted(ids) if template.rows.picks(kind, {c: columns[c].get(i, "") for c in wanted}, day)
    ]
    return sum(1 for i in picked for c in codes if columns[c].get(i))


@click.command("forms")
@click.option("--residents", default=10_000, show_default=True, help="社区居民人数")
@pass_context
def bench_forms(obj: Context, residents: int) -> None:
    """Seconds to build a community's ten sheets for a day, against one query per form and field."""
    import tempfile

    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade
    from govgrid.domain.forms import ENTRY_PREFIX
    from govgrid.domain.permissions import SYSTEM, Actor
    from govgrid.domain.roles import Role
    from govgrid.excel.form_sheet import write_sheet
    from govgrid.services.forms import returns, sheets, tasks

    catalogs = obj.catalogs
    catalog, calendar = catalogs.forms, catalogs.case_rules.calendar
    now = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    day = date(2026, 11, 16)  # a Monday: the weekly forms have a period that day too
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/forms.db")
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            _fill(session, residents, day, now)
            from sqlalchemy import select

            from govgrid.db.models import OrgUnit

            unit = session.scalar(select(OrgUnit.id))
            officer = Actor(
                user_id=None, username="bench", role=Role.ADMIN, scope_code=DISTRICT, unit_id=unit
            )
            for code in catalog.templates:
                tasks.issue(session, actor=officer, catalog=catalog, template_code=code,
                            community_codes=[COMMUNITY], starts_on=day, ends_on=None, due_workdays=1, now=now)  # fmt: skip
        with sessions() as session:
            started = time.perf_counter()
            built = returns.day_sheets(
                session, actor=SYSTEM, catalog=catalog, calendar=calendar, community_code=COMMUNITY, day=day
            )
            ours = time.perf_counter() - started
        with sessions() as session:
            started = time.perf_counter()
            baseline_cells = sum(_by_field(session, catalog, s.template, day) for s in built)
            baseline = time.perf_counter() - started
        started = time.perf_counter()
        for s in built:
            write_sheet(
                sheets.layout_of(catalogs.source, catalog, s.template),
                catalog.columns(s.template),
                ({c.code: c.value for c in row.cells} for row in s.rows),
                community="基准社区",
                day=day.isoformat(),
            )
        workbooks = time.perf_counter() - started
        engine.dispose()
    cells = sum(
        1
        for s in built
        for row in s.rows
        for c in row.cells
        if c.value and c.code.startswith(ENTRY_PREFIX[s.template.rows.kind] + ".")
    )
    click.echo(
        f"基准社区：居民 {residents:,} 人、房屋 2,000 套、商铺和企业 350 家（合成数据）；十张报表，{day.isoformat()}"
    )
    for s in built:
        click.echo(f"  {s.template.name}：{len(s.rows):,} 行")
    click.echo(f"一表通（台账读一次，十张表由它组成）：{ours:.2f} 秒，本登记簿数据 {cells:,} 格")
    click.echo(
        f"基线（每张表每个字段各查一次）：{baseline:.2f} 秒，{baseline_cells:,} 格"
        f"{'（与一表通相同）' if baseline_cells == cells else '（与一表通不同！）'}"
        f"（一表通用时为其 {ours / max(baseline, 1e-9):.2f} 倍）"
    )
    click.echo(f"写成十个部门原样 .xlsx：{workbooks:.2f} 秒；组成并写成合计 {ours + workbooks:.2f} 秒")
    verdict = "达到" if ours < TARGET_SECONDS else "未达到"
    written = "也" if ours + workbooks < TARGET_SECONDS else "但未"
    click.echo(
        f"目标：十张表 {TARGET_SECONDS:.0f} 秒内备好（组成{verdict}；连同写成 .xlsx {written}在 {TARGET_SECONDS:.0f} 秒内）"
    )
