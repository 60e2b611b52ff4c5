"""organizations, their members' roles and pending invitations

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString
when = sa.DateTime(timezone=True)


def _references(name: str, table: str) -> list:
    return [sa.Column(name, sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([name], [f"{table}.id"], ondelete="CASCADE")]


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", text(length=36), nullable=False),
        sa.Column("name", text(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("website", text(length=1024), nullable=False),
        sa.Column("billing_email", text(length=254), nullable=False),
        sa.Column("created_date", when, nullable=False),
        sa.Column("updated_date", when, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        *_references("organization_id", "organization"),
        *_references("user_id", "scanappuser"),
        sa.Column("role", text(length=10), nullable=False),
        sa.Column("created_date", when, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "user_id", name="uq_membership_org_user"),
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", text(length=36), nullable=False),
        *_references("organization_id", "organization"),
        sa.Column("invitee", text(length=254), nullable=False),
        sa.Column("role", text(length=10), nullable=False),
        sa.Column("invited_by", text(length=150), nullable=False),
        sa.Column("created_date", when, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "invitee", name="uq_invitation_org_invitee"),
    )
    for table, columns in _INDEXES.items():
        with op.batch_alter_table(table) as batch_op:
            for column, unique in columns:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=unique)


_INDEXES = {
    "organization": [("uuid", True), ("name", True)],
    "membership": [("organization_id", False), ("user_id", False)],
    "invitation": [("uuid", True), ("organization_id", False), ("invitee", False)],
}


def downgrade() -> None:
    for table in ("invitation", "membership", "organization"):
        op.drop_table(table)
