"""`govgrid cases import`: a case history from an incumbent system, from the console (as the operator, or
as `--as USER`, whose permissions then apply)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context
from govgrid.domain.errors import DomainError


@click.group()
def cases() -> None:
    """案件：历史案件导入。"""


@cases.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--source",
    default="import",
    show_default=True,
    help="原系统名（与案件编号一起作幂等键；用连接器 id 如 hotline12345 时，已推送的工单记为已存在）",
)
@click.option("--as", "as_user", default=None, help="以该用户身份导入（默认：控制台管理员）")
@pass_context
def import_cases(obj: Context, path: Path, source: str, as_user: str | None) -> None:
    """Import a case history (.xlsx or .csv); every row is checked first, nothing is written unless all pass."""
    from govgrid.services.cases.history_import import CasesRejected
    from govgrid.services.cases.history_import import import_cases as run
    from govgrid.services.geo.locate import LocatorCache

    actor = obj.actor_named(as_user) if as_user else obj.operator()
    click.echo(f"读取 {path.name} …", err=True)
    with obj.migrated_sessions()() as session:
        try:
            result = run(
                session,
                actor=actor,
                rules=obj.catalogs.case_rules,
                locator=LocatorCache(),
                data=path.read_bytes(),
                filename=path.name,
                now=obj.now(),
                source=source,
                progress=lambda message: click.echo(f"  {message}", err=True),
                pause_gc=True,
            )
        except CasesRejected as exc:
            click.echo(f"案件未导入，共 {exc.total} 处问题（数据库未作任何改动）：", err=True)
            for error in exc.errors:
                click.echo(f"  {error}", err=True)
            if exc.total > len(exc.errors):
                click.echo(f"  …另有 {exc.total - len(exc.errors)} 处", err=True)
            sys.exit(2)
        except DomainError as exc:
            obj.fail(exc)
    click.echo(
        f"已导入 {result.rows:,} 行：新建 {result.created:,} 件，已存在 {result.present:,} 件"
        f"（{result.seconds:.1f} 秒）"
    )
