"""Build small container images in tests: docker save tarballs and OCI layouts."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

OS_RELEASE = """\
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
"""
DPKG_STATUS = """\
Package: libfoo1
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 20
Maintainer: Foo Maintainers <foo@example.org>
Architecture: amd64
Source: foo
Version: 1.2-3
Depends: libc6 (>= 2.34)
Description: foo runtime library
 The shared library of foo.

Package: bar-tools
Status: install ok installed
Priority: optional
Section: utils
Installed-Size: 12
Maintainer: Bar Team <bar@example.org>
Architecture: amd64
Version: 0.9-1
Depends: libfoo1 (>= 1.2)
Description: command line tools for bar
 Tools.
"""
FOO_COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: foo

Files: *
Copyright: 2020 Foo Authors
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this
 software and associated documentation files (the "Software"), to deal in the Software
 without restriction.
"""
PACKAGE_JSON = {
    "name": "demo-app",
    "version": "1.0.0",
    "license": "MIT",
    "dependencies": {"left-pad": "^1.3.0"},
}
INDEX_JS = "/* Copyright (c) 2024 Demo Corp */\nmodule.exports = () => 42;\n"


def _add(archive: tarfile.TarFile, name: str, content: bytes | str = b"", **info) -> None:
    data = content.encode() if isinstance(content, str) else content
    member = tarfile.TarInfo(name)
    member.size = len(data)
    member.mode = info.pop("mode", 0o644)
    for key, value in info.items():
        setattr(member, key, value)
    archive.addfile(member, io.BytesIO(data) if data else None)


def _dir(archive: tarfile.TarFile, name: str) -> None:
    _add(archive, name, type=tarfile.DIRTYPE, mode=0o755)


def _layer(build) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        build(archive)
    return buffer.getvalue()


def base_layer(archive: tarfile.TarFile) -> None:
    for folder in ("usr", "usr/lib", "usr/bin", "etc", "var", "var/lib", "var/lib/dpkg",
                   "var/lib/dpkg/info", "usr/share", "usr/share/doc", "usr/share/doc/libfoo1",
                   "tmp"):
        _dir(archive, folder)
    _add(archive, "bin", type=tarfile.SYMTYPE, linkname="usr/bin")
    _add(archive, "usr/lib/os-release", OS_RELEASE)
    _add(archive, "etc/os-release", type=tarfile.SYMTYPE, linkname="../usr/lib/os-release")
    _add(archive, "var/lib/dpkg/status", DPKG_STATUS)
    _add(archive, "var/lib/dpkg/info/libfoo1.list",
         "/.\n/usr\n/usr/lib\n/usr/lib/libfoo.so.1\n/usr/share/doc/libfoo1/copyright\n")
    _add(archive, "var/lib/dpkg/info/bar-tools.list", "/.\n/usr\n/usr/bin\n/usr/bin/bar\n")
    _add(archive, "usr/lib/libfoo.so.1", b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4)
    _add(archive, "usr/bin/bar", "#!/bin/sh\necho bar\n", mode=0o755)
    _add(archive, "usr/bin/bar-hardlink", type=tarfile.LNKTYPE, linkname="usr/bin/bar")
    _add(archive, "usr/share/doc/libfoo1/copyright", FOO_COPYRIGHT)
    _add(archive, "tmp/junk.txt", "deleted by the next layer\n")
    _add(archive, "dev-null", type=tarfile.CHRTYPE)


def app_layer(archive: tarfile.TarFile) -> None:
    _add(archive, "tmp/.wh.junk.txt")
    _dir(archive, "app")
    _add(archive, "app/package.json", json.dumps(PACKAGE_JSON, indent=2))
    _add(archive, "app/index.js", INDEX_JS)
    _add(archive, "opt/old/a.txt", "hidden by the next layer's opaque whiteout\n")
    _add(archive, "../escape.txt", "must never be written\n")
    _add(archive, "bin/evil", "written through a symbolic link\n")
    _add(archive, "app/.wh..")  # a whiteout of "app/..": must not remove the root filesystem


def last_layer(archive: tarfile.TarFile) -> None:
    _add(archive, "opt/old/.wh..wh..opq")
    _add(archive, "opt/old/b.txt", "the only file left in opt/old\n")


LAYERS = (
    (base_layer, "ADD rootfs.tar /"),
    (app_layer, "COPY app /app"),
    (last_layer, "RUN rebuild /opt/old"),
)


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_parts() -> tuple[list[bytes], dict]:
    """Return the layer tars and the image config."""
    layers = [_layer(build) for build, _ in LAYERS]
    history = [{"created": "2024-01-01T00:00:00Z", "created_by": LAYERS[0][1]}]
    history.append({"created_by": "ENV PATH=/usr/bin", "empty_layer": True})
    history += [{"created": "2024-01-02T00:00:00Z", "created_by": cmd} for _, cmd in LAYERS[1:]]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-02T00:00:00Z",
        "config": {"Env": ["PATH=/usr/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [_sha256(layer) for layer in layers]},
        "history": history,
    }
    return layers, config


def _write_tar(target: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(target, "w") as archive:
        for name, data in files.items():
            _add(archive, name, data)
    return target


def docker_save_tarball(target: Path, tag: str = "scanapp/test:1.0") -> Path:
    """Write a ``docker save`` tarball (manifest.json, <id>.json, <layer>/layer.tar)."""
    layers, config = image_parts()
    return write_docker_save(target, layers, config, tag)


def write_docker_save(target: Path, layers: list[bytes], config: dict, tag: str) -> Path:
    """Write ``layers`` and ``config`` as a ``docker save`` tarball tagged ``tag``."""
    config_bytes = json.dumps(config).encode()
    image_id = hashlib.sha256(config_bytes).hexdigest()
    files = {f"{image_id}.json": config_bytes}
    names = []
    for layer in layers:
        name = f"{hashlib.sha256(layer).hexdigest()}/layer.tar"
        files[name] = layer
        names.append(name)
    manifest = [{"Config": f"{image_id}.json", "RepoTags": [tag], "Layers": names}]
    files["manifest.json"] = json.dumps(manifest).encode()
    return _write_tar(target, files)


def oci_blobs(tag: str = "1.0") -> tuple[dict[str, bytes], dict, bytes]:
    """Return (blobs by digest, index.json, manifest bytes) of the image, layers gzipped."""
    layers, config = image_parts()
    config_bytes = json.dumps(config).encode()
    blobs = {_sha256(config_bytes): config_bytes}
    layer_descriptors = []
    for layer in layers:
        compressed = gzip.compress(layer, mtime=0)
        blobs[_sha256(compressed)] = compressed
        layer_descriptors.append({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": _sha256(compressed),
            "size": len(compressed),
        })
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": _sha256(config_bytes),
            "size": len(config_bytes),
        },
        "layers": layer_descriptors,
    }).encode()
    blobs[_sha256(manifest)] = manifest
    index = {
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": _sha256(manifest),
            "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }],
    }
    return blobs, index, manifest


def oci_layout_tarball(target: Path) -> Path:
    """Write an OCI image layout tarball (oci-layout, index.json, blobs/sha256/...)."""
    blobs, index, _ = oci_blobs()
    files = {
        "oci-layout": b'{"imageLayoutVersion": "1.0.0"}',
        "index.json": json.dumps(index).encode(),
    }
    for digest, data in blobs.items():
        files["blobs/sha256/" + digest.partition(":")[2]] = data
    return _write_tar(target, files)
