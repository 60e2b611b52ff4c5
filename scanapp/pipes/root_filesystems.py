"""Root filesystems: inputs into codebase/ folders, their distro, their uninteresting files.

Each folder at the top of codebase/ is one root filesystem: a folder input copied as it is,
or a tarball or a disk image extracted into ``<input>-extract/``. The distro comes from the
root filesystem's os-release (container-inspector's ``Distro``), read as the running
system would: a symbolic link on the way (``etc/os-release -> /usr/lib/os-release``)
resolves inside the root filesystem, never to a file of this host.
"""

from __future__ import annotations

import os
import tarfile
from collections import defaultdict
from pathlib import Path, PurePosixPath

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, Project
from scanapp.pipes import chunked, codebase, extract, fetch, flag, resources, vm_images
from scanapp.pipes.rootfs import RootfsReport, apply_layer
from scanapp.statuses import ResourceStatus

MODEL = "analyze_root_filesystem_or_vm_image"
EXTRACT_SUFFIX = "-extract"
OS_RELEASE_FILES = ("etc/os-release", "usr/lib/os-release")
#: The distros whose system packages are collected (ScanCode.io's list).
SUPPORTED_DISTROS = (
    "alpine", "debian", "ubuntu", "rhel", "centos", "fedora", "sles", "opensuse", "mariner",
    "opensuse-tumbleweed", "photon", "windows", "rocky",
)
#: Transient or configuration folders whose files no system package claims (ScanCode.io's).
UNINTERESTING_FOLDERS = ("/tmp/", "/etc/", "/proc/", "/dev/", "/run/", "/lib/apk/db/")
#: Symbolic links followed at most while resolving a path inside a root filesystem.
MAX_LINKS = 40


class RootfsInputError(Exception):
    """An input is not a root filesystem this pipeline can read."""


def extract_inputs(context, names: list[str]) -> list[str]:
    """Put each input in codebase/ as a root filesystem folder; return the folders.

    A folder is copied, a tarball applied (``rootfs.apply_layer``: unsafe entries refused),
    a disk image read (``vm_images``). Any other input, or a disk image that cannot be
    read, fails the run with a message saying what is supported.
    """
    limits = codebase.extraction_limits()
    folders = []
    for name in names:
        location = context.workdir.input / name
        try:
            folders.extend(_extract_input(context, location, limits))
        except (RootfsInputError, vm_images.VmImageError, extract.ArchiveBombError) as error:
            context.add_message(str(error), model=MODEL, details={"input": name})
            raise
    return folders


def _extract_input(context, location: Path, limits: extract.Limits) -> list[str]:
    target_dir = context.workdir.codebase
    if location.is_dir() and not location.is_symlink():
        return [fetch.copy_to_codebase(location, target_dir).name]
    kind = vm_images.disk_format(location)
    meter = extract.SizedWriter(target_dir, max(location.stat().st_size, 1), limits)
    if kind:
        report = vm_images.extract_disk_image(location, target_dir, kind, meter)
        _warn_refused(context, report.filesystems[0], report.refused)
        context.log(
            f"{location.name}: {kind} disk image, {len(report.filesystems)} filesystem(s), "
            f"{report.files} file(s), {report.skipped} special file(s) skipped"
        )
        return report.filesystems
    if location.is_file() and tarfile.is_tarfile(location):
        return [_extract_tarball(context, location, target_dir, meter)]
    raise RootfsInputError(
        f"{location.name}: not a root filesystem; expected a folder, a tarball (tar, tar.gz, "
        f"tar.bz2, tar.xz) or a disk image ({vm_images.SUPPORTED})."
    )


def _extract_tarball(context, location: Path, target_dir: Path, meter) -> str:
    target = target_dir / f"{location.name}{EXTRACT_SUFFIX}"
    target.mkdir()
    report = RootfsReport()
    try:
        with open(location, "rb") as handle:
            apply_layer(handle, target, location.name, meter, report)
    except (tarfile.TarError, EOFError) as error:
        raise RootfsInputError(f"{location.name}: not a readable tarball ({error})") from None
    _warn_refused(context, target.name, report.refused)
    context.log(f"{location.name}: {len(report.origins)} file(s), {report.skipped} skipped")
    return target.name


def _warn_refused(context, folder: str, refused: list[tuple[str, str]]) -> None:
    for entry, reason in refused:
        context.add_message(
            f"Refused entry {entry}: {reason}",
            severity="warning",
            model=MODEL,
            details={"resource_path": f"{folder}/{entry}", "reason": reason},
        )


def find_root_filesystems(codebase_dir: Path) -> list[str]:
    """Return the folders at the top of codebase/: each is a root filesystem."""
    return sorted(
        path.name for path in codebase_dir.iterdir() if path.is_dir() and not path.is_symlink()
    )


def resolve_in_rootfs(rootfs: Path, relative: str) -> Path | None:
    """Return where ``relative`` leads inside ``rootfs`` taken as ``/``, links followed there.

    An absolute link target starts again from ``rootfs``, ``..`` stops at it (as ``chroot``
    does); None after more than MAX_LINKS links.
    """
    pending = list(PurePosixPath(relative).parts)
    resolved: list[str] = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("/", "."):
            continue
        if part == "..":
            resolved = resolved[:-1]
            continue
        candidate = rootfs.joinpath(*resolved, part)
        if candidate.is_symlink():
            hops += 1
            if hops > MAX_LINKS:
                return None
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            pending = list(PurePosixPath(target).parts) + pending
            continue
        resolved.append(part)
    return rootfs.joinpath(*resolved)


def detect_distro(rootfs: Path):
    """Return the container-inspector ``Distro`` of a root filesystem, or None.

    Linux from its os-release; Windows from its well-known folders (``Windows``,
    ``Program Files``, ``Users``...). Raise ValueError for an os-release that cannot be read.
    """
    from container_inspector.distro import Distro

    for name in OS_RELEASE_FILES:
        location = resolve_in_rootfs(rootfs, name)
        if location is not None and location.is_file():
            try:
                return Distro.from_os_release_file(str(location))
            except Exception as error:  # noqa: BLE001 - container-inspector raises Exception
                raise ValueError(f"{rootfs.name}/{name}: unreadable os-release ({error})") from None
    return Distro.find_windows_details(str(rootfs))


def rootfs_data(name: str, distro) -> dict:
    """Return what the project keeps of a root filesystem (``extra_data.root_filesystems``)."""
    return {"name": name, "distro": distro.to_dict() if distro else {}}


def store_on_project(project_id: int, **values) -> None:
    """Merge ``values`` into the project's ``extra_data``."""
    with session_scope() as session:
        project = session.get(Project, project_id)
        project.extra_data = {**(project.extra_data or {}), **values}
        session.add(project)


def distro_problem(name: str, distro) -> str:
    """Return why the system packages of a root filesystem are not collected, or ""."""
    if not distro:
        return f"{name}: Distro not found."
    if distro.identifier not in SUPPORTED_DISTROS:
        return f'{name}: Distro "{distro.identifier}" is not supported.'
    return ""


def flag_uninteresting(project_id: int, roots: list[str]) -> int:
    """Flag ``ignored-not-interesting`` the files under transient and configuration folders."""
    return flag.flag_under_folders(project_id, roots, UNINTERESTING_FOLDERS)


def _md5(location: Path) -> str:
    from commoncode.hash import multi_checksums

    return multi_checksums(str(location), ("md5",))["md5"] or ""


def match_not_analyzed(project_id: int, codebase_dir: Path) -> int:
    """Link the files with no status to the system package of an identical file.

    Identical: same size and MD5 as a file of a system package (a copy of an installed
    file elsewhere in the root filesystem). Return how many were matched.
    """
    known = defaultdict(list)
    for row in resources.iter_resources(
        project_id, CodebaseResource.size, CodebaseResource.md5, CodebaseResource.path,
        CodebaseResource.for_packages,
        where=(CodebaseResource.status == ResourceStatus.SYSTEM_PACKAGE, CodebaseResource.size > 0),
    ):
        if row[4]:
            known[row[1]].append(row)
    updates, by_key = [], {}
    for row_id, size, md5, path in resources.iter_resources(
        project_id, CodebaseResource.size, CodebaseResource.md5, CodebaseResource.path,
        no_status=True,
    ):
        if size not in known or (codebase_dir / path).is_symlink():
            continue
        if size not in by_key:
            by_key[size] = {(item[2] or _md5(codebase_dir / item[3])): item for item in known[size]}
        md5 = md5 or _md5(codebase_dir / path)
        matched = by_key[size].get(md5)
        if matched is not None:
            updates.append({"id": row_id, "md5": md5, "for_packages": matched[4][:1],
                            "status": ResourceStatus.SYSTEM_PACKAGE})
    for batch in chunked(updates, resources.BATCH_SIZE):
        resources.bulk_update(batch)
    return len(updates)
