"""The category a dispatcher gives a message on dispatching it, kept beside the model's suggestion as a
labelled example (message_label). A correction is a row whose label differs from the prediction.
`export` writes them in the raw training format, so `govgrid nlp train-classifier` can include them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.db.intelligence_models import MessageLabel
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Actor
from govgrid.nlp.messages import BODY, LABEL, SUBJECT
from govgrid.services.intelligence.suggestions import Suggester

EXPORT_COLUMNS = ("案件编号", SUBJECT, BODY, LABEL, "模型预测", "置信度", "标注时间")


def record(
    session: Session, suggester: Suggester, *, actor: Actor, case: Case, category: str, now: datetime
) -> MessageLabel:
    """Append the dispatcher's category for `case` (in the caller's transaction)."""
    if category not in suggester.hints.units:
        shown = "、".join(suggester.hints.categories)
        raise InvalidInput(f"类别“{category[:20]}”不在派单目录中（可选：{shown}）", field="category")
    suggestion = suggester.for_case(case)
    label = MessageLabel(
        district_code=case.district_code,
        case_id=case.id,
        subject=case.title,
        body=case.description,
        label=category,
        predicted=suggestion.category if suggestion else None,
        confidence=round(suggestion.confidence, 4) if suggestion else None,
        model_version=suggester.version,
        labelled_by=actor.user_id,
        labelled_at=now,
    )
    session.add(label)
    return label


def export(session: Session) -> Iterator[dict[str, object]]:
    """Every labelled example, oldest first, as rows of the raw training format (and what was predicted)."""
    for row in session.scalars(select(MessageLabel).order_by(MessageLabel.id)):
        yield {
            "案件编号": row.case_id,
            SUBJECT: row.subject,
            BODY: row.body,
            LABEL: row.label,
            "模型预测": row.predicted or "",
            "置信度": "" if row.confidence is None else f"{row.confidence:.4f}",
            "标注时间": row.labelled_at.isoformat(timespec="seconds"),
        }
