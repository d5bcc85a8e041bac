"""A case's append-only history: the one writer of its rows — for a step on one case, a batch of new cases,
the sweeper's marks and a replayed history alike — and the compare-and-set every change of a case goes
through (of two concurrent changes one wins, the other gets a Conflict)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from govgrid.db.bulk import insert_many
from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.errors import Conflict
from govgrid.domain.permissions import Actor
from govgrid.services import audit, chains

HISTORY_COLUMNS = (
    "case_id",
    "district_code",
    "at",
    "actor_id",
    "actor_name",
    "step",
    "from_status",
    "to_status",
    "note",
    "public_note",
    "detail",
)  # what history_row builds: every column but the id and PostgreSQL's txid (their defaults)


def history_row(
    case_id: int,
    district_code: str,
    *,
    actor: Actor,
    step: str,
    from_status: str | None,
    to_status: str,
    at: datetime,
    note: str = "",
    detail: dict[str, Any] | None = None,
    public_note: str = "",
) -> dict[str, Any]:
    """The columns of one history row. `public_note` must have been checked (domain.public_note)."""
    return {
        "case_id": case_id,
        "district_code": district_code,
        "at": at,
        "actor_id": actor.user_id,
        "actor_name": actor.name[:64],
        "step": step,
        "from_status": from_status,
        "to_status": to_status,
        "note": note,
        "public_note": public_note,
        "detail": detail or {},
    }


def record_history(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    step: str,
    from_status: str | None,
    now: datetime,
    note: str = "",
    detail: dict[str, Any] | None = None,
    public_note: str = "",
) -> None:
    """One history row for a case as it now stands, and its audit row (the caller commits). Bulk writers
    (record_histories) audit their batch once instead."""
    row = history_row(
        case.id,
        case.district_code,
        actor=actor,
        step=step,
        from_status=from_status,
        to_status=case.status,
        at=now,
        note=note,
        detail=detail,
        public_note=public_note,
    )
    chains.link(session, CaseTransition, [row])
    session.add(CaseTransition(**row))
    audit.record(
        session,
        actor=actor,
        action=f"case.{step}",
        entity_type="case",
        entity_id=case.code,
        now=now,
        scope_code=case.scope_code,
        detail={"from": from_status, "to": case.status},
    )


def record_histories(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Many history rows (each built by `history_row`) in one executemany, through the columns' own bind
    processors (db.bulk): a batch of new cases, a replayed history. The caller commits."""
    chains.link(session, CaseTransition, rows)
    columns = (*HISTORY_COLUMNS, *chains.CHAIN_FIELDS)
    insert_many(session, CaseTransition, columns, [[row[name] for name in columns] for row in rows])


def compare_and_set(session: Session, case: Case, expected_version: int | None, **values: Any) -> None:
    """Write `values` only if the case is still at the version the caller saw; else Conflict (409)."""
    version = case.version if expected_version is None else expected_version
    done = session.execute(
        update(Case).where(Case.id == case.id, Case.version == version).values(version=version + 1, **values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("案件已被他人处理（状态已变化），请刷新后重试", field="version")
    session.refresh(case)
