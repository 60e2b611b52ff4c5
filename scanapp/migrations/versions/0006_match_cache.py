"""license-match cache: the toolkit's rule ranking of a query run, by its tokens

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matchcacheentry",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_date", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("matchcacheentry") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_matchcacheentry_last_used_date"), ["last_used_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("matchcacheentry") as batch_op:
        batch_op.drop_index(batch_op.f("ix_matchcacheentry_last_used_date"))
    op.drop_table("matchcacheentry")
