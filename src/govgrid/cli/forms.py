"""`govgrid forms …`: 一表通 from the console — the registry and the templates, and how much of the forms
is collected once (`forms stats`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context


@click.group()
def forms() -> None:
    """一表通：基础台账字段登记簿与报表模板。"""


@forms.command("stats")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@pass_context
def stats(obj: Context, fmt: str) -> None:
    """How the templates are composed: templates, columns, registry fields used, and the share of columns
    that are a registry field at least two templates use (shared_share)."""
    from govgrid.catalog import CatalogError, CatalogSource
    from govgrid.catalog.form_catalog import load_form_catalog
    from govgrid.domain.forms import FREQUENCY_LABEL

    try:
        catalog = load_form_catalog(CatalogSource(obj.settings.catalog_dir))
    except CatalogError as exc:
        obj.fail(str(exc))
    found = catalog.stats()
    if fmt == "json":
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False))
        return
    uses = catalog.uses()
    click.echo("报表\t部门\t频次\t字段\t登记字段\t其中共用\t本表字段")
    for t in catalog.templates.values():
        shared = sum(uses[c] >= 2 for c in t.fields)
        click.echo(
            f"{t.name}\t{t.department}\t{FREQUENCY_LABEL[t.frequency]}\t{t.width}\t{len(t.fields)}\t{shared}\t{len(t.local)}"
        )
    click.echo(
        f"共 {found.templates} 张表、{found.fields} 个字段，用到登记字段 {found.registry_fields} 个；"
        f"共用字段（至少两张表使用的登记字段）占 {found.shared_share:.1%}"
    )


@forms.command("check")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@pass_context
def check(obj: Context, sheet: Path) -> None:
    """报表准入: a department's proposed form (.xlsx or .csv, its header row found under any title rows)
    against the registry — each column registered (reuse the field) or new."""
    from govgrid.catalog import CatalogError, CatalogSource
    from govgrid.catalog.form_catalog import load_form_catalog
    from govgrid.domain.errors import InvalidInput
    from govgrid.services.forms.admission import headers_of

    try:
        catalog = load_form_catalog(CatalogSource(obj.settings.catalog_dir))
        headers = headers_of(sheet.read_bytes(), sheet.name)
    except (CatalogError, InvalidInput) as exc:
        obj.fail(str(exc))
    found = catalog.admission(headers)
    for header, code in found.registered:
        click.echo(f"已登记\t{header}\t→ {code}（{catalog.registry[code].name}）")
    for header in found.new:
        click.echo(f"新字段\t{header}")
    total = len(found.registered) + len(found.new)
    click.echo(
        f"{total} 个字段中 {len(found.registered)} 个已在登记簿中（{found.share:.0%}），请直接复用登记字段；"
        f"新字段 {len(found.new)} 个需经准入审核"
    )


@forms.command("layout")
@click.argument("form")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@pass_context
def layout(obj: Context, form: str, output: Path) -> None:
    """A form's layout workbook (its department's sheet: title, header, each column named gg_<field>), for
    a department to adjust and put in GOVGRID_CATALOG_DIR/form_layouts/<form>.xlsx."""
    from govgrid.catalog import CatalogError, CatalogSource
    from govgrid.catalog.form_catalog import load_form_catalog
    from govgrid.domain.errors import InvalidInput
    from govgrid.excel.form_sheet import read_layout
    from govgrid.services.forms.sheets import layout_of

    try:
        source = CatalogSource(obj.settings.catalog_dir)
        catalog = load_form_catalog(source)
        template = catalog.templates.get(form)
        if template is None:
            obj.fail(f"表单“{form}”不存在（可选：{'、'.join(catalog.templates)}）")
        data = layout_of(source, catalog, template)
        found = read_layout(data, catalog.columns(template))
    except (CatalogError, InvalidInput) as exc:
        obj.fail(str(exc))
    output.write_bytes(data)
    named = len([c for c in found.columns if c != "seq"])
    click.echo(
        f"{template.name}：{output}（表头在第 {found.header_row} 行，已命名 {named}/{template.width} 列）"
    )
