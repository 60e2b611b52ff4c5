"""The statuses of runs and of codebase resources, as named constants (one table each)."""

from __future__ import annotations


class RunStatus:
    """The states of a pipeline run (see ``scanapp.lifecycle`` for the moves between them)."""

    NOT_STARTED = "not_started"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"
    STOPPED = "stopped"
    STALE = "stale"

    ENDED = (SUCCESS, FAILURE, STOPPED, STALE)
    ALL = (NOT_STARTED, QUEUED, RUNNING, SUCCESS, FAILURE, STOPPED, STALE)


class ResourceStatus:
    """The ``status`` of a codebase resource: what the pipelines did with it ("" = not yet)."""

    NONE = ""
    SCANNED = "scanned"
    SCANNED_WITH_ERROR = "scanned-with-error"
    APPLICATION_PACKAGE = "application-package"
    SYSTEM_PACKAGE = "system-package"
    NOT_ANALYZED = "not-analyzed"
    IGNORED_EMPTY_FILE = "ignored-empty-file"
    IGNORED_BY_PATTERN = "ignored-by-pattern"
    MAPPED = "mapped"
    ARCHIVE_EXTRACTED = "archive-extracted"
    REQUIRES_REVIEW = "requires-review"
    VIRUS_DETECTED = "virus-detected"
    # Root filesystem and image pipelines (ScanCode.io's names).
    INSTALLED_PACKAGE = "installed-package"
    NO_LICENSES = "no-licenses"
    UNKNOWN_LICENSE = "unknown-license"
    IGNORED_NOT_INTERESTING = "ignored-not-interesting"
    IGNORED_WHITEOUT = "ignored-whiteout"
    IGNORED_DEFAULT_IGNORES = "ignored-default-ignores"
    IGNORED_MEDIA_FILE = "ignored-media-file"
    IGNORED_DATA_FILE_NO_CLUES = "ignored-data-file-no-clues"

    #: Every ``ignored-*`` status starts with this (such files are not scanned nor mapped).
    IGNORED_PREFIX = "ignored-"
    #: Statuses that ask a person to look at the file (the XLSX TODOS sheet).
    TODO = (REQUIRES_REVIEW, VIRUS_DETECTED)
