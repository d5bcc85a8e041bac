"""What a ledger item and a progress report must be, written once. `NewItem` and `NewReport` are the commands
(the JSON API's bodies are built from them, the pages and the Excel import fill them); `check_item` and
`check_report` return every problem, each naming its field, so a service raises the first and an import
reports them all, row by row. The column lengths live here too: the tables are declared with them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Annotated, Any

from annotated_types import Ge, Le, MaxLen

from govgrid.domain.areas import is_within
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import Direction, Target
from govgrid.domain.ledger_states import KIND_LABEL, WORK_KINDS, ItemKind, ItemStatus, ReportKind
from govgrid.domain.moments import check_moment
from govgrid.domain.quantity import MAX_AMOUNT, check_amount
from govgrid.domain.text import check_chars, is_blank
from govgrid.domain.worktime import CHINA, END_OF_DAY

PATH_SEP = "/"  # 上级序号 is the parent's path, such as "JD/一"
LENGTHS = {  # the columns of ledger_item, progress_report and ledger_milestone
    "kind": 12,
    "number": 32,
    "source": 24,
    "lead_unit_code": 32,
    "leader": 64,
    "officer": 64,
    "ambassador": 64,
    "sla_code": 16,
    "target_subject": 200,
    "target_unit": 24,
    "target_direction": 12,
    "target_qualifier": 12,
    "report_kind": 16,
    "reported_by": 64,
    "label": 200,
    "text": 4000,
}
MAX_ID = 2**31 - 1

Id = Annotated[int, Ge(1), Le(MAX_ID)]
Amount = Annotated[float, Ge(-MAX_AMOUNT), Le(MAX_AMOUNT)]
# text limited to its column's length (the API's schema shows the limit)
Code12 = Annotated[str, MaxLen(LENGTHS["kind"])]
Code16 = Annotated[str, MaxLen(LENGTHS["sla_code"])]
Short24 = Annotated[str, MaxLen(LENGTHS["source"])]
Short32 = Annotated[str, MaxLen(LENGTHS["number"])]
Name64 = Annotated[str, MaxLen(LENGTHS["leader"])]
Line200 = Annotated[str, MaxLen(LENGTHS["target_subject"])]
Text = Annotated[str, MaxLen(LENGTHS["text"])]


@dataclass(frozen=True)
class NewItem:
    """交办: a campaign (no parent), or a measure, task or project under its parent. Left empty, a child's
    deadline, response rule (SLA) and source are its parent's."""

    kind: Code12
    content: Text
    parent_id: Id | None = None
    number: Short32 = ""
    source: Short24 = ""
    lead_unit_code: Short32 | None = None
    co_unit_codes: tuple[Short32, ...] = ()
    leader: Name64 = ""
    officer: Name64 = ""
    ambassador: Name64 = ""
    assigned_at: datetime | None = None
    deadline_at: datetime | None = None
    consequence: Text = ""
    weight: Amount | None = None
    sla_code: Code16 | None = None
    target_subject: Line200 = ""
    target_value: Amount | None = None
    target_unit: Short24 = ""
    target_baseline: Amount = 0.0
    target_direction: Code12 = Direction.INCREASE.value
    target_qualifier: Code12 = ""

    def target(self) -> Target | None:
        if self.target_value is None:
            return None
        return Target(
            self.target_subject.strip() or self.content.strip()[:40],
            self.target_unit.strip(),
            self.target_value,
            self.target_baseline,
            Direction(self.target_direction),
            self.target_qualifier,
        )


@dataclass(frozen=True)
class NewReport:
    """A unit's progress report on a task (填报进展)."""

    narrative: Text
    kind: Code16 = ReportKind.PROGRESS.value
    value_reached: Amount | None = None
    problems: Text = ""
    next_steps: Text = ""
    funds_used: Amount | None = None  # 万元
    milestone_id: Id | None = None


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def error(self) -> InvalidInput:
        return InvalidInput(self.message, field=self.field)


@dataclass(frozen=True)
class Unit:
    """A unit of the directory as the checks need it."""

    id: int
    code: str
    name: str
    area_code: str | None  # None: serves the whole district

    def serves(self, area_code: str) -> bool:
        """Work in this area may be assigned to the unit: its own area lies inside the item's."""
        return self.area_code is None or is_within(self.area_code, area_code)


@dataclass(frozen=True)
class Parent:
    """The item a new one goes under, as the rules need it."""

    kind: ItemKind
    status: ItemStatus
    deadline_at: datetime | None = None
    sla_code: str | None = None
    source: str = ""


def inherit(item: NewItem, parent: Parent | None, now: datetime) -> NewItem:
    """交办 under a parent: what the child names none of its own of — its deadline, response rule and
    source — is its parent's; it is assigned now unless the record says when (an imported ledger)."""
    assigned = item.assigned_at or now
    if parent is None:
        return replace(item, assigned_at=assigned)
    return replace(
        item,
        assigned_at=assigned,
        deadline_at=item.deadline_at or parent.deadline_at,
        sla_code=item.sla_code or parent.sla_code,
        source=item.source or parent.source,
    )


@dataclass(frozen=True)
class ItemContext:
    """What a new item is checked against: where it applies, its parent, the weights of its siblings, the
    unit directory (by code; an import also by name), the response rules, and the campaign numbers taken."""

    area_code: str
    units: Mapping[str, Unit]
    templates: Collection[str]
    parent: Parent | None = None
    sibling_weights: tuple[float | None, ...] = ()
    campaign_numbers: Collection[str] = ()


def check_item(item: NewItem, context: ItemContext) -> list[Problem]:
    """Every rule a new item breaks, in the order of its fields."""
    found: list[Problem] = []
    add = _collector(found)
    kind = _kind(item.kind, add)
    if is_blank(item.content or ""):
        add("content", "“内容”不能为空")
    for name in ("content", "number", "source", "leader", "officer", "ambassador", "consequence"):
        _guard(add, check_chars, getattr(item, name) or "", name)
    for name, limit in LENGTHS.items():
        value = getattr(item, name, None)
        if isinstance(value, str) and len(value) > limit:
            add(name, f"“{value[:20]}…”超过 {limit} 个字符")
    if PATH_SEP in item.number:
        add("number", f"序号中不能含“{PATH_SEP}”")
    if kind is not None:
        _place_in_tree(item, kind, context, add)
    _moments(item, add)
    _weight(item, context, add)
    if item.sla_code is not None and item.sla_code not in context.templates:
        add("sla_code", f"回应规则“{item.sla_code}”不存在（可选：{'、'.join(context.templates)}）")
    _target(item, add)
    for code in (item.lead_unit_code, *item.co_unit_codes):
        if code:
            _unit(code, context, add, "lead_unit_code" if code == item.lead_unit_code else "co_unit_codes")
    return found


def weights_agree(weights: Collection[float | None]) -> bool:
    """Siblings either all carry a weight or none does: the roll-up would be ambiguous otherwise."""
    return len({w is None for w in weights}) <= 1


Add = Callable[[str, str], None]


def _collector(found: list[Problem]) -> Add:
    return lambda field, message: found.append(Problem(field, message))


def _guard(add: Add, check: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Run one of the domain's raising checks, collecting its problem instead."""
    try:
        check(*args, **kwargs)
    except InvalidInput as exc:
        add(exc.field or "", exc.message)


def _kind(value: str, add: Add) -> ItemKind | None:
    try:
        return ItemKind(value)
    except ValueError:
        add("kind", f"类型须为 {'、'.join(f'{k.value}（{KIND_LABEL[k]}）' for k in ItemKind)} 之一")
        return None


def _place_in_tree(item: NewItem, kind: ItemKind, context: ItemContext, add: Add) -> None:
    if kind is ItemKind.CAMPAIGN:
        if item.parent_id is not None or context.parent is not None:
            add("parent_id", "行动（台账）不能有上级")
        if item.number and item.number in context.campaign_numbers:
            add("number", f"台账“{item.number}”已存在")
        return
    if context.parent is None:
        add("parent_id", "措施、任务和项目须写明上级事项")
    elif context.parent.status is ItemStatus.CLOSED:
        add("parent_id", "上级事项已销号，不能再交办")
    if kind in WORK_KINDS:
        if item.deadline_at is None:
            add("deadline_at", "任务和项目须有完成时限")
        if not item.lead_unit_code:
            add("lead_unit_code", "任务和项目须有牵头单位（否则无人能填报进展）")


def _moments(item: NewItem, add: Add) -> None:
    for name in ("assigned_at", "deadline_at"):
        if getattr(item, name) is not None:
            _guard(add, check_moment, getattr(item, name), name)
    assigned, deadline = item.assigned_at, item.deadline_at
    if assigned and deadline and assigned.tzinfo and deadline.tzinfo and deadline <= assigned:
        add("deadline_at", "完成时限早于交办日期")


def _weight(item: NewItem, context: ItemContext, add: Add) -> None:
    _guard(add, check_amount, item.weight, "weight", allow_negative=True)  # finite, within bounds
    if item.weight is not None and item.weight <= 0:
        add("weight", f"权重须大于 0（{item.weight:g}）")
    if context.sibling_weights and not weights_agree((*context.sibling_weights, item.weight)):
        wanted = "不设权重" if context.sibling_weights[0] is None else "设权重"
        add("weight", f"同一上级下的事项要么都设权重，要么都不设：已有下级事项{wanted}")


def _target(item: NewItem, add: Add) -> None:
    for name in ("target_value", "target_baseline"):
        _guard(add, check_amount, getattr(item, name), name, allow_negative=True)
    for name in ("target_subject", "target_unit", "target_qualifier"):
        _guard(add, check_chars, getattr(item, name), name)
    if item.target_direction not in {d.value for d in Direction}:
        add("target_direction", "指标方向须为 increase（增长）或 decrease（下降）")
        return
    if item.target_value is not None and not _spans(item):
        verb = "下降" if item.target_direction == Direction.DECREASE.value else "增长"
        add(
            "target_value",
            f"目标值 {item.target_value:g} 与基数 {item.target_baseline:g} 不构成{verb}（{verb}指标须写明基数）",
        )


def _spans(item: NewItem) -> bool:
    """A target moves somewhere: above its baseline (增长), or below it (下降)."""
    value, baseline = item.target_value or 0.0, item.target_baseline
    return value > baseline if item.target_direction == Direction.INCREASE.value else value < baseline


def _unit(code: str, context: ItemContext, add: Add, field: str) -> None:
    unit = context.units.get(code)
    if unit is None:
        add(field, f"单位“{code}”不在单位名录中")
    elif not unit.serves(context.area_code):
        add(field, f"“{unit.name}”不在本台账的区域（{context.area_code}）内，不能交办给它")


@dataclass(frozen=True)
class ReportContext:
    """What a report is checked against: the item as it stands, and the 时间节点 the report says it meets."""

    item_kind: ItemKind
    item_status: ItemStatus
    has_children: bool
    milestone_ids: Collection[int] = ()  # the item's milestones not yet met
    reported_at: datetime | None = None
    now: datetime | None = None


def check_report(report: NewReport, context: ReportContext) -> list[Problem]:
    """Every rule a progress report breaks."""
    found: list[Problem] = []
    add = _collector(found)
    if report.kind not in {k.value for k in ReportKind}:
        add("kind", f"进展类型须为 {'、'.join(k.value for k in ReportKind)} 之一")
    if context.item_status is ItemStatus.CLOSED:
        add("status", "事项已销号，不能再填报进展")
    if context.has_children:
        add("item_id", "该事项有下级任务：请在下级任务上填报进展，进度自动汇总")
    if is_blank(report.narrative or ""):
        add("narrative", "“进展情况”不能为空")
    for name in ("narrative", "problems", "next_steps"):
        _guard(add, check_chars, getattr(report, name), name)
        if len(getattr(report, name)) > LENGTHS["text"]:
            add(name, f"超过 {LENGTHS['text']} 个字符")
    _guard(add, check_amount, report.value_reached, "value_reached", allow_negative=True)
    _guard(add, check_amount, report.funds_used, "funds_used")
    if report.milestone_id is not None and report.milestone_id not in context.milestone_ids:
        add("milestone_id", f"时间节点 {report.milestone_id} 不属于该事项，或已完成")
    at, now = context.reported_at, context.now
    if at is not None and now is not None:
        _guard(add, check_moment, at, "reported_at")
        if at.tzinfo and at > end_of_day(now):  # a date alone is read as that day: today is not the future
            add("reported_at", "填报时间晚于今天")
    return found


def end_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(CHINA).date(), END_OF_DAY, CHINA)


def raise_first(problems: list[Problem]) -> None:
    """A service's answer: the first problem, naming its field."""
    if problems:
        raise problems[0].error()


FIELDS = tuple(f.name for f in fields(NewItem))
