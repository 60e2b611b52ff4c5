"""``/api/runs/<uuid>/`` with its actions, and ``/api/projects/<uuid>/add_pipeline/``."""

from __future__ import annotations

from scanapp.api.access import project_role, run_role
from scanapp.api.arguments import AddPipelineArguments
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.lists import ErrorSchema, StatusSchema
from scanapp.schemas.projects import RunSchema
from scanapp.services import runs as service

blp = Blueprint("runs", __name__, url_prefix="/api", description="Pipeline runs")


@blp.route("/projects/<uuid:uuid>/add_pipeline/", methods=["POST"])
@project_role("member")
@blp.arguments(AddPipelineArguments, location="body")
@blp.response(201, StatusSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(503, schema=ErrorSchema)
def add_pipeline(data, uuid):
    """Add a pipeline (``"name:G1,G2"``) to a project; ``execute_now`` starts it."""
    service.add_pipeline(str(uuid), data["pipeline"].strip(), execute_now=data["execute_now"])
    return {"status": "Pipeline added."}


@blp.route("/runs/<uuid:uuid>/", methods=["GET"])
@run_role("member")
@blp.response(200, RunSchema)
@blp.alt_response(404, schema=ErrorSchema)
def run_detail(uuid):
    """Return all information about a pipeline run."""
    return service.run_detail(str(uuid))


@blp.route("/runs/<uuid:uuid>/start_pipeline/", methods=["POST"])
@run_role("member")
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(503, schema=ErrorSchema)
def start_pipeline(uuid):
    """Send a not started run to the task queue (its earlier runs must have ended)."""
    run = service.start_run(str(uuid))
    return {"status": f"Pipeline {run.pipeline_name} started."}


@blp.route("/runs/<uuid:uuid>/stop_pipeline/", methods=["POST"])
@run_role("member")
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def stop_pipeline(uuid):
    """Stop a running run: its job is killed and the run marked stopped."""
    run = service.stop_run(str(uuid))
    return {"status": f"Pipeline {run.pipeline_name} stopped."}


@blp.route("/runs/<uuid:uuid>/delete_pipeline/", methods=["POST"])
@run_role("member")
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def delete_pipeline(uuid):
    """Delete a not started or queued run; its job leaves the queue."""
    run = service.delete_run(str(uuid))
    return {"status": f"Pipeline {run.pipeline_name} deleted."}
