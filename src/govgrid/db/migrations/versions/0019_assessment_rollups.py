"""the assessment's rollups, what each case was rolled as, a cursor per district; the writing transaction's
id on each history row (PostgreSQL), so the rollups read the history in commit order

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

from govgrid.db.rollup_models import KEY, VALUES

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

FLOATS = ("satisfaction_points", "handling_hours")


def upgrade() -> None:
    op.add_column("case_transition", sa.Column("txid", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE case_transition SET txid = 0")  # rows written before: all committed
        op.execute(
            "ALTER TABLE case_transition ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint)"
        )
    op.create_index("ix_case_transition_district_txid", "case_transition", ["district_code", "txid"])
    for table in ("assessment_rollup", "assessment_rollup_month"):
        op.create_table(
            table,
            sa.Column("district_code", sa.String(length=6), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("since", sa.Date(), nullable=False),
            sa.Column("asof", sa.Date(), nullable=False),
            sa.Column("area", sa.String(length=12), nullable=False),
            sa.Column("scope", sa.String(length=12), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("class_code", sa.String(length=8), nullable=False),
            sa.Column("channel", sa.String(length=24), nullable=False),
            *(
                sa.Column(name, sa.Float() if name in FLOATS else sa.Integer(), nullable=False)
                for name in VALUES
            ),
            sa.PrimaryKeyConstraint(*KEY, name=f"pk_{table}"),
        )
    op.create_table(
        "assessment_rolled_case",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("class_code", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("district_code", "case_id", name="pk_assessment_rolled_case"),
    )
    op.create_table(
        "assessment_rollup_cursor",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("rolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("district_code", name="pk_assessment_rollup_cursor"),
    )


def downgrade() -> None:
    op.drop_table("assessment_rollup_cursor")
    op.drop_table("assessment_rolled_case")
    op.drop_table("assessment_rollup_month")
    op.drop_table("assessment_rollup")
    op.drop_index("ix_case_transition_district_txid", table_name="case_transition")
    op.drop_column("case_transition", "txid")
