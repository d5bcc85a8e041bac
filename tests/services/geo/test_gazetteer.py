"""Reports located by address text through the gazetteer; no known name, no guess."""

import pytest

from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import SYSTEM
from govgrid.geo.gazetteer import Gazetteer, Place
from govgrid.services.cases import intake
from govgrid.services.geo.gazetteer import add_places
from govgrid.services.geo.locate import LocatorCache
from tests.factories import STREET_A
from tests.services.cases.test_cases import LOCATOR, RULES, WEDNESDAY_10, who


def test_the_longest_known_name_in_the_text_wins():
    gazetteer = Gazetteer(
        [
            Place("泉城路", "road", 0, 0, "a"),
            Place("泉城路一号楼", "building", 0, 0, "b"),
            Place("大明湖", "place", 0, 0, "c"),
        ],
        revision=1,
    )
    assert gazetteer.find("泉城路一号楼东侧垃圾堆").grid_code == "b"
    assert gazetteer.find("在泉城路北侧").grid_code == "a"
    assert gazetteer.find("不知道在哪里") is None


def test_a_report_by_address_is_placed_in_the_grid_of_the_building_it_names(session, district):
    building_grid = next(
        f.code for f in district.features if len(f.code) == 15 and f.code.startswith(STREET_A)
    )
    data = intake.Report(channel="citizen", class_code="E0201", title="小广告", address="测试大厦东门口")
    case, _ = intake.report(
        session, actor=who(session, "dispatcher"), rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10
    )
    assert case.grid_code == building_grid and case.lng is not None


def test_an_address_naming_no_known_place_is_kept_unlocated_for_the_center(session, district):
    data = intake.Report(channel="citizen", class_code="E0201", title="小广告", address="某某路边")
    case, _ = intake.report(
        session, actor=who(session, "dispatcher"), rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10
    )
    assert case.grid_code is None and case.scope_code == "370102"


def test_a_place_outside_every_grid_is_refused_and_nothing_is_added(session, district):
    from govgrid.services.geo.gazetteer import count

    before = count(session)
    with pytest.raises(InvalidInput) as caught:
        add_places(
            session,
            actor=SYSTEM,
            locator=LocatorCache(),
            places=[("好地方", "place", 117.04, 36.655), ("区外", "place", 116.9, 36.6)],
            now=WEDNESDAY_10,
        )
    session.rollback()
    assert "第 2 条" in caught.value.message and count(session) == before
