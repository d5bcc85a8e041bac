"""The `govgrid` command. With no subcommand it serves the app (like datasette)."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from govgrid.db.engine import make_engine, make_session_factory
from govgrid.db.migrate import current_revision, upgrade
from govgrid.domain.errors import DomainError
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.settings import Settings, load_settings


def _now() -> datetime:
    return datetime.now(UTC)


def _operator() -> Actor:
    """The person at the console: trusted as an administrator, audited under their OS name."""
    return Actor(user_id=None, username=f"cli:{getpass.getuser()}", role=Role.ADMIN)


def _fail(exc: DomainError) -> None:
    click.echo(f"错误：{exc.message}", err=True)
    sys.exit(2)


class _Context:
    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def migrated_sessions(self):
        engine = make_engine(self.settings.database_url)
        upgrade(engine)
        return make_session_factory(engine)


pass_ctx = click.make_pass_decorator(_Context, ensure=True)


@click.group(invoke_without_command=True)
@click.version_option(package_name="govgrid")
@click.pass_context
def main(ctx: click.Context) -> None:
    """govgrid — 城市运行综合指挥平台。不带子命令时启动服务（同 `govgrid serve`）。"""
    ctx.ensure_object(_Context)
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@click.option("--host", default=None, help="监听地址（默认取 GOVGRID_HOST，127.0.0.1）")
@click.option("--port", default=None, type=int, help="端口（默认取 GOVGRID_PORT，8000）")
@pass_ctx
def serve(obj: _Context, host: str | None, port: int | None) -> None:
    """Migrate the database to the newest schema, then serve the app."""
    import uvicorn

    from govgrid.web.app import create_app

    sessions = obj.migrated_sessions()
    settings = obj.settings
    if settings.embedded_worker:
        _embedded_worker(sessions, interval=5, notify_urls=settings.notify_urls)
    click.echo(
        f"govgrid 服务地址：http://{host or settings.host}:{port or settings.port}/  数据库：{settings.database_url}"
    )
    # proxy_headers off: the client's address is decided by GOVGRID_TRUSTED_PROXIES (web/deps.client_address)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info",
                proxy_headers=False)  # fmt: skip


@main.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="建好后是否启动服务")
@click.option("--scenario", is_flag=True, help="运行工单闭环演示脚本（模拟时钟），打印两件案件的流转记录")
@pass_ctx
@click.pass_context
def demo(ctx: click.Context, obj: _Context, then_serve: bool, scenario: bool) -> None:
    """Build the demo district (历下区) into the database, print the demo logins, then serve it."""
    from govgrid.services.demo.district import build_demo

    sessions = obj.migrated_sessions()
    with sessions() as session:
        try:
            summary = build_demo(session, shared_dir=obj.settings.shared_dir, password=obj.settings.demo_password,
                                 now=_now(), progress=lambda msg: click.echo(f"  {msg}"))  # fmt: skip
        except DomainError as exc:
            _fail(exc)
    state = "已存在" if summary.already_built else "已建成"
    click.echo(f"演示区{state}：{summary.streets} 个街道、{summary.communities} 个社区、{summary.grids} 个单元网格、"
               f"{summary.responsibility_grids} 个责任网格（街道以下为合成数据）")  # fmt: skip
    if summary.ledger is not None:
        from govgrid.domain.ledger import LIGHT_LABEL, Light

        lights = "、".join(f"{LIGHT_LABEL[Light(k)]} {v}" for k, v in sorted(summary.ledger.lights.items()))
        click.echo(f"督办台账：{summary.ledger.campaigns} 项行动、{summary.ledger.items} 个事项、"
                   f"{summary.ledger.reports} 条进展；任务预警：{lights}")  # fmt: skip
    click.echo(f"演示账号（密码均为 {obj.settings.demo_password}）：")
    for login in summary.logins:
        click.echo(f"  {login['username']:<16} {login['role']:<20} {login['name']}")
    if scenario:
        _scenario(sessions)
    if then_serve:
        ctx.invoke(serve)


def _scenario(sessions) -> None:
    from govgrid.services.cases.rules import shipped_rules
    from govgrid.services.demo.scenario import run_scenario
    from govgrid.services.geo.locate import LocatorCache

    click.echo("工单闭环演示（模拟时钟）：")
    with sessions() as session:
        run_scenario(session, rules=shipped_rules(), locator=LocatorCache(), say=click.echo)


@main.group()
def db() -> None:
    """数据库迁移。"""


@db.command("upgrade")
@pass_ctx
def db_upgrade(obj: _Context) -> None:
    """Apply every pending migration."""
    engine = make_engine(obj.settings.database_url)
    upgrade(engine)
    click.echo(f"数据库已迁移到 {current_revision(engine)}")


@main.command("import-geo")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--crs", default="gcj02", show_default=True, help="文件坐标系：gcj02 | wgs84 | bd09")
@click.option("--allow-gaps", is_flag=True, help="下级区域未铺满上级时只提示不报错")
@pass_ctx
def import_geo(obj: _Context, path: Path, crs: str, allow_gaps: bool) -> None:
    """Import districts, streets, communities and unit grids from GeoJSON (all or nothing)."""
    from govgrid.geo.crs import parse_crs
    from govgrid.services.geo.geography import import_geojson

    sessions = obj.migrated_sessions()
    limit = obj.settings.max_geojson_mb * 1024 * 1024
    if path.stat().st_size > limit:
        click.echo(f"错误：{path} 超过 {obj.settings.max_geojson_mb} MB（GOVGRID_MAX_GEOJSON_MB），请分批导入", err=True)
        sys.exit(2)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        click.echo(f"错误：{path} 不是 UTF-8 编码的 JSON（{exc}）", err=True)
        sys.exit(2)
    with sessions() as session:
        try:
            summary = import_geojson(session, actor=_operator(), doc=doc, crs=parse_crs(crs), now=_now(),
                                     allow_gaps=allow_gaps)  # fmt: skip
        except DomainError as exc:
            _fail(exc)
    click.echo(f"导入完成：{summary}")


@main.command()
@click.argument("path")
@click.option("--as", "as_user", default=None, help="以该用户身份请求（进程内，不需要密码）")
@pass_ctx
def get(obj: _Context, path: str, as_user: str | None) -> None:
    """Perform one in-process HTTP GET against the app; print the body; exit 1 on a non-2xx status."""
    from fastapi.testclient import TestClient

    from govgrid.web.app import create_app
    from govgrid.web.deps import get_actor

    obj.migrated_sessions()
    app = create_app(obj.settings)
    if as_user:
        actor = _actor_named(obj, as_user)
        app.dependency_overrides[get_actor] = lambda: actor
    with TestClient(app) as client:
        response = client.get(path)
    click.echo(response.text)
    if not 200 <= response.status_code < 300:
        click.echo(f"HTTP {response.status_code}", err=True)
        sys.exit(1)


def _actor_named(obj: _Context, username: str) -> Actor:
    from sqlalchemy import select

    from govgrid.db.models import User
    from govgrid.services.people.accounts import actor_for

    with obj.migrated_sessions()() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            click.echo(f"错误：用户“{username}”不存在", err=True)
            sys.exit(2)
        return actor_for(user)


from govgrid import cli_bench_ledger  # noqa: E402,F401  (registers `bench ledger`)
from govgrid.cli_bench import bench  # noqa: E402
from govgrid.cli_calendar import calendar  # noqa: E402
from govgrid.cli_connectors import connectors  # noqa: E402
from govgrid.cli_ledger import ledger  # noqa: E402
from govgrid.cli_people import users  # noqa: E402

main.add_command(users)
main.add_command(ledger)
main.add_command(bench)
main.add_command(calendar)
main.add_command(connectors)


def worker_round(sessions, rules, policy, notify_urls: str = "") -> tuple[int, int]:
    """One round of background work: sweep case deadlines, link new cases to possible repeats, push
    escalations, recompute ledger lights and climb the ledger ladder."""
    from govgrid.services.cases.notify import notify_pending
    from govgrid.services.cases.similar import link_pending
    from govgrid.services.cases.sweeper import sweep
    from govgrid.services.import_batches import drop_abandoned_once
    from govgrid.services.ledger.items import recompute, shipped_ledger_rules
    from govgrid.services.ledger.ladder import escalate_due
    from govgrid.services.work_calendar import CalendarSync

    ledger_rules = shipped_ledger_rules(rules.calendar)
    with sessions() as session:
        CalendarSync(rules.calendar).refresh(session, force=True)  # a year entered meanwhile counts now
        applied = sweep(session, rules=rules, policy=policy, now=_now())
        linked = link_pending(session, now=_now())
        notify_pending(session, urls=notify_urls.split())
        recompute(session, rules=ledger_rules, now=_now())
        applied += escalate_due(session, rules=ledger_rules, now=_now())
        while drop_abandoned_once(session, now=_now()):  # an import a crash left half-staged
            pass
    return applied, linked


def _embedded_worker(sessions, interval: float, notify_urls: str) -> None:
    """The background work inside `govgrid serve` (the embedded default needs no second process)."""
    import threading
    import time

    from govgrid.services.cases.rules import shipped_rules
    from govgrid.services.cases.sweeper import shipped_policy

    def loop() -> None:
        rules, policy = shipped_rules(), shipped_policy()
        while True:
            try:
                worker_round(sessions, rules, policy, notify_urls)
            except Exception as exc:  # keep serving; the next round tries again
                click.echo(f"后台任务出错：{exc}", err=True)
            time.sleep(interval)

    threading.Thread(target=loop, name="govgrid-worker", daemon=True).start()


@main.command()
@click.option("--once", is_flag=True, help="扫描一轮后退出")
@click.option("--interval", default=60, show_default=True, help="两轮扫描间隔（秒）")
@pass_ctx
def worker(obj: _Context, once: bool, interval: int) -> None:
    """The supervision sweeper: 预警, 超期, 催办, 督办 (safe to run several copies)."""
    import time

    from govgrid.services.cases.rules import shipped_rules
    from govgrid.services.cases.sweeper import shipped_policy

    sessions = obj.migrated_sessions()
    rules, policy = shipped_rules(), shipped_policy()
    while True:
        applied, linked = worker_round(sessions, rules, policy, obj.settings.notify_urls)
        if applied or linked:
            click.echo(f"{_now():%Y-%m-%d %H:%M:%S} 督办扫描：处理 {applied} 项；相似案件检查 {linked} 件")
        if once:
            return
        time.sleep(interval)


@main.command("import-places")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--crs", default="gcj02", show_default=True, help="坐标系：gcj02 | wgs84 | bd09")
@pass_ctx
def import_places(obj: _Context, path: Path, crs: str) -> None:
    """Import gazetteer places from a UTF-8 CSV with columns 名称,类型,经度,纬度 (all or nothing)."""
    import csv

    from govgrid.geo.crs import parse_crs, to_stored
    from govgrid.services.geo.gazetteer import add_places
    from govgrid.services.geo.locate import LocatorCache

    sessions = obj.migrated_sessions()
    places = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    lng, lat = to_stored(float(row["经度"]), float(row["纬度"]), parse_crs(crs))
                except (KeyError, TypeError, ValueError):
                    click.echo(f"错误：第 {number} 行 经度/纬度 缺失或不是数字：{row}", err=True)
                    sys.exit(2)
                except DomainError as exc:
                    click.echo(f"错误：第 {number} 行：{exc.message}", err=True)
                    sys.exit(2)
                places.append(
                    ((row.get("名称") or "").strip(), (row.get("类型") or "place").strip(), lng, lat)
                )
    except UnicodeDecodeError as exc:
        click.echo(f"错误：{path} 不是 UTF-8 编码（{exc}）", err=True)
        sys.exit(2)
    with sessions() as session:
        try:
            added = add_places(session, actor=_operator(), locator=LocatorCache(), places=places, now=_now())
        except DomainError as exc:
            _fail(exc)
    click.echo(f"导入地名 {added} 条")
