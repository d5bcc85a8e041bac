"""case_forward: a city's 12345 order handed to a district and the district's own case that answers it
(issue 15, a city in one deployment).

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def _keys() -> list[sa.schema.SchemaItem]:
    """PostgreSQL: the key is (district_code, id); SQLite numbers only a one-column key (as in 0016)."""
    if op.get_bind().dialect.name == "sqlite":
        return [
            sa.PrimaryKeyConstraint("id", name="pk_case_forward"),
            sa.UniqueConstraint("district_code", "id", name="uq_case_forward_district_id"),
        ]
    return [sa.PrimaryKeyConstraint("district_code", "id", name="pk_case_forward")]


def upgrade() -> None:
    op.create_table(
        "case_forward",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("to_district", sa.String(length=6), nullable=False),
        sa.Column("to_case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        *_keys(),
        sa.ForeignKeyConstraint(
            ["district_code", "case_id"],
            ["case.district_code", "case.id"],
            name="fk_case_forward_case_id_case",
        ),
        sa.UniqueConstraint("district_code", "case_id", name="uq_case_forward_case"),
    )
    op.create_index("ix_case_forward_to", "case_forward", ["to_district", "to_case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_forward_to", table_name="case_forward")
    op.drop_table("case_forward")
