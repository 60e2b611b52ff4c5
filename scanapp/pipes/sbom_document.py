"""What an SBOM reader returns: packages by reference, dependency edges and problems.

The readers of ``sbom_spdx``, ``sbom_cyclonedx`` and ``sbom_about`` turn a document into an
:class:`Sbom`: the package values (DiscoveredPackage fields) by document reference, the
dependency edges between references, the targets that are not packages, and the problems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from scanapp.licensing import spdx_to_scancode

NO_VALUE = ("NOASSERTION", "NONE", "")


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
    #: Dependency values (purl parts, name, version...) of the references that are not
    #: packages of the document: the targets of unresolved dependencies.
    external: dict[str, dict] = field(default_factory=dict)
    #: References standing for what the document describes (scanapp's project) that are not
    #: packages: their edges are dependencies of no package.
    roots: set[str] = field(default_factory=set)
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


def load_json(location: Path):
    """Return a parsed JSON file; raise SbomError when it is not JSON."""
    try:
        return json.loads(location.read_bytes())
    except ValueError as error:
        raise SbomError(f"invalid JSON: {error}") from None
    except RecursionError:
        raise SbomError("invalid JSON: nested too deeply") from None


def text(value) -> str:
    """Return a string value, NOASSERTION/NONE/None as ""."""
    if value is None or not isinstance(value, str | int | float):
        return ""
    value = str(value).strip()
    return "" if value in NO_VALUE else value


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
        data["declared_license_expression"] = spdx_to_scancode(spdx)
    return data
