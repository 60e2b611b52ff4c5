"""Maven packages: a ``pkg:maven`` input's jar, sources jar and POM from a Maven repository.

The repository is ``SCANAPP_MAVEN_REPOSITORY_URL`` (Maven 2 layout); artifact URLs are built
by packageurl-python's ``purl2url`` (``<group path>/<artifact>/<version>/<artifact>-<version>
[-<classifier>].<type>``) and fetched through :mod:`scanapp.downloads` (address guard, time
and size limits). A POM is parsed by scancode-toolkit's Maven handler.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from sqlmodel import select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.downloads import FetchError, download
from scanapp.models import CodebaseResource, DiscoveredPackage, InputSource
from scanapp.pipes import codebase, packages
from scanapp.pipes.resolved_packages import new_uid

#: Archive types a Maven binary input may have.
ARCHIVE_SUFFIXES = (".jar", ".aar", ".war", ".ear")
MODEL = "scan_maven_package"


def _sources(project_id: int) -> list[InputSource]:
    with session_scope() as session:
        return list(session.exec(
            select(InputSource).where(InputSource.project_id == project_id)
            .order_by(InputSource.id)
        ).all())


def check_input_and_return_purl(project_id: int):
    """Return the input's ``pkg:maven`` purl (qualifiers dropped), or None for a jar input.

    Raise ValueError unless the project has exactly one input, a versioned ``pkg:maven``
    purl or a jar (``.jar``, ``.aar``, ``.war``, ``.ear``).
    """
    from packageurl import PackageURL

    sources = _sources(project_id)
    if len(sources) != 1:
        raise ValueError("Only 1 maven purl is accepted.")
    url = sources[0].download_url
    if url.startswith("pkg:"):
        purl = PackageURL.from_string(url.split("?", 1)[0])
        if purl.type != "maven":
            raise ValueError("Only maven purl is supported.")
        if not purl.version:
            raise ValueError("Version is required.")
        return purl
    name = (sources[0].filename or url.rsplit("/", 1)[-1]).lower()
    if not name.endswith(ARCHIVE_SUFFIXES):
        raise ValueError(f"The input must be a pkg:maven purl or a jar, not {name!r}.")
    return None


def artifact_url(purl, *, classifier: str = "", extension: str = "jar") -> str:
    """Return the URL of an artifact of ``purl`` on the configured Maven repository."""
    from packageurl import PackageURL
    from packageurl.contrib import purl2url

    qualifiers = {"repository_url": get_settings().maven_repository_url, "type": extension}
    if classifier:
        qualifiers["classifier"] = classifier
    located = PackageURL(type="maven", namespace=purl.namespace, name=purl.name,
                         version=purl.version, qualifiers=qualifiers)
    return purl2url.get_download_url(located.to_string())


def fetch_inputs(context, purl) -> tuple[Path | None, Path | None]:
    """Fetch the binary and the ``-sources`` jar of ``purl`` into input/; return them.

    A jar input (no purl) is the binary, fetched first when it is a URL. Raise ValueError
    when neither could be fetched.
    """
    if purl is None:
        [name] = codebase.fetch_inputs(context)
        return None, context.workdir.input / name
    options = codebase.fetch_options()
    found = {}
    for kind, classifier in (("binary", ""), ("source", "sources")):
        url = artifact_url(purl, classifier=classifier)
        try:
            found[kind] = download(url, context.workdir.input, options)
            context.log(f"Fetched the {kind} package {url}")
        except FetchError as error:
            context.log(f"Failed to fetch {kind} package: {error}")
    if not found:
        raise ValueError(f"No source or binary could be resolved for {purl}.")
    main = found.get("binary") or found.get("source")
    with session_scope() as session:
        row = session.exec(select(InputSource).where(
            InputSource.project_id == context.project_id)).one()
        row.filename = main.name[:255]
    return found.get("source"), found.get("binary")


def place_d2d_inputs(context, source: Path, binary: Path) -> None:
    """Copy the sources jar into codebase/from/ and the binary into codebase/to/."""
    from scanapp.pipes.fetch import copy_to_codebase

    codebase.ensure_not_collected(context)
    for side, location in (("from", source), ("to", binary)):
        folder = context.workdir.codebase / side
        folder.mkdir(parents=True, exist_ok=True)
        copy_to_codebase(location, folder)


def has_pom(project_id: int) -> bool:
    """Tell whether the codebase has a ``pom.xml``."""
    with session_scope() as session:
        return session.exec(select(CodebaseResource.id).where(
            CodebaseResource.project_id == project_id, CodebaseResource.name == "pom.xml",
        )).first() is not None


def purl_from_pom_properties(project_id: int, root: Path):
    """Return the purl a jar's ``META-INF/maven/.../pom.properties`` names, or None."""
    from packageurl import PackageURL

    with session_scope() as session:
        paths = session.exec(select(CodebaseResource.path).where(
            CodebaseResource.project_id == project_id,
            CodebaseResource.name == "pom.properties",
        )).all()
    for path in paths:
        parser = configparser.ConfigParser()
        try:
            parser.read_string("[pom]\n" + (root / path).read_text(errors="replace"))
        except configparser.Error:
            continue
        values = parser["pom"]
        if values.get("groupId") and values.get("artifactId") and values.get("version"):
            return PackageURL(type="maven", namespace=values["groupId"],
                              name=values["artifactId"], version=values["version"])
    return None


def fetch_remote_pom(context, purl) -> tuple[str, list[dict]] | None:
    """Fetch the POM of ``purl`` into tmp/ and parse it; return (URL, package data).

    A failure is an error message naming the purl or the URL, and None.
    """
    from packagedcode.maven import MavenPomXmlHandler

    if purl is None:
        context.add_message("Failed to resolve POM URL.", model=MODEL,
                            details={"resource_path": "the jar has no pom.xml nor pom.properties"})
        return None
    url = artifact_url(purl, extension="pom")
    try:
        location = download(url, context.workdir.tmp / "remote-pom", codebase.fetch_options())
    except FetchError as error:
        context.add_message(f"Failed to download the POM file. {error}", model=MODEL,
                            details={"resource_path": url})
        return None
    base_url = get_settings().maven_repository_url
    parsed = [item.to_dict() for item in
              MavenPomXmlHandler.parse(str(location), base_url=base_url)]
    context.log(f"Fetched and parsed the remote POM {url}: {len(parsed)} package(s)")
    return url, parsed


def store_remote_pom(project_id: int, pom_url: str, parsed: list[dict]) -> int:
    """Store the packages of a remote POM (``datafile_paths`` its URL) and their dependencies."""
    package_rows, dependency_rows = [], []
    for data in parsed:
        uid = new_uid(data.get("purl") or "")
        dependencies = data.pop("dependencies", None) or []
        package_rows.append({**data, "package_uid": uid, "datafile_paths": [pom_url],
                             "datasource_ids": [data.get("datasource_id") or "maven_pom"]})
        for dependency in dependencies:
            dependency_rows.append({
                **dependency, "for_package_uid": uid, "datafile_path": "",
                "datasource_id": data.get("datasource_id") or "maven_pom",
                "dependency_uid": new_uid(dependency.get("purl") or ""),
            })
    packages.store_packages(project_id, package_rows)
    uids = {row["package_uid"] for row in package_rows}
    packages.store_dependencies(project_id, dependency_rows, uids)
    return len(package_rows)


def update_package_license_from_resource_if_missing(project_id: int) -> int:
    """Give a package with no declared license the licenses detected in its files.

    The distinct expressions of its files are joined with AND and deduplicated; return how
    many packages got one.
    """
    from licensedcode.cache import build_spdx_license_expression, get_cache
    from packagedcode.utils import combine_expressions

    licensing = get_cache().licensing
    with session_scope() as session:
        missing = session.exec(select(DiscoveredPackage).where(
            DiscoveredPackage.project_id == project_id,
            DiscoveredPackage.declared_license_expression == "",
        )).all()
        if not missing:
            return 0
        files = session.exec(select(CodebaseResource.for_packages,
                                    CodebaseResource.detected_license_expression).where(
            CodebaseResource.project_id == project_id,
            CodebaseResource.detected_license_expression != "",
        )).all()
        updated = 0
        for package in missing:
            found = list(dict.fromkeys(expression for uids, expression in files
                                       if package.package_uid in (uids or ())))
            if found:
                expression = str(combine_expressions(found, relation="AND", unique=True,
                                                     licensing=licensing))
                package.declared_license_expression = expression
                package.declared_license_expression_spdx = str(
                    build_spdx_license_expression(expression, licensing=licensing))
                updated += 1
    return updated
