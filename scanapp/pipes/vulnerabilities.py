"""The find_vulnerabilities steps: a project's packages and dependencies matched offline.

Each package is matched on its version; each dependency on the version it resolved to
(its package's), else on the version its purl pins, else it is "unpinned: cannot tell"
(``extra_data["vulnerabilities"]``, and one warning listing them), never guessed. The
records come from the local OSV database, or from a VulnerableCode server when
``SCANAPP_VULNERABLECODE_URL`` is set. Vulnerabilities whose id or alias the project's
``ignored_vulnerabilities`` setting lists (ScanCode.io's) are left out.
"""

from __future__ import annotations

from packageurl import PackageURL
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.errors import PipelineError
from scanapp.models import DiscoveredDependency, DiscoveredPackage, Project
from scanapp.pipes import vulndb, vulnerablecode
from scanapp.pipes.vulnerability_match import match_many

UNPINNED = "unpinned: cannot tell"


def availability() -> tuple[bool, str]:
    """Return whether vulnerabilities can be looked up, and why not.

    With a VulnerableCode server configured, it is (it is asked when the run starts, as
    ScanCode.io does); else when the local database holds records.
    """
    if vulnerablecode.configured():
        return True, ""
    try:
        with session_scope() as session:
            empty = vulndb.is_empty(session)
    except Exception as error:  # noqa: BLE001 - a database not reachable says why
        return False, f"The vulnerability database cannot be read: {error}"
    if empty:
        return False, ("The vulnerability database is empty: load OSV records with "
                       "`scanapp vulndb load all.zip` (osv.dev's ecosystem exports).")
    return True, ""


def check_available() -> None:
    """Raise PipelineError saying why vulnerabilities cannot be looked up, if they cannot."""
    available, reason = (vulnerablecode.availability() if vulnerablecode.configured()
                         else availability())
    if not available:
        raise PipelineError(reason)


def _ignored(session: Session, project_id: int) -> set[str]:
    settings = session.get(Project, project_id).settings or {}
    return {str(name) for name in settings.get("ignored_vulnerabilities") or []}


def _kept(entries: list[dict], ignored: set[str]) -> list[dict]:
    return [entry for entry in entries
            if not ignored & {entry.get("vulnerability_id"), entry.get("advisory_uid"),
                              *entry.get("aliases", [])}]


def _from_vulnerablecode(wanted: list) -> dict:
    purls = {item: PackageURL(*item).to_string() for item in set(wanted) if item[2] and item[3]}
    try:
        found = vulnerablecode.search(list(purls.values()))
    except vulnerablecode.VulnerableCodeError as error:
        raise PipelineError(str(error)) from None
    return {item: found.get(purls[item], []) if item in purls else [] for item in wanted}


def _findings(session: Session, project_id: int, wanted: list) -> dict:
    """Return each (type, namespace, name, version)'s findings as stored: read in one go."""
    if vulnerablecode.configured():
        found = _from_vulnerablecode(wanted)
    else:
        found = {item: [finding.as_dict() for finding in findings]
                 for item, findings in match_many(session, wanted).items()}
    ignored = _ignored(session, project_id)
    return {item: _kept(entries, ignored) for item, entries in found.items()}


def _wanted(row, version: str) -> tuple[str, str, str, str]:
    return (row.type or "", row.namespace or "", row.name or "", version or "")


def lookup_packages(context) -> int:
    """Store the vulnerabilities of each package; return how many packages have one."""
    vulnerable = 0
    with session_scope() as session:
        packages = session.exec(select(DiscoveredPackage).where(
            DiscoveredPackage.project_id == context.project_id)).all()
        findings = _findings(session, context.project_id,
                             [_wanted(package, package.version) for package in packages])
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
        findings = _findings(session, context.project_id,
                             [_wanted(dependency, version) for dependency, version
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
