"""The output formats, listed once: name, renderer, file name part, extension, versions.

The API (``results_download/``), the CLI (``--format``), the zips and the docs all read this
table. A renderer is ``render(project_id, target, version)``: it writes the report of the
stored data of the project to the binary stream ``target``; ``version`` is one of the
format's ``versions`` (the first is the default), "" for a format without versions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import BinaryIO

from scanapp.errors import InvalidInputError

Renderer = Callable[[int, BinaryIO, str], None]


class OutputError(InvalidInputError):
    """An unknown format or version; the message lists the choices (a 400 in the API)."""


@dataclass(frozen=True)
class Format:
    """One output format; ``renderer`` names its module, "" for the zips of several outputs.

    The renderer module is imported when first used: the renderers with their libraries
    (openpyxl, cyclonedx-python-lib, jinja2) add 0.4 s to every start of the CLI.
    """

    name: str
    kind: str
    extension: str
    content_type: str
    versions: tuple[str, ...] = ()
    renderer: str = ""
    #: Kept in output/ after a download (only the latest file per format and version).
    kept: bool = True

    @property
    def render(self) -> Renderer | None:
        """Return the renderer's ``render(project_id, target, version)``, None for a zip."""
        return import_module(self.renderer).render if self.renderer else None

    @property
    def default_version(self) -> str:
        """Return the version rendered when none is asked for ("" without versions)."""
        return self.versions[0] if self.versions else ""


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The renderers, in the order the zips and the docs list them.
FORMATS: dict[str, Format] = {
    item.name: item
    for item in (
        Format("json", "results", "json", "application/json", (), "outputs.json_results"),
        Format("xlsx", "results", "xlsx", XLSX_TYPE, (), "outputs.xlsx"),
        Format("spdx", "spdx", "spdx.json", "application/json", ("2.3", "2.2"), "outputs.spdx"),
        Format("cyclonedx", "cyclonedx", "cdx.json", "application/vnd.cyclonedx+json",
               ("1.6", "1.5", "1.4"), "outputs.cyclonedx"),
        Format("attribution", "attribution", "html", "text/html; charset=utf-8", (),
               "outputs.attribution"),
        Format("ort-package-list", "results", "package-list.yml", "application/yaml", (),
               "outputs.ort"),
        Format("csv", "csv", "zip", "application/zip", (), "outputs.csv_zip"),
    )
}
#: Every ``output_format`` of ``results_download/``: the renderers and two zips.
DOWNLOADS: dict[str, Format] = {
    **FORMATS,
    "all_formats": Format("all_formats", "all_formats", "zip", "application/zip"),
    "all_outputs": Format("all_outputs", "all_outputs", "zip", "application/zip", kept=False),
}


def get_format(name: str, choices: dict[str, Format] = FORMATS) -> Format:
    """Return the format called ``name`` among ``choices`` or raise :class:`OutputError`."""
    if name not in choices:
        listed = ", ".join(choices)
        raise OutputError.for_field(
            "output_format", f"Unknown output format '{name}'. Choose one of: {listed}."
        )
    return choices[name]


def check_version(fmt: Format, version: str | None) -> str:
    """Return the version to render (the default when None) or raise :class:`OutputError`."""
    if not version:
        return fmt.default_version
    if version not in fmt.versions:
        if not fmt.renderer:
            raise OutputError.for_field("version", f"The {fmt.name} download has no versions.")
        choices = ", ".join(fmt.versions) or "none (this format has no versions)"
        raise OutputError.for_field(
            "version", f"Unknown version '{version}' for {fmt.name}. Choose one of: {choices}."
        )
    return version


def versions_text() -> str:
    """Return ``spdx 2.3|2.2, cyclonedx 1.6|1.5|1.4``: the formats with versions."""
    return ", ".join(
        f"{item.name} {'|'.join(item.versions)}" for item in FORMATS.values() if item.versions
    )
