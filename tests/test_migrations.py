"""The Alembic migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import scanapp.models  # noqa: F401 - registers the tables on SQLModel.metadata
from scanapp import db

# Reflection drops an index expression's COLLATE: that index is compared by its definition instead.
COLLATED_INDEXES = {
    "ix_package_namespace_bytes": '(type, lower((namespace)::text) COLLATE "C")',
    "ix_summary_namespace_bytes": '(type, namespace COLLATE "C")',
    "ix_resource_type_path_bytes": '(project_id, type, path COLLATE "C")',
}


def _not_collated(object_, name, type_, reflected, compare_to):
    return not (type_ == "index" and name in COLLATED_INDEXES)


# SQLite's reflection skips expression indexes (ix_resource_project_license): not compared there.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_migrated_schema_matches_the_models(settings):
    with db.get_engine().connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_object": _not_collated})
        differences = compare_metadata(context, SQLModel.metadata)
        if connection.dialect.name == "postgresql":
            for name, columns in COLLATED_INDEXES.items():
                definition = connection.execute(sa.text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                    {"name": name}).scalar_one()
                assert definition.endswith(columns), definition
    assert differences == []


def _migrated_to(revision: str, request, tmp_path, monkeypatch):
    """Settings on a database migrated to ``revision`` only, SQLite or PostgreSQL."""
    from alembic import command

    from scanapp.config import load_settings, set_settings

    url = ""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_server")
        from tests.conftest import _create_pg_database, _drop_pg_database

        url = _create_pg_database()
        request.addfinalizer(lambda: _drop_pg_database(url))
    (tmp_path / "workdirs").mkdir()
    monkeypatch.setenv("SCANAPP_WORKDIRS", str(tmp_path / "workdirs"))
    monkeypatch.setenv("SCANAPP_DATABASE_URL", url)
    set_settings(load_settings())
    db.dispose_engines()
    command.upgrade(db.alembic_config(), revision)
    yield
    db.dispose_engines()
    set_settings(None)


@pytest.fixture
def at_0003(request, tmp_path, monkeypatch):
    """A database migrated to 0003 only (before the stored counts)."""
    yield from _migrated_to("0003", request, tmp_path, monkeypatch)


@pytest.fixture
def at_0006(request, tmp_path, monkeypatch):
    """A database migrated to 0006 only (API keys in ``apitoken``, before users and tokens)."""
    yield from _migrated_to("0006", request, tmp_path, monkeypatch)


@pytest.mark.parametrize("at_0003", ["sqlite", "postgresql"], indirect=True)
def test_upgrade_from_0003_keeps_the_projects_and_counts_them(at_0003):
    import sqlalchemy as sa
    from alembic import command

    from scanapp.models import CodebaseResource, Project, StoredCounts
    from scanapp.services import counts

    # The columns of 0003's project table only.
    later = {"id", "organization_id", "created_by_id"}
    project = Project(name="old", slug="old").model_dump(exclude=later)
    with db.get_engine().begin() as connection:
        project_id = connection.execute(
            sa.insert(Project).values(project).returning(Project.id)).scalar_one()
        connection.execute(sa.insert(CodebaseResource), [
            CodebaseResource(project_id=project_id, path=f"f{n}", status="scanned")
            .model_dump(exclude={"id"}) for n in range(3)])
    db.migrate()
    assert db.schema_is_current()
    names = {index["name"] for index in sa.inspect(db.get_engine()).get_indexes("codebaseresource")}
    assert {"ix_resource_project_status", "ix_resource_project_language"} <= names
    with db.session_scope() as session:
        assert session.get(StoredCounts, project_id) is None  # counted when first read
        found = counts.current_counts(session, project_id)
    assert found["resource_count"] == 3 and found["codebase_resources_summary"] == {"scanned": 3}
    with db.session_scope() as session:
        assert session.get(StoredCounts, project_id).counts == found
    db.dispose_engines()
    command.downgrade(db.alembic_config(), "0003")
    assert "projectcounts" not in sa.inspect(db.get_engine()).get_table_names()


@pytest.mark.parametrize("at_0006", ["sqlite", "postgresql"], indirect=True)
def test_upgrade_to_users_keeps_every_api_key_working(at_0006):
    import sqlalchemy as sa
    from alembic import command

    from scanapp.services.users import authenticate, hash_key

    with db.get_engine().begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO apitoken (username, key_hash, created_date) VALUES "
            "('alice', :alice, CURRENT_TIMESTAMP), ('bob', :bob, CURRENT_TIMESTAMP)"),
            {"alice": hash_key("alice-key"), "bob": hash_key("bob-key")})
    db.migrate()
    assert db.schema_is_current()
    alice, bob = authenticate("alice-key"), authenticate("bob-key")
    assert (alice.username, alice.scope, bob.username) == ("alice", "write", "bob")
    assert alice.is_admin and bob.is_admin  # each key reached every project: they still do
    assert authenticate("nobody") is None
    db.dispose_engines()
    command.downgrade(db.alembic_config(), "0006")
    with db.get_engine().connect() as connection:
        rows = connection.execute(sa.text("SELECT username FROM apitoken ORDER BY username"))
        assert [row[0] for row in rows] == ["alice", "bob"]
