"""audit events: who did what on which project or organization, from where

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", text(length=50), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("organization", text(length=100), nullable=False),
        sa.Column("project_uuid", text(length=36), nullable=False),
        sa.Column("project", text(length=100), nullable=False),
        sa.Column("username", text(length=150), nullable=False),
        sa.Column("origin_address", text(length=45), nullable=False),
        sa.Column("user_agent", text(length=512), nullable=False),
        sa.Column("referer", text(length=1024), nullable=False),
        sa.Column("variables", text(length=2048), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auditevent_time", "auditevent", ["time"])
    op.create_index("ix_auditevent_organization_time", "auditevent", ["organization_id", "time"])
    op.create_index("ix_auditevent_project_time", "auditevent", ["project_uuid", "time"])
    op.create_index("ix_auditevent_username_time", "auditevent", ["username", "time"])


def downgrade() -> None:
    op.drop_table("auditevent")
