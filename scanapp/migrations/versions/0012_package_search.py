"""indexes of the searches across projects: packages and dependencies by name, without case

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_package_identity", "discoveredpackage",
                    [sa.text("lower(name)"), "type", sa.text("lower(namespace)"), "version"])
    op.create_index("ix_package_namespace", "discoveredpackage",
                    ["type", sa.text("lower(namespace)"), sa.text("lower(name)"), "project_id"])
    op.create_index("ix_package_alert", "discoveredpackage",
                    ["compliance_alert", "type", sa.text("lower(namespace)"),
                     sa.text("lower(name)")])
    op.create_index("ix_dependency_identity", "discovereddependency",
                    ["type", sa.text("lower(name)"), sa.text("lower(namespace)")])
    op.create_index("ix_dependency_for_package", "discovereddependency",
                    ["project_id", "for_package_uid"])


def downgrade() -> None:
    op.drop_index("ix_dependency_for_package", "discovereddependency")
    op.drop_index("ix_dependency_identity", "discovereddependency")
    op.drop_index("ix_package_alert", "discoveredpackage")
    op.drop_index("ix_package_namespace", "discoveredpackage")
    op.drop_index("ix_package_identity", "discoveredpackage")
