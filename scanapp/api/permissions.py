"""A project's permissions and organization: ``/api/projects/{uuid}/permissions/``, ``move/``."""

from __future__ import annotations

from scanapp.api.access import caller, project_role
from scanapp.api.arguments import MoveArguments, PermissionArguments
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.lists import ErrorSchema, StatusSchema
from scanapp.schemas.organizations import PermissionSchema
from scanapp.services import project_permissions as service

blp = Blueprint("permissions", __name__, url_prefix="/api/projects",
                description="Project permissions")


@blp.route("/<uuid:uuid>/permissions/", methods=["GET"])
@project_role("admin")
@blp.response(200, PermissionSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def list_permissions(uuid):
    """List the users with a permission on the project (``blocked``, ``member``, ``admin``)."""
    return service.list_permissions(str(uuid))


@blp.route("/<uuid:uuid>/permissions/", methods=["POST"])
@project_role("admin")
@blp.arguments(PermissionArguments(many=True), location="body")
@blp.response(200, PermissionSchema(many=True))
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def set_permissions(items, uuid):
    """Set one ``{user_query, permission_level}`` or a list, all or none; return them all.

    ``blocked`` hides the project from the user whatever their role, ``member`` and ``admin``
    grant that role on it (to a user outside its organization too), ``default`` removes the
    user's permission (their organization role applies).
    """
    return service.set_permissions(str(uuid), items, caller())


@blp.route("/<uuid:uuid>/move/", methods=["POST"])
@project_role("admin")
@blp.arguments(MoveArguments, location="body")
@blp.response(200, StatusSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def move(data, uuid):
    """Move the project to an organization you are an admin of, or null: your personal one."""
    service.move_project(str(uuid), data["organization"], caller())
    name = data["organization"]
    return {"status": f"The project is now held by {name}." if name
            else "The project is now a personal project."}
