"""form_request, form_task, form_return, form_row and form_event: 一表通's 报表准入 requests, form tasks,
a community's returns, the rows they keep and their append-only events (issue 14)

Revision ID: 0028
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
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


def _district_fk(column: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["district_code", column], [f"{target}.district_code", f"{target}.id"], name=name
    )


def _head() -> list[sa.Column]:
    return [
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "form_request",
        *_head(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("basis", sa.String(length=200), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("refusal", sa.String(length=24), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        *_keys("form_request"),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name="fk_form_request_unit_id_org_unit"),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["app_user.id"], name="fk_form_request_requested_by_app_user"
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name="fk_form_request_decided_by_app_user"),
        sa.UniqueConstraint("district_code", "requested_by", "client_id", name="uq_form_request_client"),
    )
    op.create_table(
        "form_task",
        *_head(),
        sa.Column("template_code", sa.String(length=40), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("due_workdays", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        *_keys("form_task"),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name="fk_form_task_unit_id_org_unit"),
        sa.ForeignKeyConstraint(["issued_by"], ["app_user.id"], name="fk_form_task_issued_by_app_user"),
        sa.UniqueConstraint(
            "district_code", "issued_by", "client_id", "community_code", name="uq_form_task_client"
        ),
    )
    op.create_index("ix_form_task_community", "form_task", ["district_code", "community_code"])
    op.create_table(
        "form_return",
        *_head(),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("prefilled", sa.Integer(), nullable=False),
        sa.Column("typed", sa.Integer(), nullable=False),
        sa.Column("seconds_saved", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rung", sa.String(length=12), nullable=False),
        *_keys("form_return"),
        _district_fk("task_id", "form_task", "fk_form_return_task_id_form_task"),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["app_user.id"], name="fk_form_return_submitted_by_app_user"
        ),
        sa.UniqueConstraint("district_code", "task_id", "period", name="uq_form_return_period"),
    )
    op.create_table(
        "form_row",
        *_head(),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("typed", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_keys("form_row"),
        _district_fk("return_id", "form_return", "fk_form_row_return_id_form_return"),
        _district_fk("entry_id", "register_entry", "fk_form_row_entry_id_register_entry"),
        sa.UniqueConstraint("district_code", "return_id", "entry_id", name="uq_form_row_entry"),
    )
    op.create_table(
        "form_event",
        *_head(),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("return_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        *_keys("form_event"),
        _district_fk("task_id", "form_task", "fk_form_event_task_id_form_task"),
        _district_fk("request_id", "form_request", "fk_form_event_request_id_form_request"),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"], name="fk_form_event_actor_id_app_user"),
    )
    op.create_index("ix_form_event_task_id", "form_event", ["task_id"])
    with op.batch_alter_table("push_destination") as batch:  # a department's group gets its forms too
        batch.add_column(sa.Column("form_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("form_cursor", sa.Integer(), server_default="0", nullable=False))
        batch.create_foreign_key(
            "fk_push_destination_form_unit_id_org_unit", "org_unit", ["form_unit_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("push_destination") as batch:
        batch.drop_constraint("fk_push_destination_form_unit_id_org_unit", type_="foreignkey")
        batch.drop_column("form_cursor")
        batch.drop_column("form_unit_id")
    op.drop_table("form_event")
    op.drop_table("form_row")
    op.drop_table("form_return")
    op.drop_table("form_task")
    op.drop_table("form_request")
