"""Bulk intake: many reports in one transaction (a hotline batch, an import, the benchmark).

The same path as one report (services.cases.intake): the channel the sender may use, `admit` (class, text,
and a sender who may report at that place — a dispatcher of one street files nothing in another), the
point located to its grid (vectorised over the batch), idempotency on the sender's own (source, external
id), the same `case_row` and one history row per case through the history's writer — with rows that break
a rule reported by number and field, and the good rows taken in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import DomainError, InvalidInput
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.sources import source_of
from govgrid.geo.crs import Crs, to_stored
from govgrid.geo.index import NOWHERE
from govgrid.services.cases.history import history_row, record_histories
from govgrid.services.cases.intake import Place, Report, admit, case_row, known_keys, retry_key
from govgrid.services.geo.locate import LocatorCache


@dataclass
class BatchResult:
    created: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)  # "第 n 行 field：message"


def report_batch(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    locator: LocatorCache,
    reports: Sequence[Report],
    now: datetime,
) -> BatchResult:
    """Take a batch of reports in one transaction (only the command center or an administrator)."""
    authorize(actor, Action.REGISTER_CASE, area_code=actor.scope_code)
    result = BatchResult()
    keyed = _keyed(rules, actor, reports, result)
    keys = {number: key for number, _, key in keyed}
    fresh = _new_only(session, source_of(actor), keyed, result)
    valid, points = _validated(fresh, rules, result)
    grids = _locate(session, locator, points, valid, result)
    rows, histories = [], []
    for (number, data), grid_code in zip(valid, grids, strict=True):
        if grid_code is None:
            continue
        lng, lat = points[number]
        place = Place(grid_code, lng, lat, grid_code)
        try:
            admit(rules, actor, data, place)
        except DomainError as exc:  # the same refusal a single report gets, for this row only
            result.errors.append(f"第 {number} 行 {exc.field or 'lng'}：{exc.message}")
            continue
        rows.append(case_row(rules, actor, data, place, source=source_of(actor), key=keys[number], now=now))
        histories.append(
            {"suggested_unit": rules.responsibility.unit_for(rules.classes[data.class_code], grid_code)}
        )
    if rows:
        ids = insert_cases(session, rows)
        record_histories(
            session,
            [
                history_row(
                    case_id,
                    row["district_code"],
                    actor=actor,
                    step="report",
                    from_status=None,
                    to_status=row["status"],
                    at=now,
                    note=row["title"],
                    detail=detail,
                )
                for case_id, row, detail in zip(ids, rows, histories, strict=True)
            ],
        )
        result.created = len(ids)
    session.commit()
    return result


def insert_cases(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows in one statement and return their ids in the rows' order. One INSERT … RETURNING
    does not promise its rows back in order, and asking SQLAlchemy to sort them makes SQLite insert row by
    row (half the speed); so each returned id is matched to its row by the row's follow secret — random,
    and checked unique within the batch (if two ever collide, the sorted, row-by-row form is used)."""
    secrets = [row["follow_secret"] for row in rows]
    table = cast(Table, Case.__table__)  # a Core insert: the ORM's splits the rows wherever a value is None
    if len(set(secrets)) != len(secrets):
        return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
    found = {
        secret: case_id
        for case_id, secret in session.execute(
            insert(table).returning(table.c.id, table.c.follow_secret), rows
        )
    }
    return [found[secret] for secret in secrets]


def _keyed(
    rules: CaseRules, actor: Actor, reports: Sequence[Report], result: BatchResult
) -> list[tuple[int, Report, str | None]]:
    """Each report with the sender's key for it; a channel the sender may not use is a row error."""
    keyed = []
    for number, data in enumerate(reports, start=1):
        try:
            _, key = retry_key(rules, actor, data)
        except InvalidInput as exc:
            result.errors.append(f"第 {number} 行 {exc.field}：{exc.message}")
            continue
        keyed.append((number, data, key))
    return keyed


def _new_only(
    session: Session, source: str, keyed: list[tuple[int, Report, str | None]], result: BatchResult
) -> list[tuple[int, Report]]:
    """Drop reports the sender already sent (its own key), in the database or earlier in the batch."""
    keys = [key for _, _, key in keyed if key]
    seen = known_keys(session, source, keys)
    fresh = []
    for number, data, key in keyed:
        if key and key in seen:
            result.duplicates += 1
            continue
        if key:
            seen.add(key)
        fresh.append((number, data))
    return fresh


def _validated(
    fresh: list[tuple[int, Report]], rules: CaseRules, result: BatchResult
) -> tuple[list[tuple[int, Report]], dict[int, tuple[float, float]]]:
    valid, points = [], {}
    for number, data in fresh:
        try:
            if data.lng is None or data.lat is None:
                raise InvalidInput("批量受理须提供坐标", field="lng")
            points[number] = (
                to_stored(data.lng, data.lat, data.crs) if data.crs is not Crs.GCJ02 else (data.lng, data.lat)
            )
        except InvalidInput as exc:
            result.errors.append(f"第 {number} 行 {exc.field}：{exc.message}")
            continue
        valid.append((number, data))
    return valid, points


def _locate(
    session: Session,
    locator: LocatorCache,
    points: dict[int, tuple[float, float]],
    valid: list[tuple[int, Report]],
    result: BatchResult,
) -> list[str | None]:
    located = locator.get(session)
    xy = np.array([points[n] for n, _ in valid], dtype=float).reshape(-1, 2)
    hits = located.index.locate_many(xy[:, 0], xy[:, 1]) if len(xy) else np.array([], dtype=np.int64)
    grids: list[str | None] = []
    for (number, _), hit in zip(valid, hits, strict=True):
        if hit == NOWHERE:
            result.errors.append(f"第 {number} 行 lng：坐标 {points[number]} 不在本系统管辖范围内")
            grids.append(None)
        else:
            grids.append(located.index.codes[int(hit)])
    return grids
