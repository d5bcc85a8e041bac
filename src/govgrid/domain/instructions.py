"""领导批示 as text: what an instruction on a case or a ledger item must be — something said, within bounds.
The one check for both (services.cases.side_actions.instruct, services.ledger.instructions.instruct)."""

from __future__ import annotations

from govgrid.domain.errors import InvalidInput
from govgrid.domain.text import required

MAX_INSTRUCTION = 1000


def instruction_text(note: str) -> str:
    text = required(note, "note", "批示内容")
    if len(text) > MAX_INSTRUCTION:
        raise InvalidInput(f"批示内容过长（{len(text)} 字，上限 {MAX_INSTRUCTION}）", field="note")
    return text
