"""Static resolution: resolve dependencies to packages from the parsed manifests and lockfiles.

What scancode-toolkit's parsers give, as ScanCode.io's static resolver uses it: a lockfile's
dependencies carry their ``resolved_package`` (package-lock.json, yarn.lock, poetry.lock,
Cargo.lock, composer.lock...), which becomes a package (``is_virtual``: known from the
lockfile, not from files of the codebase) that the dependency resolves to, its own
dependencies added for it; a pinned requirement (``pkg-a==1.0`` in a requirements file,
Pipfile.lock's ``==`` versions) resolves to the package of that exact version, created when
missing. Last, a dependency still unresolved resolves to the one package of its name in the
project (of its version, when it has one), as lockfiles hold one version per name.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource
from scanapp.pipes import resources
from scanapp.pipes.resolved_packages import Store, purl_fields, unresolved_dependencies
from scanapp.statuses import ResourceStatus

BATCH_SIZE = 500


def manifest_paths(project_id: int) -> list[str]:
    """Return the paths of the files a package datafile handler matches, not flagged yet."""
    return [
        path
        for _, path in resources.iter_resources(
            project_id,
            CodebaseResource.path,
            no_status=True,
            where=(CodebaseResource.is_manifest.is_(True),),
        )
    ]


def flag_manifests(project_id: int, paths: list[str]) -> int:
    """Give the manifests at ``paths`` that have no status ``application-package``."""
    with session_scope() as session:
        return session.execute(
            sa.update(CodebaseResource)
            .where(
                CodebaseResource.project_id == project_id,
                CodebaseResource.path.in_(paths),
                CodebaseResource.status == ResourceStatus.NONE,
            )
            .values(status=ResourceStatus.APPLICATION_PACKAGE)
            .execution_options(synchronize_session=False)
        ).rowcount


def _package_data(project_id: int):
    """Yield (path, package data mapping) of every file with package data."""
    statement = select(CodebaseResource.path, CodebaseResource.package_data).where(
        CodebaseResource.project_id == project_id,
        sa.cast(CodebaseResource.package_data, sa.Text) != "[]",
    )
    with session_scope() as session:
        rows = session.execute(statement.order_by(CodebaseResource.id)).all()
    for path, package_data in rows:
        for mapping in package_data or ():
            yield path, mapping


def resolve_static(project_id: int) -> dict:
    """Resolve the project's dependencies from lockfile data, pins and names; return counts."""
    store = Store.load(project_id)
    unresolved = unresolved_dependencies(project_id)
    by_key: dict[tuple, list] = {}
    for dependency in unresolved:
        key = (dependency.datafile_path, dependency.purl, dependency.extracted_requirement)
        by_key.setdefault(key, []).append(dependency)
    for path, mapping in _package_data(project_id):
        for data in mapping.get("dependencies") or ():
            resolved = data.get("resolved_package") or {}
            if not resolved.get("name"):
                continue
            uid = store.package(resolved, path, is_virtual=True)
            key = (path, data.get("purl") or "", data.get("extracted_requirement") or "")
            for dependency in by_key.get(key, ()):
                store.resolved[dependency.id] = uid
            for nested in resolved.get("dependencies") or ():
                store.dependency(
                    nested,
                    for_package_uid=uid,
                    datafile_path=path,
                    datasource_id=resolved.get("datasource_id") or mapping.get("datasource_id"),
                )
    for dependency in unresolved:
        if dependency.id not in store.resolved and dependency.is_pinned and dependency.version:
            data = {**purl_fields(dependency.purl), "purl": dependency.purl}
            uid = store.package(data, dependency.datafile_path, is_virtual=True)
            store.resolved[dependency.id] = uid
    _match_by_name(store, unresolved)
    return store.save()


def _match_by_name(store: Store, unresolved: list) -> None:
    """Resolve the dependencies left to the one package of their name (and version)."""
    for dependency in unresolved:
        if dependency.id in store.resolved:
            continue
        uid = store.match(dependency.type, dependency.namespace, dependency.name,
                          dependency.version)
        if uid and uid != dependency.for_package_uid:
            store.resolved[dependency.id] = uid
    for row in store.new_dependencies:
        if row.get("resolved_to_package_uid"):
            continue
        uid = store.match(row["type"], row["namespace"], row["name"], row["version"])
        if uid and uid != row.get("for_package_uid"):
            row["resolved_to_package_uid"] = uid
