"""The rules a case is handled by, as data the catalogues give (catalog/case_catalog.py and
connector_catalog.py load them): the class catalogue with its 处置时限, the responsibility list (权责清单:
class × area → unit, 属地兜底), the 12345 limits by urgency, and the inbound systems (connectors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govgrid.domain.assessment_schemes import AssessmentRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.workflow import Loop
from govgrid.domain.worktime import TimeUnit, WorkCalendar

if TYPE_CHECKING:
    from govgrid.nlp.reply_quality import ReplyRules


@dataclass(frozen=True)
class CaseClass:
    code: str
    name: str
    major_code: str
    major_name: str
    time_limit: float
    time_unit: TimeUnit
    unit_key: str
    register_condition: str
    close_condition: str
    is_extendable: bool

    @property
    def is_event(self) -> bool:
        return self.code.startswith("E")


@dataclass(frozen=True)
class ResponsibilityRule:
    class_code: str
    area_prefix: str
    unit_code: str


@dataclass(frozen=True)
class ResponsibilityList:
    """权责清单: class × area → unit code; "street" means the street of the grid (属地兜底). A district of a
    city's deployment may have a list of its own (`districts`): its cases go by it alone, a key it does not
    name falling to 属地, never to another district's department."""

    keys: dict[str, str]
    rules: tuple[ResponsibilityRule, ...]
    districts: dict[str, ResponsibilityList] = field(default_factory=dict)

    def unit_for(self, case_class: CaseClass, grid_code: str | None, district: str = "") -> str | None:
        """The unit code responsible, or None when only the owning street can be (属地, no grid known)."""
        own = self.districts.get((grid_code or district)[:6])
        if own is not None:
            return own.unit_for(case_class, grid_code)
        for rule in self.rules:
            if rule.class_code == case_class.code and (grid_code or "").startswith(rule.area_prefix):
                return rule.unit_code
        return self.unit_for_key(case_class.unit_key, grid_code)

    def unit_for_key(self, key: str, grid_code: str | None, district: str = "") -> str | None:
        """The unit a responsibility key names; "street" is the street of the grid (None without one)."""
        own = self.districts.get((grid_code or district)[:6])
        unit = (own or self).keys.get(key, "street")
        if unit == "street":
            return grid_code[:9] if grid_code else None
        return unit


@dataclass(frozen=True)
class Connector:
    id: str
    name: str
    channel: str
    loop: Loop
    fields: dict[str, str | dict[str, Any]]  # case field → dotted path, or {"value": constant}
    class_from: str
    class_map: dict[str, str]
    class_default: str
    is_public: bool = True  # its cases may show (without personal data) in public views such as Open311


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
    assessment: AssessmentRules  # 考核口径与方案 (catalog/assessment.yaml)
    hotline: dict[str, HotlineLimit] = field(default_factory=dict)
    connectors: dict[str, Connector] = field(default_factory=dict)
    replies: ReplyRules | None = (
        None  # 答复质量 cues (catalog/reply_rubric.yaml): weak 12345 replies are held
    )

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
        if loop == Loop.HOTLINE and urgency in self.hotline:
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
