"""`govgrid bench intake`: cases per second through the full bulk intake against raw inserts of the same rows."""

from __future__ import annotations

import time
import uuid

import click
import numpy as np

from govgrid.cli.bench import common
from govgrid.cli.context import Context, pass_context


@click.command("intake")
@click.option("--cases", "count", default=200_000, show_default=True, help="受理的案件数")
@click.option("--batch", default=5_000, show_default=True, help="每个事务的案件数（批量模式）")
@click.option("--seed", default=1, show_default=True)
@pass_context
def bench_intake(obj: Context, count: int, batch: int, seed: int) -> None:
    """Cases/s through the full intake service vs. raw inserts of the same rows, same engine, same run."""
    import tempfile

    from sqlalchemy import insert

    from govgrid.db.case_models import Case
    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.cases.bulk import report_batch
    from govgrid.services.cases.history import history_row, record_histories
    from govgrid.services.cases.intake import Place, Report, case_row
    from govgrid.services.geo.locate import LocatorCache

    areas, grids = common.geography_rows(obj)
    rules = obj.catalogs.case_rules
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(grids), count)
    classes = sorted(rules.classes)
    kinds = rng.integers(0, len(classes), count)
    reports = [
        Report(
            channel="phone",
            class_code=classes[k],
            title=f"市民反映问题 {i}",
            description="小区门口垃圾堆放多日无人清理，影响出行。",
            external_id=str(uuid.UUID(int=i + 1)),
            lng=grids[g]["center_lng"],
            lat=grids[g]["center_lat"],
        )
        for i, (g, k) in enumerate(zip(picks, kinds, strict=True))
    ]
    from datetime import UTC, datetime

    now = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        full = common.bench_database(folder, "full", areas, grids)
        raw = common.bench_database(folder, "raw", areas, grids)
        click.echo(f"单元网格 {len(grids)} 个；案件 {count:,} 件，每批 {batch:,} 件；SQLite 临时库")
        locator = LocatorCache()
        with full() as session:
            locator.get(session)  # the index is built once per geography revision, as in the server
            started = time.perf_counter()
            created = 0
            for i in range(0, count, batch):
                result = report_batch(
                    session,
                    actor=SYSTEM,
                    rules=rules,
                    locator=locator,
                    reports=reports[i : i + batch],
                    now=now,
                )
                created += result.created
                if (i // batch) % 10 == 0:
                    click.echo(f"  受理进度 {i + len(reports[i : i + batch]):,}/{count:,}", err=True)
            full_rate = created / (time.perf_counter() - started)
        rows = [  # the same columns intake writes, without its checks and its locating
            case_row(
                rules,
                SYSTEM,
                r,
                Place(grids[g]["code"], r.lng, r.lat, grids[g]["code"]),
                source="system",
                key=r.external_id,
                now=now,
            )
            for r, g in zip(reports, picks, strict=True)
        ]
        with raw() as session:
            started = time.perf_counter()
            for i in range(0, count, batch):
                chunk = rows[i : i + batch]
                ids = session.scalars(insert(Case).returning(Case.id), chunk).all()
                record_histories(
                    session,
                    [
                        history_row(
                            case_id,
                            row["district_code"],
                            actor=SYSTEM,
                            step="report",
                            from_status=None,
                            to_status=row["status"],
                            at=now,
                            note=row["title"],
                        )
                        for case_id, row in zip(ids, chunk, strict=True)
                    ],
                )
                session.commit()
            raw_rate = count / (time.perf_counter() - started)
    click.echo(
        f"完整受理（校验、网格定位、分类、派遣规则、流转记录）：{full_rate:,.0f} 件/秒（成功 {created:,} 件）"
    )
    click.echo(f"同样数据直接插入：{raw_rate:,.0f} 件/秒")
    click.echo(
        f"直接插入 / 完整受理 = {raw_rate / full_rate:.2f}×（目标 ≤ 5×）；"
        f"完整受理目标 ≥ 3,000 件/秒：{'达到' if full_rate >= 3000 else '未达到'}"
    )
    if created != count:
        raise SystemExit(1)
