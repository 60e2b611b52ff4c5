"""Pipes of analyze_docker_image: image inputs to root filesystems, layers, distro, packages.

Each image of an input is rebuilt as one root filesystem, ``codebase/<input>-rootfs/``
(``-rootfs-2``... when an input holds several images), by applying its layers in order.
The images and their layers are stored in the project's ``extra_data`` (``images``,
``layers``: the XLSX LAYERS sheet); each file records the layer that last wrote it in
``extra_data.layer``.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import CodebaseResource, Project
from scanapp.pipes import chunked, extract, resources
from scanapp.pipes.docker_image import Image, ImageError, is_image, open_image, read_images
from scanapp.pipes.rootfs import RootfsReport, apply_layer

MODEL = "analyze_docker_image"
ROOTFS_SUFFIX = "-rootfs"
OS_RELEASE_FILES = ("etc/os-release", "usr/lib/os-release")


def find_images(context, names: list[str]) -> list[Path]:
    """Return the inputs that are images; others get a warning; none at all is an error."""
    found = []
    for name in names:
        location = context.workdir.input / name
        if is_image(location):
            found.append(location)
        else:
            context.add_message(
                f"{name} is not a docker save tarball nor an OCI image layout: ignored",
                severity="warning",
                model=MODEL,
                details={"input": name},
            )
    if not found:
        raise ImageError(
            "No image among the inputs: expected a `docker save` tarball, an OCI layout "
            "(tarball or directory) or a docker:// reference."
        )
    return found


def extract_images(context, locations: list[Path]) -> dict[str, str]:
    """Rebuild the root filesystem of every image; store images and layers on the project.

    Return the layer id of every file written, by codebase path. A refused entry becomes
    a warning; an unreadable layer or a size limit crossed stops that image with an error.
    """
    settings = get_settings()
    limits = extract.Limits(
        max_size=settings.extract_max_size, max_ratio=settings.extract_max_ratio
    )
    images, layers, origins = [], [], {}
    for location in locations:
        with open_image(location) as source:
            found = read_images(source)
            for number, image in enumerate(found, start=1):
                suffix = f"-{number}" if len(found) > 1 else ""
                rootfs = context.workdir.codebase / f"{location.name}{ROOTFS_SUFFIX}{suffix}"
                report = _build_rootfs(context, source, image, rootfs, limits)
                prefix = f"{rootfs.name}/"
                origins.update({prefix + path: layer for path, layer in report.origins.items()})
                images.append(image_record(image, location.name, rootfs))
                layers.extend(layer_records(image))
    _store_on_project(context.project_id, images=images, layers=layers)
    context.log(f"{len(images)} image(s), {len(layers)} layer(s)")
    return origins


def _build_rootfs(context, source, image: Image, rootfs: Path, limits) -> RootfsReport:
    rootfs.mkdir(parents=True, exist_ok=True)
    report = RootfsReport()
    for layer in image.layers:
        if not apply_one_layer(context, source, layer, rootfs, limits, report, image.image_id):
            break
    report_refused(context, report, rootfs.name)
    context.log(
        f"{rootfs.name}: {len(image.layers)} layer(s), {report.removed} whiteout(s) applied, "
        f"{len(report.refused)} refused, {report.skipped} special file(s) skipped"
    )
    return report


def apply_one_layer(
    context, source, layer, target: Path, limits, report, image_id: str, model: str = MODEL
) -> bool:
    """Apply one layer onto ``target`` under the byte budget of ``limits``.

    Return False, with an error message, when the layer cannot be read or crosses the
    budget: the image stops there.
    """
    meter = extract.SizedWriter(target, max(layer.size, 1), limits)
    try:
        with source.open(layer.location) as handle:
            apply_layer(handle, target, layer.layer_id, meter, report)
    except (ImageError, tarfile.TarError, extract.ArchiveBombError, EOFError) as error:
        context.add_message(
            f"{target.name}: layer {layer.layer_id} not extracted, the image stops here: "
            f"{error}",
            model=model,
            details={"layer_id": layer.layer_id, "image_id": image_id},
        )
        return False
    return True


def report_refused(context, report: RootfsReport, folder: str, model: str = MODEL) -> None:
    """Add a warning for each layer entry refused, its path under ``folder``."""
    for entry, reason in report.refused:
        context.add_message(
            f"Refused layer entry {entry}: {reason}",
            severity="warning",
            model=model,
            details={"resource_path": f"{folder}/{entry}", "reason": reason},
        )


def layer_tag(image: Image, number: int, layer_id: str) -> str:
    """Return a short readable layer name: ``img-<image>-layer-<NN>-<layer>``."""
    short = layer_id.rpartition(":")[2][:6] or "none"
    return f"img-{image.image_id[:6]}-layer-{number:02d}-{short}"


def layer_records(image: Image) -> list[dict]:
    """Return the LAYERS rows of an image, lowest layer first."""
    return [
        {
            "layer_tag": layer_tag(image, number, layer.layer_id),
            "layer_id": layer.layer_id,
            "created_by": layer.created_by,
            "size": layer.size,
            "comment": layer.comment,
            "created": layer.created,
            "image_id": image.image_id,
            "archive_location": layer.location,
        }
        for number, layer in enumerate(image.layers, start=1)
    ]


def image_record(image: Image, input_name: str, rootfs: Path) -> dict:
    """Return what the project keeps of an image (``extra_data.images``)."""
    return {
        "image_id": image.image_id,
        "tags": image.tags,
        "input": input_name,
        "rootfs_path": rootfs.name,
        "os": image.os,
        "architecture": image.architecture,
        "created": image.created,
        "layers_count": len(image.layers),
        "distro": detect_distro(rootfs),
    }


def _store_on_project(project_id: int, **values) -> None:
    with session_scope() as session:
        project = session.get(Project, project_id)
        project.extra_data = {**(project.extra_data or {}), **values}
        session.add(project)


def parse_os_release(text: str) -> dict:
    """Return the KEY=value pairs of an os-release file, quotes removed."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            values[key] = value.strip().strip("'\"")
    return values


def detect_distro(rootfs: Path) -> dict:
    """Return the distro of a root filesystem from its os-release ({} when there is none).

    A symbolic link is never followed: ``etc/os-release`` is usually a link to
    ``usr/lib/os-release``, which is read directly.
    """
    for name in OS_RELEASE_FILES:
        path = rootfs / name
        if path.is_file() and not path.is_symlink():
            values = parse_os_release(path.read_text(encoding="utf-8", errors="replace"))
            return {
                "identifier": values.get("ID", ""),
                "version_id": values.get("VERSION_ID", ""),
                "id_like": values.get("ID_LIKE", ""),
                "pretty_name": values.get("PRETTY_NAME", ""),
            }
    return {}


def record_layer_origins(project_id: int, origins: dict[str, str]) -> int:
    """Add to each file's ``extra_data`` the layer that last wrote it (``layer``)."""
    rows = resources.iter_resources(
        project_id, CodebaseResource.path, CodebaseResource.extra_data, files_only=False
    )
    updates = (
        {"id": row_id, "extra_data": {**(extra or {}), "layer": origins[path]}}
        for row_id, path, extra in rows
        if path in origins
    )
    count = 0
    for batch in chunked(updates, resources.BATCH_SIZE):
        resources.bulk_update(batch)
        count += len(batch)
    return count
