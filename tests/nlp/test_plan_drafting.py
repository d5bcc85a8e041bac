"""拉出单子: figures found in a plan's OCR text with their unit, qualifier, deadline, owner and kind, quoted
exactly; dates, serials and quoted names are not figures. Then the figures on the shared gold set."""

from __future__ import annotations

import json

import pytest

from govgrid.nlp.draft_scoring import score_drafts
from govgrid.nlp.plan_targets import draft, number_value
from govgrid.services.ledger.drafting import MAX_PLAN_BYTES, PlanTextError, read_plan
from tests.conftest import SHARED

PLAN = (
    "春风区2023年完成地区生产总值\n1 2 3 . 4亿元，增长5 . 6%。\n\n"
    "今年，春风区将实施“三大提升行动”：力争年内新建口袋公园三十九个，"
    "年底前完成1.23万户老旧小区改造，绿化覆盖率达到百分之九十以上，新增就业岗位约2000个。\n\n"
    "截至3月底，全区已清理垃圾1000余方，出动车辆60余台（次）。\n"
)


def one(records, value):  # type: ignore[no-untyped-def]
    (record,) = [r for r in records if r.value == value]
    return record


def test_every_quote_is_an_exact_substring_of_the_original():
    records = draft(PLAN)
    assert records and all(PLAN[r.start : r.end] == r.quote for r in records)


def test_spaced_decimals_and_broken_lines_are_read_as_one_number():
    records = draft(PLAN)
    gdp = one(records, 123.4)
    assert gdp.unit == "亿元" and "\n" in gdp.quote and gdp.kind == "result"
    assert one(records, 5.6).unit == "%"


def test_chinese_numerals_and_percentages_are_normalised():
    records = draft(PLAN)
    assert one(records, 39).unit == "个"
    green = one(records, 90)
    assert green.unit == "%" and green.qualifier == "以上"
    assert number_value("三十九") == 39 and number_value("两") == 2 and number_value("甲") is None


def test_wan_and_yi_stay_in_the_unit_as_written():
    households = one(draft(PLAN), 1.23)
    assert households.unit == "万户" and households.deadline == "年底前" and households.kind == "target"


def test_qualifiers_and_deadlines_are_kept_as_written():
    records = draft(PLAN)
    assert one(records, 2000).qualifier == "约"
    assert one(records, 39).deadline == "年内"
    assert one(records, 1000).qualifier == "余" and one(records, 1000).unit == "方"


def test_a_result_is_told_from_a_target():
    records = draft(PLAN)
    assert one(records, 1000).kind == "result" and one(records, 60).kind == "result"
    assert one(records, 39).kind == "target"


def test_the_owner_is_the_unit_named_and_the_campaign_the_one_in_force():
    records = draft(PLAN)
    assert {r.owner for r in records} == {"春风区"}
    assert one(records, 39).campaign == "三大提升行动"


def test_dates_years_and_quoted_names_are_not_figures():
    values = {r.value for r in draft(PLAN)}
    assert not {2023, 3} & values
    assert not draft("深入实施“气十条”“水十条”，召开二届六次全会，抓好三个环节。")


def test_a_rank_is_a_figure():
    (first, second) = draft("经济总量稳居全市第一、全省第二。")
    assert (first.value, first.unit, second.value, second.unit) == (1, "位", 2, "位")


def test_a_plan_file_is_read_in_either_encoding_and_bounded():
    assert read_plan("力争建成10个".encode("gb18030")) == "力争建成10个"
    assert read_plan("\ufeff力争".encode()) == "力争"
    with pytest.raises(PlanTextError, match="MB"):
        read_plan(b"x" * (MAX_PLAN_BYTES + 1))
    with pytest.raises(PlanTextError, match="二进制"):
        read_plan(b"PK\x03\x04\x00\x00")
    with pytest.raises(PlanTextError, match="空"):
        read_plan(b"  \n")


def test_on_the_shared_gold_set_precision_recall_and_kind_reach_the_targets():
    gold_file, seeds = SHARED / "gold" / "targets.jsonl", SHARED / "seeds"
    if not gold_file.is_file():
        pytest.skip(f"参考数据 {gold_file} 不存在")
    gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    drafted = {name: draft((seeds / name).read_text(encoding="utf-8")) for name in {g["file"] for g in gold}}
    scores = score_drafts(drafted, gold)
    assert scores.precision >= 0.85 and scores.recall >= 0.85  # measured 0.984 and 1.000
    assert scores.accuracy(scores.kind_right) >= 0.9  # measured 1.000
    assert scores.accuracy(scores.owner_right) >= 0.8 and scores.accuracy(scores.deadline_right) >= 0.8
