"""A public note may carry no personal data, however it is written."""

import pytest

from govgrid.domain.errors import InvalidInput
from govgrid.domain.public_note import check_public_note

NAMES = ("张三", "李四")


@pytest.mark.parametrize(
    "text",
    [
        "已派至街道，来电人李 四（电话138.0013.8000，住5-501）",
        "138/0013/8000",
        "一三八零零一三八零零零",
        "1234567",
        "住501房",
        "3座",
        "三号楼二单元五零一室",
        "见 wang＠example.com",
        "张 三已联系",
        "文化东路5号",
        "370102199001011234",
        "１３８００１３８０００",
    ],
)
def test_personal_data_in_any_spelling_is_refused(text):
    with pytest.raises(InvalidInput) as caught:
        check_public_note(text, reporter_names=NAMES)
    assert caught.value.field == "public_note"


@pytest.mark.parametrize(
    "text",
    [
        "已安排清运",
        "预计2026-12-10前完成",
        "12月3日已处理完毕",
        "已核实，问题属实",
        "已于2026年12月10日 9:30 清运",
    ],
)
def test_an_ordinary_note_with_dates_and_times_is_published(text):
    assert check_public_note(text, reporter_names=NAMES) == text
