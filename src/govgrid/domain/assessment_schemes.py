"""考核方案 (assessment schemes) as data: weighted composites and point rules over a row of metrics, each
score with the lines that explain it — what each part gave or took off, and which cases are behind it — and
the ranking of a period with its minimum of due cases and its 红黑榜. The schemes and the thresholds are in
catalog/assessment.yaml with their sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from govgrid.domain.assessment import Terms


class PartKind(StrEnum):
    RATE = "rate"  # full × rate
    INVERSE_RATE = "inverse_rate"  # full × (1 − rate)
    THRESHOLD = "threshold"  # full at or above `at`; `per` off for each percentage point below
    POINTS_OFF = "points_off"  # full, `per` off for each case counted (not below 0)
    DEDUCT = "deduct"  # `per` off for each case counted (a negative part)


@dataclass(frozen=True)
class Part:
    label: str
    kind: PartKind
    metric: str
    full: float = 0.0
    per: float = 0.0
    at: float = 0.0
    drill: tuple[str, str] = ("", "")  # the cases behind what this part takes off: (metric, without)


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    source: str
    basis: str  # the count a unit needs `min_count` of to be ranked (due, or callbacks for the 三率)
    parts: tuple[Part, ...]

    @property
    def full(self) -> float:
        return sum(p.full for p in self.parts)


@dataclass(frozen=True)
class Line:
    """One part of a score: its points, and the sentence that says where they came from."""

    label: str
    points: float | None
    text: str
    drill: tuple[str, str]


def score(scheme: Scheme, row: dict[str, Any]) -> tuple[float | None, list[Line]]:
    """The row's score on the scheme (None when a rate it needs has no cases) and its lines."""
    lines = [_line(part, row) for part in scheme.parts]
    if any(line.points is None for line in lines):
        return None, lines
    return round(sum(line.points or 0.0 for line in lines), 2), lines


def _line(part: Part, row: dict[str, Any]) -> Line:
    value = row.get(part.metric)
    if value is None:
        return Line(part.label, None, f"{part.label}：无可计数的案件", part.drill)
    if part.kind is PartKind.RATE:
        points = part.full * value
        text = f"{part.label} {value:.2%} × {part.full:g} = {points:.2f} 分"
    elif part.kind is PartKind.INVERSE_RATE:
        points = part.full * (1 - value)
        text = f"（1 − {part.label} {value:.2%}）× {part.full:g} = {points:.2f} 分"
    elif part.kind is PartKind.THRESHOLD:
        below = max(0.0, (part.at - value) * 100)
        points = max(0.0, part.full - part.per * below)
        text = (
            f"{part.label} {value:.2%}，达到 {part.at:.0%}，得 {part.full:g} 分"
            if below == 0
            else f"{part.label} {value:.2%}，低于 {part.at:.0%} {below:.2f} 个百分点，扣 {part.full - points:.2f} 分，得 {points:.2f} 分"
        )
    elif part.kind is PartKind.POINTS_OFF:
        points = max(0.0, part.full - part.per * value)
        text = (
            f"{part.label} {int(value)} 件，每件扣 {part.per:g} 分，得 {points:.2f} 分（满分 {part.full:g}）"
        )
    else:
        points = -part.per * value
        text = f"{part.label} {int(value)} 件，每件扣 {part.per:g} 分，共扣 {-points:.2f} 分"
    return Line(part.label, round(points, 2), text, part.drill)


@dataclass(frozen=True)
class Ranked:
    place: int | None  # None: listed, not ranked (too few cases)
    row: dict[str, Any]
    score: float | None
    lines: list[Line]


@dataclass
class Ranking:
    ranked: list[Ranked] = field(default_factory=list)  # by score, best first
    unranked: list[Ranked] = field(default_factory=list)  # fewer than the minimum of cases
    red: list[Ranked] = field(default_factory=list)  # 红榜: the best N
    black: list[Ranked] = field(default_factory=list)  # 黑榜: the worst N (never also on the 红榜)


def rank(scheme: Scheme, rows: list[dict[str, Any]], *, min_count: int, board: int) -> Ranking:
    """Rows with at least `min_count` of the scheme's basis, ranked by score (ties share a place, then by
    name); the others listed after them. 红黑榜: the top and bottom `board` of the ranked."""
    found = Ranking()
    scored = []
    for row in rows:
        points, lines = score(scheme, row)
        if row.get(scheme.basis, 0) >= min_count and points is not None:
            scored.append((points, row, lines))
        else:
            found.unranked.append(Ranked(None, row, points, lines))
    scored.sort(key=lambda item: (-item[0], str(item[1].get("name", ""))))
    place, previous = 0, None
    for number, (points, row, lines) in enumerate(scored, start=1):
        if points != previous:
            place, previous = number, points
        found.ranked.append(Ranked(place, row, points, lines))
    found.red = found.ranked[:board]
    found.black = [r for r in reversed(found.ranked[-board:]) if r not in found.red] if board else []
    return found


@dataclass(frozen=True)
class AssessmentRules:
    """The assessment's terms, its ranking rule and its schemes, with the sources they cite."""

    terms: Terms
    min_due: int  # a unit with fewer cases of a scheme's basis is listed, not ranked
    board: int  # 红黑榜: the top and bottom N
    schemes: dict[str, Scheme]
    sources: dict[str, str]  # what each value rests on, for the page that explains it

    @property
    def default_scheme(self) -> str:
        """The composite where the catalogue has it, else its first scheme."""
        return "composite" if "composite" in self.schemes else next(iter(self.schemes))

    def scheme(self, scheme_id: str) -> Scheme:
        from govgrid.domain.errors import InvalidInput

        if scheme_id not in self.schemes:
            raise InvalidInput(
                f"考核方案“{scheme_id[:24]}”不存在（可选：{'、'.join(self.schemes)}）", field="scheme"
            )
        return self.schemes[scheme_id]
