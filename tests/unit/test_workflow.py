"""The loops as tables: every path a case takes, and the steps that are refused."""

import pytest

from govgrid.domain.workflow import (
    FINAL,
    HELD,
    START,
    STATUS_LABEL,
    STEP_LABEL,
    TRANSITIONS,
    IllegalTransition,
    Loop,
    Status,
    Step,
    allowed_steps,
    next_status,
)


def walk(loop, *steps):
    status = START[loop]
    for step in steps:
        status = next_status(loop, status, step)
    return status


def test_an_urban_case_goes_round_the_seven_step_loop_with_one_rework():
    assert (
        walk(
            Loop.URBAN,
            Step.VERIFY,
            Step.REGISTER,
            Step.DISPATCH,
            Step.SIGN,
            Step.HANDLE,
            Step.FEED_BACK,
            Step.CHECK_FAIL,
            Step.FEED_BACK,
            Step.CHECK_PASS,
        )
        is Status.CLOSED
    )


def test_an_invalid_report_is_cancelled_at_verification():
    assert walk(Loop.URBAN, Step.CANCEL) is Status.CANCELLED


def test_a_case_sent_to_the_wrong_unit_returns_to_the_center_and_is_dispatched_again():
    assert (
        walk(Loop.URBAN, Step.VERIFY, Step.REGISTER, Step.DISPATCH, Step.RETURN, Step.DISPATCH)
        is Status.DISPATCHED
    )


def test_a_parked_case_returns_to_dispatch_when_unparked():
    assert walk(Loop.URBAN, Step.VERIFY, Step.REGISTER, Step.PARK, Step.UNPARK) is Status.REGISTERED


def test_a_hotline_order_goes_from_acceptance_to_evaluation_and_can_be_excluded_on_appeal():
    assert (
        walk(
            Loop.HOTLINE,
            Step.DISPATCH,
            Step.SIGN,
            Step.CONTACT,
            Step.HANDLE,
            Step.FEED_BACK,
            Step.CALL_BACK,
            Step.EVALUATE,
            Step.EXCLUDE,
        )
        is Status.EXCLUDED
    )


def test_a_disputed_hotline_order_is_returned_to_acceptance():
    assert walk(Loop.HOTLINE, Step.DISPATCH, Step.RETURN) is Status.ACCEPTED


def test_closing_before_the_check_is_refused_with_the_allowed_steps_named():
    with pytest.raises(IllegalTransition) as caught:
        walk(Loop.URBAN, Step.VERIFY, Step.REGISTER, Step.DISPATCH, Step.CHECK_PASS)
    assert "待签收" in caught.value.message and "签收" in caught.value.message


def test_a_closed_case_takes_no_further_step():
    closed = walk(Loop.URBAN, Step.VERIFY, Step.REGISTER, Step.FORCE_CLOSE)
    assert closed in FINAL and allowed_steps(Loop.URBAN, closed) == []


def test_every_status_and_step_has_a_chinese_label_and_every_status_is_reachable():
    assert set(STATUS_LABEL) == set(Status) and set(STEP_LABEL) == set(Step)
    reached = set(START.values()) | set(TRANSITIONS.values()) | set(HELD.values())
    assert reached == set(Status)


def test_no_step_leads_out_of_a_final_status_except_exclusion_after_evaluation():
    leaving = {(loop, status) for (loop, status, _step) in TRANSITIONS if status in FINAL}
    assert leaving == {(Loop.HOTLINE, Status.EVALUATED)}
