"""Read virtual machine disk images: each filesystem found becomes a folder of files.

The disk formats are read by libyal's Python bindings (``libqcow-python``: QCOW, qcow2;
``libvmdk-python``: single-file VMDK, sparse or stream-optimized; ``libvhdi-python``: VHD
and VHDX) and raw disks directly; partitions (MBR, GPT...) and filesystems (ext2/3/4, FAT,
NTFS, HFS+, UFS...) by The Sleuth Kit (``pytsk3``). No image is mounted and nothing runs as
root: files are read and copied out, symbolic links kept as they are (never followed),
devices, fifos and sockets skipped, and the extraction size limits apply.

ScanCode.io opens VM images with libguestfs (a helper virtual machine); differencing disks
(a backing file, a parent VHD), multi-file VMDKs, LVM volumes and encrypted disks are not
read here, nor VirtualBox VDI and Parallels HDD images: such an input fails the run with
a message naming what is not supported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from scanapp.pipes.extract import CHUNK, SizedWriter, unsafe_name

#: Extensions of raw disk images (no container format: the bytes of the disk).
RAW_EXTENSIONS = (".img", ".raw", ".dd", ".disk")
#: Disk image formats recognized but not read, with their names.
UNSUPPORTED = {
    ".vdi": "VirtualBox VDI",
    ".hdd": "Parallels HDD",
    ".qed": "QEMU QED",
    ".ova": "OVA appliance (a tar of an OVF descriptor and its disks: extract it first)",
    ".ovf": "OVF descriptor (upload its disk images instead)",
}
#: Folders nested deeper than this are not read (a damaged or crafted filesystem).
MAX_DEPTH = 256
SUPPORTED = "qcow2, single-file VMDK, VHD, VHDX and raw (.img, .raw) disk images"
#: The Sleuth Kit's virtual folder of deleted files, and NTFS metadata files at the root.
SKIPPED_AT_ROOT = frozenset(
    ("$OrphanFiles", "$MFT", "$MFTMirr", "$LogFile", "$Volume", "$AttrDef", "$Bitmap",
     "$Boot", "$BadClus", "$Secure", "$UpCase", "$Extend")
)


class VmImageError(Exception):
    """A disk image cannot be read; the message says what is not supported."""


@dataclass
class VmReport:
    """What reading a disk image did: folders written, refused entries, counts."""

    filesystems: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0
    files: int = 0


def disk_format(location: Path) -> str:
    """Return the disk format of a file (``qcow``, ``vmdk``, ``vhdi``, ``raw``) or "".

    Raise VmImageError for a known disk format that is not supported.
    """
    import pyqcow
    import pyvhdi
    import pyvmdk

    if not location.is_file() or location.is_symlink():
        return ""
    suffix = location.suffix.lower()
    if suffix in UNSUPPORTED:
        raise VmImageError(
            f"{location.name}: {UNSUPPORTED[suffix]} images are not supported; "
            f"supported are {SUPPORTED}."
        )
    for name, module in (("qcow", pyqcow), ("vmdk", pyvmdk), ("vhdi", pyvhdi)):
        if module.check_file_signature(str(location)):
            return name
    if suffix == ".vmdk":
        raise VmImageError(
            f"{location.name}: a VMDK descriptor whose data lies in other files (flat or "
            f"split extents) is not supported; supported are {SUPPORTED}."
        )
    return "raw" if suffix in RAW_EXTENSIONS else ""


class _Disk:
    """The media of a disk image as a file-like object, over the input file only."""

    def __init__(self, location: Path, kind: str):
        import pyqcow
        import pyvhdi
        import pyvmdk

        self.files = [open(location, "rb")]  # noqa: SIM115 - closed by close()
        self.media = None
        try:
            if kind == "raw":
                self.size = location.stat().st_size
                return
            if kind == "vmdk":
                self.media = pyvmdk.handle()
                self.media.open_file_object(self.files[0])
                if self.media.number_of_extents != 1:
                    raise VmImageError(
                        f"{location.name}: a VMDK of {self.media.number_of_extents} extents is "
                        f"not supported; supported are {SUPPORTED}."
                    )
                # The extent is the input itself, whatever file name the descriptor says.
                self.files.append(open(location, "rb"))  # noqa: SIM115 - closed by close()
                self.media.open_extent_data_files_as_file_objects([self.files[1]])
            else:
                self.media = (pyqcow if kind == "qcow" else pyvhdi).file()
                self.media.open_file_object(self.files[0])
                if kind == "qcow" and self.media.is_locked():
                    raise VmImageError(f"{location.name}: encrypted qcow images are not supported.")
                parent = getattr(self.media, "parent_filename", None) or getattr(
                    self.media, "backing_filename", None
                )
                if parent:
                    raise VmImageError(
                        f"{location.name}: a differencing disk over {parent!r} is not "
                        f"supported (convert it to a standalone image first)."
                    )
            self.size = self.media.get_media_size()
        except (OSError, VmImageError):
            self.close()
            raise

    def read(self, offset: int, size: int) -> bytes:
        source = self.media or self.files[0]
        source.seek(offset)
        return source.read(size)

    def close(self) -> None:
        if self.media is not None:
            self.media.close()
            self.media = None
        for handle in self.files:
            handle.close()


def _image_info(disk: _Disk):
    import pytsk3

    class ImageInfo(pytsk3.Img_Info):
        """The Sleuth Kit's view of the disk, reading through the disk image."""

        def __init__(self):
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def read(self, offset, size):
            return disk.read(offset, size)

        def get_size(self):
            return disk.size

    return ImageInfo()


def filesystems(image) -> list[tuple[int, object]]:
    """Return (partition number, filesystem) of each readable filesystem of the disk.

    A disk without a partition table is one filesystem (number 0).
    """
    import pytsk3

    try:
        volume = pytsk3.Volume_Info(image)
    except OSError:
        try:
            return [(0, pytsk3.FS_Info(image, offset=0))]
        except OSError:
            return []
    found = []
    for part in volume:
        if part.flags != pytsk3.TSK_VS_PART_FLAG_ALLOC:
            continue
        try:
            offset = part.start * volume.info.block_size
            found.append((part.addr, pytsk3.FS_Info(image, offset=offset)))
        except OSError:
            continue
    return found


class _Copier:
    """Copy one filesystem's tree into a folder with the size limits."""

    def __init__(self, target: Path, meter: SizedWriter, report: VmReport):
        self.target, self.meter, self.report = target, meter, report
        self.seen: set[int] = set()

    def copy_dir(self, directory, relative: str, depth: int = 0) -> None:
        """Copy the entries of ``directory`` (at ``relative`` in the target) and below."""
        for entry in directory:
            name = entry.info.name.name.decode("utf-8", "surrogateescape")
            if name in (".", "..") or (not relative and name in SKIPPED_AT_ROOT):
                continue
            path = f"{relative}/{name}" if relative else name
            reason = self._refusal(path, name, entry.info.meta, depth)
            if reason:
                self.report.refused.append((path, reason))
                continue
            try:
                self._copy_entry(entry, path, depth)
            except (OSError, ValueError) as error:  # a damaged entry: the others are read
                self.report.refused.append((path, f"unreadable: {error}"))

    def _refusal(self, path: str, name: str, meta, depth: int) -> str:
        """Return why an entry is not copied, or ""."""
        if "/" in name:
            return "slash in name"
        if unsafe_name(path):
            return unsafe_name(path)
        if meta is None:
            return "no metadata"
        if os.path.lexists(self.target / path):
            return "duplicate entry"
        if depth >= MAX_DEPTH:
            return f"deeper than {MAX_DEPTH} folders"
        return ""

    def _copy_entry(self, entry, path: str, depth: int) -> None:
        import pytsk3

        meta = entry.info.meta
        if meta.type == pytsk3.TSK_FS_META_TYPE_DIR:
            if meta.addr in self.seen:
                self.report.refused.append((path, "directory loop"))
                return
            self.seen.add(meta.addr)
            (self.target / path).mkdir()
            self.copy_dir(entry.as_directory(), path, depth + 1)
        elif meta.type == pytsk3.TSK_FS_META_TYPE_LNK:
            link = meta.link or entry.read_random(0, min(meta.size, 4096))
            if isinstance(link, bytes):
                link = os.fsdecode(link.rstrip(b"\0"))
            os.symlink(link, self.target / path)
        elif meta.type == pytsk3.TSK_FS_META_TYPE_REG:
            self._copy_file(entry, meta, self.target / path)
        else:
            self.report.skipped += 1

    def _copy_file(self, entry, meta, location: Path) -> None:
        with open(location, "xb") as output:
            offset = 0
            while offset < meta.size:
                chunk = entry.read_random(offset, min(CHUNK, meta.size - offset))
                if not chunk:
                    break
                self.meter.count(len(chunk))
                output.write(chunk)
                offset += len(chunk)
        os.chmod(location, 0o755 if meta.mode & 0o111 else 0o644)
        self.report.files += 1


def extract_disk_image(location: Path, codebase: Path, kind: str, meter: SizedWriter) -> VmReport:
    """Copy every filesystem of the disk image into ``codebase``; return what was done.

    One filesystem goes to ``<name>-extract/``; several to ``<name>-partition-<N>-extract/``.
    Raise VmImageError when the image cannot be read or holds no readable filesystem, and
    extract.ArchiveBombError past a size limit.
    """
    report = VmReport()
    try:
        disk = _Disk(location, kind)
    except OSError as error:
        raise VmImageError(f"{location.name}: not a readable {kind} disk image ({error})") from None
    try:
        found = filesystems(_image_info(disk))
        if not found:
            raise VmImageError(
                f"{location.name}: no filesystem The Sleuth Kit can read (ext2/3/4, FAT, NTFS, "
                "HFS+, UFS...) on this disk; LVM and encrypted volumes are not supported."
            )
        for number, filesystem in found:
            suffix = f"-partition-{number}" if len(found) > 1 else ""
            target = codebase / f"{location.name}{suffix}-extract"
            target.mkdir()
            _Copier(target, meter, report).copy_dir(filesystem.open_dir("/"), "")
            report.filesystems.append(target.name)
    finally:
        disk.close()
    return report
