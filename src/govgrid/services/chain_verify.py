"""`govgrid audit verify`: walk every hash chain (domain.chain) and every daily anchor, and name the first
broken row — one altered, deleted or inserted behind the application's back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import ChainAnchor
from govgrid.domain.chain import GENESIS, Break, anchor_hash, canonical, check_link
from govgrid.services.audit_retention import pruned_upto
from govgrid.services.chains import SPECS, range_hashes

KEEP = 10  # breaks kept per table; the count goes on


@dataclass
class TableCheck:
    table: str
    rows: int = 0
    chains: int = 0
    anchors: int = 0
    broken: int = 0
    pruned: int = 0  # anchors over audit rows removed after their retention period
    seconds: float = 0.0
    breaks: list[Break] = field(default_factory=list)

    def add(self, found: Break) -> None:
        self.broken += 1
        if len(self.breaks) < KEEP:
            self.breaks.append(found)


def verify(session: Session, *, progress: Callable[[str], None] = lambda _: None) -> list[TableCheck]:
    """Every chained table, then its anchors. Reads only; one pass in chain order per table."""
    checks = []
    for model, spec in SPECS.items():
        started = time.perf_counter()
        check = TableCheck(spec.table)
        _walk(session, model, check)
        _anchors(session, model, check)
        check.seconds = time.perf_counter() - started
        progress(
            f"  {spec.table}: {check.rows:,} 行、{check.chains:,} 条链、{check.anchors} 个锚点，{check.seconds:.2f} 秒"
        )
        checks.append(check)
    return checks


def _walk(session: Session, model: Any, check: TableCheck) -> None:
    """The table in chain order, read through the driver: each value as stored (the JSON as its text, a
    time as UTC text), so a row is hashed without being parsed."""
    spec = SPECS[model]
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    keys = ", ".join(("district_code", *spec.key))
    hashed = ", ".join(
        f"CAST({name} AS TEXT)" if postgres and name == "detail" else name for name in spec.hashed
    )
    sql = f"SELECT id, {keys}, chain_seq, prev_hash, row_hash, {hashed} FROM {spec.table} ORDER BY {keys}, chain_seq"
    width = 1 + len(spec.key)  # a row: id, the chain's key, seq, prev, hash, then the hashed values
    times = [i for i, name in enumerate(spec.hashed) if name == "at"]
    chain: tuple[Any, ...] | None = None
    last, name = (0, GENESIS), ""
    result = connection.exec_driver_sql(sql, execution_options={"stream_results": True})
    for rows in result.partitions(20_000):
        for row in rows:
            here = tuple(row[1 : 1 + width])
            if here != chain:
                chain, last = here, (0, GENESIS)
                name = "/".join(str(part) for part in here)
                check.chains += 1
            seq, prev, stored = row[1 + width], row[2 + width], row[3 + width]
            values = list(row[4 + width :])
            for i in times:
                values[i] = _utc_text(values[i])
            found = check_link(spec, row[0], name, seq, prev, stored, values, last)
            if found is not None:
                check.add(found)
            last = (seq, stored)
            check.rows += 1


def _utc_text(value: Any) -> Any:
    """A stored time as the hash sees it: SQLite's text (UTC, to the microsecond), PostgreSQL's datetime."""
    if isinstance(value, str) and len(value) == 26 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}Z"
    return canonical(value)


def _anchors(session: Session, model: Any, check: TableCheck) -> None:
    spec = SPECS[model]
    anchors = session.scalars(
        select(ChainAnchor)
        .where(ChainAnchor.table_name == spec.table)
        .order_by(ChainAnchor.district_code, ChainAnchor.upto_id)
    ).all()
    prev: dict[str, tuple[str, int]] = {}
    for record in anchors:
        check.anchors += 1
        before, since = prev.get(record.district_code, (GENESIS, 0))
        name = f"{spec.table}/{record.district_code}"
        if record.prev_hash != before:
            check.add(Break("chain_anchor", record.id, name, "锚点与前一锚点不相连（锚点被删除或改动）"))
        prev[record.district_code] = (record.anchor_hash, record.upto_id)
        if spec.table == "audit_event" and record.upto_id <= pruned_upto(session, record.district_code):
            check.pruned += 1  # its range lost rows to the retention period: sealed, no longer recomputed
            continue
        hashes = list(range_hashes(session, model, record.district_code, since, record.upto_id))
        made = anchor_hash(record.prev_hash, spec.table, record.district_code, record.upto_id, hashes)
        if made != record.anchor_hash or len(hashes) != record.rows:
            reason = f"锚点封存 {record.rows} 行，现有 {len(hashes)} 行：其范围内的行被删除、插入或改动"
            check.add(Break("chain_anchor", record.id, name, reason))
