"""``/projects/<uuid>/packages`` and ``dependencies``: the API's lists as filtered tables.

The rows are those of ``GET /api/projects/<uuid>/packages/`` (and ``dependencies/``): the
same service call with the same ``?field=value`` filters, dumped with the same schemas.
"""

from __future__ import annotations

from flask import request

from scanapp.schemas.rows import DependencySchema, PackageSchema
from scanapp.services import records
from scanapp.web.blueprint import require_project, web
from scanapp.web.filters import column_filters
from scanapp.web.paging import page_links
from scanapp.web.tabs import tab_page

#: The filters each table's form offers (any other column filters too, typed in the URL).
FORM_FILTERS = {
    "packages": ("purl", "type", "namespace", "name", "version", "declared_license_expression",
                 "compliance_alert"),
    "dependencies": ("purl", "type", "name", "scope", "is_runtime", "is_optional", "is_resolved",
                     "datafile_path"),
}
SCHEMAS = {"packages": PackageSchema, "dependencies": DependencySchema}


def _table(uuid, name: str):
    require_project(str(uuid))
    model = records.LISTS[name][0]
    derived = tuple(records.DERIVED_FILTERS.get(name, ()))
    filters = column_filters(model, request.args, derived)
    found = records.list_records(str(uuid), name, filters, request.args.get("page", 1, type=int))
    return tab_page(uuid, f"project_{name}.html", name,
                    rows=SCHEMAS[name](many=True).dump(found.items),
                    links=page_links(found), fields=FORM_FILTERS[name], args=request.args,
                    filtered=bool(filters))


@web.route("/projects/<uuid:uuid>/packages", methods=["GET"])
def project_packages(uuid):
    """List the project's packages, filtered by ``?field=value``, a page at a time."""
    return _table(uuid, "packages")


@web.route("/projects/<uuid:uuid>/dependencies", methods=["GET"])
def project_dependencies(uuid):
    """List the project's dependencies, filtered by ``?field=value``, a page at a time."""
    return _table(uuid, "dependencies")
