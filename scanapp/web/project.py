"""``/projects/<uuid>/``: a project's inputs, runs (live), log and errors, and its actions.

The runs part is also its own fragment (``runs``), which the page script fetches every two
seconds while a run is queued or running; without JavaScript the page reloads itself.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from scanapp.schemas.projects import ProjectDetailSchema
from scanapp.schemas.rows import MessageSchema
from scanapp.services import projects as service
from scanapp.services import records, runs
from scanapp.services.runs import list_pipelines
from scanapp.statuses import RunStatus
from scanapp.web.blueprint import require_project, require_run, web
from scanapp.web.forms import pipeline_specs

#: Run statuses that may still change: the page refreshes while a run has one.
LIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


def project_values(uuid: str) -> dict:
    """Return the project (as the API details it) and whether a run is live."""
    require_project(uuid)
    project = ProjectDetailSchema().dump(service.project_detail(uuid))
    live = any(run["status"] in LIVE for run in project["runs"])
    return {"project": project, "live": live}


@web.route("/projects/<uuid:uuid>/", methods=["GET"])
def project(uuid):
    """Show a project: inputs, runs with progress and buttons, its log and errors."""
    values = project_values(str(uuid))
    messages = records.list_records(str(uuid), "messages", {}, 1)
    return render_template("project.html", tab="overview", pipelines=list_pipelines(),
                           messages=MessageSchema(many=True).dump(messages.items),
                           message_count=messages.count, **values)


@web.route("/projects/<uuid:uuid>/runs", methods=["GET"])
def project_runs(uuid):
    """Render the runs part of the project page alone (fetched while a run is live)."""
    return render_template("_runs.html", **project_values(str(uuid)))


@web.route("/projects/<uuid:uuid>/add_pipeline", methods=["POST"])
def add_pipeline(uuid):
    """Add the pipelines ticked (with their groups) to the project; run them if asked."""
    require_project(str(uuid))
    execute = request.form.get("execute_now") == "on"
    for spec in pipeline_specs(request.form):
        runs.add_pipeline(str(uuid), spec, execute_now=execute)
    return redirect(url_for("web.project", uuid=uuid), code=303)


@web.route("/runs/<uuid:uuid>/<any(start, stop, delete):action>", methods=["POST"])
def run_action(uuid, action):
    """Start, stop or delete a run, then show its project again."""
    require_run(str(uuid))
    project_uuid = runs.run_detail(str(uuid)).project_uuid
    {"start": runs.start_run, "stop": runs.stop_run, "delete": runs.delete_run}[action](str(uuid))
    return redirect(url_for("web.project", uuid=project_uuid), code=303)


@web.route("/projects/<uuid:uuid>/delete", methods=["POST"])
def delete_project(uuid):
    """Delete the project, its data and its work directory; back to the list."""
    require_project(str(uuid), "admin")
    service.delete_project(str(uuid))
    return redirect(url_for("web.projects"), code=303)
