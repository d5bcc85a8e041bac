"""考核方案 from catalog/assessment.yaml: each score adds up from its parts and says where every point went;
the ranking leaves out units with too few cases (one fast case never tops the table), ties share a place,
and the 红黑榜 never names a unit twice; a scheme that names an unknown figure is refused on loading."""

import pytest

from govgrid.catalog import CatalogError
from govgrid.catalog.assessment_catalog import load_assessment
from govgrid.catalog.bundle import load_catalogs
from govgrid.domain.assessment import with_rates
from govgrid.domain.assessment_schemes import rank, score
from tests.catalogs import CATALOGS

RULES = CATALOGS.case_rules.assessment


def row(name, **counts):
    return {"code": name, "name": name, **with_rates(counts)}


def test_the_composite_is_50_on_time_30_closure_10_for_no_rework_and_10_supervision_points():
    figures = row(
        "大明湖街道", registered=100, due=100, closed=90, closed_on_time=80, reworked=5, supervised=2
    )
    points, lines = score(RULES.scheme("composite"), figures)
    assert [line.points for line in lines] == [40.0, 27.0, 9.5, 8.0]
    assert points == 84.5
    assert lines[0].text == "按期结案率 80.00% × 50 = 40.00 分"
    assert lines[3].text == "督办 2 件，每件扣 1 分，得 8.00 分（满分 10）"
    assert lines[0].drill == ("due", "closed_on_time")  # the cases that lost these points


def test_jinhua_gives_50_at_70_percent_on_time_less_1_a_point_below_and_takes_off_for_reworks():
    scheme = RULES.scheme("jinhua")
    above = row("甲", due=100, closed=95, closed_on_time=75, registered=100)
    below = row(
        "乙",
        due=100,
        closed=95,
        closed_on_time=62,
        registered=100,
        reworked=4,
        reworked_few=3,
        reworked_thrice=1,
    )
    assert score(scheme, above)[0] == 50.0
    points, lines = score(scheme, below)
    assert [line.points for line in lines] == [42.0, -0.6, -0.5]
    assert points == 40.9
    assert "低于 70% 8.00 个百分点，扣 8.00 分" in lines[0].text


def test_the_12345_weights_score_the_three_rates():
    figures = row("丙", callbacks=100, contacted=100, resolved=80, satisfaction_points=85.5)
    assert score(RULES.scheme("hotline_10_50_40"), figures)[0] == 10 + 40 + 34.2
    # each line is rounded as it is shown (29.925 → 29.93), and the score is the sum of its lines
    assert score(RULES.scheme("hotline_30_35_35"), figures)[0] == 30 + 28 + 29.93


def test_a_unit_with_too_few_due_cases_is_listed_not_ranked_and_ties_share_a_place():
    fast = row("一件快办", due=1, closed=1, closed_on_time=1, registered=1)
    rows = [
        fast,
        row("甲", due=40, closed=40, closed_on_time=36, registered=40),
        row("乙", due=40, closed=40, closed_on_time=36, registered=40),
        row("丙", due=40, closed=30, closed_on_time=20, registered=40),
    ]
    ranking = rank(RULES.scheme("composite"), rows, min_count=RULES.min_due, board=RULES.board)
    assert [(r.place, r.row["name"]) for r in ranking.ranked] == [(1, "乙"), (1, "甲"), (3, "丙")]
    assert [r.row["name"] for r in ranking.unranked] == ["一件快办"]
    assert ranking.unranked[0].score == 100.0  # a perfect score, and still not first
    assert [r.row["name"] for r in ranking.red] == ["乙", "甲", "丙"]
    assert ranking.black == []  # three ranked units are all on the 红榜; none is named twice


def test_the_red_and_black_boards_take_the_best_and_the_worst():
    rows = [row(f"单位{n}", due=30, closed=30, closed_on_time=30 - n, registered=30) for n in range(8)]
    ranking = rank(RULES.scheme("composite"), rows, min_count=20, board=3)
    assert [r.row["name"] for r in ranking.red] == ["单位0", "单位1", "单位2"]
    assert [r.row["name"] for r in ranking.black] == ["单位7", "单位6", "单位5"]


def test_the_shipped_catalogue_names_its_sources():
    assert RULES.min_due == 20 and RULES.board == 3
    assert "0.9" in RULES.sources["fairly_satisfied"]
    assert all(s.source for s in RULES.schemes.values())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["schemes"][0]["parts"][0].update(metric="nothing"), "metric"),
        (lambda d: d["schemes"][0]["parts"][0].update(kind="guess"), "kind"),
        (lambda d: d["schemes"][0]["parts"][3].update(kind="rate"), "metric"),
        (lambda d: d["terms"].update(fairly_satisfied_weight=1.5), "fairly_satisfied_weight"),
        (lambda d: d["terms"].update(left_out=["gone"]), "left_out"),
        (lambda d: d["schemes"].append(dict(d["schemes"][0])), "id"),
    ],
)
def test_a_scheme_that_names_an_unknown_figure_or_kind_is_refused_naming_the_field(change, field):
    import copy

    doc = copy.deepcopy(CATALOGS.source.load("assessment.yaml"))
    change(doc)
    with pytest.raises(CatalogError) as refused:
        load_assessment(doc)
    assert refused.value.field == field and "assessment.yaml" in refused.value.message


def test_a_citys_own_assessment_catalogue_is_used(tmp_path):
    text = CATALOGS.source.load("assessment.yaml")
    text["ranking"]["min_due"] = 5
    import yaml

    (tmp_path / "assessment.yaml").write_text(yaml.safe_dump(text, allow_unicode=True), encoding="utf-8")
    assert load_catalogs(tmp_path).case_rules.assessment.min_due == 5
