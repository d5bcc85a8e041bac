"""A dispatcher opens 通报 in the browser, previews the daily bulletin and downloads it as Word and PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def test_a_dispatcher_downloads_the_daily_bulletin(page):
    log_in(page, "dispatcher")
    page.goto("/bulletins")
    with page.expect_download() as download:
        page.locator("#bulletins-daily a.download-docx").first.click()
    assert download.value.suggested_filename.startswith(
        "日通报-"
    ) and download.value.suggested_filename.endswith(".docx")
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert any(p.text.endswith("日通报") for p in document.paragraphs)
    with page.expect_download() as pdf:
        page.locator("#bulletins-daily a.download-pdf").first.click()
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    page.locator("#bulletins-daily a", has_text="查看").first.click()
    assert page.locator("h1").inner_text().startswith("关于")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bulletin-preview-1280.png"), full_page=True)
