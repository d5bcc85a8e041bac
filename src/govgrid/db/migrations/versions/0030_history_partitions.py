"""PostgreSQL: the case history, the ledger events and the audit log partitioned by month (Beijing time) of
`at` (issue 15). Each table is rebuilt as a partitioned one with a month for every month its rows fall in and
the next three, and a default partition for anything else (the worker moves such rows into their month:
services.partitions). Its key becomes (district_code, id, at) and its chain's unique index
(…, chain_seq, at), as PostgreSQL asks of a partitioned table; the other indexes and foreign keys are made
again as they were. SQLite: nothing changes.

Revision ID: 0030
Revises: 0029
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
from sqlalchemy import text

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

BEIJING = ZoneInfo("Asia/Shanghai")
AHEAD = 3  # months made ahead of this one
# the tables as this revision partitions them: the columns of their chain
TABLES = {
    "case_transition": ("case_id",),
    "ledger_event": ("item_id",),
    "audit_event": ("entity_type", "entity_id"),
}


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _bound(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-01 00:00:00+08"


def _months(bind, table: str) -> list[tuple[int, int]]:
    found = bind.execute(
        text(
            f"SELECT DISTINCT extract(year FROM at AT TIME ZONE 'Asia/Shanghai')::int, "
            f"extract(month FROM at AT TIME ZONE 'Asia/Shanghai')::int FROM {table}"
        )
    ).all()
    now = datetime.now(UTC).astimezone(BEIJING)
    wanted, month = {(y, m) for y, m in found}, (now.year, now.month)
    for _ in range(AHEAD + 1):
        wanted.add(month)
        month = _next(*month)
    return sorted(wanted)


def _rebuild(table: str, *, monthly: bool) -> None:
    """Make `table` again, partitioned or not, with its rows, its sequence, its indexes and foreign keys."""
    bind = op.get_bind()
    indexes = bind.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :t"
        ),
        {"t": table},
    ).all()
    foreign = bind.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(:t) AND contype = 'f'"
        ),
        {"t": table},
    ).all()
    months = _months(bind, table) if monthly else []
    new = f"{table}__rebuilt"
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
    op.execute(
        f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS)"
        + (" PARTITION BY RANGE (at)" if monthly else "")
    )
    if monthly:
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {new} DEFAULT")
        for year, month in months:
            op.execute(
                f"CREATE TABLE {table}_p{year:04d}{month:02d} PARTITION OF {new} "
                f"FOR VALUES FROM ('{_bound(year, month)}') TO ('{_bound(*_next(year, month))}')"
            )
    op.execute(f"INSERT INTO {new} SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    key = "district_code, id, at" if monthly else "district_code, id"
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key})")
    chain = ", ".join(("district_code", *TABLES[table], "chain_seq"))
    for name, definition in indexes:
        if name == f"pk_{table}":
            continue
        if name in (f"uq_{table}_chain", f"uq_{table}_chain_at"):
            suffix, columns = ("_at", f"{chain}, at") if monthly else ("", chain)
            op.execute(f"CREATE UNIQUE INDEX uq_{table}_chain{suffix} ON {table} ({columns})")
        else:  # a partitioned table's index is shown made ON ONLY it
            op.execute(definition.replace(" ON ONLY ", " ON "))
    for name, definition in foreign:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        _rebuild(table, monthly=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        _rebuild(table, monthly=False)
