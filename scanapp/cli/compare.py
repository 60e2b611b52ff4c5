"""``scanapp compare A B``: what changed between two scans, and a release gate on new alerts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scanapp.db import migrate
from scanapp.policies import FAIL_LEVELS


def register(group: click.Group) -> None:
    """Add this module's command to the CLI group."""
    group.add_command(compare)


@click.command()
@click.argument("base")
@click.argument("other")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS), case_sensitive=False),
              default=None, help="Exit 1 when OTHER has a new alert at this level or worse.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole comparison as JSON.")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the comparison as an XLSX workbook here.")
def compare(base: str, other: str, fail_on: str | None, as_json: bool,
            xlsx_path: Path | None) -> None:
    """Compare project BASE with OTHER (names or uuids): what OTHER added, lost, changed.

    The alerts are recomputed first where a project's policies changed. A release gate:
    scanapp compare app-1.4 app-1.5 --fail-on ERROR exits 1 when 1.5 has a new error.
    """
    from outputs import compare_xlsx  # see scanapp.cli
    from scanapp.services.compare import compare_projects, new_alerts

    migrate()
    comparison = compare_projects(base, other, refresh=True)
    if xlsx_path is not None:
        with xlsx_path.open("wb") as target:
            compare_xlsx.render(comparison, target)
    if as_json:
        click.echo(json.dumps(comparison, indent=2))
    else:
        _print_summary(comparison)
    if fail_on:
        failing = new_alerts(comparison, FAIL_LEVELS[fail_on.upper()])
        for alert in failing:
            click.echo(f"new {alert['compliance_alert']}\t{alert['kind']}\t{alert['identity']}"
                       f"\t{alert['license_expression']}", err=True)
        if failing:
            click.echo(f"{len(failing)} new alert(s) reach the {fail_on.upper()} level.",
                       err=True)
            sys.exit(1)


def _print_summary(comparison: dict) -> None:
    click.echo(f"{comparison['project']['name']} -> {comparison['with']['name']}")
    for kind, count in comparison["summary"].items():
        click.echo(f"{kind}\t{count}")
    for change in comparison["package_version_changes"]:
        click.echo(f"version\t{change['package']}\t{change['from_version']} -> "
                   f"{change['to_version']}")
    for change in comparison["dependency_requirement_changes"]:
        click.echo(f"requirement\t{change['package']}\t{change['from_extracted_requirement']}"
                   f" -> {change['to_extracted_requirement']}")
    for alert in comparison["alerts_new"]:
        click.echo(f"new alert\t{alert['compliance_alert']}\t{alert['kind']}\t"
                   f"{alert['identity']}")
