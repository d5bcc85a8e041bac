"""Scoring drafted records against a gold set (../shared/gold/targets.jsonl): a record matches a gold one
of the same file, value and unit whose quote overlaps its own. Borderline gold records count when found
but are not required for recall; a record matching only a headline duplicate is neither right nor wrong.
Kind, owner and deadline are scored over the matched pairs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from govgrid.nlp.plan_targets import Draft


@dataclass
class DraftScores:
    predicted: int = 0
    right: int = 0
    neutral: int = 0  # matched a headline duplicate only
    required: int = 0
    found: int = 0
    kind_right: int = 0
    owner_right: int = 0
    deadline_right: int = 0
    pairs: int = 0
    wrong: list[tuple[str, Draft]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        counted = self.predicted - self.neutral
        return self.right / counted if counted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.required if self.required else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, right: int) -> float:
        return right / self.pairs if self.pairs else 0.0


def _overlaps(record: Draft, gold: dict[str, Any]) -> bool:
    start = int(gold["char_start"])
    return record.start < start + len(gold["quote"]) and start < record.end


def _same(record: Draft, gold: dict[str, Any]) -> bool:
    return (
        abs(record.value - float(gold["value"])) < 1e-6
        and record.unit == gold["unit"]
        and _overlaps(record, gold)
    )


def score_drafts(drafted: dict[str, list[Draft]], gold: Iterable[dict[str, Any]]) -> DraftScores:
    scores = DraftScores()
    by_file: dict[str, list[dict[str, Any]]] = {}
    for g in gold:
        by_file.setdefault(g["file"], []).append(g)
    for name, golds in by_file.items():
        records = drafted.get(name, [])
        used: set[str] = set()
        scores.required += sum(1 for g in golds if not g.get("borderline") and not g.get("duplicate_of"))
        for record in records:
            scores.predicted += 1
            matches = [g for g in golds if _same(record, g)]
            real = [g for g in matches if not g.get("duplicate_of")]
            if real:
                g = next((g for g in real if g["id"] not in used), real[0])
                scores.right += 1
                if g["id"] not in used:
                    used.add(g["id"])
                    scores.pairs += 1
                    scores.kind_right += record.kind == g["kind"]
                    scores.owner_right += (record.owner or None) == (g.get("owner") or None)
                    scores.deadline_right += (record.deadline or None) == (g.get("deadline") or None)
                    if not g.get("borderline"):
                        scores.found += 1
            elif matches:
                scores.neutral += 1
            else:
                scores.wrong.append((name, record))
        scores.missed += [
            g for g in golds if g["id"] not in used and not g.get("borderline") and not g.get("duplicate_of")
        ]
    return scores
