"""Load SBOMs (SPDX, CycloneDX) as packages and dependencies.

Each document is recognized by its head, read by ``sbom_spdx`` or ``sbom_cyclonedx`` into
an :class:`~scanapp.pipes.sbom_document.Sbom`, then stored. One bad package or edge is a
problem naming it; the rest of the document is still loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage, new_uuid
from scanapp.pipes import chunked, resources, sbom_cyclonedx, sbom_spdx
from scanapp.pipes.packages import model_row
from scanapp.pipes.sbom_document import Edge, Sbom, SbomError, purl_fields
from scanapp.statuses import ResourceStatus

BATCH_SIZE = 500
#: Bytes read from the head of a file to recognize an SBOM.
HEAD_SIZE = 4096
SBOM_SUFFIXES = (".json", ".spdx", ".xml", ".tv", ".cdx", ".bom", ".txt")


def sniff(location: Path) -> str | None:
    """Return ``spdx-json``, ``spdx-tv``, ``cyclonedx-json`` or ``cyclonedx-xml``, or None."""
    if not location.name.lower().endswith(SBOM_SUFFIXES) or location.is_symlink():
        return None
    try:
        with open(location, "rb") as handle:
            head = handle.read(HEAD_SIZE).decode("utf-8", "replace")
    except OSError:
        return None
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        if '"spdxVersion"' in head:
            return "spdx-json"
        if re.search(r'"bomFormat"\s*:\s*"CycloneDX"', head):
            return "cyclonedx-json"
    elif stripped.startswith("<") and "cyclonedx.org/schema/bom" in head:
        return "cyclonedx-xml"
    elif re.search(r"^\s*SPDXVersion\s*:", head, re.M):
        return "spdx-tv"
    return None


def read_sbom(location: Path, kind: str) -> Sbom:
    """Read one document of a sniffed kind."""
    readers = {
        "spdx-json": sbom_spdx.read_json,
        "spdx-tv": sbom_spdx.read_tag_value,
        "cyclonedx-json": sbom_cyclonedx.read_json,
        "cyclonedx-xml": sbom_cyclonedx.read_xml,
    }
    return readers[kind](location)


def load_document(project_id: int, location: Path, path: str, kind: str) -> tuple[dict, list]:
    """Load one SBOM into the project; return the counts and the problems found."""
    try:
        document = read_sbom(location, kind)
    except SbomError as error:
        return {"packages": 0, "dependencies": 0}, [f"{path}: {error}"]
    uids = store_packages(project_id, document, path)
    count = store_dependencies(project_id, document, uids, path)
    problems = [f"{path}: {problem}" for problem in document.problems]
    return {"packages": len(uids), "dependencies": count}, problems


def store_packages(project_id: int, document: Sbom, path: str) -> dict[str, str]:
    """Insert the document's packages; return their package_uid by reference."""
    uids, rows = {}, []
    for ref, values in document.packages.items():
        uid = f"{values.get('purl') or 'pkg:generic/' + values['name']}?uuid={new_uuid()}"
        uids[ref] = uid
        data = dict(
            values,
            package_uid=uid,
            datafile_paths=[path],
            datasource_ids=[document.datasource_id],
        )
        rows.append(model_row(DiscoveredPackage, data, project_id))
    for batch in chunked(rows, BATCH_SIZE):
        with session_scope() as session:
            session.execute(sa.insert(DiscoveredPackage), batch)
    return uids


def dependency_values(document: Sbom, edge: Edge, uids: dict, path: str) -> dict | None:
    """Return the values of one dependency edge, or None when its target has no purl."""
    target = document.packages.get(edge.child)
    purl = target.get("purl", "") if target else document.external.get(edge.child, "")
    if not target and not purl:
        document.problems.append(f"dependency {edge.child!r} is not in the document")
        return None
    parts = {key: target.get(key, "") for key in ("type", "namespace", "name", "version")} if (
        target
    ) else purl_fields(purl)
    return {
        **{key: value for key, value in parts.items() if key != "purl"},
        "purl": purl,
        "package_type": parts.get("type", ""),
        "dependency_uid": f"{purl or 'pkg:generic/' + parts['name']}?uuid={new_uuid()}",
        "for_package_uid": uids.get(edge.parent),
        "resolved_to_package_uid": uids.get(edge.child),
        "datafile_path": path,
        "datasource_id": document.datasource_id,
        "extracted_requirement": parts.get("version", ""),
        "scope": edge.scope,
        "is_runtime": edge.is_runtime,
        "is_optional": edge.is_optional,
        "is_pinned": bool(parts.get("version")),
        "is_direct": True,
    }


def store_dependencies(project_id: int, document: Sbom, uids: dict, path: str) -> int:
    """Insert one dependency per edge whose parent is a package; return the count."""
    rows = []
    for edge in document.edges:
        if edge.parent not in uids:
            continue
        try:
            values = dependency_values(document, edge, uids, path)
        except ValueError as error:
            document.problems.append(f"dependency {edge.child!r}: {error}")
            continue
        if values:
            rows.append(model_row(DiscoveredDependency, values, project_id))
    for batch in chunked(rows, BATCH_SIZE):
        with session_scope() as session:
            session.execute(sa.insert(DiscoveredDependency), batch)
    return len(rows)


def load_project_sboms(context) -> dict:
    """Load every SBOM among the project's files; problems become messages.

    Raise ValueError when no file is an SPDX or CycloneDX document.
    """
    root = context.workdir.codebase
    totals = {"documents": 0, "packages": 0, "dependencies": 0}
    for _, path, status in resources.iter_resources(
        context.project_id, CodebaseResource.path, CodebaseResource.status
    ):
        kind = None if status.startswith(ResourceStatus.IGNORED_PREFIX) else sniff(root / path)
        if not kind:
            continue
        counts, problems = load_document(context.project_id, root / path, path, kind)
        for problem in problems:
            context.add_message(problem, model="load_sbom", details={"resource_path": path})
        context.log(f"{path} ({kind}): {counts}")
        totals["documents"] += 1
        totals["packages"] += counts["packages"]
        totals["dependencies"] += counts["dependencies"]
    if not totals["documents"]:
        raise ValueError(
            "No SPDX (JSON, tag-value) or CycloneDX (JSON, XML) document in the inputs."
        )
    return totals
