"""历史案件导入: the cases an incumbent system (数字城管, 12345) hands over, with their histories rebuilt.

An administrator's action (any 来源). The whole file is read and every row checked first — its cells, its
class and unit, its point inside the district, its times and status laid out as steps (domain.case_import)
— and every bad row is reported by sheet, row, column and value; nothing is written unless all pass. The
cases are then written through the history replay (services.cases.replay): each step by the transition
table and the permission table, as the old system's center or the unit that handled it, at its own time,
with the old system's deadlines kept. (source, 案件编号) is each case's retry key: a file imported again
adds nothing, and an order a connector of that id already pushed is reported as present."""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import AuditEvent
from govgrid.domain.case_import import (
    FILLED_IN,
    By,
    OldExtension,
    OldStep,
    history_of,
)
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.roles import Role
from govgrid.domain.workflow import Loop, Step
from govgrid.excel.case_sheet import read_cases
from govgrid.excel.ledger_read import RowError, UnreadableFile
from govgrid.services import audit
from govgrid.services.assessment.rollups import catch_up, forget
from govgrid.services.cases.case_import_rows import Lookup, outside_rows, read_row
from govgrid.services.cases.intake import Report, known_keys
from govgrid.services.cases.replay import PastCase, PastExtension, PastStep, replay
from govgrid.services.geo.geography import district_for
from govgrid.services.geo.locate import LocatorCache
from govgrid.uploads.limits import MB, SheetLimits

LIMITS = SheetLimits(max_bytes=60 * MB, max_rows=200_001, max_cells=5_000_000)
SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
DEFAULT_SOURCE = "import"
SHOWN_ERRORS = 200
CHUNK = 2000


@dataclass
class CasesImported:
    rows: int
    created: int
    present: int  # already here under (source, 案件编号): imported before, or pushed by that connector
    seconds: float
    case_ids: list[int] = field(default_factory=list)


class CasesRejected(InvalidInput):
    """Rows the import refuses; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors, self.total = errors[:SHOWN_ERRORS], len(errors)
        super().__init__(f"{self.total} 处问题，未导入：{errors[0]}", field="file")


def import_cases(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    locator: LocatorCache,
    data: bytes,
    filename: str,
    now: datetime,
    source: str = DEFAULT_SOURCE,
    progress: Callable[[str], None] = lambda _: None,
    limits: SheetLimits = LIMITS,
    pause_gc: bool = False,
) -> CasesImported:
    """Check the whole file, then write its new cases with their histories (CasesRejected lists every bad
    row; nothing is then written). `pause_gc`: the console's import pauses the cyclic garbage collector (a
    process of its own; a server's threads would all feel it)."""
    authorize(actor, Action.IMPORT_CASES, area_code=actor.scope_code)
    with _no_cyclic_gc() if pause_gc else nullcontext():
        return _import(session, actor, rules, locator, data, filename, now, source, progress, limits)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A file's hundred thousand rows make millions of small objects and no cycles worth collecting;
    the cyclic collector would rescan them all, over and over (a 100,000-row file took a third longer)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(
    session: Session,
    actor: Actor,
    rules: CaseRules,
    locator: LocatorCache,
    data: bytes,
    filename: str,
    now: datetime,
    source: str,
    progress: Callable[[str], None],
    limits: SheetLimits,
) -> CasesImported:
    started = time.perf_counter()
    if not SOURCE_NAME.match(source):
        raise InvalidInput("来源名须为小写字母开头的字母、数字、-、_（至多 32 个）", field="source")
    try:
        sheet, errors = read_cases(data, filename, limits)
    except UnreadableFile as exc:
        raise CasesRejected([exc.error]) from None
    if errors:
        raise CasesRejected(errors)
    progress(f"检查 {len(sheet.rows):,} 行…")
    district, _ = district_for(session, actor)  # the importer's district (the first of a city's people's)
    lookup = Lookup.of(session, rules, locator)
    checked = _check(sheet.sheet.name, sheet.rows, lookup, district, source)
    if not checked.cases and not checked.errors:
        checked.errors.append(RowError(sheet.sheet.name, 0, "", "", "表中没有任何案件"))
    if checked.errors:
        raise CasesRejected(checked.errors)
    fresh, present = _new_only(session, source, checked.cases)
    written = _write(session, rules, locator, fresh, progress)
    audit.record(
        session,
        actor=actor,
        action="case.import",
        entity_type="case_import",
        entity_id=filename[:60],
        now=now,
        scope_code=district,
        detail={"source": source, "rows": len(checked.cases), "created": len(written), "present": present},
    )
    session.commit()
    progress("更新考核汇总…")
    catch_up(
        session,
        rules=rules,
        district_code=district,
        now=now,
        progress=lambda done, total: progress(f"更新考核汇总：{done:,} / {total:,} 件"),
    )
    progress(f"完成：新建 {len(written):,} 件，已存在 {present:,} 件")
    return CasesImported(len(checked.cases), len(written), present, time.perf_counter() - started, written)


@dataclass
class _Checked:
    cases: list[PastCase] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _check(
    sheet: str, rows: list[tuple[int, dict[str, object]]], lookup: Lookup, district: str, source: str
) -> _Checked:
    checked = _Checked()
    center = Actor(
        None, f"import:{source}", Role.DISPATCHER, scope_code=district, display_name=f"历史导入（{source}）"
    )
    unit_actors = {
        code: Actor(
            None,
            f"import:{source}",
            Role.DEPARTMENT_OFFICER,
            scope_code=district,
            unit_id=unit_id,
            display_name=f"{lookup.unit_names[code]}（历史导入）",
        )
        for code, unit_id in lookup.unit_ids.items()
    }
    first_line: dict[str, int] = {}
    located: list[tuple[int, Report]] = []
    for line, cells in rows:
        read = read_row(sheet, line, cells, lookup)
        if isinstance(read, list):
            checked.errors += read
            continue
        report, old = read
        if old.number in first_line:
            checked.errors.append(
                RowError(sheet, line, "案件编号", old.number, f"与第 {first_line[old.number]} 行重复")
            )
            continue
        first_line[old.number] = line
        try:
            steps = history_of(old)
        except InvalidInput as exc:
            checked.errors.append(lookup.error(sheet, line, exc, cells))
            continue
        located.append((line, report))
        past_steps: list[PastStep | PastExtension] = []
        for step in steps:
            by = center if isinstance(step, OldExtension) or step.by is By.CENTER else None
            if isinstance(step, OldExtension):
                past_steps.append(PastExtension(step.at, center, step.until, "历史导入：原系统批准的延期"))
                continue
            who = by or unit_actors[_unit_of(steps, step)]
            past_steps.append(
                PastStep(
                    step=step.step,
                    at=step.at,
                    actor=who,
                    note=FILLED_IN if step.filled_in else f"历史导入（{source}）",
                    unit_code=step.unit_code,
                    due_at=step.due_at,
                    answers=step.answers,
                )
            )
        reported = old.registered_at or old.reported_at if old.loop is Loop.HOTLINE else old.reported_at
        checked.cases.append(PastCase(center, report, reported, past_steps, origin=(source, old.number)))
    outside = outside_rows(lookup, located)
    for line, report in located:
        if line in outside:
            cells = {"lng": report.lng}
            checked.errors.append(
                lookup.error(sheet, line, InvalidInput("坐标不在本系统管辖范围内", field="lng"), cells)
            )
    checked.errors.sort(key=lambda e: e.row)
    return checked


def _unit_of(steps: list[OldStep | OldExtension], step: OldStep) -> str:
    """The unit of the last 派遣 before a unit's step."""
    code = None
    for earlier in steps:
        if isinstance(earlier, OldStep) and earlier.step is Step.DISPATCH:
            code = earlier.unit_code
        if earlier is step:
            break
    assert code is not None
    return code


def _new_only(session: Session, source: str, cases: list[PastCase]) -> tuple[list[PastCase], int]:
    numbers = [c.origin[1] for c in cases if c.origin]
    seen = known_keys(session, source, numbers)
    fresh = [c for c in cases if c.origin and c.origin[1] not in seen]
    return fresh, len(cases) - len(fresh)


def _write(
    session: Session,
    rules: CaseRules,
    locator: LocatorCache,
    cases: list[PastCase],
    progress: Callable[[str], None],
) -> list[int]:
    """The checked cases through the replay, a chunk to a transaction; if a chunk is still refused (a rule
    the check could not see), the chunks already written are removed, so the file goes in whole or not at all."""
    written: list[int] = []
    try:
        for start in range(0, len(cases), CHUNK):
            done = replay(
                session, rules=rules, locator=locator, cases=cases[start : start + CHUNK], batch=CHUNK
            )
            written += done.cases
            progress(f"  已写入 {start + len(done.cases) + done.skipped:,}/{len(cases):,} 件")
    except Exception:  # a rule the check could not see, or the database (another import's same keys)
        session.rollback()
        _remove(session, rules, written)
        raise
    return written


def _remove(session: Session, rules: CaseRules, ids: list[int]) -> None:
    """Delete what a failed import wrote, taking it out of the rollups first (a catch-up may have rolled it)."""
    if ids:
        for district in sorted(
            set(session.scalars(select(Case.district_code).where(Case.id.in_(ids[:900]))))
        ):
            forget(session, rules=rules, district_code=district, case_ids=ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        session.execute(delete(CaseTransition).where(CaseTransition.case_id.in_(chunk)))
        session.execute(delete(Case).where(Case.id.in_(chunk)))
    session.commit()


@dataclass(frozen=True)
class PastImport:
    at: datetime
    by: str
    filename: str
    source: str
    rows: int
    created: int
    present: int


def recent_imports(session: Session, *, actor: Actor, limit: int = 10) -> list[PastImport]:
    """The last imports, from the audit log (who, when, which file, what it added)."""
    authorize(actor, Action.IMPORT_CASES, area_code=actor.scope_code)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "case.import")
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        PastImport(
            e.at,
            e.actor_name,
            e.entity_id,
            str(e.detail.get("source", "")),
            int(e.detail.get("rows", 0)),
            int(e.detail.get("created", 0)),
            int(e.detail.get("present", 0)),
        )
        for e in events
    ]
