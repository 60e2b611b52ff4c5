"""Projects, their inputs and their runs, as the API lists and details them."""

from __future__ import annotations

from marshmallow import fields

from scanapp import __version__
from scanapp.lifecycle import execution_time
from scanapp.models import InputSource, Project, Run
from scanapp.schemas import scan_data as data
from scanapp.schemas.fields import AlwaysPresent, Open, View, base_url, computed, text_list
from scanapp.schemas.rows import RowSchema, WebhookSchema
from scanapp.workdir import workdir_for


def project_url(uuid: str) -> str:
    """Return the absolute URL of a project's detail."""
    return f"{base_url()}/api/projects/{uuid}/"


def run_url(uuid: str) -> str:
    """Return the absolute URL of a run's detail."""
    return f"{base_url()}/api/runs/{uuid}/"


def input_source_view(source: InputSource, project_slug: str) -> View:
    """Return an input with ``location``, its file in the project's input/ (None before)."""
    folder = workdir_for(project_slug).input
    return View(source, location=folder / source.filename if source.filename else None)


def run_view(run: Run, project_uuid: str) -> View:
    """Return a run with the uuid of its project (for its ``project`` URL)."""
    return View(run, project_uuid=project_uuid)


def _size(source) -> int | None:
    location = source.location
    return location.stat().st_size if location is not None and location.is_file() else None


class InputSourceSchema(AlwaysPresent):
    """An input of a project: a URL to fetch or an uploaded file (``size`` once on disk)."""

    uuid = fields.String()
    filename = fields.String()
    download_url = fields.String()
    is_uploaded = fields.Boolean()
    tag = fields.String()
    size = computed(fields.Integer, _size, allow_none=True)
    is_file = computed(fields.Boolean, lambda source: True)
    exists = computed(
        fields.Boolean, lambda source: bool(source.location and source.location.exists())
    )


class RunSchema(RowSchema):
    """A pipeline run: status, steps, log, timing and outcome (``task_exitcode``)."""

    class Meta(RowSchema.Meta):
        model = Run
        exclude = ("id", "project_id", "worker_name", "heartbeat")

    selected_groups = text_list()
    selected_steps = text_list()
    progress = Open(data.Progress, allow_none=True)
    url = computed(fields.String, lambda run: run_url(run.uuid))
    project = computed(fields.String, lambda run: project_url(run.project_uuid))
    scancodeio_version = computed(fields.String, lambda run: __version__)
    execution_time = computed(fields.Float, execution_time, allow_none=True)


class ProjectSchema(RowSchema):
    """A project as listed: identity, settings, inputs and runs."""

    class Meta(RowSchema.Meta):
        model = Project
        exclude = ("id", "slug", "organization_id", "created_by_id")

    labels = text_list()
    settings = fields.Dict(keys=fields.String())
    extra_data = fields.Dict(keys=fields.String())
    url = computed(fields.String, lambda project: project_url(project.uuid))
    input_sources = fields.List(fields.Nested(InputSourceSchema))
    runs = fields.List(fields.Nested(RunSchema))
    next_run = fields.String(allow_none=True)
    organization = fields.String(allow_none=True, metadata={
        "description": "The organization holding it; null: a personal project."})


class PackagesSummary(AlwaysPresent):
    """How many packages a project has."""

    total = fields.Integer()
    with_missing_resources = fields.Integer()
    with_modified_resources = fields.Integer()


class DependenciesSummary(AlwaysPresent):
    """How many dependencies a project has, runtime, optional and resolved."""

    total = fields.Integer()
    is_runtime = fields.Integer()
    is_optional = fields.Integer()
    is_resolved = fields.Integer()


def _counts() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer())


class ProjectCounts(AlwaysPresent):
    """The counts and summaries of a project (also a webhook payload's ``summary``)."""

    message_count = fields.Integer()
    resource_count = fields.Integer()
    package_count = fields.Integer()
    dependency_count = fields.Integer()
    relation_count = fields.Integer()
    codebase_resources_summary = _counts()
    discovered_packages_summary = fields.Nested(PackagesSummary)
    discovered_dependencies_summary = fields.Nested(DependenciesSummary)
    codebase_relations_summary = _counts()


class ProjectDetailSchema(ProjectSchema, ProjectCounts):
    """A project in full: also its counts, summaries and webhook subscriptions."""

    webhooks = fields.List(fields.Nested(WebhookSchema))
