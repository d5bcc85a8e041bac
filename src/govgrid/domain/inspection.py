"""督导检查·现场评分 (on-site inspection scoring): scoring sheets as data (catalog/inspection_sheets.yaml), a
score from the deductions ticked on the spot, and the ranking of the places a campaign inspected.

A sheet has items, each with its full points and the deductions an inspector may tick; an item never loses
more than its points, so a place scores between 0 and the sheet's total. Each deduction names the case
class a rectification order (整改意见) is filed under: the order becomes a case and runs the normal loop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from govgrid.domain.errors import InvalidInput


@dataclass(frozen=True)
class Deduction:
    code: str
    text: str
    points: float
    class_code: str


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    points: float
    deductions: tuple[Deduction, ...]


@dataclass(frozen=True)
class Sheet:
    id: str
    name: str
    source: str
    items: tuple[Item, ...]

    @property
    def full(self) -> float:
        return sum(item.points for item in self.items)

    def deduction(self, code: str) -> tuple[Item, Deduction]:
        for item in self.items:
            for deduction in item.deductions:
                if deduction.code == code:
                    return item, deduction
        raise InvalidInput(f"评分表“{self.name}”中没有扣分项“{code[:40]}”", field="deductions")


@dataclass(frozen=True)
class Line:
    """One item of a scored sheet: what it lost and why."""

    item: Item
    lost: float
    ticked: tuple[Deduction, ...]

    @property
    def kept(self) -> float:
        return self.item.points - self.lost


def score(sheet: Sheet, ticked: Iterable[str]) -> tuple[float, list[Line]]:
    """The place's score and each item's line, from the deduction codes ticked (each at most once)."""
    codes = list(ticked)
    if len(set(codes)) != len(codes):
        raise InvalidInput("同一扣分项只能勾选一次", field="deductions")
    chosen = {code: sheet.deduction(code) for code in codes}
    lines = []
    for item in sheet.items:
        mine = tuple(d for i, d in chosen.values() if i.code == item.code)
        lines.append(Line(item, min(item.points, sum(d.points for d in mine)), mine))
    return round(sum(line.kept for line in lines), 2), lines


@dataclass(frozen=True)
class Placed:
    place: int | None  # None: not inspected yet
    code: str
    name: str
    score: float | None
    inspections: int


def rank_places(places: Sequence[tuple[str, str]], scores: dict[str, list[float]]) -> list[Placed]:
    """Places by their mean score, highest first; equal scores share a place; places not yet inspected
    are listed after, unranked."""
    scored = sorted(
        (
            (code, name, round(sum(scores[code]) / len(scores[code]), 2))
            for code, name in places
            if scores.get(code)
        ),
        key=lambda row: (-row[2], row[0]),
    )
    ranked: list[Placed] = []
    for index, (code, name, mean) in enumerate(scored):
        place = ranked[-1].place if ranked and ranked[-1].score == mean else index + 1
        ranked.append(Placed(place, code, name, mean, len(scores[code])))
    ranked += [Placed(None, code, name, None, 0) for code, name in places if not scores.get(code)]
    return ranked
