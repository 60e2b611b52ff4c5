"""Options shared by the commands: the project they act on, the inputs they add."""

from __future__ import annotations

from pathlib import Path

import click

from scanapp.db import migrate
from scanapp.services.lookup import find_project_uuid


def project_option(function):
    """Add the ``--project NAME_OR_UUID`` option, passed as the project's uuid."""
    def to_uuid(ctx, param, value):
        migrate()
        return find_project_uuid(value)

    return click.option("--project", "project_uuid", required=True, metavar="NAME_OR_UUID",
                        callback=to_uuid, help="The project's name or uuid.")(function)


def project_argument(function):
    """Add a PROJECT argument that ``--project`` may give instead (ScanCode.io's way)."""
    function = click.option("--project", "project_option", default=None, metavar="NAME_OR_UUID",
                            help="The project's name or uuid (instead of PROJECT).")(function)
    return click.argument("project", required=False)(function)


def chosen_project(project: str | None, project_option: str | None) -> str:
    """Return the uuid of the project given as PROJECT or ``--project`` (exactly one)."""
    if bool(project) == bool(project_option):
        raise click.UsageError("Name the project once: PROJECT or --project.")
    migrate()
    return find_project_uuid(project or project_option)


def input_options(function):
    """Add ``--input-file``, ``--input-url`` and ``--copy-codebase``."""
    function = click.option("--copy-codebase", "copy_codebase", metavar="SOURCE_DIRECTORY",
                            type=click.Path(exists=True, file_okay=False),
                            help="Copy this directory's content into codebase/.")(function)
    function = click.option("--input-url", "input_urls", multiple=True,
                            help="URL to fetch, url#tag to tag it (repeatable).")(function)
    return click.option("--input-file", "input_files", multiple=True,
                        help="Local file to copy into input/, path:tag to tag it "
                             "(repeatable).")(function)


def split_tag(item: str, separator: str) -> tuple[Path, str]:
    """Return ``(path, tag)`` of ``path`` or ``path<separator>tag`` (a path that exists wins)."""
    path, tag = Path(item), ""
    if not path.exists() and separator in item:
        base, _, tag = item.rpartition(separator)
        path = Path(base)
    return path, tag
