"""A bulletin states the same numbers as the 考核 metrics of its period; its .docx reads back with the page
geometry and the fonts of an official document (GB/T 9704); its PDF embeds its CJK fonts and renders to
PNG with every glyph; each kind covers the period it names."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from govgrid.domain.assessment import Period
from govgrid.domain.bulletins import Kind, number_of, period_of
from govgrid.services.assessment.metrics import Slice, metrics
from govgrid.services.bulletins.content import compose
from govgrid.services.bulletins.docx_render import render_docx
from govgrid.services.bulletins.render import render_html, render_pdf
from tests.factories import DISTRICT
from tests.services.cases.test_cases import RULES, who

ISSUED = date(2025, 5, 7)  # the daily bulletin of 6 May 2025, a day of the known May cases


def test_each_kind_covers_the_day_the_week_or_the_month_before_it_is_issued():
    assert period_of(Kind.DAILY, date(2026, 12, 1)) == Period(date(2026, 11, 30), date(2026, 11, 30))
    assert period_of(Kind.WEEKLY, date(2026, 12, 2)) == Period(date(2026, 11, 23), date(2026, 11, 29))
    assert period_of(Kind.MONTHLY, date(2026, 12, 1)) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert (number_of(Kind.DAILY, date(2026, 12, 1)), number_of(Kind.MONTHLY, date(2026, 12, 1))) == (334, 11)


def test_the_daily_bulletin_states_the_metrics_of_its_day(session, may_cases):
    bulletin = compose(session, rules=RULES, kind=Kind.DAILY, issued_on=ISSUED, district=DISTRICT)
    day = Period(date(2025, 5, 6), date(2025, 5, 6))
    total = metrics(
        session, actor=who(session, "admin"), rules=RULES, period=day, by=Slice.DISTRICT, compare=False
    )["total"]
    overall = "".join(bulletin.sections[0].paragraphs)
    assert f"全区共上报案件 {total['reported']} 件" in overall
    assert f"立案 {total['registered']} 件" in overall and f"结案 {total['closed']} 件" in overall
    assert (
        bulletin.doc_number.endswith("〔2025〕126号")
        and bulletin.title == "关于2025年5月6日城市管理案件办理情况的日通报"
    )
    assert [s.heading[:2] for s in bulletin.sections] == ["一、", "二、", "三、", "四、", "五、"]
    assert len(bulletin.trend) == 30 and bulletin.trend[-1][0] == date(2025, 5, 6)
    html = render_html(bulletin)
    assert "<svg" in html and bulletin.title in html and "2025年5月7日" in html


def test_the_docx_reads_back_with_the_geometry_and_fonts_of_an_official_document(session, may_cases):
    document = Document(
        io.BytesIO(
            render_docx(compose(session, rules=RULES, kind=Kind.DAILY, issued_on=ISSUED, district=DISTRICT))
        )
    )
    section = document.sections[0]

    def mm(length) -> float:  # type: ignore[no-untyped-def]
        return round(length.mm, 1)  # Word stores twentieths of a point: 210 mm reads back as 210.0

    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)  # A4
    assert (mm(section.top_margin), mm(section.left_margin)) == (37.0, 28.0)
    assert mm(Length(section.page_width - section.left_margin - section.right_margin)) == 156.0  # text block
    assert mm(Length(section.page_height - section.top_margin - section.bottom_margin)) == 225.0
    paragraphs = [p for p in document.paragraphs if p.text]

    def fonts(paragraph):  # type: ignore[no-untyped-def]
        run = paragraph.runs[0]
        return run._element.rPr.rFonts.get(qn("w:eastAsia")), run.font.size

    office, number, title = paragraphs[0], paragraphs[1], paragraphs[2]
    assert (
        office.runs[0].font.color.rgb is not None and str(office.runs[0].font.color.rgb) == "E60012"
    )  # red 版头
    assert "〔2025〕" in number.text
    rule = document.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "E60012"  # the red rule under the 版头
    assert fonts(title) == ("方正小标宋简体", Pt(22))  # 2号小标宋
    headings = [p for p in paragraphs if p.text.startswith(("一、", "二、"))]
    assert fonts(headings[0]) == ("黑体", Pt(16))
    body = next(p for p in paragraphs if p.text.startswith("2025年5月6日，全区"))
    assert fonts(body) == ("仿宋_GB2312", Pt(16))  # 3号仿宋
    assert any(fonts(p)[0] == "楷体_GB2312" for p in paragraphs)  # the second-level heading
    assert paragraphs[-1].text == "2025年5月7日"  # 成文日期 in Arabic numerals
    footer = section.footer._element.xml
    assert "PAGE" in footer and "— " in footer and section.even_page_footer.paragraphs[0].runs


def test_the_pdf_embeds_its_cjk_fonts_and_renders_every_page(session, may_cases, tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("GOVGRID_REQUIRE_BROWSER"):
            pytest.fail("pdftoppm (poppler-utils) is needed to render the PDF here")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "daily.pdf"
    pdf.write_bytes(
        render_pdf(compose(session, rules=RULES, kind=Kind.DAILY, issued_on=ISSUED, district=DISTRICT))
    )
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded: no missing glyphs wherever it opens
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    from PIL import Image

    inked = [sum(Image.open(p).convert("L").histogram()[:128]) for p in pages]  # dark pixels
    assert pages and all(count > 50 for count in inked), inked  # no blank page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "关于2025年5月6日城市管理案件办理情况的日通报" in text.replace("\n", "")  # real glyphs, mapped
    shots = __import__("pathlib").Path(__file__).resolve().parents[2] / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shutil.copy(pages[0], shots / "bulletin-daily-page-1.png")
