"""``/api/projects/``: list, create, detail, delete and the project actions and lists."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator

from flask import Response, send_file, stream_with_context
from flask.views import MethodView

from scanapp.api.access import caller, project_role
from scanapp.api.arguments import (
    AddInputArguments,
    ArchiveArguments,
    FileContentArguments,
    ProjectCreateArguments,
    ProjectFilterArguments,
    ResetArguments,
    filter_arguments,
)
from scanapp.api.blueprint import Blueprint
from scanapp.api.pagination import page_response
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage, ProjectMessage
from scanapp.schemas.lists import ErrorSchema, FileContentSchema, StatusSchema, page_of
from scanapp.schemas.projects import ProjectDetailSchema, ProjectSchema
from scanapp.schemas.rows import DependencySchema, MessageSchema, PackageSchema, ResourceSchema
from scanapp.services import projects as service
from scanapp.services import records
from scanapp.services.events import record_event
from scanapp.services.inputs import split_values
from scanapp.services.projects import ProjectRequest

blp = Blueprint("projects", __name__, url_prefix="/api/projects", description="Projects")
#: Bytes read at a time when streaming a file's text.
CHUNK = 1024 * 1024


def _uploads(data: dict) -> list[tuple[object, str]]:
    tag = data["upload_file_tag"]
    return [(upload, tag) for upload in data["upload_file"]]


def _webhooks(data: dict) -> list[dict]:
    hooks = list(data["webhooks"])
    if data.get("webhook_url"):
        hooks.insert(0, {"target_url": data["webhook_url"]})
    return hooks


def _request(data: dict) -> ProjectRequest:
    return ProjectRequest(
        name=data["name"],
        input_urls=split_values(data["input_urls"]),
        uploads=_uploads(data),
        pipelines=[spec for spec in data["pipeline"] if spec.strip()],
        execute_now=data["execute_now"],
        labels=[label.strip() for label in data["labels"] if label.strip()],
        notes=data["notes"],
        settings=data["settings"],
        webhooks=_webhooks(data),
        organization=data["organization"].strip(),
        caller=caller(),
    )


@blp.route("/")
class Projects(MethodView):
    """The project list."""

    @blp.arguments(ProjectFilterArguments, location="query", as_kwargs=True)
    @blp.response(200, page_of(ProjectSchema))
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, page, **filters):
        """List projects (newest first) with ScanCode.io's filters: name, names, uuid, label..."""
        return page_response(service.list_projects(filters, page, caller()))

    @blp.arguments(ProjectCreateArguments, location="body")
    @blp.response(201, ProjectSchema)
    @blp.alt_response(413, schema=ErrorSchema)
    @blp.alt_response(503, schema=ErrorSchema)
    def post(self, data):
        """Create a project from input URLs and/or uploaded files, with pipelines to run."""
        project = service.create_project(_request(data))
        return service.project_detail(project.uuid, detail=False)


@blp.route("/<uuid:uuid>/")
class ProjectDetail(MethodView):
    """One project."""

    @project_role("member")
    @blp.response(200, ProjectDetailSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, uuid):
        """Return all information about a project, including its runs and counts."""
        return service.project_detail(str(uuid))

    @project_role("admin")
    @blp.response(204)
    @blp.alt_response(400, schema=ErrorSchema)
    @blp.alt_response(404, schema=ErrorSchema)
    def delete(self, uuid):
        """Delete a project, its data and its work directory."""
        service.delete_project(str(uuid))
        return ""


@blp.route("/<uuid:uuid>/add_input/", methods=["POST"])
@project_role("member")
@blp.arguments(AddInputArguments, location="body")
@blp.response(201, StatusSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(413, schema=ErrorSchema)
def add_input(data, uuid):
    """Add input URLs or uploaded files to a project whose runs have not started."""
    service.add_inputs(str(uuid), input_urls=split_values(data["input_urls"]),
                       uploads=_uploads(data))
    return {"status": "Input(s) added."}


@blp.route("/<uuid:uuid>/archive/", methods=["POST"])
@project_role("admin")
@blp.arguments(ArchiveArguments, location="body", required=False)
@blp.response(200, StatusSchema)
@blp.alt_response(404, schema=ErrorSchema)
def archive(data, uuid):
    """Archive a project and remove the selected work directories."""
    name = service.archive_project(str(uuid), **data)
    return {"status": f"The project {name} has been archived."}


@blp.route("/<uuid:uuid>/reset/", methods=["POST"])
@project_role("admin")
@blp.arguments(ResetArguments, location="body", required=False)
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(503, schema=ErrorSchema)
def reset(data, uuid):
    """Delete a project's runs and results; keep inputs, webhooks; restore and run pipelines."""
    name = service.reset_project(str(uuid), **data)
    return {"status": f"The {name} project has been reset."}


def _list(uuid, name: str, page: int, filters: dict) -> dict:
    return page_response(records.list_records(str(uuid), name, filters, page))


@blp.route("/<uuid:uuid>/errors/", methods=["GET"])
@project_role("member")
@blp.arguments(filter_arguments(ProjectMessage), location="query", as_kwargs=True)
@blp.response(200, page_of(MessageSchema))
@blp.alt_response(404, schema=ErrorSchema)
def errors(uuid, page, **filters):
    """List the messages (errors, warnings, infos) logged by the project's runs."""
    return _list(uuid, "messages", page, filters)


@blp.route("/<uuid:uuid>/messages/", methods=["GET"])
@project_role("member")
@blp.arguments(filter_arguments(ProjectMessage), location="query", as_kwargs=True)
@blp.response(200, page_of(MessageSchema))
@blp.alt_response(404, schema=ErrorSchema)
def messages(uuid, page, **filters):
    """List the same messages as ``errors/`` (ScanCode.io's own name for it)."""
    return _list(uuid, "messages", page, filters)


@blp.route("/<uuid:uuid>/packages/", methods=["GET"])
@project_role("member")
@blp.arguments(filter_arguments(DiscoveredPackage), location="query", as_kwargs=True)
@blp.response(200, page_of(PackageSchema))
@blp.alt_response(404, schema=ErrorSchema)
def packages(uuid, page, **filters):
    """List the project's packages; filter with ``?field=value``."""
    return _list(uuid, "packages", page, filters)


@blp.route("/<uuid:uuid>/resources/", methods=["GET"])
@project_role("member")
@blp.arguments(filter_arguments(CodebaseResource), location="query", as_kwargs=True)
@blp.response(200, page_of(ResourceSchema))
@blp.alt_response(404, schema=ErrorSchema)
def resources(uuid, page, **filters):
    """List the project's codebase resources; filter with ``?field=value``."""
    return _list(uuid, "resources", page, filters)


@blp.route("/<uuid:uuid>/dependencies/", methods=["GET"])
@project_role("member")
@blp.arguments(filter_arguments(DiscoveredDependency), location="query", as_kwargs=True)
@blp.response(200, page_of(DependencySchema))
@blp.alt_response(404, schema=ErrorSchema)
def dependencies(uuid, page, **filters):
    """List the project's dependencies; filter with ``?field=value``."""
    return _list(uuid, "dependencies", page, filters)


@blp.route("/<uuid:uuid>/file_content/", methods=["GET"])
@project_role("member")
@blp.arguments(FileContentArguments, location="query", as_kwargs=True)
@blp.response(200, FileContentSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(413, schema=ErrorSchema)
def file_content(uuid, path):
    """Return the text of a codebase file (``?path=``), streamed; over the limit, 413."""
    target = records.file_content(str(uuid), path)
    return Response(stream_with_context(_json_text(target)), mimetype="application/json")


def _json_text(location) -> Iterator[bytes]:
    """Yield ``{"file_content": "<the file as text>"}`` a chunk at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    yield b'{"file_content": "'
    with open(location, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield json.dumps(decoder.decode(chunk))[1:-1].encode()
    yield json.dumps(decoder.decode(b"", final=True))[1:-1].encode() + b'"}'


@blp.route("/<uuid:uuid>/file_download/", methods=["GET"])
@project_role("member")
@blp.arguments(FileContentArguments, location="query", as_kwargs=True)
@blp.response(200, description="The file's bytes, as an attachment.")
@blp.alt_response(404, schema=ErrorSchema)
def file_download(uuid, path):
    """Download a file of the project's codebase as it is (``?path=``), any size."""
    target = records.codebase_file(str(uuid), path)
    record_event("download.file", project_uuid=str(uuid), path=path)
    return send_file(target, mimetype="application/octet-stream", as_attachment=True)
