"""一表通: the field registry (一数一源), form templates composed of its fields, and the rules a value of a
field obeys — its type, its bounds, the ID number's check digit — and how a personal value is masked.

A registry field lives on one register (人 resident, 房 house, 企 enterprise, 事 event); a template lists
registry fields in the department's own column order, plus local fields only that form asks. A registry
field is *shared* when at least two templates use it: the share of a form's fields that are shared is
the measure of "collect once" (`FormCatalog.stats`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from govgrid.domain.errors import InvalidInput


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    ID_NUMBER = "id_number"
    PHONE = "phone"


class Visibility(StrEnum):
    OPEN = "open"  # any staff in scope
    PERSONAL = "personal"  # masked by role; every unmasked view is audited


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    ONCE = "once"


TYPE_LABEL = {
    FieldType.TEXT: "文本",
    FieldType.NUMBER: "数字",
    FieldType.DATE: "日期",
    FieldType.CHOICE: "选项",
    FieldType.ID_NUMBER: "身份证号",
    FieldType.PHONE: "电话",
}
FREQUENCY_LABEL = {Frequency.DAILY: "每日", Frequency.WEEKLY: "每周", Frequency.ONCE: "一次性"}
MAX_TEXT = 500
# a register and the prefix of its fields' codes; events (事) are answers on a form, not register entries
ENTRY_PREFIX = {"resident": "person", "house": "house", "enterprise": "enterprise"}
LABEL_FIELD = {"resident": "person.name", "house": "house.address", "enterprise": "enterprise.name"}


def of_register(code: str, kind: str) -> bool:
    """Whether a registry field lives on the entries of one register (person.phone on a resident)."""
    return code.startswith(ENTRY_PREFIX[kind] + ".")


def row_kind(fields: tuple[str, ...]) -> str:
    """The register whose entries are a form's rows, by default: a resident where the form asks about
    people, else the register of its first field that lives on an entry (a firm for 九小排查表)."""
    kinds = [kind for code in fields for kind in ENTRY_PREFIX if of_register(code, kind)]
    return "resident" if "resident" in kinds else (kinds[0] if kinds else "resident")


@dataclass(frozen=True)
class FieldSpec:
    """One field: a registry field (its code names its register, e.g. person.phone) or a form-local one."""

    code: str
    name: str
    type: FieldType
    register: str | None = None  # None: a form-local field
    visibility: Visibility = Visibility.OPEN
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = MAX_TEXT
    pattern: re.Pattern[str] | None = None
    aliases: tuple[str, ...] = ()  # the other names departments' sheets give it

    @property
    def is_personal(self) -> bool:
        return self.visibility is Visibility.PERSONAL or self.type in (FieldType.ID_NUMBER, FieldType.PHONE)


@dataclass(frozen=True)
class Condition:
    """One way an entry belongs in a form: its field has one of `values`, or (`within_days`) a date no
    more than that many days before the period, or (`present`) any value."""

    field: str
    values: tuple[str, ...] = ()
    within_days: int | None = None
    present: bool = False

    def holds(self, values: Mapping[str, str], day: date) -> bool:
        value = values.get(self.field, "")
        if not value:
            return False
        if self.values:
            return value in self.values
        if self.within_days is not None:
            try:
                when = date.fromisoformat(value)
            except ValueError:
                return False
            return day - timedelta(days=self.within_days) <= when <= day
        return self.present


@dataclass(frozen=True)
class RowRule:
    """Which register entries are a form's rows: of one register, picked by any of the conditions (none:
    rows are only added by hand)."""

    kind: str
    any_of: tuple[Condition, ...] = ()

    def picks(self, kind: str, values: Mapping[str, str], day: date) -> bool:
        return kind == self.kind and any(c.holds(values, day) for c in self.any_of)


@dataclass(frozen=True)
class Template:
    code: str
    name: str
    department: str
    frequency: Frequency
    fields: tuple[str, ...]  # registry codes, in the sheet's column order
    local: tuple[FieldSpec, ...] = ()
    rows: RowRule = RowRule("resident")  # which register entries are its rows
    retention_days: int | None = None  # after this the rows' entered values are erased (None: kept)

    @property
    def width(self) -> int:
        return len(self.fields) + len(self.local)


@dataclass(frozen=True)
class FormStats:
    templates: int
    fields: int  # every column of every template
    registry_fields: int  # distinct registry fields the templates use
    shared_share: float  # columns that are a registry field used by ≥ 2 templates, over all columns

    def as_dict(self) -> dict[str, float | int]:
        return {
            "templates": self.templates,
            "fields": self.fields,
            "registry_fields": self.registry_fields,
            "shared_share": round(self.shared_share, 4),
        }


@dataclass(frozen=True)
class FormCatalog:
    registers: dict[str, str]  # code → Chinese name
    registry: dict[str, FieldSpec]
    templates: dict[str, Template] = field(default_factory=dict)
    typing_seconds: dict[str, float] = field(default_factory=dict)  # by field type: seconds to type a value
    refusals: dict[str, str] = field(default_factory=dict)  # 报表准入: refusal kind → its label
    overlap_warning: float = 0.8  # a proposed form sharing this much of an existing one is flagged
    remind_work_hours: float = 2.0  # the ladder: 提醒 this many office hours before a deadline
    report_after_workdays: int = 1  # 通报 this many workdays after it

    def uses(self) -> dict[str, int]:
        """How many templates use each registry field."""
        counts = dict.fromkeys(self.registry, 0)
        for template in self.templates.values():
            for code in set(template.fields):
                counts[code] += 1
        return counts

    def stats(self) -> FormStats:
        uses = self.uses()
        columns = sum(t.width for t in self.templates.values())
        shared = sum(1 for t in self.templates.values() for code in t.fields if uses[code] >= 2)
        used = sum(1 for n in uses.values() if n)
        return FormStats(len(self.templates), columns, used, shared / columns if columns else 0.0)

    def fields_of(self, kind: str) -> list[FieldSpec]:
        """The registry fields of one register's entries (人 resident, 房 house, 企 enterprise)."""
        prefix = ENTRY_PREFIX[kind] + "."
        return [spec for code, spec in self.registry.items() if code.startswith(prefix)]

    def match(self, header: object) -> FieldSpec | None:
        """The registry field a sheet's column header names (its name or an alias, spaces, brackets and
        marks such as （必填） ignored), or None for a datum not registered."""
        wanted = normal_header(header)
        if not wanted:
            return None
        for spec in self.registry.values():
            if wanted in (normal_header(spec.name), *(normal_header(a) for a in spec.aliases)):
                return spec
        return None

    def admission(self, headers: list[object]) -> Admission:
        """报表准入: which columns of a proposed form are already registered (and must reuse the registry
        field) and which are new."""
        matched, new = [], []
        for header in headers:
            if normal_header(header) in NOT_DATA:
                continue
            spec = self.match(header)
            (matched.append((str(header).strip(), spec.code)) if spec else new.append(str(header).strip()))
        return Admission(tuple(matched), tuple(new))

    def columns(self, template: Template) -> list[FieldSpec]:
        """A template's columns as fields, registry ones first in its order, then its local ones."""
        return [self.registry[code] for code in template.fields] + list(template.local)


@dataclass(frozen=True)
class Admission:
    """What 报表准入 found in a proposed form: columns already registered (header, field code) and new ones."""

    registered: tuple[tuple[str, str], ...]
    new: tuple[str, ...]

    @property
    def share(self) -> float:
        total = len(self.registered) + len(self.new)
        return len(self.registered) / total if total else 0.0


_MARKS = re.compile(r"[\s*＊:：]|[（(【\[](?:必填|选填|可选|如有|单位|元|人|个|℃)[）)】\]]")


def find_header(rows: list[list[object]], within: int = 10) -> list[object]:
    """A department's sheet's header row: of its first rows, the one with the most distinct non-empty
    cells (a merged title row repeats one value across the width)."""
    best: list[object] = []
    for row in rows[:within]:
        if len({str(v).strip() for v in row if v not in (None, "")}) > len(
            {str(v).strip() for v in best if v not in (None, "")}
        ):
            best = row
    return best


NOT_DATA = frozenset({"", "序号", "序", "编号", "No", "NO.", "No."})  # a row number is not a datum


def normal_header(text: object) -> str:
    """A column header as compared: no spaces, stars or colons, no （必填） or unit marks, full-width
    brackets as half-width."""
    value = "" if text is None else str(text)
    return _MARKS.sub("", value).replace("（", "(").replace("）", ")").strip()


_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_ID = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_problem(value: str) -> str | None:
    """Why an 18-digit 居民身份证号码 (GB 11643) is wrong, or None: its form, birth date, check digit."""
    if not _ID.match(value):
        return "须为 18 位，前 17 位为数字，末位为数字或 X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"出生日期 {value[6:14]} 不存在"
    expected = _ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11]
    if value[17] != expected:
        return f"校验位应为 {expected}"
    return None


def check_value(spec: FieldSpec, raw: object, *, where: str = "") -> str | float | date | None:
    """A value for the field, normalised (trimmed; X upper-cased; a number or a date parsed), or
    InvalidInput naming the field, the value and what is wrong. Empty is None (a blank cell)."""
    text = ("" if raw is None else str(raw)).strip()
    if not text:
        return None
    label = f"{where}{spec.name}“{text[:40]}”"
    if spec.type is FieldType.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise InvalidInput(f"{label}不是数字", field=spec.code) from None
        if (spec.minimum is not None and number < spec.minimum) or (
            spec.maximum is not None and number > spec.maximum
        ):
            raise InvalidInput(f"{label}须在 {spec.minimum:g} 到 {spec.maximum:g} 之间", field=spec.code)
        return number
    if spec.type is FieldType.DATE:
        try:
            return date.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise InvalidInput(f"{label}不是日期（应如 2026-03-05）", field=spec.code) from None
    if spec.type is FieldType.CHOICE and text not in spec.choices:
        raise InvalidInput(f"{label}须为 {'、'.join(spec.choices)} 之一", field=spec.code)
    if spec.type is FieldType.ID_NUMBER:
        text = text.upper()
        problem = id_number_problem(text)
        if problem:
            raise InvalidInput(f"{where}{spec.name}“{mask(spec, text)}”{problem}", field=spec.code)
    if spec.type is FieldType.PHONE and not _PHONE.match(text):
        raise InvalidInput(f"{label}不是手机号（11 位）或带区号的座机号", field=spec.code)
    if len(text) > spec.max_length:
        raise InvalidInput(f"{where}{spec.name}超过 {spec.max_length} 字", field=spec.code)
    if spec.pattern is not None and not spec.pattern.match(text):
        raise InvalidInput(f"{label}格式不对", field=spec.code)
    return text


def digest(key: bytes, code: str, value: str | None) -> str:
    """A keyed digest of one value of one field (HMAC-SHA256 with the deployment's secret): the history
    keeps it when a personal value is erased, and an ID number cannot be found again by trying them all."""
    import hashlib
    import hmac

    if value is None:
        return ""
    return hmac.new(key, f"{code}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def mask(spec: FieldSpec, value: str) -> str:
    """A personal value as a role without the right to see it reads it: 370102********123X, 138****5678."""
    if not value or not spec.is_personal:
        return value
    if spec.type is FieldType.ID_NUMBER and len(value) >= 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)
