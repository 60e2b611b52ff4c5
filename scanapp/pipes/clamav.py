"""Scan codebase files for viruses with ClamAV's ``clamscan``.

Signatures come from a directory (``SCANAPP_CLAMAV_DATABASE``, else ClamAV's own
``/var/lib/clamav``). No signature there is an error: a scan is never reported clean
without having been made.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import CodebaseResource
from scanapp.pipes import resources
from scanapp.statuses import ResourceStatus

MODEL = "scan_for_virus"
DEFAULT_DATABASE = Path("/var/lib/clamav")
#: File suffixes of ClamAV signature databases (official and custom).
SIGNATURE_SUFFIXES = frozenset(
    ".cvd .cld .cud .hdb .hsb .hdu .hsu .mdb .msb .mdu .msu .ndb .ndu .ldb .ldu "
    ".cdb .idb .pdb .gdb .wdb .cbc .crb .imp .yar .yara".split()
)


class VirusScanError(Exception):
    """ClamAV cannot scan: not installed, no signatures, or clamscan failed."""


@dataclass(frozen=True)
class Finding:
    """What clamscan said of one file: ``FOUND`` with a signature, or ``ERROR`` with a reason."""

    path: str
    status: str
    reason: str


def find_database(configured: str) -> Path:
    """Return the signature directory; raise VirusScanError when it holds no signature."""
    folder = Path(configured) if configured else DEFAULT_DATABASE
    hint = (
        "Set SCANAPP_CLAMAV_DATABASE to a directory of ClamAV signatures "
        "(freshclam fills /var/lib/clamav)."
    )
    if not folder.is_dir():
        raise VirusScanError(f"No ClamAV signature database: {folder} is not a directory. {hint}")
    if not any(path.suffix.lower() in SIGNATURE_SUFFIXES for path in folder.iterdir()):
        raise VirusScanError(f"No ClamAV signature database in {folder}: no signature file. {hint}")
    return folder


def find_clamscan() -> str:
    """Return the clamscan executable; raise VirusScanError when ClamAV is not installed."""
    found = shutil.which("clamscan")
    if not found:
        raise VirusScanError("clamscan is not installed (Debian/Ubuntu: apt-get install clamav).")
    return found


def check_ready() -> Path:
    """Return the signature directory once clamscan and signatures are both found."""
    find_clamscan()
    return find_database(get_settings().clamav_database)


def scan_files(root: Path, paths: list[str], database: Path) -> Iterator[Finding]:
    """Scan ``paths`` (relative to ``root``) in one clamscan process; yield FOUND and ERROR.

    The signatures are loaded once for the whole list. clamscan failing as a whole
    (bad database, crash) raises VirusScanError with its own message.
    """
    command = [
        find_clamscan(),
        "--no-summary",
        "--stdout",
        "--follow-file-symlinks=0",
        "--follow-dir-symlinks=0",
        f"--database={database}",
    ]
    prefix = f"{root}/"
    with (
        tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as listing,
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errors,
    ):
        listing.writelines(f"{prefix}{path}\n" for path in paths)
        listing.flush()
        # stderr goes to a file: a pipe left unread could fill up and block clamscan.
        process = subprocess.Popen(
            [*command, f"--file-list={listing.name}"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            errors="replace",
        )
        answered = 0
        for line in process.stdout:
            finding = parse_line(line.rstrip("\n"), prefix)
            if finding is None:
                continue
            answered += 1
            if finding.status != "OK":
                yield finding
        code = process.wait()
        errors.seek(0)
        stderr = errors.read()
    if code not in (0, 1) and not answered:
        raise VirusScanError(f"clamscan failed (exit {code}): {stderr.strip()[-1000:]}")


def parse_line(line: str, prefix: str) -> Finding | None:
    """Parse ``<path>: <signature> FOUND``, ``<path>: OK`` or ``<path>: <reason> ERROR``."""
    if not line.startswith(prefix) or ": " not in line:
        return None
    location, _, outcome = line.rpartition(": ")
    path = location[len(prefix) :]
    if outcome == "OK":
        return Finding(path, "OK", "")
    for status in ("FOUND", "ERROR"):
        if outcome.endswith(f" {status}"):
            return Finding(path, status, outcome[: -len(status) - 1])
    return None


def scan_project(context) -> dict:
    """Scan every non-empty file of the project's codebase; record what ClamAV finds.

    An infected file gets the status ``virus-detected``, its ``extra_data.virus_report``
    (``{"clamav": {"status": "FOUND", "signature": ...}}``) and an error message naming the
    signature; a file ClamAV could not read becomes a warning message. Returns the counts.
    """
    database = check_ready()
    rows = resources.iter_resources(
        context.project_id, CodebaseResource.path, where=(CodebaseResource.size > 0,)
    )
    ids = {path: row_id for row_id, path in rows if "\n" not in path}
    if not ids:
        raise VirusScanError("No file to scan: run a pipeline that collects the codebase first.")
    root = context.workdir.codebase
    counts = {"scanned": len(ids), "infected": 0, "errors": 0}
    for finding in scan_files(root, list(ids), database):
        if finding.status == "FOUND" and finding.path in ids:
            _flag_infected(context, ids[finding.path], finding)
            counts["infected"] += 1
        elif finding.path in ids:
            context.add_message(
                f"ClamAV could not scan {finding.path}: {finding.reason}",
                severity="warning",
                model=MODEL,
                details={"resource_path": finding.path, "reason": finding.reason},
            )
            counts["errors"] += 1
    context.log(f"ClamAV signatures from {database}: {counts}")
    return counts


def _flag_infected(context, resource_id: int, finding: Finding) -> None:
    report = {"clamav": {"status": "FOUND", "signature": finding.reason}}
    with session_scope() as session:
        resource = session.get(CodebaseResource, resource_id)
        resource.status = ResourceStatus.VIRUS_DETECTED
        resource.extra_data = {**(resource.extra_data or {}), "virus_report": report}
        session.add(resource)
    context.add_message(
        f"Virus detected in {finding.path}: {finding.reason}",
        model=MODEL,
        details={"resource_path": finding.path, "signature": finding.reason},
    )
