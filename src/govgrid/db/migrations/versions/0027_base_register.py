"""register_entry and register_change: 一表通's base register and its append-only history (issue 14)

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
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
        "register_entry",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_keys("register_entry"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name="fk_register_entry_created_by_app_user"
        ),
        sa.UniqueConstraint("district_code", "created_by", "client_id", name="uq_register_entry_client"),
    )
    op.create_index(
        "ix_register_entry_community_kind", "register_entry", ["district_code", "community_code", "kind"]
    )
    op.create_index("ix_register_entry_grid_code", "register_entry", ["grid_code"])
    op.create_table(
        "register_change",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("field_code", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("old_digest", sa.String(length=64), nullable=False),
        sa.Column("new_digest", sa.String(length=64), nullable=False),
        *_keys("register_change"),
        sa.ForeignKeyConstraint(
            ["district_code", "entry_id"],
            ["register_entry.district_code", "register_entry.id"],
            name="fk_register_change_entry_id_register_entry",
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"], name="fk_register_change_actor_id_app_user"),
    )
    op.create_index("ix_register_change_entry_id", "register_change", ["entry_id"])


def downgrade() -> None:
    op.drop_table("register_change")
    op.drop_table("register_entry")
