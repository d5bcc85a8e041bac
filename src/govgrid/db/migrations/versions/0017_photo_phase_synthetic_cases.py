"""a photo's phase (处置前 / 处置后 / 核查), and synthetic cases marked as such (the demo year)

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.add_column(sa.Column("phase", sa.String(length=8), nullable=False, server_default=""))
    with op.batch_alter_table("case") as batch_op:
        batch_op.add_column(
            sa.Column("is_synthetic", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_column("is_synthetic")
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.drop_column("phase")
