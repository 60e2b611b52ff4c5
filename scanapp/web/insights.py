"""Packages across projects: ``/packages/`` (search and stats), a package's page.

The search is ``GET /api/packages/``'s (one entry per package, its versions, their projects);
a package page is ``GET /api/packages/{type}/{name}/`` with, for ``?version=``, that
version's dependencies, and the dependents. Every answer covers the projects the caller may
see.
"""

from __future__ import annotations

from flask import render_template, request

from scanapp.config import get_settings
from scanapp.schemas.packages import (
    DependentSchema,
    PackageDetailSchema,
    PackageEntrySchema,
    PackageVersionDetailSchema,
    StatsSchema,
)
from scanapp.services import packages as service
from scanapp.services.stats import stats
from scanapp.web.blueprint import caller, web
from scanapp.web.paging import page_links

#: The search's filters (``GET /api/packages/``'s).
FILTERS = ("purl", "type", "namespace", "name", "version", "version_range", "license",
           "compliance_alert")
#: The compliance alert choices of the form; ``ok`` is stored as "".
ALERTS = ("ok", "missing", "warning", "error")


def _filters() -> dict:
    """Return the search's filters: None for a field left empty; ``ok`` as ""."""
    filters = {key: request.args.get(key, "").strip() or None for key in FILTERS}
    if filters["compliance_alert"] == "ok":
        filters["compliance_alert"] = ""
    return filters


@web.route("/packages/", methods=["GET"])
def packages():
    """Search packages across projects, and show the figures of the projects one may see."""
    filters = _filters()
    searched = any(value is not None for value in filters.values())
    found = links = None
    if searched:
        found = service.search(filters, request.args.get("page", 1, type=int),
                               get_settings().page_size, caller())
        links = page_links(found)
    return render_template(
        "packages.html", args=request.args, alerts=ALERTS, searched=searched, links=links,
        entries=PackageEntrySchema(many=True).dump(found.items) if found else [],
        stats=StatsSchema().dump(stats(caller())))


@web.route("/packages/<string:type>/<path:name>", methods=["GET"])
def package(type, name):  # noqa: A002 - the purl's word
    """Show a package: versions and projects, licenses, a version's dependencies, dependents."""
    namespace = request.args.get("namespace")
    name = name.rstrip("/")
    who = caller()
    detail = PackageDetailSchema().dump(service.package(type, name, namespace, who))
    version = request.args.get("version", "").strip()
    chosen = PackageVersionDetailSchema().dump(service.package_version(
        type, name, version, namespace, who)) if version else None
    dependents = service.dependents(type, name, namespace, request.args.get("page", 1, type=int),
                                    get_settings().page_size, who)
    return render_template("package.html", package=detail, chosen=chosen,
                           dependents=DependentSchema(many=True).dump(dependents.items),
                           links=page_links(dependents))
