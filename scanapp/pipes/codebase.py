"""Pipes working on a run context: inputs to codebase/, extraction, resources, scanning.

These are the building blocks of the scan pipelines; each takes the step's ``RunContext``.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlmodel import select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import InputSource, Project
from scanapp.pipes import extract, fetch, resources, scan_spread, scancode


def fetch_options() -> fetch.FetchOptions:
    """Download options from the settings."""
    settings = get_settings()
    return fetch.FetchOptions(
        timeout=settings.download_timeout,
        max_size=settings.max_download_size,
        allow_private=settings.allow_private_urls,
        pypi_url=settings.pypi_url,
        npm_url=settings.npm_registry_url,
    )


def fetch_inputs(context) -> list[str]:
    """Download every URL input not fetched yet into input/; return the input names.

    A failed download is recorded as a message naming the URL and the reason, then raised.
    """
    with session_scope() as session:
        sources = session.exec(
            select(InputSource)
            .where(InputSource.project_id == context.project_id)
            .order_by(InputSource.id)
        ).all()
    names = []
    options = fetch_options()
    for source in sources:
        if not source.filename or not (context.workdir.input / source.filename).exists():
            source.filename = _fetch_source(context, source, options)
        names.append(source.filename)
    return names


def _fetch_source(context, source: InputSource, options: fetch.FetchOptions) -> str:
    if not source.download_url:
        raise fetch.FetchError(f"Input {source.uuid} has no file and no URL")
    context.log(f"Fetching {source.download_url}")
    try:
        path = fetch.fetch(source.download_url, context.workdir.input, options)
    except fetch.FetchError as error:
        context.add_message(
            f"Failed to fetch {error}",
            model="fetch_inputs",
            details={"download_url": source.download_url},
        )
        raise
    with session_scope() as session:
        row = session.get(InputSource, source.id)
        row.filename = path.name[:255]
    return path.name


class CodebaseCollectedError(Exception):
    """The project's codebase was collected by an earlier run."""


def ensure_not_collected(context) -> None:
    """Fail, with what to do, when an earlier run already collected the project's codebase."""
    count = resources.count_resources(context.project_id, no_status=False)
    if count:
        text = (
            f"The codebase of this project was already collected by an earlier run ({count} "
            "files): a project holds one codebase. Add pipelines that work on it (such as "
            "scan_for_virus), or reset the project to scan it anew."
        )
        context.add_message(text, model=context.pipeline_name)
        raise CodebaseCollectedError(text)


def copy_inputs(context, names: list[str]) -> None:
    """Copy each input file or directory from input/ into codebase/ (an empty codebase)."""
    ensure_not_collected(context)
    for name in names:
        fetch.copy_to_codebase(context.workdir.input / name, context.workdir.codebase)


def extraction_limits() -> extract.Limits:
    """Return a fresh extraction byte budget from the settings."""
    settings = get_settings()
    return extract.Limits(max_size=settings.extract_max_size, max_ratio=settings.extract_max_ratio)


def extract_codebase(context) -> extract.ExtractReport:
    """Extract every archive of codebase/ recursively; record refusals and errors as messages."""
    report = extract.extract_archives(context.workdir.codebase, extraction_limits())
    _record_extraction(context, report)
    context.log(f"Extracted {len(report.extracted)} archive(s)")
    return report


def package_input(context) -> Path:
    """Return the single input of the project in input/ (fetched first when it is a URL)."""
    names = fetch_inputs(context)
    if len(names) != 1:
        raise ValueError(f"Exactly one input is needed; the project has {len(names)}.")
    return context.workdir.input / names[0]


#: The checksums recorded for an input, as ScanCode.io names them.
INPUT_CHECKSUMS = ("md5", "sha1", "sha256", "sha512", "sha1_git")


def collect_input_information(context, location: Path) -> dict:
    """Store the input's checksums, size and file name in the project's ``extra_data``."""
    from commoncode.hash import multi_checksums

    information = {**multi_checksums(str(location), INPUT_CHECKSUMS),
                   "size": location.stat().st_size, "filename": location.name}
    with session_scope() as session:
        project = session.get(Project, context.project_id)
        project.extra_data = {**(project.extra_data or {}), **information}
    return information


def extract_input_to_codebase(context, location: Path) -> None:
    """Extract an archive input into codebase/ itself, or copy any other input there.

    The package's files then sit at the codebase root (``requests-2.32.3/setup.py``), as
    scancode and ScanCode.io lay out a single package; nested archives are extracted by the
    next step.
    """
    ensure_not_collected(context)
    target = context.workdir.codebase
    if location.is_file() and extract.should_extract(location):
        report = extract.ExtractReport()
        extract.extract_archive_into(location, target, target, extraction_limits(), report)
        _record_extraction(context, report)
        if report.errors and not any(target.iterdir()):
            raise ValueError(f"{location.name} could not be extracted: {report.errors[0][1]}")
        context.log(f"Extracted {location.name} into codebase/")
    else:
        fetch.copy_to_codebase(location, target)


def _record_extraction(context, report: extract.ExtractReport) -> None:
    for entry, reason in report.refused:
        context.add_message(
            f"Refused archive entry {entry}: {reason}",
            severity="warning",
            model="extract_archives",
            details={"resource_path": entry, "reason": reason},
        )
    for path, reason in report.errors:
        context.add_message(
            f"{path}: {reason}",
            model="extract_archives",
            details={"resource_path": path, "reason": reason},
        )


def collect_resources(context) -> int:
    """Store a resource row for every file, directory and symlink of codebase/."""
    count = resources.collect_resources(context.project_id, context.workdir.codebase)
    context.log(f"Collected {count} resources")
    return count


def flag_empty_and_ignored(context, *, empty: bool = True) -> dict:
    """Flag empty files (unless not ``empty``) and the project's ``ignored_patterns``."""
    with session_scope() as session:
        project = session.get(Project, context.project_id)
        patterns = (project.settings or {}).get("ignored_patterns") or []
    if isinstance(patterns, str):
        patterns = patterns.split()
    return resources.flag_empty_and_ignored(context.project_id, patterns, empty=empty)


def set_directories_status(context, status: str) -> int:
    """Give the directories with no status ``status``; return how many."""
    return resources.set_directories_status(context.project_id, status)


def _spread(context, settings, options: scancode.ScanOptions):
    """Return how to spread this scan over the workers, or None to scan here alone.

    A run executed by a worker spreads a scan of more files than ``SCANAPP_SCAN_CHUNK_SIZE``.
    """
    queue = getattr(context, "chunk_queue", None)
    size = settings.scan_chunk_size
    if queue is None or not size:
        return None
    if resources.count_resources(context.project_id, where=options.where()) <= size:
        return None
    return scan_spread.Spread(queue=queue, chunk_size=size,
                              heartbeat_interval=settings.run_heartbeat_interval,
                              heartbeat_ttl=settings.run_heartbeat_ttl)


def scan_files(
    context,
    scanners: tuple[str, ...] = scancode.ALL_SCANNERS,
    *,
    manifests_only: bool = False,
    keep_status: bool = False,
) -> scancode.ScanStats:
    """Scan every file with no status in the process pool, updating the run progress.

    A run executed by a ``scanapp worker`` spreads its files over every idle worker in
    chunks (``SCANAPP_SCAN_CHUNK_SIZE``); the results are the same.

    With ``manifests_only``, only the files a package datafile handler matches are scanned;
    with ``keep_status``, the files scanned without error keep an empty status.
    """
    settings = get_settings()
    options = scancode.ScanOptions(
        scanners=scanners,
        timeout=settings.scan_file_timeout,
        max_file_size=settings.scan_max_file_size,
        processes=settings.processes,
        manifests_only=manifests_only,
        keep_status=keep_status,
        cache=settings.scan_cache,
    )
    started = time.monotonic()
    model = context.pipeline_name or "scan"

    def progress(done: int, total: int, cached: int) -> None:
        context.set_progress(done, total, started, cached)

    spread = _spread(context, settings, options)
    if spread is not None:
        stats = scan_spread.scan_spread(
            context.project_id, context.run_id, context.workdir.codebase, options, spread,
            model=model, progress=progress, log=context.log,
        )
    else:
        stats = scancode.scan_resources(
            context.project_id, context.workdir.codebase, options, model=model,
            progress=progress,
        )
    context.log(f"Scanned {stats.scanned} files ({stats.cached} from the scan cache): "
                f"{stats.statuses}")
    if stats.license_runs:
        context.log(f"License rule rankings: {stats.license_runs_cached} of "
                    f"{stats.license_runs} query runs from the match cache")
    return stats
