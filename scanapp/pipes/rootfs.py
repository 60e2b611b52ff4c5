"""Apply image layers, lowest first, into one root filesystem with whiteouts applied.

Each layer tar is read in one streaming pass. ``.wh.<name>`` removes ``<name>`` from the
lower layers and ``.wh..wh..opq`` empties its directory of lower-layer content, as
overlayfs does. Nothing is ever written outside the root filesystem: an entry with an
absolute or ``..`` path, or whose parent is a symbolic link (which could point anywhere),
is refused; links are stored as they are and never followed; hard links are copies of
files already inside; devices and fifos are skipped. The size limits of extraction apply.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from scanapp.pipes.extract import CHUNK, SizedWriter, unsafe_name

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


@dataclass
class RootfsReport:
    """What applying layers did: refused entries, which layer wrote each path, counts."""

    refused: list[tuple[str, str]] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    removed: int = 0
    skipped: int = 0


class _Layer:
    """Applies one layer: remembers what it wrote, so its own whiteouts spare it."""

    def __init__(self, rootfs: Path, layer_id: str, meter: SizedWriter, report: RootfsReport):
        self.rootfs, self.layer_id, self.meter, self.report = rootfs, layer_id, meter, report
        self.written: set[str] = set()

    def apply(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        name = _normalize(member.name)
        if not PurePosixPath(name).parts:
            return  # the root itself: "", "." or "./" (``tar -C rootfs -cf layer.tar .``)
        reason = unsafe_name(name)
        if reason:
            self.report.refused.append((member.name, reason))
            return
        parts = PurePosixPath(name).parts
        if not self._parents(parts[:-1], member.name):
            return
        if parts[-1] == OPAQUE:
            self._opaque(PurePosixPath(*parts[:-1]).as_posix() if len(parts) > 1 else "")
        elif parts[-1].startswith(WHITEOUT):
            hidden = parts[-1][len(WHITEOUT) :]
            if hidden in ("", ".", ".."):
                self.report.refused.append((member.name, "whiteout of no file"))
                return
            self._remove(PurePosixPath(*parts[:-1], hidden).as_posix())
        else:
            self._write(tar, member, name)

    def _parents(self, parts: tuple[str, ...], entry: str) -> bool:
        """Create the missing parent folders; refuse a parent that is a symbolic link."""
        path = self.rootfs
        for part in parts:
            path = path / part
            if path.is_symlink():
                self.report.refused.append((entry, f"parent {part!r} is a symbolic link"))
                return False
            if path.exists() and not path.is_dir():
                path.unlink()
            if not path.exists():
                path.mkdir(mode=0o755)
        return True

    def _remove(self, name: str) -> None:
        if name in self.written:
            return
        path = self.rootfs / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            self.report.removed += 1
        elif path.is_symlink() or path.exists():
            path.unlink()
            self.report.removed += 1

    def _opaque(self, folder: str) -> None:
        directory = self.rootfs / folder
        if not directory.is_dir() or directory.is_symlink():
            return
        for child in list(directory.iterdir()):
            self._remove(f"{folder}/{child.name}" if folder else child.name)

    def _write(self, tar: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> None:
        target = self.rootfs / name
        if member.isdir():
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                target.unlink()
            target.mkdir(mode=0o755, exist_ok=True)
            self.written.add(name)
            return
        if not (member.isfile() or member.issym() or member.islnk()):
            self.report.skipped += 1
            return
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.is_symlink() or target.exists():
            target.unlink()
        if member.issym():
            os.symlink(member.linkname, target)
        elif member.islnk():
            if not self._hard_link(member, target):
                return
        else:
            self._copy(tar.extractfile(member), target, member.mode)
        self.written.add(name)
        self.report.origins[name] = self.layer_id

    def _hard_link(self, member: tarfile.TarInfo, target: Path) -> bool:
        source_name = _normalize(member.linkname)
        source = self.rootfs / source_name
        if unsafe_name(source_name) or not self._no_link_above(source_name) or (
            source.is_symlink() or not source.is_file()
        ):
            self.report.refused.append((member.name, f"hard link to {member.linkname}"))
            return False
        with open(source, "rb") as handle:
            self._copy(handle, target, member.mode)
        return True

    def _no_link_above(self, name: str) -> bool:
        path = self.rootfs
        for part in PurePosixPath(name).parts[:-1]:
            path = path / part
            if path.is_symlink():
                return False
        return True

    def _copy(self, handle: IO[bytes], target: Path, mode: int) -> None:
        with open(target, "xb") as output:
            while chunk := handle.read(CHUNK):
                self.meter.count(len(chunk))
                output.write(chunk)
        os.chmod(target, 0o755 if mode & 0o111 else 0o644)


def _normalize(name: str) -> str:
    """Drop leading ``./`` and trailing slashes: ``./etc/`` is ``etc``, ``./`` and ``.`` are ""."""
    while name.startswith("./"):
        name = name[2:]
    name = name.rstrip("/")
    return "" if name == "." else name


def apply_layer(
    handle: IO[bytes], rootfs: Path, layer_id: str, meter: SizedWriter, report: RootfsReport
) -> None:
    """Apply one layer archive (tar, gzip-compressed or not) over ``rootfs``.

    Raise tarfile.TarError for an unreadable archive and extract.ArchiveBombError when a
    size limit is crossed; a refused entry is only recorded in the report.
    """
    layer = _Layer(rootfs, layer_id, meter, report)
    with tarfile.open(fileobj=handle, mode="r|*") as tar:
        for member in tar:
            try:
                layer.apply(tar, member)
            except OSError as error:
                report.refused.append((member.name, f"{type(error).__name__}: {error}"))
