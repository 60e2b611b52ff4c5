"""The find_vulnerabilities steps: a project's packages and dependencies matched offline.

Each package is matched on its version; each dependency on the version it resolved to
(its package's), else on the version its purl pins, else it is "unpinned: cannot tell"
(``extra_data["vulnerabilities"]``, and one warning listing them), never guessed.
"""

from __future__ import annotations

from packageurl import PackageURL
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.models import DiscoveredDependency, DiscoveredPackage
from scanapp.pipes import vulndb
from scanapp.pipes.vulnerability_match import match_many

UNPINNED = "unpinned: cannot tell"


def availability() -> tuple[bool, str]:
    """Return whether the vulnerability database holds records, and why not."""
    try:
        with session_scope() as session:
            empty = vulndb.is_empty(session)
    except Exception as error:  # noqa: BLE001 - a database not reachable says why
        return False, f"The vulnerability database cannot be read: {error}"
    if empty:
        return False, ("The vulnerability database is empty: load OSV records with "
                       "`scanapp vulndb load all.zip` (osv.dev's ecosystem exports).")
    return True, ""


def _findings(session: Session, wanted: list) -> dict:
    """Return each (type, namespace, name, version)'s findings as stored: read in one go."""
    return {item: [finding.as_dict() for finding in findings]
            for item, findings in match_many(session, wanted).items()}


def _wanted(row, version: str) -> tuple[str, str, str, str]:
    return (row.type or "", row.namespace or "", row.name or "", version or "")


def lookup_packages(context) -> int:
    """Store the vulnerabilities of each package; return how many packages have one."""
    vulnerable = 0
    with session_scope() as session:
        packages = session.exec(select(DiscoveredPackage).where(
            DiscoveredPackage.project_id == context.project_id)).all()
        findings = _findings(session, [_wanted(package, package.version)
                                       for package in packages])
        for package in packages:
            found = findings[_wanted(package, package.version)]
            vulnerable += bool(found)
            if found != package.affected_by_vulnerabilities:
                package.affected_by_vulnerabilities = found
                session.add(package)
    context.log(f"{vulnerable} of {len(packages)} package(s) have known vulnerabilities")
    return vulnerable


def dependency_version(dependency: DiscoveredDependency, resolved: dict[str, str]) -> str:
    """Return the version to match a dependency on: resolved, else pinned, else ""."""
    if dependency.resolved_to_package_uid in resolved:
        return resolved[dependency.resolved_to_package_uid]
    if dependency.is_pinned and dependency.purl:
        try:
            return PackageURL.from_string(dependency.purl).version or ""
        except ValueError:
            return ""
    return ""


def lookup_dependencies(context) -> int:
    """Store the vulnerabilities of each dependency; return how many have one.

    An unresolved, unpinned dependency is marked "unpinned: cannot tell".
    """
    vulnerable, unpinned = 0, []
    with session_scope() as session:
        resolved = dict(session.exec(select(DiscoveredPackage.package_uid,
                                            DiscoveredPackage.version).where(
            DiscoveredPackage.project_id == context.project_id)).all())
        dependencies = session.exec(select(DiscoveredDependency).where(
            DiscoveredDependency.project_id == context.project_id)).all()
        versions = [dependency_version(dependency, resolved) for dependency in dependencies]
        findings = _findings(session, [_wanted(dependency, version) for dependency, version
                                       in zip(dependencies, versions, strict=True)])
        for dependency, version in zip(dependencies, versions, strict=True):
            found = findings[_wanted(dependency, version)]
            vulnerable += bool(found)
            if not version:
                unpinned.append(dependency.purl or dependency.name)
            dependency.affected_by_vulnerabilities = found
            dependency.extra_data = {**(dependency.extra_data or {}),
                                     "vulnerabilities": "matched" if version else UNPINNED}
            session.add(dependency)
    if unpinned:
        context.add_message(
            f"{len(unpinned)} dependency(ies) neither resolved nor pinned: their "
            f"vulnerabilities cannot be told ({', '.join(sorted(set(unpinned))[:20])})",
            severity="warning", model=context.pipeline_name)
    context.log(f"{vulnerable} of {len(dependencies)} dependency(ies) have known "
                "vulnerabilities")
    return vulnerable
