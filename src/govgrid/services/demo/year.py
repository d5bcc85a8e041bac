"""A year of work orders for the demo district — synthetic and labelled so, deterministic (seeded), and made
through the same case builder and transition table as live cases (services.cases.replay): each report is
admitted and placed in its grid, each step is taken by a plausible person of the right unit at a time on the
working calendar, and a step whose time has not come yet is not taken, so the last days' cases are still
open and a few late ones are overdue today. Units differ in how late they work, so rankings mean something."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.catalog import CatalogSource
from govgrid.catalog.bundle import load_policy
from govgrid.db.models import Area, OrgUnit, ResponsibilityGrid, UnitGrid, User
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.history import SideAction
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.domain.workflow import ClosureType, Loop, Step
from govgrid.domain.worktime import CHINA
from govgrid.geo.crs import Crs
from govgrid.services.cases.intake import Report
from govgrid.services.cases.replay import Marking, PastCase, PastSide, PastStep, replay
from govgrid.services.demo import replies as demo_replies
from govgrid.services.demo.people import demo_citizens, unit_handlers
from govgrid.services.demo.year_spec import YearSpec, load_year_spec
from govgrid.services.demo.year_steps import Steps, chunks
from govgrid.services.geo.locate import LocatorCache

Progress = Callable[[str], None]
CHUNK = 2000  # cases generated and replayed at a time (memory stays flat)


@dataclass(frozen=True)
class DemoYear:
    cases: int
    seconds: float
    by_channel: dict[str, int]
    by_outcome: dict[str, int]
    still_open: int


@dataclass(frozen=True)
class _Place:
    grid_code: str
    lng: float
    lat: float
    street_code: str
    label: str  # 街道 + 社区, as a reporter names the place
    worker: Actor


@dataclass
class _Run:
    rules: CaseRules
    spec: YearSpec
    rng: random.Random
    now: datetime
    places: list[_Place]
    dispatcher: Actor
    supervisor: Actor
    handlers: dict[str, Actor]
    citizens: list[Actor]
    connectors: dict[str, Actor]
    lateness: dict[str, float]  # by unit code: how much more often than the mean it is late
    unit_names: dict[str, str] = field(default_factory=dict)
    replies: demo_replies.ReplySpec | None = None  # the 12345 replies, scored as live ones are
    outcomes: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    open_now: int = 0


def build_demo_year(
    session: Session,
    *,
    rules: CaseRules,
    source: CatalogSource,
    area_code: str,
    now: datetime,
    progress: Progress = lambda _: None,
    days: int | None = None,
    staff: tuple[str, str] = ("dispatcher", "supervisor"),
) -> DemoYear:
    """Generate and replay the year (or its last `days` days) in the district `area_code`, CHUNK cases at a
    time; `staff` are the usernames of its dispatcher and supervisor."""
    started = time.perf_counter()
    spec = load_year_spec(source, rules)
    if days is not None:
        spec = replace(spec, days=max(1, min(days, spec.days)))
    run = _start(session, rules, spec, area_code, now, staff)
    run.replies = demo_replies.load_reply_spec(source)
    locator = LocatorCache()
    marking = Marking(
        load_policy(source.load("supervision.yaml")), now
    )  # the sweeper's marks, as it gives them
    total = 0
    for chunk in chunks(_generate(run), CHUNK):
        done = replay(session, rules=rules, locator=locator, cases=chunk, batch=1000, marking=marking)
        total += len(done.cases)
        progress(f"  已生成 {total} 件案件（合成数据）…")
    return DemoYear(
        cases=total,
        seconds=time.perf_counter() - started,
        by_channel=dict(run.channels),
        by_outcome=dict(run.outcomes),
        still_open=run.open_now,
    )


def _start(
    session: Session, rules: CaseRules, spec: YearSpec, area_code: str, now: datetime, staff: tuple[str, str]
) -> _Run:
    rng = random.Random(spec.seed)
    units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.code)))
    own = [
        u for u in units if u.kind in ("department", "street") and (u.area_code or "").startswith(area_code)
    ]
    handlers = unit_handlers(session, own, area_code, now)
    lateness = {code: rng.uniform(*spec.spread) for code in sorted(handlers)}
    people = {u.username: u for u in session.scalars(select(User).where(User.username.in_(staff)))}
    from govgrid.services.people.accounts import actor_for

    return _Run(
        rules=rules,
        spec=spec,
        rng=rng,
        now=now,
        places=_places(session, area_code),
        dispatcher=actor_for(people[staff[0]]),
        supervisor=actor_for(people[staff[1]]),
        handlers=handlers,
        citizens=demo_citizens(session, spec.citizens, spec.surnames, random.Random(spec.seed + 1), now),
        connectors={
            cid: Actor(None, f"connector:{cid}", Role.CONNECTOR, scope_code=area_code, source=cid)
            for cid in rules.connectors
        },
        lateness=lateness,
        unit_names={u.code: u.name for u in units},
    )


def _places(session: Session, area_code: str) -> list[_Place]:
    """Every unit grid with a grid worker, with the names a reporter would give; a case is placed at its
    grid's centre, so that it falls in that grid and its grid worker may check it."""
    from govgrid.services.people.accounts import actor_for

    names = {a.code: a.name for a in session.scalars(select(Area).where(Area.code.startswith(area_code)))}
    workers = {
        r.code: actor_for(u)
        for r, u in session.execute(
            select(ResponsibilityGrid, User).join(User, User.id == ResponsibilityGrid.worker_id)
        )
    }
    rows = session.execute(
        select(UnitGrid.code, UnitGrid.center_lng, UnitGrid.center_lat, UnitGrid.responsibility_grid_code)
        .where(UnitGrid.code.startswith(area_code))
        .order_by(UnitGrid.code)
    ).all()
    index = LocatorCache().get(session).index
    found = []
    for code, lng, lat, owner in rows:
        if owner in workers and index.locate(lng, lat) == code:  # a centre inside its own grid
            street, community = code[:9], code[:12]
            label = f"{names.get(street, '')}{names.get(community, '')}"
            found.append(_Place(code, lng, lat, street, label, workers[owner]))
    if not found:
        raise ValueError("演示区没有配有网格员的单元网格")
    return found


def _generate(run: _Run) -> Iterator[PastCase]:
    spec, rng = run.spec, run.rng
    first = (run.now.astimezone(CHINA) - timedelta(days=spec.days)).date()
    shares = [c.share for c in spec.channels]
    number = 0
    for offset in range(1, spec.days + 1):
        day = first + timedelta(days=offset)
        mean = spec.per_day * spec.weekday[day.weekday()] * spec.month[day.month - 1]
        for _ in range(max(0, round(rng.gauss(mean, mean**0.5)))):
            at = datetime(day.year, day.month, day.day, tzinfo=CHINA) + timedelta(
                minutes=rng.triangular(6.5 * 60, 21.5 * 60, 10 * 60)
            )
            if at >= run.now:
                continue
            channel = rng.choices(spec.channels, weights=shares)[0]
            number += 1
            yield _case(run, channel.id, rng.choices(channel.classes, weights=channel.weights)[0], at, number)


def _case(run: _Run, channel: str, class_code: str, at: datetime, number: int) -> PastCase:
    rng, rules = run.rng, run.rules
    place = rng.choice(run.places)
    case_class = rules.case_class(class_code)
    where = f"{place.label}{rng.choice(run.spec.places)}"
    lines = run.spec.texts.get(class_code, run.spec.generic)
    title = rng.choice(lines).format(place=where, name=case_class.name)[:60]
    connector = rules.connectors.get(channel)
    loop = Loop(connector.loop) if connector else Loop.URBAN
    reporter = _reporter(run, channel, place)
    caller = f"{rng.choice(run.spec.surnames)}{'先生' if rng.random() < 0.5 else '女士'}"
    report = Report(
        channel=connector.channel if connector else channel,
        class_code=class_code,
        title=title,
        description=f"{where}：{title}。{case_class.register_condition}。（合成演示数据）",
        external_id=f"DEMO-{channel}-{number:07d}"
        if connector
        else str(uuid.uuid5(uuid.NAMESPACE_URL, f"govgrid-demo/{channel}/{number}")),
        lng=place.lng,
        lat=place.lat,
        crs=Crs.GCJ02,
        address=where,
        reporter_name=caller if channel in ("hotline12345", "citizen") else "",
        reporter_phone=f"1380531{rng.randrange(10_000):04d}" if channel == "hotline12345" else "",
        loop=loop,
    )
    run.channels[channel] += 1
    steps = (
        _hotline_steps(run, report, place, at)
        if loop is Loop.HOTLINE
        else _urban_steps(run, report, place, at)
    )
    return PastCase(reporter=reporter, report=report, reported_at=at, steps=steps, is_synthetic=True)


def _reporter(run: _Run, channel: str, place: _Place) -> Actor:
    if channel == "patrol":
        return place.worker
    if channel == "citizen":
        return run.rng.choice(run.citizens)
    return run.connectors[channel]


def _due(run: _Run, report: Report, at: datetime) -> datetime:
    amount, unit = run.rules.limit_for(report.class_code, report.loop, report.urgency, at_dispatch=True)
    return run.rules.calendar.due(at, amount, unit).at


def _unit_for(run: _Run, report: Report, place: _Place) -> str:
    code = run.rules.responsibility.unit_for(run.rules.case_class(report.class_code), place.grid_code)
    return code if code in run.handlers else place.street_code


def _finish_at(
    run: _Run, unit: str, start: datetime, due: datetime, late_share: float
) -> tuple[datetime, bool]:
    """When the unit feeds back: within its time, or after it for the late ones (more often for a slow unit)."""
    rng = run.rng
    is_late = rng.random() < late_share * run.lateness.get(unit, 1.0)
    span = max(due - start, timedelta(minutes=30))
    share = rng.uniform(1.05, 2.5) if is_late else rng.uniform(0.2, 0.95) ** run.lateness.get(unit, 1.0) ** -1
    return start + span * share, is_late


def _dispatch_and_handle(
    run: _Run, steps: Steps, report: Report, place: _Place, outcome: str
) -> tuple[str, datetime] | None:
    """派遣 (回退 and 改派 for the returned ones), 签收, 处置 or 先行联系, 反馈; the unit and its deadline."""
    rng = run.rng
    unit = _unit_for(run, report, place)
    if outcome == "returned":
        wrong = rng.choice([code for code in run.handlers if code != unit])
        if not steps.take(Step.DISPATCH, run.dispatcher, rng.uniform(0.05, 0.5), unit_code=wrong):
            return None
        if not steps.take(
            Step.RETURN, run.handlers[wrong], rng.uniform(0.2, 3), note="不属于本单位职责，申请回退"
        ):
            return None
    if not steps.take(Step.DISPATCH, run.dispatcher, rng.uniform(0.05, 0.5), unit_code=unit):
        return None
    dispatched = steps.at
    due = _due(run, report, dispatched)
    handler = run.handlers[unit]
    steps.take(Step.SIGN, handler, rng.uniform(0.05, 1.0))
    if report.loop is Loop.HOTLINE:
        steps.take(Step.CONTACT, handler, rng.uniform(0.1, 2.0), note="已电话联系来电人")
    steps.take(Step.HANDLE, handler, rng.uniform(0.1, 1.0))
    if outcome == "extended" and run.rules.case_class(report.class_code).is_extendable and steps.at < due:
        until = run.rules.calendar.add_workdays(due, rng.randint(3, 15))
        reason = "涉及多个部门协调，需延长处置时限"
        asked = steps.side(
            SideAction.EXTENSION_REQUEST, handler, steps.at + (due - steps.at) * 0.3, reason, until
        )
        if asked and steps.side(
            SideAction.EXTENSION_APPROVE, run.dispatcher, steps.at + (due - steps.at) * 0.3, "同意延期"
        ):
            run.outcomes["extended"] += 1
            due = until
    late_share = run.spec.outcomes["late"]
    finish, is_late = _finish_at(run, unit, steps.at, due, late_share)
    if not is_late and finish > due:
        finish = due - timedelta(minutes=5)
    if report.loop is Loop.HOTLINE and run.replies is not None:
        order = demo_replies.Order(
            report.title, report.description, report.address, run.unit_names[unit], handler, run.supervisor
        )
        answered = demo_replies.answer(run.replies, run.rules, rng, steps, order, finish)
    else:
        answered = steps.take_at(Step.FEED_BACK, handler, finish, note="已处置完毕，附处置后照片")
    if answered:
        run.outcomes["late" if is_late else "on_time"] += 1
    return unit, due


def _urban_steps(run: _Run, report: Report, place: _Place, at: datetime) -> list[PastStep | PastSide]:
    rng, shares = run.rng, run.spec.outcomes
    steps = Steps(run.rules.calendar, run.now, at)
    outcome = rng.choices(
        ["cancelled", "returned", "reworked", "parked", "forced", "ordinary"],
        weights=[
            shares["cancelled"],
            shares["returned"],
            shares["reworked"],
            shares["parked"],
            shares["forced"],
            1.0,
        ],
    )[0]
    if outcome == "ordinary" and run.rules.case_class(report.class_code).is_extendable:
        outcome = "extended" if rng.random() < shares["extended"] else outcome
    if outcome == "cancelled":
        if steps.take(Step.CANCEL, run.dispatcher, rng.uniform(0.1, 1.0), note="经核实不属于立案范围，作废"):
            run.outcomes["cancelled"] += 1
        return _done(run, steps)
    steps.take(Step.VERIFY, run.dispatcher, rng.uniform(0.05, 0.6))
    steps.take(Step.REGISTER, run.dispatcher, rng.uniform(0.05, 0.3))
    if outcome == "parked":
        if steps.take(Step.PARK, run.supervisor, rng.uniform(0.5, 8), note="需列入计划或资金安排，暂挂账"):
            run.outcomes["parked"] += 1
        if rng.random() > 0.4:
            return _done(run, steps)
        steps.take(Step.UNPARK, run.supervisor, rng.uniform(40, 200), note="资金已落实，解除挂账")
    handled = _dispatch_and_handle(run, steps, report, place, outcome)
    if handled is None:
        return _done(run, steps)
    unit, due = handled
    if outcome == "forced":
        if steps.take(
            Step.FORCE_CLOSE,
            run.supervisor,
            rng.uniform(1, 16),
            note="涉及历史遗留问题，特殊结案",
            closure_type=ClosureType.SPECIAL.value,
        ):
            run.outcomes["forced"] += 1
        return _done(run, steps)
    if outcome == "reworked":
        for _ in range(2 if rng.random() < 0.2 else 1):
            if not steps.take(
                Step.CHECK_FAIL, place.worker, rng.uniform(0.3, 4), note="现场核查未处置到位，返工"
            ):
                return _done(run, steps)
            run.outcomes["reworked"] += 1
            steps.take(Step.FEED_BACK, run.handlers[unit], rng.uniform(1, 12), note="已返工处置")
    if steps.at < due:  # 核查 follows soon: a case fed back in time is closed in time
        steps.take_at(Step.CHECK_PASS, place.worker, steps.at + (due - steps.at) * rng.uniform(0.1, 0.9))
    else:
        steps.take(Step.CHECK_PASS, place.worker, rng.uniform(0.2, 3), note="现场核查已处置")
    return _done(run, steps)


def _hotline_steps(run: _Run, report: Report, place: _Place, at: datetime) -> list[PastStep | PastSide]:
    rng, shares = run.rng, run.spec.outcomes
    steps = Steps(run.rules.calendar, run.now, at)
    outcome = "returned" if rng.random() < shares["returned"] else "ordinary"
    if _dispatch_and_handle(run, steps, report, place, outcome) is None:
        return _done(run, steps)
    odds = run.spec.callback
    contacted = rng.random() < odds["contacted"]
    resolved = contacted and rng.random() < odds["resolved"]
    pick = rng.random()
    satisfaction = (
        "satisfied"
        if pick < odds["satisfied"]
        else ("basically_satisfied" if pick < odds["satisfied"] + odds["basic"] else "dissatisfied")
    )
    answers = {
        "contacted": contacted,
        "resolved": resolved,
        "satisfaction": satisfaction if contacted else "dissatisfied",
    }
    if steps.take(Step.CALL_BACK, run.dispatcher, rng.uniform(0.5, 16), answers=answers):
        run.outcomes["called_back"] += 1
    steps.take(Step.EVALUATE, run.supervisor, rng.uniform(2, 40))
    return _done(run, steps)


def _done(run: _Run, steps: Steps) -> list[PastStep | PastSide]:
    if steps.stopped:
        run.open_now += 1
    return steps.taken
