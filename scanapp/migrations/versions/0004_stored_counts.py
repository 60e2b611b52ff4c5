"""stored counts: a project's counts and summaries; indexes of the list filters and orders

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: (table, index name, columns) of the lists' filters and orders.
INDEXES = (
    ("codebaseresource", "ix_resource_project_status", ["project_id", "status", "path"]),
    ("codebaseresource", "ix_resource_project_type", ["project_id", "type", "path"]),
    ("codebaseresource", "ix_resource_project_language",
     ["project_id", "programming_language", "path"]),
    ("codebaseresource", "ix_resource_project_alert", ["project_id", "compliance_alert", "path"]),
    ("codebaseresource", "ix_resource_project_license",
     ["project_id", sa.text("substr(detected_license_expression, 1, 200)"), "path"]),
    ("discoveredpackage", "ix_package_project_order",
     ["project_id", "type", "namespace", "name", "version", "id"]),
    ("discovereddependency", "ix_dependency_project_id", ["project_id", "id"]),
    ("codebaserelation", "ix_relation_project_map_type", ["project_id", "map_type"]),
    ("projectmessage", "ix_message_project_order", ["project_id", "created_date", "id"]),
)


def upgrade() -> None:
    op.create_table(
        "projectcounts",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("list_counts", sa.JSON(), nullable=True),
        sa.Column("list_anchors", sa.JSON(), nullable=True),
        sa.Column("computed_date", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id"),
    )
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("projectcounts")
