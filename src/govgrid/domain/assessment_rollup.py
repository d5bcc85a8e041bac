"""Rollups of the 考核指标 that stay exact for any period, as the plain path reads them (domain.assessment).

A case's counts in a period are read from its history *as it stood at the period's end*: a case registered
in March and reworked in April has no 返工 in March's figures as computed on 31 March, and the figures of
March must not change when they are computed again in May. So a rollup row is keyed by

- `day`: the Beijing day the count falls on (dated_counts),
- `since`: for a mark (派遣, 延期, 督办), the day of the case's mark of that kind before it — a period counts
  the mark only if `since` falls before it, so a case counts once however often it was marked,
- `asof`: the Beijing day of the history row that made the change: the case's counts *as of* a day are the
  sum of its changes up to that day,

and by where the case counts (area, unit of its last 派遣, class, channel). The figures of [first, last] are
the sums over `first ≤ day ≤ last`, `since < first`, `asof ≤ last` — exactly what the plain path gives.

Here, pure: a case's rows as changes (+ and −) from its history, day by day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from govgrid.domain.assessment import Event, Terms, dated_counts, facts_at, local_day
from govgrid.domain.workflow import Loop
from govgrid.domain.worktime import CHINA

NEVER = date(1900, 1, 1)  # the `since` of a count that is not a mark: before every period
AREA_DIGITS = 12  # areas down to the community; grid and grid-worker slices read the plain path


@dataclass(frozen=True)
class Place:
    """Where a case counts, as the plain path reads it from the case row."""

    area: str  # its grid's code, else its scope's, cut to the community
    scope: str  # its scope code, cut to the community: what a caller's area narrows on
    class_code: str
    channel: str

    @classmethod
    def of(cls, grid_code: str | None, scope_code: str, class_code: str, channel: str) -> Place:
        return cls((grid_code or scope_code)[:AREA_DIGITS], scope_code[:AREA_DIGITS], class_code, channel)


# (day, since, asof, area, scope, unit, class, channel) → {count key: value}
Key = tuple[date, date, date, str, str, int, str, str]
Changes = dict[Key, dict[str, float]]


def case_changes(
    loop: Loop,
    events: Sequence[Event],
    place: Place | None,
    terms: Terms,
    work_hours: Callable[[datetime, datetime], float] | None,
) -> Changes:
    """The rollup rows one case adds: for each Beijing day its history changed, the difference between its
    counts as of that day's end and as of the day before. A case with no place (not yet rolled) adds none."""
    changes: Changes = defaultdict(dict)
    if place is None or not events:
        return changes
    before: dict[tuple[date, date, int, str], float] = {}
    for day in sorted({local_day(event.at) for event in events}):
        until = datetime.combine(day + timedelta(days=1), time.min, CHINA)
        facts = facts_at(loop, events, until)
        unit = facts.unit_id or 0
        now: dict[tuple[date, date, int, str], float] = defaultdict(float)
        for key, counted_day, since, value in dated_counts(facts, terms, work_hours):
            now[(counted_day, since or NEVER, unit, key)] += value
        for slot in before.keys() | now.keys():
            delta = now.get(slot, 0) - before.get(slot, 0)
            if delta:
                counted_day, since, unit_id, key = slot
                row = changes[
                    (
                        counted_day,
                        since,
                        day,
                        place.area,
                        place.scope,
                        unit_id,
                        place.class_code,
                        place.channel,
                    )
                ]
                row[key] = row.get(key, 0) + delta
        before = dict(now)
    return changes


def merge(into: Changes, more: Changes, sign: int = 1) -> None:
    """Add (or with sign −1, take away) one set of rollup rows to another."""
    for key, counts in more.items():
        row = into.setdefault(key, {})
        for name, value in counts.items():
            row[name] = row.get(name, 0) + sign * value
