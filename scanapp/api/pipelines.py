"""``/api/pipelines/`` (and ``/api/projects/pipelines/``, where ScanCode.io clients look)."""

from __future__ import annotations

from scanapp.api.blueprint import Blueprint
from scanapp.schemas.pipelines import PipelineSchema
from scanapp.services.runs import list_pipelines

blp = Blueprint("pipelines", __name__, url_prefix="/api", description="Pipelines")


@blp.route("/pipelines/", methods=["GET"])
@blp.response(200, PipelineSchema(many=True))
def pipelines():
    """List the pipelines: name, summary, description, steps and available groups."""
    return list_pipelines()


@blp.route("/projects/pipelines/", methods=["GET"], endpoint="project_pipelines")
@blp.response(200, PipelineSchema(many=True))
def project_pipelines():
    """List the pipelines, like ``/api/pipelines/`` (the path ScanCode.io clients call)."""
    return list_pipelines()
