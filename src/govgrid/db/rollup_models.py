"""The assessment's rollups (services.assessment.rollups; what their keys mean: domain.assessment_rollup):
sums of every count by day, since, as-of day and place, brought up to date from the case history through a
cursor per district; and what each case was last rolled as, so a moved case's old rows are taken away."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Float, Integer, String, Table

from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime
from govgrid.domain.assessment import COUNTS

VALUES = (*COUNTS, "satisfaction_points", "handling_hours")
KEY = ("district_code", "day", "since", "asof", "area", "scope", "unit_id", "class_code", "channel")


def _rollup(name: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("district_code", String(6), primary_key=True),
        Column("day", Date, primary_key=True),
        Column("since", Date, primary_key=True),
        Column("asof", Date, primary_key=True),
        Column("area", String(12), primary_key=True),
        Column("scope", String(12), primary_key=True),
        Column("unit_id", Integer, primary_key=True),  # 0: not dispatched
        Column("class_code", String(8), primary_key=True),
        Column("channel", String(24), primary_key=True),
        *(
            Column(
                name, Float if name in ("satisfaction_points", "handling_hours") else Integer, nullable=False
            )
            for name in VALUES
        ),
        sqlite_with_rowid=False,  # the key is the row: one B-tree to seek, update and scan (0021)
    )


rollup_table = _rollup("assessment_rollup")
# the same with day, since and asof cut to the first of their month: whole months are read from far fewer rows
# (a period of whole months holds a day, and begins after a since, exactly when it does so for their months)
month_rollup_table = _rollup("assessment_rollup_month")

rolled_case_table = Table(
    "assessment_rolled_case",
    Base.metadata,
    Column("district_code", String(6), primary_key=True),
    Column("case_id", Integer, primary_key=True),
    Column("area", String(12), nullable=False),
    Column("scope", String(12), nullable=False),
    Column("class_code", String(8), nullable=False),
    Column("channel", String(24), nullable=False),
    sqlite_with_rowid=False,
)

rollup_cursor_table = Table(
    "assessment_rollup_cursor",
    Base.metadata,
    Column("district_code", String(6), primary_key=True),
    # SQLite: the last history id rolled (one writer at a time: ids commit in order); PostgreSQL: every
    # history row of a transaction below this id (pg_snapshot_xmin) is rolled
    Column("position", BigInteger, nullable=False),
    Column("rolled_at", UtcDateTime(), nullable=False),
    Column("basis", String(32), nullable=False),  # the terms and calendar rolled under (rollups.basis_of)
)
