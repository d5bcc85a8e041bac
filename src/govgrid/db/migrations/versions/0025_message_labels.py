"""message_label: the category each dispatcher gave a message, beside the model's suggestion (issue 13)

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
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
        "message_label",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),  # serial: message_label_id_seq
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("predicted", sa.String(length=16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("model_version", sa.String(length=40), nullable=False),
        sa.Column("labelled_by", sa.Integer(), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
        *_keys("message_label"),
        sa.ForeignKeyConstraint(
            ["district_code", "case_id"],
            ["case.district_code", "case.id"],
            name="fk_message_label_case_id_case",
        ),
        sa.ForeignKeyConstraint(
            ["labelled_by"], ["app_user.id"], name="fk_message_label_labelled_by_app_user"
        ),
    )
    op.create_index("ix_message_label_case_id", "message_label", ["case_id"])


def downgrade() -> None:
    op.drop_table("message_label")
