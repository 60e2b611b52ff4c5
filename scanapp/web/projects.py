"""``/projects/``: the project list (search, filters, pages) and the create form."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from scanapp.errors import ScanappError
from scanapp.schemas.projects import ProjectSchema
from scanapp.services import projects as service
from scanapp.services.project_alerts import alert_counts
from scanapp.services.runs import list_pipelines
from scanapp.web.blueprint import caller, web
from scanapp.web.forms import project_request
from scanapp.web.paging import page_links

#: The list's filters: those of the API's project list a person types or picks.
FILTERS = ("name__contains", "label", "organization", "is_archived")


def _filters() -> dict:
    filters = {key: request.args.get(key, "").strip() for key in FILTERS}
    filters["label"] = [filters["label"]] if filters["label"] else []
    archived = filters.pop("is_archived")
    filters["is_archived"] = {"true": True, "false": False}.get(archived)
    return filters


@web.route("/projects/", methods=["GET"])
def projects():
    """List the projects the caller may see, newest first: last run, labels, alerts."""
    number = request.args.get("page", 1, type=int)
    found = service.list_projects(_filters(), number, caller())
    rows = ProjectSchema(many=True).dump(found.items)
    alerts = alert_counts([row["uuid"] for row in rows])
    return render_template("projects.html", projects=rows, page=found, alerts=alerts,
                           links=page_links(found), args=request.args)


@web.route("/projects/new", methods=["GET"])
def new_project():
    """Show the create form: uploads or URLs, pipelines with their groups, a webhook."""
    return render_template("project_new.html", pipelines=list_pipelines(), message="",
                           form={})


@web.route("/projects/new", methods=["POST"])
def create_project():
    """Create the project; on a refusal show the form again with the reason."""
    try:
        project = service.create_project(project_request(request.form, request.files, caller()))
    except ScanappError as error:
        return render_template("project_new.html", pipelines=list_pipelines(),
                               message=error.message, form=request.form), error.http_status
    return redirect(url_for("web.project", uuid=project.uuid), code=303)
