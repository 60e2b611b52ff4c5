"""``/projects/<uuid>/charts``: the project's files and packages counted, drawn as bars.

The bars are HTML and CSS (a width in percent), the counts and percentages written beside
them: no script, no chart library. The counts come from ``services.charts`` (SQL GROUP BY).
"""

from __future__ import annotations

from scanapp.services.charts import project_charts
from scanapp.web.blueprint import require_project, web
from scanapp.web.tabs import tab_page


@web.route("/projects/<uuid:uuid>/charts", methods=["GET"])
def project_charts_page(uuid):
    """Show the charts of licenses, compliance alerts, statuses, languages, package types."""
    require_project(str(uuid))
    return tab_page(uuid, "charts.html", "charts", charts=project_charts(str(uuid)))
