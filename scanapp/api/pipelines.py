"""``/api/pipelines/`` (and ``/api/projects/pipelines/``, where ScanCode.io clients look)."""

from __future__ import annotations

from flask_smorest import Blueprint

from scanapp.registry import get_registry

blp = Blueprint("pipelines", __name__, url_prefix="/api", description="Pipelines")


@blp.route("/pipelines/", methods=["GET"])
@blp.response(200)
def pipelines():
    """List the pipelines: name, summary, description, steps and available groups."""
    return _pipeline_list()


@blp.route("/projects/pipelines/", methods=["GET"], endpoint="project_pipelines")
@blp.response(200)
def project_pipelines():
    """List the pipelines, like ``/api/pipelines/`` (the path ScanCode.io clients call)."""
    return _pipeline_list()


def _pipeline_list() -> list[dict]:
    return [pipeline.info() for pipeline in get_registry().values()]
