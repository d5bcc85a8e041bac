"""The limits an upload must keep. Every one is refused with a clear error, never cut silently."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class SheetLimits:
    """Workbooks and CSV files (ledger import, case history import)."""

    max_bytes: int = 20 * MB  # the file as uploaded
    max_rows: int = 100_000  # per sheet (header rows included)
    max_columns: int = 200
    max_cells: int = 2_000_000  # cells a sheet declares or holds (100,000 rows of 20 columns)
    max_merged_cells: int = 200_000  # cells covered by merged ranges, all sheets
    max_sheets: int = 20
    max_parts: int = 2_000  # entries in the zip
    max_part_bytes: int = 160 * MB  # one decompressed part (a sheet's XML)
    max_total_bytes: int = 320 * MB  # every part decompressed
    max_ratio: int = 200  # decompressed / compressed, per part above 1 MB
    max_field_chars: int = 32_767  # Excel's own limit for one cell


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 10 * MB
    max_pixels: int = 100_000_000  # a phone's 200-megapixel mode is refused; 108 MP cameras resize first
    max_side: int = 20_000


@dataclass(frozen=True)
class OfficeLimits:
    """Evidence files (.docx/.xlsx/.pptx)."""

    max_bytes: int = 10 * MB
    max_parts: int = 5_000
    max_total_bytes: int = 200 * MB
    max_ratio: int = 200
