"""Windows root filesystems: uninteresting system files and software found by its folders.

Paths are rootfs paths of a Windows image layer (``/Files/Windows/System32/...``,
``/Hives/Software_Delta``), as ScanCode.io matches them. Software found by its install
folder becomes a ``pkg:windows-program/...`` package (version ``nv`` when the folder does
not tell it) and the files under that folder get the status ``installed-package``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanapp.pipes import chunked, flag, packages, resources
from scanapp.statuses import ResourceStatus

#: File names (any case) of registry hives, their logs and deltas, and desktop settings.
UNINTERESTING_FILES = frozenset(
    name.lower()
    for name in (
        "DefaultUser_Delta", "Sam_Delta", "Security_Delta", "Software_Delta", "System_Delta",
        "NTUSER.DAT", "desktop.ini", "BBI", "BCD-Template", "DEFAULT", "DRIVERS", "ELAM", "SAM",
        "SECURITY", "SOFTWARE", "SYSTEM", "system.ini",
    )
)
#: Extensions (any case) of shortcuts, logs, locale tables, certificates, setup information,
#: catalogs, manifests, event logs and such Windows data files.
UNINTERESTING_EXTENSIONS = frozenset(
    extension.lower()
    for extension in (
        ".lnk", ".library-ms", ".LOG", ".inf_loc", ".NLS", ".dat", ".pem", ".xrm-ms", ".sql",
        ".mof", ".mfl", ".manifest", ".inf", ".cat", ".efi", ".evtx", ".pnf",
    )
)
#: ``Program Files`` sub-folders that are not one program each.
PROGRAM_FILES_DIRS_TO_IGNORE = ("common files", "microsoft")

PYTHON_ROOT = re.compile(r"^(?P<root>/(Files/)?Python(?P<version>\d+)?)/.*$")
OPENJDK_ROOT = re.compile(r"^(?P<root>/(Files/)?(open)?jdk(-(?P<version>(\d*)(\.\d+)*))*)/.*$")
PROGRAM_FILES_DIR = re.compile(r"^(?P<root>.*Program Files( \(x86\))?/(?P<name>[^/]+))/")

PYTHON = {
    "name": "Python",
    "declared_license_expression": "python",
    "copyright": "Copyright (c) Python Software Foundation",
    "homepage_url": "https://www.python.org/",
}
OPENJDK = {
    "name": "OpenJDK",
    "declared_license_expression": "gpl-2.0 WITH oracle-openjdk-classpath-exception-2.0",
    "copyright": "Copyright (c) Oracle and/or its affiliates",
    "homepage_url": "http://openjdk.java.net/",
}


def flag_uninteresting_windows_files(project_id: int, roots: list[str]) -> int:
    """Flag ``ignored-not-interesting`` the Windows files known to be of no interest.

    Hives and their deltas, ``desktop.ini``, shortcuts, logs, catalogs, manifests... by file
    name or extension, compared without case. ScanCode.io compares the end of the path and a
    substring of the extension (so ``.inf`` also flags ``.info`` files): names and
    extensions are compared whole here.
    """
    ids = []
    for row_id, _, path in flag.iter_rootfs_resources(project_id, roots, files_only=True):
        name = path.rsplit("/", 1)[-1].lower()
        extension = name[name.rfind(".") :] if "." in name else ""
        if name in UNINTERESTING_FILES or extension in UNINTERESTING_EXTENSIONS:
            ids.append(row_id)
    return flag.set_status(ids, ResourceStatus.IGNORED_NOT_INTERESTING)


def _python_version(match: re.Match) -> str:
    digits = match.group("version")
    return ".".join(digits) if digits else "nv"


def _openjdk_version(match: re.Match) -> str:
    return match.group("version") or "nv"


def flag_known_software(project_id: int, roots: list[str]) -> dict:
    """Find Python and OpenJDK by their install folder; return the packages made by name.

    ``/Files/Python39/...`` is Python 3.9 (its ``site-packages`` are left to the package
    scan: they are third-party packages); ``/Files/jdk-17.0.2/...`` or ``/openjdk/...``
    is OpenJDK.
    """
    rows = list(flag.iter_rootfs_resources(project_id, roots))
    python_rows = [row for row in rows if "site-packages" not in row[2].lower()]
    return {
        "Python": _flag_installs(project_id, python_rows, PYTHON_ROOT, _python_version, PYTHON),
        "OpenJDK": _flag_installs(project_id, rows, OPENJDK_ROOT, _openjdk_version, OPENJDK),
    }


def flag_program_files(project_id: int, roots: list[str]) -> int:
    """Make each ``Program Files`` and ``Program Files (x86)`` sub-folder a package.

    Except ``Common Files`` and ``Microsoft``; the version is ``nv``. Return how many.
    """
    rows = list(flag.iter_rootfs_resources(project_id, roots))
    installs: dict[str, str] = {}
    for _, _, path in rows:
        match = PROGRAM_FILES_DIR.match(path)
        if match and match.group("name").lower() not in PROGRAM_FILES_DIRS_TO_IGNORE:
            installs.setdefault(match.group("root"), match.group("name"))
    for root, name in installs.items():
        _flag_install(project_id, rows, root, {"name": name, "version": "nv"})
    return len(installs)


def _flag_installs(project_id: int, rows: list[tuple], pattern, version, data: dict) -> int:
    installs: dict[str, str] = {}
    for _, _, path in rows:
        match = pattern.match(path)
        if match:
            installs.setdefault(match.group("root"), version(match))
    for root, found in installs.items():
        _flag_install(project_id, rows, root, {**data, "version": found})
    return len(installs)


def _flag_install(project_id: int, rows: Iterable[tuple], root: str, data: dict) -> None:
    """Create the package of an install folder; link what is under it, in every layer."""
    ids = [row_id for row_id, _, path in rows if path.startswith(f"{root}/")]
    if not ids:
        return
    uid = create_package(project_id, data)
    updates = (
        {"id": row_id, "for_packages": [uid], "status": ResourceStatus.INSTALLED_PACKAGE}
        for row_id in ids
    )
    for batch in chunked(updates, resources.BATCH_SIZE):
        resources.bulk_update(batch)


def create_package(project_id: int, data: dict) -> str:
    """Store a ``windows-program`` package made from ``data``; return its package_uid."""
    from licensedcode.cache import build_spdx_license_expression
    from packagedcode.models import Package

    mapping = Package(type="windows-program", **data).to_dict()
    expression = mapping.get("declared_license_expression")
    if expression:
        mapping["declared_license_expression_spdx"] = str(
            build_spdx_license_expression(expression)
        )
    packages.store_packages(project_id, [mapping])
    return mapping["package_uid"]
