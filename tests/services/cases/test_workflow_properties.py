"""Property tests (Hypothesis) over the case loop as the services run it: whatever sequence of allowed steps
people take on a case, at whatever pace, the invariants hold — a closed case passed 核查 or was force-closed
with a reason; its history's clock never runs backwards; its chain verifies; each step's row records the
status the case then has."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.errors import DomainError
from govgrid.domain.workflow import Loop, Status, Step, allowed_steps
from govgrid.services.chain_verify import verify
from tests.services.cases.test_cases import WEDNESDAY_10, patrol, step

WHO = {  # who takes each step of the 数字城管 loop
    Step.SIGN: "dept_officer",
    Step.HANDLE: "dept_officer",
    Step.FEED_BACK: "dept_officer",
    Step.RETURN: "dept_officer",
}
REASONED = {Step.FORCE_CLOSE, Step.CANCEL, Step.PARK, Step.RETURN, Step.CHECK_FAIL}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    choices=st.lists(st.integers(min_value=0, max_value=20), min_size=3, max_size=14),
    gaps=st.lists(st.integers(min_value=0, max_value=600), min_size=14, max_size=14),
)
def test_any_sequence_of_allowed_steps_keeps_the_loops_invariants(session, district, choices, gaps):
    case = patrol(session, district, when=WEDNESDAY_10)
    moment = WEDNESDAY_10
    for choice, gap in zip(choices, gaps, strict=False):
        options = [
            s for s in allowed_steps(Loop(case.loop), Status(case.status)) if s is not Step.RELEASE_REPLY
        ]
        if not options:
            break
        action = options[choice % len(options)]
        moment += timedelta(minutes=gap)
        before = case.version
        try:
            case = step(
                session,
                WHO.get(action, "dispatcher"),
                case,
                action,
                moment,
                note="现场核实后的处理意见" if action in REASONED or choice % 2 else "",
            )
        except DomainError:  # a rule beyond the table (a reason, a unit) refused it: nothing changed
            session.rollback()
            case = session.get(Case, case.id)
            assert case.version == before
    rows = session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.chain_seq)
    ).all()
    assert [r.at for r in rows] == sorted(r.at for r in rows)  # the clock never runs backwards
    assert rows[-1].to_status == case.status
    assert all(later.from_status == earlier.to_status for earlier, later in zip(rows, rows[1:], strict=False))
    if case.status == Status.CLOSED:
        closing = rows[-1]
        assert closing.step == Step.CHECK_PASS or (closing.step == Step.FORCE_CLOSE and closing.note.strip())
    assert [r.chain_seq for r in rows] == list(range(1, len(rows) + 1))


def test_the_histories_the_property_test_wrote_verify(session):
    assert all(c.broken == 0 for c in verify(session))
