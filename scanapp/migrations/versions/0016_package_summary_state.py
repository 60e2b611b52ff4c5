"""the package summary's state, that what is computed from it is kept for

Revision ID: 0016
Revises: 0015

One row, its ``token`` a new random one each time a refresh changes the summary: a package
search's count is kept for the token it was counted on.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "packagesummarystate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(32), nullable=False))
    op.bulk_insert(state, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("packagesummarystate")
