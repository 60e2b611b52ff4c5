"""The Alembic migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import scanapp.models  # noqa: F401 - registers the tables on SQLModel.metadata
from scanapp import db


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_migrated_schema_matches_the_models(settings):
    with db.get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
