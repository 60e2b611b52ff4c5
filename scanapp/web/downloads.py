"""``/projects/<uuid>/downloads``: a link for every output format and version, and their files.

``/projects/<uuid>/download/<format>?version=`` renders the format as
``GET /api/projects/<uuid>/results_download/`` does (``services.outputs``), and sends it as an
attachment with the format's content type: a link that works with the session's sign-in.
"""

from __future__ import annotations

from flask import request, send_file

from outputs.formats import DOWNLOADS
from scanapp.services import outputs as service
from scanapp.web.blueprint import require_project, web
from scanapp.web.tabs import tab_page


@web.route("/projects/<uuid:uuid>/downloads", methods=["GET"])
def project_downloads(uuid):
    """List the output formats, each with its versions, as download links."""
    return tab_page(uuid, "downloads.html", "downloads", formats=list(DOWNLOADS.values()))


@web.route("/projects/<uuid:uuid>/download/<output_format>", methods=["GET"])
def project_download(uuid, output_format):
    """Render an output format of the project (``?version=``) and send it as a file."""
    require_project(str(uuid))
    download = service.download_output(str(uuid), output_format,
                                       version=request.args.get("version") or None)
    return send_file(download.source, mimetype=download.content_type, as_attachment=True,
                     download_name=download.name)
