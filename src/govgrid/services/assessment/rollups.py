"""The assessment's rollups (domain.assessment_rollup), kept from the case history as from an outbox: each
district has a cursor on its history; `catch_up` rolls the rows written since — for every case they touch,
its rows as of the history before them are taken away and its rows as of the history with them are added —
and moves the cursor in the same transaction. It runs before the figures are read (so they are never behind
what was committed before the call), after an import, and in every round of the worker. The cursor is
claimed by a compare-and-set first: of two concurrent catch-ups one rolls, the other finds nothing to do.

Commit order: on SQLite one writer at a time holds the database, so history ids commit in order and the
cursor is the last id rolled. On PostgreSQL ids are drawn before commit, so a smaller id can commit after a
larger one; each row carries its transaction's id (txid), and the cursor is the oldest transaction still
running when it was taken (pg_snapshot_xmin): every row of a transaction below it has committed or never
will, so none is missed and none is rolled twice."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.rollup_models import (
    KEY,
    VALUES,
    month_rollup_table,
    rolled_case_table,
    rollup_cursor_table,
    rollup_table,
)
from govgrid.domain.areas import is_city_scope
from govgrid.domain.assessment import Event
from govgrid.domain.assessment_rollup import Changes, Place, case_changes, merge
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.workflow import Loop
from govgrid.services.cases.feed import snapshot_xmin

CHUNK = 2_000  # cases read and rolled at a time
T = CaseTransition


def catch_up(
    session: Session,
    *,
    rules: CaseRules,
    district_code: str,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    most: int | None = None,
) -> int | None:
    """Roll the district's history written since its cursor; commits. Returns the number of cases rolled,
    or None when more than `most` cases wait (a page's request: the worker rolls a backlog, and the caller
    reads the history meanwhile). Rolled under other terms or another working calendar than the rules'
    (a year entered, a catalogue changed), the district is rolled again from the start."""
    postgres = session.get_bind().dialect.name == "postgresql"
    cursor = session.execute(
        select(rollup_cursor_table.c.position, rollup_cursor_table.c.basis).where(
            rollup_cursor_table.c.district_code == district_code
        )
    ).first()
    basis = basis_of(rules)
    if cursor is not None and cursor.basis != basis:
        if most is not None:
            return None
        _drop(session, district_code)
        cursor = None
    start = cursor.position if cursor is not None else None
    if postgres:
        target = snapshot_xmin(session)
    else:
        target = int(session.scalar(select(func.max(T.id)).where(T.district_code == district_code)) or 0)
    begin = int(start or 0)
    if start is not None and target <= begin:
        return 0
    done_before, done_after = _positions(postgres, begin, target)
    window = and_(T.district_code == district_code, done_after, _after(postgres, begin))
    waiting = select(T.case_id).where(window).distinct()
    if (
        most is not None
        and (session.scalar(select(func.count()).select_from(waiting.limit(most + 1).subquery())) or 0) > most
    ):
        return None
    if not _claim(session, district_code, start, target, now, basis):
        return 0
    touched = list(session.scalars(waiting.order_by(T.case_id)))
    for offset in range(0, len(touched), CHUNK):
        chunk = touched[offset : offset + CHUNK]
        _roll(session, rules, district_code, chunk, done_before, done_after)
        if progress is not None:
            progress(min(offset + CHUNK, len(touched)), len(touched))
    session.commit()
    return len(touched)


def basis_of(rules: CaseRules) -> str:
    """What the rolled figures depend on besides the history: the terms and the working calendar, written
    out in a fixed order (a set's repr follows the process's hash seed, so every restart would otherwise
    see another basis and roll the district again)."""
    calendar = rules.calendar
    seen = json.dumps(
        _canonical(
            [
                rules.assessment.terms,
                calendar.office_hours,
                sorted(calendar.overrides.items()),
                sorted(calendar.entered.items()),
            ]
        ),
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


def _canonical(value: Any) -> Any:
    """A value as JSON in an order that does not depend on the process: sets sorted, dataclasses by field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, dict):
        return [[_canonical(k), _canonical(v)] for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))]
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)  # dates, times, enums: their repr is fixed


def forget(session: Session, *, rules: CaseRules, district_code: str, case_ids: list[int]) -> None:
    """Take cases about to be deleted (an import that failed half-way) out of the rollups; the caller
    deletes them and commits. On SQLite the cursor moves back to the last id left, since SQLite hands a
    deleted row's id to the next row."""
    position = session.scalar(
        select(rollup_cursor_table.c.position).where(rollup_cursor_table.c.district_code == district_code)
    )
    if position is None:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    done, _ = _positions(postgres, int(position), int(position))
    for offset in range(0, len(case_ids), CHUNK):
        _roll(session, rules, district_code, case_ids[offset : offset + CHUNK], done, done, gone=True)
    if not postgres:
        kept = select(func.max(T.id)).where(T.district_code == district_code, T.case_id.not_in(case_ids))
        session.execute(
            update(rollup_cursor_table)
            .where(rollup_cursor_table.c.district_code == district_code)
            .values(
                position=func.min(rollup_cursor_table.c.position, func.coalesce(kept.scalar_subquery(), 0))
            )
        )


def catch_up_all(session: Session, *, rules: CaseRules, now: datetime) -> int:
    """Every district with a history (the worker's round)."""
    return sum(
        catch_up(session, rules=rules, district_code=code, now=now) or 0 for code in districts(session)
    )


def districts(session: Session) -> list[str]:
    """The districts with cases, found by a seek per district on the cases' district index (a DISTINCT
    would read every case)."""
    found: list[str] = []
    code = session.scalar(select(func.min(Case.district_code)))
    while code is not None:
        if not is_city_scope(code):  # a city's own orders are counted by the districts' cases (metrics)
            found.append(code)
        code = session.scalar(select(func.min(Case.district_code)).where(Case.district_code > code))
    return found


def rebuild(session: Session, *, rules: CaseRules, district_code: str, now: datetime) -> int:
    """Drop the district's rollups and roll its whole history again (the recomputation tests compare)."""
    _drop(session, district_code)
    session.commit()
    return catch_up(session, rules=rules, district_code=district_code, now=now) or 0


def _drop(session: Session, district_code: str) -> None:
    for table in (rollup_table, month_rollup_table, rolled_case_table, rollup_cursor_table):
        session.execute(delete(table).where(table.c.district_code == district_code))


def _claim(
    session: Session, district_code: str, start: int | None, target: int, now: datetime, basis: str
) -> bool:
    cursor = rollup_cursor_table
    if start is None:
        inserted = (
            _upsert(session, cursor)
            .values(district_code=district_code, position=target, rolled_at=now, basis=basis)
            .on_conflict_do_nothing()
            .returning(cursor.c.district_code)
        )
        claimed = session.execute(inserted).first() is not None
    else:
        moved = session.execute(
            update(cursor)
            .where(cursor.c.district_code == district_code, cursor.c.position == start)
            .values(position=target, rolled_at=now, basis=basis)
        )
        claimed = moved.rowcount == 1  # type: ignore[attr-defined]
    if not claimed:
        session.rollback()
    return claimed


def _after(postgres: bool, position: int) -> Any:
    """Written beyond a cursor, as a range the (district_code, id|txid) index seeks to."""
    return T.txid >= position if postgres else T.id > position


def _positions(postgres: bool, begin: int, target: int) -> tuple[Any, Any]:
    """(rolled before this catch-up, rolled after it) as conditions on a history row."""
    if postgres:
        return T.txid < begin, T.txid < target
    return T.id <= begin, T.id <= target


def _roll(
    session: Session,
    rules: CaseRules,
    district_code: str,
    case_ids: list[int],
    done_before: Any,
    done_after: Any,
    gone: bool = False,
) -> None:
    """Roll these cases: take away their rows as of the history before, add them as of the history after
    (none when `gone`: cases about to be deleted)."""
    changes, places = _changes(session, rules, district_code, case_ids, done_before, done_after, gone)
    _add(session, district_code, changes)
    if gone:
        session.execute(
            delete(rolled_case_table).where(
                rolled_case_table.c.district_code == district_code, rolled_case_table.c.case_id.in_(case_ids)
            )
        )
    if places:
        upsert = _upsert(session, rolled_case_table)
        _execute_many(
            session,
            upsert.on_conflict_do_update(
                index_elements=["district_code", "case_id"],
                set_={name: upsert.excluded[name] for name in ("area", "scope", "class_code", "channel")},
            ),
            places,
        )


def pending(session: Session, *, rules: CaseRules, district_code: str, most: int) -> Changes | None:
    """What the history holds beyond the cursor, as changes to add to the sums: on PostgreSQL the cursor
    stops below the oldest transaction still open anywhere, so rows committed since wait there until it
    ends. None when more than `most` cases wait (the caller reads the history instead)."""
    if session.get_bind().dialect.name != "postgresql":
        return {}  # SQLite's cursor is the last id committed: nothing committed waits
    position = session.scalar(
        select(rollup_cursor_table.c.position).where(rollup_cursor_table.c.district_code == district_code)
    )
    rolled = T.txid < int(position or 0)
    waiting = select(T.case_id).where(T.district_code == district_code, _after(True, int(position or 0)))
    waiting = waiting.distinct()
    ids = list(session.scalars(waiting.limit(most + 1)))
    if len(ids) > most:
        return None
    return _changes(session, rules, district_code, ids, rolled, true(), False)[0] if ids else {}


def _changes(
    session: Session,
    rules: CaseRules,
    district_code: str,
    case_ids: list[int],
    done_before: Any,
    done_after: Any,
    gone: bool,
) -> tuple[Changes, list[dict[str, Any]]]:
    cases = {
        row.id: row
        for row in session.connection().execute(
            select(Case.id, Case.loop, Case.grid_code, Case.scope_code, Case.class_code, Case.channel).where(
                Case.district_code == district_code, Case.id.in_(case_ids)
            )
        )
    }
    rolled = {
        row.case_id: Place(row.area, row.scope, row.class_code, row.channel)
        for row in session.connection().execute(
            select(rolled_case_table).where(
                rolled_case_table.c.district_code == district_code, rolled_case_table.c.case_id.in_(case_ids)
            )
        )
    }
    old: dict[int, list[Event]] = defaultdict(list)
    new: dict[int, list[Event]] = defaultdict(list)
    # by the case index: on SQLite a history id is unique alone, and its planner, without statistics, would
    # rather read the district's whole history through (district_code, id)
    postgres = session.get_bind().dialect.name == "postgresql"
    in_district = T.district_code == district_code if postgres else true()
    history = session.connection().execute(  # Core rows: no ORM loading over a bulk roll
        select(T.case_id, T.at, T.step, T.to_status, T.detail, done_before.label("before"))
        .where(in_district, T.case_id.in_(case_ids), done_after)
        .order_by(T.case_id, T.id)
    )
    for case_id, at, step, to_status, detail, before in history:
        event = Event(at, step, to_status, detail or {})
        new[case_id].append(event)
        if before:
            old[case_id].append(event)
    terms = rules.assessment.terms

    def work_hours(begin: datetime, end: datetime) -> float:
        return rules.calendar.work_time_between(begin, end).total_seconds() / 3600

    changes: Changes = {}
    places: list[dict[str, Any]] = []
    for case_id, row in cases.items():
        loop = Loop(row.loop)
        place = Place.of(row.grid_code, row.scope_code, row.class_code, row.channel)
        merge(changes, case_changes(loop, old.get(case_id, []), rolled.get(case_id), terms, work_hours), -1)
        if gone:
            continue
        merge(changes, case_changes(loop, new.get(case_id, []), place, terms, work_hours))
        if rolled.get(case_id) != place:
            places.append({"district_code": district_code, "case_id": case_id, **place.__dict__})
    return changes, places


def _add(session: Session, district_code: str, changes: Changes) -> None:
    """Add the changes to the daily rollup and, with their days cut to months, to the monthly one."""
    months: Changes = {}
    for (day, since, asof, *place), counts in changes.items():
        merge(months, {(_month(day), _month(since), _month(asof), *place): counts})  # type: ignore[dict-item]
    for table, rows in ((rollup_table, changes), (month_rollup_table, months)):
        _upsert_sums(session, table, district_code, rows)


def _month(day: date) -> date:
    return day.replace(day=1)


def _upsert_sums(session: Session, table: Any, district_code: str, changes: Changes) -> None:
    rows = []
    for key, counts in changes.items():
        if not any(counts.values()):
            continue
        values = dict(zip(KEY[1:], key, strict=True))
        rows.append({"district_code": district_code, **values, **{v: counts.get(v, 0) for v in VALUES}})
    if not rows:
        return
    upsert = _upsert(session, table)
    statement = upsert.on_conflict_do_update(
        index_elements=list(KEY), set_={v: table.c[v] + upsert.excluded[v] for v in VALUES}
    )
    _execute_many(session, statement, rows)


def _execute_many(session: Session, statement: Any, rows: list[dict[str, Any]]) -> None:
    """One statement over many rows, compiled once and handed to the driver (SQLAlchemy would build each
    row's parameters through its types: most of a bulk roll's time)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
    sql = str(compiled)
    if compiled.positional:
        names = compiled.positiontup or []
        # dates as SQLite's Date type stores them (ISO text): the driver's own date adapter is deprecated
        dated = [i for i, name in enumerate(names) if type(rows[0][name]) is date]
        params: list[Any] = []
        for row in rows:
            values = [row[name] for name in names]
            for i in dated:
                values[i] = values[i].isoformat()
            params.append(tuple(values))
    else:
        params = rows
    for offset in range(0, len(params), 5_000):
        connection.exec_driver_sql(sql, params[offset : offset + 5_000])


def _upsert(session: Session, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT (both engines speak it)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
