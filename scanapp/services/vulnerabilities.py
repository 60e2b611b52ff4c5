"""``GET /api/projects/{uuid}/vulnerabilities/``: what find_vulnerabilities stored, listed.

One entry per vulnerability and package (or dependency) it affects, most severe first.
"""

from __future__ import annotations

from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.models import DiscoveredDependency, DiscoveredPackage
from scanapp.pipes.vulnerabilities import UNPINNED
from scanapp.pipes.vulnerability_match import LEVELS
from scanapp.services.listing import Page, check_page
from scanapp.services.lookup import get_project


def project_findings(session: Session, project_id: int) -> list[dict]:
    """Return each vulnerability stored on the project's rows, with the row it ``affects``.

    The packages' first, then the dependencies', each by purl.
    """
    entries = []
    for model, kind, uid in ((DiscoveredPackage, "package", "package_uid"),
                             (DiscoveredDependency, "dependency", "dependency_uid")):
        rows = session.exec(select(model.purl, getattr(model, uid),
                                   model.affected_by_vulnerabilities)
                            .where(model.project_id == project_id).order_by(model.purl)).all()
        for purl, row_uid, found in rows:
            for vulnerability in found or []:
                entries.append({**vulnerability, "affects": {
                    "kind": kind, "purl": purl, "uid": row_uid}})
    return entries


def _wanted(entry: dict, filters: dict) -> bool:
    severity, package, alias = (filters.get(k) for k in ("severity", "package", "alias"))
    level = entry.get("severity_level") or "none"
    if severity and LEVELS.index(level) < LEVELS.index(severity):
        return False
    if package and not entry["affects"]["purl"].lower().startswith(package.lower()):
        return False
    names = {entry.get("vulnerability_id", ""), *entry.get("aliases", [])}
    return not alias or alias.upper() in {name.upper() for name in names}


def project_vulnerabilities(uuid: str, filters: dict, number: int, size: int) -> Page:
    """Return a page of the project's vulnerabilities, most severe first, then by id."""
    with session_scope() as session:
        found = project_findings(session, get_project(session, uuid).id)
    entries = [entry for entry in found if _wanted(entry, filters)]
    entries.sort(key=lambda e: (-LEVELS.index(e.get("severity_level") or "none"),
                                e.get("vulnerability_id", ""), e["affects"]["purl"]))
    check_page(number, size, len(entries))
    return Page(number, size, len(entries), entries[(number - 1) * size: number * size])


def unpinned_dependencies(uuid: str) -> list[dict]:
    """Return the dependencies find_vulnerabilities could not match: "unpinned: cannot tell".

    Each with its purl, requirement and manifest path, by purl: neither resolved to a package
    nor pinned, no version says whether a vulnerability affects it.
    """
    with session_scope() as session:
        rows = session.exec(
            select(DiscoveredDependency.purl, DiscoveredDependency.extracted_requirement,
                   DiscoveredDependency.datafile_path, DiscoveredDependency.extra_data)
            .where(DiscoveredDependency.project_id == get_project(session, uuid).id)
            .order_by(DiscoveredDependency.purl)).all()
    return [{"purl": purl, "extracted_requirement": requirement, "datafile_path": path,
             "vulnerabilities": UNPINNED}
            for purl, requirement, path, extra in rows
            if (extra or {}).get("vulnerabilities") == UNPINNED]
