"""`govgrid calendar`: enter a year's holidays and 调休 from the State Council's notice, ask when
something is due, and see where each year stands (official or provisional)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from govgrid.cli.context import Context, pass_context
from govgrid.domain.errors import DomainError
from govgrid.domain.worktime import CHINA, YEAR_SOURCE_LABEL, TimeUnit


def _calendar(obj: Context):
    """The catalogue's calendar with every year entered in the database."""
    from govgrid.services.work_calendar import CalendarSync

    calendar = obj.catalogs.case_rules.calendar
    with obj.migrated_sessions()() as session:
        CalendarSync(calendar).refresh(session, force=True)
    return calendar


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


@click.group()
def calendar() -> None:
    """工作日历：录入节假日安排、计算期限、查看各年状态。"""


@calendar.command("set-year")
@click.argument("year", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def set_year(obj: Context, year: int, path: Path) -> None:
    """Enter YEAR's holidays and 调休 from a YAML/JSON file (holidays, workdays, source); all or nothing."""
    from govgrid.services.cases.steps import reschedule_provisional
    from govgrid.services.work_calendar import parse_notice
    from govgrid.services.work_calendar import set_year as enter

    if path.stat().st_size > 64 * 1024:
        _fail(f"{path} 超过 64 KB，不像节假日安排文件")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{path} 不是 UTF-8 编码")
    sessions = obj.migrated_sessions()
    rules = obj.catalogs.case_rules
    calendar_ = _calendar(obj)
    operator = obj.operator()
    with sessions() as session:
        try:
            notice = parse_notice(text, year)
            done = enter(
                session,
                actor=operator,
                calendar=calendar_,
                notice=notice,
                now=obj.now(),
                reschedule=lambda s, _year: reschedule_provisional(
                    s, actor=operator, rules=rules, now=obj.now()
                ),
            )
        except DomainError as exc:
            for problem in getattr(exc, "problems", [exc.message]):
                click.echo(f"错误：{problem}", err=True)
            sys.exit(2)
    verb = "已更新" if done.replaced else "已录入"
    click.echo(
        f"{year} 年节假日安排{verb}：放假（含周末）{done.holidays} 天、调休上班 {done.workdays} 天；"
        f"按正式安排重算了 {done.rescheduled} 件在办案件的暂定期限"
    )


@calendar.command("due")
@click.argument("start")
@click.argument("amount")
@click.argument("unit", type=click.Choice([u.value for u in TimeUnit]))
@pass_context
def due(obj: Context, start: str, amount: str, unit: str) -> None:
    """When a time limit counted from START ends: govgrid calendar due 2026-12-28T10:00 20 工作日."""
    from govgrid.services.work_calendar import parse_limit, parse_moment

    calendar_ = _calendar(obj)
    try:
        deadline = calendar_.due(parse_moment(start), parse_limit(amount, unit), TimeUnit(unit))
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"期限：{deadline.at.astimezone(CHINA):%Y-%m-%d %H:%M:%S}（北京时间）")
    if deadline.is_provisional:
        years = [
            y for y in range(parse_moment(start).year, deadline.at.year + 1) if calendar_.is_provisional(y)
        ]
        click.echo(
            f"暂定：{'、'.join(map(str, years))} 年的节假日安排尚未录入，按法定节日和周末计算，未含调休"
        )
    else:
        click.echo("正式：所经各年的节假日安排均已确定")


@calendar.command("status")
@click.argument("year", type=int, required=False)
@pass_context
def status(obj: Context, year: int | None) -> None:
    """Where each year stands (official or provisional); with YEAR, its weekday days off and 调休."""
    from govgrid.services.work_calendar import calendar_warning, year_status

    calendar_ = _calendar(obj)
    today = datetime.now(UTC).astimezone(CHINA).date()
    click.echo(f"正式节假日安排截至 {calendar_.last_official_day().isoformat()}")
    warning = calendar_warning(calendar_, today)
    if warning:
        click.echo(f"提醒：{warning}")
    for shown in [year] if year else range(today.year - 1, today.year + 3):
        try:
            found = year_status(calendar_, shown)
        except DomainError as exc:
            _fail(exc.message)
        line = f"{shown} 年：{YEAR_SOURCE_LABEL[found.source]}" + (
            f"（{found.notice}）" if found.notice else ""
        )
        click.echo(line)
        if year:
            for day, name in found.days_off:
                click.echo(f"  放假 {day.isoformat()} {name}")
            for day in found.weekend_workdays:
                click.echo(f"  调休上班 {day.isoformat()}")
