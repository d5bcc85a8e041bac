"""`govgrid import-geo` and `govgrid import-places`: geography and gazetteer imports, all or nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context
from govgrid.domain.errors import DomainError


@click.command("import-geo")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--crs", default="gcj02", show_default=True, help="文件坐标系：gcj02 | wgs84 | bd09")
@click.option("--allow-gaps", is_flag=True, help="下级区域未铺满上级时只提示不报错")
@pass_context
def import_geo(obj: Context, path: Path, crs: str, allow_gaps: bool) -> None:
    """Import districts, streets, communities and unit grids from GeoJSON (all or nothing)."""
    from govgrid.geo.crs import parse_crs
    from govgrid.services.geo.geography import import_geojson

    sessions = obj.migrated_sessions()
    limit = obj.settings.max_geojson_mb * 1024 * 1024
    if path.stat().st_size > limit:
        click.echo(
            f"错误：{path} 超过 {obj.settings.max_geojson_mb} MB（GOVGRID_MAX_GEOJSON_MB），请分批导入",
            err=True,
        )
        sys.exit(2)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        click.echo(f"错误：{path} 不是 UTF-8 编码的 JSON（{exc}）", err=True)
        sys.exit(2)
    with sessions() as session:
        try:
            summary = import_geojson(
                session,
                actor=obj.operator(),
                doc=doc,
                crs=parse_crs(crs),
                now=obj.now(),
                allow_gaps=allow_gaps,
            )
        except DomainError as exc:
            obj.fail(exc)
    click.echo(f"导入完成：{summary}")


@click.command("import-places")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--crs", default="gcj02", show_default=True, help="坐标系：gcj02 | wgs84 | bd09")
@pass_context
def import_places(obj: Context, path: Path, crs: str) -> None:
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
            added = add_places(
                session, actor=obj.operator(), locator=LocatorCache(), places=places, now=obj.now()
            )
        except DomainError as exc:
            obj.fail(exc)
    click.echo(f"导入地名 {added} 条")
