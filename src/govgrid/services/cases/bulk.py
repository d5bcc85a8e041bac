"""Bulk intake: many reports in one transaction (a hotline batch, an import, the benchmark).

The same rules as services.cases.report — the channel the sender may use, class from the catalogue, field
sizes, the point located to its grid (vectorised over the batch), idempotency on the sender's own
(source, external id), the responsible unit from the 权责清单, one history row per case — with rows
that break a rule reported by number and field, and the good rows taken in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.sources import source_of
from govgrid.domain.workflow import START
from govgrid.geo.crs import Crs, to_stored
from govgrid.geo.index import NOWHERE
from govgrid.services.cases.intake import Report, acceptance_deadline, check_text, deadline_columns, retry_key
from govgrid.services.cases.rules import CaseRules
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
    start = now
    for (number, data), grid_code in zip(valid, grids, strict=True):
        if grid_code is None:
            continue
        lng, lat = points[number]
        unit = rules.responsibility.unit_for(rules.classes[data.class_code], grid_code)
        rows.append(
            case_row(actor, data, grid_code, lng, lat, start)
            | deadline_columns(acceptance_deadline(rules, data, start))
            | {"source": source_of(actor), "external_id": keys[number]}
        )
        histories.append({"suggested_unit": unit})
    if rows:
        ids = session.scalars(insert(Case).returning(Case.id), rows).all()
        session.execute(
            insert(CaseTransition),
            [
                {
                    "case_id": case_id,
                    "at": start,
                    "actor_id": actor.user_id,
                    "actor_name": actor.username,
                    "step": "report",
                    "from_status": None,
                    "to_status": row["status"],
                    "note": row["title"],
                    "detail": detail,
                }
                for case_id, row, detail in zip(ids, rows, histories, strict=True)
            ],
        )
        result.created = len(ids)
    session.commit()
    return result


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
    seen: set[str] = set()
    for chunk in range(0, len(keys), 900):
        seen.update(
            key
            for key in session.execute(
                select(Case.external_id).where(
                    Case.source == source, Case.external_id.in_(keys[chunk : chunk + 900])
                )
            ).scalars()
            if key
        )
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
            rules.case_class(data.class_code)
            check_text(data)
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


def case_row(
    actor: Actor, data: Report, grid_code: str, lng: float, lat: float, now: datetime
) -> dict[str, object]:
    """The case row bulk intake inserts (also what the benchmark inserts raw, for a fair comparison)."""
    return {
        "loop": data.loop.value,
        "status": START[data.loop].value,
        "version": 1,
        "channel": data.channel,
        "external_id": data.external_id,
        "class_code": data.class_code,
        "title": data.title.strip(),
        "description": data.description,
        "address": data.address,
        "lng": lng,
        "lat": lat,
        "grid_code": grid_code,
        "scope_code": grid_code,
        "reporter_id": actor.user_id,
        "reporter_name": data.reporter_name,
        "reporter_phone": data.reporter_phone,
        "urgency": data.urgency,
        "reported_at": now,
        "rework_count": 0,
        "is_overdue": False,
        "supervision_level": 0,
    }
