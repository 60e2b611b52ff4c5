"""Scan cache commands: cache stats, cache clear."""

from __future__ import annotations

import json

import click

from scanapp.db import migrate


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    group.add_command(cache)


@click.group()
def cache() -> None:
    """Show or clear the scan cache (per-file scan values shared by every project).

    Example: scanapp cache stats
    """


@cache.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as a JSON object.")
def stats(as_json: bool) -> None:
    """Print the cache's entries, the size of their values in bytes, its hits and misses.

    The match_ figures are the license-match cache's, in query runs: entries stored, runs
    whose license rule ranking came from it (hits) and runs ranked anew (misses).

    Example: scanapp cache stats --json
    """
    from scanapp.services.scan_cache import cache_stats  # see scanapp.cli

    migrate()
    figures = cache_stats()
    if as_json:
        click.echo(json.dumps(figures))
        return
    for name, value in figures.items():
        click.echo(f"{name}: {value}")


@cache.command()
@click.option("--older-than", "older_than", type=click.IntRange(min=0), default=None,
              metavar="DAYS", help="Only the entries not used for DAYS days.")
def clear(older_than: int | None) -> None:
    """Delete the cache's entries (those not used for DAYS days with --older-than).

    The license-match cache's entries are deleted with them.

    Example: scanapp cache clear --older-than 30
    """
    from scanapp.services.scan_cache import clear_cache  # see scanapp.cli

    migrate()
    files, matches = clear_cache(older_than)
    click.echo(f"Removed {files} scan cache entries and {matches} license-match entries.")
