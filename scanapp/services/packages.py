"""Packages across projects: where is this package, its versions, who depends on it.

Every answer covers the projects the caller may see (``access.visible``). A package is its
type, namespace and name, names compared without case (``pkg:pypi/Flask`` is
``pkg:pypi/flask``); its versions are the versions stored, each with the projects holding it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select
from univers.version_range import RANGE_CLASS_BY_SCHEMES, VersionRange

from scanapp.db import session_scope
from scanapp.errors import InvalidInputError, NotFoundError
from scanapp.models import DiscoveredDependency, DiscoveredPackage, PackageSummary, Project
from scanapp.services import package_summary
from scanapp.services.access import restricted_user_id, visible
from scanapp.services.listing import Page, check_page, count_of, page_of
from scanapp.services.package_summary import PACKAGE_KEY, SUMMARY_KEY, any_of
from scanapp.services.users import Caller


@dataclass(frozen=True)
class Identity:
    """The columns that tell packages apart: type, namespace and name, without case."""

    type: sa.ColumnElement
    namespace: sa.ColumnElement
    name: sa.ColumnElement
    #: The columns of the declared license and its SPDX, and of the compliance alert.
    licenses: tuple
    compliance_alert: sa.ColumnElement

    @property
    def key(self) -> tuple:
        """Return (type, namespace, name): a package's key, the indexes' order."""
        return (self.type, self.namespace, self.name)


#: A package row's identity, and a package summary row's (stored in lower case already).
PACKAGE = Identity(*PACKAGE_KEY,
                   (DiscoveredPackage.declared_license_expression,
                    DiscoveredPackage.declared_license_expression_spdx),
                   DiscoveredPackage.compliance_alert)
SUMMARY = Identity(*SUMMARY_KEY,
                   (PackageSummary.declared_license_expression,
                    PackageSummary.declared_license_expression_spdx),
                   PackageSummary.compliance_alert)


@dataclass(frozen=True)
class PurlPrefix:
    """What a ``purl`` filter names: a type, then a namespace or name, a name, a version."""

    type: str
    path: tuple[str, ...] = ()
    version: str = ""

    @classmethod
    def parse(cls, text: str) -> PurlPrefix:
        """Read ``pkg:type[/namespace...][/name][@version]`` (qualifiers and subpath ignored)."""
        rest = text.strip().removeprefix("pkg:").split("#")[0].split("?")[0]
        rest, _, version = rest.partition("@")
        parts = [part for part in rest.split("/") if part]
        if not parts:
            raise InvalidInputError.for_field("purl", "Give at least pkg:TYPE.")
        return cls(parts[0].lower(), tuple(part.lower() for part in parts[1:]), version)

    def condition(self, binary_order: bool = True, columns: Identity = PACKAGE):
        """Return the SQL condition of the packages the prefix names (any version).

        Each alternative is one an index answers (``ix_package_identity``, by name, and
        ``ix_package_namespace``, by namespace; the summary's alike): no scan of every
        package of the type. A namespace's start is a range of its bytes (``_starts``).
        """
        type_ = columns.type == self.type
        if not self.path:
            return type_
        namespace, name = columns.namespace, columns.name
        whole = "/".join(self.path)
        # The last segment a name (in the namespace before it), or the whole a namespace, or
        # the start of one (pkg:golang/github.com finds github.com/foo's packages too).
        return sa.or_(
            sa.and_(name == self.path[-1], type_, namespace == "/".join(self.path[:-1])),
            sa.and_(type_, namespace == whole),
            sa.and_(type_, _starts(namespace, f"{whole}/", binary_order)))


def _starts(expression, text: str, binary_order: bool):
    """Return ``expression`` starts with ``text``: a range of strings an index reads.

    The strings from ``text`` to ``text`` with its last character's successor, compared by
    their bytes: SQLite's own order; PostgreSQL's under the "C" collation, which its index
    ``ix_package_namespace_bytes`` has (its default collations ignore the '/', and a LIKE
    read every package: 0.23 ms instead of 74 ms at 150,000 packages).
    """
    if not binary_order:
        expression = sa.collate(expression, "C")
    return sa.and_(expression >= text, expression < text[:-1] + chr(ord(text[-1]) + 1))


def _license_condition(key: str, columns: Identity = PACKAGE):
    """Return the condition: the declared license expression (or its SPDX) holds ``key``."""
    def tokens(column):
        spaced = sa.func.replace(sa.func.replace(sa.func.lower(column), "(", " "), ")", " ")
        return (" " + spaced + " ").like(f"% {key.lower()} %")

    return sa.or_(*(tokens(column) for column in columns.licenses))


def _conditions(filters: dict, caller: Caller | None, binary_order: bool = True,
                columns: Identity = PACKAGE, by_identity: bool = False) -> tuple[list, list]:
    """Return the conditions of ``filters``: on the package's identity, and on each row.

    The identity's (type, namespace, name) are those a page's packages are found by; a
    page's rows are then read by their identity and the rows' conditions alone (an OR of
    the identities is read from the index, the filters again are not). The operator's and a
    server administrator's need no project: the queries that count and page the packages
    read the packages' indexes alone. ``by_identity``: the rows are read by their identity;
    the alert is compared so that no index of it is (SQLite read every package with the
    alert by ``ix_package_alert`` instead: 0.7 s instead of 0.1 s at 500,000 packages).
    """
    identity, rows = _identity_conditions(filters, binary_order, columns)
    if filters.get("version") is not None:
        rows.append(DiscoveredPackage.version == filters["version"])
    if filters.get("compliance_alert") is not None:
        alert = columns.compliance_alert
        rows.append((alert.concat("") if by_identity else alert) == filters["compliance_alert"])
    if filters.get("license"):
        rows.append(_license_condition(filters["license"], columns))
    if restricted_user_id(caller) is not None:
        rows.append(DiscoveredPackage.project_id.in_(visible(select(Project.id), caller)))
    return identity, rows


def _identity_conditions(filters: dict, binary_order: bool,
                         columns: Identity = PACKAGE) -> tuple[list, list]:
    """Return the conditions on the identity, and the purl's version (a row's) if any."""
    identity, rows = [], []
    prefix = PurlPrefix.parse(filters["purl"]) if filters.get("purl") else None
    if prefix is not None:
        identity.append(prefix.condition(binary_order, columns))
        if prefix.version:
            rows.append(DiscoveredPackage.version == prefix.version)
    if filters.get("type") is not None:
        # The purl's alternatives hold its type: a type beside them made SQLite read every
        # package of the type instead of their indexes.
        if prefix is None:
            identity.append(columns.type == filters["type"])
        elif prefix.type != filters["type"]:
            identity.append(sa.false())
    for key in ("namespace", "name"):
        if filters.get(key) is not None:
            identity.append(getattr(columns, key) == filters[key].lower())
    return identity, rows


def _summarized(filters: dict, caller: Caller | None) -> bool:
    """Tell whether the package summary finds the packages ``filters`` name.

    It does for every caller who sees every project, unless a version is asked for (the
    summary has none), once the summary is fresh (``package_summary``).
    """
    if restricted_user_id(caller) is not None or filters.get("version") is not None:
        return False
    if filters.get("purl") and PurlPrefix.parse(filters["purl"]).version:
        return False
    return package_summary.ensure_fresh()


#: The columns of a package an answer shows (not whole rows: their JSON columns are large).
_SHOWN = (DiscoveredPackage.type, DiscoveredPackage.namespace, DiscoveredPackage.name,
          DiscoveredPackage.version, DiscoveredPackage.package_uid,
          DiscoveredPackage.declared_license_expression, DiscoveredPackage.compliance_alert,
          DiscoveredPackage.project_id)


def _rows(session: Session, conditions: list, keys: list[tuple] | None = None) -> Found:
    """Return the packages matching ``conditions``, and their projects' names and uuids.

    ``keys``: only the packages of these identities (type, lower namespace, lower name).
    The projects are read once for the rows, not joined: joined to 1,400 rows, SQLite took
    25 ms instead of 5 ms (each row's project looked up again).
    """
    statement = select(*_SHOWN).where(*conditions)
    if keys is not None:
        statement = _of_identities(statement, keys, session.get_bind().dialect.name)
    # Read as plain rows (Core), not through the ORM: 4 ms less on 1,400 rows.
    rows = session.connection().execute(statement).all()
    return Found(rows, _projects(session, sorted({row.project_id for row in rows})))


def _projects(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Return the name and uuid of the projects of ``ids``.

    PostgreSQL is given the ids as one array (``= ANY``): a list of 1,000 parameters took
    9 ms to convert and parse instead of 1 ms. SQLite's lists stay under its parameter limit.
    """
    if session.get_bind().dialect.name == "postgresql":
        chunks = [Project.id == sa.any_(sa.literal(ids, ARRAY(sa.Integer)))] if ids else []
    else:
        chunks = [Project.id.in_(ids[start:start + _IDS_PER_QUERY])
                  for start in range(0, len(ids), _IDS_PER_QUERY)]
    return {id_: (name, uuid) for condition in chunks for id_, name, uuid in session.exec(
        select(Project.id, Project.name, Project.uuid).where(condition)).all()}


def _of_identities(statement, keys: list[tuple], dialect: str):
    """Join ``statement`` to ``keys`` given as one parameter: a table of identities.

    One statement whatever the keys (compiled once; an OR of 50 identities took 5 ms to
    build and PostgreSQL's driver 3 ms to convert), each identity read from the package
    index (``ix_package_namespace``). PostgreSQL unnests three arrays; SQLite reads a
    JSON array of arrays (``json_each``).
    """
    if dialect == "postgresql":
        columns = [list(column) for column in zip(*keys, strict=True)]
        table = sa.func.unnest(*(sa.literal(column, ARRAY(sa.Text)) for column in columns)
                               ).table_valued("t", "n", "m").render_derived()
        wanted = (table.c.t, table.c.n, table.c.m)
    else:
        table = sa.func.json_each(sa.literal(json.dumps(keys))).table_valued("value")
        wanted = tuple(sa.func.json_extract(table.c.value, f"$[{index}]")
                       for index in range(3))
    on = sa.and_(*(column == key for column, key in zip(PACKAGE_KEY, wanted, strict=True)))
    return statement.select_from(table).join(DiscoveredPackage, on)


#: Project ids per ``IN`` list (SQLite's default limit of bound parameters is 32,766).
_IDS_PER_QUERY = 10_000


class Found(NamedTuple):
    """Packages found (rows of ``_SHOWN``), and their projects: {id: (name, uuid)}."""

    rows: list
    projects: dict[int, tuple[str, str]]


def version_range(text: str | None) -> VersionRange | None:
    """Return the ``vers:`` range (univers), or None; a 400 naming what is wrong."""
    if not text:
        return None
    try:
        return VersionRange.from_string(text)
    except Exception as error:  # noqa: BLE001 - univers raises many kinds on bad input
        raise InvalidInputError.for_field(
            "version_range", f"Not a vers range ({error}); e.g. vers:pypi/>=2.0|<2.17."
        ) from None


def in_range(wanted: VersionRange, package_type: str, version: str) -> bool:
    """Tell whether ``version`` (of a package of ``package_type``) is in the range."""
    if wanted.scheme != package_type:
        return False
    try:
        return wanted.version_class(version) in wanted
    except Exception:  # noqa: BLE001 - a version its scheme cannot read is not in the range
        return False


def search(filters: dict, number: int, size: int, caller: Caller | None = None) -> Page:
    """Return a page of packages (one per type, namespace, name) with versions and projects."""
    wanted = version_range(filters.get("version_range"))
    summarized = wanted is None and _summarized(filters, caller)
    with session_scope() as session:
        binary_order = _binary_order(session)
        if wanted is None:  # the keys from the summary's columns where it can
            columns = SUMMARY if summarized else PACKAGE
            identity, conditions = _conditions(filters, caller, binary_order, columns)
            groups = (select(*columns.key).where(*identity, *conditions)
                      .group_by(*columns.key).order_by(*columns.key))
            count = _summary_count(session, groups, filters) if summarized else None
            page = page_of(session, groups, number, size, count=count)
            keys = [tuple(key) for key in page.items]
            _, by_row = _conditions(filters, caller, binary_order, by_identity=True)
            found = _rows(session, by_row, keys) if keys else Found([], {})
            count, entries = page.count, _grouped(found)
        else:
            identity, row_conditions = _conditions(filters, caller, binary_order)
            # The range's type only where nothing names the packages: beside a purl's OR it
            # made SQLite read every package of the type (in_range checks it anyway).
            scheme = [] if identity else [DiscoveredPackage.type == wanted.scheme]
            conditions = [*identity, *row_conditions, *scheme]
            found = _rows(session, conditions)
            grouped = _grouped(found._replace(rows=[
                row for row in found.rows if in_range(wanted, row.type, row.version)]))
            count = len(grouped)
            check_page(number, size, count)
            entries = grouped[(number - 1) * size: number * size]
    return Page(number, size, count, entries)


#: The counts of searches on the summary, by database, summary state and filters.
_COUNTS: dict[tuple, int] = {}
#: The most counts kept (the oldest forgotten first).
COUNTS_KEPT = 1000


def _summary_count(session: Session, groups, filters: dict) -> int:
    """Return how many packages ``groups`` finds, counted once per state of the summary.

    The count reads every package the filters find (10 ms of 20,000); the summary changes
    only when a refresh recounts it, which gives it a new state token.
    """
    token = package_summary.state(session)
    if token is None:  # never refreshed since the database was made or emptied
        return count_of(session, groups)
    named = tuple(sorted((key, value) for key, value in filters.items() if value is not None))
    key = (str(session.get_bind().url), token, named)
    count = _COUNTS.get(key)
    if count is None:
        count = _COUNTS[key] = count_of(session, groups)
        while len(_COUNTS) > COUNTS_KEPT:
            _COUNTS.pop(next(iter(_COUNTS)), None)
    return count


def _binary_order(session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def version_order(package_type: str, version: str) -> tuple:
    """Return a sort key of ``version`` in its type's scheme (univers): 2.9 before 2.10.

    A version the scheme cannot read sorts after those it can, by its text.
    """
    scheme = RANGE_CLASS_BY_SCHEMES.get(package_type)
    if scheme is not None:
        try:
            return (0, scheme.version_class(version), "")
        except Exception:  # noqa: BLE001, S110 - univers raises many kinds on bad versions
            pass
    return (1, None, version)


@functools.lru_cache(maxsize=50_000)
def _ordered(package_type: str, versions: tuple[str, ...]) -> dict[str, int]:
    """Return each of ``versions`` (sorted by text) with its rank in ``version_order``.

    Kept for the same versions again: univers's comparisons took 10 ms of a page of 50
    packages of ten versions each.
    """
    ranked = sorted(versions, key=lambda version: version_order(package_type, version))
    return {version: rank for rank, version in enumerate(ranked)}


def purl_of(type_: str, namespace: str, name: str, version: str = "") -> str:
    """Return ``pkg:type/namespace/name[@version]``."""
    path = f"{namespace}/{name}" if namespace else name
    return f"pkg:{type_}/{path}" + (f"@{version}" if version else "")


def _grouped(found: Found) -> list[dict]:
    """Group the packages found by package, then version; the projects by name.

    A package is its type, namespace and name without case, shown as its first row has them.
    """
    packages: dict[tuple, dict] = {}
    keys: dict[tuple, tuple] = {}  # each spelling's key made once: 1,400 rows a page
    projects = found.projects
    # In the projects' order once, rather than each version's projects apart.
    for package in sorted(found.rows, key=lambda row: projects[row.project_id][0]):
        spelled = (package.type, package.namespace, package.name)
        key = keys.get(spelled)
        if key is None:
            key = keys[spelled] = (package.type, package.namespace.lower(), package.name.lower())
        entry = packages.get(key)
        if entry is None:
            entry = packages[key] = {
                "type": package.type, "namespace": package.namespace, "name": package.name,
                "purl": purl_of(package.type, package.namespace, package.name),
                "versions": {}}
        version = entry["versions"].get(package.version)
        if version is None:
            version = entry["versions"][package.version] = {
                "version": package.version, "purl": f"{entry['purl']}@{package.version}",
                "projects": []}
        name, uuid = projects[package.project_id]
        version["projects"].append({
            "name": name, "uuid": uuid, "package_uid": package.package_uid,
            "declared_license_expression": package.declared_license_expression,
            "compliance_alert": package.compliance_alert})
    result = []
    for key in sorted(packages):
        entry = packages[key]
        ranks = _ordered(entry["type"], tuple(sorted(entry["versions"])))
        versions = sorted(entry["versions"].values(), key=lambda v: ranks[v["version"]])
        result.append({**entry, "versions": versions})
    return result


def package(type_: str, name: str, namespace: str | None,
            caller: Caller | None = None) -> dict:
    """Return one package: its versions with their projects, its licenses, its projects."""
    namespace, name = split_name(name, namespace)
    entries = search({"type": type_, "namespace": namespace, "name": name}, 1, 1, caller).items
    if not entries:
        raise NotFoundError("Package not found.")
    entry = entries[0]
    holders = [project for version in entry["versions"] for project in version["projects"]]
    licenses = sorted({p["declared_license_expression"] for p in holders} - {""})
    projects = {p["uuid"]: {"name": p["name"], "uuid": p["uuid"]} for p in holders}
    return {**entry, "licenses": licenses,
            "projects": sorted(projects.values(), key=lambda p: p["name"])}


def split_name(name: str, namespace: str | None) -> tuple[str, str]:
    """Return (namespace, name) from a name that may hold its namespace (``org/pkg``)."""
    if namespace is None and "/" in name:
        namespace, _, name = name.rpartition("/")
    return namespace or "", name


def package_version(type_: str, name: str, version: str, namespace: str | None,
                    caller: Caller | None = None) -> dict:
    """Return one version of a package: its projects and its dependencies as scanned."""
    namespace, name = split_name(name, namespace)
    filters = {"type": type_, "namespace": namespace, "name": name, "version": version}
    with session_scope() as session:
        identity, row_conditions = _conditions(filters, caller)
        found = _rows(session, [*identity, *row_conditions])
        if not found.rows:
            raise NotFoundError("Package version not found.")
        entry = _grouped(found)[0]
        by_uid = {(row.project_id, row.package_uid): found.projects[row.project_id]
                  for row in found.rows}
        dependencies = session.exec(select(DiscoveredDependency).where(any_of(
            (DiscoveredDependency.project_id, DiscoveredDependency.for_package_uid), by_uid)
        ).order_by(DiscoveredDependency.purl)).all()
    version_entry = entry["versions"][0]
    return {
        "type": entry["type"], "namespace": entry["namespace"], "name": entry["name"],
        "version": version_entry["version"], "purl": version_entry["purl"],
        "projects": version_entry["projects"],
        "dependencies": [_dependency(d, *by_uid[(d.project_id, d.for_package_uid)])
                         for d in dependencies],
    }


def _dependency(dependency: DiscoveredDependency, project_name: str, project_uuid: str) -> dict:
    return {"purl": dependency.purl,
            "extracted_requirement": dependency.extracted_requirement,
            "scope": dependency.scope, "is_runtime": dependency.is_runtime,
            "is_optional": dependency.is_optional, "is_pinned": dependency.is_pinned,
            "is_resolved": bool(dependency.resolved_to_package_uid),
            "datafile_path": dependency.datafile_path,
            "project": {"name": project_name, "uuid": project_uuid}}


def dependents(type_: str, name: str, namespace: str | None, number: int, size: int,
               caller: Caller | None = None) -> Page:
    """Return a page of the dependencies naming the package (resolved or not), and whose.

    Each says the project, the package that declares it (None: a manifest of no package)
    and the requirement declared.
    """
    namespace, name = split_name(name, namespace)
    statement = visible(
        select(DiscoveredDependency, Project.name, Project.uuid)
        .join(Project, Project.id == DiscoveredDependency.project_id)
        .where(DiscoveredDependency.type == type_,
               sa.func.lower(DiscoveredDependency.name) == name.lower(),
               sa.func.lower(DiscoveredDependency.namespace) == namespace.lower()), caller)
    with session_scope() as session:
        page = page_of(session, statement.order_by(Project.name, DiscoveredDependency.id),
                       number, size)
        rows = page.items
        uids = {(d.project_id, d.for_package_uid) for d, _, _ in rows if d.for_package_uid}
        declaring = {
            (p.project_id, p.package_uid): p.purl for p in session.exec(
                select(DiscoveredPackage.project_id, DiscoveredPackage.package_uid,
                       DiscoveredPackage.purl).where(any_of(
                    (DiscoveredPackage.project_id, DiscoveredPackage.package_uid), uids))
            ).all()} if uids else {}
    items = [{**_dependency(d, project_name, project_uuid),
              "dependent_package": declaring.get((d.project_id, d.for_package_uid))}
             for d, project_name, project_uuid in rows]
    return Page(number, size, page.count, items)
