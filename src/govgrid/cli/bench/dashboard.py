"""`govgrid bench dashboard`: the command dashboard over a large history (bench data, the history of
`govgrid bench report`, each case placed in its grid), served by the real app:

- the big screen's first paint: the server time of each request the page makes (the page, the street
  outlines), and of the leader's phone view;
- the command map at the default zoom (the district in view: server-side cells);
- case → event latency, p50/p99, with `--streams` streams open (a separate process reading them) while
  cases are reported through the API to a server on loopback.

Each against a baseline from the case table in the same run: one pass over it (what a page counting from
the case table pays), every open case's point read from it (a map sending every point), and a direct read
of the new case's row after its report (the floor under any notification)."""

from __future__ import annotations

import multiprocessing
import random
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import click

from govgrid.cli.bench import common
from govgrid.cli.bench.report import NOW, UNITS, fill
from govgrid.cli.context import Context, pass_context

REPEAT = 5


@click.command("dashboard")
@click.option("--cases", "count", default=2_000_000, show_default=True, help="历史案件总数")
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="基准库文件：不存在则建好留下，存在则直接复用（省去重建）",
)
@click.option("--streams", default=50, show_default=True, help="同时打开的实时连接数")
@click.option("--events", default=100, show_default=True, help="测延迟时上报的案件数")
@click.option("--seed", default=1, show_default=True)
@pass_context
def bench_dashboard(
    obj: Context, count: int, database: Path | None, streams: int, events: int, seed: int
) -> None:
    """The big screen, the command map and the live stream over --cases cases, against the case table."""
    with tempfile.TemporaryDirectory() as folder:
        path = database or Path(folder) / "dashboard.db"
        sessions = _database(obj, path, count, seed)
        with sessions() as session:
            leader, dispatcher = _tokens(session)
            district = _district(session)
        from govgrid.settings import load_settings
        from govgrid.web.app import create_app

        settings = load_settings(
            database_url=f"sqlite:///{path}",
            secret_key="bench-dashboard-secret-key-long-enough",
            media_dir=Path(folder) / "media",
            reports_per_minute=1_000_000,
            streams_per_user=streams + 1,
        )
        app = create_app(settings, clock=lambda: NOW)
        _first_paint(app, sessions, leader, district)
        _latency(app, sessions, leader, dispatcher, district, streams, events)


def _database(obj: Context, path: Path, count: int, seed: int) -> Any:
    """The bench database at `path`: reused when it already holds the cases, else built and rolled up."""
    from sqlalchemy import func, select

    from govgrid.db.case_models import Case
    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade

    if path.exists():
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)  # a database kept by an earlier version: its new indexes
        sessions = make_session_factory(engine)
        with sessions() as session:
            held = int(session.scalar(select(func.count()).select_from(Case)) or 0)
        if held < count:
            raise click.ClickException(
                f"{path} 只有 {held:,} 件（需要 {count:,} 件）：删除它重建，或减少 --cases"
            )
        from govgrid.services.assessment.rollups import catch_up

        with sessions() as session:  # rolled as the worker would have, before anything is measured
            catch_up(session, rules=obj.catalogs.case_rules, district_code=_district(session), now=NOW)
        click.echo(f"复用基准库 {path}：{held:,} 件（基准数据）")
        return sessions
    from govgrid.services.assessment.rollups import catch_up

    areas, grids = common.geography_rows(obj)
    sessions = common.bench_database(str(path.parent), path.stem, areas, grids)
    with sessions() as session:
        units = common.bench_units(session, areas, UNITS)
        places = [(g["code"], g["center_lng"], g["center_lat"]) for g in grids]
        started = time.perf_counter()
        fill(session, random.Random(seed), 0, count, places, sorted(obj.catalogs.case_rules.classes), units)
        filled = time.perf_counter() - started
        catch_up(session, rules=obj.catalogs.case_rules, district_code=common.district_of(areas), now=NOW)
        click.echo(
            f"基准库（基准数据）{count:,} 件：写入 {filled:.0f} s，汇总 {time.perf_counter() - started - filled:.0f} s"
        )
    return sessions


def _tokens(session: Any) -> tuple[str, str]:
    """Bearer tokens of a bench leader (reads the screen, holds the streams) and a dispatcher (reports)."""
    from sqlalchemy import select

    from govgrid.db.models import User
    from govgrid.domain.roles import Role
    from govgrid.services.people.accounts import actor_for, add_user, issue_token

    district = _district(session)
    found = []
    for username, role in (("bench_leader", Role.LEADER), ("bench_dispatcher", Role.DISPATCHER)):
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = add_user(
                session,
                username=username,
                display_name=f"{username}（基准）",
                role=role,
                unit_code=None,
                scope_code=district,
                phone="",
                password=None,
                now=NOW,
            )
            session.flush()
        found.append(issue_token(session, actor=actor_for(user), name="bench dashboard", now=NOW))
    session.commit()
    return found[0], found[1]


def _district(session: Any) -> str:
    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.geo.geography import district_for

    return district_for(session, SYSTEM)[0]


def _timed(call: Any) -> list[float]:
    """Milliseconds of each of REPEAT calls (the first one cold)."""
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _first_paint(app: Any, sessions: Any, leader: str, district: str) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from govgrid.db.case_models import Case
    from govgrid.db.models import Area
    from govgrid.domain.workflow import FINAL

    with sessions() as session:
        area = session.get(Area, district)
        box = f"{area.min_lng},{area.min_lat},{area.max_lng},{area.max_lat}"
        final = [s.value for s in FINAL]
        one_pass = _timed(
            lambda: session.execute(select(Case.status, func.count()).group_by(Case.status)).all()
        )
        every_point = _timed(
            lambda: session.execute(
                select(Case.id, Case.lng, Case.lat).where(Case.status.not_in(final))
            ).all()
        )
    requests = [
        ("大屏页面 /screen", "/screen", one_pass),
        ("街道轮廓 /api/v1/geo/areas?level=street", "/api/v1/geo/areas?level=street", one_pass),
        ("今日概览 /today", "/today", one_pass),
        ("指挥地图页面 /map", "/map", one_pass),
        ("地图案件（默认缩放 13）/api/v1/map/cases", f"/api/v1/map/cases?bbox={box}&zoom=13", every_point),
    ]
    click.echo(
        f"基线（案件表）：扫描一遍 {statistics.median(one_pass):.0f} ms；读出全部在办点位 "
        f"{statistics.median(every_point):.0f} ms"
    )
    first_paint = ("/screen", "/api/v1/geo/areas?level=street")  # the page, then what its script asks for
    paint_first = paint_middle = 0.0
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {leader}"
        for label, url, baseline in requests:
            answers: list[int] = []
            times = _timed(lambda url=url, answers=answers: answers.append(client.get(url).status_code))
            if set(answers) != {200}:
                raise click.ClickException(f"{url} 应答 {sorted(set(answers))}")
            middle = statistics.median(times)
            if url in first_paint:
                paint_first, paint_middle = paint_first + times[0], paint_middle + middle
            click.echo(
                f"  {label}：首次 {times[0]:.0f} ms，中位 {middle:.0f} ms；"
                f"是基线的 {middle / statistics.median(baseline):.2f} 倍"
            )
    click.echo(
        f"  大屏首屏合计（页面与其脚本请求的街道轮廓；实时连接另计）：首次 {paint_first:.0f} ms，"
        f"中位 {paint_middle:.0f} ms（目标 1 s 内）"
    )


def _listen(base_url: str, key: str, streams: int, ready: Any, arrivals: Any, stop: Any) -> None:
    """In a process of its own: `streams` streams, each putting (case id, arrival time) on `arrivals`."""
    import json

    import requests

    def one() -> None:
        with requests.get(
            f"{base_url}/api/v1/stream", headers={"Authorization": f"Bearer {key}"}, stream=True, timeout=120
        ) as answer:
            ready.put(answer.status_code)
            kind = ""
            for raw in answer.iter_lines(decode_unicode=True):
                line = raw if isinstance(raw, str) else raw.decode()
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "case":
                    arrivals.put((json.loads(line[6:])["id"], time.time()))

    threads = [threading.Thread(target=one, daemon=True) for _ in range(streams)]
    for thread in threads:
        thread.start()
    stop.wait()


def _latency(
    app: Any, sessions: Any, leader: str, dispatcher: str, district: str, streams: int, events: int
) -> None:
    import requests
    import uvicorn
    from sqlalchemy import select

    from govgrid.db.models import UnitGrid

    with sessions() as session:  # a point inside the district: a grid's centre
        lng, lat = session.execute(select(UnitGrid.center_lng, UnitGrid.center_lat).limit(1)).one()
    port = common.free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{port}"
    context = multiprocessing.get_context("spawn")
    ready, arrivals, stop = context.Queue(), context.Queue(), context.Event()
    listener = context.Process(target=_listen, args=(base_url, leader, streams, ready, arrivals, stop))
    listener.start()
    statuses = [ready.get(timeout=60) for _ in range(streams)]
    if set(statuses) != {200}:
        raise click.ClickException(f"实时连接应答 {sorted(set(statuses))}")
    time.sleep(1)
    sent: dict[int, float] = {}
    direct: list[float] = []
    headers = {"Authorization": f"Bearer {dispatcher}"}
    with requests.Session() as http:
        for _ in range(events):
            answer = http.post(
                f"{base_url}/api/v1/cases",
                headers=headers,
                json={
                    "class_code": "E0102",
                    "title": "基准数据：实时延迟",
                    "lng": lng,
                    "lat": lat,
                    "client_id": str(uuid.uuid4()),
                },
            )
            done = time.time()
            if answer.status_code not in (200, 201):
                raise click.ClickException(f"上报失败：{answer.status_code} {answer.text[:200]}")
            case_id = answer.json()["id"]
            sent[case_id] = done
            started = time.perf_counter()
            http.get(f"{base_url}/api/v1/cases/{case_id}", headers=headers).raise_for_status()
            direct.append((time.perf_counter() - started) * 1000)
            time.sleep(0.2)
    latencies = _collect(arrivals, sent, streams)
    stop.set()
    listener.join(timeout=10)
    server.should_exit = True
    expected = len(sent) * streams
    click.echo(
        f"实时推送：{streams} 个连接，上报 {len(sent)} 件，收到 {len(latencies):,}/{expected:,} 个事件"
    )
    if not latencies:
        raise click.ClickException("没有收到任何事件")
    p50, p99 = common.percentile(latencies, 0.5), common.percentile(latencies, 0.99)
    base50, base99 = common.percentile(direct, 0.5), common.percentile(direct, 0.99)
    click.echo(f"  案件→事件延迟：p50 {p50:.0f} ms，p99 {p99:.0f} ms（要求 2 s 内）")
    click.echo(
        f"  基线（上报后直接读该案件）：p50 {base50:.0f} ms，p99 {base99:.0f} ms；p50 是基线的 {p50 / base50:.1f} 倍"
    )
    if len(latencies) < expected:
        raise click.ClickException(f"丢了 {expected - len(latencies)} 个事件")


def _collect(arrivals: Any, sent: dict[int, float], streams: int) -> list[float]:
    """Every (case, stream) arrival's latency in ms, waiting up to 10 s for the last ones."""
    import queue

    latencies: list[float] = []
    deadline = time.time() + 10
    while len(latencies) < len(sent) * streams and time.time() < deadline:
        try:
            case_id, at = arrivals.get(timeout=0.5)
        except queue.Empty:
            continue
        if case_id in sent:
            latencies.append((at - sent[case_id]) * 1000)
    return latencies
