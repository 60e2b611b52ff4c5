"""Extract archives recursively into ``<name>-extract/`` beside them, never outside codebase/.

zip and tar archives (whl, jar, sdists, gems...) are read entry by entry: entries with an
absolute path, a ``..`` component or a link pointing outside are refused and reported,
and writing stops when the total size or the expansion ratio goes over its limit
(an archive bomb). Other formats (deb, rpm, 7z, ar, cpio...) go through extractcode,
then the result is checked the same way.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scanapp.workdir import resolve_inside

EXTRACT_SUFFIX = "-extract"
CHUNK = 1024 * 1024
#: Below this many bytes written, the ratio limit is not applied (tiny archives of text).
RATIO_FLOOR = 10 * 1024**2


class ArchiveBombError(Exception):
    """An archive expands beyond the size or ratio limit."""


@dataclass
class Limits:
    """Extraction limits: total bytes written for the project and expansion ratio."""

    max_size: int
    max_ratio: int
    written: int = 0


@dataclass
class ExtractReport:
    """What extraction did: archives extracted, entries refused, errors (path -> reason)."""

    extracted: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def should_extract(location: Path) -> bool:
    """Tell whether extractcode would extract this file with its default kinds."""
    import extractcode
    from extractcode.archive import should_extract as _should

    return (
        location.is_file()
        and not location.is_symlink()
        and _should(str(location), extractcode.default_kinds)
    )


def unsafe_name(name: str) -> str | None:
    """Return why an archive member name is unsafe, or None."""
    if not name or "\x00" in name:
        return "empty or NUL in name"
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return "absolute path"
    if ".." in PurePosixPath(posix).parts:
        return "path traversal (..)"
    return None


def _link_escapes(target_dir: Path, member_name: str, link: str, root: Path) -> bool:
    if link.startswith("/"):
        return True
    parent = (target_dir / member_name).parent
    resolved = Path(os.path.normpath(parent / link))
    return not (resolved == root or root in resolved.parents)


class SizedWriter:
    """Write members under ``target`` with the size and ratio limits."""

    def __init__(self, target: Path, archive_size: int, limits: Limits):
        self.target, self.archive_size, self.limits = target, archive_size, limits
        self.written = 0

    def write(self, name: str, source) -> None:
        """Write the member ``name`` from the ``source`` stream, counting its bytes."""
        path = resolve_inside(self.target, name.replace("\\", "/"))
        if path is None:
            raise ValueError(f"{name}: outside the target directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            while chunk := source.read(CHUNK):
                self.count(len(chunk))
                handle.write(chunk)

    def count(self, size: int) -> None:
        """Count ``size`` more bytes written; raise ArchiveBombError past a limit."""
        self.written += size
        self.limits.written += size
        if self.limits.written > self.limits.max_size:
            raise ArchiveBombError(f"extracted size over the {self.limits.max_size} bytes limit")
        ratio_limit = self.limits.max_ratio * max(self.archive_size, 1)
        if self.written > RATIO_FLOOR and self.written > ratio_limit:
            raise ArchiveBombError(f"expansion ratio over {self.limits.max_ratio}:1")


def _extract_zip(archive: Path, target: Path, codebase: Path, writer: SizedWriter, refuse) -> None:
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            reason = unsafe_name(info.filename)
            is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
            if reason or is_link:
                refuse(info.filename, reason or "symbolic link in zip")
            elif info.is_dir():
                (target / info.filename).mkdir(parents=True, exist_ok=True)
            else:
                with zipped.open(info) as source:
                    writer.write(info.filename, source)


def _extract_tar(archive: Path, target: Path, codebase: Path, writer: SizedWriter, refuse) -> None:
    with tarfile.open(archive) as tarred:
        for member in tarred:
            reason = unsafe_name(member.name)
            if reason:
                refuse(member.name, reason)
            elif member.issym() or member.islnk():
                _tar_link(member, target, codebase, refuse)
            elif member.isdir():
                safe = resolve_inside(target, member.name)
                if safe:
                    safe.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                writer.write(member.name, tarred.extractfile(member))
            else:
                refuse(member.name, "special file (device or fifo)")


def _tar_link(member: tarfile.TarInfo, target: Path, codebase: Path, refuse) -> None:
    link = member.linkname
    if member.islnk():
        refuse(member.name, f"hard link to {link}")
        return
    if _link_escapes(target, member.name, link, codebase.resolve()):
        refuse(member.name, f"symbolic link pointing outside the codebase: {link}")
        return
    path = resolve_inside(target, member.name)
    if path is None or path.exists() or path.is_symlink():
        refuse(member.name, "link over an existing path")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(link, path)


def _extract_other(
    archive: Path, target: Path, codebase: Path, writer: SizedWriter, refuse
) -> None:
    from extractcode.extract import extract_file

    errors = []
    for event in extract_file(str(archive), str(target)):
        if event.done:
            errors.extend(event.errors)
    check_tree(target, codebase, writer, refuse)
    if errors:
        raise ValueError("; ".join(errors))


def check_tree(target: Path, codebase: Path, writer: SizedWriter, refuse) -> None:
    """After an extraction by extractcode: drop escaping links, apply the size limits."""
    root = codebase.resolve()
    for folder, dirs, files in os.walk(target):
        for name in dirs + files:
            path = Path(folder) / name
            if path.is_symlink():
                link = os.readlink(path)
                if _link_escapes(Path(folder), name, link, root):
                    path.unlink()
                    refuse(
                        path.relative_to(target).as_posix(),
                        f"symbolic link pointing outside: {link}",
                    )
            elif path.is_file():
                writer.count(path.stat().st_size)


def _extractor(archive: Path) -> Callable:
    if zipfile.is_zipfile(archive):
        return _extract_zip
    if tarfile.is_tarfile(archive):
        return _extract_tar
    return _extract_other


def extract_archive(
    archive: Path, codebase: Path, limits: Limits, report: ExtractReport
) -> Path | None:
    """Extract one archive beside itself; return the target, or None when stopped."""
    target = archive.with_name(archive.name + EXTRACT_SUFFIX)
    relative = archive.relative_to(codebase).as_posix()
    if target.exists():
        return None
    target.mkdir()
    writer = SizedWriter(target, archive.stat().st_size, limits)

    def refuse(name: str, reason: str) -> None:
        report.refused.append((f"{relative}:{name}", reason))

    try:
        _extractor(archive)(archive, target, codebase, writer, refuse)
    except ArchiveBombError as error:
        shutil.rmtree(target, ignore_errors=True)
        report.errors.append((relative, f"archive bomb stopped: {error}"))
        return None
    except Exception as error:  # noqa: BLE001 - a bad archive is reported, the run goes on
        report.errors.append((relative, f"extraction error: {error}"))
    report.extracted.append(relative)
    return target


def _archives(folder: Path) -> list[Path]:
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.endswith(EXTRACT_SUFFIX))
        found.extend(path for name in sorted(files) if should_extract(path := Path(parent) / name))
    return found


def extract_archives(codebase: Path, limits: Limits) -> ExtractReport:
    """Extract every archive of ``codebase`` recursively; return what was done and refused."""
    report = ExtractReport()
    pending = [codebase]
    while pending:
        for archive in _archives(pending.pop()):
            target = extract_archive(archive, codebase, limits, report)
            if target is not None:
                pending.append(target)
    return report
