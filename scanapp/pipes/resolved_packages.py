"""Resolved packages and dependency edges: find or create packages by purl, link dependencies.

The shared store of resolve_dependencies' two resolvers: a package is one DiscoveredPackage
per purl in a project (found again, or created with a ``purl?uuid=...`` package_uid as
scancode-toolkit makes them), and a dependency is resolved when its
``resolved_to_package_uid`` names such a package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import DiscoveredDependency, DiscoveredPackage
from scanapp.pipes import chunked, packages

BATCH_SIZE = 500
PURL_FIELDS = ("type", "namespace", "name", "version", "qualifiers", "subpath")


def new_uid(purl: str) -> str:
    """Return a new package or dependency uid: ``<purl>?uuid=<uuid4>``, as scancode makes them."""
    from packagedcode.models import build_package_uid

    return build_package_uid(purl)


def purl_fields(purl: str) -> dict:
    """Return the purl fields (qualifiers as a string) of a purl; {} when it does not parse."""
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return {}
    return {
        "type": parsed.type,
        "namespace": parsed.namespace or "",
        "name": parsed.name,
        "version": parsed.version or "",
        "qualifiers": packages._qualifiers(parsed.qualifiers),
        "subpath": parsed.subpath or "",
    }


def name_key(type_: str, namespace: str, name: str) -> tuple[str, str, str]:
    """Return the key packages and dependencies are matched by (pypi names normalized)."""
    if type_ == "pypi":
        from scanapp.pipes.pypi_resolver import canonical_name

        name = canonical_name(name)
    return type_ or "", namespace or "", name or ""


@dataclass
class Store:
    """A project's packages by purl and name, with the rows to insert and update."""

    project_id: int
    by_purl: dict[str, str] = field(default_factory=dict)
    by_name: dict[tuple, list[tuple[str, str]]] = field(default_factory=dict)
    new_packages: list[dict] = field(default_factory=list)
    package_updates: list[dict] = field(default_factory=list)
    new_dependencies: list[dict] = field(default_factory=list)
    resolved: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, project_id: int) -> Store:
        """Index the project's stored packages."""
        store = cls(project_id)
        columns = (DiscoveredPackage.purl, DiscoveredPackage.package_uid,
                   *(getattr(DiscoveredPackage, name) for name in PURL_FIELDS[:3]),
                   DiscoveredPackage.version)
        with session_scope() as session:
            rows = session.execute(
                select(*columns).where(DiscoveredPackage.project_id == project_id)
            ).all()
        for purl, uid, type_, namespace, name, version in rows:
            store._index(purl, uid, type_, namespace, name, version)
        return store

    def _index(self, purl, uid, type_, namespace, name, version) -> None:
        if purl:
            self.by_purl.setdefault(purl, uid)
        self.by_name.setdefault(name_key(type_, namespace, name), []).append((version, uid))

    def package(self, data: dict, datafile_path: str, *, is_virtual: bool) -> str:
        """Return the uid of the package with the purl of ``data``, created when missing."""
        purl = data.get("purl") or ""
        if purl in self.by_purl:
            return self.by_purl[purl]
        values = {**purl_fields(purl), **{key: value for key, value in data.items()
                                          if key not in ("dependencies", "resolved_package")}}
        values.update(
            purl=purl,
            package_uid=new_uid(purl),
            datafile_paths=[datafile_path] if datafile_path else [],
            is_virtual=is_virtual,
        )
        row = packages.package_row(self.project_id, values)
        self.new_packages.append(row)
        self._index(purl, row["package_uid"], row["type"], row["namespace"], row["name"],
                    row["version"])
        return row["package_uid"]

    def match(self, type_: str, namespace: str, name: str, version: str) -> str | None:
        """Return the uid of the one package a dependency on this name (and version) means."""
        candidates = self.by_name.get(name_key(type_, namespace, name), [])
        if version:
            candidates = [item for item in candidates if item[0] == version]
        uids = {uid for _, uid in candidates}
        return uids.pop() if len(uids) == 1 else None

    def dependency(self, data: dict, **values) -> dict:
        """Queue a new dependency row from a scancode dependency mapping and ``values``."""
        purl = data.get("purl") or ""
        mapping = {**data, **purl_fields(purl), **values}
        mapping.setdefault("package_type", mapping.get("type", ""))
        mapping["dependency_uid"] = new_uid(purl)
        resolved = mapping.pop("resolved_to_package_uid", None)
        row = packages.model_row(DiscoveredDependency, mapping, self.project_id)
        row["resolved_to_package_uid"] = resolved
        self.new_dependencies.append(row)
        return row

    def save(self) -> dict:
        """Write the queued rows; return their counts."""
        with session_scope() as session:
            for batch in chunked(self.new_packages, BATCH_SIZE):
                session.execute(sa.insert(DiscoveredPackage), batch)
            for batch in chunked(self.package_updates, BATCH_SIZE):
                session.execute(sa.update(DiscoveredPackage), batch)
            for batch in chunked(self.new_dependencies, BATCH_SIZE):
                session.execute(sa.insert(DiscoveredDependency), batch)
            updates = [{"id": key, "resolved_to_package_uid": uid}
                       for key, uid in self.resolved.items()]
            for batch in chunked(updates, BATCH_SIZE):
                session.execute(sa.update(DiscoveredDependency), batch)
        return {
            "packages": len(self.new_packages),
            "dependencies": len(self.new_dependencies),
            "resolved": len(self.resolved),
        }


def unresolved_dependencies(project_id: int) -> list[DiscoveredDependency]:
    """Return the project's dependencies not resolved to a package yet."""
    with session_scope() as session:
        return list(session.exec(
            select(DiscoveredDependency).where(
                DiscoveredDependency.project_id == project_id,
                DiscoveredDependency.resolved_to_package_uid.is_(None),
            ).order_by(DiscoveredDependency.id)
        ).all())
