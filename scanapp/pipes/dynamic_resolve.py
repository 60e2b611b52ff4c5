"""Dynamic resolution of a run's manifests: the resolver of each package type, messages.

As ScanCode.io's ``resolver_registry``, one resolver per package type; only PyPI has one
(python-inspector). A manifest of another type, or a Python file that is no list of
requirements (a lockfile, PKG-INFO), is left to the static resolver.
"""

from __future__ import annotations

from scanapp.pipes import pypi_resolver, resolve, resolved_graph
from scanapp.pipes.codebase import fetch_options

MODEL = "get_packages_from_manifest"


def resolve_manifests(context, paths: list[str]) -> list[tuple[str, pypi_resolver.Resolution]]:
    """Resolve each Python manifest among ``paths``; record a message for each failure.

    Return the (path, resolution) of the manifests resolved.
    """
    if not paths:
        context.add_message("No resources containing package data found in codebase.",
                            severity="warning", model=MODEL)
        return []
    options = fetch_options()
    cache = context.workdir.tmp / "python-inspector"
    resolved = []
    for path in paths:
        location = context.workdir.codebase / path
        package_type, datasource_id = pypi_resolver.manifest_datasource(location)
        if datasource_id not in pypi_resolver.RESOLVABLE:
            context.log(f"{path}: no dynamic resolver for {package_type or 'this'} manifest")
            continue
        try:
            resolution = pypi_resolver.resolve(location, options, cache)
        except pypi_resolver.ResolutionError as error:
            context.add_message(f"No packages could be resolved: {error}", model=MODEL,
                                details={"resource_path": path})
            continue
        if not resolution.graph:
            context.add_message("No packages could be resolved", model=MODEL,
                                details={"resource_path": path})
            continue
        context.log(f"{path}: {len(resolution.graph)} package(s) resolved")
        resolved.append((path, resolution))
    resolve.flag_manifests(context.project_id, [path for path, _ in resolved])
    return resolved


def store_resolutions(context, resolutions) -> dict:
    """Store every resolution; return the summed counts."""
    totals: dict[str, int] = {}
    for path, resolution in resolutions:
        counts = resolved_graph.store_resolution(context.project_id, path, resolution)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return totals
