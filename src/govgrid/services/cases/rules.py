"""The rules a case is handled by: class catalogue, responsibility list, working calendar (loaded once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from govgrid.catalog import CatalogError, load
from govgrid.catalog.calendars import load_calendar
from govgrid.catalog.case_catalog import CaseClass, ResponsibilityList, load_case_classes, load_responsibility
from govgrid.catalog.connector_catalog import Connector, load_connectors
from govgrid.domain.errors import InvalidInput
from govgrid.domain.worktime import TimeUnit, WorkCalendar


@dataclass(frozen=True)
class HotlineLimit:
    label: str
    dispatch: tuple[float, TimeUnit]  # 受理 → 派单
    reply: tuple[float, TimeUnit]  # 派单 → 反馈


@dataclass(frozen=True)
class CaseRules:
    classes: dict[str, CaseClass]
    responsibility: ResponsibilityList
    calendar: WorkCalendar
    hotline: dict[str, HotlineLimit] = field(default_factory=dict)
    connectors: dict[str, Connector] = field(default_factory=dict)

    def channel_owner(self, channel: str) -> Connector | None:
        """The connector a channel belongs to: only it files under that channel."""
        return next((c for c in self.connectors.values() if c.channel == channel), None)

    def is_public_channel(self, channel: str) -> bool:
        """Whether cases of this channel may appear in public views (not the epidemic or police systems)."""
        owner = self.channel_owner(channel)
        return owner is None or owner.is_public

    def limit_for(
        self, case_class_code: str, loop: str, urgency: str, *, at_dispatch: bool
    ) -> tuple[float, TimeUnit]:
        """The time limit that applies: the 12345 limits by urgency, else the class's 处置时限."""
        if loop == "hotline" and urgency in self.hotline:
            limits = self.hotline[urgency]
            return limits.reply if at_dispatch else limits.dispatch
        case_class = self.case_class(case_class_code)
        return case_class.time_limit, case_class.time_unit

    def case_class(self, code: str) -> CaseClass:
        found = self.classes.get(code)
        if found is None:
            raise InvalidInput(
                f"案件分类编码“{code}”不存在（见 catalog/case_classes.yaml）", field="class_code"
            )
        return found


@lru_cache(maxsize=1)
def shipped_rules() -> CaseRules:
    """The catalogues shipped in the package, validated (errors name file, row and field)."""
    classes = load_case_classes()
    return CaseRules(
        classes, load_responsibility(classes), load_calendar(), load_hotline(), load_connectors(set(classes))
    )


def load_hotline(doc: Any = None) -> dict[str, HotlineLimit]:
    """catalog/hotline.yaml, with errors naming the urgency and the field."""
    doc = load("hotline.yaml") if doc is None else doc
    limits = {}
    for name, spec in (doc.get("urgencies") or {}).items():
        try:
            limits[str(name)] = HotlineLimit(
                str(spec["label"]), _limit(spec["dispatch"]), _limit(spec["reply"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(
                f"catalog/hotline.yaml 紧急程度 {name}：字段缺失或无效（{exc}）", field=str(name)
            ) from None
    return limits


def _limit(pair: Any) -> tuple[float, TimeUnit]:
    amount, unit = pair
    if float(amount) <= 0:
        raise ValueError("时限须为正数")
    return float(amount), TimeUnit(str(unit))
