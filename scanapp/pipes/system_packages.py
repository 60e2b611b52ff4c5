"""Installed system packages of root filesystems: dpkg, apk and rpm databases.

The files that a scancode-toolkit system package handler recognizes (``var/lib/dpkg/status``
and ``status.d/*``, ``var/lib/dpkg/info/*.list`` and ``*.md5sums``,
``usr/share/doc/*/copyright``, ``lib/apk/db/installed``, the rpm databases) are parsed,
then scancode's own assembly builds the packages and links the files they installed.
Those files get the status ``system-package`` and are not scanned again.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import CodebaseResource
from scanapp.pipes import chunked, postscan, resources
from scanapp.statuses import ResourceStatus

MODEL = "analyze_docker_image"
FILE_LIST_DATASOURCE = "debian_installed_files_list"
DPKG_INFO = "var/lib/dpkg/info/"


def is_system_datafile(path: str) -> bool:
    """Tell whether a system package handler recognizes this path."""
    from packagedcode.cache import get_cache

    return bool(get_cache().system_package_matcher.match("/" + path.lstrip("/")))


def read_system_datafiles(context) -> int:
    """Store the package data of every system package datafile; return how many had some.

    A database that cannot be read (an rpm database without the rpm tools, a corrupt
    file) becomes a warning message and the run goes on.
    """
    from scancode.api import get_package_data

    root = context.workdir.codebase
    updates = []
    for row_id, path in resources.iter_resources(
        context.project_id, CodebaseResource.path, no_status=True
    ):
        if not is_system_datafile(path):
            continue
        try:
            found = get_package_data(str(root / path), application=False, system=True)
        except Exception as error:  # noqa: BLE001 - one unreadable database, the run goes on
            context.add_message(
                f"{path}: system package database not readable: {error}",
                severity="warning",
                model=context.pipeline_name or MODEL,
                details={"resource_path": path},
                exception=error,
            )
            continue
        if found.get("package_data"):
            if DPKG_INFO in path:
                fix_file_lists(found["package_data"], root / path[: path.rindex(DPKG_INFO)])
            status = ResourceStatus.SYSTEM_PACKAGE
            updates.append({"id": row_id, "package_data": found["package_data"], "status": status})
    for batch in chunked(updates, resources.BATCH_SIZE):
        resources.bulk_update(batch)
    return len(updates)


def fix_file_lists(package_data: list[dict], rootfs: Path) -> None:
    """Repair the file references scancode-toolkit 32 reads from dpkg ``.list`` files.

    It reads them like ``.md5sums`` files: each listed path lands in ``md5`` and ``path``
    stays empty, so no installed file would be linked. The path is put back, relative to
    the root filesystem, and directories are dropped (``/usr`` is listed by every package).
    """
    for data in package_data:
        if data.get("datasource_id") != FILE_LIST_DATASOURCE:
            continue
        references = []
        for reference in data.get("file_references") or []:
            path = reference.get("path") or ""
            if not path and str(reference.get("md5") or "").startswith("/"):
                path, reference = reference["md5"], {**reference, "md5": None}
            path = path.strip("/")
            location = rootfs / path
            if path and path != "." and (location.is_symlink() or not location.is_dir()):
                references.append({**reference, "path": path})
        data["file_references"] = references


def assemble_system_packages(context) -> dict:
    """Assemble the system packages, link their files and flag those ``system-package``."""
    counts = postscan.run_codebase_steps(
        context.project_id,
        context.workdir.codebase,
        where=(CodebaseResource.status == ResourceStatus.SYSTEM_PACKAGE,),
        classification=False,
    )
    with session_scope() as session:
        counts["system_files"] = session.execute(
            sa.update(CodebaseResource)
            .where(
                CodebaseResource.project_id == context.project_id,
                CodebaseResource.status == ResourceStatus.NONE,
                sa.cast(CodebaseResource.for_packages, sa.Text) != "[]",
            )
            .values(status=ResourceStatus.SYSTEM_PACKAGE)
        ).rowcount
    return counts


def assemble_application_packages(context) -> dict:
    """Assemble the application packages from the files that are not system files."""
    return postscan.run_codebase_steps(
        context.project_id,
        context.workdir.codebase,
        where=(CodebaseResource.status != ResourceStatus.SYSTEM_PACKAGE,),
    )
