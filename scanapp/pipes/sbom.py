"""Load SBOMs (SPDX, CycloneDX) and AboutCode ``.ABOUT`` files as packages and dependencies.

Each document is recognized by parsing it (``sbom_detect``), read by ``sbom_spdx``,
``sbom_cyclonedx`` or ``sbom_about`` into an :class:`~scanapp.pipes.sbom_document.Sbom`,
then stored; its file becomes an ``application-package`` resource of its packages, as in
ScanCode.io. One bad package or edge is a problem naming it; the rest of the document is
still loaded.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage, new_uuid
from scanapp.pipes import chunked, resources, sbom_about, sbom_cyclonedx, sbom_detect, sbom_spdx
from scanapp.pipes.packages import model_row
from scanapp.pipes.sbom_document import Edge, Sbom, SbomError
from scanapp.statuses import ResourceStatus

BATCH_SIZE = 500
READERS = {
    "spdx-json": sbom_spdx.read_json,
    "spdx-yaml": sbom_spdx.read_yaml,
    "spdx-tv": sbom_spdx.read_tag_value,
    "cyclonedx-json": sbom_cyclonedx.read_json,
    "cyclonedx-xml": sbom_cyclonedx.read_xml,
}


def read_sbom(location: Path, kind: str, root: Path) -> Sbom:
    """Read one document of a detected kind (``root``: the codebase, for ``.ABOUT`` files)."""
    if kind == "about":
        return sbom_about.read_about(location, root)
    return READERS[kind](location)


def find_kind(location: Path) -> tuple[str | None, str]:
    """Return (the SBOM kind of a file or None, why it is not read or "")."""
    try:
        size = location.stat().st_size
    except OSError:
        return None, ""
    if size > sbom_detect.MAX_SIZE:
        kind = sbom_detect.kind_by_name(location.name)
        return kind, f"not read: {size} bytes, over the {sbom_detect.MAX_SIZE} bytes limit"
    return sbom_detect.detect(location), ""


def load_document(project_id: int, root: Path, path: str, kind: str) -> tuple:
    """Load the SBOM at ``root / path``; return the counts, the problems, the package_uids."""
    try:
        document = read_sbom(root / path, kind, root)
    except (SbomError, OSError) as error:
        return {"packages": 0, "dependencies": 0}, [f"{path}: {error}"], []
    uids = store_packages(project_id, document, path)
    count = store_dependencies(project_id, document, uids, path)
    problems = [f"{path}: {problem}" for problem in document.problems]
    return {"packages": len(uids), "dependencies": count}, problems, list(uids.values())


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


PURL_PARTS = ("type", "namespace", "name", "version", "qualifiers", "subpath")


def dependency_values(document: Sbom, edge: Edge, uids: dict, path: str) -> dict | None:
    """Return the values of one dependency edge, or None when its target is unknown.

    The target is a package of the document (resolved) or an external reference (not).
    """
    target = document.packages.get(edge.child) or document.external.get(edge.child)
    if not target:
        document.problems.append(f"dependency {edge.child!r} is not in the document")
        return None
    purl, version = target.get("purl", ""), target.get("version", "")
    return {
        **{key: target.get(key, "") for key in PURL_PARTS},
        "purl": purl,
        "package_type": target.get("type", ""),
        "dependency_uid": f"{purl or 'pkg:generic/' + target['name']}?uuid={new_uuid()}",
        "for_package_uid": uids.get(edge.parent),
        "resolved_to_package_uid": uids.get(edge.child),
        "datafile_path": path,
        "datasource_id": document.datasource_id,
        "extracted_requirement": target.get("extracted_requirement", version),
        "scope": edge.scope,
        "is_runtime": edge.is_runtime,
        "is_optional": edge.is_optional,
        "is_pinned": bool(version),
        "is_direct": True,
    }


def store_dependencies(project_id: int, document: Sbom, uids: dict, path: str) -> int:
    """Insert one dependency per edge of a package or a root; return the count."""
    rows = []
    for edge in document.edges:
        if edge.parent not in uids and edge.parent not in document.roots:
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


def link_resource(resource_id: int, uids: list[str]) -> None:
    """Make the document's file an ``application-package`` resource of its packages."""
    resources.bulk_update(
        [{"id": resource_id, "status": ResourceStatus.APPLICATION_PACKAGE, "for_packages": uids}]
    )


def load_project_sboms(context) -> dict:
    """Load every SBOM and ``.ABOUT`` file among the project's files; problems are messages.

    Raise ValueError when no file is an SPDX, CycloneDX or ``.ABOUT`` document.
    """
    root = context.workdir.codebase
    totals = {"documents": 0, "packages": 0, "dependencies": 0}
    for resource_id, path, status in resources.iter_resources(
        context.project_id, CodebaseResource.path, CodebaseResource.status
    ):
        if status.startswith(ResourceStatus.IGNORED_PREFIX):
            continue
        kind, refused = find_kind(root / path)
        if not kind:
            continue
        if refused:
            counts, problems = {"packages": 0, "dependencies": 0}, [f"{path}: {refused}"]
        else:
            counts, problems, uids = load_document(context.project_id, root, path, kind)
            link_resource(resource_id, uids)
        for problem in problems:
            context.add_message(problem, model="load_sbom", details={"resource_path": path})
        context.log(f"{path} ({kind}): {counts}")
        totals["documents"] += 1
        totals["packages"] += counts["packages"]
        totals["dependencies"] += counts["dependencies"]
    if not totals["documents"]:
        raise ValueError(
            "No SPDX (JSON, YAML, tag-value), CycloneDX (JSON, XML) or .ABOUT document"
            " in the inputs."
        )
    return totals
