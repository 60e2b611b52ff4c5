"""What every project tab renders with: the project, after checking the caller may see it."""

from __future__ import annotations

from flask import render_template

from scanapp.schemas.projects import ProjectSchema
from scanapp.services.projects import project_detail
from scanapp.web.blueprint import require_project

#: The tabs' pages below ``/projects/<uuid>/`` (the tests check each refuses a stranger;
#: each reads a bounded number of rows: a page of a list, or stored counts).
TAB_PAGES = ("charts", "resources/", "packages", "dependencies", "downloads", "webhooks")


def tab_page(uuid, template: str, tab: str, **values):
    """Render ``template`` as the project's tab ``tab``: 404 for a project the caller can't see.

    The project is read as the API lists it (no counts: a tab shows its own).
    """
    require_project(str(uuid))
    project = ProjectSchema().dump(project_detail(str(uuid), detail=False))
    return render_template(template, tab=tab, project=project, **values)
