"""Test databases: a new SQLite file each, or — when GOVGRID_TEST_DATABASE_URL names PostgreSQL — a new
schema each in that real database (dropped afterwards). The same tests run on both engines."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from govgrid.db.engine import make_engine, normalize_url

POSTGRES_ENV = "GOVGRID_TEST_DATABASE_URL"


def postgres_base() -> str | None:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    return normalize_url(url) if url.startswith("postgres") else None


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """A URL to an empty database that is removed afterwards."""
    base = postgres_base()
    if base is None:
        yield f"sqlite:///{tmp_dir / f'govgrid-{uuid.uuid4().hex[:8]}.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
