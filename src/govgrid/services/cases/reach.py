"""Which cases a person may see or act on, as SQL: the permission table (domain.permissions) applied to a
list, exactly as `authorize` decides it for one case. Read by every case list, the work queue and the
assessment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, true

from govgrid.db.case_models import Case
from govgrid.domain.permissions import Action, Actor, Reach, reach, scope_filter


def visible_cases(actor: Actor) -> Any:
    """The SQL condition for the cases an actor may see: in their area, their unit's, or their own."""
    return may(actor, Action.READ_CASES)


def may(actor: Actor, action: Action) -> Any:
    """The SQL condition for the cases on which the actor may do `action`, as `authorize` decides it for one
    case (its area, its unit, its reporter — the reporter only for an own or area reach, as there)."""
    narrowing = scope_filter(actor, action)
    if narrowing.everything:
        return true()
    by_unit = reach(actor, action) is Reach.UNIT
    own = not by_unit and narrowing.owner_id is not None  # no account: nothing is its own (not IS NULL)
    clauses = [Case.reporter_id == narrowing.owner_id] if own else []
    if narrowing.area_prefix:
        clauses.append(Case.scope_code.startswith(narrowing.area_prefix))
    if narrowing.unit_id is not None:
        clauses.append(Case.unit_id == narrowing.unit_id)
    return or_(*clauses) if clauses else false()
