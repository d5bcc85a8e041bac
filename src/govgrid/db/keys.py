"""District-keyed tables: every large table (cases and their history, photos and links, ledger items and all
that hangs off them, the audit log, import batches) carries the district code it belongs to, and its
primary key, unique constraints and foreign keys include it — the shape a schema sharded by district
(Citus: distributed by district_code) needs, so several districts can share one deployment.

On PostgreSQL the primary key is (district_code, id), id drawn from the table's own sequence. SQLite cannot
number rows of a composite key, and the embedded engine is never sharded: there the key is the row id and
a unique (district_code, id) is what the composite foreign keys point at. The ORM identifies rows by id
alone on both engines (ids are unique in a table), so `session.get(Case, id)` reads the same everywhere."""

from __future__ import annotations

import re
from datetime import datetime
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

from govgrid.db.types import UtcDateTime

DISTRICT_KEYED = "district_keyed"  # Table.info marker
SQLITE_ONLY = "sqlite_only"  # Constraint.info marker: created on SQLite only
POSTGRES_ONLY = "postgres_only"  # Index.info marker: created on PostgreSQL only

# The append-only histories that PostgreSQL partitions by month (Beijing time) of their `at`: the partition
# key joins their primary key and their chain's unique index there (services.partitions makes the months)
PARTITIONED_BY_MONTH = ("case_transition", "ledger_event", "audit_event")
PARTITION_NAME = re.compile(rf"^({'|'.join(PARTITIONED_BY_MONTH)})_(p\d{{6}}|default)$")


def district_column() -> Mapped[str]:
    return mapped_column(String(6), primary_key=True)


def id_column(table: str) -> Mapped[int]:
    return mapped_column(Integer, Sequence(f"{table}_id_seq"), primary_key=True)


def month_column() -> Mapped[datetime]:
    """`at` of a history partitioned by month: on PostgreSQL part of the key (district_code, id, at); the ORM
    still names a row by its id alone (MAPPER_ARGS)."""
    return mapped_column(UtcDateTime(), primary_key=True, index=True)


def district_args(table: str, *items: Any) -> tuple[Any, ...]:
    """__table_args__ of a district-keyed table: its own constraints, the SQLite stand-in for the key."""
    sqlite_key = UniqueConstraint(
        "district_code", "id", name=f"uq_{table}_district_id", info={SQLITE_ONLY: True}
    )
    options: dict[str, Any] = {"info": {DISTRICT_KEYED: True}}
    if table in PARTITIONED_BY_MONTH:
        options["postgresql_partition_by"] = "RANGE (at)"
    return (*items, sqlite_key.ddl_if(dialect="sqlite"), options)


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


def month_chain_indexes(table: str, *key: str) -> tuple[Index, Index]:
    """The chain's index on a table partitioned by month: PostgreSQL's unique indexes on a partitioned table
    must hold its partition key, so there it is (…, chain_seq, at) and the advisory lock services.chains.link
    takes on the chain is what keeps two writers off one place; SQLite keeps the stricter index."""
    strict = Index(
        f"uq_{table}_chain", "district_code", *key, "chain_seq", unique=True, info={SQLITE_ONLY: True}
    )
    monthly = Index(
        f"uq_{table}_chain_at",
        "district_code",
        *key,
        "chain_seq",
        "at",
        unique=True,
        info={POSTGRES_ONLY: True},
    )
    return strict.ddl_if(dialect="sqlite"), monthly.ddl_if(dialect="postgresql")


@compiles(PrimaryKeyConstraint, "sqlite")
def _sqlite_primary_key(constraint: PrimaryKeyConstraint, compiler: Any, **kw: Any) -> str:
    """On SQLite a district-keyed table's key is its row id (INTEGER PRIMARY KEY numbers new rows)."""
    table = constraint.table
    if table is not None and table.info.get(DISTRICT_KEYED):
        name = f"CONSTRAINT {compiler.preparer.format_constraint(constraint)} " if constraint.name else ""
        return f"{name}PRIMARY KEY (id)"
    return str(compiler.visit_primary_key_constraint(constraint, **kw))


def include_object_on(dialect: str) -> Any:
    """Alembic's include_object for a dialect: a constraint or index made on one engine only is not missing on
    the other, and the months of a partitioned table are not tables the models lack."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and reflected and name and PARTITION_NAME.match(name):
            return False  # a month of a partitioned history: made by services.partitions, not a model
        if type_ not in ("unique_constraint", "index") or reflected:
            return True
        info = getattr(obj, "info", {})
        return not (info.get(SQLITE_ONLY) and dialect != "sqlite") and not (
            info.get(POSTGRES_ONLY) and dialect != "postgresql"
        )

    return include
