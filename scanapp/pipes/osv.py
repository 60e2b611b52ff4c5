"""OSV records (https://ossf.github.io/osv-schema/) read into what the vulnerability database keeps.

A package is found in the database by its ecosystem and name, both as :func:`package_key`
makes them from a purl and :func:`affected_key` from an OSV ``affected[].package``: the
ecosystem in lower case without its release (``Debian:12`` is ``debian``), the name as
the ecosystem compares names (PyPI's normalized, Maven's ``group:artifact``, Go's module
path, npm's ``@scope/name``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: The OSV ecosystem of each purl type (lower case: the database's keys).
ECOSYSTEMS = {
    "pypi": "pypi", "npm": "npm", "maven": "maven", "golang": "go", "cargo": "crates.io",
    "gem": "rubygems", "nuget": "nuget", "deb": "debian", "apk": "alpine",
    "composer": "packagist", "hex": "hex", "pub": "pub", "hackage": "hackage",
    "cran": "cran", "swift": "swifturl", "conan": "conancenter", "rpm": "red hat",
    "bitnami": "bitnami", "github": "github actions",
}
#: Where a record is read by its id or an alias (osv.dev answers GHSA, PYSEC and CVE ids).
RECORD_URL = "https://osv.dev/vulnerability/"
#: Ecosystems whose names are compared without case.
_CASELESS = {"pypi", "npm", "nuget", "packagist", "crates.io", "hex", "pub", "maven"}


class InvalidRecord(ValueError):
    """An OSV record that cannot be kept (no id, no modified date, or not a JSON object)."""


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry: the package, its versions listed, its ranges."""

    ecosystem: str
    name: str
    versions: list = field(default_factory=list)
    ranges: list = field(default_factory=list)


@dataclass(frozen=True)
class Record:
    """An OSV record as the database keeps it."""

    id: str
    modified: datetime
    withdrawn: datetime | None = None
    published: datetime | None = None
    aliases: list = field(default_factory=list)
    summary: str = ""
    severity: list = field(default_factory=list)
    references: list = field(default_factory=list)
    affected: list[Affected] = field(default_factory=list)


def ecosystem_of(osv_ecosystem: str) -> str:
    """Return the database's key of an OSV ecosystem: ``Debian:12`` -> ``debian``."""
    return osv_ecosystem.split(":", 1)[0].strip().lower()


def _name(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":  # PEP 503
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.lower() if ecosystem in _CASELESS else name


def package_key(purl_type: str, namespace: str, name: str) -> tuple[str, str] | None:
    """Return (ecosystem, name) of a purl's package, None for a type OSV does not cover."""
    ecosystem = ECOSYSTEMS.get(purl_type.lower())
    if ecosystem is None:
        return None
    if ecosystem == "maven":
        full = f"{namespace}:{name}" if namespace else name
    elif ecosystem in {"debian", "alpine", "red hat"}:
        full = name  # the purl's namespace is the distribution (debian, alpine)
    else:
        full = f"{namespace}/{name}" if namespace else name
    return ecosystem, _name(ecosystem, full)


def affected_key(package: dict) -> tuple[str, str]:
    """Return (ecosystem, name) of an OSV ``affected[].package``."""
    ecosystem = ecosystem_of(str(package.get("ecosystem", "")))
    return ecosystem, _name(ecosystem, str(package.get("name", "")))


def _when(value) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse(data) -> Record:
    """Read an OSV record (a parsed JSON object); raise InvalidRecord when it is not one."""
    if not isinstance(data, dict) or not data.get("id"):
        raise InvalidRecord("not an OSV record: no id")
    modified = _when(data.get("modified"))
    if modified is None:
        raise InvalidRecord(f"{data['id']}: no valid modified date")
    affected = []
    for entry in data.get("affected") or []:
        package = entry.get("package") or {}
        ecosystem, name = affected_key(package)
        if ecosystem and name:
            affected.append(Affected(ecosystem, name, list(entry.get("versions") or []),
                                     list(entry.get("ranges") or [])))
    return Record(
        id=str(data["id"]), modified=modified, withdrawn=_when(data.get("withdrawn")),
        published=_when(data.get("published")), aliases=list(data.get("aliases") or []),
        summary=str(data.get("summary") or data.get("details") or "")[:1000],
        severity=list(data.get("severity") or []),
        references=list(data.get("references") or []), affected=affected)
