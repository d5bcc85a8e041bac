"""派单建议: how a predicted 12345 category becomes a suggested unit (catalog/dispatch_hints.yaml), and
when the prediction is sure enough to pre-fill the dispatch form."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DispatchHints:
    threshold: float  # 0–1; below it the dispatcher decides
    channels: frozenset[str]  # channels whose case text is a citizen's message
    units: dict[str, str]  # category → responsibility key

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.units)

    def is_sure(self, confidence: float) -> bool:
        return confidence >= self.threshold
