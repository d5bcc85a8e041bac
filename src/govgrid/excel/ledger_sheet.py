"""The ledger as offices keep it in Excel: the columns (Chinese headers, with the aliases offices use, and
their widths on export) and reading one cell — dates as text or Excel serials (counted from 1899-12-30),
numbers with 万/亿, the apostrophe an export puts before formula-like text, vague targets refused. The
workbook's bytes are read by uploads/sheets.py; the import and export services use these columns.

Four sheets: 督办台账 (one row per item; 上级序号 is the parent's path such as "JD/一"), 进展记录, 时间节点
and 投资计划 (rows point at an item by its path in 事项序号). Only 督办台账 is required."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import DIRECTION_LABEL
from govgrid.domain.ledger_items import LENGTHS as ITEM_LENGTHS
from govgrid.domain.ledger_schedule import MILESTONE_KINDS
from govgrid.domain.ledger_states import KIND_LABEL, REPORT_LABEL, STATUS_LABEL
from govgrid.domain.moments import read_date_text, read_month_text
from govgrid.domain.quantity import Quantity, parse_quantity
from govgrid.domain.worktime import CHINA

EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | number | quantity | date | datetime | month | computed (export only)
    required: bool = False  # the header must be present
    aliases: tuple[str, ...] = ()
    width: int = 12


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]


ITEMS = Sheet(
    "督办台账",
    (
        Column("number", "序号", required=True, aliases=("编号",), width=8),
        Column("parent", "上级序号", aliases=("上级编号",), width=14),
        Column("kind", "层级", required=True, aliases=("类型", "事项类型"), width=7),
        Column(
            "content",
            "工作内容",
            required=True,
            aliases=("任务内容", "工作任务", "具体任务", "重点任务"),
            width=44,
        ),
        Column("source", "事项来源", aliases=("来源",), width=10),
        Column("target_subject", "指标名称", aliases=("指标",), width=18),
        Column("target_baseline", "基数", "number", width=8),
        Column("target_value", "目标值", "quantity", aliases=("目标",), width=10),
        Column("target_unit", "计量单位", aliases=("单位",), width=8),
        Column("target_direction", "指标方向", width=8),
        Column("target_qualifier", "限定词", width=7),
        Column("lead_unit", "牵头单位", required=True, aliases=("责任单位", "牵头部门"), width=22),
        Column("co_units", "配合单位", aliases=("配合部门", "协同单位"), width=22),
        Column("leader", "责任领导", aliases=("分管领导",), width=10),
        Column("officer", "责任人", aliases=("具体责任人", "联络员"), width=10),
        Column("ambassador", "服务大使", width=10),
        Column("assigned_at", "交办日期", "date", aliases=("交办时间",), width=12),
        Column(
            "deadline_at",
            "完成时限",
            "date",
            required=True,
            aliases=("完成时间", "截止日期", "完成期限"),
            width=12,
        ),
        Column("consequence", "完不成怎么办", aliases=("完不成的处理",), width=30),
        Column("weight", "权重", "number", width=6),
        Column("sla_code", "回应规则", width=10),
        Column("status", "状态", width=8),
        Column("rung", "督办级别", width=8),
        Column("progress", "完成进度", "computed", width=9),
        Column("light", "预警", "computed", width=8),
    ),
)

REPORTS = Sheet(
    "进展记录",
    (
        Column("path", "事项序号", required=True, width=16),
        Column("reported_at", "填报时间", "datetime", required=True, width=17),
        Column("reported_by", "填报人", width=12),
        Column("kind", "类型", width=12),
        Column("value_reached", "完成值", "number", width=10),
        Column("narrative", "进展情况", required=True, width=40),
        Column("problems", "存在问题", width=24),
        Column("next_steps", "下步计划", width=24),
        Column("funds_used", "资金使用（万元）", "number", width=12),
        Column("milestone", "时间节点", width=14),
    ),
)

MILESTONES = Sheet(
    "时间节点",
    (
        Column("path", "事项序号", required=True, width=16),
        Column("label", "节点名称", required=True, width=20),
        Column("kind", "节点类型", width=8),
        Column("due_at", "计划日期", "date", required=True, width=12),
        Column("done_at", "完成日期", "datetime", width=17),
    ),
)

INVESTMENT = Sheet(
    "投资计划",
    (
        Column("path", "事项序号", required=True, width=16),
        Column("month", "月份", "month", required=True, width=9),
        Column("planned", "计划投资（万元）", "number", width=14),
        Column("completed", "完成投资（万元）", "number", width=14),
    ),
)

SHEETS = (ITEMS, REPORTS, MILESTONES, INVESTMENT)

KIND_LABELS = {k.value: v for k, v in KIND_LABEL.items()}
KIND_ALIASES = {
    "攻坚行动": "campaign",
    "专项行动": "campaign",
    "台账": "campaign",
    "工作任务": "task",
    "重点项目": "project",
}
DIRECTION_LABELS = {k.value: v for k, v in DIRECTION_LABEL.items()}
STATUS_LABELS = {k.value: v for k, v in STATUS_LABEL.items()}
REPORT_KIND_LABELS = {k.value: v for k, v in REPORT_LABEL.items()}
MILESTONE_KIND_LABELS = dict(MILESTONE_KINDS)


def normalise_header(text: object) -> str:
    return re.sub(r"[\s*＊]", "", str(text or "")).replace("(", "（").replace(")", "）")


def header_map(sheet: Sheet, headers: list[object]) -> tuple[dict[str, int], list[str]]:
    """Column key → position for a header row, and the required headers that are missing."""
    names = [normalise_header(h) for h in headers]
    found: dict[str, int] = {}
    for column in sheet.columns:
        for name in (column.header, *column.aliases):
            if normalise_header(name) in names:
                found[column.key] = names.index(normalise_header(name))
                break
    missing = [c.header for c in sheet.columns if c.required and c.key not in found]
    return found, missing


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_cell(column: Column, raw: object) -> object:
    """The value of one cell for its column, or InvalidInput saying why not (the caller adds row and column)."""
    if is_blank(raw):
        return None
    if column.kind in ("text", "computed"):
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        text = str(raw).strip()
        if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
            return text[1:]  # the apostrophe an export put before text that looks like a formula
        return text
    if column.kind == "number":
        return _number(column, raw)
    if column.kind == "quantity":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return Quantity(float(raw), "")
        return parse_quantity(str(raw), field=column.header)
    if column.kind in ("date", "datetime"):
        return read_date(raw, with_time=column.kind == "datetime")
    if column.kind == "month":
        return read_month(raw)
    raise ValueError(f"unknown column kind {column.kind}")


PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
MONEY_UNITS = ("亿元", "万元", "亿", "万", "元")
LENGTHS = {  # a cell's limit: its column's in the tables, and the path of an item (序号 joined by "/")
    **{key: ITEM_LENGTHS[key] for key in ("number", "source", "target_subject", "target_unit", "leader")},
    **{
        key: ITEM_LENGTHS[key]
        for key in ("target_qualifier", "officer", "ambassador", "reported_by", "label")
    },
    "parent": 400,
    "path": 400,
}


def _number(column: Column, raw: object) -> float:
    """A number cell: a number, or text that is only a number ("1,200", "1 . 5"); in a 万元 column also with
    万/亿/元 ("1.2亿元" → 12000). A date-formatted cell or "3-5", "12abc" is refused, never half-read."""
    if isinstance(raw, bool | datetime | date):
        raise InvalidInput(f"“{raw}”不是数值（单元格格式为日期？）", field=column.header)
    if isinstance(raw, int | float):
        return float(raw)
    text = re.sub(r"[\s,，]", "", str(raw))
    scale = 1.0
    if column.header.endswith("（万元）"):
        unit = next((u for u in MONEY_UNITS if text.endswith(u)), "")
        text = text[: len(text) - len(unit)]
        scale = {"亿元": 1e4, "亿": 1e4, "万元": 1.0, "万": 1.0, "元": 1e-4, "": 1.0}[unit]
    if not PLAIN_NUMBER.match(text):
        if any(word in str(raw) for word in ("约", "左右", "近", "余", "多")):
            parse_quantity(str(raw), field=column.header)  # the clearer message for a vague value
        raise InvalidInput(f"“{str(raw).strip()}”不是数值", field=column.header)
    return float(text) * scale


def read_date(raw: object, *, with_time: bool = False) -> datetime:
    """A date cell as offices fill it: an Excel date, an Excel serial number, or text such as 2026-06-30,
    2026/6/30, 2026.6.30 or 2026年6月30日 (with a time for 填报时间). A date alone means: start of the working
    day for 交办/填报, end of the day for 完成时限 (the caller picks)."""
    if isinstance(raw, datetime | date) and not 2000 <= raw.year <= 2099:
        raise InvalidInput(f"“{raw.isoformat()[:10]}”不在 2000–2099 年之间", field="date")
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=CHINA)
    if isinstance(raw, date):
        return datetime.combine(raw, time(0, 0), CHINA)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 1 <= raw < 2958466:
            raise InvalidInput(f"“{raw}”不是日期", field="date")
        moment = datetime.combine(EXCEL_EPOCH, time(0, 0)) + timedelta(days=float(raw))
        if not 2000 <= moment.year <= 2099:
            raise InvalidInput(f"“{raw}”不在 2000–2099 年之间", field="date")
        return moment.replace(tzinfo=CHINA, microsecond=0)
    return read_date_text(str(raw))


def read_month(raw: object) -> str:
    if isinstance(raw, datetime | date):
        return f"{raw.year:04d}-{raw.month:02d}"
    return read_month_text(str(raw))


def label_to_code(
    labels: dict[str, str], text: str, *, field: str, aliases: dict[str, str] | None = None
) -> str:
    """A code from its Chinese label (or the code itself), or InvalidInput listing the choices."""
    for code, label in labels.items():
        if text in (code, label):
            return code
    if aliases and text in aliases:
        return aliases[text]
    raise InvalidInput(f"“{text}”不是可选值（{'、'.join(labels.values())}）", field=field)


def target_unit(value: Quantity, unit_cell: str | None) -> str:
    """The target's unit from 目标值 and 计量单位: "100万" with 平方米 is 万平方米; a clash is refused."""
    written, column = value.unit, (unit_cell or "").strip()
    if not written or written == column:
        return column or written
    if not column:
        return written
    if written in ("万", "亿"):
        return written + column
    raise InvalidInput(f"目标值的单位“{written}”与计量单位“{column}”不一致", field="计量单位")
