"""`govgrid db upgrade`, `govgrid db partitions`."""

from __future__ import annotations

import click

from govgrid.cli.context import Context, pass_context
from govgrid.db.engine import make_engine
from govgrid.db.migrate import current_revision, upgrade


@click.group()
def db() -> None:
    """数据库迁移。"""


@db.command("upgrade")
@pass_context
def db_upgrade(obj: Context) -> None:
    """Apply every pending migration."""
    engine = make_engine(obj.settings.database_url)
    upgrade(engine)
    click.echo(f"数据库已迁移到 {current_revision(engine)}")


@db.command("partitions")
@pass_context
def db_partitions(obj: Context) -> None:
    """PostgreSQL: make the months due of the partitioned histories (as the worker does) and list them."""
    from datetime import UTC, datetime

    from govgrid.services.partitions import ensure, listing

    engine = make_engine(obj.settings.database_url)
    if engine.dialect.name != "postgresql":
        click.echo("SQLite 不分区：按月分区只在 PostgreSQL 上。")
        return
    for name in ensure(engine, now=datetime.now(UTC)):
        click.echo(f"已建分区 {name}")
    for part in listing(engine):
        month = f"{part.month:%Y-%m}" if part.month else "默认分区"
        click.echo(f"{part.table}\t{month}\t{part.name}\t{part.rows} 行")
