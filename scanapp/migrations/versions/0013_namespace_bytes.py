"""PostgreSQL: packages by the start of their namespace, compared by bytes

Revision ID: 0013
Revises: 0012

``pkg:golang/github.com`` finds ``github.com/foo``'s packages by a range of the namespace's
bytes; PostgreSQL's default collations do not sort by bytes, so the range reads this index of
the "C" collation. SQLite sorts by bytes already: ``ix_package_namespace`` answers there.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_package_namespace_bytes", "discoveredpackage",
                        ["type", sa.text('(lower(namespace) COLLATE "C")')])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_package_namespace_bytes", "discoveredpackage")
