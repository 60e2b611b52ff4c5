"""Build a small Windows container image in tests: ``docker save`` layout, Windows layers.

Windows layers hold ``Files/`` (the C: drive) and ``Hives/`` (the registry changes of the
layer); the base layer's ``Hives/Software_Delta`` registers one installed program.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from tests.pipelines_extra.images import _add, _layer, _sha256, write_docker_save
from tests.pipelines_extra.registry_hive import build_hive

FOO_TOOL = {
    "DisplayName": "Foo Tool",
    "DisplayVersion": "2.1.0",
    "Publisher": "Foo Corp",
    "URLInfoAbout": "https://foo.example/tool",
    "InstallLocation": "C:\\Program Files\\Foo Tool",
    "DisplayIcon": "C:\\Program Files\\Foo Tool\\foo.exe",
}
SOFTWARE = {"Microsoft": {"Windows": {"CurrentVersion": {"Uninstall": {"FooTool": FOO_TOOL}}}}}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
MIT = (
    "Copyright (c) 2023 Foo Corp\n\nPermission is hereby granted, free of charge, to any "
    "person obtaining a copy of this software and associated documentation files (the "
    '"Software"), to deal in the Software without restriction, including without '
    "limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, "
    "and/or sell copies of the Software.\n"
)
PE = b"MZ\x90\x00" + bytes(60) + b"PE\x00\x00" + bytes(range(256)) * 2
#: Bytes that libmagic calls ``data`` and that hold no clue of their origin.
DATA = bytes((index * 73 + 11) % 256 for index in range(4096))


def base_layer(archive: tarfile.TarFile) -> None:
    """The OS layer: Windows files, registry hives, one program in Program Files."""
    for folder in ("Files", "Files/Windows", "Files/Windows/System32", "Files/Users",
                   "Files/ProgramData", "Files/Program Files", "Hives"):
        _add(archive, folder, type=tarfile.DIRTYPE, mode=0o755)
    _add(archive, "Files/Windows/System32/kernel32.dll", PE)
    _add(archive, "Files/Windows/System32/config/SOFTWARE", b"regf" + bytes(60))
    _add(archive, "Files/Windows/INF/machine.inf", "[Version]\nSignature=\"$Windows NT$\"\n")
    _add(archive, "Files/Windows/Logs/CBS/CBS.log", "2024-01-01 Info CBS Loaded\n")
    _add(archive, "Files/Windows/WinSxS/amd64_foo.manifest", "<assembly/>\n")
    _add(archive, "Files/Users/Public/desktop.ini", "[.ShellClassInfo]\n")
    _add(archive, "Files/ProgramData/Microsoft/Windows/Start Menu/Foo.lnk", b"L\x00\x00\x00")
    _add(archive, "Files/Users/Default/Pictures/Thumbs.db", b"\xd0\xcf\x11\xe0" + bytes(60))
    _add(archive, "Files/Windows/Web/Wallpaper/img0.png", PNG)
    _add(archive, "Files/Program Files/Foo Tool/foo.exe", PE + b"foo")
    _add(archive, "Files/Program Files/Foo Tool/LICENSE.txt", MIT)
    _add(archive, "Files/Program Files/Common Files/shared.txt", "shared by all programs\n")
    _add(archive, "Hives/Software_Delta", build_hive(SOFTWARE))
    _add(archive, "Hives/System_Delta", b"regf" + bytes(60))


def app_layer(archive: tarfile.TarFile) -> None:
    """The application layer: Python 3.9, OpenJDK 17.0.2 and a data file."""
    _add(archive, "Files/Python39/python.exe", PE + b"python")
    _add(archive, "Files/Python39/LICENSE.txt", "PSF LICENSE AGREEMENT FOR PYTHON 3.9\n")
    _add(archive, "Files/Python39/Lib/site-packages/six.py", '"""six."""\n__version__ = "1.16.0"\n')
    _add(archive, "Files/jdk-17.0.2/bin/java.exe", PE + b"java")
    _add(archive, "Files/app/blob.bin", DATA)
    _add(archive, "Files/app/empty.cfg")


LAYERS = ((base_layer, "Apply image 10.0.17763.5329"), (app_layer, "cmd /S /C install.cmd"))


def windows_docker_save_tarball(target: Path, tag: str = "scanapp/windows-test:1.0") -> Path:
    """Write a ``docker save`` tarball of a two-layer Windows image."""
    layers = [_layer(build) for build, _ in LAYERS]
    config = {
        "architecture": "amd64",
        "os": "windows",
        "os.version": "10.0.17763.5329",
        "created": "2024-01-02T00:00:00Z",
        "config": {"Cmd": ["cmd"]},
        "rootfs": {"type": "layers", "diff_ids": [_sha256(layer) for layer in layers]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": cmd} for _, cmd in LAYERS],
    }
    return write_docker_save(target, layers, config, tag)
