"""`govgrid forms …`: 一表通 from the console — the registry and the templates, and how much of the forms
is collected once (`forms stats`)."""

from __future__ import annotations

import json

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
