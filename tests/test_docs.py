"""The documentation says what the code does: the permission table in docs/security.md is the one the code
enforces, and every limit setting the page names exists."""

import re
from pathlib import Path

from govgrid.domain.permissions import _TABLE
from govgrid.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_security_page_shows_the_permission_table_the_code_enforces():
    text = DOCS.joinpath("security.md").read_text(encoding="utf-8")
    rows = [" ".join(line.split()) for line in _TABLE.strip().splitlines()]
    shown = {" ".join(line.split()) for line in text.splitlines()}
    assert [row for row in rows if row not in shown] == []


def test_every_setting_the_security_page_names_exists():
    text = DOCS.joinpath("security.md").read_text(encoding="utf-8")
    named = set(re.findall(r"GOVGRID_([A-Z0-9_]+)", text)) - {"TEST_DATABASE_URL"}  # the test suite's own
    assert named and named <= {name.upper() for name in Settings.model_fields}, named - {
        n.upper() for n in Settings.model_fields
    }
