"""Build small Linux root filesystems in tests: an Alpine tarball and a Debian disk image."""

from __future__ import annotations

import base64
import hashlib
import shutil
import struct
import subprocess
import tarfile
from pathlib import Path

from tests.pipelines_extra.images import _add

ALPINE_OS_RELEASE = """\
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
"""
MUSL = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8
MIT_README = """\
Demo tools
Copyright (c) 2024 Demo Corp <dev@demo.example>

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify, merge,
publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
"""
PACKAGE_JSON = '{"name": "rootfs-app", "version": "2.0.0", "license": "MIT"}\n'


def _q1(data: bytes) -> str:
    """Return apk's checksum of a file: ``Q1`` and the base64 of its SHA-1."""
    return "Q1" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def apk_installed() -> str:
    """Return an apk installed database with the musl package and its two files."""
    return (
        "C:Q1n8s6wIzY8m5v3SmJ8TUyFqIbhNE=\n"
        "P:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nS:407278\nI:667648\n"
        "T:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\n"
        "o:musl\nm:Timo Teras <timo.teras@iki.fi>\nt:1704723812\n"
        "c:a8c44d2b4b0e5b3bac5fb2a8dcf1e1d6e5a7a0b1\n"
        "F:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\n"
        f"Z:{_q1(MUSL)}\n"
        "R:libc.musl-x86_64.so.1\na:0:0:777\nZ:Q1OWyDRc4fDtdrGF0RK5LtB5Bb1QE=\n\n"
    )


def alpine_rootfs_tarball(target: Path) -> Path:
    """Write ``tar -C rootfs -czf target .`` of a tiny Alpine root filesystem."""
    with tarfile.open(target, "w:gz") as archive:
        for folder in ("./", "./etc", "./lib", "./lib/apk", "./lib/apk/db", "./usr",
                       "./usr/lib", "./usr/local", "./usr/local/share", "./tmp", "./app"):
            _add(archive, folder, type=tarfile.DIRTYPE, mode=0o755)
        # An absolute link: resolved inside the root filesystem, never on this host.
        _add(archive, "./etc/os-release", type=tarfile.SYMTYPE, linkname="/usr/lib/os-release")
        _add(archive, "./usr/lib/os-release", ALPINE_OS_RELEASE)
        _add(archive, "./etc/motd", "Welcome to Alpine!\n")
        _add(archive, "./lib/apk/db/installed", apk_installed())
        _add(archive, "./lib/apk/db/triggers", "busybox /bin\n")
        _add(archive, "./lib/ld-musl-x86_64.so.1", MUSL, mode=0o755)
        _add(archive, "./lib/libc.musl-x86_64.so.1", type=tarfile.SYMTYPE,
             linkname="ld-musl-x86_64.so.1")
        _add(archive, "./usr/local/share/musl-copy.so", MUSL)
        _add(archive, "./tmp/scratch.txt", "temporary\n")
        _add(archive, "./app/README", MIT_README)
        _add(archive, "./app/notes.txt", "nothing to see here\n")
        _add(archive, "./app/empty.txt")
        _add(archive, "./app/package.json", PACKAGE_JSON)
        _add(archive, "./dev-zero", type=tarfile.CHRTYPE)
        _add(archive, "../outside.txt", "must never be written\n")
    return target


DEBIAN_OS_RELEASE = """\
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION_CODENAME=bookworm
ID=debian
"""
DPKG_STATUS = """\
Package: hello
Status: install ok installed
Priority: optional
Section: devel
Installed-Size: 280
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Version: 2.10-3
Depends: libc6 (>= 2.34)
Description: example package based on GNU hello
 The GNU hello program produces a familiar, friendly greeting.
Homepage: https://www.gnu.org/software/hello/
"""
HELLO = b"\x7fELF\x02\x01\x01\x00hello" + bytes(range(200)) * 4


def debian_rootfs_tree(root: Path) -> Path:
    """Write a tiny Debian root filesystem with the ``hello`` package into ``root``."""
    files = {
        "usr/lib/os-release": DEBIAN_OS_RELEASE,
        "var/lib/dpkg/status": DPKG_STATUS,
        "var/lib/dpkg/info/hello.list": "/.\n/usr\n/usr/bin\n/usr/bin/hello\n",
        "usr/bin/hello": HELLO,
        "etc/hostname": "vm\n",
        "home/user/notes.txt": "hello from the VM\n",
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    return root


def have_disk_tools() -> bool:
    """Tell whether mke2fs and qemu-img are installed."""
    return bool(shutil.which("mke2fs") and shutil.which("qemu-img"))


def _mbr(start_sector: int, sectors: int) -> bytes:
    """Return a master boot record with one Linux partition."""
    record = bytearray(512)
    record[446:462] = struct.pack("<B3sB3sII", 0, bytes(3), 0x83, bytes(3), start_sector, sectors)
    record[510:512] = b"\x55\xaa"
    return bytes(record)


def debian_qcow2(tree: Path, target: Path) -> Path:
    """Write a qcow2 disk image: an MBR partition table, one ext4 partition of ``tree``."""
    filesystem = target.with_suffix(".ext4")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", str(tree), str(filesystem), "4M"],
                   check=True)
    raw = target.with_suffix(".raw")
    start = 2048
    data = filesystem.read_bytes()
    with open(raw, "wb") as disk:
        disk.write(_mbr(start, len(data) // 512))
        disk.write(bytes(start * 512 - 512))
        disk.write(data)
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(target)],
                   check=True)
    filesystem.unlink()
    raw.unlink()
    return target
