"""Engine and session factory. SQLite gets WAL, foreign keys and a busy timeout on every connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, transactional_ddl: bool = False, **kwargs: Any) -> Engine:
    """An engine for `url`. `transactional_ddl` (SQLite, for migrations): SQLAlchemy emits BEGIN itself,
    so schema changes are one transaction — the sqlite3 driver would otherwise commit around DDL."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if transactional_ddl:
            event.listen(engine, "connect", _sqlite_manual_transactions)
            event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on `engine`; `read_only` ones (a streaming replica's) carry it in `Session.info`, so a
    reader that would also write (the rollups' catch-up before the metrics) leaves that to the primary."""
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"read_only": read_only})
    event.listen(factory, "before_flush", _no_control_characters)
    return factory


def _no_control_characters(session: Session, _context: Any, _instances: Any) -> None:
    """The last guard before the database: no text column receives a control character (PostgreSQL cannot
    store NUL; no form produces one). Services check text first and name the field; this names the column."""
    from govgrid.domain.text import check_chars

    for obj in (*session.new, *session.dirty):
        for key, value in vars(obj).items():
            if isinstance(value, str) and not key.startswith("_"):
                check_chars(value, key)


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver stops opening/committing transactions itself


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")
