"""The working calendar as operators keep it: enter a year from the State Council's notice (validated,
audited, seen by every process), see where each year stands, and learn in time that the next one is due.

A year not yet entered is provisional (statutory holidays and weekends, no 调休): deadlines are still
computed, marked 暂定 and logged. Entering the year recomputes the open cases' provisional deadlines."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import Area, CalendarYear, Meta
from govgrid.domain.areas import AreaLevel
from govgrid.domain.calendar_notice import Notice, NoticeRejected, check_notice, read_days
from govgrid.domain.errors import InvalidInput
from govgrid.domain.moments import check_moment
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.worktime import CHINA, WorkCalendar, YearOverride, YearSource
from govgrid.services import audit

log = logging.getLogger("govgrid.calendar")
REVISION_KEY = "calendar_revision"
WARN_DAYS = 60  # the admin workspace asks for next year's notice this long before the last official day
NATIONAL = "000000"  # the State Council's calendar applies to every district of a deployment


def deployment_district(session: Session) -> str:
    """The district code calendar years are kept under (the first district; the calendar is national)."""
    code = session.scalar(select(Area.code).where(Area.level == AreaLevel.DISTRICT.value).order_by(Area.code))
    return code[:6] if code else NATIONAL


def entered_years(session: Session, district_code: str) -> dict[int, YearOverride]:
    rows = session.scalars(select(CalendarYear).where(CalendarYear.district_code == district_code))
    return {
        row.year: YearOverride(
            frozenset(date.fromisoformat(d) for d in row.holidays),
            frozenset(date.fromisoformat(d) for d in row.workdays),
            is_complete=True,
            source=row.source,
        )
        for row in rows
    }


def _revision(session: Session) -> str:
    return session.scalar(select(Meta.value).where(Meta.key == REVISION_KEY)) or "0"


class CalendarSync:
    """Keeps one process's calendar in step with the years entered in the database: a change made by
    another process (the CLI, a second server) is picked up within `interval`."""

    def __init__(self, calendar: WorkCalendar, interval: timedelta = timedelta(seconds=30)) -> None:
        self.calendar = calendar
        self.interval = interval
        self._seen: str | None = None
        self._checked_at: datetime | None = None

    def refresh(self, session: Session, *, force: bool = False) -> None:
        now = datetime.now(CHINA)
        if not force and self._checked_at is not None and now - self._checked_at < self.interval:
            return
        self._checked_at = now
        revision = _revision(session)
        if force or revision != self._seen:
            self.calendar.enter_years(entered_years(session, deployment_district(session)))
            self._seen = revision


class _DatesAsText(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so "2027-13-01" is reported by the notice's own check."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_notice(text: str, year: int) -> Notice:
    """A notice file (YAML or JSON): `holidays` and `workdays` (dates or ranges), optional `source` (文号)
    and `year`, which must agree with the year asked for."""
    try:
        doc: Any = yaml.load(text, Loader=_DatesAsText)  # noqa: S506 (a SafeLoader: dates stay text)
    except (yaml.YAMLError, ValueError) as exc:
        raise NoticeRejected([f"文件不是有效的 YAML/JSON：{str(exc)[:200]}"]) from None
    if not isinstance(doc, dict):
        raise NoticeRejected(["文件须含 holidays（放假日）和 workdays（调休上班日）两项"])
    unknown = sorted(str(k) for k in doc if k not in ("year", "source", "holidays", "workdays"))
    if unknown:
        raise NoticeRejected([f"未知的项 {', '.join(unknown)}（可用：year、source、holidays、workdays）"])
    if "year" in doc and doc["year"] != year:
        raise NoticeRejected([f"文件中的年份 {doc['year']} 与命令中的 {year} 不一致"])
    return parse_notice_fields(year, doc.get("holidays"), doc.get("workdays"), str(doc.get("source") or ""))


def parse_notice_fields(year: int, holidays: object, workdays: object, source: str) -> Notice:
    """The notice from its parts (a file, or the calendar page's form), checked; every problem listed."""
    problems: list[str] = []
    days_off = read_days(holidays, "holidays", problems)
    days_on = read_days(workdays, "workdays", problems)
    if not days_off and not problems:
        problems.append("holidays（放假日）不能为空")
    if problems:
        raise NoticeRejected(problems)
    return check_notice(year, days_off, days_on, source)


@dataclass(frozen=True)
class YearEntered:
    year: int
    holidays: int
    workdays: int
    replaced: bool  # the year had been entered before
    rescheduled: int  # open cases whose provisional deadlines were recomputed


def require_manager(session: Session, actor: Actor) -> None:
    """Only administrators enter years: checked before the notice is even read."""
    authorize(actor, Action.MANAGE_CALENDAR, area_code=deployment_district(session))


def set_year(
    session: Session,
    *,
    actor: Actor,
    calendar: WorkCalendar,
    notice: Notice,
    now: datetime,
    reschedule: Any = None,
) -> YearEntered:
    """Make a year official from its notice (administrators only). Audited; every process sees it within
    its refresh interval, this one at once. `reschedule(session, year)` recomputes provisional deadlines."""
    require_manager(session, actor)
    district = deployment_district(session)
    existing = session.get(CalendarYear, (district, notice.year))
    row = existing or CalendarYear(district_code=district, year=notice.year)
    row.holidays = sorted(d.isoformat() for d in notice.holidays)
    row.workdays = sorted(d.isoformat() for d in notice.workdays)
    row.source, row.entered_by, row.entered_at = notice.source, actor.username, now
    session.add(row)
    _bump_revision(session)
    audit.record(
        session,
        actor=actor,
        action="calendar.set_year",
        entity_type="calendar_year",
        entity_id=str(notice.year),
        now=now,
        scope_code=district,
        detail={
            "holidays": row.holidays,
            "workdays": row.workdays,
            "source": notice.source,
            "replaced": existing is not None,
        },
    )
    session.commit()
    calendar.enter_years(entered_years(session, district))
    log.info(
        "%s 年节假日安排已录入（%s）：放假 %d 天、调休上班 %d 天",
        notice.year,
        notice.source or "未注明文号",
        len(notice.holidays),
        len(notice.workdays),
    )
    moved = reschedule(session, notice.year) if reschedule is not None else 0
    return YearEntered(notice.year, len(notice.holidays), len(notice.workdays), existing is not None, moved)


def _bump_revision(session: Session) -> None:
    meta = session.get(Meta, REVISION_KEY)
    if meta is None:
        session.add(Meta(key=REVISION_KEY, value="1"))
    else:
        meta.value = str(int(meta.value) + 1)


@dataclass(frozen=True)
class YearStatus:
    year: int
    source: YearSource
    days_off: list[tuple[date, str]]  # weekday holidays, with their names where known
    weekend_workdays: list[date]  # 调休 weekend days worked
    notice: str


def year_status(calendar: WorkCalendar, year: int) -> YearStatus:
    """How a year stands: where its days come from, its weekday days off and its worked weekend days."""
    source = calendar.source_of(year)
    from govgrid.domain.worktime import statutory_holidays

    names = statutory_holidays(year)
    day, off, worked = date(year, 1, 1), [], []
    while day.year == year:
        if day.weekday() < 5 and not calendar.is_workday(day):
            off.append((day, names.get(day, "放假")))
        elif day.weekday() >= 5 and calendar.is_workday(day):
            worked.append(day)
        day += timedelta(days=1)
    notice = calendar.entered[year].source if year in calendar.entered else ""
    return YearStatus(year, source, off, worked, notice)


def calendar_warning(calendar: WorkCalendar, today: date) -> str | None:
    """The admin's notice that the official calendar is about to run out (WARN_DAYS before its last day)."""
    last = calendar.last_official_day()
    left = (last - today).days
    if left > WARN_DAYS:
        return None
    following = last.year + 1
    if left < 0:
        return (
            f"{following} 年的节假日安排尚未录入，期限正按暂定日历（法定节日和周末，未含调休）计算。"
            f"请据国务院办公厅通知录入：govgrid calendar set-year {following} 文件，或在「工作日历」页录入。"
        )
    return (
        f"正式节假日安排只到 {last.isoformat()}（还有 {left} 天）。{following} 年的期限将按暂定日历计算，"
        f"国务院办公厅通知发布后请尽快录入：govgrid calendar set-year {following} 文件，或在「工作日历」页录入。"
    )


def parse_moment(text: str) -> datetime:
    """A moment typed by an operator (2026-12-28T10:00, 2026-12-28 10:00); without a zone it is Beijing time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise InvalidInput(f"时间“{text[:30]}”无效（如 2026-12-28T10:00）", field="start") from None
    return check_moment(moment if moment.tzinfo else moment.replace(tzinfo=CHINA), "start")


MAX_LIMIT = {"紧急时": 24 * 365, "工作时": 8 * 250 * 2, "工作日": 500, "自然日": 730}  # two years at most


def parse_limit(text: str, unit: str) -> float:
    """A time limit typed by an operator: a finite positive number, at most about two years."""
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"时限“{text[:20]}”不是数字", field="amount") from None
    if not (value == value and 0 < value <= MAX_LIMIT.get(unit, 0)):
        raise InvalidInput(f"时限须大于 0 且不超过 {MAX_LIMIT.get(unit, 0)}{unit}", field="amount")
    return value
