"""A bulletin as a .docx in official document style (GB/T 9704—2012 where it fits): A4, a 37 mm top margin
and a 28 mm binding margin around a 156 × 225 mm text block; the issuing office's red 版头 with the 发文字号
in 〔〕 and a red rule; the title in 2号小标宋, body text in 3号仿宋 on a 28 pt line, headings in 黑体 then
楷体; 成文日期 in Arabic numerals; page numbers "— 1 —" in 4号宋体, odd pages right, even pages left. The
fonts are named as offices have them (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from govgrid.domain.bulletins import span, written
from govgrid.services.bulletins.charts import trend_png
from govgrid.services.bulletins.content import Bulletin

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
SIZE = {"初号": 42, "二号": 22, "三号": 16, "四号": 14}
RED = RGBColor(0xE6, 0x00, 0x12)


def render_docx(bulletin: Bulletin) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(297 - 37 - 225)
    section.left_margin, section.right_margin = Mm(28), Mm(210 - 28 - 156)
    section.footer_distance = Mm(297 - 37 - 225 - 7)
    _header(document, bulletin)
    _paragraph(
        document, bulletin.title, TITLE_FONT, SIZE["二号"], align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    _paragraph(document, "", BODY_FONT, SIZE["三号"], indent=False)
    _paragraph(document, "各街道办事处，区直各有关部门：", BODY_FONT, SIZE["三号"], indent=False)
    _paragraph(
        document, f"现将{span(bulletin.period)}城市管理案件办理情况通报如下。", BODY_FONT, SIZE["三号"]
    )
    for number, part in enumerate(bulletin.sections):
        _paragraph(document, part.heading, HEADING_FONT, SIZE["三号"])
        for text in part.paragraphs:
            _paragraph(document, text, BODY_FONT, SIZE["三号"])
        if number == 0 and bulletin.trend:
            _paragraph(document, "（一）近30日上报与结案", SUBHEADING_FONT, SIZE["三号"])
            document.add_picture(io.BytesIO(trend_png(bulletin.trend)), width=Mm(156))
    _paragraph(document, "", BODY_FONT, SIZE["三号"], indent=False)
    _paragraph(
        document, bulletin.office, BODY_FONT, SIZE["三号"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False
    )
    _paragraph(
        document,
        written(bulletin.issued_on),
        BODY_FONT,
        SIZE["三号"],
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
    )
    _page_numbers(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _header(document: object, bulletin: Bulletin) -> None:
    office = _paragraph(
        document,
        bulletin.office,
        TITLE_FONT,
        SIZE["二号"],
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        colour=RED,
    )
    office.runs[0].bold = False
    _paragraph(
        document, bulletin.doc_number, BODY_FONT, SIZE["三号"], align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    rule = _paragraph(document, "", BODY_FONT, 8, indent=False)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    rule._p.get_or_add_pPr().append(borders)


def _paragraph(
    document: object,
    text: str,
    font: str,
    size: float,
    *,
    align: object = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    colour: RGBColor | None = None,
) -> Any:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.alignment = align
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(28 if size <= SIZE["三号"] else size * 1.5)
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    run = paragraph.add_run(text)
    _font(run, font, size)
    if colour is not None:
        run.font.color.rgb = colour
    return paragraph


def _font(run: object, name: str, size: float) -> None:
    run.font.name = name  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    fonts.set(qn("w:eastAsia"), name)


def _page_numbers(document: object) -> None:
    """— 1 — in 4号宋体: odd pages on the right, even pages on the left (GB/T 9704 7.5)."""
    document.settings.odd_and_even_pages_header_footer = True  # type: ignore[attr-defined]
    section = document.sections[0]  # type: ignore[attr-defined]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        for part in ("— ", None, " —"):
            run = paragraph.add_run(part or "")
            _font(run, PAGE_FONT, SIZE["四号"])
            if part is None:
                _field(run, "PAGE")


def _field(run: object, code: str) -> None:
    begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, end):
        run._r.append(element)  # type: ignore[attr-defined]
