"""What a bulletin says (日通报, 周通报, 月通报): facts with numbers, every one from the same metrics as the
考核 page (services.assessment) — what came in and through which channels, what closed and on time, what
is open and overdue at the period's end and whose, the ranking of streets and departments with praise and
criticism, the ledger's red items — and the data of its charts (30 days of intake and closure, the
streets' on-time rates, case density by community). Issued for the whole district by the system."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition, still_open
from govgrid.db.ledger_models import LedgerItem
from govgrid.db.models import Area, OrgUnit
from govgrid.domain.areas import district_of
from govgrid.domain.assessment import Period
from govgrid.domain.bulletins import KIND_LABEL, Kind, number_of, period_of, span, written
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.domain.units import UnitKind
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment.metrics import Slice, metrics
from govgrid.services.assessment.ranking import ranking
from govgrid.services.ledger.views import LedgerFilter, shown_ids

CLOSING_STEPS = ("check_pass", "force_close")
TREND_DAYS = 30


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Bulletin:
    kind: Kind
    issued_on: date
    period: Period
    office: str  # 发文机关
    doc_number: str  # 发文字号, with 〔〕
    title: str
    sections: list[Section]
    trend: list[tuple[date, int, int]]  # (day, reported, closed)
    rates: list[tuple[str, float | None]]  # streets' 按期结案率, period to date
    density: list[tuple[str, float, float, int]]  # (community, lng, lat, cases reported in the period)
    summary: str  # the lines pushed to the groups

    @property
    def label(self) -> str:
        return KIND_LABEL[self.kind]


def compose(session: Session, *, rules: CaseRules, kind: Kind, issued_on: date, district: str) -> Bulletin:
    """The bulletin of one district (its streets' ranks, its departments', its ledger's red items)."""
    district_name = session.scalar(select(Area.name).where(Area.code == district)) or district
    actor = Actor(None, "system:bulletin", Role.LEADER, scope_code=district, display_name="系统（通报）")
    period = period_of(kind, issued_on)
    to_date = Period(period.first.replace(day=1), period.last) if kind is not Kind.MONTHLY else period
    found = metrics(session, actor=actor, rules=rules, period=period, by=Slice.CHANNEL, compare=False)
    streets = ranking(
        session,
        actor=actor,
        rules=rules,
        period=to_date,
        by=Slice.STREET,
        scheme_id=rules.assessment.default_scheme,
    )
    units = ranking(
        session,
        actor=actor,
        rules=rules,
        period=to_date,
        by=Slice.DEPARTMENT,
        scheme_id=rules.assessment.default_scheme,
    )
    total = found["total"]
    office = session.scalar(
        select(OrgUnit.name).where(
            OrgUnit.kind == UnitKind.COMMAND_CENTER.value, OrgUnit.area_code == district
        )
    ) or (f"{district_name}城市运行综合指挥中心")
    open_then = _open_at(session, actor, period.end)
    sections = [
        _overall(period, total, found["rows"], open_then),
        _ranking(to_date, streets, units),
        _overdue(session, period, open_then[2]),
        _ledger(session, actor),
        _praise(streets, units),
    ]
    title = f"关于{span(period)}城市管理案件办理情况的{KIND_LABEL[kind]}"
    rate = _pct(total["on_time_rate"])
    summary = (
        f"{span(period)}：上报 {total['reported']} 件，立案 {total['registered']} 件，结案 {total['closed']} 件，"
        f"按期结案率 {rate}"
    )
    return Bulletin(
        kind=kind,
        issued_on=issued_on,
        period=period,
        office=office,
        doc_number=f"{district_name[:2]}指挥通〔{issued_on.year}〕{number_of(kind, issued_on)}号",
        title=title,
        sections=sections,
        trend=_trend(session, actor, period),
        rates=[(e["name"], e["figures"]["on_time_rate"]) for e in streets["ranked"] + streets["unranked"]],
        density=_density(session, district, period),
        summary=summary,
    )


def _pct(value: float | None) -> str:
    return f"{value * 100:.2f}%" if value is not None else "—"


def _overall(
    period: Period, total: dict[str, Any], channels: list[dict[str, Any]], open_now: tuple[int, int, Any]
) -> Section:
    by_channel = "、".join(f"{r['name']} {r['reported']} 件" for r in channels if r["reported"])
    text = (
        f"{span(period)}，全区共上报案件 {total['reported']} 件（{by_channel or '无'}），立案 {total['registered']} 件，"
        f"派遣 {total['dispatched']} 件，结案 {total['closed']} 件。应结案 {total['due']} 件，按期结案 "
        f"{total['closed_on_time']} 件，按期结案率 {_pct(total['on_time_rate'])}，结案率 {_pct(total['closure_rate'])}；"
        f"返工 {total['reworked']} 件，督办 {total['supervised']} 件。"
    )
    still = f"截至{written(period.last)}24时，在办案件 {open_now[0]} 件，其中超过处置时限 {open_now[1]} 件。"
    hotline = ""
    if total["callbacks"]:
        hotline = (
            f"12345 热线有效回访 {total['callbacks']} 件，响应率 {_pct(total['response_rate'])}，"
            f"解决率 {_pct(total['resolution_rate'])}，满意率 {_pct(total['satisfaction_rate'])}。"
        )
    return Section("一、总体情况", [text, still + hotline])


def _ranking(to_date: Period, streets: dict[str, Any], units: dict[str, Any]) -> Section:
    lines = []
    for label, board in (("街道", streets), ("责任单位", units)):
        ranked = board["ranked"]
        if not ranked:
            lines.append(f"{label}：应结案均不足 {board['scheme']['min_count']} 件，本期不排名。")
            continue
        top = "、".join(f"{e['name']}（{e['score']:.2f} 分）" for e in board["red"])
        bottom = "、".join(f"{e['name']}（{e['score']:.2f} 分）" for e in board["black"])
        lines.append(f"{label}综合评分前列：{top}" + (f"；靠后：{bottom}。" if bottom else "。"))
    return Section(f"二、各街道、部门办理情况（{span(to_date)}，{streets['scheme']['name']}）", lines)


def _open_at(session: Session, actor: Actor, end: datetime) -> tuple[int, int, Counter[int]]:
    """Cases open at `end` (reported before, not closed, cancelled or removed by then), how many of them
    were past their deadline then, and those by the unit of their last 派遣 — from the history as it stood."""
    from govgrid.domain.assessment import events_of, facts_at
    from govgrid.domain.workflow import FINAL, Loop
    from govgrid.services.cases.reach import visible_cases

    finished = select(CaseTransition.case_id).where(
        CaseTransition.at >= end, CaseTransition.to_status.in_([s.value for s in FINAL])
    )
    candidates = select(Case.id, Case.loop).where(
        visible_cases(actor),
        Case.reported_at < end,
        still_open() | Case.id.in_(finished),
    )
    loops = dict(session.execute(candidates).all())
    rows: dict[int, list[Any]] = defaultdict(list)
    for case_id, at, step, to_status, detail in session.execute(
        select(
            CaseTransition.case_id,
            CaseTransition.at,
            CaseTransition.step,
            CaseTransition.to_status,
            CaseTransition.detail,
        )
        .where(CaseTransition.case_id.in_(candidates.with_only_columns(Case.id)), CaseTransition.at < end)
        .order_by(CaseTransition.case_id, CaseTransition.id)
    ):
        rows[case_id].append((at, step, to_status, detail))
    open_count, overdue = 0, Counter[int]()
    for case_id, loop in loops.items():
        facts = facts_at(Loop(loop), events_of(rows.get(case_id, [])), end)
        if facts.status is None or facts.status in {s.value for s in FINAL} or facts.closed_at is not None:
            continue
        open_count += 1
        if facts.deadline is not None and facts.deadline < end:
            overdue[facts.unit_id or 0] += 1
    return open_count, sum(overdue.values()), overdue


def _overdue(session: Session, period: Period, by_unit: Counter[int]) -> Section:
    """The cases past their deadline and still open at the period's end, by unit (the most behind first)."""
    heading = "三、超期未办结案件"
    if not by_unit:
        return Section(heading, [f"截至{written(period.last)}24时，无超期未办结案件。"])
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(list(by_unit)))).all())
    listed = "、".join(f"{names.get(unit, '未派遣')} {count} 件" for unit, count in by_unit.most_common(5))
    total = sum(by_unit.values())
    return Section(
        heading,
        [
            f"截至{written(period.last)}24时，超期未办结案件共 {total} 件，较多的单位：{listed}。请相关单位加快办理。"
        ],
    )


def _ledger(session: Session, actor: Actor) -> Section:
    red, _ = shown_ids(session, actor=actor, wanted=LedgerFilter(light="red", tasks_only=True))
    yellow, _ = shown_ids(session, actor=actor, wanted=LedgerFilter(light="yellow", tasks_only=True))
    if not red:
        return Section("四、督办台账", [f"目前无红灯事项，黄灯事项 {len(yellow)} 项。"])
    items = session.execute(
        select(LedgerItem.content, OrgUnit.name, LedgerItem.deadline_at)
        .outerjoin(OrgUnit, OrgUnit.id == LedgerItem.lead_unit_id)
        .where(LedgerItem.id.in_(sorted(red)[:500]))
        .order_by(LedgerItem.deadline_at)
        .limit(8)
    ).all()
    listed = "；".join(
        f"{content[:40]}（{unit or '未定牵头单位'}，时限 {deadline.astimezone(CHINA):%m月%d日}）"
        if deadline
        else f"{content[:40]}（{unit or '未定牵头单位'}）"
        for content, unit, deadline in items
    )
    return Section(
        "四、督办台账", [f"目前红灯事项 {len(red)} 项、黄灯事项 {len(yellow)} 项。红灯事项：{listed}。"]
    )


def _praise(streets: dict[str, Any], units: dict[str, Any]) -> Section:
    good = [e["name"] for e in streets["red"][:3] + units["red"][:3]]
    bad = [e["name"] for e in streets["black"][:3] + units["black"][:3]]
    lines = []
    if good:
        lines.append(f"对{'、'.join(good)}予以表扬。")
    if bad:
        lines.append(f"对{'、'.join(bad)}予以通报批评，请于 3 个工作日内分析原因、提出整改措施。")
    return Section("五、表扬与批评", lines or ["本期无排名单位。"])


def _trend(session: Session, actor: Actor, period: Period) -> list[tuple[date, int, int]]:
    from govgrid.services.cases.reach import visible_cases

    first = period.last - timedelta(days=TREND_DAYS - 1)
    start = datetime.combine(first, datetime.min.time(), CHINA)
    reported = Counter(
        at.astimezone(CHINA).date()
        for at in session.scalars(
            select(Case.reported_at).where(
                visible_cases(actor), Case.reported_at >= start, Case.reported_at < period.end
            )
        )
    )
    closed = Counter(
        at.astimezone(CHINA).date()
        for at in session.scalars(
            select(CaseTransition.at).where(
                CaseTransition.district_code == district_of(actor.scope_code),  # the bulletin's district
                CaseTransition.at >= start,
                CaseTransition.at < period.end,
                CaseTransition.step.in_(CLOSING_STEPS),
            )
        )
    )
    return [
        (first + timedelta(days=n), reported[first + timedelta(days=n)], closed[first + timedelta(days=n)])
        for n in range(TREND_DAYS)
    ]


def _density(session: Session, district: str, period: Period) -> list[tuple[str, float, float, int]]:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for grid, lng, lat in session.execute(
        select(Case.grid_code, Case.lng, Case.lat).where(
            Case.district_code == district,
            Case.reported_at >= period.start,
            Case.reported_at < period.end,
            Case.grid_code.is_not(None),
        )
    ):
        if grid and lng is not None and lat is not None:
            points[grid[:12]].append((lng, lat))
    names = dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(list(points)))).all())
    return [
        (
            names.get(code, code),
            sum(p[0] for p in found) / len(found),
            sum(p[1] for p in found) / len(found),
            len(found),
        )
        for code, found in sorted(points.items())
    ]
