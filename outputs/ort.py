"""ORT package list (``package-list.yml``): the packages, for the OSS Review Toolkit.

The YAML ScanCode.io writes for its ``ort-package-list`` format, which ORT's
``orth create-analyzer-result-from-package-list`` reads (its ``PackageList``: ``projectName``,
``projectVcs``, ``dependencies``). Each package is a dependency with its ORT ``id``
(``<type>::<name>:<version>``, ``docker`` as the type for a project of a ``docker://`` input,
colons in the parts replaced by ``_``), ``purl``, ``vcs``, ``sourceArtifact``,
``declaredLicenses`` (the SPDX expression), ``description``, ``homepageUrl`` and ``authors``
(the author and maintainer names), packages in ScanCode.io's order (by uuid). Written with
saneyaml, as ScanCode.io writes it, one package at a time.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import chain
from typing import BinaryIO

import saneyaml

from outputs import data
from scanapp import licensing
from scanapp.models import DiscoveredPackage

#: Parties whose names are a package's ``authors`` (ScanCode.io's ``get_author_names``).
AUTHOR_ROLES = ("author", "maintainer")


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's ORT package list to ``target``."""
    project = data.project_row(project_id)
    docker = any(url.startswith("docker://") for url in data.input_urls(project_id))
    target.write(saneyaml.dump({"projectName": project.name, "projectVcs": vcs()}).encode())
    rows = data.iter_ordered(DiscoveredPackage, project_id, ("uuid",))
    first = next(rows, None)
    if first is None:
        target.write(b"dependencies: []\n")
        return
    target.write(b"dependencies:\n")
    for package in chain([first], rows):
        target.write(_indented(saneyaml.dump([dependency(package, docker=docker)])).encode())


def dependency(package: dict, *, docker: bool = False) -> dict:
    """Return the ORT ``Dependency`` of a stored package (its keys in ScanCode.io's order)."""
    kind = "docker" if docker else package["type"]
    parts = (_id_part(kind), _id_part(package["name"]), _id_part(package["version"]))
    spdx = declared_spdx(package)
    return {
        "id": "{}::{}:{}".format(*parts),
        "purl": package["purl"],
        "vcs": vcs(package["vcs_url"]),
        "sourceArtifact": {"url": package["download_url"]},
        # ScanCode.io writes [""] (a YAML null in the list) when there is no license; ORT's
        # declaredLicenses is a set of strings, so scanapp writes an empty list instead.
        "declaredLicenses": [spdx] if spdx else [],
        "description": package["description"],
        "homepageUrl": package["homepage_url"],
        "authors": author_names(package["parties"]),
    }


def vcs(url: str | None = None) -> dict:
    """Return an ORT ``Vcs`` with only its URL known (or nothing)."""
    return {"type": None, "url": url, "revision": None, "path": None}


def author_names(parties: list | None) -> list[str]:
    """Return the sorted names, once each, of the author and maintainer parties."""
    return sorted({
        party["name"] for party in parties or ()
        if isinstance(party, dict) and party.get("role") in AUTHOR_ROLES and party.get("name")
    })


def declared_spdx(package: dict) -> str:
    """Return the package's declared license as SPDX, computed from the ScanCode one if need be."""
    if package["declared_license_expression_spdx"]:
        return package["declared_license_expression_spdx"]
    expression = package["declared_license_expression"]
    if not expression:
        return ""
    try:
        parsed = _scancode_licensing().parse(expression)
        return parsed.render(template="{symbol.wrapped.spdx_license_key}")
    except Exception:  # noqa: BLE001 - an unknown key or a bad expression: no SPDX form
        return ""


@lru_cache(maxsize=1)
def _scancode_licensing():
    """Return a Licensing of scancode-toolkit's license database (not its detection index).

    ``licensedcode.cache.build_spdx_license_expression`` would load the whole license index
    (1.5 GB) for this; its ``build_licensing`` on the database alone is enough.
    """
    from licensedcode.cache import build_licensing

    return build_licensing(licensing.license_db())


def _id_part(value: str | None) -> str | None:
    """Replace colons, ORT's separator in an identifier (ScanCode.io's ``sanitize_id_part``)."""
    return value.replace(":", "_") if value else value


def _indented(text: str) -> str:
    """Indent a dumped list item under ``dependencies:`` as a dump of the whole document does."""
    return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(True))
