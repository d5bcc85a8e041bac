"""`govgrid bench verify`: `audit verify` over a million chained history rows (100,000 cases of ten steps),
against the baseline of reading the same rows in the same order without checking them, in the same run.
Synthetic rows, hashed as the writers hash them, bulk-inserted into a temporary SQLite database."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import click

from govgrid.cli.context import Context, pass_context

STEPS = ("report", "verify", "register", "dispatch", "sign", "reply", "check", "close", "visit", "archive")


def _fill(url: str, rows: int) -> None:
    import json
    import sqlite3

    from govgrid.domain.chain import GENESIS, row_hash

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    connection.execute("PRAGMA foreign_keys=OFF")  # the cases themselves are not needed to walk the chains
    start = datetime(2025, 1, 1, tzinfo=UTC)
    batch: list[tuple] = []
    prev = GENESIS
    sql = (
        "INSERT INTO case_transition (district_code, case_id, at, actor_id, actor_name, step, from_status,"
        " to_status, note, public_note, detail, chain_seq, prev_hash, row_hash) VALUES"
        f" ({', '.join('?' * 14)})"
    )
    for n in range(rows):
        case_id, seq = n // len(STEPS) + 1, n % len(STEPS) + 1
        if seq == 1:
            prev = GENESIS
        at = start + timedelta(minutes=n)
        detail = {"from": STEPS[seq - 2] if seq > 1 else None, "to": STEPS[seq - 1]}
        values = ["370102", case_id, at, None, "基准处置人", STEPS[seq - 1], detail["from"], STEPS[seq - 1]]
        values += [f"第 {seq} 步的处置意见", "", detail]
        digest = row_hash(prev, seq, values)
        stored = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        batch.append((*values[:2], stored, *values[3:10], json.dumps(detail), seq, prev, digest))
        prev = digest
        if len(batch) == 50_000:
            connection.executemany(sql, batch)
            batch.clear()
    connection.executemany(sql, batch)
    connection.commit()
    connection.close()


@click.command("verify")
@click.option("--rows", default=1_000_000, show_default=True, help="chained history rows to verify")
@pass_context
def bench_verify(obj: Context, rows: int) -> None:
    """哈希链校验：百万行历史记录的 `audit verify`，对比同一次运行中不校验地读同样的行。"""
    import tempfile

    from sqlalchemy import select

    from govgrid.db.case_models import CaseTransition
    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade
    from govgrid.services.chain_verify import verify

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/verify.db"
        engine = make_engine(url)
        upgrade(engine)
        click.echo(f"写入 {rows:,} 行合成历史记录（{rows // len(STEPS):,} 件案件，每件 {len(STEPS)} 步）…")
        _fill(url, rows)
        sessions = make_session_factory(engine)
        with sessions() as session:
            t = CaseTransition
            started = time.perf_counter()
            query = select(
                t.id, t.district_code, t.case_id, t.chain_seq, t.prev_hash, t.row_hash, t.at, t.detail
            )
            read = sum(
                1
                for _ in session.execute(
                    query.order_by(t.district_code, t.case_id, t.chain_seq).execution_options(
                        yield_per=20_000
                    )
                )
            )
            baseline = time.perf_counter() - started
            started = time.perf_counter()
            checks = verify(session)
            took = time.perf_counter() - started
        engine.dispose()
    walked = sum(c.rows for c in checks)
    broken = sum(c.broken for c in checks)
    click.echo(f"基线（按链序读出同样的 {read:,} 行，不校验）：{baseline:.2f} 秒")
    click.echo(f"audit verify：{walked:,} 行，{took:.2f} 秒（{walked / took:,.0f} 行/秒），断裂 {broken} 处")
    click.echo(f"比值：校验 / 只读 = {took / baseline:.1f}×")
    if broken or walked != rows:
        raise SystemExit(1)
