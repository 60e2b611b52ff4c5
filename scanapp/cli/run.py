"""``scanapp run``: the one-shot scan, in this process, on the embedded default set-up."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import click

from outputs.formats import FORMATS, versions_text
from scanapp.cli.options import split_tag
from scanapp.db import migrate
from scanapp.lifecycle import execution_time
from scanapp.models import Run, RunStatus
from scanapp.policies import FAIL_LEVELS


def register(group: click.Group) -> None:
    """Add this module's command to the CLI group."""
    group.add_command(run)


@click.command("run")
@click.argument("pipeline")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--pipeline", "more", multiple=True, metavar="NAME[:G1,G2]",
              help="Another pipeline to run after the first (repeatable).")
@click.option("--format", "output_format", type=click.Choice(list(FORMATS)), default="json",
              show_default=True, help="Output format.")
@click.option("--format-version", default=None,
              help=f"Output spec version ({versions_text()}).")
@click.option("--output", "output", default="-", show_default=True,
              help="File to write the output to; - for standard output.")
@click.option("--name", default=None, help="Project name (default: first input and a timestamp).")
@click.option("--fail-level", type=click.Choice(list(FAIL_LEVELS), case_sensitive=False),
              default=None,
              help="Exit 1 when compliance alerts reach this level (a CI gate).")
@click.option("--quiet", is_flag=True, help="No progress on standard error.")
def run(pipeline, inputs, more, output_format, format_version, output, name, fail_level, quiet):
    r"""Scan INPUTS (files, directories or URLs) with PIPELINE[:groups] and write the result.

    Creates a project, runs the pipelines one after the other in this process (no Redis
    or worker needed) and writes the chosen output. A local input may carry a tag as
    ``path#tag`` (e.g. ``app.jar#to``). Exits 1 when a pipeline fails.

    \b
    Example:
      scanapp run scan_single_package dist/pkg-1.0.tar.gz --output result.json
      scanapp run scan_codebase src/ --format spdx --output sbom.spdx.json --fail-level ERROR
    """
    from scanapp.services import runs  # imported when run: see scanapp.cli

    _check_output(output)
    migrate()
    project = _create_project(name or _default_name(inputs[0]), [pipeline, *more], inputs)
    for item in runs.project_runs(project.id):
        execute_and_report(item.id, item.pipeline_name, quiet)
    write_result(project.uuid, output_format, format_version, output)
    if fail_level:
        _gate(project.uuid, fail_level.upper())


def _check_output(output: str) -> None:
    """Refuse an ``--output`` that cannot be written, before scanning for minutes."""
    if output == "-":
        return
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    problem = ""
    if target.is_dir():
        problem = "is a directory"
    elif not folder.is_dir():
        problem = f"{folder} is not an existing directory"
    elif not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        problem = "cannot be written"
    if problem:
        raise click.BadParameter(f"{output}: {problem}", param_hint="--output")


def _default_name(first_input: str) -> str:
    base = first_input.rstrip("/").split("#", 1)[0].rsplit("/", 1)[-1] or "scan"
    return f"{base[:60]}-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}"


def _split_local(item: str) -> tuple[Path, str] | None:
    """Return (path, tag) when ``item`` is a local path, optionally suffixed ``#tag``."""
    if "://" in item or item.startswith("pkg:"):
        return None
    path, tag = split_tag(item, "#")
    if not path.exists():
        raise click.BadParameter(f"{item}: no such file or directory", param_hint="INPUTS")
    return path, tag


def _create_project(name: str, pipelines: list[str], inputs: tuple[str, ...]):
    from scanapp.services.projects import ProjectRequest, create_project  # see scanapp.cli

    urls, uploads = [], []
    for item in inputs:
        local = _split_local(item)
        if local is None:
            urls.append(item)
        else:
            uploads.append(local)
    request = ProjectRequest(name=name, input_urls=urls, uploads=uploads, pipelines=pipelines)
    project = create_project(request)
    click.echo(f"Project {project.name} ({project.uuid})", err=True)
    return project


def execute_and_report(run_id: int, pipeline_name: str, quiet: bool) -> None:
    """Execute a run in this process (progress on standard error); exit 1 if it fails."""
    from scanapp.services import runs  # imported when run: see scanapp.cli

    display = None if quiet else _Progress(run_id, pipeline_name)
    if display:
        display.start()
    try:
        code = runs.execute_in_process(run_id)
    finally:
        if display:
            display.stop()
    if code != 0:
        _fail(run_id, pipeline_name)


def _fail(run_id: int, pipeline_name: str) -> None:
    from scanapp.services.runs import load_run  # imported when run: see scanapp.cli

    item = load_run(run_id)
    output, status = item.task_output.strip(), item.status
    last = output.splitlines()[-1] if output else f"status {status}"
    click.echo(f"Error: pipeline {pipeline_name} failed: {last}", err=True)
    if output:
        click.echo(output, err=True)
    sys.exit(1)


def write_result(project_uuid: str, output_format: str, version: str | None, output: str) -> None:
    """Render the output into the project's output/ and copy it to ``output`` (- = stdout)."""
    from scanapp.services.outputs import write_output  # imported when run: see scanapp.cli

    path = write_output(project_uuid, output_format, version=version)
    if output == "-":
        with open(path, "rb") as source:
            shutil.copyfileobj(source, sys.stdout.buffer)
        sys.stdout.flush()
    else:
        shutil.copyfile(path, output)
        click.echo(f"{output_format} output written to {output}", err=True)


def _gate(project_uuid: str, fail_level: str) -> None:
    from scanapp.services.compliance import compliance_alerts  # see scanapp.cli

    alerts = compliance_alerts(project_uuid, fail_level)
    for kind, groups in alerts.items():
        for severity, items in groups.items():
            for item in items:
                click.echo(f"compliance {severity}: {kind[:-1]} {item}", err=True)
    if any(items for groups in alerts.values() for items in groups.values()):
        click.echo(f"Compliance alerts reach the {fail_level} level.", err=True)
        sys.exit(1)


class _Progress:
    """Show the run's current step and file progress on standard error while it runs."""

    INTERVAL = 0.5

    def __init__(self, run_id: int, pipeline_name: str):
        from scanapp.services.runs import load_run  # imported when run: see scanapp.cli

        self.load_run = load_run
        self.run_id, self.pipeline_name = run_id, pipeline_name
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.last = ""
        self.tty = sys.stderr.isatty()

    def start(self) -> None:
        """Start polling the run."""
        self.thread.start()

    def stop(self) -> None:
        """Stop polling and print the final state."""
        self.stopped.set()
        self.thread.join()
        self._show(final=True)

    def _loop(self) -> None:
        while not self.stopped.wait(self.INTERVAL):
            self._show()

    def _show(self, final: bool = False) -> None:
        line = self._line(self.load_run(self.run_id))
        if line == self.last and not final:
            return
        if self.tty:
            sys.stderr.write("\r\033[K" + line + ("\n" if final else ""))
        elif final or line.split("]")[0] != self.last.split("]")[0]:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.last = line

    def _line(self, item: Run) -> str:
        if item.status in RunStatus.ENDED:
            return f"[{self.pipeline_name}] {item.status} in {execution_time(item)} s"
        line = f"[{self.pipeline_name} {item.current_step or item.status}]"
        progress = item.progress or {}
        if progress.get("total"):
            line += f" {progress['done']}/{progress['total']} files"
            if progress.get("eta") is not None:
                line += f", {progress['rate']}/s, eta {progress['eta']} s"
        return line
