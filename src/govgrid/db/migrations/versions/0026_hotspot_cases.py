"""hotspot_case: the cases of a hotspot made into a 每月一题 ledger task (issue 13)

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _keys(table: str) -> list[sa.schema.SchemaItem]:
    """PostgreSQL: the key is (district_code, id); SQLite numbers only a one-column key (as in 0016)."""
    if op.get_bind().dialect.name == "sqlite":
        return [
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("district_code", "id", name=f"uq_{table}_district_id"),
        ]
    return [sa.PrimaryKeyConstraint("district_code", "id", name=f"pk_{table}")]


def upgrade() -> None:
    op.create_table(
        "hotspot_case",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),  # serial: hotspot_case_id_seq
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("joined_by", sa.Integer(), nullable=True),
        *_keys("hotspot_case"),
        sa.ForeignKeyConstraint(
            ["district_code", "case_id"],
            ["case.district_code", "case.id"],
            name="fk_hotspot_case_case_id_case",
        ),
        sa.ForeignKeyConstraint(
            ["district_code", "item_id"],
            ["ledger_item.district_code", "ledger_item.id"],
            name="fk_hotspot_case_item_id_ledger_item",
        ),
        sa.ForeignKeyConstraint(["joined_by"], ["app_user.id"], name="fk_hotspot_case_joined_by_app_user"),
        sa.UniqueConstraint("district_code", "item_id", "case_id", name="uq_hotspot_case_item_case"),
    )
    op.create_index("ix_hotspot_case_case_id", "hotspot_case", ["case_id"])


def downgrade() -> None:
    op.drop_table("hotspot_case")
