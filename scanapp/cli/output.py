"""``scanapp output``: render a stored project's report in any format."""

from __future__ import annotations

import click

from outputs.formats import FORMATS, check_version, versions_text
from scanapp.cli.options import chosen_project, project_argument
from scanapp.cli.run import write_result


def register(group: click.Group) -> None:
    """Add this module's command to the CLI group."""
    group.add_command(output)


@click.command("output")
@project_argument
@click.option("--format", "output_format", type=click.Choice(list(FORMATS)),
              default="json", show_default=True, help="Output format.")
@click.option("--format-version", default=None,
              help=f"Output spec version ({versions_text()}).")
@click.option("--output", "output", default="-", show_default=True,
              help="File to write the output to; - for standard output.")
@click.option("--print", "to_stdout", is_flag=True, help="Write to standard output (-).")
def output(project, project_option, output_format, format_version, output, to_stdout):
    """Write the output of PROJECT (its name or uuid) in the chosen format.

    The file is also kept in the project's output/ folder. Example:

      scanapp output my-project --format cyclonedx --format-version 1.5 --output sbom.cdx.json
    """
    uuid = chosen_project(project, project_option)
    check_version(FORMATS[output_format], format_version)
    write_result(uuid, output_format, format_version, "-" if to_stdout else output)
