"""the package summary of the searches across projects, and the triggers that mark it stale

Revision ID: 0014
Revises: 0013

``packagesummary`` counts the packages by identity, declared license and alert;
``packagechange`` lists the identities whose count may be stale. The triggers write it on
every insert, delete and change of a package's identity, license or alert, whoever writes:
a run, a project's deletion, a reset. ``scanapp.services.package_summary`` recounts them.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: The columns whose change changes a package's summary row.
SUMMARIZED = ("type", "namespace", "name", "declared_license_expression",
              "declared_license_expression_spdx", "compliance_alert")

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER package_change_insert AFTER INSERT ON discoveredpackage BEGIN
  INSERT INTO packagechange (type, namespace, name)
  VALUES (NEW.type, lower(NEW.namespace), lower(NEW.name));
END""",
    """CREATE TRIGGER package_change_delete AFTER DELETE ON discoveredpackage BEGIN
  INSERT INTO packagechange (type, namespace, name)
  VALUES (OLD.type, lower(OLD.namespace), lower(OLD.name));
END""",
    f"""CREATE TRIGGER package_change_update AFTER UPDATE OF {", ".join(SUMMARIZED)}
ON discoveredpackage BEGIN
  INSERT INTO packagechange (type, namespace, name)
  VALUES (OLD.type, lower(OLD.namespace), lower(OLD.name)),
         (NEW.type, lower(NEW.namespace), lower(NEW.name));
END""",
)

# Statement triggers with transition tables: one insert per statement, not per row (a
# project's deletion deletes its packages in one statement).
_POSTGRESQL_FUNCTION = """
CREATE FUNCTION package_change_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO packagechange (type, namespace, name)
    SELECT DISTINCT type, lower(namespace), lower(name) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO packagechange (type, namespace, name)
    SELECT DISTINCT type, lower(namespace), lower(name) FROM old_rows;
  ELSE
    INSERT INTO packagechange (type, namespace, name)
    SELECT DISTINCT both_sides.type, lower(both_sides.namespace), lower(both_sides.name)
    FROM old_rows o JOIN new_rows n ON n.id = o.id,
      LATERAL (VALUES (o.type, o.namespace, o.name), (n.type, n.namespace, n.name))
        AS both_sides (type, namespace, name)
    WHERE ({old}) IS DISTINCT FROM ({new});
  END IF;
  RETURN NULL;
END $$
""".format(old=", ".join(f"o.{c}" for c in SUMMARIZED),
           new=", ".join(f"n.{c}" for c in SUMMARIZED))
_POSTGRESQL_TRIGGERS = (
    _POSTGRESQL_FUNCTION,
    """CREATE TRIGGER package_change_insert AFTER INSERT ON discoveredpackage
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION package_change_rows()""",
    """CREATE TRIGGER package_change_delete AFTER DELETE ON discoveredpackage
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION package_change_rows()""",
    """CREATE TRIGGER package_change_update AFTER UPDATE ON discoveredpackage
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION package_change_rows()""",
)

_SUMMARIZE_ALL = """
INSERT INTO packagesummary (type, namespace, name, declared_license_expression,
  declared_license_expression_spdx, compliance_alert, occurrences)
SELECT type, lower(namespace), lower(name), declared_license_expression,
  declared_license_expression_spdx, compliance_alert, count(*)
FROM discoveredpackage
GROUP BY type, lower(namespace), lower(name), declared_license_expression,
  declared_license_expression_spdx, compliance_alert
"""


def _identity_columns() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("type", sa.String(16), nullable=False),
            sa.Column("namespace", sa.String(255), nullable=False),
            sa.Column("name", sa.String(100), nullable=False)]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "packagesummary", *_identity_columns(),
        sa.Column("declared_license_expression", sa.Text, nullable=False),
        sa.Column("declared_license_expression_spdx", sa.Text, nullable=False),
        sa.Column("compliance_alert", sa.String(10), nullable=False),
        sa.Column("occurrences", sa.Integer, nullable=False))
    op.create_index("ix_summary_identity", "packagesummary", ["type", "namespace", "name"])
    op.create_index("ix_summary_name", "packagesummary", ["name"])
    op.create_index("ix_summary_alert", "packagesummary",
                    ["compliance_alert", "type", "namespace", "name"])
    if postgresql:
        op.create_index("ix_summary_namespace_bytes", "packagesummary",
                        ["type", sa.text('(namespace COLLATE "C")')])
    op.create_table("packagechange", *_identity_columns())
    for statement in _POSTGRESQL_TRIGGERS if postgresql else _SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute(_SUMMARIZE_ALL)


def downgrade() -> None:
    for name in ("package_change_insert", "package_change_delete", "package_change_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}"
                   + (" ON discoveredpackage" if op.get_bind().dialect.name == "postgresql"
                      else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS package_change_rows()")
    op.drop_table("packagechange")
    op.drop_table("packagesummary")
