"""考核排名 of a period by a slice on a scheme of catalog/assessment.yaml: each unit's score with the lines
that explain it, the ranking (units with fewer cases than the minimum are listed, not ranked) and the
红黑榜 — over the metrics the caller may see (services.assessment.metrics)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from govgrid.domain.assessment import Period
from govgrid.domain.assessment_schemes import Ranked, rank
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import Actor
from govgrid.services.assessment.metrics import Slice, metrics


def ranking(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    period: Period,
    by: Slice,
    scheme_id: str,
    found: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """{from, to, by, scheme: {id, name, source, full, basis, min_count}, ranked, unranked, red, black}:
    each entry {place, code, name, score, lines: [{label, points, text, drill: {metric, without}}]} and the
    row's figures. `found` is the period's metrics when the caller has them already."""
    assessment = rules.assessment
    scheme = assessment.scheme(scheme_id or assessment.default_scheme)
    found = found or metrics(session, actor=actor, rules=rules, period=period, by=by, compare=False)
    rows = [row for row in found["rows"] if row["code"]]  # the cases no unit holds are not a unit
    ranked = rank(scheme, rows, min_count=assessment.min_due, board=assessment.board)
    return {
        "from": found["from"],
        "to": found["to"],
        "by": found["by"],
        "scheme": {
            "id": scheme.id,
            "name": scheme.name,
            "source": scheme.source,
            "full": scheme.full,
            "basis": scheme.basis,
            "min_count": assessment.min_due,
        },
        "ranked": [entry(r) for r in ranked.ranked],
        "unranked": [entry(r) for r in ranked.unranked],
        "red": [entry(r) for r in ranked.red],
        "black": [entry(r) for r in ranked.black],
    }


def entry(ranked: Ranked) -> dict[str, Any]:
    return {
        "place": ranked.place,
        "code": ranked.row["code"],
        "name": ranked.row["name"],
        "score": ranked.score,
        "lines": [
            {
                "label": line.label,
                "points": line.points,
                "text": line.text,
                "drill": {"metric": line.drill[0], "without": line.drill[1]},
            }
            for line in ranked.lines
        ],
        "figures": {k: v for k, v in ranked.row.items() if k not in ("code", "name")},
    }
