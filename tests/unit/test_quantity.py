import pytest

from govgrid.domain.errors import InvalidInput
from govgrid.domain.quantity import parse_quantity


@pytest.mark.parametrize(
    "text,value,unit",
    [
        ("38座", 38, "座"),
        ("1685 . 4亿元", 1685.4, "亿元"),
        ("100万平方米", 100, "万平方米"),
        ("1,200户", 1200, "户"),
        ("二十个", 20, "个"),
        ("3.5", 3.5, ""),
    ],
)
def test_the_quantities_offices_write_are_read(text, value, unit):
    quantity = parse_quantity(text)
    assert (quantity.value, quantity.unit) == (pytest.approx(value), unit)


def test_scaled_values_count_the_wan_and_yi():
    assert parse_quantity("1685 . 4亿元").scaled == pytest.approx(1685.4e8)
    assert parse_quantity("100万平方米").scaled == pytest.approx(1e6)


@pytest.mark.parametrize("text", ["约三成", "100左右", "近200家", "30余个", "大约", "很多", ""])
def test_vague_or_missing_values_are_refused_naming_the_text(text):
    with pytest.raises(InvalidInput) as caught:
        parse_quantity(text, field="目标值")
    assert caught.value.field == "目标值" and (text in caught.value.message or not text)
