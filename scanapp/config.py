"""Settings: every ``SCANAPP_*`` variable is read here and nowhere else."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, fields
from pathlib import Path


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _rate(name: str, raw: str) -> str:
    """Parse a rate such as ``10 per minute`` or ``5/second`` (``limits``' notation); "" is off."""
    from limits import parse_many  # flask-limiter's own parser: only when the variable is set

    text = raw.strip()
    if text:
        try:
            parse_many(text)
        except ValueError:
            raise SettingsError(
                f"{name} must be a rate such as '10 per minute', not {raw!r}") from None
    return text


def _size(name: str, raw: str) -> int:
    """Parse a byte size such as ``1048576``, ``500M`` or ``2G``."""
    text = raw.strip().upper().removesuffix("B")
    units = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    factor = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        value = int(float(number) * factor)
    except ValueError:
        message = f"{name} must be a size like 1048576, 500M or 2G, not {raw!r}"
        raise SettingsError(message) from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {raw!r}")
    return value


def _ints(name: str, raw: str) -> tuple[int, ...]:
    """Parse a comma-separated list of non-negative integers (may be empty)."""
    return tuple(_int(name, part) for part in raw.split(",") if part.strip())


def _paths(name: str, raw: str) -> tuple[Path, ...]:
    return tuple(Path(part) for part in raw.split(os.pathsep) if part.strip())


def _default_processes() -> int:
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class Settings:
    """The application settings, with their environment variable and default."""

    workdirs: Path = Path("workdirs")
    database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "default"
    webhook_queue_name: str = "webhooks"
    require_authentication: bool = False
    metrics_require_authentication: bool = False
    auth_failure_limit: str = "10 per minute"
    policies_file: Path = Path("policies.yml")
    processes: int = field(default_factory=_default_processes)
    allow_private_urls: bool = False
    page_size: int = 50
    max_upload_size: int = 10 * 1024**3
    file_content_max_size: int = 10 * 1024**2
    task_timeout: int = 24 * 3600
    pipelines_dirs: tuple[Path, ...] = ()
    scan_file_timeout: int = 120
    scan_max_file_size: int = 100 * 1024**2
    scan_cache: bool = True
    scan_chunk_size: int = 20
    worker_load_license_index: bool = True
    download_timeout: int = 60
    max_download_size: int = 10 * 1024**3
    webhook_secret: str = ""
    webhook_timeout: int = 10
    webhook_retry_intervals: tuple[int, ...] = (60, 120, 240, 480)
    site_url: str = "http://127.0.0.1:8001"
    clamav_database: str = ""
    extract_max_size: int = 10 * 1024**3
    extract_max_ratio: int = 200
    pypi_url: str = "https://pypi.org"
    npm_registry_url: str = "https://registry.npmjs.org"
    maven_repository_url: str = "https://repo1.maven.org/maven2"
    scorecard_url: str = "https://api.securityscorecards.dev"
    worker_reconcile_interval: int = 60
    run_heartbeat_interval: int = 10
    run_heartbeat_ttl: int = 60
    vulndb_urls: tuple[str, ...] = ()
    vulndb_refresh_interval: int = 24 * 3600
    vulnerablecode_url: str = ""
    vulnerablecode_api_key: str = ""
    secret_key: str = ""

    @property
    def projects_dir(self) -> Path:
        """Directory holding one work directory per project."""
        return self.workdirs / "projects"

    @property
    def sqlalchemy_url(self) -> str:
        """Database URL, defaulting to a SQLite file under the workdirs."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workdirs / 'scanapp.sqlite3').resolve()}"


# variable suffix -> parser
_PARSERS = {
    "workdirs": lambda n, r: Path(r),
    "database_url": lambda n, r: r.strip(),
    "redis_url": lambda n, r: _url(n, r, ("redis://", "rediss://", "unix://")),
    "queue_name": lambda n, r: r.strip() or "default",
    "webhook_queue_name": lambda n, r: r.strip() or "webhooks",
    "require_authentication": _bool,
    "metrics_require_authentication": _bool,
    "auth_failure_limit": _rate,
    "policies_file": lambda n, r: Path(r),
    "processes": lambda n, r: _int(n, r, minimum=1),
    "allow_private_urls": _bool,
    "page_size": lambda n, r: _int(n, r, minimum=1),
    "max_upload_size": _size,
    "file_content_max_size": _size,
    "task_timeout": lambda n, r: _int(n, r, minimum=1),
    "pipelines_dirs": _paths,
    "scan_file_timeout": lambda n, r: _int(n, r, minimum=1),
    "scan_max_file_size": _size,
    "scan_cache": _bool,
    "scan_chunk_size": lambda n, r: _int(n, r, minimum=0),
    "worker_load_license_index": _bool,
    "download_timeout": lambda n, r: _int(n, r, minimum=1),
    "max_download_size": _size,
    "webhook_secret": lambda n, r: r,
    "webhook_timeout": lambda n, r: _int(n, r, minimum=1),
    "webhook_retry_intervals": lambda n, r: _ints(n, r),
    "site_url": lambda n, r: _url(n, r, ("http://", "https://")).rstrip("/"),
    "clamav_database": lambda n, r: r.strip(),
    "extract_max_size": _size,
    "extract_max_ratio": lambda n, r: _int(n, r, minimum=1),
    "pypi_url": lambda n, r: _url(n, r, ("http://", "https://")).rstrip("/"),
    "npm_registry_url": lambda n, r: _url(n, r, ("http://", "https://")).rstrip("/"),
    "maven_repository_url": lambda n, r: _url(n, r, ("http://", "https://")).rstrip("/"),
    "scorecard_url": lambda n, r: _url(n, r, ("http://", "https://")).rstrip("/"),
    "worker_reconcile_interval": lambda n, r: _int(n, r, minimum=1),
    "run_heartbeat_interval": lambda n, r: _int(n, r, minimum=1),
    "run_heartbeat_ttl": lambda n, r: _int(n, r, minimum=2),
    "vulndb_urls": lambda n, r: tuple(_url(n, part, ("http://", "https://"))
                                      for part in r.replace(",", " ").split()),
    "vulndb_refresh_interval": lambda n, r: _int(n, r, minimum=60),
    "vulnerablecode_url": lambda n, r: _url(n, r, ("http://", "https://")).rstrip("/")
    if r.strip() else "",
    "vulnerablecode_api_key": lambda n, r: r.strip(),
    "secret_key": lambda n, r: r.strip(),
}


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    value = raw.strip()
    if not value.startswith(schemes):
        raise SettingsError(f"{name} must start with one of {', '.join(schemes)}, not {raw!r}")
    return value


#: ``SCANAPP_*`` variables that are not settings of the program (read by its test suite and CI).
NOT_SETTINGS = ("SCANAPP_TEST_", "SCANAPP_CI_")


def unknown_variables(environ: dict | None = None) -> list[str]:
    """Return a warning for each ``SCANAPP_*`` variable that is no setting, with the closest one.

    A misspelled variable would otherwise be ignored without a word.
    """
    environ = os.environ if environ is None else environ
    known = [item.name.upper() for item in fields(Settings)]
    warnings = []
    for name in sorted(environ):
        suffix = name.removeprefix("SCANAPP_")
        if suffix == name or suffix in known or name.startswith(NOT_SETTINGS):
            continue
        close = difflib.get_close_matches(suffix, known, n=1, cutoff=0.6)
        hint = f"; did you mean SCANAPP_{close[0]}?" if close else ""
        warnings.append(f"{name} is not a scanapp setting and is ignored{hint}")
    return warnings


def load_settings(environ: dict | None = None) -> Settings:
    """Build the settings from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    values = {}
    for item in fields(Settings):
        name = f"SCANAPP_{item.name.upper()}"
        if name in environ:
            values[item.name] = _PARSERS[item.name](name, environ[name])
    settings = Settings(**values)
    _check_database_url(settings.sqlalchemy_url)
    return settings


def _check_database_url(url: str) -> None:
    if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
        raise SettingsError(
            f"SCANAPP_DATABASE_URL must be a sqlite:// or postgresql:// URL, not {url!r}"
        )


_current: Settings | None = None


def get_settings() -> Settings:
    """Return the process settings, loading them on first use."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def set_settings(settings: Settings | None) -> None:
    """Replace the process settings (``None`` reloads from the environment on next use)."""
    global _current
    _current = settings
