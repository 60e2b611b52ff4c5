"""Vulnerability database commands: vulndb load, vulndb stats."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scanapp.db import migrate


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    group.add_command(vulndb)


@click.group()
def vulndb() -> None:
    """Load or show the local vulnerability database (OSV records, matched offline).

    Example: scanapp vulndb load PyPI-all.zip npm-all.zip
    """


@vulndb.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as a JSON object.")
def load(paths: tuple[Path, ...], as_json: bool) -> None:
    """Load OSV records from zips (osv.dev's ecosystem exports), folders or JSON files.

    A record replaces the stored one of its id when its modified date is newer. Download
    an ecosystem's records where the internet is reachable, then load them anywhere:

        curl -O https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip
        scanapp vulndb load all.zip
    """
    from scanapp.pipes import vulndb as database  # see scanapp.cli

    migrate()
    figures = database.load(paths).as_dict()
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo("Read {read} records: {added} added, {replaced} replaced, {unchanged} not "
               "newer than those stored, {invalid} not OSV records.".format(**figures))


@vulndb.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as a JSON object.")
def stats(as_json: bool) -> None:
    """Print the records loaded, the withdrawn, the newest change and each ecosystem's count.

    Example: scanapp vulndb stats --json
    """
    from scanapp.pipes import vulndb as database  # see scanapp.cli

    migrate()
    figures = database.stats()
    if as_json:
        click.echo(json.dumps(figures))
        return
    for name in ("records", "withdrawn", "newest_modified"):
        click.echo(f"{name}: {figures[name]}")
    for ecosystem, count in figures["ecosystems"].items():
        click.echo(f"ecosystem {ecosystem}: {count}")
