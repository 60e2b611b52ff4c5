"""Scan codebase files with scancode-toolkit in a process pool; write results from the parent.

Each worker process runs every selected scanner on one file within a time budget
(``SCANAPP_SCAN_FILE_TIMEOUT``) and sends back a dict of column values. The parent
streams tasks from the database (a bounded window in flight), batches the row updates
and the error messages, and reports progress as files finish. With the scan cache on
(``SCANAPP_SCAN_CACHE``), the parent hashes each file first and writes the values cached
under its key (``scanapp.pipes.scan_cache``) without scanning it; what it scans without
errors is cached. Below it, the license-match cache (``scanapp.pipes.match_cache``) gives
each scan process the rule rankings of query runs seen before, in changed files too; the
parent stores the new ones.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scanapp.db import forget_engines, session_scope
from scanapp.lifecycle import new_message
from scanapp.models import ProjectMessage
from scanapp.pipes import chunked, match_cache, resources, scan_cache
from scanapp.statuses import ResourceStatus

#: Scanner groups a pipeline may select, in the order they run on a file.
ALL_SCANNERS = ("info", "packages", "licenses", "copyrights", "emails", "urls")
PACKAGE_SCANNERS = ("info", "packages")
INFO_SCANNERS = ("info",)
FILE_SCANNERS = ("info", "licenses", "copyrights", "emails", "urls")

FLUSH_SIZE = 100
FLUSH_SECONDS = 2.0
MAX_EMAILS = 50
MAX_URLS = 50
#: The scan limits that change the values of a file (in the scan cache key).
CACHE_LIMITS = {"max_emails": MAX_EMAILS, "max_urls": MAX_URLS}

_STRING_INFO = (
    "md5", "sha1", "sha256", "sha1_git", "mime_type", "file_type", "programming_language"
)
_BOOL_INFO = ("is_binary", "is_text", "is_archive", "is_media")


@dataclass(frozen=True)
class ScanOptions:
    """What to scan and the per-file limits."""

    scanners: tuple[str, ...] = ALL_SCANNERS
    timeout: int = 120
    max_file_size: int = 100 * 1024**2
    processes: int = 1
    #: Scan only the files that a package datafile handler matches (``is_manifest``).
    manifests_only: bool = False
    #: Leave the status of the files with no package data (and no error) empty, for a
    #: later pass to scan them.
    keep_status: bool = False
    #: Reuse and store the values of the scan cache.
    cache: bool = True

    def where(self) -> tuple:
        """Return the extra conditions selecting the files to scan."""
        return (resources.CodebaseResource.is_manifest.is_(True),) if self.manifests_only else ()

    def cache_key(self, sha256: str, name: str) -> str:
        """Return the scan cache key of a file with this content and name."""
        return scan_cache.cache_key(sha256, name, self.scanners, CACHE_LIMITS)

    def file_key(self, location: str, path: str) -> str:
        """Return the cache key of the file at ``location``; "" with the cache off or unreadable.

        An unreadable file is left to the scan, which reports it.
        """
        if not self.cache:
            return ""
        try:
            return self.cache_key(scan_cache.file_sha256(location), Path(path).name)
        except OSError:
            return ""


@dataclass
class ScanStats:
    """Counts of a scan."""

    scanned: int = 0
    errors: int = 0
    too_large: int = 0
    #: Files whose values came from the scan cache.
    cached: int = 0
    #: Query runs whose license rule ranking was computed, and taken from the match cache.
    license_runs: int = 0
    license_runs_cached: int = 0
    statuses: dict = field(default_factory=dict)


def load_license_index() -> None:
    """Load the license index in this process (once; children forked later share it)."""
    from licensedcode.cache import get_index

    get_index()


def _init_worker(scanners: tuple[str, ...], cache: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "licenses" in scanners:
        load_license_index()
        if cache:
            forget_engines()  # the parent's pooled connections are not this process's
            match_cache.install()


def _info(location: str) -> dict:
    from scancode.api import get_file_info

    info = get_file_info(location)
    values = {name: info.get(name) or "" for name in _STRING_INFO}
    values.update({name: bool(info.get(name)) for name in _BOOL_INFO})
    return values


def _packages(location: str) -> dict:
    from scancode.api import get_package_data

    return {"package_data": get_package_data(location, application=True).get("package_data") or []}


def _licenses(location: str) -> dict:
    from scancode.api import get_licenses

    found = get_licenses(
        location, include_text=True, license_text_diagnostics=True, license_diagnostics=True
    )
    return {
        "detected_license_expression": found.get("detected_license_expression") or "",
        "detected_license_expression_spdx": found.get("detected_license_expression_spdx") or "",
        "license_detections": found.get("license_detections") or [],
        "license_clues": found.get("license_clues") or [],
        "percentage_of_license_text": found.get("percentage_of_license_text"),
    }


def _copyrights(location: str) -> dict:
    from scancode.api import get_copyrights

    found = get_copyrights(location)
    return {key: found.get(key) or [] for key in ("copyrights", "holders", "authors")}


def _emails(location: str) -> dict:
    from scancode.api import get_emails

    return {"emails": get_emails(location, threshold=MAX_EMAILS).get("emails") or []}


def _urls(location: str) -> dict:
    from scancode.api import get_urls

    return {"urls": get_urls(location, threshold=MAX_URLS).get("urls") or []}


SCANNER_FUNCTIONS: dict[str, Callable[[str], dict]] = {
    "info": _info,
    "packages": _packages,
    "licenses": _licenses,
    "copyrights": _copyrights,
    "emails": _emails,
    "urls": _urls,
}


def scan_file(location: str, scanners: tuple[str, ...], timeout: float) -> tuple[dict, list[str]]:
    """Run the scanners on one file within ``timeout`` seconds; return (values, errors)."""
    from scancode.interrupt import interruptible

    values: dict = {}
    errors: list[str] = []
    deadline = time.monotonic() + timeout
    for name in scanners:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            errors.append(f"{name}: timeout after {timeout} seconds")
            break
        error, found = interruptible(SCANNER_FUNCTIONS[name], args=(location,), timeout=remaining)
        if error:
            text = "timeout" if "timeout" in error else error.strip().splitlines()[-1]
            errors.append(
                f"{name}: {text}" + (f" after {timeout} seconds" if text == "timeout" else "")
            )
        else:
            values.update(found)
    return values, errors


def _task(resource_id: int, location: str, scanners: tuple[str, ...], timeout: float) -> tuple:
    match_cache.take()  # what an earlier, failed task ranked is not sent
    values, errors = scan_file(location, scanners, timeout)
    return resource_id, values, errors, match_cache.take()


def result_status(values: dict, errors: list[str], keep_status: bool = False) -> str:
    """Return the resource status for a file's scan result (see ``ScanOptions.keep_status``)."""
    if errors:
        return ResourceStatus.SCANNED_WITH_ERROR
    if values.get("package_data"):
        return ResourceStatus.APPLICATION_PACKAGE
    return ResourceStatus.NONE if keep_status else ResourceStatus.SCANNED


class _Window:
    """A bounded set of tasks in flight on a pool, results gathered through a queue."""

    def __init__(self, pool, size: int, overdue_after: float):
        self.pool, self.size, self.overdue_after = pool, size, overdue_after
        self.results: queue.Queue = queue.Queue()
        self.in_flight: dict[int, tuple[str, float]] = {}

    def submit(self, resource_id: int, path: str, location: str, scanners, timeout) -> None:
        self.in_flight[resource_id] = (path, time.monotonic())
        self.pool.apply_async(
            _task,
            (resource_id, location, scanners, timeout),
            callback=self.results.put,
            error_callback=lambda error, rid=resource_id: self.results.put(
                (rid, {}, [repr(error)], None)
            ),
        )

    def next_results(self) -> Iterator[tuple]:
        """Yield (id, path, values, errors, ranked) of finished tasks; lost ones as errors.

        ``ranked`` is what the task's license-match cache took (``match_cache.Taken``) or None.
        """
        try:
            resource_id, values, errors, ranked = self.results.get(timeout=5)
        except queue.Empty:
            now = time.monotonic()
            for resource_id, (path, started) in list(self.in_flight.items()):
                if now - started > self.overdue_after:
                    del self.in_flight[resource_id]
                    yield resource_id, path, {}, ["scan worker died or hung"], None
            return
        if resource_id in self.in_flight:
            path, _ = self.in_flight.pop(resource_id)
            yield resource_id, path, values, errors, ranked


class Writer:
    """Batch row updates and messages from the parent process."""

    def __init__(self, project_id: int, model: str, progress: Callable[[int, int], None]):
        self.project_id, self.model, self.progress = project_id, model, progress
        self.rows: list[dict] = []
        self.messages: list[ProjectMessage] = []
        self.cache_stored: dict[str, dict] = {}
        self.cache_hits: dict[str, int] = {}
        self.cache_misses = 0
        self.ranked = match_cache.Taken()
        self.done = 0
        self.flushed_at = time.monotonic()
        self.stats = ScanStats()

    def add(
        self, resource_id: int, path: str, values: dict, errors: list[str], status: str
    ) -> None:
        """Write a file's values and status; its errors become a message."""
        self.rows.append({"id": resource_id, **values, "status": status})
        self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
        if errors:
            self.stats.errors += 1
            self.messages.append(
                new_message(
                    self.project_id,
                    f"{path}: " + "; ".join(errors),
                    severity="error" if status == ResourceStatus.SCANNED_WITH_ERROR else "warning",
                    model=self.model,
                    details={"resource_path": path, "errors": errors},
                )
            )
        self.done += 1
        if len(self.rows) >= FLUSH_SIZE or time.monotonic() - self.flushed_at > FLUSH_SECONDS:
            self.flush()

    def add_ranked(self, ranked: match_cache.Taken) -> None:
        """Keep a scan process's new license rankings and counts for the next flush."""
        self.ranked.add(ranked)
        self.stats.license_runs += len(ranked.hits) + ranked.misses
        self.stats.license_runs_cached += len(ranked.hits)

    def add_cached(self, resource_id: int, path: str, key: str, values: dict, status: str) -> None:
        """Write a cache hit as its scan would have been written."""
        self.stats.cached += 1
        self.cache_hits[key] = self.cache_hits.get(key, 0) + 1
        self.add(resource_id, path, values, [], status)

    def flush(self) -> None:
        """Write what is batched, then report the progress."""
        resources.bulk_update(self.rows)
        if self.messages:
            with session_scope() as session:
                session.add_all(self.messages)
        if self.cache_stored or self.cache_hits or self.cache_misses:
            scan_cache.record(self.cache_stored, self.cache_hits, self.cache_misses)
        if self.ranked:
            match_cache.record(self.ranked)
            self.ranked = match_cache.Taken()
        self.rows, self.messages = [], []
        self.cache_stored, self.cache_hits, self.cache_misses = {}, {}, 0
        self.flushed_at = time.monotonic()
        self.progress(self.done, self.stats.cached)


def scan_resources(
    project_id: int,
    codebase: Path,
    options: ScanOptions,
    *,
    model: str = "scan",
    progress: Callable[[int, int, int], None] | None = None,
) -> ScanStats:
    """Scan every file of the project with no status yet; return the counts.

    ``progress`` is called with (done, total, cached) as results are written.
    """
    total = resources.count_resources(project_id, where=options.where())
    writer = Writer(
        project_id, model, lambda done, cached: progress and progress(done, total, cached)
    )
    with FileScanner(codebase, options) as scanner:
        scanner.scan(iter_to_scan(project_id, options), writer)
    writer.stats.scanned = writer.done
    return writer.stats


def iter_to_scan(project_id: int, options: ScanOptions, where: tuple = ()) -> Iterator[tuple]:
    """Yield (id, path, size) of the files to scan: no status yet, matching ``where``."""
    return resources.iter_resources(
        project_id,
        resources.CodebaseResource.path,
        resources.CodebaseResource.size,
        no_status=True,
        where=(*options.where(), *where),
    )


class FileScanner:
    """Scan files: cache lookups by batch, then a process pool started at the first miss.

    One scanner serves any number of ``scan`` calls (the chunks of a spread scan); its pool
    is closed when the ``with`` block ends.
    """

    def __init__(self, codebase: Path, options: ScanOptions):
        """Scan the files of ``codebase`` with ``options``."""
        self.codebase, self.options = codebase, options
        self._stack = contextlib.ExitStack()
        self._window: _Window | None = None
        #: resource id -> (cache key, location) of a miss in flight
        self._keys: dict[int, tuple[str, str]] = {}

    def __enter__(self) -> FileScanner:
        """Return the scanner; its pool starts when a file is not in the cache."""
        return self

    def __exit__(self, *exc) -> None:
        """Close the pool, if it started."""
        self._stack.close()

    def scan(self, tasks: Iterable[tuple], writer: Writer) -> None:
        """Scan the (id, path, size) ``tasks``; write every result through ``writer``."""
        options = self.options
        for batch in chunked(tasks, FLUSH_SIZE):
            for resource_id, path, location in _from_cache(
                batch, self.codebase, options, writer, self._keys
            ):
                window = self._window or self._start_pool()
                while len(window.in_flight) >= window.size:
                    _drain(window, writer, options, self._keys)
                window.submit(resource_id, path, location, options.scanners, options.timeout)
        while self._window is not None and self._window.in_flight:
            _drain(self._window, writer, options, self._keys)
        writer.flush()

    def _start_pool(self) -> _Window:
        """Load the license index if needed and fork the scan processes, at the first miss.

        A rescan whose files all come from the cache pays neither (the index takes about 8 s).
        """
        options = self.options
        if "licenses" in options.scanners or "packages" in options.scanners:
            # Package data parsing detects declared licenses too: load the index before forking.
            load_license_index()
        pool = self._stack.enter_context(multiprocessing.get_context("fork").Pool(
            options.processes, initializer=_init_worker,
            initargs=(options.scanners, options.cache),
        ))
        self._window = _Window(pool, size=options.processes * 4,
                               overdue_after=options.timeout * 2 + 60)
        return self._window


def _from_cache(
    batch: list[tuple], codebase: Path, options: ScanOptions, writer: Writer, keys: dict
) -> Iterator[tuple[int, str, str]]:
    """Write the batch's too large files and cache hits; yield the files left to scan.

    The cache is looked up in one query per batch; the key of each miss is kept in ``keys``.
    """
    to_scan = []
    for resource_id, path, size in batch:
        if size is not None and size > options.max_file_size:
            _too_large(writer, resource_id, path, size, options)
            continue
        location = str(codebase / path)
        to_scan.append((resource_id, path, location, options.file_key(location, path)))
    found = scan_cache.lookup(key for *_, key in to_scan if key)
    for resource_id, path, location, key in to_scan:
        if key in found:
            values = found[key]
            status = result_status(values, [], options.keep_status)
            writer.add_cached(resource_id, path, key, values, status)
            continue
        if key:
            keys[resource_id] = (key, location)
            writer.cache_misses += 1
        yield resource_id, path, location


def _drain(window: _Window, writer: Writer, options: ScanOptions, keys: dict) -> None:
    for resource_id, path, values, errors, ranked in window.next_results():
        status = result_status(values, errors, options.keep_status)
        if ranked and not errors:
            writer.add_ranked(ranked)
        key, location = keys.pop(resource_id, ("", ""))
        if key and not errors and scan_cache.storable(values, location):
            writer.cache_stored[key] = values
        writer.add(resource_id, path, values, errors, status)


def _too_large(
    writer: Writer, resource_id: int, path: str, size: int, options: ScanOptions
) -> None:
    writer.stats.too_large += 1
    error = f"not scanned: {size} bytes is over the {options.max_file_size} bytes limit"
    writer.add(resource_id, path, {}, [error], ResourceStatus.NOT_ANALYZED)
