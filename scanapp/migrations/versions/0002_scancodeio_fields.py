"""ScanCode.io 38 fields: resource sha1_git, package file references and notes,
other license detections, dependency vulnerabilities.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: (table, column, type, server default for the rows already there)
COLUMNS = (
    ("codebaseresource", "sha1_git", sa.String(length=40), ""),
    ("discoveredpackage", "other_license_detections", sa.JSON(), "[]"),
    ("discoveredpackage", "notes", sa.Text(), ""),
    ("discoveredpackage", "file_references", sa.JSON(), "[]"),
    ("discoveredpackage", "missing_resources", sa.JSON(), "[]"),
    ("discoveredpackage", "modified_resources", sa.JSON(), "[]"),
    ("discovereddependency", "affected_by_vulnerabilities", sa.JSON(), "[]"),
)


def upgrade() -> None:
    for table, name, kind, default in COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(name, kind, nullable=False, server_default=sa.text(f"'{default}'"))
            )


def downgrade() -> None:
    for table, name, _, _ in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column(name)
