"""`govgrid bench …`: speed measured against a baseline in the same run (ratios, never timed tests)."""

from __future__ import annotations

import time
import uuid

import click
import numpy as np


@click.group()
def bench() -> None:
    """性能基准：与同一次运行中测得的基线对比。"""


def _grids(obj) -> tuple[list[str], list]:
    """Unit grids from the database; when it has none, the demo partition drawn in memory."""
    from sqlalchemy import select

    from govgrid.db.models import UnitGrid
    from govgrid.geo.shapes import from_wkb

    with obj.migrated_sessions()() as session:
        rows = session.execute(select(UnitGrid.code, UnitGrid.geometry_wkb)).all()
    if rows:
        return [r[0] for r in rows], [from_wkb(r[1]) for r in rows]
    click.echo("数据库中没有单元网格，按演示区在内存中划分…")
    return _demo_grids(obj)


def _demo_grids(obj) -> tuple[list[str], list]:
    import json

    import shapely

    from govgrid.geo.partition import partition_district
    from govgrid.services.demo.reference import reference_file

    path = reference_file(obj.settings.shared_dir, "data/geo/370102.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    district = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in doc["features"]])
    codes, polygons = [], []
    for s, street in enumerate(partition_district(district, streets=13, communities=100), start=1):
        for c, community in enumerate(street.communities, start=1):
            for g, grid in enumerate(community.grids, start=1):
                codes.append(f"370102{s:03d}{c:03d}{g:03d}")
                polygons.append(grid)
    return codes, polygons


@bench.command("locate")
@click.option("--points", default=1_000_000, show_default=True, help="索引定位的随机点数")
@click.option("--sample", default=300, show_default=True, help="朴素逐个多边形比对的抽样点数")
@click.option("--seed", default=1, show_default=True)
@click.pass_obj
def bench_locate(obj, points: int, sample: int, seed: int) -> None:
    """Point→grid lookup: the STRtree index vs. a naive loop over every polygon, on one core."""
    from govgrid.geo.index import NOWHERE, GridIndex, naive_locate

    codes, polygons = _grids(obj)
    started = time.perf_counter()
    index = GridIndex(codes, polygons)
    build = time.perf_counter() - started
    minx = min(p.bounds[0] for p in polygons)
    miny = min(p.bounds[1] for p in polygons)
    maxx = max(p.bounds[2] for p in polygons)
    maxy = max(p.bounds[3] for p in polygons)
    rng = np.random.default_rng(seed)
    lngs, lats = rng.uniform(minx, maxx, points), rng.uniform(miny, maxy, points)
    click.echo(f"单元网格 {len(index)} 个；索引构建 {build:.2f} 秒；随机点 {points} 个（外包矩形内，含区外点）")

    started = time.perf_counter()
    found = np.concatenate([index.locate_many(lngs[i : i + 200_000], lats[i : i + 200_000])
                            for i in range(0, points, 200_000)])  # fmt: skip
    indexed = points / (time.perf_counter() - started)

    started = time.perf_counter()
    naive = [naive_locate(polygons, codes, float(lngs[i]), float(lats[i])) for i in range(sample)]
    baseline = sample / (time.perf_counter() - started)

    expected = [None if found[i] == NOWHERE else index.codes[found[i]] for i in range(sample)]
    disagree = sum(a != b for a, b in zip(naive, expected, strict=True))
    click.echo(f"索引定位：{indexed:,.0f} 点/秒（落入网格 {int((found != NOWHERE).sum()):,} 个）")
    click.echo(f"朴素循环：{baseline:,.1f} 点/秒（抽样 {sample} 点）")
    click.echo(f"倍数：{indexed / baseline:,.0f}×；抽样结果不一致 {disagree} 个")
    click.echo(f"目标 ≥ 500,000 点/秒：{'达到' if indexed >= 500_000 else '未达到'}")
    if disagree:
        raise SystemExit(1)


def _bench_database(folder: str, name: str, areas: list[dict], grids: list[dict]):
    """A fresh migrated SQLite database holding the same geography."""
    from sqlalchemy import insert

    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade
    from govgrid.db.models import Area, UnitGrid
    from govgrid.services.geo.geography import bump_revision

    engine = make_engine(f"sqlite:///{folder}/{name}.db")
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        for table, rows in ((Area, sorted(areas, key=lambda r: len(r["code"]))), (UnitGrid, grids)):
            if rows:
                session.execute(insert(table), rows)
        bump_revision(session)
        session.commit()
    return sessions


def _geography_rows(obj):
    from sqlalchemy import select

    from govgrid.db.models import Area, UnitGrid

    with obj.migrated_sessions()() as session:
        areas = [{c.name: getattr(a, c.name) for c in Area.__table__.columns} for a in session.scalars(select(Area))]
        grids = [{c.name: getattr(g, c.name) for c in UnitGrid.__table__.columns if c.name != "responsibility_grid_code"}
                 for g in session.scalars(select(UnitGrid))]  # fmt: skip
    if not grids:
        raise click.ClickException("数据库中没有单元网格：请先运行 `govgrid demo --no-serve`")
    return areas, grids


@bench.command("intake")
@click.option("--cases", "count", default=200_000, show_default=True, help="受理的案件数")
@click.option("--batch", default=5_000, show_default=True, help="每个事务的案件数（批量模式）")
@click.option("--seed", default=1, show_default=True)
@click.pass_obj
def bench_intake(obj, count: int, batch: int, seed: int) -> None:
    """Cases/s through the full intake service vs. raw inserts of the same rows, same engine, same run."""
    import tempfile

    from sqlalchemy import insert

    from govgrid.db.case_models import Case, CaseTransition
    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.cases.bulk import case_row, report_batch
    from govgrid.services.cases.intake import Report
    from govgrid.services.cases.rules import shipped_rules
    from govgrid.services.geo.locate import LocatorCache

    areas, grids = _geography_rows(obj)
    rules = shipped_rules()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(grids), count)
    classes = sorted(rules.classes)
    kinds = rng.integers(0, len(classes), count)
    reports = [Report(channel="phone", class_code=classes[k], title=f"市民反映问题 {i}",
                      description="小区门口垃圾堆放多日无人清理，影响出行。", external_id=str(uuid.UUID(int=i + 1)),
                      lng=grids[g]["center_lng"], lat=grids[g]["center_lat"])
               for i, (g, k) in enumerate(zip(picks, kinds, strict=True))]  # fmt: skip
    from datetime import UTC, datetime

    now = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        full = _bench_database(folder, "full", areas, grids)
        raw = _bench_database(folder, "raw", areas, grids)
        click.echo(f"单元网格 {len(grids)} 个；案件 {count:,} 件，每批 {batch:,} 件；SQLite 临时库")
        locator = LocatorCache()
        with full() as session:
            locator.get(session)  # the index is built once per geography revision, as in the server
            started = time.perf_counter()
            created = 0
            for i in range(0, count, batch):
                result = report_batch(session, actor=SYSTEM, rules=rules, locator=locator,
                                      reports=reports[i : i + batch], now=now)  # fmt: skip
                created += result.created
                if (i // batch) % 10 == 0:
                    click.echo(f"  受理进度 {i + len(reports[i : i + batch]):,}/{count:,}", err=True)
            full_rate = created / (time.perf_counter() - started)
        rows = [case_row(SYSTEM, r, grids[g]["code"], r.lng or 0.0, r.lat or 0.0, now) for r, g in zip(reports, picks, strict=True)]
        with raw() as session:
            started = time.perf_counter()
            for i in range(0, count, batch):
                chunk = rows[i : i + batch]
                ids = session.scalars(insert(Case).returning(Case.id), chunk).all()
                session.execute(insert(CaseTransition), [
                    {"case_id": case_id, "at": now, "actor_id": None, "actor_name": "system", "step": "report",
                     "from_status": None, "to_status": row["status"], "note": row["title"], "detail": {}}
                    for case_id, row in zip(ids, chunk, strict=True)])  # fmt: skip
                session.commit()
            raw_rate = count / (time.perf_counter() - started)
    click.echo(f"完整受理（校验、网格定位、分类、派遣规则、流转记录）：{full_rate:,.0f} 件/秒（成功 {created:,} 件）")
    click.echo(f"同样数据直接插入：{raw_rate:,.0f} 件/秒")
    click.echo(f"直接插入 / 完整受理 = {raw_rate / full_rate:.2f}×（目标 ≤ 5×）；"
               f"完整受理目标 ≥ 3,000 件/秒：{'达到' if full_rate >= 3000 else '未达到'}")  # fmt: skip
    if created != count:
        raise SystemExit(1)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _open_loop(send, rate: int, seconds: float) -> list[float]:
    """Send at a fixed schedule from a thread pool; latency counts from the scheduled moment (no
    coordinated omission). Returns latencies in milliseconds."""
    from concurrent.futures import ThreadPoolExecutor

    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    latencies: list[float] = []

    def one(i: int) -> None:
        due = start + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        send(i)
        latencies.append((time.perf_counter() - due) * 1000)

    with ThreadPoolExecutor(max_workers=48) as pool:
        list(pool.map(one, range(total)))
    return latencies


@bench.command("api")
@click.option("--rate", default=200, show_default=True, help="每秒请求数")
@click.option("--seconds", default=10.0, show_default=True, help="每项持续秒数")
@click.pass_obj
def bench_api(obj, rate: int, seconds: float) -> None:
    """p50/p99 of a single-case POST at a fixed rate on loopback, against GET /health at the same rate."""
    import os
    import socket
    import subprocess
    import sys
    import tempfile

    import httpx2 as httpx  # the HTTP client the project depends on (also behind Starlette's TestClient)

    from govgrid.domain.roles import Role
    from govgrid.services.people.accounts import actor_for, add_user, issue_token

    areas, grids = _geography_rows(obj)
    with tempfile.TemporaryDirectory() as folder:
        sessions = _bench_database(folder, "api", areas, grids)
        from datetime import UTC, datetime

        with sessions() as session:
            user = add_user(session, username="bench", display_name="压测", role=Role.DISPATCHER, unit_code=None,
                            scope_code=areas[0]["code"][:6], phone="", password=None, now=datetime.now(UTC))  # fmt: skip
            session.commit()
            token = issue_token(session, actor=actor_for(user), name="bench", now=datetime.now(UTC))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "GOVGRID_DATABASE_URL": f"sqlite:///{folder}/api.db", "GOVGRID_SECRET_KEY": "bench-" + token,
               "GOVGRID_MEDIA_DIR": f"{folder}/media"}  # fmt: skip
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "govgrid.web.app:create_app",
                                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                   "--no-proxy-headers"], env=env)  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=10, limits=httpx.Limits(max_connections=64)) as client:
                for _ in range(100):
                    try:
                        if client.get("/api/v1/health").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                headers = {"Authorization": f"Bearer {token}"}
                failures: list[int] = []

                def health(i: int) -> None:
                    if client.get("/api/v1/health").status_code != 200:
                        failures.append(i)

                def post(i: int) -> None:
                    grid = grids[(i * 7919) % len(grids)]
                    answer = client.post("/api/v1/cases", headers=headers, json={
                        "class_code": "E0102", "title": f"压测案件 {i}", "lng": grid["center_lng"],
                        "lat": grid["center_lat"], "client_id": str(uuid.UUID(int=i + 1)), "channel": "phone"})  # fmt: skip
                    if answer.status_code != 201:
                        failures.append(i)

                for i in range(50):  # warm-up (first requests compile statements), not measured
                    health(i)
                    post(1_000_000 + i)
                baseline = _open_loop(health, rate, seconds)
                posts = _open_loop(post, rate, seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    click.echo(f"负载：{rate} 次/秒，各 {seconds:g} 秒（先各预热 50 次，不计入），服务在独立进程（uvicorn，SQLite）")
    for name, values in (("GET /api/v1/health（基线）", baseline), ("POST /api/v1/cases", posts)):
        click.echo(f"{name}：p50 {_percentile(values, 0.5):.1f} ms，p99 {_percentile(values, 0.99):.1f} ms，"
                   f"{len(values)} 次")  # fmt: skip
    ratio = _percentile(posts, 0.99) / max(_percentile(baseline, 0.99), 0.001)
    median = _percentile(posts, 0.5) / max(_percentile(baseline, 0.5), 0.001)
    click.echo(f"倍数（上报/健康检查）：p50 {median:.1f}×，p99 {ratio:.1f}×；目标 上报 p99 < 50 ms：{'达到' if _percentile(posts, 0.99) < 50 else '未达到'}；失败 {len(failures)} 次")
    if failures:
        raise SystemExit(1)
