"""``scanapp check-compliance``: a CI gate on a project's license alerts."""

from __future__ import annotations

import sys

import click

from scanapp.cli.options import chosen_project, project_argument
from scanapp.policies import FAIL_LEVELS, PolicyError


def register(group: click.Group) -> None:
    """Add this module's command to the CLI group."""
    group.add_command(check_compliance)


@click.command("check-compliance")
@project_argument
@click.option("--fail-level",
              type=click.Choice(list(FAIL_LEVELS), case_sensitive=False),
              default="ERROR", show_default=True,
              help="Exit 1 when an alert reaches this level.")
def check_compliance(project: str | None, project_option: str | None, fail_level: str) -> None:
    """Print PROJECT's license alerts (name or uuid) and exit 1 when any reach the level.

    The alerts are recomputed first with the project's current policies (its ``policies``
    setting, a policies.yml input, else SCANAPP_POLICIES_FILE). Exits 2 when those
    policies are invalid. Example: scanapp check-compliance my-project --fail-level WARNING
    """
    from scanapp.services.compliance import compliance_alerts  # see scanapp.cli

    uuid = chosen_project(project, project_option)
    level = fail_level.upper()
    try:
        alerts = compliance_alerts(uuid, level)
    except PolicyError as error:
        click.echo(f"Error: invalid policies: {error.message}", err=True)
        sys.exit(2)
    count = 0
    for kind, groups in alerts.items():
        for severity, items in groups.items():
            for item in items:
                click.echo(f"{severity}\t{kind[:-1]}\t{item}")
                count += 1
    if count:
        click.echo(f"{count} compliance alert(s) reach the {level} level.", err=True)
        sys.exit(1)
    click.echo(f"No compliance alert reaches the {level} level.", err=True)
