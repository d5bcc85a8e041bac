"""Workbook and CSV bombs are refused before they are loaded, with a clear reason, and nothing is written."""

import pytest

from govgrid.domain.errors import InvalidInput
from govgrid.uploads import sheets
from govgrid.uploads.limits import SheetLimits
from tests import samples

LIMITS = SheetLimits()


@pytest.fixture
def no_loading(monkeypatch):
    """Fails the test if openpyxl is ever asked to load the workbook."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the workbook was loaded before it was refused")

    monkeypatch.setattr(sheets, "load_workbook", refuse)


@pytest.mark.parametrize(
    "make,reason",
    [
        (samples.merged_bomb, "合并单元格"),
        (lambda: samples.strings_bomb(60), "压缩炸弹"),
        (lambda: samples.many_rows(10, declared="A1:Z200000"), "声明的范围"),
        (lambda: samples.many_rows(100_050, declared="A1:C3"), "超过 100,000 行"),
        (
            lambda: samples.rewritten(samples.workbook(), "xl/workbook.xml", lambda _: b"<broken"),
            "不是有效的 .xlsx",
        ),
    ],
)
def test_a_workbook_bomb_is_refused_before_it_is_loaded(no_loading, make, reason):
    data = make()
    assert len(data) < 2 * 1024 * 1024  # small files, every one
    with pytest.raises(InvalidInput, match=reason):
        sheets.read_xlsx(data, LIMITS)


def test_the_merged_bomb_is_a_few_kb_and_the_strings_bomb_a_few_hundred_kb():
    assert len(samples.merged_bomb()) < 8 * 1024
    assert len(samples.strings_bomb(60)) < 600 * 1024


def test_a_workbook_within_the_limits_is_read_with_its_merged_cells_filled():
    data = samples.rewritten(
        samples.workbook([["标题", None, None], ["序号", "层级", "工作内容"]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells></worksheet>'
        ),
    )
    (sheet,) = sheets.read_xlsx(data, LIMITS)
    assert sheet.rows[0] == ["标题", "标题", "标题"] and sheet.rows[1] == ["序号", "层级", "工作内容"]


def test_a_csv_over_the_row_limit_or_with_an_endless_cell_is_refused_naming_the_row():
    with pytest.raises(InvalidInput, match="超过 100,000 行"):
        sheets.read_csv(("a,b\n" * 100_001).encode(), LIMITS, "x")
    with pytest.raises(InvalidInput, match="第 2 行"):
        sheets.read_csv(("a,b\n" + "x" * 40_000 + ",y\n").encode(), LIMITS, "x")
    with pytest.raises(InvalidInput, match="列"):
        sheets.read_csv(("," * 300 + "\n").encode(), LIMITS, "x")


def test_a_ledger_import_of_a_bomb_is_refused_with_a_row_report_and_writes_nothing(session, district):
    from sqlalchemy import func, select

    from govgrid.db.ledger_models import LedgerItem
    from govgrid.services.ledger.importing import LedgerRejected, import_ledger
    from tests.catalogs import CATALOGS
    from tests.factories import NOW
    from tests.services.cases.test_cases import who

    before = session.scalar(select(func.count()).select_from(LedgerItem))
    with pytest.raises(LedgerRejected) as caught:
        import_ledger(
            session,
            actor=who(session, "supervisor"),
            rules=CATALOGS.ledger_rules,
            data=samples.merged_bomb(),
            filename="炸弹.xlsx",
            area_code="370102",
            now=NOW,
        )
    assert "合并单元格" in str(caught.value.errors[0])
    assert session.scalar(select(func.count()).select_from(LedgerItem)) == before
