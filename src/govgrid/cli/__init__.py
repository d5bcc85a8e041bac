"""The `govgrid` command. With no subcommand it serves the app (like datasette). Every command group
lives in its own module and is added here, by name: nothing registers itself by being imported."""

from __future__ import annotations

import click

from govgrid.cli.audit import audit
from govgrid.cli.backup import backup, restore
from govgrid.cli.bench import bench
from govgrid.cli.cases import cases
from govgrid.cli.connectors import connectors
from govgrid.cli.context import Context
from govgrid.cli.db import db
from govgrid.cli.demo import demo
from govgrid.cli.forms import forms
from govgrid.cli.geo import import_geo, import_places
from govgrid.cli.get import get
from govgrid.cli.ledger import ledger
from govgrid.cli.nlp import nlp
from govgrid.cli.people import users
from govgrid.cli.report import report
from govgrid.cli.serve import serve, worker
from govgrid.cli.work_calendar import calendar


@click.group(invoke_without_command=True)
@click.version_option(package_name="govgrid")
@click.pass_context
def main(ctx: click.Context) -> None:
    """govgrid — 城市运行综合指挥平台。不带子命令时启动服务（同 `govgrid serve`）。"""
    ctx.ensure_object(Context)
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


for command in (
    serve,
    demo,
    worker,
    db,
    import_geo,
    import_places,
    get,
    cases,
    users,
    connectors,
    calendar,
    ledger,
    report,
    nlp,
    forms,
    audit,
    backup,
    restore,
    bench,
):
    main.add_command(command)
