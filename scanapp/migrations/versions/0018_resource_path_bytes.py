"""PostgreSQL: a directory's resources by the start of their path, compared by bytes

Revision ID: 0018
Revises: 0017

The resource tree lists a directory's children as a range of the paths' bytes
(``scanapp.services.tree``); PostgreSQL's default collations do not sort by bytes, so the
range reads this index of the "C" collation. SQLite sorts by bytes already:
``ix_resource_project_type`` answers there.
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_resource_type_path_bytes", "codebaseresource",
                        ["project_id", "type", sa.text('(path COLLATE "C")')])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_resource_type_path_bytes", "codebaseresource")
