"""Small files that are what they claim to be (and some that only pretend), for upload tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (greyscale), decodable by a browser."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(min(height, 4)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int = 4, height: int = 3) -> bytes:
    """The markers of a baseline JPEG with its frame header (enough for the structure check)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return (
        b"\xff\xd8"
        + app0
        + sof0
        + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
        + b"\x12\x34" * 8
        + b"\xff\xd9"
    )


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def gif_html_polyglot() -> bytes:
    """A GIF whose bytes are also a web page: a comment extension carrying a script."""
    return GIF[:-1] + b"!\xfe\x2e<script>alert(document.cookie)</script>\x00" + b";"


def docx(main_part: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(main_part, "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office document")
    return buffer.getvalue()


def workbook(rows: list[list[object]] | None = None, title: str = "督办台账") -> bytes:
    """A real .xlsx made by openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows or [["序号", "层级", "工作内容"], ["1", "行动", "示例"]]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, part: str, change) -> bytes:  # type: ignore[no-untyped-def]
    """The same ZIP with one part's bytes replaced by change(old bytes), or added when it is missing."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == part else body)
        if part not in source.namelist():
            target.writestr(part, change(b""))
    return buffer.getvalue()


def merged_bomb() -> bytes:
    """A tiny workbook with one merged range A1:Z100000 (2.6 million cells once filled)."""
    return rewritten(
        workbook(),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="A1:Z100000"/></mergeCells></worksheet>'
        ),
    )


def strings_bomb(megabytes: int = 60) -> bytes:
    """A workbook whose shared strings inflate a thousandfold."""
    pad = b"<si><t>" + b"x" * 1000 + b"</t></si>"
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + pad * (megabytes * 1000)
        + b"</sst>"
    )
    return rewritten(workbook(), "xl/sharedStrings.xml", lambda _: strings)


def many_rows(count: int, declared: str = "A1:C2") -> bytes:
    """A workbook with `count` rows in its sheet XML whose <dimension> says `declared`."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(3, count + 3))

    def change(xml: bytes) -> bytes:
        import re

        xml = re.sub(rb'<dimension ref="[^"]+"\s*/>', b'<dimension ref="' + declared.encode() + b'"/>', xml)
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    return rewritten(workbook(), "xl/worksheets/sheet1.xml", change)


# A 12345 reply that says what was found, done and decided, and why (not held by the reply-quality check)
GOOD_REPLY = (
    "经现场核查，您反映的问题情况属实。区城管局已于3月5日安排人员到现场清运，并设置提示标志，目前已清理完毕。"
    "依据《济南市城市市容和环境卫生管理条例》，该路段的环境卫生由区城管局负责。"
)
