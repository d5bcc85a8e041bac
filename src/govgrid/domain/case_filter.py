"""What a case list is filtered by — the same filter for the JSON API, the case list page and its export:
a search text (number, title, address, reporter), status, class, street or community, unit, channel,
overdue / under supervision / reworked, and a range of report dates (Beijing days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from govgrid.domain.errors import InvalidInput
from govgrid.domain.workflow import Status

MAX_TEXT = 64
# what a list may be sorted by (a "-" before the key: largest, newest first) → the case's column
SORTS = {
    "reported": "reported_at",
    "due": "due_at",
    "closed": "closed_at",
    "status": "status",
    "class": "class_code",
    "rework": "rework_count",
}
DEFAULT_SORT = "-reported"


@dataclass(frozen=True)
class CaseFilter:
    text: str = ""
    status: Status | None = None
    class_code: str = ""  # a class (E0102) or a major class (E01)
    area_code: str = ""  # a street (9 digits), a community (12) or a grid (15)
    unit_id: int | None = None
    channel: str = ""
    overdue: bool = False
    open: bool = False  # 未办结: not yet closed, cancelled, evaluated or excluded (parked cases are open)
    supervised: bool = False  # 催办 or 督办
    reworked: bool = False
    reported_from: date | None = None
    reported_to: date | None = None
    sort: str = DEFAULT_SORT
    # a drill-down from an assessment figure: the cases counted in `metric` (and not in `without`) over
    # [period_from, period_to], read from their histories (domain.assessment)
    metric: str = ""
    without: str = ""
    period_from: date | None = None
    period_to: date | None = None

    def __post_init__(self) -> None:
        self._check_drill()
        object.__setattr__(self, "sort", (self.sort or DEFAULT_SORT).strip())
        if self.sort.removeprefix("-") not in SORTS:
            raise InvalidInput(
                f"排序“{self.sort[:16]}”无效：可用 {'、'.join(SORTS)}（前加 - 为倒序）", field="sort"
            )
        object.__setattr__(self, "text", " ".join(self.text.split())[:MAX_TEXT])
        for name in ("class_code", "area_code", "channel"):
            value = getattr(self, name).strip()
            if len(value) > 24 or not value.isascii() or not all(c.isalnum() or c in "_-" for c in value):
                raise InvalidInput(f"{name}“{value[:24]}”无效", field=name)
            object.__setattr__(self, name, value)
        if self.area_code and not self.area_code.isdigit():
            raise InvalidInput(f"区域代码“{self.area_code}”须为数字", field="area_code")
        if self.reported_from and self.reported_to and self.reported_from > self.reported_to:
            raise InvalidInput("开始日期晚于结束日期", field="reported_from")

    def _check_drill(self) -> None:
        from govgrid.domain.assessment import COUNTS, MAX_PERIOD_DAYS

        for name in ("metric", "without"):
            value = getattr(self, name)
            if value and value not in COUNTS:
                raise InvalidInput(f"指标“{value[:24]}”无效：可用 {'、'.join(COUNTS)}", field=name)
        if self.without and not self.metric:
            raise InvalidInput("“without”须与 metric 同用", field="without")
        if self.metric:
            if self.period_from is None or self.period_to is None:
                raise InvalidInput("按指标钻取须给出期间（period_from、period_to）", field="period_from")
            if self.period_from > self.period_to:
                raise InvalidInput("期间开始日期晚于结束日期", field="period_from")
            if (self.period_to - self.period_from).days > MAX_PERIOD_DAYS:
                raise InvalidInput(f"期间不超过 {MAX_PERIOD_DAYS} 天", field="period_to")

    @property
    def is_empty(self) -> bool:
        return self == CaseFilter(sort=self.sort)

    @property
    def order(self) -> tuple[str, bool]:
        """(the column sorted by, whether descending)."""
        return SORTS[self.sort.removeprefix("-")], self.sort.startswith("-")
