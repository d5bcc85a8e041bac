"""Ledger rules: quantified targets, roll-up, 序时进度 and lights, the 3/7 rule on working days, the ladder."""

from datetime import datetime, timedelta

import pytest

from govgrid.catalog.calendars import load_calendar
from govgrid.catalog.sla import load_templates
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import Direction, Light, Rung, Target, expected_progress, light, next_rung, rollup
from govgrid.domain.response_rules import Filed, missed
from govgrid.domain.worktime import CHINA

CAL = load_calendar()
RULE_3_7 = load_templates()["3-7"]
MID_AUTUMN_FRIDAY = datetime(2026, 9, 25, 10, 0, tzinfo=CHINA)  # a holiday, right before National Day


def test_a_target_of_100_roads_half_done_is_fifty_percent_complete():
    roads = Target(subject="环卫保洁一级标准道路", unit="条", value=100, qualifier="")
    assert roads.completion(50) == 0.5 and roads.completion(130) == 1.0


def test_a_decrease_target_counts_the_way_down_from_the_baseline():
    pm25 = Target(
        subject="PM2.5 年均浓度", unit="微克/立方米", value=45, baseline=55, direction=Direction.DECREASE
    )
    assert pm25.completion(50) == pytest.approx(0.5)


def test_a_target_that_cannot_be_moved_towards_is_refused():
    with pytest.raises(InvalidInput):
        Target(subject="x", unit="个", value=10, baseline=20).completion(15)


def test_a_parents_progress_is_the_weighted_sum_of_its_children():
    assert rollup([(1.0, 3), (0.0, 1)]) == pytest.approx(0.75)


def test_without_weights_a_parents_progress_is_the_plain_average():
    assert rollup([(1.0, None), (0.5, None), (0.0, None)]) == pytest.approx(0.5)


def test_weighted_and_unweighted_siblings_are_not_mixed():
    with pytest.raises(InvalidInput):
        rollup([(1.0, 2), (0.0, None)])


def test_expected_progress_is_the_elapsed_share_of_the_window():
    start = datetime(2026, 1, 1, tzinfo=CHINA)
    assert expected_progress(start, start + timedelta(days=100), start + timedelta(days=25)) == 0.25


@pytest.mark.parametrize(
    "progress,days_in,expected",
    [
        (0.30, 25, Light.GREEN),  # ahead of 序时进度 (25 %)
        (0.10, 50, Light.YELLOW),  # behind 50 % by more than 10 points
        (0.95, 95, Light.BLUE),  # five days left
        (0.90, 101, Light.RED),  # past the deadline, not done
    ],
)
def test_the_light_follows_schedule_and_deadline(progress, days_in, expected):
    start = datetime(2026, 1, 1, tzinfo=CHINA)
    assert (
        light(
            progress=progress,
            start=start,
            deadline=start + timedelta(days=100),
            now=start + timedelta(days=days_in),
            is_closed=False,
            missed_response=False,
        )
        is expected
    )


def test_a_missed_response_rule_turns_the_light_yellow_and_a_closed_task_is_grey():
    start = datetime(2026, 1, 1, tzinfo=CHINA)
    common = dict(
        progress=0.5, start=start, deadline=start + timedelta(days=100), now=start + timedelta(days=10)
    )
    assert light(**common, is_closed=False, missed_response=True) is Light.YELLOW
    assert light(**common, is_closed=True, missed_response=True) is Light.GREY


def test_three_and_seven_working_days_from_the_mid_autumn_friday_skip_the_national_day_holiday():
    assert (
        missed(
            RULE_3_7,
            assigned_at=MID_AUTUMN_FRIDAY,
            reports=[],
            now=datetime(2026, 9, 30, 23, 0, tzinfo=CHINA),
            calendar=CAL,
        )
        == []
    )
    late = missed(
        RULE_3_7,
        assigned_at=MID_AUTUMN_FRIDAY,
        reports=[],
        now=datetime(2026, 10, 1, 8, tzinfo=CHINA),
        calendar=CAL,
    )
    assert [(s.label, d.date().isoformat()) for s, d in late] == [("三天有回音", "2026-09-30")]
    late = missed(
        RULE_3_7,
        assigned_at=MID_AUTUMN_FRIDAY,
        reports=[],
        now=datetime(2026, 10, 13, 8, tzinfo=CHINA),
        calendar=CAL,
    )
    assert [d.date().isoformat() for _, d in late] == [
        "2026-09-30",
        "2026-10-12",
    ]  # 10-10 (Sat) is a 调休 workday


def test_any_report_is_an_answer_but_only_a_staged_result_meets_the_seven_day_step():
    reports = [Filed(datetime(2026, 9, 29, 10, tzinfo=CHINA), "progress")]
    late = missed(
        RULE_3_7,
        assigned_at=MID_AUTUMN_FRIDAY,
        reports=reports,
        now=datetime(2026, 10, 13, tzinfo=CHINA),
        calendar=CAL,
    )
    assert [s.kind for s, _ in late] == ["staged_result"]


def test_the_ladder_climbs_in_order_and_stops_at_accountability():
    assert next_rung(None) is Rung.REMIND and next_rung(Rung.REMIND) is Rung.URGE
    assert next_rung(Rung.INTERVIEW) is Rung.ACCOUNTABILITY and next_rung(Rung.ACCOUNTABILITY) is None


def test_the_13710_template_is_shipped_with_its_four_steps():
    assert [s.label for s in load_templates()["13710"].steps][0] == "1天内拿出方案"
    assert len(load_templates()["13710"].steps) == 4
