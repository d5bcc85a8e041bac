"""Scoring predicted labels against true ones: accuracy, macro-F1, per-class precision/recall/F1 and the
confusion matrix (rows: true label, columns: predicted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Scores:
    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    classes: tuple[ClassScore, ...]
    confusion: tuple[tuple[int, ...], ...]
    unknown: int  # true labels the model does not have (counted as errors)

    @property
    def weakest(self) -> ClassScore:
        return min(self.classes, key=lambda c: c.f1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "classes": {
                c.label: {
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.support,
                }
                for c in self.classes
            },
        }


def score(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Scores:
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    names = tuple(labels) + tuple(sorted(set(truth) - set(labels)))
    index = {name: i for i, name in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t]][index[p]] += 1
    classes = []
    for i, name in enumerate(names):
        if i >= len(labels) and sum(matrix[i]) == 0:
            continue
        hit = matrix[i][i]
        said = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision = hit / said if said else 0.0
        recall = hit / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        classes.append(ClassScore(name, precision, recall, f1, support))
    present = [c for c in classes if c.support or c.label in labels]
    total = len(truth)
    return Scores(
        names,
        sum(matrix[i][i] for i in range(len(names))) / total if total else 0.0,
        sum(c.f1 for c in present) / len(present) if present else 0.0,
        tuple(classes),
        tuple(tuple(row) for row in matrix),
        sum(1 for t in truth if t not in labels),
    )


def report(scores: Scores) -> str:
    """The text `govgrid nlp evaluate` prints."""
    lines = [
        f"样本 {sum(c.support for c in scores.classes)} 条  准确率 accuracy {scores.accuracy:.4f}  "
        f"宏平均 F1 macro-F1 {scores.macro_f1:.4f}  最弱类 {scores.weakest.label} {scores.weakest.f1:.4f}",
        "",
        f"{'类别':<10}\tprecision\trecall\tF1\tsupport",
    ]
    for c in scores.classes:
        lines.append(f"{c.label:<10}\t{c.precision:.4f}\t\t{c.recall:.4f}\t{c.f1:.4f}\t{c.support}")
    if scores.unknown:
        lines.append(f"（{scores.unknown} 条的真实类别不在模型类别中，计为错误）")
    lines += ["", "混淆矩阵（行：真实类别，列：预测类别）", "\t".join(["", *scores.labels])]
    for name, row in zip(scores.labels, scores.confusion, strict=True):
        lines.append("\t".join([name, *map(str, row)]))
    return "\n".join(lines)
