"""Store a dynamic resolution: resolved packages, the manifest's requirements and the edges.

Each package python-inspector resolved becomes a DiscoveredPackage (or fills the empty
fields of the one with its purl), with the package data of the index's JSON API: download
URL, checksums, homepage, release date and the declared license (its
``extracted_license_statement`` detected into ``declared_license_expression``, as ScanCode.io
does). The manifest's requirements become dependencies (``is_direct``) resolved to the chosen
versions, and each edge of the graph a dependency of the requiring package resolved to the
required one, all with the manifest as ``datafile_path``.
"""

from __future__ import annotations

from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import DiscoveredDependency, DiscoveredPackage
from scanapp.pipes import packages
from scanapp.pipes.pypi_resolver import Resolution, canonical_name
from scanapp.pipes.resolved_packages import Store, purl_fields

#: Package data keys of python-inspector that are not package fields.
DROPPED = ("dependencies", "declared_license", "license_expression", "datasource_id")


def package_data(data: dict) -> dict:
    """Return the package fields of python-inspector's package data, license detected."""
    values = {key: value for key, value in data.items() if key not in DROPPED}
    statement = data.get("declared_license") or data.get("extracted_license_statement")
    if statement:
        values.update(_license(statement))
    return values


def _license(statement) -> dict:
    import saneyaml
    from licensedcode.cache import build_spdx_license_expression, get_cache
    from packagedcode.licensing import get_license_detections_and_expression

    detections, expression = get_license_detections_and_expression(statement)
    text = statement if isinstance(statement, str) else saneyaml.dump(statement)
    values = {"extracted_license_statement": text}
    if expression:
        values.update(
            declared_license_expression=expression,
            declared_license_expression_spdx=str(
                build_spdx_license_expression(expression, licensing=get_cache().licensing)
            ),
            license_detections=[
                item if isinstance(item, dict) else item.to_dict() for item in detections or ()
            ],
        )
    return values


def store_resolution(project_id: int, datafile_path: str, resolution: Resolution) -> dict:
    """Store one manifest's resolution; return the counts of rows written."""
    store = Store.load(project_id)
    uids = {}
    for purl in _graph_purls(resolution):
        data = package_data(resolution.packages.get(purl) or {})
        known = store.by_purl.get(purl)
        uids[purl] = store.package({**data, "purl": purl}, datafile_path, is_virtual=False)
        if known:
            _fill_empty_fields(store, known, data)
    by_name = {canonical_name(purl_fields(purl).get("name", "")): purl for purl in uids}
    owner = _manifest_package(project_id, datafile_path)
    _store_direct(store, resolution, datafile_path, by_name, uids, owner)
    _store_edges(store, project_id, resolution, datafile_path, uids)
    return store.save()


def _graph_purls(resolution: Resolution) -> list[str]:
    purls = []
    for node in resolution.graph:
        for purl in (node["package"], *node.get("dependencies", ())):
            if purl not in purls:
                purls.append(purl)
    return purls


def _fill_empty_fields(store: Store, uid: str, data: dict) -> None:
    with session_scope() as session:
        row = session.exec(select(DiscoveredPackage).where(
            DiscoveredPackage.project_id == store.project_id,
            DiscoveredPackage.package_uid == uid,
        )).first()
        if row is None:
            return
        values = packages.package_row(store.project_id, data)
        update = {key: values[key] for key in data if key in values and values[key]
                  and not getattr(row, key, None) and key not in ("extra_data", "package_uid")}
    if update:
        store.package_updates.append({"id": row.id, **update})


def _manifest_package(project_id: int, datafile_path: str) -> str | None:
    """Return the uid of the package assembled from the manifest (a setup.py's), if any."""
    with session_scope() as session:
        rows = session.exec(select(DiscoveredPackage.package_uid, DiscoveredPackage.datafile_paths)
                            .where(DiscoveredPackage.project_id == project_id)).all()
    return next((uid for uid, paths in rows if datafile_path in (paths or ())), None)


def _store_direct(store, resolution, datafile_path, by_name, uids, owner) -> None:
    with session_scope() as session:
        rows = session.exec(select(DiscoveredDependency).where(
            DiscoveredDependency.project_id == store.project_id,
            DiscoveredDependency.datafile_path == datafile_path,
        )).all()
    existing = {(row.purl, row.extracted_requirement): row for row in rows}
    for data in resolution.direct:
        name = canonical_name(purl_fields(data.get("purl") or "").get("name", ""))
        resolved = uids.get(by_name.get(name, ""))
        row = existing.get((data.get("purl") or "", data.get("extracted_requirement") or ""))
        if row is not None:
            if resolved and not row.resolved_to_package_uid:
                store.resolved[row.id] = resolved
            continue
        store.dependency(
            {key: value for key, value in data.items() if key != "is_resolved"},
            for_package_uid=owner,
            resolved_to_package_uid=resolved,
            datafile_path=datafile_path,
            datasource_id=resolution.datasource_id,
            is_direct=True,
            is_pinned=bool(purl_fields(data.get("purl") or "").get("version")),
        )


def _store_edges(store, project_id, resolution, datafile_path, uids) -> None:
    with session_scope() as session:
        known = set(session.exec(
            select(DiscoveredDependency.for_package_uid,
                   DiscoveredDependency.resolved_to_package_uid)
            .where(DiscoveredDependency.project_id == project_id)
        ).all())
    for node in resolution.graph:
        parent = uids[node["package"]]
        for purl in node.get("dependencies", ()):
            child = uids[purl]
            if (parent, child) in known:
                continue
            known.add((parent, child))
            store.dependency(
                {"purl": purl},
                for_package_uid=parent,
                resolved_to_package_uid=child,
                datafile_path=datafile_path,
                scope="install",
                is_runtime=True,
                is_pinned=True,
                is_direct=False,
                extra_data={"resolved_by": "python-inspector"},
            )
