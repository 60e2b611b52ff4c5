"""``/projects/<uuid>/downloads``: a link for every output format and version, and their files.

``/projects/<uuid>/download/<format>?version=`` renders the format as
``GET /api/projects/<uuid>/results_download/`` does (``services.outputs``), and sends it as an
attachment with the format's content type: a link that works with the session's sign-in.
"""

from __future__ import annotations

from pathlib import Path

from flask import request, send_file

from outputs.formats import DOWNLOADS
from scanapp.services import outputs as service
from scanapp.services.events import record_event
from scanapp.web.blueprint import require_project, web
from scanapp.web.tabs import tab_page


def _send(path: Path, fmt):
    """Send an output; one not kept in output/ (all_outputs) is unlinked once open."""
    source = path
    if not fmt.kept:
        source = open(path, "rb")  # noqa: SIM115 - closed by the response
        path.unlink(missing_ok=True)
    return send_file(source, mimetype=fmt.content_type, as_attachment=True,
                     download_name=path.name)


@web.route("/projects/<uuid:uuid>/downloads", methods=["GET"])
def project_downloads(uuid):
    """List the output formats, each with its versions, as download links."""
    require_project(str(uuid))
    return tab_page(uuid, "downloads.html", "downloads", formats=list(DOWNLOADS.values()))


@web.route("/projects/<uuid:uuid>/download/<output_format>", methods=["GET"])
def project_download(uuid, output_format):
    """Render an output format of the project (``?version=``) and send it as a file."""
    require_project(str(uuid))
    version = request.args.get("version") or None
    service.check_download(output_format, version)
    path = service.write_output(str(uuid), output_format, version=version)
    record_event("download.results", project_uuid=str(uuid), output_format=output_format,
                 version=version)
    return _send(path, DOWNLOADS[output_format])
