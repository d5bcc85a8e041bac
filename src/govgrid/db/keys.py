"""District-keyed tables: every large table (cases and their history, photos and links, ledger items and all
that hangs off them, the audit log, import batches) carries the district code it belongs to, and its
primary key, unique constraints and foreign keys include it — the shape a schema sharded by district
(Citus: distributed by district_code) needs, so several districts can share one deployment.

On PostgreSQL the primary key is (district_code, id), id drawn from the table's own sequence. SQLite cannot
number rows of a composite key, and the embedded engine is never sharded: there the key is the row id and
a unique (district_code, id) is what the composite foreign keys point at. The ORM identifies rows by id
alone on both engines (ids are unique in a table), so `session.get(Case, id)` reads the same everywhere."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Sequence,
    String,
    UniqueConstraint,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column

DISTRICT_KEYED = "district_keyed"  # Table.info marker
SQLITE_ONLY = "sqlite_only"  # Constraint.info marker: created on SQLite only


def district_column() -> Mapped[str]:
    return mapped_column(String(6), primary_key=True)


def id_column(table: str) -> Mapped[int]:
    return mapped_column(Integer, Sequence(f"{table}_id_seq"), primary_key=True)


def district_args(table: str, *items: Any) -> tuple[Any, ...]:
    """__table_args__ of a district-keyed table: its own constraints, the SQLite stand-in for the key."""
    sqlite_key = UniqueConstraint(
        "district_code", "id", name=f"uq_{table}_district_id", info={SQLITE_ONLY: True}
    )
    return (*items, sqlite_key.ddl_if(dialect="sqlite"), {"info": {DISTRICT_KEYED: True}})


def district_fk(columns: str, target: str, name: str, **kw: Any) -> ForeignKeyConstraint:
    """A foreign key to a district-keyed table: ("item_id", "ledger_item") → (district_code, item_id)
    references ledger_item (district_code, id)."""
    return ForeignKeyConstraint(
        ["district_code", columns], [f"{target}.district_code", f"{target}.id"], name=name, **kw
    )


MAPPER_ARGS = {"primary_key": ["id"]}


class Chained:
    """A row of a hash-chained history (domain.chain): its place in its chain, the hash of the row before
    and its own, all set by services.chains.link as the row is written."""

    chain_seq: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    row_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


def chain_index(table: str, *key: str) -> Index:
    """One row per place in a chain: two writers that read the same head cannot both append to it."""
    return Index(f"uq_{table}_chain", "district_code", *key, "chain_seq", unique=True)


@compiles(PrimaryKeyConstraint, "sqlite")
def _sqlite_primary_key(constraint: PrimaryKeyConstraint, compiler: Any, **kw: Any) -> str:
    """On SQLite a district-keyed table's key is its row id (INTEGER PRIMARY KEY numbers new rows)."""
    table = constraint.table
    if table is not None and table.info.get(DISTRICT_KEYED):
        name = f"CONSTRAINT {compiler.preparer.format_constraint(constraint)} " if constraint.name else ""
        return f"{name}PRIMARY KEY (id)"
    return str(compiler.visit_primary_key_constraint(constraint, **kw))


def include_object_on(dialect: str) -> Any:
    """Alembic's include_object for a dialect: a constraint made on SQLite only is not missing elsewhere."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        is_sqlite_only = type_ == "unique_constraint" and bool(getattr(obj, "info", {}).get(SQLITE_ONLY))
        return dialect == "sqlite" or not is_sqlite_only

    return include
