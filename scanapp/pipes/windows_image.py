"""Windows container images: each layer extracted into a folder of its own, as ScanCode.io.

Windows layers are not merged: a layer holds ``Files/`` (the C: drive), ``Hives/`` (the
registry deltas it made: ``Software_Delta``...) and sometimes ``UtilityVM/``, and each
layer's hives describe what that layer installed. An image of the input ``<input>`` goes
to ``codebase/<input>-extract/<layer id>/`` (``-extract-2``... when an input holds several
images); every layer folder is a root filesystem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scanapp.pipes import codebase, docker, resources, root_filesystems
from scanapp.pipes.docker_image import Image, open_image, read_images
from scanapp.pipes.rootfs import RootfsReport

MODEL = "analyze_windows_docker_image"


@dataclass
class ExtractedImage:
    """An image of an input and where its layers were extracted."""

    location: Path
    image: Image
    folder: str
    #: The codebase folder of each extracted layer, with its layer tag, lowest first.
    layers: dict[str, str] = field(default_factory=dict)
    #: The layer id of every file and link written, by codebase path.
    origins: dict[str, str] = field(default_factory=dict)
    distro: object = None


def read_input_images(context, names: list[str]) -> list[ExtractedImage]:
    """Return the images of the inputs that are images (docker save or OCI layouts)."""
    found = []
    for location in docker.find_images(context, names):
        with open_image(location) as source:
            images = read_images(source)
        for number, image in enumerate(images, start=1):
            suffix = f"-{number}" if len(images) > 1 else ""
            found.append(ExtractedImage(location, image, f"{location.name}-extract{suffix}"))
    return found


def layer_folder(layer_id: str) -> str:
    """Return the folder name of a layer: its id without the digest algorithm."""
    return layer_id.rpartition(":")[2] or "layer"


def extract_layers(context, images: list[ExtractedImage]) -> None:
    """Extract every layer of every image into its folder; record folders and origins.

    A refused entry becomes a warning; an unreadable layer or a size limit crossed stops
    that image with an error message.
    """
    limits = codebase.extraction_limits()
    for extracted in images:
        with open_image(extracted.location) as source:
            for number, layer in enumerate(extracted.image.layers, start=1):
                folder = f"{extracted.folder}/{layer_folder(layer.layer_id)}"
                if not _extract_layer(context, source, layer, folder, limits, extracted):
                    break
                extracted.layers[folder] = docker.layer_tag(extracted.image, number, layer.layer_id)


def _extract_layer(context, source, layer, folder: str, limits, extracted) -> bool:
    target = context.workdir.codebase / folder
    target.mkdir(parents=True, exist_ok=True)
    report = RootfsReport()
    if not docker.apply_one_layer(context, source, layer, target, limits, report,
                                  extracted.image.image_id, MODEL):
        return False
    docker.report_refused(context, report, folder, MODEL)
    extracted.origins.update({f"{folder}/{path}": value for path, value in report.origins.items()})
    return True


def find_distro(context, extracted: ExtractedImage):
    """Return the distro of an image: its config's os and version, then its bottom layer.

    The bottom layer tells Windows (``Files/Windows``, ``Files/Program Files``...) or a Linux
    os-release.
    """
    from container_inspector.distro import Distro

    image = extracted.image
    base = Distro(os=image.os or None, architecture=image.architecture or None,
                  version=image.os_version or None)
    if not extracted.layers:
        return base if image.os else None
    bottom = context.workdir.codebase / next(iter(extracted.layers))
    try:
        found = root_filesystems.detect_distro(bottom)
    except ValueError as error:
        context.add_message(str(error), model=MODEL)
        found = None
    if found is None:
        return base if image.os else None
    return base.merge(found) if image.os in ("", found.os) else found


def image_record(extracted: ExtractedImage) -> dict:
    """Return what the project keeps of an image (``extra_data.images``)."""
    image = extracted.image
    return {
        "image_id": image.image_id,
        "tags": image.tags,
        "input": extracted.location.name,
        "extracted_to": extracted.folder,
        "os": image.os,
        "os_version": image.os_version,
        "architecture": image.architecture,
        "created": image.created,
        "layers_count": len(image.layers),
        "distro": extracted.distro.to_dict() if extracted.distro else {},
    }


def tag_layers(project_id: int, images: list[ExtractedImage]) -> int:
    """Tag every resource of a layer folder with its layer tag (``img-…-layer-01-…``)."""
    count = 0
    for extracted in images:
        for folder, tag in extracted.layers.items():
            count += resources.tag_folder(project_id, folder, tag)
    return count
