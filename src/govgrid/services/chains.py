"""Linking rows into their hash chains (domain.chain) as the one writer of each history writes them, and the
daily anchors over every chain.

`link` gives each new row its place: the head of its chain is read once per transaction (then kept in the
session, so rows added together chain in order), on PostgreSQL under a transaction-scoped advisory lock of
that chain (writers on one case queue there, writers on others never), on SQLite inside the write
transaction (one writer at a time). A unique (district, chain, seq) index refuses a fork either way."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from govgrid.db.case_models import CaseTransition
from govgrid.db.form_models import FormEvent
from govgrid.db.ledger_models import LedgerEvent
from govgrid.db.models import AuditEvent, ChainAnchor
from govgrid.db.register_models import RegisterChange
from govgrid.domain.chain import GENESIS, ChainSpec, anchor_hash, normal_json, row_hash

SPECS: dict[Any, ChainSpec] = {
    CaseTransition: ChainSpec(
        "case_transition",
        ("case_id",),
        ("district_code", "case_id", "at", "actor_id", "actor_name", "step", "from_status", "to_status")
        + ("note", "public_note", "detail"),
    ),
    LedgerEvent: ChainSpec(
        "ledger_event",
        ("item_id",),
        ("district_code", "item_id", "at", "actor_name", "action", "note", "detail"),
    ),
    AuditEvent: ChainSpec(
        "audit_event",
        ("entity_type", "entity_id"),
        ("district_code", "at", "actor_id", "actor_name", "action", "entity_type", "entity_id")
        + ("scope_code", "detail"),
    ),
    FormEvent: ChainSpec(
        "form_event",
        ("chain_key",),
        ("district_code", "chain_key", "task_id", "return_id", "request_id", "at", "actor_id")
        + ("actor_name", "action", "detail"),
    ),
    RegisterChange: ChainSpec(  # the values themselves may be erased: the chain covers their digests
        "register_change",
        ("entry_id",),
        ("district_code", "entry_id", "at", "actor_id", "actor_name", "action", "field_code")
        + ("old_digest", "new_digest"),
    ),
}
CHAIN_FIELDS = ("chain_seq", "prev_hash", "row_hash")
LOCKED_AT_MOST = 32  # chains locked one by one; a bulk batch (new cases) relies on the unique index
_HEADS = "chain_heads"

Key = tuple[Any, ...]


def link(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Give each row (every hashed column set) its chain_seq, prev_hash and row_hash, in order. JSON values
    are normalised first (keys as text), so what is stored is what was hashed."""
    spec = SPECS[model]
    heads: dict[tuple[str, Key], tuple[int, str]] = session.info.setdefault(_HEADS, {})
    keys = {_key(spec, row) for row in rows}
    _heads_from_database(session, model, spec, [k for k in keys if (spec.table, k) not in heads], heads)
    for row in rows:
        if "detail" in row:  # the one JSON column of the chained tables
            row["detail"] = normal_json(row["detail"] or {})
        key = (spec.table, _key(spec, row))
        seq, prev = heads.get(key, (0, GENESIS))
        digest = row_hash(prev, seq + 1, [row[name] for name in spec.hashed])
        row.update(chain_seq=seq + 1, prev_hash=prev, row_hash=digest)
        heads[key] = (seq + 1, digest)


def _key(spec: ChainSpec, row: dict[str, Any]) -> Key:
    return (row["district_code"], *(row[name] for name in spec.key))


def _heads_from_database(
    session: Session,
    model: Any,
    spec: ChainSpec,
    keys: list[Key],
    heads: dict[tuple[str, Key], tuple[int, str]],
) -> None:
    if not keys:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(keys) <= LOCKED_AT_MOST:
        for key in sorted(keys, key=repr):  # one order, so two writers never wait on each other
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_id(spec.table, key)})
    elif connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("UPDATE chain_anchor SET id = id WHERE 0")  # take the write lock first
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    table, names = spec.table, spec.key
    one = " AND ".join(f"t.{name} = {mark}" for name in names)
    newest = " AND ".join(f"u.{name} = t.{name}" for name in names)
    for start in range(0, len(keys), 300):  # the newest row of each chain, by the unique index
        chunk = keys[start : start + 300]
        sql = (
            f"SELECT t.district_code, {', '.join(f't.{n}' for n in names)}, t.chain_seq, t.row_hash FROM {table} t"
            f" WHERE ({' OR '.join(f'(t.district_code = {mark} AND {one})' for _ in chunk)})"
            f" AND t.chain_seq = (SELECT max(u.chain_seq) FROM {table} u"
            f" WHERE u.district_code = t.district_code AND {newest})"
        )
        for row in connection.exec_driver_sql(sql, tuple(v for key in chunk for v in key)):
            heads[(table, tuple(row[:-2]))] = (row[-2], row[-1])


def _lock_id(table: str, key: Key) -> int:
    return int.from_bytes(hashlib.sha256(repr((table, key)).encode()).digest()[:8], "big", signed=True)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_heads(session: Session, *_args: Any) -> None:
    session.info.pop(_HEADS, None)


# ----- the daily anchors -------------------------------------------------------------------------------


def anchor(session: Session, *, now: datetime) -> list[ChainAnchor]:
    """Seal every chained table, district by district: the hash of each row written since its last anchor.
    On PostgreSQL the highest id is read under a brief SHARE lock, so no transaction still writing has a
    smaller one; the hashes are read after it. Commits; the anchors made."""
    made: list[ChainAnchor] = []
    for model, spec in SPECS.items():
        upto = _highest_ids(session, model)
        session.commit()  # the lock (PostgreSQL) ends here
        for district, highest in upto:
            last = session.scalars(
                select(ChainAnchor)
                .where(ChainAnchor.district_code == district, ChainAnchor.table_name == spec.table)
                .order_by(ChainAnchor.upto_id.desc())
                .limit(1)
            ).first()
            since = last.upto_id if last else 0
            if highest <= since:
                continue
            hashes = list(range_hashes(session, model, district, since, highest))
            prev = last.anchor_hash if last else GENESIS
            record = ChainAnchor(
                district_code=district,
                table_name=spec.table,
                upto_id=highest,
                rows=len(hashes),
                made_at=now,
                prev_hash=prev,
                anchor_hash=anchor_hash(prev, spec.table, district, highest, hashes),
            )
            session.add(record)
            made.append(record)
        session.commit()
    return made


def _highest_ids(session: Session, model: Any) -> list[tuple[str, int]]:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL lock_timeout = '5s'"))
        session.execute(text(f"LOCK TABLE {model.__tablename__} IN SHARE MODE"))
    rows = session.execute(select(model.district_code, func.max(model.id)).group_by(model.district_code))
    return [(district, int(highest)) for district, highest in rows]


def range_hashes(session: Session, model: Any, district: str, since: int, upto: int) -> Iterable[str]:
    """The row hashes of a district's rows with since < id <= upto, in id order."""
    query = (
        select(model.row_hash)
        .where(model.district_code == district, model.id > since, model.id <= upto)
        .order_by(model.id)
    )
    return session.scalars(query.execution_options(yield_per=20_000))


def anchor_due(session: Session, *, now: datetime) -> bool:
    """Whether today's anchors (Beijing day) are still to be made."""
    from govgrid.domain.worktime import CHINA

    latest = session.scalar(select(func.max(ChainAnchor.made_at)))
    return latest is None or latest.astimezone(CHINA).date() < now.astimezone(CHINA).date()
