"""`govgrid demo`: build the demo district (历下区), print its logins, optionally run the work-order
scenario, then serve it."""

from __future__ import annotations

import click

from govgrid.cli.context import Context, pass_context
from govgrid.cli.serve import serve as serve_command
from govgrid.domain.errors import DomainError


@click.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="建好后是否启动服务")
@click.option("--scenario", is_flag=True, help="运行工单闭环演示脚本（模拟时钟），打印两件案件的流转记录")
@click.option(
    "--days", type=click.IntRange(1, 3660), default=None, help="只生成最近若干天的案件（缺省：目录中的一年）"
)
@click.option("--city", is_flag=True, help="同时建市中区与市级账号（济南市：多个区县同在一个平台）")
@pass_context
@click.pass_context
def demo(
    ctx: click.Context, obj: Context, then_serve: bool, scenario: bool, days: int | None, city: bool
) -> None:
    """Build the demo district (历下区) into the database, print the demo logins, then serve it. With
    --city, 市中区 beside it and the city's 12345 center and leaders (they see both districts)."""
    from govgrid.services.demo.district import build_demo

    sessions = obj.migrated_sessions()
    with sessions() as session:
        try:
            summary = build_demo(
                session,
                catalogs=obj.catalogs,
                shared_dir=obj.settings.shared_dir,
                password=obj.settings.demo_password,
                now=obj.now(),
                progress=lambda msg: click.echo(f"  {msg}"),
                days=days,
                secret=_secret(obj),
            )
        except DomainError as exc:
            obj.fail(exc)
    state = "已存在" if summary.already_built else "已建成"
    click.echo(
        f"演示区{state}：{summary.streets} 个街道、{summary.communities} 个社区、{summary.grids} 个单元网格、"
        f"{summary.responsibility_grids} 个责任网格（街道以下为合成数据）"
    )
    if summary.ledger is not None:
        from govgrid.domain.ledger import LIGHT_LABEL, Light

        lights = "、".join(f"{LIGHT_LABEL[Light(k)]} {v}" for k, v in sorted(summary.ledger.lights.items()))
        click.echo(
            f"督办台账：{summary.ledger.campaigns} 项行动、{summary.ledger.items} 个事项、"
            f"{summary.ledger.reports} 条进展；任务预警：{lights}"
        )
    if summary.year is not None:
        _print_year(summary.year, obj)
    _message_model(obj)
    click.echo(f"演示账号（密码均为 {obj.settings.demo_password}）：")
    for login in summary.logins:
        click.echo(f"  {login['username']:<16} {login['role']:<20} {login['name']}")
    if city:
        _city(obj)
    if scenario:
        _scenario(obj)
    if then_serve:
        ctx.invoke(serve_command)


def _city(obj: Context) -> None:
    from govgrid.services.demo.city import build_city

    with obj.migrated_sessions()() as session:
        try:
            summary = build_city(
                session,
                catalogs=obj.catalogs,
                shared_dir=obj.settings.shared_dir,
                password=obj.settings.demo_password,
                now=obj.now(),
                progress=lambda msg: click.echo(f"  {msg}"),
            )
        except DomainError as exc:
            obj.fail(exc)
    added = "、".join(summary.districts) or "无（已存在）"
    click.echo(
        f"市级（{summary.city}）：新增区县 {added}（案件 {summary.cases} 件，合成数据）；市级与各区账号："
    )
    for login in summary.logins:
        click.echo(f"  {login['username']:<16} {login['role']:<20} {login['name']}")


OUTCOME_LABEL = {
    "on_time": "按期反馈",
    "late": "超期反馈",
    "reworked": "返工",
    "cancelled": "作废",
    "parked": "挂账",
    "forced": "强制结案",
    "called_back": "12345 回访",
    "extended": "延期",
}


def _message_model(obj: Context) -> None:
    """The demo's 派单建议: a model trained on the shared training file, once (kept beside the database)."""
    from govgrid.services.demo.reference import candidate_dirs
    from govgrid.services.intelligence.training import TRAINING_FILE, train_from_files
    from govgrid.settings import resolve_classifier_file

    target = resolve_classifier_file(obj.settings)
    if target.is_file():
        click.echo(f"留言分类模型已存在：{target}")
        return
    found = [
        d / TRAINING_FILE for d in candidate_dirs(obj.settings.shared_dir) if (d / TRAINING_FILE).is_file()
    ]
    if not found:
        click.echo(f"未找到 {TRAINING_FILE}：不训练留言分类模型，派单建议不显示（其余功能不受影响）")
        return
    model = train_from_files(found[:1])
    model.save(target)
    cv = model.header["cross_validation"]
    click.echo(
        f"留言分类模型已训练：{model.header['examples']} 条，交叉验证 macro-F1 {cv['macro_f1']:.3f}，写入 {target}"
    )


def _print_year(year: object, obj: Context) -> None:
    from govgrid.services.demo.year import DemoYear

    assert isinstance(year, DemoYear)
    from govgrid.domain.sources import CHANNEL_LABEL

    connectors = obj.catalogs.case_rules.connectors
    names = {
        **{c.value: label for c, label in CHANNEL_LABEL.items()},
        **{k: c.name for k, c in connectors.items()},
    }
    channels = "、".join(f"{names.get(k, k)} {v}" for k, v in sorted(year.by_channel.items()))
    outcomes = "、".join(f"{OUTCOME_LABEL.get(k, k)} {v}" for k, v in sorted(year.by_outcome.items()))
    click.echo(
        f"全年案件（合成）：{year.cases} 件，用时 {year.seconds:.1f} 秒；尚未办结 {year.still_open} 件"
    )
    click.echo(f"  按渠道：{channels}")
    click.echo(f"  按结果：{outcomes}")


def _scenario(obj: Context) -> None:
    from govgrid.services.demo.scenario import run_scenario
    from govgrid.services.geo.locate import LocatorCache

    click.echo("工单闭环演示（模拟时钟）：")
    with obj.migrated_sessions()() as session:
        run_scenario(session, catalogs=obj.catalogs, locator=LocatorCache(), say=click.echo)


def _secret(obj: Context) -> bytes:
    """The deployment's secret key (the register's digests are keyed by it), as the server will use it."""
    from govgrid.settings import resolve_secret_key

    return resolve_secret_key(obj.settings).encode()
