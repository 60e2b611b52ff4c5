"""What changed between two scans: packages, licenses, dependencies, alerts and files.

``compare_projects(base, other)`` reads both projects' stored rows and answers what ``other``
has that ``base`` has not (added, new), what it lost (removed, resolved) and what changed.
Packages are matched by type, namespace and name (a different version is a version change);
dependencies by package, scope and manifest; files by path below each project's common root
folder (``flask-3.0.3.tar.gz-extract/flask-3.0.3/`` and ``.../flask-3.1.0/`` are one root),
then by SHA-256. The alerts are those of each project's current policies (recomputed first
when they changed, as ``compliance/`` does).
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import select

from outputs import compare_xlsx
from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage, Project
from scanapp.policies import SEVERITY_ORDER, worst
from scanapp.services.access import check_project
from scanapp.services.compliance import ensure_alerts
from scanapp.services.packages import purl_of
from scanapp.services.users import Caller

#: The kinds of change, in the answer's order (and the XLSX sheets').
KINDS = ("packages_added", "packages_removed", "package_version_changes",
         "package_license_changes", "dependencies_added", "dependencies_removed",
         "dependency_requirement_changes", "alerts_new", "alerts_resolved",
         "files_added", "files_removed", "files_changed")


def compare_projects(base: str, other: str, caller: Caller | None = None,
                     refresh: bool = False) -> dict:
    """Return what changed from project ``base`` to ``other`` (each a uuid or a name).

    Both must be visible to the caller (else: not found); ``refresh`` recomputes the alerts
    of a project whose policies changed since its scan (the CLI's gate does).
    """
    with session_scope() as session:
        projects = [_visible_project(session, reference, caller) for reference in (base, other)]
    if refresh:
        for project in projects:
            ensure_alerts(project.id)
    base, other = (_Scan.load(project) for project in projects)
    changes = {
        **_package_changes(base.packages, other.packages),
        **_dependency_changes(base.dependencies, other.dependencies),
        **_alert_changes(base.alerts(), other.alerts()),
        **_file_changes(base.files, other.files),
    }
    return {
        "project": _identity(projects[0], base.root),
        "with": _identity(projects[1], other.root),
        "summary": {kind: len(changes[kind]) for kind in KINDS}
        | {"files_unchanged": _unchanged(base.files, other.files),
           "files_with_known_content": _known_content(base.files, other.files)},
        **{kind: changes[kind] for kind in KINDS},
    }


def comparison_workbook(comparison: dict) -> tuple[io.BytesIO, str]:
    """Return the comparison as an XLSX workbook (a buffer at its start) and its file name."""
    buffer = io.BytesIO()
    compare_xlsx.render(comparison, buffer)
    buffer.seek(0)
    return buffer, f"compare-{comparison['project']['name']}-{comparison['with']['name']}.xlsx"


def _visible_project(session, reference: str, caller: Caller | None) -> Project:
    project = session.exec(select(Project).where(
        sa.or_(Project.uuid == reference, Project.name == reference))).first()
    try:
        if project is None:
            raise NotFoundError("")
        check_project(session, project, caller, "member")
    except NotFoundError:
        raise NotFoundError(f"No project named or with uuid {reference!r}.") from None
    return project


def new_alerts(comparison: dict, severities: Iterable[str]) -> list[dict]:
    """Return the comparison's new alerts of these severities (a release gate's failures)."""
    wanted = set(severities)
    return [alert for alert in comparison["alerts_new"] if alert["compliance_alert"] in wanted]


def _identity(project: Project, root: str) -> dict:
    return {"name": project.name, "uuid": project.uuid, "root": root}


class _Scan:
    """The rows of one project that a comparison reads, paths below its common root."""

    def __init__(self, root: str, packages: list[dict], dependencies: list[dict],
                 files: dict[str, dict]):
        self.root, self.packages, self.dependencies, self.files = (
            root, packages, dependencies, files)

    @classmethod
    def load(cls, project: Project) -> _Scan:
        with session_scope() as session:
            resources = session.exec(
                select(CodebaseResource.path, CodebaseResource.type, CodebaseResource.sha256,
                       CodebaseResource.detected_license_expression,
                       CodebaseResource.compliance_alert)
                .where(CodebaseResource.project_id == project.id)).all()
            packages = session.exec(
                select(DiscoveredPackage.type, DiscoveredPackage.namespace,
                       DiscoveredPackage.name, DiscoveredPackage.version,
                       DiscoveredPackage.purl, DiscoveredPackage.declared_license_expression,
                       DiscoveredPackage.compliance_alert)
                .where(DiscoveredPackage.project_id == project.id)).all()
            dependencies = session.exec(
                select(DiscoveredDependency.purl, DiscoveredDependency.type,
                       DiscoveredDependency.namespace, DiscoveredDependency.name,
                       DiscoveredDependency.extracted_requirement, DiscoveredDependency.scope,
                       DiscoveredDependency.datafile_path, DiscoveredDependency.is_runtime,
                       DiscoveredDependency.is_optional)
                .where(DiscoveredDependency.project_id == project.id)).all()
        root = common_root([row.path for row in resources if row.type == "file"])
        files = {
            below(root, row.path): {"path": below(root, row.path), "sha256": row.sha256,
                                    "detected_license_expression":
                                        row.detected_license_expression,
                                    "compliance_alert": row.compliance_alert}
            for row in resources if row.type == "file"
        }
        return cls(
            root,
            [dict(row._mapping) for row in packages],
            [dict(row._mapping, datafile_path=below(root, row.datafile_path))
             for row in dependencies],
            files,
        )

    def alerts(self) -> dict[tuple, dict]:
        """Return ``{(kind, identity): alert}`` of every package and file with an alert."""
        found: dict[tuple, dict] = {}
        for package in self.packages:
            key = ("package", _package_id(package))
            if _is_alert(package["compliance_alert"]):
                previous = found.get(key, {}).get("compliance_alert", "ok")
                found[key] = {"kind": "package", "identity": key[1],
                              "compliance_alert": worst([previous,
                                                         package["compliance_alert"]]),
                              "license_expression": package["declared_license_expression"]}
        for path, item in self.files.items():
            if _is_alert(item["compliance_alert"]):
                found[("file", path)] = {"kind": "file", "identity": path,
                                         "compliance_alert": item["compliance_alert"],
                                         "license_expression":
                                             item["detected_license_expression"]}
        return found


def common_root(paths: list[str]) -> str:
    """Return the folder every path is below (an archive's top folders), "" for none."""
    if not paths:
        return ""
    root = posixpath.commonpath(paths)
    return posixpath.dirname(root) if root in paths else root


def below(root: str, path: str) -> str:
    """Return ``path`` relative to ``root``."""
    return path[len(root) + 1:] if root and path.startswith(f"{root}/") else path


def _is_alert(alert: str) -> bool:
    return alert in SEVERITY_ORDER and alert != "ok"


def _package_id(package: dict) -> str:
    """``pkg:type/namespace/name``: a package whatever its version."""
    return purl_of(package["type"], package["namespace"], package["name"])


def _package_entry(package: dict) -> dict:
    return {"package": _package_id(package), "version": package["version"],
            "purl": package["purl"],
            "declared_license_expression": package["declared_license_expression"]}


def _package_changes(base: list[dict], other: list[dict]) -> dict:
    """Return the packages added, removed, with another version or declared license."""
    before, after = _by_package(base), _by_package(other)
    added = [p for key in after.keys() - before.keys() for p in after[key].values()]
    removed = [p for key in before.keys() - after.keys() for p in before[key].values()]
    versions, licenses = [], []
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key], after[key]
        if len(old) == len(new) == 1 and old.keys() != new.keys():
            pairs = [(next(iter(old.values())), next(iter(new.values())))]
            versions.append(_change(key, *pairs[0]))
        else:
            added += [new[v] for v in new.keys() - old.keys()]
            removed += [old[v] for v in old.keys() - new.keys()]
            pairs = [(old[v], new[v]) for v in sorted(old.keys() & new.keys())]
        licenses += [_change(key, a, b) for a, b in pairs
                     if a["declared_license_expression"] != b["declared_license_expression"]]
    return {
        "packages_added": _sorted(map(_package_entry, added), "package", "version"),
        "packages_removed": _sorted(map(_package_entry, removed), "package", "version"),
        "package_version_changes": versions,
        "package_license_changes": licenses,
    }


def _by_package(packages: list[dict]) -> dict[str, dict[str, dict]]:
    grouped: dict[str, dict[str, dict]] = {}
    for package in packages:
        grouped.setdefault(_package_id(package), {})[package["version"]] = package
    return grouped


def _change(key: str, old: dict, new: dict) -> dict:
    return {"package": key, "from_version": old["version"], "to_version": new["version"],
            "from_purl": old["purl"], "to_purl": new["purl"],
            "from_declared_license_expression": old["declared_license_expression"],
            "to_declared_license_expression": new["declared_license_expression"]}


def _dependency_key(dependency: dict) -> tuple:
    return (_package_id(dependency), dependency["scope"], dependency["datafile_path"])


def _dependency_entry(dependency: dict) -> dict:
    return {"package": _package_id(dependency), "purl": dependency["purl"],
            "extracted_requirement": dependency["extracted_requirement"],
            "scope": dependency["scope"], "datafile_path": dependency["datafile_path"],
            "is_runtime": dependency["is_runtime"], "is_optional": dependency["is_optional"]}


def _dependency_changes(base: list[dict], other: list[dict]) -> dict:
    """Return the dependencies added, removed, and declared with another requirement."""
    before = {_dependency_key(d): d for d in base}
    after = {_dependency_key(d): d for d in other}
    changed = [
        {**_dependency_entry(after[key]),
         "from_extracted_requirement": before[key]["extracted_requirement"],
         "to_extracted_requirement": after[key]["extracted_requirement"]}
        for key in sorted(before.keys() & after.keys())
        if before[key]["extracted_requirement"] != after[key]["extracted_requirement"]
    ]
    for entry in changed:
        entry.pop("extracted_requirement")
    order = ("datafile_path", "package", "scope")
    return {
        "dependencies_added": _sorted((_dependency_entry(after[k])
                                       for k in after.keys() - before.keys()), *order),
        "dependencies_removed": _sorted((_dependency_entry(before[k])
                                         for k in before.keys() - after.keys()), *order),
        "dependency_requirement_changes": changed,
    }


def _alert_changes(before: dict[tuple, dict], after: dict[tuple, dict]) -> dict:
    """Return the alerts new in ``after`` (or more severe there) and resolved (gone, milder)."""
    def rank(alerts, key):
        return SEVERITY_ORDER.index(alerts[key]["compliance_alert"]) if key in alerts else 0

    def entry(side, key):
        return side[key] | {
            "from_compliance_alert": before.get(key, {}).get("compliance_alert", ""),
            "to_compliance_alert": after.get(key, {}).get("compliance_alert", "")}

    return {
        "alerts_new": [entry(after, key) for key in sorted(after)
                       if rank(after, key) > rank(before, key)],
        "alerts_resolved": [entry(before, key) for key in sorted(before)
                            if rank(before, key) > rank(after, key)],
    }


def _file_changes(before: dict[str, dict], after: dict[str, dict]) -> dict:
    """Return the files added, removed, and changed (another SHA-256) with their licenses."""
    changed = [
        {"path": path, "from_sha256": before[path]["sha256"], "to_sha256": after[path]["sha256"],
         "from_detected_license_expression": before[path]["detected_license_expression"],
         "to_detected_license_expression": after[path]["detected_license_expression"],
         "license_changed": before[path]["detected_license_expression"]
         != after[path]["detected_license_expression"]}
        for path in sorted(before.keys() & after.keys())
        if before[path]["sha256"] != after[path]["sha256"]
    ]
    return {
        "files_added": [_file_entry(after[p]) for p in sorted(after.keys() - before.keys())],
        "files_removed": [_file_entry(before[p]) for p in sorted(before.keys() - after.keys())],
        "files_changed": changed,
    }


def _file_entry(item: dict) -> dict:
    return {key: item[key] for key in ("path", "sha256", "detected_license_expression")}


def _unchanged(before: dict[str, dict], after: dict[str, dict]) -> int:
    return sum(1 for path in before.keys() & after.keys()
               if before[path]["sha256"] == after[path]["sha256"])


def _known_content(before: dict[str, dict], after: dict[str, dict]) -> int:
    """Count the files of ``after`` whose content ``before`` had, at any path."""
    contents = {item["sha256"] for item in before.values()}
    return sum(1 for item in after.values() if item["sha256"] in contents)


def _sorted(entries: Iterable[dict], *keys: str) -> list[dict]:
    return sorted(entries, key=lambda entry: tuple(str(entry[key]) for key in keys))
