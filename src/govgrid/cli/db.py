"""`govgrid db upgrade`."""

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
