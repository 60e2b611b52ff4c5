"""``/projects/<uuid>/resources/``: the codebase tree, a directory's children or a file.

A directory lists its direct children a page at a time (``services.tree``); a file shows
its facts and its text with the lines of its license and copyright detections marked, read
through ``records.file_content`` (which refuses a file over its limit: a link to download
it is shown instead). Paths come from the URL: the services find them among the project's
resources and inside its codebase, or answer 404.
"""

from __future__ import annotations

from flask import request, send_file

from scanapp.errors import ScanappError
from scanapp.schemas.rows import PackageSchema, ResourceSchema
from scanapp.services import records, tree
from scanapp.services.events import record_event
from scanapp.web.blueprint import require_project, web
from scanapp.web.paging import page_links
from scanapp.web.source import numbered_lines
from scanapp.web.tabs import tab_page


def breadcrumbs(path: str) -> list[tuple[str, str]]:
    """Return (name, path) of each directory from the root down to ``path``."""
    parts = [part for part in path.split("/") if part]
    return [(part, "/".join(parts[:index + 1])) for index, part in enumerate(parts)]


def _directory(uuid, path: str):
    found = tree.directory_page(str(uuid), path, request.args.get("page", 1, type=int))
    return tab_page(uuid, "resources.html", "resources", path=path, crumbs=breadcrumbs(path),
                    children=ResourceSchema(many=True).dump(found.items),
                    links=page_links(found))


def _file(uuid, facts):
    resource = ResourceSchema().dump(facts)
    lines, message = [], ""
    try:
        lines = numbered_lines(records.file_content(str(uuid), facts.path), resource)
    except ScanappError as error:  # over the size limit, or not in the codebase
        message = error.message
    return tab_page(uuid, "resource_file.html", "resources", path=facts.path,
                    crumbs=breadcrumbs(facts.path), resource=resource, lines=lines,
                    message=message, packages=PackageSchema(many=True).dump(facts.packages))


@web.route("/projects/<uuid:uuid>/resources/", methods=["GET"])
@web.route("/projects/<uuid:uuid>/resources/<path:path>", methods=["GET"])
def project_resources(uuid, path=""):
    """Show a directory of the codebase (its children) or a file (its facts and text)."""
    require_project(str(uuid))
    path = path.strip("/")
    if not path:
        return _directory(uuid, "")
    facts = tree.file_facts(str(uuid), path)
    return _directory(uuid, path) if facts.type == "directory" else _file(uuid, facts)


@web.route("/projects/<uuid:uuid>/raw/<path:path>", methods=["GET"])
def resource_download(uuid, path):
    """Download a file of the project's codebase as it is, any size."""
    require_project(str(uuid))
    target = records.codebase_file(str(uuid), path)
    record_event("download.file", project_uuid=str(uuid), path=path)
    return send_file(target, mimetype="application/octet-stream", as_attachment=True)
