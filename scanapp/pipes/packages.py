"""Assemble packages and dependencies from the scanned package data, as scancode-toolkit does.

The package data stored on resources is loaded into a commoncode ``Codebase`` over codebase/
and scancode's own package plugin assembles it (manifests + lockfiles into packages,
dependencies, resources assigned to packages). The results go back into the database
in batches: DiscoveredPackage, DiscoveredDependency and ``for_packages`` on resources.
"""

from __future__ import annotations

from pathlib import Path

import attr
import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage
from scanapp.pipes import chunked, resources

BATCH_SIZE = 500
_CODEBASE_FIELDS = (
    "package_data",
    "license_detections",
    "detected_license_expression",
    "detected_license_expression_spdx",
    "for_packages",
)


def _list_field():
    return attr.ib(default=attr.Factory(list), repr=False)


def build_codebase(codebase_dir: Path):
    """Return a commoncode Codebase over ``codebase_dir`` with the package attributes."""
    from commoncode.resource import Codebase

    resource_attributes = {
        "package_data": _list_field(),
        "license_detections": _list_field(),
        "license_clues": _list_field(),
        "detected_license_expression": attr.ib(default=None),
        "detected_license_expression_spdx": attr.ib(default=None),
        "for_packages": _list_field(),
        "copyrights": _list_field(),
        "holders": _list_field(),
        "authors": _list_field(),
    }
    codebase_attributes = {"packages": _list_field(), "dependencies": _list_field()}
    return Codebase(
        location=str(codebase_dir),
        resource_attributes=resource_attributes,
        codebase_attributes=codebase_attributes,
    )


def load_scan_data(codebase, project_id: int, where: tuple = ()) -> None:
    """Copy package data and license fields of the project's package files into the codebase.

    ``where`` adds conditions on the resources loaded (e.g. leave system files out).
    """
    root = codebase.root.path
    statement = select(CodebaseResource).where(
        CodebaseResource.project_id == project_id,
        sa.cast(CodebaseResource.package_data, sa.Text) != "[]",
        *where,
    )
    with session_scope() as session:
        for row in session.exec(statement).yield_per(BATCH_SIZE):
            resource = codebase.get_resource(f"{root}/{row.path}")
            if resource is None:
                continue
            for name in _CODEBASE_FIELDS:
                setattr(
                    resource,
                    name,
                    getattr(row, name) or ([] if name != "detected_license_expression" else None),
                )
            codebase.save_resource(resource)


def assemble_packages(project_id: int, codebase_dir: Path, *, where: tuple = ()) -> dict:
    """Assemble and store packages and dependencies; link resources; return counts.

    Only the package data of the resources matching ``where`` is assembled.
    """
    from packagedcode.plugin_package import PackageScanner

    codebase = build_codebase(codebase_dir)
    load_scan_data(codebase, project_id, where)
    PackageScanner().process_codebase(codebase, strip_root=True)
    packages = codebase.attributes.packages
    dependencies = codebase.attributes.dependencies
    store_packages(project_id, packages)
    store_dependencies(project_id, dependencies, {item["package_uid"] for item in packages})
    linked = link_resources(project_id, codebase)
    return {
        "packages": len(packages),
        "dependencies": len(dependencies),
        "linked_resources": linked,
    }


def link_resources(project_id: int, codebase) -> int:
    """Store ``for_packages`` (and package statuses) on the resources assigned to packages."""
    ids = dict(resources.iter_resources(project_id, CodebaseResource.path, files_only=False))
    by_path = {path: row_id for row_id, path in ids.items()}
    root = codebase.root.path + "/"
    updates = []
    for resource in codebase.walk(topdown=True):
        if resource.for_packages and resource.path.startswith(root):
            row_id = by_path.get(resource.path[len(root) :])
            if row_id:
                updates.append({"id": row_id, "for_packages": list(resource.for_packages)})
    for batch in chunked(updates, BATCH_SIZE):
        resources.bulk_update(batch)
    return len(updates)


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
