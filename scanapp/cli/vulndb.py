"""Vulnerability database commands: vulndb load, vulndb refresh, vulndb stats."""

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
@click.option("--force", is_flag=True,
              help="Download every export again, even when its server says it did not change.")
@click.option("--json", "as_json", is_flag=True, help="Print each URL's outcome as JSON.")
def refresh(force: bool, as_json: bool) -> None:
    """Refresh the database from the OSV exports of SCANAPP_VULNDB_URLS, now.

    An export its server says did not change (ETag, Last-Modified) is not downloaded
    again. Workers do this on their own every SCANAPP_VULNDB_REFRESH_INTERVAL seconds.
    Exits 1 when a URL failed. Example:

        SCANAPP_VULNDB_URLS=https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip \
            scanapp vulndb refresh
    """
    from scanapp.config import get_settings
    from scanapp.services import vulndb_refresh  # see scanapp.cli

    if not get_settings().vulndb_urls:
        raise click.UsageError("SCANAPP_VULNDB_URLS is not set: no URL to refresh from "
                               "(or load a downloaded export with `scanapp vulndb load`).")
    migrate()
    outcomes = vulndb_refresh.refresh(force=force)
    for outcome in outcomes:
        click.echo(json.dumps(outcome) if as_json else _outcome_line(outcome))
    if any(outcome["status"] == "failed" for outcome in outcomes):
        raise SystemExit(1)


def _outcome_line(outcome: dict) -> str:
    detail = outcome["error"] or ", ".join(f"{count} {name}" for name, count
                                           in outcome["figures"].items())
    if outcome["status"] == "not modified":
        detail = f"last loaded {outcome['loaded_date']}"
    return f"{outcome['url']}: {outcome['status']} ({detail})"


@vulndb.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as a JSON object.")
def stats(as_json: bool) -> None:
    """Print the records, the withdrawn, the newest change, each ecosystem and each URL.

    Example: scanapp vulndb stats --json
    """
    from scanapp.pipes import vulndb as database  # see scanapp.cli
    from scanapp.services import vulndb_refresh

    migrate()
    figures = {**database.stats(), "sources": vulndb_refresh.sources()}
    if as_json:
        click.echo(json.dumps(figures))
        return
    for name in ("records", "withdrawn", "newest_modified"):
        click.echo(f"{name}: {figures[name]}")
    for ecosystem, count in figures["ecosystems"].items():
        click.echo(f"ecosystem {ecosystem}: {count}")
    for source in figures["sources"]:
        click.echo(f"source {source['url']}: {source['status']}, checked "
                   f"{source['checked_date']}{', ' + source['error'] if source['error'] else ''}")
