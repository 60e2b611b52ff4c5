"""Read container images: ``docker save`` tarballs and OCI layouts (tarball or directory).

An image is read without unpacking its archive: the manifest, the config and each layer
are opened where they lie (a tar member or a file of a directory). ``read_images`` returns
every image of an input with its layers in order, each layer paired with its history entry.
"""

from __future__ import annotations

import json
import platform
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from scanapp.workdir import resolve_inside

OCI_INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
#: Bytes of JSON (manifest, index, config) read at most: they are small documents.
MAX_JSON_SIZE = 64 * 1024**2


class ImageError(Exception):
    """An input is not a readable image; the message says what is wrong."""


@dataclass
class Layer:
    """One filesystem layer: where its archive is, its ids and its history entry."""

    location: str
    layer_id: str
    size: int = 0
    created_by: str = ""
    created: str = ""
    comment: str = ""


@dataclass
class Image:
    """One image of an input: ids, tags, platform and layers, lowest first."""

    image_id: str
    tags: list[str] = field(default_factory=list)
    os: str = ""
    architecture: str = ""
    os_version: str = ""
    created: str = ""
    layers: list[Layer] = field(default_factory=list)
    config: dict = field(default_factory=dict)


class ImageSource:
    """Files of an image archive: a tarball or a directory."""

    def __init__(self, location: Path):
        """Open ``location``; raise ImageError when it is neither a tar nor a directory."""
        self.location = location
        self.tar = None
        if location.is_dir():
            return
        try:
            self.tar = tarfile.open(location, "r:*")
        except (tarfile.TarError, OSError) as error:
            raise ImageError(f"{location.name}: not a tar archive ({error})") from None
        self.members = {
            _clean(member.name): member for member in self.tar.getmembers() if member.isfile()
        }

    def close(self) -> None:
        """Close the tarball."""
        if self.tar is not None:
            self.tar.close()

    def exists(self, name: str) -> bool:
        """Tell whether the image holds the file ``name``."""
        name = _clean(name)
        if self.tar is not None:
            return name in self.members
        path = self._path(name)
        return path is not None and path.is_file()

    def size(self, name: str) -> int:
        """Return the size in bytes of the file ``name``."""
        name = _clean(name)
        if self.tar is not None:
            return self.members[name].size
        return self._path(name).stat().st_size

    def open(self, name: str) -> IO[bytes]:
        """Open the file ``name`` for binary reading; raise ImageError when it is missing."""
        if not self.exists(name):
            raise ImageError(f"{self.location.name}: {name} is missing from the image")
        if self.tar is not None:
            return self.tar.extractfile(self.members[_clean(name)])
        return open(self._path(_clean(name)), "rb")

    def read_json(self, name: str):
        """Return the parsed JSON file ``name``; raise ImageError when it is not JSON."""
        with self.open(name) as handle:
            data = handle.read(MAX_JSON_SIZE + 1)
        if len(data) > MAX_JSON_SIZE:
            raise ImageError(f"{self.location.name}: {name} is larger than {MAX_JSON_SIZE} bytes")
        try:
            return json.loads(data)
        except ValueError as error:
            raise ImageError(f"{self.location.name}: {name} is not JSON ({error})") from None

    def _path(self, name: str) -> Path | None:
        """Return the file ``name`` of a directory image, None when it would lie outside."""
        return resolve_inside(self.location, name)


def _clean(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


@contextmanager
def open_image(location: Path) -> Iterator[ImageSource]:
    """Open an image input (tarball or directory) and close it after use."""
    source = ImageSource(location)
    try:
        yield source
    finally:
        source.close()


def is_image(location: Path) -> bool:
    """Tell whether ``location`` is a docker save tarball or an OCI layout."""
    try:
        with open_image(location) as source:
            return source.exists("manifest.json") or source.exists("index.json")
    except ImageError:
        return False


def read_images(source: ImageSource) -> list[Image]:
    """Return the images of a source: ``manifest.json`` (docker save) first, else OCI."""
    if source.exists("manifest.json"):
        entries = source.read_json("manifest.json")
        if not isinstance(entries, list) or not entries:
            raise ImageError(f"{source.location.name}: manifest.json is not a list of images")
        return [_docker_image(source, entry) for entry in entries]
    if source.exists("index.json"):
        return [
            _oci_image(source, manifest, tags)
            for manifest, tags in _oci_manifests(source, source.read_json("index.json"))
        ]
    raise ImageError(
        f"{source.location.name}: no manifest.json (docker save) nor index.json (OCI layout)"
    )


def _docker_image(source: ImageSource, entry: dict) -> Image:
    if not isinstance(entry, dict) or not entry.get("Config") or "Layers" not in entry:
        raise ImageError(f"{source.location.name}: manifest.json entry without Config or Layers")
    config = source.read_json(entry["Config"])
    image_id = PurePosixPath(entry["Config"]).name.removesuffix(".json")
    locations = [str(name) for name in entry.get("Layers") or []]
    return _image(source, config, image_id, list(entry.get("RepoTags") or []), locations)


def _blob(digest: str) -> str:
    algorithm, _, value = str(digest).partition(":")
    if not value or "/" in value or "/" in algorithm:
        raise ImageError(f"invalid digest {digest!r}")
    return f"blobs/{algorithm}/{value}"


def _oci_manifests(source: ImageSource, index: dict) -> Iterator[tuple[dict, list[str]]]:
    """Yield (manifest, tags) of an OCI index, choosing one platform in nested indexes."""
    manifests = index.get("manifests") if isinstance(index, dict) else None
    if not isinstance(manifests, list) or not manifests:
        raise ImageError(f"{source.location.name}: index.json lists no manifest")
    for descriptor in manifests:
        tag = (descriptor.get("annotations") or {}).get("org.opencontainers.image.ref.name")
        document = source.read_json(_blob(descriptor.get("digest", "")))
        if descriptor.get("mediaType") in OCI_INDEX_TYPES or "manifests" in document:
            chosen = choose_platform(document.get("manifests") or [])
            document = source.read_json(_blob(chosen.get("digest", "")))
        yield document, [tag] if tag else []


def host_architecture() -> str:
    """Return this host's architecture in OCI terms (amd64, arm64...)."""
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def choose_platform(descriptors: list[dict]) -> dict:
    """Pick the linux manifest of this host's architecture, else amd64, else the first."""
    if not descriptors:
        raise ImageError("the image index lists no manifest")
    for architecture in (host_architecture(), "amd64"):
        for item in descriptors:
            found = item.get("platform") or {}
            if found.get("os") == "linux" and found.get("architecture") == architecture:
                return item
    return descriptors[0]


def _oci_image(source: ImageSource, manifest: dict, tags: list[str]) -> Image:
    config_digest = (manifest.get("config") or {}).get("digest", "")
    config = source.read_json(_blob(config_digest))
    locations = [_blob(layer.get("digest", "")) for layer in manifest.get("layers") or []]
    return _image(source, config, config_digest.partition(":")[2], tags, locations)


def _image(source, config: dict, image_id: str, tags: list[str], locations: list[str]) -> Image:
    if not isinstance(config, dict):
        raise ImageError(f"{source.location.name}: the image config is not a JSON object")
    diff_ids = list((config.get("rootfs") or {}).get("diff_ids") or [])
    history = [item for item in config.get("history") or [] if not item.get("empty_layer")]
    layers = []
    for number, location in enumerate(locations):
        entry = history[number] if number < len(history) else {}
        layer_id = diff_ids[number] if number < len(diff_ids) else location
        layers.append(
            Layer(
                location=location,
                layer_id=str(layer_id),
                size=source.size(location) if source.exists(location) else 0,
                created_by=str(entry.get("created_by") or ""),
                created=str(entry.get("created") or ""),
                comment=str(entry.get("comment") or ""),
            )
        )
    return Image(
        image_id=image_id,
        tags=tags,
        os=str(config.get("os") or ""),
        architecture=str(config.get("architecture") or ""),
        os_version=str(config.get("os.version") or ""),
        created=str(config.get("created") or ""),
        layers=layers,
        config=config.get("config") or {},
    )
