"""`govgrid report metrics --from … --to … --by … --format json|table [--as USER]`: the assessment's metrics
from the console — the same answer as GET /api/v1/assessment/metrics."""

from __future__ import annotations

import json

import click

from govgrid.cli.context import Context, pass_context
from govgrid.domain.errors import DomainError


@click.group()
def report() -> None:
    """考核指标 from the console."""


@report.command("metrics")
@click.option("--from", "first", required=True, help="期间起（YYYY-MM-DD，北京时间）")
@click.option("--to", "last", required=True, help="期间止（含）")
@click.option(
    "--by",
    type=click.Choice(
        ["district", "street", "community", "grid", "department", "class", "channel", "worker"]
    ),
    default="district",
    show_default=True,
)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--as", "as_user", default=None, help="以该用户的数据范围计算（缺省：全部）")
@pass_context
def metrics(obj: Context, first: str, last: str, by: str, fmt: str, as_user: str | None) -> None:
    """Print the metrics of the period by the slice (rows, then the total)."""
    from govgrid.domain.assessment import LABELS, parse_period
    from govgrid.services.assessment.metrics import Slice
    from govgrid.services.assessment.metrics import metrics as compute

    actor = obj.actor_named(as_user) if as_user else obj.operator()
    try:
        period = parse_period(first, last)
        with obj.migrated_sessions()() as session:
            found = compute(session, actor=actor, rules=obj.catalogs.case_rules, period=period, by=Slice(by))
    except DomainError as exc:
        obj.fail(exc)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    keys = [
        "reported",
        "registered",
        "dispatched",
        "due",
        "closed",
        "closed_on_time",
        "overdue",
        "reworked",
        "supervised",
        "extended",
        "closure_rate",
        "on_time_rate",
        "rework_rate",
        "avg_handling_hours",
    ]
    click.echo("\t".join(["名称", *(LABELS[k] for k in keys)]))
    for row in [*found["rows"], {"name": "合计", **found["total"]}]:
        cells = [row["name"], *(_cell(k, row[k]) for k in keys)]
        click.echo("\t".join(cells))


def _cell(key: str, value: object) -> str:
    from govgrid.domain.assessment import RATES

    if value is None:
        return "—"
    if key in RATES and isinstance(value, float):
        return f"{value * 100:.2f}%"
    return str(value)
