"""`govgrid bench …`: speed measured against a baseline in the same run (ratios, never timed tests)."""

from __future__ import annotations

import click

from govgrid.cli.bench.api import bench_api
from govgrid.cli.bench.classify import bench_classify
from govgrid.cli.bench.dashboard import bench_dashboard
from govgrid.cli.bench.forms import bench_forms
from govgrid.cli.bench.hotspots import bench_hotspots
from govgrid.cli.bench.importing import bench_import
from govgrid.cli.bench.intake import bench_intake
from govgrid.cli.bench.ledger import bench_ledger
from govgrid.cli.bench.load import bench_load
from govgrid.cli.bench.locate import bench_locate
from govgrid.cli.bench.report import bench_report
from govgrid.cli.bench.verify import bench_verify


@click.group()
def bench() -> None:
    """性能基准：与同一次运行中测得的基线对比。"""


for command in (
    bench_locate,
    bench_intake,
    bench_api,
    bench_ledger,
    bench_report,
    bench_import,
    bench_dashboard,
    bench_classify,
    bench_hotspots,
    bench_forms,
    bench_verify,
    bench_load,
):
    bench.add_command(command)
