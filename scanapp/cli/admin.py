"""Administration commands: serve, migrate, create-user, create-project, list-projects."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import click

from scanapp.config import get_settings
from scanapp.db import migrate
from scanapp.policies import check_global_file


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (serve, migrate_command, create_user, create_project, list_projects):
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
def create_user(username: str) -> None:
    """Create an API user and print their key (the last word of the output)."""
    from scanapp.services.users import create_user as create_api_user  # see scanapp.cli

    migrate()
    key = create_api_user(username)
    click.echo(f"User {username} created with API key: {key}")


@click.command("create-project")
@click.argument("name")
@click.option("--input-url", "input_urls", multiple=True, help="URL to fetch (repeatable).")
@click.option("--input-file", "input_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False),
              help="Local file to copy as an input (repeatable).")
@click.option("--pipeline", "pipelines", multiple=True,
              help="Pipeline, as name or name:G1,G2 (repeatable).")
@click.option("--label", "labels", multiple=True, help="Label (repeatable).")
@click.option("--notes", default="", help="Free-text notes.")
@click.option("--execute", is_flag=True, help="Queue the pipelines now (needs a worker and Redis).")
def create_project(name, input_urls, input_files, pipelines, labels, notes, execute) -> None:
    """Create a project with inputs and pipelines; prints its uuid."""
    from scanapp.services.projects import ProjectRequest  # imported when run: see scanapp.cli
    from scanapp.services.projects import create_project as create

    migrate()
    project = create(
        ProjectRequest(
            name=name,
            input_urls=list(input_urls),
            uploads=[(Path(path), "") for path in input_files],
            pipelines=list(pipelines),
            execute_now=execute,
            labels=list(labels),
            notes=notes,
        )
    )
    click.echo(f"Project {project.name} created with uuid {project.uuid}")


@click.command("list-projects")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def list_projects(as_json: bool) -> None:
    """List projects: uuid, name and creation date."""
    from scanapp.services.projects import all_projects  # imported when run: see scanapp.cli

    migrate()
    for project in all_projects():
        if as_json:
            click.echo(json.dumps({"uuid": project.uuid, "name": project.name,
                                   "created_date": project.created_date.isoformat()}))
        else:
            click.echo(f"{project.uuid}  {project.created_date:%Y-%m-%d %H:%M}  {project.name}")
