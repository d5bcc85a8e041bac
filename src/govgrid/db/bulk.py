"""Writing and reading many rows through the driver itself, for the few paths where SQLAlchemy's per-row
processing costs more than the work (a ledger recompute of 50,000 tasks). The statements are still built
from the tables, values still go through each column's own bind processor, so what is stored is exactly
what the ORM stores, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session


def _mark(session: Session) -> str:
    """The driver's placeholder: sqlite3 takes ?, psycopg %s."""
    return "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"


def _binder(session: Session, table: Table, name: str) -> Callable[[Any], Any]:
    dialect = session.get_bind().dialect
    processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else (lambda value: value)


def _executemany(session: Session, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    cursor = session.connection().connection.cursor()  # the DBAPI connection of this session's transaction
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def insert_many(session: Session, model: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT the rows (values in the order of `columns`) in one executemany. Pending ORM changes are
    flushed first, so rows the ORM added (the items these rows point at) are there."""
    if not rows:
        return
    session.flush()
    table = cast(Table, model.__table__)
    binders = [_binder(session, table, name) for name in columns]
    mark = _mark(session)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    _executemany(session, sql, [tuple(bind(v) for bind, v in zip(binders, row, strict=True)) for row in rows])


def update_many(
    session: Session, model: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, key: str = "id"
) -> None:
    """UPDATE each row's `columns` (then its key, last in the row) in one executemany. For plain numbers and
    text only: no bind processing."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    mark = _mark(session)
    sets = ", ".join(f"{name} = {mark}" for name in columns)
    _executemany(session, f"UPDATE {table.name} SET {sets} WHERE {key} = {mark}", rows)


def raw_rows(session: Session, query: Any) -> list[Any]:
    """The rows as the driver returns them, skipping SQLAlchemy's per-value processing (the query is still
    SQLAlchemy's). Timestamps come back as the driver has them: read them with `Moments`."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


class Moments:
    """Reads the timestamps `raw_rows` returns as naive UTC: SQLite's driver gives the stored ISO text,
    other drivers aware values. Naive UTC lets a hot loop compare without time zones; convert back with
    `aware()` before anything leaves it."""

    def __init__(self, session: Session) -> None:
        self.is_text = session.get_bind().dialect.name == "sqlite"

    def read(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value) if self.is_text else naive_utc(value)


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)
