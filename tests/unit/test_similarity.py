from datetime import datetime, timedelta

from govgrid.domain.similarity import Sighting, likeness, metres_between
from govgrid.domain.worktime import CHINA

T = datetime(2026, 11, 18, 9, tzinfo=CHINA)
LNG, LAT = 117.0386, 36.6642
EAST_30M = LNG + 30 / (111_320 * 0.8025)


def sighting(**kw):
    base = dict(class_code="E0102", reported_at=T, lng=LNG, lat=LAT, text="泉城路南侧人行道暴露垃圾")
    return Sighting(**{**base, **kw})


def test_the_same_class_thirty_metres_away_an_hour_later_is_a_possible_repeat():
    reason, distance = likeness(
        sighting(lng=EAST_30M, reported_at=T + timedelta(hours=1), text="x"), sighting()
    )
    assert reason == "nearby" and 25 < distance < 35


def test_eighty_metres_away_or_a_day_and_an_hour_later_is_not():
    far = LNG + 80 / (111_320 * 0.8025)
    assert likeness(sighting(lng=far, text="别的描述"), sighting()) is None
    assert likeness(sighting(reported_at=T + timedelta(hours=25)), sighting()) is None


def test_near_identical_words_link_even_without_a_point_or_the_same_class():
    repeat = sighting(class_code="E0199", lng=None, lat=None, text="泉城路南侧人行道暴露垃圾!")
    assert likeness(repeat, sighting()) == ("text", None)


def test_a_different_class_at_the_same_spot_with_other_words_is_not_linked():
    assert likeness(sighting(class_code="E0505", text="机动车占用盲道"), sighting()) is None


def test_distances_are_great_circle_metres():
    assert abs(metres_between(LNG, LAT, EAST_30M, LAT) - 30) < 0.5
