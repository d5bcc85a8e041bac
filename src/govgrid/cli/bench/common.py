"""What the benchmarks share: the unit grids to measure on, a temporary database holding them, and an
open-loop load with percentiles."""

from __future__ import annotations

import time
from typing import Any

import click


def grids(obj) -> tuple[list[str], list]:
    """Unit grids from the database; when it has none, the demo partition drawn in memory."""
    from sqlalchemy import select

    from govgrid.db.models import UnitGrid
    from govgrid.geo.shapes import from_wkb

    with obj.migrated_sessions()() as session:
        rows = session.execute(select(UnitGrid.code, UnitGrid.geometry_wkb)).all()
    if rows:
        return [r[0] for r in rows], [from_wkb(r[1]) for r in rows]
    click.echo("数据库中没有单元网格，按演示区在内存中划分…")
    return _demogrids(obj)


def _demogrids(obj) -> tuple[list[str], list]:
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


def bench_database(folder: str, name: str, areas: list[dict], grids: list[dict]):
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


def geography_rows(obj):
    from sqlalchemy import select

    from govgrid.db.models import Area, UnitGrid

    with obj.migrated_sessions()() as session:
        areas = [
            {c.name: getattr(a, c.name) for c in Area.__table__.columns}
            for a in session.scalars(select(Area))
        ]
        grids = [
            {
                c.name: getattr(g, c.name)
                for c in UnitGrid.__table__.columns
                if c.name != "responsibility_grid_code"
            }
            for g in session.scalars(select(UnitGrid))
        ]
    if not grids:
        raise click.ClickException("数据库中没有单元网格：请先运行 `govgrid demo --no-serve`")
    return areas, grids


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def open_loop(send, rate: int, seconds: float) -> list[float]:
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


def district_of(areas: list[dict]) -> str:
    return next(a["code"] for a in areas if a["level"] == "district")


def bench_units(session: Any, areas: list[dict], codes: tuple[str, ...]) -> list[int]:
    """Departments for synthetic cases to be dispatched to (bench data): their ids."""
    from sqlalchemy import select

    from govgrid.db.models import OrgUnit

    district = district_of(areas)
    for code in codes:
        session.add(OrgUnit(code=code, name=f"{code}（基准）", kind="department", area_code=district))
    session.commit()
    return list(session.scalars(select(OrgUnit.id)))


def free_port() -> int:
    """A port on loopback nobody listens on (for a bench server)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    """Until the server at `url` answers 200 (it is starting)."""
    import httpx2 as httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"服务未在 {seconds:.0f} 秒内就绪：{url}")


def uvicorn(port: int, env: dict[str, str], workers: int = 1):
    """The app served by uvicorn in a process of its own on loopback, for a benchmark to drive."""
    import subprocess
    import sys

    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "govgrid.web.app:create_app",
        "--host",
        "127.0.0.1",
    ]
    command += [
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-proxy-headers",
        "--workers",
        str(workers),
    ]
    return subprocess.Popen(command, env=env)
