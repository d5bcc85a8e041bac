"""`govgrid ledger import|export`: the Excel round trip from the console (audited as the operator, or as
`--as USER`, whose permissions then apply)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context
from govgrid.domain.errors import DomainError


@click.group()
def ledger() -> None:
    """督办台账：Excel/CSV 导入与导出。"""


@ledger.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_user", default=None, help="以该用户身份导入（默认：控制台管理员）")
@pass_context
def import_ledger(obj: Context, path: Path, as_user: str | None) -> None:
    """Import a ledger (.xlsx or .csv); every row is checked first, nothing is written unless all pass."""
    from govgrid.services.ledger.importing import LedgerRejected
    from govgrid.services.ledger.importing import import_ledger as run

    actor = obj.actor_named(as_user) if as_user else obj.operator()
    click.echo(f"读取 {path.name} …", err=True)
    with obj.migrated_sessions()() as session:
        try:
            result = run(
                session,
                actor=actor,
                rules=obj.catalogs.ledger_rules,
                data=path.read_bytes(),
                filename=path.name,
                now=obj.now(),
                progress=lambda message: click.echo(f"  {message}", err=True),
            )
        except LedgerRejected as exc:
            click.echo(f"台账未导入，共 {exc.total} 处问题（数据库未作任何改动）：", err=True)
            for error in exc.errors:
                click.echo(f"  {error}", err=True)
            sys.exit(2)
        except DomainError as exc:
            obj.fail(exc)
    click.echo(
        f"已导入：{'、'.join(result.campaigns)}；事项 {result.items} 个、进展 {result.reports} 条、"
        f"时间节点 {result.milestones} 个、投资计划 {result.investment_months} 个月"
    )


@ledger.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_id", type=int, default=None, help="只导出该专项行动（编号 id）")
@click.option("--light", type=click.Choice(["green", "blue", "yellow", "red", "grey"]), default=None)
@click.option("--as", "as_user", default=None, help="以该用户身份导出（只含其可见事项）")
@pass_context
def export_ledger(
    obj: Context, path: Path, campaign_id: int | None, light: str | None, as_user: str | None
) -> None:
    """Export the ledger to .xlsx (or .csv by the file's suffix), filtered like the page."""
    from govgrid.services.ledger.export import export_csv, export_xlsx
    from govgrid.services.ledger.views import LedgerFilter

    actor = obj.actor_named(as_user) if as_user else obj.operator()
    wanted = LedgerFilter(campaign_id=campaign_id, light=light)
    with obj.migrated_sessions()() as session:
        try:
            if path.suffix.lower() == ".csv":
                data = export_csv(session, actor=actor, wanted=wanted)
            else:
                data = export_xlsx(session, actor=actor, wanted=wanted, now=obj.now())
        except DomainError as exc:
            obj.fail(exc)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
    click.echo(f"已导出 {path}（{len(data):,} 字节）")


@ledger.command("draft")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True)
@pass_context
def draft_ledger(obj: Context, path: Path, fmt: str) -> None:
    """拉出单子: every quantified target or result of a work plan's text, one draft row each."""
    import json

    from govgrid.nlp.plan_targets import draft
    from govgrid.services.ledger.drafting import PlanTextError, read_plan

    try:
        records = draft(read_plan(path.read_bytes(), path.name))
    except PlanTextError as exc:
        obj.fail(str(exc))
    if fmt == "jsonl":
        for record in records:
            click.echo(json.dumps(record.as_dict(), ensure_ascii=False))
        return
    click.echo("类型\t数值\t单位\t限定\t责任主体\t时限\t行动\t原文")
    for r in records:
        kind = "目标" if r.kind == "target" else "成效"
        quote = r.quote.replace("\n", "")
        click.echo(
            f"{kind}\t{r.value:g}\t{r.unit}\t{r.qualifier or ''}\t{r.owner or ''}\t{r.deadline or ''}\t"
            f"{r.campaign or ''}\t{quote}"
        )
    click.echo(f"共 {len(records)} 条（目标 {sum(r.kind == 'target' for r in records)} 条）", err=True)
