"""projects in organizations, their creators, per-project permissions, server administrators

Revision ID: 0009
Revises: 0008

The users made before this revision (from the API keys of 0007, or ``create-user``) become
server administrators: each of their keys could reach every project, and still can.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString
when = sa.DateTime(timezone=True)


def _references(name: str, table: str) -> list:
    return [sa.Column(name, sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([name], [f"{table}.id"], ondelete="CASCADE")]


def _add_reference(table: str, name: str, target: str) -> None:
    """Add a nullable foreign-key column without copying the table.

    SQLite takes ``ADD COLUMN ... REFERENCES`` but Alembic would copy the table (batch mode)
    to add the constraint, and dropping the old copy would cascade to the project's rows.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {name} INTEGER REFERENCES {target}(id)")
        return
    op.add_column(table, sa.Column(name, sa.Integer(), nullable=True))
    op.create_foreign_key(None, table, target, [name], ["id"])


def upgrade() -> None:
    _add_reference("project", "organization_id", "organization")
    _add_reference("project", "created_by_id", "scanappuser")
    op.create_index("ix_project_organization_id", "project", ["organization_id"])
    op.add_column("scanappuser", sa.Column(
        "is_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE scanappuser SET is_admin = true")
    op.create_table(
        "projectpermission",
        sa.Column("id", sa.Integer(), nullable=False),
        *_references("project_id", "project"),
        *_references("user_id", "scanappuser"),
        sa.Column("level", text(length=10), nullable=False),
        sa.Column("created_date", when, nullable=False),
        sa.Column("updated_date", when, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "user_id", name="uq_projectpermission_project_user"),
    )
    op.create_index("ix_projectpermission_project_id", "projectpermission", ["project_id"])
    op.create_index("ix_projectpermission_user_id", "projectpermission", ["user_id"])


def downgrade() -> None:
    op.drop_table("projectpermission")
    with op.batch_alter_table("scanappuser") as batch_op:
        batch_op.drop_column("is_admin")
    op.drop_index("ix_project_organization_id", table_name="project")
    # SQLite 3.35+ drops a column that no constraint names but its own reference.
    op.drop_column("project", "created_by_id")
    op.drop_column("project", "organization_id")
