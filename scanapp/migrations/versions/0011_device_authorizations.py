"""device authorizations: command-line logins approved by a signed-in user

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "deviceauthorization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", text(length=9), nullable=False),
        sa.Column("exchange_hash", text(length=64), nullable=False),
        sa.Column("challenge", text(length=128), nullable=False),
        sa.Column("scope", text(length=10), nullable=False),
        sa.Column("token_name", text(length=100), nullable=False),
        sa.Column("token_days", sa.Integer(), nullable=True),
        sa.Column("status", text(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("scanappuser.id", ondelete="CASCADE"), nullable=True),
        sa.Column("client_address", text(length=45), nullable=False),
        sa.Column("client_user_agent", text(length=512), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_date", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deviceauthorization_code", "deviceauthorization", ["code"], unique=True)
    op.create_index("ix_deviceauthorization_exchange_hash", "deviceauthorization",
                    ["exchange_hash"], unique=True)


def downgrade() -> None:
    op.drop_table("deviceauthorization")
