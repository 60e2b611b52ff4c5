"""Assemble packages and dependencies from the scanned package data, as scancode-toolkit does.

The package data stored on resources is loaded into a commoncode ``Codebase`` over codebase/
and scancode's own package plugin assembles it (manifests + lockfiles into packages,
dependencies, resources assigned to packages). The results go back into the database
in batches: DiscoveredPackage, DiscoveredDependency and ``for_packages`` on resources.
"""

from __future__ import annotations

import json
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


_LICENSE_FIELDS = (
    "license_detections",
    "license_clues",
    "detected_license_expression",
    "detected_license_expression_spdx",
)


def _set_fields(resource, row, names) -> None:
    for name in names:
        value = getattr(row, name)
        empty = None if name.startswith("detected_") else []
        setattr(resource, name, value or empty)


def load_scan_data(codebase, project_id: int, where: tuple = ()) -> dict[str, tuple]:
    """Load what the codebase-level steps read: package data and license detections.

    The package data of the package files matching ``where``, and the license fields of every
    file with a detection or a clue. Return the license fields as loaded, by codebase path.
    """
    root = codebase.root.path
    package_files = select(CodebaseResource).where(
        CodebaseResource.project_id == project_id,
        sa.cast(CodebaseResource.package_data, sa.Text) != "[]",
        *where,
    )
    licensed_files = select(CodebaseResource).where(
        CodebaseResource.project_id == project_id,
        sa.or_(sa.cast(CodebaseResource.license_detections, sa.Text) != "[]",
               sa.cast(CodebaseResource.license_clues, sa.Text) != "[]"),
    )
    loaded = {}
    with session_scope() as session:
        steps = ((licensed_files, _LICENSE_FIELDS), (package_files, _CODEBASE_FIELDS))
        for statement, names in steps:
            for row in session.exec(statement).yield_per(BATCH_SIZE):
                resource = codebase.get_resource(f"{root}/{row.path}")
                if resource is None:
                    continue
                _set_fields(resource, row, names)
                codebase.save_resource(resource)
                loaded[resource.path] = _license_state(resource)
    return loaded


def _license_state(resource) -> tuple:
    return tuple(json.dumps(getattr(resource, name), sort_keys=True) for name in _LICENSE_FIELDS)


def follow_license_references(codebase) -> None:
    """Resolve "see LICENSE"-like references to the referenced files' licenses.

    The toolkit's license post-scan step: in the same folder, then at the codebase root.
    """
    from licensedcode.plugin_license import add_referenced_filenames_license_matches_for_detections

    for resource in codebase.walk(topdown=False):
        add_referenced_filenames_license_matches_for_detections(resource, codebase)


def store_license_changes(project_id: int, codebase, loaded: dict[str, tuple]) -> int:
    """Write back the license fields the codebase-level steps changed; return how many."""
    ids = dict(resources.iter_resources(project_id, CodebaseResource.path))
    by_path = {path: row_id for row_id, path in ids.items()}
    root = codebase.root.path + "/"
    updates = []
    for path, before in loaded.items():
        resource = codebase.get_resource(path)
        if resource is None or _license_state(resource) == before:
            continue
        row_id = by_path.get(path[len(root):])
        if row_id:
            updates.append({"id": row_id, **{name: getattr(resource, name) or (
                "" if name.startswith("detected_") else []) for name in _LICENSE_FIELDS}})
    for batch in chunked(updates, BATCH_SIZE):
        resources.bulk_update(batch)
    return len(updates)


def assemble_packages(project_id: int, codebase_dir: Path, *, where: tuple = ()) -> dict:
    """Run the toolkit's codebase-level steps on the stored per-file results; store them.

    License references are followed, then packages and dependencies are assembled (with
    the package steps that take licenses from files), the resources are linked to their
    packages and the license fields those steps changed are written back. Only the package
    data of the resources matching ``where`` is assembled.
    """
    from packagedcode.plugin_package import PackageScanner

    codebase = build_codebase(codebase_dir)
    loaded = load_scan_data(codebase, project_id, where)
    follow_license_references(codebase)
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
        "license_references_followed": store_license_changes(project_id, codebase, loaded),
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
