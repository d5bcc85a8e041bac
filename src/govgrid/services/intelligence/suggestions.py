"""派单建议: the category the message model reads in a case's text, and the unit the catalogue routes it to.

One `Suggester` per process holds the model file loaded at start-up (or none: the app works without a
model and suggests nothing). The case page shows the suggestion; the dispatch step records it beside the
dispatcher's own choice (services.intelligence.labels)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from govgrid.db.case_models import Case
from govgrid.domain.case_rules import ResponsibilityList
from govgrid.domain.dispatch_hints import DispatchHints
from govgrid.nlp.classifier import Model, ModelFileError, load
from govgrid.nlp.messages import message_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    category: str
    confidence: float
    is_sure: bool  # at or above the catalogue's threshold: the form is pre-filled
    unit_code: str | None  # where the category goes (None: 属地 without a grid)
    model_version: str
    ranking: tuple[tuple[str, float], ...]


class Suggester:
    def __init__(self, model: Model | None, hints: DispatchHints, responsibility: ResponsibilityList) -> None:
        self.model = model
        self.hints = hints
        self.responsibility = responsibility

    @classmethod
    def from_file(cls, path: Path, hints: DispatchHints, responsibility: ResponsibilityList) -> Suggester:
        """The model at `path` if there is a usable one; else a suggester that suggests nothing (logged)."""
        model = None
        if path.is_file():
            try:
                model = load(path)
                log.info("message model %s loaded from %s", model.version, path)
            except ModelFileError as exc:
                log.warning("message model not used: %s", exc)
        return cls(model, hints, responsibility)

    @property
    def version(self) -> str:
        return self.model.version if self.model else ""

    def for_text(self, subject: str, body: str, grid_code: str | None = None) -> Suggestion | None:
        if self.model is None:
            return None
        prediction = self.model.predict([message_text(subject, body)])[0]
        key = self.hints.units.get(prediction.label)
        unit = self.responsibility.unit_for_key(key, grid_code) if key else None
        return Suggestion(
            prediction.label,
            prediction.confidence,
            self.hints.is_sure(prediction.confidence),
            unit,
            self.model.version,
            prediction.ranking,
        )

    def reads(self, case: Case) -> bool:
        """Whether a case's text is a citizen's message (the catalogue's channels): its category is asked."""
        return case.channel in self.hints.channels

    def for_case(self, case: Case) -> Suggestion | None:
        """The suggestion for a case whose text is a citizen's message; else None."""
        if not self.reads(case):
            return None
        return self.for_text(case.title, case.description, case.grid_code)


def preferred_unit(hint: Suggestion | None, by_class: str | None) -> str | None:
    """The unit the dispatch form pre-selects: the category's when the model is sure, else the class's
    (权责清单)."""
    return hint.unit_code if hint and hint.is_sure and hint.unit_code else by_class
