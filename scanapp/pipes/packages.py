"""Store the packages and dependencies scancode-toolkit assembled (see ``postscan``).

Each assembled mapping becomes a DiscoveredPackage or DiscoveredDependency row; keys the
model has no column for are kept in ``extra_data``. Rows are inserted in batches.
"""

from __future__ import annotations

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import DiscoveredDependency, DiscoveredPackage
from scanapp.pipes import chunked

BATCH_SIZE = 500


def _column_value(column: sa.Column, value):
    if value is None:
        if column.nullable:
            return None
        value = [] if isinstance(column.type, sa.JSON) else ""
    if isinstance(column.type, sa.String) and column.type.length:
        value = str(value)[: column.type.length]
    return value


def model_row(model, data: dict, project_id: int) -> dict:
    """Return insert values of ``model`` from a scancode mapping; unknown keys go to extra_data."""
    columns = {
        column.name: column for column in model.__table__.columns if column.name not in ("id",)
    }
    defaults = model(project_id=project_id).model_dump()
    row = {name: defaults.get(name) for name in columns}
    extra = dict(data.get("extra_data") or {})
    for key, value in data.items():
        if key in columns and key not in ("project_id", "extra_data"):
            row[key] = _column_value(columns[key], value)
        elif key not in ("extra_data", "resolved_package") and value not in (None, [], {}, ""):
            extra[key] = value
    row.update(project_id=project_id, extra_data=extra)
    return row


def _qualifiers(value) -> str:
    if isinstance(value, dict):
        return "&".join(f"{key}={val}" for key, val in sorted(value.items()))
    return value or ""


def package_row(project_id: int, package: dict) -> dict:
    """Return the DiscoveredPackage values of an assembled package mapping."""
    data = dict(package, qualifiers=_qualifiers(package.get("qualifiers")))
    return model_row(DiscoveredPackage, data, project_id)


def dependency_row(project_id: int, dependency: dict, package_uids: set[str]) -> dict:
    """Return the DiscoveredDependency values of an assembled dependency mapping."""
    from packageurl import PackageURL

    data = dict(dependency)
    try:
        purl = PackageURL.from_string(dependency.get("purl") or "")
        data.update(
            type=purl.type,
            namespace=purl.namespace or "",
            name=purl.name,
            version=purl.version or "",
            qualifiers=_qualifiers(purl.qualifiers),
            subpath=purl.subpath or "",
            package_type=purl.type,
        )
    except ValueError:
        pass
    resolved = (dependency.get("resolved_package") or {}).get("package_uid")
    data["resolved_to_package_uid"] = resolved if resolved in package_uids else None
    if data.get("for_package_uid") not in package_uids:
        data["for_package_uid"] = None
    return model_row(DiscoveredDependency, data, project_id)


def store_packages(project_id: int, packages: list[dict]) -> None:
    """Insert packages in batches."""
    for batch in chunked((package_row(project_id, item) for item in packages), BATCH_SIZE):
        with session_scope() as session:
            session.execute(sa.insert(DiscoveredPackage), batch)


def store_dependencies(project_id: int, dependencies: list[dict], package_uids: set[str]) -> None:
    """Insert dependencies in batches."""
    rows = (dependency_row(project_id, item, package_uids) for item in dependencies)
    for batch in chunked(rows, BATCH_SIZE):
        with session_scope() as session:
            session.execute(sa.insert(DiscoveredDependency), batch)
