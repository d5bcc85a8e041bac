"""Reading the quantities offices write in ledgers and plans: "38座", "1685 . 4亿元" (OCR spacing),
"100万平方米", "1,200户", "二十个". Vague values ("约三成", "100左右") are refused, naming the text: a
supervised target must be a definite number."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from govgrid.domain.errors import InvalidInput

VAGUE = ("约", "大约", "左右", "近", "余", "多", "成")
SCALE = {"万": 1e4, "亿": 1e8}
NUMBER = re.compile(
    r"^\s*(?P<num>\d[\d,\s]*(?:\s*\.\s*\d+)?|[零〇一二两三四五六七八九十百千]+)\s*(?P<unit>\S.*?)?\s*$"
)


MAX_AMOUNT = (
    1e12  # no ledger counts beyond a trillion (万亿): larger is a typing error, and 1e308 is an attack
)


def check_amount(value: float | None, field: str, *, allow_negative: bool = False) -> float | None:
    """A number a person entered: finite, within ±MAX_AMOUNT, not negative unless allowed."""
    if value is None:
        return None
    if value != value or value in (float("inf"), float("-inf")) or abs(value) > MAX_AMOUNT:
        raise InvalidInput(f"{field} 须为有限数值，且绝对值不超过 {MAX_AMOUNT:.0e}", field=field)
    if value < 0 and not allow_negative:
        raise InvalidInput(f"{field} 不能为负数", field=field)
    return float(value)


@dataclass(frozen=True)
class Quantity:
    value: float  # as written: 1685.4 for "1685.4亿元"
    unit: str  # as written: "亿元"

    @property
    def scaled(self) -> float:
        """The value in plain units (1685.4亿元 → 168,540,000,000 元), for comparing and summing."""
        return self.value * SCALE.get(self.unit[:1], 1.0)


def parse_quantity(text: str, *, field: str = "target") -> Quantity:
    """A definite number and its unit, or InvalidInput naming the text."""
    raw = str(text).strip()
    if not raw:
        raise InvalidInput("数值为空", field=field)
    vague = next((word for word in VAGUE if word in raw), None)
    if vague:
        raise InvalidInput(f"“{raw}”不是确定的数值（含“{vague}”）：督办指标须写明具体数字和单位", field=field)
    match = NUMBER.match(raw)
    if match is None:
        raise InvalidInput(f"“{raw}”不是数值", field=field)
    digits = re.sub(r"[\s,]", "", match["num"])
    try:
        value = float(digits) if digits[0].isdigit() else float(cn2an.cn2an(digits, "smart"))
    except ValueError:
        raise InvalidInput(f"“{raw}”中的数字无法识别", field=field) from None
    return Quantity(value=value, unit=(match["unit"] or "").strip())
