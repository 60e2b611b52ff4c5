"""Extract archives recursively into ``<name>-extract/`` beside them, never outside codebase/.

Every archive is read entry by entry and written by this module under one byte budget:
writing stops the moment the project's total or the archive's expansion ratio passes its
limit (an archive bomb), and what was written of that archive is removed. zip and tar
(whl, jar, sdists, gems...) are read with the standard library, a single compressed file
(``.gz``, ``.bz2``, ``.xz``) is decompressed with it, and every other format (deb, rpm, 7z,
ar, cpio, iso...) is read with extractcode's libarchive. An entry with an absolute path, a
``..`` component, a hard link or a special file is refused and reported; a symbolic link is
kept only while its whole resolved chain stays inside codebase/. Nothing is written to the
system temp folder. Only a format libarchive cannot read goes through extractcode's own
extraction, checked afterwards.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
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
    if member.islnk():
        refuse(member.name, f"hard link to {member.linkname}")
        return
    _symlink(target, member.name, member.linkname, codebase, refuse)


#: Single-file compressors: magic bytes -> opener (a .tar.gz is a tar: tarfile reads it).
COMPRESSORS = (
    (b"\x1f\x8b", gzip.open),
    (b"BZh", bz2.open),
    (b"\xfd7zXZ\x00", lzma.open),
    (b"\x5d\x00\x00", lzma.open),
)


def _compressor(archive: Path):
    with open(archive, "rb") as handle:
        head = handle.read(6)
    return next((opener for magic, opener in COMPRESSORS if head.startswith(magic)), None)


def _decompressed_name(archive: Path) -> str:
    name = archive.name
    for suffix in (".gz", ".gzip", ".tgz", ".bz2", ".tbz", ".xz", ".lzma", ".txz"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem + ".tar" if suffix in (".tgz", ".tbz", ".txz") else stem
    return name + ".out"


def _extract_compressed(
    archive: Path, target: Path, codebase: Path, writer: SizedWriter, refuse
) -> None:
    """Decompress a single compressed file, streamed under the budget."""
    with _compressor(archive)(archive, "rb") as source:
        writer.write(_decompressed_name(archive), source)


class _EntryStream:
    """A libarchive entry's content as a file-like ``read()``."""

    def __init__(self, entry):
        self.chunks, self.pending = entry.get_content(), b""

    def read(self, size: int) -> bytes:
        while len(self.pending) < size:
            chunk = next(self.chunks, b"")
            if not chunk:
                break
            self.pending += chunk
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def _extract_libarchive(
    archive: Path, target: Path, codebase: Path, writer: SizedWriter, refuse
) -> None:
    """Extract any format libarchive reads (deb, rpm, 7z, ar, cpio, iso...) entry by entry."""
    from extractcode.libarchive2 import Archive  # libarchive is loaded when first needed

    with Archive(str(archive)) as archived:
        for entry in archived:
            name = (entry.path or "").removeprefix("./")
            for warning in entry.warnings:
                refuse(name or "?", f"libarchive: {warning}")
            reason = unsafe_name(name) if name not in ("", ".") else None
            if name in ("", "."):
                continue
            if reason:
                refuse(name, reason)
            elif entry.issym:
                _symlink(target, name, entry.symlink_path or "", codebase, refuse)
            elif entry.islnk:
                refuse(name, f"hard link to {entry.hardlink_path}")
            elif entry.isdir:
                safe = resolve_inside(target, name)
                if safe:
                    safe.mkdir(parents=True, exist_ok=True)
            elif entry.isfile:
                writer.write(name, _EntryStream(entry))
            else:
                refuse(name, "special file (device, fifo or socket)")


def _symlink(target: Path, name: str, link: str, codebase: Path, refuse) -> None:
    if _link_escapes(target, name, link, codebase.resolve()):
        refuse(name, f"symbolic link pointing outside the codebase: {link}")
        return
    path = resolve_inside(target, name)
    if path is None or path.exists() or path.is_symlink():
        refuse(name, "link over an existing path")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(link, path)


def _extract_other(
    archive: Path, target: Path, codebase: Path, writer: SizedWriter, refuse
) -> None:
    """Extract a format libarchive cannot read with extractcode, then check what it wrote."""
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


def _libarchive_reads(archive: Path) -> bool:
    from extractcode.libarchive2 import Archive

    try:
        with Archive(str(archive)) as archived:
            next(iter(archived), None)
    except Exception:  # noqa: BLE001 - any libarchive error: not a format it reads
        return False
    return True


def escaping_links(folder: Path, codebase: Path) -> list[tuple[Path, str]]:
    """Return the symbolic links under ``folder`` whose resolved chain leaves ``codebase``.

    Each link is followed to its end, through the links it points to (``s1 -> s0/../..``
    with ``s0 -> ..``): where it ends, not how it reads, decides.
    """
    root = codebase.resolve()
    found = []
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(parent) / name
            if path.is_symlink():
                resolved = Path(os.path.realpath(path))
                if resolved != root and root not in resolved.parents:
                    found.append((path, os.readlink(path)))
    return found


def drop_escaping_links(folder: Path, codebase: Path, refuse) -> None:
    """Remove the links of ``folder`` that resolve outside ``codebase``, each reported."""
    for path, link in escaping_links(folder, codebase):
        path.unlink()
        refuse(path.relative_to(folder).as_posix(),
               f"symbolic link resolving outside the codebase: {link}")


def _extractor(archive: Path) -> Callable:
    if zipfile.is_zipfile(archive):
        return _extract_zip
    if tarfile.is_tarfile(archive):
        return _extract_tar
    if _compressor(archive):
        return _extract_compressed
    if _libarchive_reads(archive):
        return _extract_libarchive
    return _extract_other


def extract_archive(
    archive: Path, codebase: Path, limits: Limits, report: ExtractReport
) -> Path | None:
    """Extract one archive beside itself; return the target, or None when stopped."""
    target = archive.with_name(archive.name + EXTRACT_SUFFIX)
    if target.exists():
        return None
    target.mkdir()
    done = extract_archive_into(archive, target, codebase, limits, report)
    if done is None:
        target.rmdir()
    return done


def extract_archive_into(
    archive: Path, target: Path, codebase: Path, limits: Limits, report: ExtractReport
) -> Path | None:
    """Extract ``archive`` into the existing folder ``target`` inside ``codebase``.

    Return the target, or None when stopped (an archive bomb): then ``target`` is left
    empty, so extract into a folder that holds nothing else.
    """
    relative = archive.relative_to(codebase).as_posix() if codebase in archive.parents \
        else archive.name
    writer = SizedWriter(target, archive.stat().st_size, limits)

    def refuse(name: str, reason: str) -> None:
        report.refused.append((f"{relative}:{name}", reason))

    try:
        _extractor(archive)(archive, target, codebase, writer, refuse)
        drop_escaping_links(target, codebase, refuse)
    except ArchiveBombError as error:
        _remove_contents(target)
        report.errors.append((relative, f"archive bomb stopped: {error}"))
        return None
    except Exception as error:  # noqa: BLE001 - a bad archive is reported, the run goes on
        report.errors.append((relative, f"extraction error: {error}"))
    report.extracted.append(relative)
    return target


def _remove_contents(folder: Path) -> None:
    """Remove what ``folder`` holds, keeping the folder."""
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _archives(folder: Path) -> list[Path]:
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.endswith(EXTRACT_SUFFIX))
        found.extend(path for name in sorted(files) if should_extract(path := Path(parent) / name))
    return found


def extract_archives(codebase: Path, limits: Limits) -> ExtractReport:
    """Extract every archive of ``codebase`` recursively; return what was done and refused.

    Links that resolve outside ``codebase`` are removed first (inputs copied as folders, git
    clones) and last (chains made of links of several archives), each reported.
    """
    report = ExtractReport()
    drop_escaping_links(codebase, codebase, lambda name, why: report.refused.append((name, why)))
    pending = [codebase]
    while pending:
        for archive in _archives(pending.pop()):
            target = extract_archive(archive, codebase, limits, report)
            if target is not None:
                pending.append(target)
    drop_escaping_links(codebase, codebase, lambda name, why: report.refused.append((name, why)))
    return report
