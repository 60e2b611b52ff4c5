"""``/api/``: the map of the top-level endpoints, as ScanCode.io's DRF router root answers."""

from __future__ import annotations

from scanapp.api.blueprint import Blueprint
from scanapp.schemas.fields import base_url
from scanapp.schemas.lists import ApiRootSchema

blp = Blueprint("root", __name__, url_prefix="/api", description="API root")

#: Key -> path of each top-level endpoint (ScanCode.io's root has ``projects``; it lists no
#: ``runs`` because there is no run list, and neither is there here).
ENDPOINTS = {
    "projects": "/api/projects/",
    "pipelines": "/api/pipelines/",
    "health": "/api/health/",
    "ready": "/api/ready/",
    "openapi": "/api/openapi.json",
    "docs": "/api/docs/",
}


@blp.route("/", methods=["GET"])
@blp.response(200, ApiRootSchema)
def api_root():
    """List the top-level endpoints with their absolute URLs."""
    return {key: f"{base_url()}{path}" for key, path in ENDPOINTS.items()}
