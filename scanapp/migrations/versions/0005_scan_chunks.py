"""scan chunks: ranges of a run's files scanned by any worker; scan cache counters

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "scancachecounter",
        sa.Column("name", text(length=50), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "scanchunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("model", text(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("resource_ids", sa.JSON(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", text(length=20), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker_name", text(length=256), nullable=False),
        sa.Column("job_id", text(length=100), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("cached", sa.Integer(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scanchunk") as batch_op:
        for column in ("run_id", "project_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_scanchunk_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scanchunk") as batch_op:
        for column in ("run_id", "project_id", "status"):
            batch_op.drop_index(batch_op.f(f"ix_scanchunk_{column}"))
    op.drop_table("scanchunk")
    op.drop_table("scancachecounter")
