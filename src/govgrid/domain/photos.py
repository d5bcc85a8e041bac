"""When a case photo was taken, as people label it: 处置前 (reported, before anyone acted), 处置后 (the
handling unit's evidence) or 核查 (the checker's, once handling is reported). Read from the case's status
when the photo was added."""

from __future__ import annotations

from enum import StrEnum

from govgrid.domain.workflow import Status


class Phase(StrEnum):
    BEFORE = "before"
    AFTER = "after"
    CHECK = "check"


PHASE_LABEL = {Phase.BEFORE: "处置前", Phase.AFTER: "处置后", Phase.CHECK: "核查"}
_AFTER = {Status.DISPATCHED, Status.SIGNED, Status.HANDLING, Status.ASSIGNED, Status.CONTACTED}
_CHECK = {Status.FED_BACK, Status.REPLIED, Status.REPLY_HELD, Status.CALLED_BACK}


def phase_of(status: Status) -> Phase:
    if status in _AFTER:
        return Phase.AFTER
    if status in _CHECK:
        return Phase.CHECK
    return Phase.BEFORE


def phase_label(code: str) -> str:
    """The label of a stored phase; a photo from before phases were kept is just 现场照片."""
    return next((label for phase, label in PHASE_LABEL.items() if phase.value == code), "现场照片")
