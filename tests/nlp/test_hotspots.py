"""热点问题挖掘: messages about one problem at one place are one hotspot, whatever their wording; a repost is
folded; the same words at two places are two hotspots; the heat follows the formula in the catalogue. Then
the targets on the shared hotspot file."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from govgrid.catalog.hotspot_rules import load_hotspot_rules
from govgrid.cli import main
from govgrid.domain.worktime import CHINA
from govgrid.nlp.hotspots import Message, find_hotspots, places_of
from govgrid.nlp.messages import MessageFileError, read_hotspot_messages, read_moment
from tests.conftest import SHARED

T0 = datetime(2026, 3, 1, 9, tzinfo=CHINA)
NOISE = [
    "投诉幸福家园小区旁搅拌站夜间施工噪音扰民",
    "幸福家园小区附近搅拌站噪音严重影响休息",
    "幸福家园搅拌站粉尘噪音污染严重",
    "关于幸福家园小区旁搅拌站扰民的投诉",
]


def messages() -> list[Message]:
    out = [
        Message(f"n{i}", f"u{i}", s, "晚上十点以后还在施工，请尽快处理。", T0 + timedelta(days=i))
        for i, s in enumerate(NOISE)
    ]
    out.append(
        Message("n9", "u0", NOISE[0], "晚上十点以后还在施工，请尽快处理。", T0 + timedelta(days=9))
    )  # a repost
    out += [
        Message(f"p{i}", f"v{i}", s, "开发商要求购房必须同时购买车位。", T0 + timedelta(days=i), likes=5)
        for i, s in enumerate(
            ["阳光花园捆绑销售车位", "阳光花园开发商强制捆绑车位", "投诉阳光花园车位捆绑销售"]
        )
    ]
    out += [
        Message(f"o{i}", f"w{i}", s, "希望有关部门关注。", T0)
        for i, s in enumerate(["公交线路调整建议", "医保报销咨询", "学校招生政策咨询"])
    ]
    return out


def test_places_are_read_without_prefixes_or_generic_words():
    assert places_of("投诉A市伊景园滨河苑捆绑销售车位") == {"伊景园滨河苑"}
    assert places_of("A市暮云街道丽发新城社区附近搅拌站") == {"丽发新城"}
    assert places_of("咨询A7县山水湾小区幼儿园性质问题") == {"山水湾小区"}
    assert places_of("我们小区附近的公园没人管") == set()


def test_one_problem_at_one_place_is_one_hotspot_and_a_repost_is_folded():
    found = find_hotspots(messages(), load_hotspot_rules())
    noise = next(h for h in found if "幸福家园" in h.place)
    assert set(noise.members) == {"n0", "n1", "n2", "n3"} and noise.reposts == 1
    assert noise.people == 4 and noise.start == T0 and noise.end == T0 + timedelta(days=3)
    parking = next(h for h in found if "阳光花园" in h.place)
    assert set(parking.members) == {"p0", "p1", "p2"}
    assert not any(m.startswith("o") for h in found for m in h.members)  # unrelated messages stay alone


def test_the_heat_is_the_catalogue_formula_over_its_terms():
    rules = load_hotspot_rules()
    for h in find_hotspots(messages(), rules):
        assert h.score == pytest.approx(sum(rules.weights[k] * v for k, v in h.terms.items()))
        assert 0 <= h.terms["concentration"] <= 1 and 0 < h.terms["recency"] <= 1
    assert set(rules.explain) == set(rules.weights) and all(rules.explain.values())


def test_the_same_words_far_apart_in_time_are_not_one_hotspot():
    late = [Message(f"l{i}", f"x{i}", s, "", T0 + timedelta(days=400 + i)) for i, s in enumerate(NOISE[:3])]
    found = find_hotspots(messages() + late, load_hotspot_rules())
    assert not any({"n0", "l0"} <= set(h.members) for h in found)


def test_times_are_read_in_both_formats_and_bad_ones_named():
    assert read_moment("2017-06-08 17:31:20", "x") == datetime(2017, 6, 8, 17, 31, 20, tzinfo=CHINA)
    assert read_moment("2020/1/8 9:32:33", "x") == datetime(2020, 1, 8, 9, 32, 33, tzinfo=CHINA)
    with pytest.raises(MessageFileError, match="第 3 行：时间“昨天”无法识别"):
        read_moment("昨天", "第 3 行")


def test_the_command_prints_json_hottest_first_with_iso_times(tmp_path):
    path = tmp_path / "m.csv"
    lines = ["留言编号,留言用户,留言主题,留言时间,留言详情,点赞数,反对数"]
    for m in messages():
        lines.append(f"{m.id},{m.user},{m.subject},{m.at:%Y/%m/%d %H:%M:%S},{m.body},{m.likes},{m.against}")
    path.write_text("\n".join(lines), encoding="utf-8")
    done = CliRunner().invoke(
        main, ["nlp", "hotspots", "--input", str(path), "--top", "5", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    found = json.loads(done.stdout)
    assert [h["score"] for h in found] == sorted((h["score"] for h in found), reverse=True)
    assert all(isinstance(i, str) for h in found for i in h["members"])
    assert datetime.fromisoformat(found[0]["start"]).tzinfo is not None
    assert {"title", "place", "start", "end", "score", "members"} <= set(found[0])


def test_a_bad_count_is_named_by_row_and_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("留言编号,留言主题,留言时间,点赞数\n1,甲,2020/1/1,很多\n", encoding="utf-8")
    with pytest.raises(MessageFileError, match="第 2 行：点赞数“很多”"):
        read_hotspot_messages(path)


def test_on_the_shared_file_the_two_known_hotspots_lead_with_related_members():
    path = SHARED / "data" / "messages" / "hotspot_messages.csv"
    if not path.is_file():
        pytest.skip(f"参考数据 {path} 不存在")
    rows = read_hotspot_messages(path)
    text = {m.id: m.subject + m.body for m in rows}
    top = find_hotspots(rows, load_hotspot_rules(), top=3)
    for words in (("丽发新城", "搅拌"), ("伊景园", "滨河苑", "车位")):
        (hot,) = [h for h in top if any(w in h.place for w in words[:2])]
        related = [any(w in text[i] for w in words) for i in hot.members]
        assert sum(related) >= 30 and all(related[:20]), (hot.place, related[:20])
