"""scan cache: per-file scan values by content-addressed key

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scancacheentry",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("scancacheentry") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scancacheentry_last_used_date"), ["last_used_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scancacheentry") as batch_op:
        batch_op.drop_index(batch_op.f("ix_scancacheentry_last_used_date"))
    op.drop_table("scancacheentry")
