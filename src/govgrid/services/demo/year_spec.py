"""The demo year's catalogue (catalog/demo_cases.yaml), read and checked: the volume and its rhythm, the
channels with their classes, the outcome shares, the spread between units, and the texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govgrid.catalog import CatalogError, CatalogSource
from govgrid.domain.case_rules import CaseRules

CATALOG = "demo_cases.yaml"
OUTCOMES = ("cancelled", "returned", "reworked", "late", "extended", "parked", "forced")


@dataclass(frozen=True)
class Channel:
    id: str  # a person channel (patrol, citizen) or a connector's id
    share: float
    classes: tuple[str, ...]
    weights: tuple[float, ...]


@dataclass(frozen=True)
class YearSpec:
    seed: int
    days: int
    per_day: float
    weekday: tuple[float, ...]
    month: tuple[float, ...]
    channels: tuple[Channel, ...]
    outcomes: dict[str, float]
    callback: dict[str, float]
    spread: tuple[float, float]
    citizens: int
    surnames: tuple[str, ...]
    places: tuple[str, ...]
    texts: dict[str, tuple[str, ...]]
    generic: tuple[str, ...]


def load_year_spec(source: CatalogSource, rules: CaseRules) -> YearSpec:
    doc = source.load(CATALOG)
    where = f"catalog/{CATALOG}"
    try:
        channels = tuple(_channel(name, body, rules, where) for name, body in doc["channels"].items())
        spec = YearSpec(
            seed=int(doc["seed"]),
            days=int(doc["days"]),
            per_day=float(doc["per_day"]),
            weekday=tuple(float(x) for x in doc["weekday"]),
            month=tuple(float(x) for x in doc["month"]),
            channels=channels,
            outcomes={name: float(doc["outcomes"][name]) for name in OUTCOMES},
            callback={k: float(v) for k, v in doc["callback"].items()},
            spread=(float(doc["spread"][0]), float(doc["spread"][1])),
            citizens=int(doc["citizens"]),
            surnames=tuple(doc["surnames"]),
            places=tuple(doc["places"]),
            texts={code: tuple(lines) for code, lines in (doc.get("texts") or {}).items()},
            generic=tuple(doc["generic"]),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise CatalogError(f"{where} 字段缺失或无效：{exc}", field=str(exc)) from None
    if len(spec.weekday) != 7 or len(spec.month) != 12:
        raise CatalogError(f"{where}：weekday 须有 7 个数，month 须有 12 个数", field="weekday")
    if not 0 < spec.days <= 3660 or not 0 < spec.per_day <= 10_000:
        raise CatalogError(f"{where}：days 或 per_day 超出范围", field="days")
    unknown = sorted(set(spec.texts) - set(rules.classes))
    if unknown:
        raise CatalogError(f"{where} texts 中的分类不存在：{'、'.join(unknown)}", field="texts")
    return spec


def _channel(name: str, body: dict[str, Any], rules: CaseRules, where: str) -> Channel:
    if name not in ("patrol", "citizen") and name not in rules.connectors:
        raise CatalogError(f"{where} 渠道“{name}”既不是人工渠道也不是连接器", field="channels")
    classes = dict(body["classes"])
    unknown = sorted(set(classes) - set(rules.classes))
    if unknown:
        raise CatalogError(f"{where} 渠道 {name} 的分类不存在：{'、'.join(unknown)}", field="classes")
    return Channel(name, float(body["share"]), tuple(classes), tuple(float(w) for w in classes.values()))
