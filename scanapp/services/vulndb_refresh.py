"""The vulnerability database refreshed from ``SCANAPP_VULNDB_URLS``, on demand or on schedule.

Each URL (an OSV export such as osv.dev's ``.../PyPI/all.zip``, or a mirror of it) is asked
with the validators of its last load (``If-None-Match``, ``If-Modified-Since``): an export
that did not change is not downloaded again. A downloaded export is loaded as
``scanapp vulndb load`` loads it (a record replaces the stored one of its id when newer).
Each URL's outcome is kept (``vulnerabilitysource``); one URL failing leaves the others be.

Workers refresh on schedule: at each reconciliation a worker checks whether a URL's last
check is older than ``SCANAPP_VULNDB_REFRESH_INTERVAL`` and, holding a Redis lock so that a
single worker of the fleet does it, queues one refresh job.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from redis.exceptions import RedisError
from sqlmodel import Session, select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.downloads import FetchError, FetchOptions, open_url, save_body
from scanapp.models import VulnerabilitySource, aware, utcnow
from scanapp.pipes import vulndb
from scanapp.queue import enqueue_vulndb_refresh, get_redis

log = logging.getLogger("scanapp.vulndb")

#: The Redis key a worker sets while a refresh it queued is pending.
LOCK_KEY = "scanapp:vulndb-refresh"


def _options() -> FetchOptions:
    settings = get_settings()
    # The operator names these URLs (a setting, not a user's input): a mirror on the local
    # network is what an air-gapped server refreshes from, so private addresses are allowed.
    return FetchOptions(timeout=settings.download_timeout, max_size=settings.max_download_size,
                        allow_private=True)


def _source(session: Session, url: str) -> VulnerabilitySource:
    found = session.exec(select(VulnerabilitySource).where(VulnerabilitySource.url == url)).first()
    return found or VulnerabilitySource(url=url)


def _validators(source: VulnerabilitySource, force: bool) -> dict:
    if force:
        return {}
    headers = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    return headers


def _fetch_and_load(url: str, headers: dict, folder: Path) -> dict:
    """Download ``url`` (unless not modified) and load it; return what to store."""
    options = _options()
    response = open_url(url, options, headers=headers, accept=(304,))
    with response:
        if response.status_code == 304:
            return {"status": "not modified"}
        target = folder / "export"
        save_body(response, target, url, options)
        validators = {"etag": response.headers.get("etag", ""),
                      "last_modified": response.headers.get("last-modified", "")}
    figures = vulndb.load([target]).as_dict()
    return {"status": "loaded", "figures": figures, "loaded_date": utcnow(), **validators}


def refresh_url(url: str, *, force: bool = False) -> dict:
    """Refresh the database from one URL; store and return its outcome."""
    with session_scope() as session:
        headers = _validators(_source(session, url), force)
    workdirs = get_settings().workdirs
    workdirs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vulndb-", dir=workdirs) as folder:
        try:
            outcome = {**_fetch_and_load(url, headers, Path(folder)), "error": ""}
        except (FetchError, OSError) as error:
            outcome = {"status": "failed", "error": str(error)}
    with session_scope() as session:
        source = _source(session, url)
        for name, value in {**outcome, "checked_date": utcnow()}.items():
            setattr(source, name, value)
        session.add(source)
        session.flush()
        return source_dict(source)


def refresh(*, force: bool = False) -> list[dict]:
    """Refresh from every URL of ``SCANAPP_VULNDB_URLS``; return each one's outcome."""
    outcomes = []
    for url in get_settings().vulndb_urls:
        outcome = refresh_url(url, force=force)
        log.info("Vulnerability database from %s: %s %s", url, outcome["status"],
                 outcome["error"] or outcome["figures"])
        outcomes.append(outcome)
    return outcomes


def source_dict(source: VulnerabilitySource) -> dict:
    """Return a source's last outcome as JSON-ready values."""
    def when(value):
        return aware(value).isoformat() if value else None

    return {"url": source.url, "status": source.status or "never checked",
            "checked_date": when(source.checked_date), "loaded_date": when(source.loaded_date),
            "error": source.error, "figures": source.figures or {}}


def sources() -> list[dict]:
    """Return each configured URL's last outcome, in the setting's order."""
    with session_scope() as session:
        return [source_dict(_source(session, url)) for url in get_settings().vulndb_urls]


def due() -> bool:
    """Tell whether a configured URL was never checked or not within the refresh interval."""
    settings = get_settings()
    if not settings.vulndb_urls:
        return False
    oldest = utcnow() - timedelta(seconds=settings.vulndb_refresh_interval)
    with session_scope() as session:
        checked = dict(session.exec(select(VulnerabilitySource.url,
                                           VulnerabilitySource.checked_date)).all())
    return any(checked.get(url) is None or aware(checked[url]) <= oldest
               for url in settings.vulndb_urls)


def schedule() -> bool:
    """Queue one refresh job when one is due and no worker has queued it; return if queued."""
    if not due():
        return False
    settings = get_settings()
    lock_for = min(settings.task_timeout, settings.vulndb_refresh_interval)
    try:
        if not get_redis().set(LOCK_KEY, "queued", nx=True, ex=lock_for):
            return False
        enqueue_vulndb_refresh()
    except RedisError as error:
        log.warning("Vulnerability database refresh not queued: %s", error)
        return False
    return True


def refresh_job() -> list[dict]:
    """Refresh from every URL (the queued job), then release the lock."""
    try:
        return refresh()
    finally:
        try:
            get_redis().delete(LOCK_KEY)
        except RedisError:  # the lock expires by itself
            log.warning("Vulnerability database refresh lock left to expire")
