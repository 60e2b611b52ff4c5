"""``/api/projects/``: list, create, detail, delete and the project actions."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlmodel import select

from scanapp import serializers
from scanapp.api.body import read_body
from scanapp.api.filters import apply_filters
from scanapp.api.pagination import paginate
from scanapp.api.schemas import (
    AddInputSchema,
    ApiErrorSchema,
    ArchiveSchema,
    FileContentSchema,
    PageSchema,
    PaginatedSchema,
    ProjectCreateSchema,
    ProjectFilterSchema,
    ProjectSchema,
    StatusSchema,
)
from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.models import (
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    Project,
    ProjectMessage,
)
from scanapp.services import projects as service
from scanapp.services.listing import filter_projects
from scanapp.services.lookup import get_project
from scanapp.services.projects import ProjectRequest
from scanapp.workdir import resolve_inside, workdir_for

blp = Blueprint("projects", __name__, url_prefix="/api/projects", description="Projects")

ERRORS = {400: ApiErrorSchema, 404: ApiErrorSchema}


def base_url() -> str:
    """Return the scheme and host the client used, for absolute URLs."""
    return request.host_url.rstrip("/")


def _form_doc(schema) -> dict:
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": schema},
            }
        }
    }


def _uploads() -> list[tuple[object, str]]:
    tag = request.form.get("upload_file_tag", "")
    return [(upload, tag) for upload in request.files.getlist("upload_file") if upload.filename]


def _webhooks(data: dict) -> list[dict]:
    hooks = list(data.get("webhooks") or [])
    if data.get("webhook_url"):
        hooks.insert(0, {"target_url": data["webhook_url"]})
    return hooks


@blp.route("/")
class Projects(MethodView):
    """The project list."""

    @blp.arguments(ProjectFilterSchema, location="query", as_kwargs=True)
    @blp.response(200, PaginatedSchema)
    @blp.alt_response(400, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, **filters):
        """List projects, filtered by name, name__contains, uuid, is_archived or label."""
        base = base_url()
        with session_scope() as session:
            statement = filter_projects(select(Project), filters).order_by(
                Project.created_date.desc(), Project.id.desc()
            )
            return paginate(
                session, statement, lambda p: serializers.project(session, p, base, detail=False)
            )

    @blp.doc(**_form_doc(ProjectCreateSchema))
    @blp.response(201, ProjectSchema)
    @blp.alt_response(400, schema=ApiErrorSchema)
    @blp.alt_response(413, schema=ApiErrorSchema)
    def post(self):
        """Create a project from input URLs and/or an uploaded file, with pipelines to run."""
        list_fields = ("input_urls", "pipeline", "labels")
        data = read_body(ProjectCreateSchema(), list_fields)
        project = service.create_project(
            ProjectRequest(
                name=data["name"],
                input_urls=service_split(data["input_urls"]),
                uploads=_uploads(),
                pipelines=[p for p in data["pipeline"] if p.strip()],
                execute_now=data["execute_now"],
                labels=[label.strip() for label in data["labels"] if label.strip()],
                notes=data["notes"],
                settings=data["settings"],
                webhooks=_webhooks(data),
            )
        )
        with session_scope() as session:
            stored = session.get(Project, project.id)
            return serializers.project(session, stored, base_url(), detail=False)


def service_split(values: list[str]) -> list[str]:
    """Input URLs may be given one per list item or whitespace-separated."""
    from scanapp.services.inputs import split_values

    return split_values(values)


@blp.route("/<uuid:uuid>/")
class ProjectDetail(MethodView):
    """One project."""

    @blp.response(200, ProjectSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, uuid):
        """Return all information about a project, including its runs."""
        with session_scope() as session:
            return serializers.project(session, get_project(session, uuid), base_url())

    @blp.response(204)
    @blp.alt_response(400, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def delete(self, uuid):
        """Delete a project, its data and its work directory."""
        service.delete_project(str(uuid))
        return ""


@blp.route("/<uuid:uuid>/add_input/", methods=["POST"])
@blp.doc(**_form_doc(AddInputSchema))
@blp.response(201, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(413, schema=ApiErrorSchema)
def add_input(uuid):
    """Add input URLs or an uploaded file to a project whose runs have not started."""
    data = read_body(AddInputSchema(), ("input_urls",))
    service.add_inputs(str(uuid), input_urls=service_split(data["input_urls"]), uploads=_uploads())
    return {"status": "Input(s) added."}


@blp.route("/<uuid:uuid>/archive/", methods=["POST"])
@blp.doc(**_form_doc(ArchiveSchema))
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def archive(uuid):
    """Archive a project and remove the selected work directories."""
    data = read_body(ArchiveSchema())
    name = service.archive_project(str(uuid), **data)
    return {"status": f"The project {name} has been archived."}


@blp.route("/<uuid:uuid>/reset/", methods=["POST"])
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def reset(uuid):
    """Delete all data of a project except its inputs."""
    name = service.reset_project(str(uuid))
    return {"status": f"All data, except inputs, for the {name} project have been removed."}


def _project_list(uuid, model, serialize, order):
    with session_scope() as session:
        project = get_project(session, uuid)
        statement = select(model).where(model.project_id == project.id)
        statement = apply_filters(statement, model, request.args).order_by(*order)
        return paginate(session, statement, serialize)


def _messages(uuid):
    order = (ProjectMessage.created_date, ProjectMessage.id)
    return _project_list(uuid, ProjectMessage, serializers.message, order)


@blp.route("/<uuid:uuid>/errors/", methods=["GET"])
@blp.arguments(PageSchema, location="query", as_kwargs=True)
@blp.response(200, PaginatedSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def errors(uuid, **_):
    """List the messages (errors, warnings, infos) logged by the project's runs."""
    return _messages(uuid)


@blp.route("/<uuid:uuid>/messages/", methods=["GET"])
@blp.arguments(PageSchema, location="query", as_kwargs=True)
@blp.response(200, PaginatedSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def messages(uuid, **_):
    """List the same messages as ``errors/`` (ScanCode.io's own name for it)."""
    return _messages(uuid)


@blp.route("/<uuid:uuid>/packages/", methods=["GET"])
@blp.arguments(PageSchema, location="query", as_kwargs=True)
@blp.response(200, PaginatedSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def packages(uuid, **_):
    """List the project's packages; filter with ``?field=value``."""
    order = (DiscoveredPackage.type, DiscoveredPackage.namespace, DiscoveredPackage.name,
             DiscoveredPackage.version, DiscoveredPackage.id)
    return _project_list(uuid, DiscoveredPackage, serializers.package, order)


@blp.route("/<uuid:uuid>/resources/", methods=["GET"])
@blp.arguments(PageSchema, location="query", as_kwargs=True)
@blp.response(200, PaginatedSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def resources(uuid, **_):
    """List the project's codebase resources; filter with ``?field=value``."""
    return _project_list(uuid, CodebaseResource, serializers.resource, (CodebaseResource.path,))


@blp.route("/<uuid:uuid>/dependencies/", methods=["GET"])
@blp.arguments(PageSchema, location="query", as_kwargs=True)
@blp.response(200, PaginatedSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def dependencies(uuid, **_):
    """List the project's dependencies; filter with ``?field=value``."""
    order = (DiscoveredDependency.id,)
    return _project_list(uuid, DiscoveredDependency, serializers.dependency, order)


@blp.route("/<uuid:uuid>/file_content/", methods=["GET"])
@blp.arguments(FileContentSchema, location="query", as_kwargs=True)
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def file_content(uuid, path):
    """Return the text of a file of the project's codebase (``?path=``)."""
    with session_scope() as session:
        project = get_project(session, uuid)
        codebase = workdir_for(project.slug).codebase
    target = resolve_inside(codebase, path)
    if target is None or not target.is_file():
        raise NotFoundError("File not found.")
    return {"file_content": target.read_text(encoding="utf-8", errors="replace")}
