"""Reply files (replies.csv: 留言编号, 留言主题, 留言详情, 留言时间, 答复意见, 答复时间): scored row by row,
and the scorer's agreement with hand labels (tests/nlp/reply_labels.csv, docs/reply_rubric.md §7)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from govgrid.domain.worktime import WorkCalendar
from govgrid.nlp.messages import BODY, SUBJECT, MessageFileError, open_rows, read_moment
from govgrid.nlp.reply_quality import (
    DIMENSION_LABEL,
    DIMENSIONS,
    ReplyRules,
    ReplyScore,
    score_reply,
    timeliness,
)

REPLY, ASKED, REPLIED, NUMBER = "答复意见", "留言时间", "答复时间", "留言编号"
YES, NO = "是", "否"
FLAG_LABEL = {"deflection": "推诿", "weak": "弱答复"}
ADDED = [
    column
    for name in (*DIMENSIONS, "timeliness")
    for column in (DIMENSION_LABEL[name], f"{DIMENSION_LABEL[name]}理由")
] + ["推诿", "推诿理由", "弱答复"]


def read_replies(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The file's header and rows; 留言主题, 留言详情 and 答复意见 are required, the two times optional."""
    header, rows = open_rows(path)
    missing = [c for c in (SUBJECT, BODY, REPLY) if c not in header]
    if missing:
        raise MessageFileError(f"{path} 缺少列：{'、'.join(missing)}（表头：{','.join(header)[:200]}）")
    return header, rows


def review_row(rules: ReplyRules, calendar: WorkCalendar, row: dict[str, str], where: str) -> ReplyScore:
    """One row scored, with 及时性 from its two times when both are there."""
    score = score_reply(rules, row.get(SUBJECT) or "", row.get(BODY) or "", row.get(REPLY) or "")
    asked, replied = _moment(row, ASKED, where), _moment(row, REPLIED, where)
    on_time, days, why = timeliness(calendar, asked, replied, rules.limit_workdays)
    return ReplyScore(
        score.relevance,
        score.completeness,
        score.explainability,
        score.deflection,
        {**score.reasons, "timeliness": why},
        timely=on_time,
        workdays=days,
    )


def output_columns(score: ReplyScore) -> dict[str, str]:
    """The columns `nlp review-replies` adds to a row."""
    out: dict[str, str] = {}
    for name in DIMENSIONS:
        out[DIMENSION_LABEL[name]] = str(getattr(score, name))
        out[f"{DIMENSION_LABEL[name]}理由"] = score.reasons[name]
    out["及时性"] = "" if score.timely is None else ("及时" if score.timely else "超时")
    out["及时性理由"] = score.reasons.get("timeliness", "")
    out["推诿"] = YES if score.deflection else NO
    out["推诿理由"] = score.reasons["deflection"]
    out["弱答复"] = YES if score.weak else NO
    return out


def _moment(row: dict[str, str], column: str, where: str) -> datetime | None:
    text = (row.get(column) or "").strip()
    return read_moment(text, f"{where} {column}") if text else None


@dataclass(frozen=True)
class Agreement:
    """How the scorer agrees with hand labels: per dimension and per flag."""

    rows: int
    dimensions: dict[str, dict[str, Any]]
    flags: dict[str, dict[str, Any]]


def agreement(labels: list[dict[str, str]], scores: dict[str, ReplyScore], where: str) -> Agreement:
    """Exact agreement, agreement within one point and quadratic-weighted kappa per dimension; agreement,
    precision and recall for 推诿 and 弱答复. A label row whose 留言编号 has no reply is an error."""
    from sklearn.metrics import cohen_kappa_score

    pairs: dict[str, list[tuple[int, int]]] = {name: [] for name in DIMENSIONS}
    flags: dict[str, list[tuple[bool, bool]]] = {name: [] for name in FLAG_LABEL}
    for number, label in enumerate(labels, start=2):
        key = (label.get(NUMBER) or "").strip()
        if key not in scores:
            raise MessageFileError(f"{where} 第 {number} 行：留言编号“{key}”在答复文件中没有")
        score = scores[key]
        for name in DIMENSIONS:
            gold = _grade(label, DIMENSION_LABEL[name], f"{where} 第 {number} 行")
            pairs[name].append((gold, getattr(score, name)))
        for name, column in FLAG_LABEL.items():
            flags[name].append((label.get(column, "").strip() == YES, bool(getattr(score, name))))
    dimensions = {}
    for name, got in pairs.items():
        truth, pred = [g for g, _ in got], [p for _, p in got]
        dimensions[name] = {
            "exact": sum(g == p for g, p in got) / len(got),
            "within_one": sum(abs(g - p) <= 1 for g, p in got) / len(got),
            "kappa": float(cohen_kappa_score(truth, pred, weights="quadratic", labels=[0, 1, 2])),
            "gold": dict(sorted(Counter(truth).items())),
            "scored": dict(sorted(Counter(pred).items())),
        }
    return Agreement(len(labels), dimensions, {name: _flag(got) for name, got in flags.items()})


def _grade(label: dict[str, str], column: str, where: str) -> int:
    text = (label.get(column) or "").strip()
    if text not in ("0", "1", "2"):
        raise MessageFileError(f"{where}：{column}“{text[:10]}”须为 0、1 或 2")
    return int(text)


def _flag(got: list[tuple[bool, bool]]) -> dict[str, Any]:
    hits = sum(g and p for g, p in got)
    said, true = sum(p for _, p in got), sum(g for g, _ in got)
    return {
        "agreement": sum(g == p for g, p in got) / len(got),
        "precision": hits / said if said else 0.0,
        "recall": hits / true if true else 0.0,
        "gold": true,
        "scored": said,
    }
