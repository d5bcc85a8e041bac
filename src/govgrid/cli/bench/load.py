"""`govgrid bench load`: a mixed workload — intake, transitions, list and case reads, the command map and the
metrics, Open311 queries, the ledger tree, and open SSE streams — from separate client processes against a
uvicorn server on loopback, for a fixed time; throughput, p50/p99 per kind of request and every error.
Exits 1 if any request failed. The database is a demo district of a week (synthetic) built for the run: a
temporary SQLite file, or a schema of its own in the PostgreSQL database of `--database-url`, dropped after.
The per-person limits are settings: the run sets them for the load it means to drive, as an operator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from govgrid.cli.bench import common
from govgrid.cli.context import Context, pass_context

TARGET_RATE, TARGET_P99 = 300.0, 200.0


@contextmanager
def _database(url: str | None, folder: str):
    if not url:
        yield f"sqlite:///{folder}/load.db"
        return
    from sqlalchemy import text

    from govgrid.db.engine import make_engine

    schema = f"bench_load_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _seed(obj: Context, url: str, days: int) -> dict[str, Any]:
    """The demo district with `days` of cases, tokens for the dispatcher and the leader, what clients need."""
    from sqlalchemy import func, select

    from govgrid.db.case_models import Case
    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade
    from govgrid.db.models import UnitGrid, User
    from govgrid.services.demo.district import build_demo
    from govgrid.services.people.accounts import actor_for, issue_token

    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with make_session_factory(engine)() as session:
        build_demo(
            session, catalogs=obj.catalogs, shared_dir=obj.settings.shared_dir, password="bench-load-1",
            now=now, days=days,
        )  # fmt: skip
        tokens = {}
        for name in ("dispatcher", "leader"):
            user = session.scalars(select(User).where(User.username == name)).one()
            tokens[name] = issue_token(session, actor=actor_for(user), name="bench-load", now=now)
        case_ids = list(session.scalars(select(Case.id).order_by(Case.id.desc()).limit(500)))
        grids = session.execute(select(UnitGrid.center_lng, UnitGrid.center_lat).limit(400)).all()
        box = session.execute(
            select(
                func.min(UnitGrid.min_lng),
                func.min(UnitGrid.min_lat),
                func.max(UnitGrid.max_lng),
                func.max(UnitGrid.max_lat),
            )
        ).one()
    engine.dispose()
    month = now.date().replace(day=1)
    return {
        **tokens,
        "case_ids": case_ids,
        "points": [list(p) for p in grids],
        "bbox": ",".join(f"{v:.5f}" for v in box),
        "month_from": month.isoformat(),
        "month_to": (month + timedelta(days=31)).replace(day=1).isoformat(),
    }


@click.command("load")
@click.option("--seconds", default=60.0, show_default=True, help="持续秒数")
@click.option(
    "--database-url",
    default="",
    help="PostgreSQL 地址（在其中新建一个独立 schema，用后删除）；缺省为临时 SQLite 文件",
)
@click.option("--clients", default=3, show_default=True, help="客户端进程数")
@click.option(
    "--threads", default=4, show_default=True, help="每个客户端进程的并发连接数（每个连接同时只有一个请求）"
)
@click.option("--streams", default=20, show_default=True, help="同时保持的 SSE 事件流数")
@click.option("--workers", default=1, show_default=True, help="uvicorn 工作进程数")
@click.option("--days", default=7, show_default=True, help="演示区预置的案件天数")
@pass_context
def bench_load(
    obj: Context,
    seconds: float,
    database_url: str,
    clients: int,
    threads: int,
    streams: int,
    workers: int,
    days: int,
) -> None:
    """混合负载：上报、流转、列表与详情、指挥地图与考核指标、Open311、台账、SSE 事件流；吞吐量、各类请求 p50/p99 与错误。"""
    from govgrid.db.engine import normalize_url

    if not (1 <= clients <= 16 and 1 <= threads <= 16 and 0 <= streams <= 200 and 1 <= seconds <= 3600):
        raise click.BadParameter("客户端 1–16 个、每个 1–16 个连接、事件流 0–200 个、时长 1–3600 秒")
    with (
        tempfile.TemporaryDirectory() as folder,
        _database(normalize_url(database_url) if database_url else None, folder) as url,
    ):
        click.echo(f"预置演示区（{days} 天案件，合成数据）…")
        spec = _seed(obj, url, days)
        port = common.free_port()
        env = {
            **os.environ,
            "GOVGRID_DATABASE_URL": url,
            "GOVGRID_MEDIA_DIR": f"{folder}/media",
            "GOVGRID_SECRET_KEY": "bench-load-" + uuid.uuid4().hex,
            "GOVGRID_EMBEDDED_WORKER": "false",
            # the load this run means to drive: the per-person limits set for it
            "GOVGRID_REPORTS_PER_MINUTE": "1000000",
            "GOVGRID_STREAMS_PER_USER": str(max(streams, 1)),
        }
        server = common.uvicorn(port, env, workers=workers)
        try:
            base = f"http://127.0.0.1:{port}"
            common.wait_for(base + "/api/v1/health")
            spec.update(base=base, seconds=seconds, threads=threads, streams=streams)
            warm = {**spec, "seconds": 2.0, "seed": 0, "threads": 2}
            _client(warm)  # first requests compile statements: not measured
            procs = [_start({**spec, "seed": n + 1}) for n in range(clients)]
            if streams:
                procs.append(_start({**spec, "role": "streams"}))
            started = time.monotonic()
            outputs = [_finish(p, seconds) for p in procs]
            took = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=20)
    engine = "PostgreSQL" if database_url else "SQLite"
    requests = [row for out in outputs[:clients] for row in out]
    _report(requests, outputs[clients] if streams else None, took, engine, clients, threads, workers)


def _start(spec: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "govgrid.cli.bench.load_client", json.dumps(spec)],
        stdout=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str], seconds: float) -> Any:
    out, _ = proc.communicate(timeout=seconds + 60)
    if proc.returncode != 0:
        raise click.ClickException(f"客户端进程出错（退出码 {proc.returncode}）")
    return json.loads(out)


def _client(spec: dict[str, Any]) -> Any:
    return _finish(_start(spec), spec["seconds"])


def _report(
    requests: list, streams: dict | None, took: float, engine: str, clients: int, threads: int, workers: int
) -> None:
    ok = [r for r in requests if 200 <= r[2] < 300]
    errors = [r for r in requests if not 200 <= r[2] < 300]
    rate = len(requests) / took
    click.echo(
        f"{engine}，服务 {workers} 个 uvicorn 进程；客户端 {clients} 个进程 × {threads} 个连接（闭环，每连接一次一个请求），{took:.1f} 秒"
    )
    for kind in sorted({r[0] for r in requests}):
        times = [r[1] for r in requests if r[0] == kind]
        bad = sum(1 for r in requests if r[0] == kind and not 200 <= r[2] < 300)
        click.echo(
            f"  {kind:<10} {len(times):>7,} 次  p50 {common.percentile(times, 0.5):6.1f} ms  p99 {common.percentile(times, 0.99):6.1f} ms  错误 {bad}"
        )
    everything = [r[1] for r in requests]
    p50, p99 = common.percentile(everything, 0.5), common.percentile(everything, 0.99)
    click.echo(
        f"合计：{len(requests):,} 次，{rate:,.0f} 次/秒，p50 {p50:.1f} ms，p99 {p99:.1f} ms，错误 {len(errors)} 次"
    )
    if streams is not None:
        click.echo(
            f"SSE：{streams['streams']} 个事件流全程保持，收到 {streams['events']:,} 个事件，断开或失败 {streams['failures']} 个"
        )
    reached = rate >= TARGET_RATE and p99 < TARGET_P99 and not errors
    click.echo(
        f"目标 ≥ {TARGET_RATE:.0f} 次/秒、p99 < {TARGET_P99:.0f} ms、零错误：{'达到' if reached else '未达到'}"
    )
    for kind, _, status in errors[:10]:
        click.echo(f"  错误：{kind} → HTTP {status or '连接失败'}", err=True)
    if errors or (streams is not None and streams["failures"]) or not ok:
        raise SystemExit(1)
