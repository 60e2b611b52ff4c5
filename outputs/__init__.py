"""Report renderers, one module per format, all registered in :data:`FORMATS`.

Each renderer module defines ``EXTENSION``, ``CONTENT_TYPE``, ``VERSIONS`` (the first one is
the default; empty when the format has no versions) and
``render(project_id: int, target: BinaryIO, version: str) -> None``, which writes the report
of the stored data of the project to the binary stream ``target``. The API and the CLI only
go through :func:`get_renderer`, :func:`write_output` and :func:`json_results`.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from scanapp.errors import InvalidInputError

#: Format name -> renderer module.
FORMATS = {
    "json": "outputs.json_results",
    "xlsx": "outputs.xlsx",
    "spdx": "outputs.spdx",
    "cyclonedx": "outputs.cyclonedx",
    "attribution": "outputs.attribution",
}


class OutputError(InvalidInputError):
    """An unknown format or version; the message lists the choices (a 400 in the API)."""


def get_renderer(fmt: str) -> ModuleType:
    """Return the renderer module of ``fmt`` or raise :class:`OutputError`."""
    if fmt not in FORMATS:
        choices = ", ".join(FORMATS)
        raise OutputError.for_field(
            "output_format", f"Unknown output format '{fmt}'. Choose one of: {choices}."
        )
    return import_module(FORMATS[fmt])


def check_version(renderer: ModuleType, version: str | None) -> str:
    """Return the version to render (the default when None) or raise :class:`OutputError`."""
    if not version:
        return renderer.VERSIONS[0] if renderer.VERSIONS else ""
    if version not in renderer.VERSIONS:
        name = renderer.__name__.rsplit(".", 1)[-1]
        choices = ", ".join(renderer.VERSIONS) or "none (this format has no versions)"
        raise OutputError.for_field(
            "version", f"Unknown version '{version}' for {name}. Choose one of: {choices}."
        )
    return version


def write_output(project_uuid: str, fmt: str, *, version: str | None = None):
    """Render ``fmt`` for the project into its output/ folder and return the file's path."""
    from outputs.files import render_to_output

    return render_to_output(project_uuid, fmt, version=version)


def json_results(project_id: int) -> dict:
    """Return the JSON results of a project as a dict (for webhooks; small projects)."""
    import io
    import json

    buffer = io.BytesIO()
    get_renderer("json").render(project_id, buffer, "")
    return json.loads(buffer.getvalue())
