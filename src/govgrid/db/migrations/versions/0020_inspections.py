"""督导检查·现场评分: campaigns, scored sheets, deductions

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
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


def _head(table: str) -> list[sa.Column]:
    return [
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "inspection_campaign",
        *_head("inspection_campaign"),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sheet_id", sa.String(length=40), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        *_keys("inspection_campaign"),
    )
    op.create_table(
        "inspection_record",
        *_head("inspection_record"),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("place_code", sa.String(length=15), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("inspector_name", sa.String(length=64), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        *_keys("inspection_record"),
        sa.ForeignKeyConstraint(
            ["district_code", "campaign_id"],
            ["inspection_campaign.district_code", "inspection_campaign.id"],
            name="fk_inspection_record_campaign_id",
        ),
        sa.UniqueConstraint("district_code", "client_id", name="uq_inspection_record_client_id"),
    )
    op.create_index("ix_inspection_record_campaign_id", "inspection_record", ["campaign_id"])
    op.create_index("ix_inspection_record_place_code", "inspection_record", ["place_code"])
    op.create_table(
        "inspection_deduction",
        *_head("inspection_deduction"),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("deduction_code", sa.String(length=40), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photo", sa.JSON(), nullable=True),
        sa.Column("rectify", sa.Boolean(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        *_keys("inspection_deduction"),
        sa.ForeignKeyConstraint(
            ["district_code", "record_id"],
            ["inspection_record.district_code", "inspection_record.id"],
            name="fk_inspection_deduction_record_id",
        ),
    )
    op.create_index("ix_inspection_deduction_record_id", "inspection_deduction", ["record_id"])


def downgrade() -> None:
    op.drop_table("inspection_deduction")
    op.drop_table("inspection_record")
    op.drop_table("inspection_campaign")
