"""users and their named tokens (scope, expiry); each apitoken becomes a user's "default" token

Revision ID: 0007
Revises: 0006
"""
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString
when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scanappuser",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", text(length=36), nullable=False),
        sa.Column("username", text(length=150), nullable=False),
        sa.Column("email", text(length=254), nullable=False),
        sa.Column("created_date", when, nullable=False),
        sa.Column("updated_date", when, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scanappuser") as batch_op:
        batch_op.create_index(batch_op.f("ix_scanappuser_uuid"), ["uuid"], unique=True)
        batch_op.create_index(batch_op.f("ix_scanappuser_username"), ["username"], unique=True)
        batch_op.create_index(batch_op.f("ix_scanappuser_email"), ["email"], unique=False)
    op.create_table(
        "usertoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", text(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", text(length=100), nullable=False),
        sa.Column("key_hash", text(length=64), nullable=False),
        sa.Column("prefix", text(length=8), nullable=False),
        sa.Column("scope", text(length=10), nullable=False),
        sa.Column("created_date", when, nullable=False),
        sa.Column("expires_date", when, nullable=True),
        sa.Column("last_used_date", when, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["scanappuser.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_usertoken_user_name"),
    )
    with op.batch_alter_table("usertoken") as batch_op:
        batch_op.create_index(batch_op.f("ix_usertoken_uuid"), ["uuid"], unique=True)
        batch_op.create_index(batch_op.f("ix_usertoken_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_usertoken_key_hash"), ["key_hash"], unique=True)
    _copy_api_tokens()
    op.drop_table("apitoken")


def _copy_api_tokens() -> None:
    """Make each API user a user with their key as the write token named "default"."""
    bind = op.get_bind()
    users = sa.table("scanappuser", *(sa.column(name) for name in (
        "id", "uuid", "username", "email", "created_date", "updated_date")))
    tokens = sa.table("usertoken", *(sa.column(name) for name in (
        "uuid", "user_id", "name", "key_hash", "prefix", "scope", "created_date")))
    rows = bind.execute(sa.text("SELECT username, key_hash, created_date FROM apitoken")).all()
    for username, key_hash, created in rows:
        created = created or datetime.now(UTC)
        bind.execute(users.insert().values(uuid=str(uuid.uuid4()), username=username, email="",
                                           created_date=created, updated_date=created))
        user_id = bind.execute(
            sa.select(users.c.id).where(users.c.username == username)).scalar_one()
        bind.execute(tokens.insert().values(uuid=str(uuid.uuid4()), user_id=user_id,
                                            name="default", key_hash=key_hash, prefix="",
                                            scope="write", created_date=created))


def downgrade() -> None:
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", text(length=150), nullable=False),
        sa.Column("key_hash", text(length=64), nullable=False),
        sa.Column("created_date", when, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    with op.batch_alter_table("apitoken") as batch_op:
        batch_op.create_index(batch_op.f("ix_apitoken_key_hash"), ["key_hash"], unique=True)
    op.execute(
        "INSERT INTO apitoken (username, key_hash, created_date) "
        "SELECT scanappuser.username, usertoken.key_hash, usertoken.created_date "
        "FROM usertoken JOIN scanappuser ON scanappuser.id = usertoken.user_id "
        "WHERE usertoken.name = 'default'"
    )
    op.drop_table("usertoken")
    op.drop_table("scanappuser")
