"""`govgrid backup FILE` and `govgrid restore FILE`: the database with its photos and evidence files."""

from __future__ import annotations

from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context
from govgrid.domain.errors import DomainError


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def backup(obj: Context, target: Path) -> None:
    """备份数据库及照片、证明材料到一个文件（服务运行中也可执行）。"""
    from govgrid.services.backup import backup as take
    from govgrid.settings import resolve_media_dir

    obj.migrated_sessions()
    try:
        media = resolve_media_dir(obj.settings)
    except ValueError:
        media = None
    try:
        manifest = take(obj.settings.database_url, media, target, now=obj.now(), say=click.echo)
    except DomainError as exc:
        obj.fail(exc)
    size = target.stat().st_size
    click.echo(f"备份完成：{target}（{size / 1e6:,.1f} MB，架构版本 {manifest.revision}）")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def restore(obj: Context, source: Path) -> None:
    """从备份文件恢复到一个空数据库（GOVGRID_DATABASE_URL）和照片目录。"""
    from govgrid.db.engine import make_engine
    from govgrid.db.migrate import current_revision, upgrade
    from govgrid.services.backup import restore as put_back
    from govgrid.settings import resolve_media_dir

    try:
        media = resolve_media_dir(obj.settings)
    except ValueError:
        media = None
    try:
        put_back(source, obj.settings.database_url, media, say=click.echo)
    except DomainError as exc:
        obj.fail(exc)
    engine = make_engine(obj.settings.database_url)
    upgrade(engine)  # a backup of an older revision is brought up to this one
    click.echo(f"数据库架构版本：{current_revision(engine)}")
    engine.dispose()
