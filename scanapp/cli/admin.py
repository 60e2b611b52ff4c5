"""Administration commands: serve, migrate, create-user."""

from __future__ import annotations

import os
import shutil

import click

from scanapp.config import get_settings
from scanapp.db import dispose_engines, migrate
from scanapp.policies import check_global_file


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (serve, migrate_command, create_user):
        group.add_command(command)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Web worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Apply migrations then serve the REST API with gunicorn (one access log line a request)."""
    _share_metrics_between_workers()
    from scanapp.server import serve as run_server  # imported when run: see scanapp.cli
    from scanapp.services.maintenance import remove_leftovers

    check_global_file()  # an invalid policies file stops the start, naming its line or key
    migrate()
    for path in remove_leftovers():
        click.echo(f"Removed a leftover of an interrupted write: {path}", err=True)
    # The workers gunicorn forks must not share the master's pooled database connections
    # (on PostgreSQL two workers on one socket fail: "connection in transaction status").
    dispose_engines()
    run_server(host, port, workers)


def _share_metrics_between_workers() -> None:
    """Let gunicorn's workers add up their request metrics (prometheus-client multiprocess).

    The folder is emptied at each start; it must be set before prometheus-client is imported.
    """
    folder = get_settings().workdirs / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


@click.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema."""
    migrate()
    click.echo("Database is up to date.")


@click.command("create-user")
@click.argument("username")
@click.option("--email", default="", help="Their e-mail (invitations may name it).")
@click.option("--admin", "is_admin", is_flag=True,
              help="A server administrator: sees and may do everything, as the operator.")
def create_user(username: str, email: str, is_admin: bool) -> None:
    """Create an API user and print their key (the last word of the output).

    Example: scanapp create-user alice --email alice@example.com
    """
    from scanapp.services.users import create_user as create_api_user  # see scanapp.cli

    migrate()
    key = create_api_user(username, email, is_admin=is_admin)
    kind = "Server administrator" if is_admin else "User"
    click.echo(f"{kind} {username} created with API key: {key}")
