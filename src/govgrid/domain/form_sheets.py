"""一表通's sheets, composed from the register (pure). A form's rows are register entries: those its row
rule picks on the day (residents who arrived in the last 14 days, shops of the 九小 kinds …), those the
community added to it by hand, and for a daily form yesterday's rows carried forward. Each cell says where
its value came from, so a grid worker types only what the register does not know, and the figures can
count cells pre-filled against cells typed.

A cell of a registry field reads the register: the row's own entry, or for a resident's house or firm the
entry its address or work unit names (住址 → 房屋地址, 工作单位 → 单位名称). A cell of an event field (事: a
follow-up's temperature) or a form-local field holds what was entered for this row on this day; local
values carry forward from yesterday, event values never do (yesterday's temperature is not today's)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from govgrid.domain.forms import ENTRY_PREFIX, FieldSpec, FormCatalog, Frequency, Template

EVENT = "event"
# How a resident's row finds its house and its firm: the resident's field → the other entry's label field.
LINKS = {
    ("resident", "house"): ("person.address", "house.address"),
    ("resident", "enterprise"): ("person.work_unit", "enterprise.name"),
}
AUTO_FIELDS = ("event.date", "event.inspector")  # the day of the return, the person who fills it


class Source(StrEnum):
    REGISTER = "register"  # read from the base register
    CARRIED = "carried"  # yesterday's value, carried forward
    AUTO = "auto"  # the day, the person filling it
    TYPED = "typed"  # entered for this return
    EMPTY = "empty"


PREFILLED = (Source.REGISTER, Source.CARRIED, Source.AUTO)


class Entry(Protocol):
    """A register entry as the composer reads it (db.register_models.RegisterEntry is one)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def values(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Registered:
    """A register entry as read for composing (the values only, not the ORM row)."""

    id: int
    kind: str
    label: str
    values: dict[str, str]


@dataclass(frozen=True)
class Kept:
    """What a return keeps for one row: the values entered for it (event and local fields), which of the
    row's cells were typed for it (registry fields too: a changed phone), and whether it was taken out."""

    values: Mapping[str, str] = field(default_factory=dict)
    typed: frozenset[str] = frozenset()
    removed: bool = False


@dataclass(frozen=True)
class Cell:
    code: str
    value: str
    source: Source


@dataclass(frozen=True)
class SheetRow:
    entry_id: int
    label: str
    cells: tuple[Cell, ...]
    carried: bool  # on yesterday's form

    def value(self, code: str) -> str:
        return next((c.value for c in self.cells if c.code == code), "")


@dataclass(frozen=True)
class Counts:
    prefilled: int
    typed: int
    empty: int


def period_of(frequency: Frequency, day: date, starts_on: date) -> date | None:
    """The period a day falls in: the day (daily), its week's Monday (weekly), the task's first day (once);
    None before the task starts."""
    if day < starts_on:
        return None
    if frequency is Frequency.DAILY:
        return day
    if frequency is Frequency.WEEKLY:
        return max(starts_on, day - timedelta(days=day.weekday()))
    return starts_on


def previous_period(frequency: Frequency, period: date, starts_on: date) -> date | None:
    """The period before, whose rows a daily or weekly form carries forward (None for the first)."""
    if frequency is Frequency.ONCE or period <= starts_on:
        return None
    step = timedelta(days=1 if frequency is Frequency.DAILY else 7)
    return period_of(frequency, period - step, starts_on)


def compose(
    catalog: FormCatalog,
    template: Template,
    *,
    day: date,
    entries: Sequence[Entry],
    kept: Mapping[int, Kept],
    before: Mapping[int, Kept] | None,
    filler: str,
) -> list[SheetRow]:
    """The form's rows for a day, each cell with its source. `entries` are the community's register
    entries (all kinds), `kept` this return's rows, `before` the previous period's (carried forward)."""
    rule = template.rows
    own = [e for e in entries if e.kind == rule.kind]
    links = _link_index(entries)
    before = before or {}
    wanted = {e.id for e in own if rule.picks(e.kind, e.values or {}, day)} | set(kept) | set(before)
    plan = [
        (spec, _kind_of(spec.code) if spec.register is not None else EVENT)
        for spec in catalog.columns(template)
    ]
    context = _Context(links, day.isoformat(), filler)
    rows = []
    for entry in own:
        today = kept.get(entry.id)
        if entry.id not in wanted or (today is not None and today.removed):
            continue
        yesterday = before.get(entry.id)
        if today is None and yesterday is not None and yesterday.removed:
            continue
        cells = tuple(_cell(spec, kind, entry, today, yesterday, context) for spec, kind in plan)
        rows.append(SheetRow(entry.id, entry.label, cells, carried=yesterday is not None))
    return rows


def counts(rows: Iterable[SheetRow]) -> Counts:
    prefilled = typed = empty = 0
    for row in rows:
        for cell in row.cells:
            if cell.source is Source.TYPED:
                typed += 1
            elif cell.source is Source.EMPTY:
                empty += 1
            else:
                prefilled += 1
    return Counts(prefilled, typed, empty)


def _kind_of(code: str) -> str:
    prefix = code.split(".", 1)[0]
    return next((kind for kind, p in ENTRY_PREFIX.items() if p == prefix), EVENT)


def _link_index(entries: Sequence[Entry]) -> dict[tuple[str, str], Entry]:
    """The community's houses by address and firms by name, for a resident's row."""
    index: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if entry.kind in ("house", "enterprise"):
            index.setdefault((entry.kind, entry.label), entry)
    return index


@dataclass(frozen=True)
class _Context:
    links: dict[tuple[str, str], Entry]
    day: str
    filler: str


def _cell(
    spec: FieldSpec, kind: str, entry: Entry, today: Kept | None, yesterday: Kept | None, context: _Context
) -> Cell:
    code = spec.code
    typed = today is not None and code in today.typed
    if kind != EVENT:
        source_entry = entry if kind == entry.kind else _linked(entry, kind, context.links)
        value = (source_entry.values or {}).get(code, "") if source_entry is not None else ""
        return Cell(code, value, Source.TYPED if typed and value else _found(value, Source.REGISTER))
    if today is not None and today.values.get(code):
        return Cell(code, today.values[code], Source.TYPED if typed else Source.CARRIED)
    if spec.register is None and yesterday is not None and yesterday.values.get(code):
        return Cell(code, yesterday.values[code], Source.CARRIED)  # a local value carries forward
    if code == "event.date":
        return Cell(code, context.day, Source.AUTO)
    if code == "event.inspector" and context.filler:
        return Cell(code, context.filler, Source.AUTO)
    return Cell(code, "", Source.EMPTY)


def _linked(entry: Entry, kind: str, links: dict[tuple[str, str], Entry]) -> Entry | None:
    link = LINKS.get((entry.kind, kind))
    if link is None:
        return None
    return links.get((kind, (entry.values or {}).get(link[0], "")))


def _found(value: str, source: Source) -> Source:
    return source if value else Source.EMPTY
