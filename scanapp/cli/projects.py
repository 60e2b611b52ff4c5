"""Project commands with ScanCode.io's ``scanpipe`` names and options.

A project is named by ``--project`` (its name or its uuid). Local input files take a tag as
``path:tag``, URLs as ``url#tag``, as in ScanCode.io.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from pathlib import Path

import click

from scanapp.cli.options import input_options, project_option, split_tag
from scanapp.db import migrate
from scanapp.lifecycle import execution_time


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (create_project, batch_create, add_input, add_pipeline, execute, status,
                    show_pipeline, list_pipelines, list_project, archive_project, reset_project,
                    delete_project):
        group.add_command(command)
    group.add_command(list_project, "list-projects")


def _execute_options(function):
    function = click.option("--async", "run_async", is_flag=True,
                            help="Queue the runs for a worker instead of running them "
                                 "here.")(function)
    return click.option("--execute", is_flag=True,
                        help="Execute the pipelines right after creating the project.")(function)


def _creation_options(function):
    function = click.option("--notes", default="", help="Free-text notes.")(function)
    function = click.option("--label", "labels", multiple=True,
                            help="Label (repeatable).")(function)
    function = click.option("--pipeline", "pipelines", multiple=True,
                            help="Pipeline, as name or name:G1,G2, run in the given order "
                                 "(repeatable).")(function)
    return _execute_options(function)


def copy_codebase_into(project_uuid: str, source: Path) -> None:
    """Copy ``source`` into the project's codebase/."""
    from scanapp.services.codebase_copy import copy_codebase  # see scanapp.cli

    copy_codebase(project_uuid, source)


def uploads_of(input_files: tuple[str, ...]) -> list[tuple[Path, str]]:
    """Return ``(path, tag)`` for each ``path`` or ``path:tag``; refuse a missing file."""
    found = []
    for item in input_files:
        path, tag = split_tag(item, ":")
        if not path.is_file():
            raise click.BadParameter(f"{item}: no such file", param_hint="--input-file")
        found.append((path, tag))
    return found


@click.command("create-project")
@click.argument("name")
@input_options
@_creation_options
@click.option("--no-global-webhook", is_flag=True,
              help="Accepted for ScanCode.io scripts; scanapp has no global webhook.")
def create_project(name, input_files, input_urls, copy_codebase, pipelines, labels, notes,
                   execute, run_async, no_global_webhook) -> None:
    """Create a project with inputs and pipelines; with --execute, run them.

    Example:
      scanapp create-project demo --input-file dist/pkg.tar.gz --pipeline scan_single_package
      --execute
    """
    migrate()
    uuid = _create(name, uploads_of(input_files), list(input_urls), copy_codebase,
                   pipelines, labels, notes, queue=execute and run_async)
    if execute and not run_async:
        _execute_all(uuid)


def _create(name, uploads, input_urls, copy_codebase, pipelines, labels, notes, *, queue) -> str:
    from scanapp.services import projects  # imported when run: see scanapp.cli

    if queue and not pipelines:
        raise click.UsageError("--execute needs at least one --pipeline.")
    project = projects.create_project(projects.ProjectRequest(
        name=name, input_urls=input_urls, uploads=uploads, pipelines=list(pipelines),
        execute_now=queue, labels=list(labels), notes=notes,
    ))
    if copy_codebase:
        copy_codebase_into(project.uuid, Path(copy_codebase))
    click.echo(f"Project {project.name} created with uuid {project.uuid}")
    return project.uuid


@click.command("batch-create")
@click.option("--input-directory", type=click.Path(exists=True, file_okay=False),
              help="Create one project for each file under this directory.")
@click.option("--input-list", type=click.Path(exists=True, dir_okay=False),
              metavar="FILENAME.csv",
              help="CSV with project_name and input_urls (comma-separated) columns.")
@click.option("--project-name-suffix", default=None,
              help="Suffix of the project names (default: a YYMMDD_HHMMSS timestamp).")
@click.option("--create-global-webhook", is_flag=True,
              help="Accepted for ScanCode.io scripts; scanapp has no global webhook.")
@_creation_options
def batch_create(input_directory, input_list, project_name_suffix, create_global_webhook,
                 pipelines, labels, notes, execute, run_async) -> None:
    """Create one project per file of a directory, or per row of a CSV list.

    Projects are named "<file name or project_name> <suffix>". Example:

      scanapp batch-create --input-directory dists/ --pipeline scan_single_package --execute
    """
    if not (input_directory or input_list):
        raise click.UsageError("Give --input-directory or --input-list.")
    migrate()
    suffix = project_name_suffix or datetime.now().strftime("%y%m%d_%H%M%S")
    batches = []
    if input_directory:
        batches += [(f"{path.name} {suffix}", [(path, "")], [])
                    for path in sorted(Path(input_directory).rglob("*")) if path.is_file()]
    if input_list:
        batches += [(f"{name} {suffix}", [], urls) for name, urls in _read_list(input_list)]
    created = [_create(name, uploads, urls, None, pipelines, labels, notes,
                       queue=execute and run_async) for name, uploads, urls in batches]
    if execute and not run_async:
        for uuid in created:
            _execute_all(uuid)
    click.echo(f"{len(created)} projects created.")


def _read_list(location: str) -> list[tuple[str, list[str]]]:
    with open(location, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"project_name", "input_urls"} <= set(reader.fieldnames or ()):
            raise click.BadParameter("the CSV needs the headers project_name and input_urls",
                                     param_hint="--input-list")
        return [(row["project_name"], [url.strip() for url in row["input_urls"].split(",")
                                       if url.strip()]) for row in reader]


@click.command("add-input")
@project_option
@input_options
def add_input(project_uuid, input_files, input_urls, copy_codebase) -> None:
    """Add input files, URLs or a codebase folder to a project.

    Example: scanapp add-input --project demo --input-file app.jar:to --input-url
    https://example.com/src.zip#from
    """
    from scanapp.services import projects  # imported when run: see scanapp.cli

    if not (input_files or input_urls or copy_codebase):
        raise click.UsageError("Give --input-file, --input-url or --copy-codebase.")
    uploads = uploads_of(input_files)
    if uploads or input_urls:
        projects.add_inputs(project_uuid, input_urls=list(input_urls), uploads=uploads)
    if copy_codebase:
        copy_codebase_into(project_uuid, Path(copy_codebase))
    added = [str(path) for path, _ in uploads] + list(input_urls) + [copy_codebase or ""]
    click.echo(f"Added to the project: {', '.join(item for item in added if item)}")


@click.command("add-pipeline")
@project_option
@click.argument("pipelines", nargs=-1, required=True)
def add_pipeline(project_uuid, pipelines) -> None:
    """Add pipelines (name or name:G1,G2) to a project, run in the given order.

    Example: scanapp add-pipeline --project demo scan_codebase scan_for_virus
    """
    from scanapp.services import runs  # imported when run: see scanapp.cli

    for spec in pipelines:
        runs.add_pipeline(project_uuid, spec)
    click.echo(f"Pipeline(s) added: {', '.join(pipelines)}")


@click.command("execute")
@project_option
@click.option("--async", "run_async", is_flag=True,
              help="Queue the next run for a worker instead of running here.")
def execute(project_uuid, run_async) -> None:
    """Run the project's pipelines that have not run yet, in order; exit 1 if one fails.

    Example: scanapp execute --project demo
    """
    from scanapp.services import runs  # imported when run: see scanapp.cli

    if run_async:
        pending = _pending_runs(project_uuid)
        if not pending:
            raise click.UsageError("The project has no pipeline to run.")
        runs.start_run(pending[0].uuid)
        click.echo(f"{pending[0].pipeline_name} added to the queue for execution.")
        return
    _execute_all(project_uuid)


def _pending_runs(project_uuid: str) -> list:
    from scanapp.models import RunStatus
    from scanapp.services import runs  # imported when run: see scanapp.cli
    from scanapp.services.lookup import load_project

    project = load_project(project_uuid)
    return [item for item in runs.project_runs(project.id)
            if item.status == RunStatus.NOT_STARTED]


def _execute_all(project_uuid: str) -> None:
    from scanapp.cli.run import execute_and_report  # imported when run: see scanapp.cli

    pending = _pending_runs(project_uuid)
    if not pending:
        raise click.UsageError("The project has no pipeline to run.")
    for item in pending:
        click.echo(f"Start the {item.pipeline_name} pipeline execution...")
        execute_and_report(item.id, item.pipeline_name, quiet=True)
        click.echo(f"{item.pipeline_name} successfully executed on the project.")


@click.command("status")
@project_option
def status(project_uuid) -> None:
    """Print a project's inputs, its counts by status and its runs with their logs.

    Example: scanapp status --project demo
    """
    from scanapp.services.projects import project_detail  # see scanapp.cli

    view = project_detail(project_uuid)
    click.echo(f"{view.name}{' [archived]' if view.is_archived else ''}")
    click.echo(f"Create date: {view.created_date:%b %d %Y %H:%M}")
    click.echo("\nDatabase:")
    click.echo(f" - CodebaseResource: {view.resource_count}")
    for name, count in view.codebase_resources_summary.items():
        click.echo(f"   - {name or '(no status)'}: {count}")
    click.echo(f" - DiscoveredPackage: {view.package_count}")
    click.echo(f" - DiscoveredDependency: {view.dependency_count}")
    click.echo(f" - ProjectMessage: {view.message_count}")
    if view.input_sources:
        click.echo("\nInputs:")
        for source in view.input_sources:
            origin = ("[source=uploaded]" if source.is_uploaded
                      else f"[download_url={source.download_url}]")
            click.echo(f" - {source.filename} {origin}")
    if view.runs:
        click.echo("\nPipelines:")
        for item in view.runs:
            _echo_run(item, with_log=True)


def _echo_run(item, *, with_log: bool) -> None:
    line = f" [{item.status.upper()}] {item.pipeline_name}"
    seconds = execution_time(item)
    if seconds:
        line += f" (executed in {seconds} seconds)"
    click.echo(line)
    if with_log:
        for log_line in (item.log or "").rstrip("\n").splitlines():
            click.echo(f"   {log_line}")


@click.command("show-pipeline")
@project_option
def show_pipeline(project_uuid) -> None:
    """Print the project's pipelines with their status, in run order.

    Example: scanapp show-pipeline --project demo
    """
    from scanapp.services.projects import project_detail  # see scanapp.cli

    for item in project_detail(project_uuid).runs:
        _echo_run(item, with_log=False)


@click.command("list-pipelines")
@click.option("--verbose", "-v", is_flag=True, help="Also print each pipeline's steps.")
def list_pipelines(verbose) -> None:
    """Print every pipeline with its summary (and, with --verbose, its steps).

    Example: scanapp list-pipelines --verbose
    """
    from scanapp.services.runs import list_pipelines as pipelines  # see scanapp.cli

    for item in pipelines():
        note = "" if item.get("is_available", True) else f" [unavailable: "\
            f"{item.get('unavailable_reason')}]"
        click.echo(f"- {item['name']}{note}")
        click.echo(f"  {item['summary']}")
        if verbose:
            for step in item["steps"]:
                groups = f" {{{','.join(step['groups'])}}}" if step["groups"] else ""
                click.echo(f"   > {step['name']}{groups}")


@click.command("list-project")
@click.option("--search", default="", help="Only the projects whose name contains this.")
@click.option("--include-archived", is_flag=True, help="Include the archived projects.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def list_project(search, include_archived, as_json) -> None:
    """List projects: uuid, creation date and name.

    Example: scanapp list-project --search requests --json
    """
    from scanapp.services.projects import all_projects  # imported when run: see scanapp.cli

    migrate()
    for project in all_projects():
        if search.lower() not in project.name.lower():
            continue
        if project.is_archived and not include_archived:
            continue
        if as_json:
            click.echo(json.dumps({"uuid": project.uuid, "name": project.name,
                                   "created_date": project.created_date.isoformat()}))
        else:
            click.echo(f"{project.uuid}  {project.created_date:%Y-%m-%d %H:%M}  {project.name}")


def _confirm(no_input: bool, question: str) -> None:
    if no_input:
        return
    if not sys.stdin.isatty():
        raise click.UsageError("Confirmation needed: run in a terminal or pass --no-input.")
    click.confirm(question, abort=True)


def _no_input(function):
    return click.option("--no-input", is_flag=True,
                        help="Do not ask for confirmation.")(function)


@click.command("archive-project")
@project_option
@_no_input
@click.option("--remove-input", is_flag=True, help="Empty the input/ directory.")
@click.option("--remove-codebase", is_flag=True, help="Empty the codebase/ directory.")
@click.option("--remove-output", is_flag=True, help="Empty the output/ directory.")
def archive_project(project_uuid, no_input, remove_input, remove_codebase, remove_output) -> None:
    """Archive a project and empty the chosen work directories.

    Example: scanapp archive-project --project demo --remove-codebase --no-input
    """
    from scanapp.services import projects  # imported when run: see scanapp.cli

    _confirm(no_input, "Archive the project?")
    name = projects.archive_project(project_uuid, remove_input=remove_input,
                                    remove_codebase=remove_codebase, remove_output=remove_output)
    click.echo(f"The {name} project has been archived.")


@click.command("reset-project")
@project_option
@_no_input
@click.option("--remove-input", is_flag=True, help="Remove the inputs too.")
@click.option("--remove-webhook", is_flag=True, help="Remove the webhook subscriptions too.")
@click.option("--restore-pipelines", is_flag=True,
              help="Re-create the project's runs as not started.")
@click.option("--execute-now", is_flag=True, help="Queue the restored runs.")
def reset_project(project_uuid, no_input, remove_input, remove_webhook, restore_pipelines,
                  execute_now) -> None:
    """Delete a project's results and runs (inputs kept unless --remove-input).

    Example: scanapp reset-project --project demo --restore-pipelines --no-input
    """
    from scanapp.services import projects  # imported when run: see scanapp.cli

    _confirm(no_input, "Reset the project? Its results are deleted.")
    name = projects.reset_project(project_uuid, keep_input=not remove_input,
                                  keep_webhook=not remove_webhook,
                                  restore_pipelines=restore_pipelines, execute_now=execute_now)
    click.echo(f"The {name} project has been reset.")


@click.command("delete-project")
@project_option
@_no_input
def delete_project(project_uuid, no_input) -> None:
    """Delete a project, its results and its work directory.

    Example: scanapp delete-project --project demo --no-input
    """
    from scanapp.services import projects  # imported when run: see scanapp.cli

    _confirm(no_input, "Delete the project and its work directory?")
    projects.delete_project(project_uuid)
    click.echo("The project has been deleted.")
