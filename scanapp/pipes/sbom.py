"""Load SBOMs (SPDX, CycloneDX) as packages and dependencies.

The readers of ``sbom_spdx`` and ``sbom_cyclonedx`` turn a document into an ``Sbom``: the
package values (DiscoveredPackage fields) by document reference, the dependency edges
between references, and the problems found. One bad package or edge is a problem naming
it; the rest of the document is still loaded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import DiscoveredDependency, DiscoveredPackage, new_uuid
from scanapp.pipes import chunked
from scanapp.pipes.packages import model_row

BATCH_SIZE = 500
#: Bytes read from the head of a file to recognize an SBOM.
HEAD_SIZE = 4096
SBOM_SUFFIXES = (".json", ".spdx", ".xml", ".tv", ".cdx", ".bom", ".txt")
NO_VALUE = ("NOASSERTION", "NONE", "")
HASH_FIELDS = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "sha512": "sha512"}
_LICENSE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+:-]*")
_OPERATORS = {"and", "or", "with"}


class SbomError(Exception):
    """A document that cannot be read at all; the message says why."""


@dataclass
class Edge:
    """``parent`` depends on ``child`` (document references)."""

    parent: str
    child: str
    scope: str = ""
    is_optional: bool = False
    is_runtime: bool = True


@dataclass
class Sbom:
    """What a reader found in one document."""

    datasource_id: str
    packages: dict[str, dict] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    #: Purls of references that are not packages of the document (unresolved targets).
    external: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add_packages(self, items, read, kind: str) -> None:
        """Add ``read(item)`` -> (reference, values) of each item; a failure is a problem."""
        for number, item in enumerate(items, start=1):
            try:
                ref, values = read(item)
            except (ValueError, TypeError, AttributeError) as error:
                self.problems.append(f"{kind} #{number} ({label_of(item)}): {error}")
                continue
            if ref in self.packages:
                self.problems.append(f"{kind} #{number} ({label_of(item)}): duplicate {ref!r}")
                continue
            self.packages[ref] = values


def label_of(item) -> str:
    """Return the name of a document item for a message."""
    return (item.get("name") if isinstance(item, dict) else None) or "no name"


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


def load_json(location: Path):
    """Return a parsed JSON file; raise SbomError when it is not JSON."""
    try:
        return json.loads(location.read_bytes())
    except ValueError as error:
        raise SbomError(f"invalid JSON: {error}") from None


def read_sbom(location: Path, kind: str) -> Sbom:
    """Read one document of a sniffed kind."""
    from scanapp.pipes import sbom_cyclonedx, sbom_spdx

    readers = {
        "spdx-json": sbom_spdx.read_json,
        "spdx-tv": sbom_spdx.read_tag_value,
        "cyclonedx-json": sbom_cyclonedx.read_json,
        "cyclonedx-xml": sbom_cyclonedx.read_xml,
    }
    return readers[kind](location)


def text(value) -> str:
    """Return a string value, NOASSERTION/NONE/None as ""."""
    if value is None or not isinstance(value, str | int | float):
        return ""
    value = str(value).strip()
    return "" if value in NO_VALUE else value


def license_keys(spdx_expression: str) -> str:
    """Return the ScanCode expression of an SPDX one (ids with no ScanCode key kept)."""
    from licensedcode.cache import get_spdx_symbols

    symbols = get_spdx_symbols()

    def key(match: re.Match) -> str:
        token = match.group(0)
        if token.lower() in _OPERATORS:
            return token.upper()
        symbol = symbols.get(token.lower())
        return symbol.key if symbol is not None else token

    return _LICENSE_TOKEN.sub(key, spdx_expression)


def purl_fields(purl: str) -> dict:
    """Return the purl and its parts; raise ValueError on an invalid purl."""
    from packageurl import PackageURL

    parsed = PackageURL.from_string(purl)
    qualifiers = parsed.qualifiers or {}
    return {
        "purl": parsed.to_string(),
        "type": parsed.type,
        "namespace": parsed.namespace or "",
        "name": parsed.name,
        "version": parsed.version or "",
        "qualifiers": "&".join(f"{k}={v}" for k, v in sorted(qualifiers.items())),
        "subpath": parsed.subpath or "",
    }


def package_values(*, name: str, version: str = "", purl: str = "", **values) -> dict:
    """Return package values from a name, version and optional purl; raise ValueError.

    A package needs a name or a valid purl. Empty values are left out.
    """
    data = {key: value for key, value in values.items() if value not in (None, "", [], {})}
    if purl:
        data.update(purl_fields(purl))
    elif name:
        data.update(name=name, version=version)
    else:
        raise ValueError("no name and no purl")
    spdx = data.get("declared_license_expression_spdx")
    if spdx:
        data["declared_license_expression"] = license_keys(spdx)
    return data


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
    from scanapp.models import CodebaseResource
    from scanapp.pipes import resources

    root = context.workdir.codebase
    totals = {"documents": 0, "packages": 0, "dependencies": 0}
    for _, path, status in resources.iter_resources(
        context.project_id, CodebaseResource.path, CodebaseResource.status
    ):
        kind = None if status.startswith("ignored-") else sniff(root / path)
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
