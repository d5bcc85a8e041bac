"""Property test (Hypothesis) over the ledger as its services build it: whatever the tree (a campaign, its
measures, their tasks), the weights and the progress reported in whatever order, every parent's progress is
the weighted sum of its children's, every progress stays within 0–1, and every item's chain verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerItem
from govgrid.services.chain_verify import verify
from tests.services.ledger.test_ledgers import ASSIGNED, add, report

TASK = st.tuples(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=200))
MEASURE = st.tuples(st.integers(min_value=1, max_value=5), st.lists(TASK, min_size=1, max_size=4))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    measures=st.lists(MEASURE, min_size=1, max_size=3),
    reached=st.lists(st.floats(min_value=0, max_value=1.3), min_size=12, max_size=12),
)
def test_a_parents_progress_is_the_weighted_sum_of_its_childrens_whatever_is_reported(
    session, district, measures, reached
):
    campaign = add(session, kind="campaign", content="性质检验行动")
    tasks = []
    for weight, children in measures:
        measure = add(session, kind="measure", parent_id=campaign.id, content="措施", weight=weight)
        for task_weight, target in children:
            tasks.append(
                add(
                    session,
                    parent_id=measure.id,
                    content="任务",
                    weight=task_weight,
                    target_subject="道路",
                    target_unit="条",
                    target_value=target,
                )  # fmt: skip
            )
    when = ASSIGNED + timedelta(days=1)
    for n, (task, share) in enumerate(zip(tasks, reached, strict=False)):
        report(session, task, round(task.target_value * share, 1), when + timedelta(hours=n))
    session.expire_all()
    tree = session.scalars(select(LedgerItem).where(LedgerItem.campaign_id == campaign.id)).all()
    children: dict[int, list[LedgerItem]] = {}
    for item in tree:
        if item.parent_id is not None:
            children.setdefault(item.parent_id, []).append(item)
    for item in tree:
        assert 0 <= item.progress <= 1
        if item.id in children:
            kids = children[item.id]
            total = sum(k.weight for k in kids)
            assert item.progress == pytest.approx(sum(k.progress * k.weight for k in kids) / total, abs=1e-9)


def test_the_ledgers_the_property_test_built_verify(session):
    assert all(c.broken == 0 for c in verify(session))
