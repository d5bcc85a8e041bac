"""`govgrid audit verify` and `govgrid audit anchor`: the hash chains over the histories (domain.chain)."""

from __future__ import annotations

import sys
import time

import click

from govgrid.cli.context import Context, pass_context


@click.group()
def audit() -> None:
    """审计：校验历史记录的哈希链。"""


@audit.command("verify")
@pass_context
def audit_verify(obj: Context) -> None:
    """Walk every chain and anchor; name the first broken row and exit 1 if one is."""
    from govgrid.services.chain_verify import verify

    started = time.perf_counter()
    with obj.migrated_sessions()() as session:
        checks = verify(session, progress=click.echo)
    rows = sum(c.rows for c in checks)
    broken = [c for c in checks if c.broken]
    click.echo(f"共校验 {rows:,} 行，用时 {time.perf_counter() - started:.2f} 秒")
    if not broken:
        click.echo("哈希链完整：没有行被改动、删除或插入")
        return
    for check in broken:
        click.echo(f"{check.table}：{check.broken} 处断裂，首处：{check.breaks[0]}", err=True)
        for more in check.breaks[1:]:
            click.echo(f"  又：{more}", err=True)
    sys.exit(1)


@audit.command("anchor")
@pass_context
def audit_anchor(obj: Context) -> None:
    """Seal what every chain holds now (the worker does it once a day)."""
    from govgrid.services.chains import anchor

    with obj.migrated_sessions()() as session:
        made = anchor(session, now=obj.now())
    for record in made:
        click.echo(
            f"{record.table_name} {record.district_code}：封存至第 {record.upto_id} 行（{record.rows:,} 行）{record.anchor_hash[:16]}"
        )
    if not made:
        click.echo("自上次锚点以来没有新行")
