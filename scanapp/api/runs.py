"""``/api/runs/<uuid>/`` with its actions, and ``/api/projects/<uuid>/add_pipeline/``."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields

from scanapp import serializers
from scanapp.api.body import read_body
from scanapp.api.schemas import ApiErrorSchema, ResponseSchema, StatusSchema
from scanapp.db import session_scope
from scanapp.errors import InvalidInputError
from scanapp.models import Project
from scanapp.services import runs as service

blp = Blueprint("runs", __name__, url_prefix="/api", description="Pipeline runs")


class AddPipelineSchema(Schema):
    """Fields accepted by ``add_pipeline/``."""

    class Meta:
        unknown = EXCLUDE

    pipeline = fields.String(load_default="")
    execute_now = fields.Boolean(load_default=False)


class RunSchema(ResponseSchema):
    """A run (documentation of the main fields; more are present)."""

    url = fields.String()
    pipeline_name = fields.String()
    status = fields.String()
    description = fields.String()
    project = fields.String()
    uuid = fields.String()
    created_date = fields.String()
    task_exitcode = fields.Integer(allow_none=True)
    execution_time = fields.Float(allow_none=True)


def _base_url() -> str:
    return request.host_url.rstrip("/")


@blp.route("/projects/<uuid:uuid>/add_pipeline/", methods=["POST"])
@blp.doc(requestBody={"content": {
    "application/json": {"schema": AddPipelineSchema},
    "multipart/form-data": {"schema": AddPipelineSchema},
}})
@blp.response(201, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(503, schema=ApiErrorSchema)
def add_pipeline(uuid):
    """Add a pipeline (``"name:G1,G2"``) to a project; ``execute_now`` starts it."""
    data = read_body(AddPipelineSchema())
    spec = data["pipeline"].strip()
    if not spec:
        raise InvalidInputError("Pipeline required.", errors={"pipeline": ["Pipeline required."]})
    service.add_pipeline(str(uuid), spec, execute_now=data["execute_now"])
    return {"status": "Pipeline added."}


@blp.route("/runs/<uuid:uuid>/", methods=["GET"])
@blp.response(200, RunSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def run_detail(uuid):
    """Return all information about a pipeline run."""
    with session_scope() as session:
        run = service.get_run(session, str(uuid))
        project = session.get(Project, run.project_id)
        return serializers.run(run, _base_url(), project.uuid)


@blp.route("/runs/<uuid:uuid>/start_pipeline/", methods=["POST"])
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(503, schema=ApiErrorSchema)
def start_pipeline(uuid):
    """Send a not started run to the task queue (its earlier runs must have ended)."""
    run = service.start_run(str(uuid))
    return {"status": f"Pipeline {run.pipeline_name} started."}


@blp.route("/runs/<uuid:uuid>/stop_pipeline/", methods=["POST"])
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def stop_pipeline(uuid):
    """Stop a running run: its job is killed and the run marked stopped."""
    run = service.stop_run(str(uuid))
    return {"status": f"Pipeline {run.pipeline_name} stopped."}


@blp.route("/runs/<uuid:uuid>/delete_pipeline/", methods=["POST"])
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def delete_pipeline(uuid):
    """Delete a not started or queued run; its job leaves the queue."""
    run = service.delete_run(str(uuid))
    return {"status": f"Pipeline {run.pipeline_name} deleted."}
