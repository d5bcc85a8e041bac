"""Months of the partitioned histories on PostgreSQL (db.keys.PARTITIONED_BY_MONTH): the worker makes this
month and the next ones ahead, and moves any rows that fell into the default partition (a back-dated import,
a month nobody made) into a month of their own. A month runs from 00:00 Beijing time on its first day, so a
monthly report reads one partition. Each month is made in one short transaction under an advisory lock (two
workers do not race) and a lock timeout (writers are never held up for long: the next round tries again).
SQLite has no partitions: every call here is a no-op there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, text

from govgrid.db.keys import PARTITIONED_BY_MONTH

BEIJING = ZoneInfo("Asia/Shanghai")
AHEAD = 3  # months made ahead of the current one


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    month: date | None  # None: the default partition
    rows: int


def month_of(moment: datetime) -> date:
    local = moment.astimezone(BEIJING)
    return date(local.year, local.month, 1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def _bound(month: date) -> str:
    return f"{month:%Y-%m-%d} 00:00:00+08"


def _children(connection: Connection, table: str) -> set[str]:
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": table},
    )
    return {name for (name,) in rows}


def _stray_months(connection: Connection, table: str) -> set[date]:
    rows = connection.execute(
        text(
            f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'Asia/Shanghai')::date FROM {table}_default"
        )
    )
    return {month for (month,) in rows}


def _make_month(connection: Connection, table: str, month: date) -> int:
    """Make one month of `table`, moving into it the rows of that month the default partition holds."""
    name, low, high = partition_name(table, month), _bound(month), _bound(next_month(month))
    connection.execute(text("SET LOCAL lock_timeout = '5s'"))
    connection.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"govgrid:partitions:{table}"}
    )
    if name in _children(connection, table):
        return -1  # another worker made it meanwhile
    default = f"{table}_default"
    connection.execute(text(f"LOCK TABLE {default} IN EXCLUSIVE MODE"))  # no row lands there while we move
    connection.execute(text(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)"))
    where = f"at >= '{low}' AND at < '{high}'"
    moved = connection.execute(text(f"INSERT INTO {name} SELECT * FROM {default} WHERE {where}")).rowcount
    connection.execute(text(f"DELETE FROM {default} WHERE {where}"))
    connection.execute(
        text(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')")
    )
    return moved


def ensure(engine: Engine, *, now: datetime, ahead: int = AHEAD) -> list[str]:
    """Make the months missing: this one, `ahead` more, and every month rows in a default partition fall in.
    Returns the partitions made."""
    if engine.dialect.name != "postgresql":
        return []
    made: list[str] = []
    for table in PARTITIONED_BY_MONTH:
        with engine.connect() as connection:
            children = _children(connection, table)
            if f"{table}_default" not in children:
                continue  # not partitioned (a database not yet upgraded)
            wanted, month = _stray_months(connection, table), month_of(now)
            for _ in range(ahead + 1):
                wanted.add(month)
                month = next_month(month)
        for month in sorted(wanted):
            if partition_name(table, month) in children:
                continue
            with engine.begin() as connection:
                if _make_month(connection, table, month) >= 0:
                    made.append(partition_name(table, month))
    return made


def listing(engine: Engine) -> list[Partition]:
    """Every partition of the partitioned histories with its rows, months in order, the default last."""
    if engine.dialect.name != "postgresql":
        return []
    found: list[Partition] = []
    with engine.connect() as connection:
        for table in PARTITIONED_BY_MONTH:
            months = []
            for name in _children(connection, table):
                rows = connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                suffix = name.removeprefix(f"{table}_")
                month = None if suffix == "default" else date(int(suffix[1:5]), int(suffix[5:7]), 1)
                months.append(Partition(table, name, month, rows))
            found += sorted(months, key=lambda p: (p.month is None, p.month or date.min))
    return found
