"""Benchmark a project's packages against a list of expected package URLs (purls).

As ScanCode.io's ``benchmark_purls``: the expected purls come from the inputs whose file
name ends with ``purls.txt`` or that are tagged ``purls``, one purl per line; the project's
purls are those of its discovered packages. The differences are written to
``output/benchmark_purls-<date>.txt`` as difflib's ``ndiff`` lines of the sorted project
purls against the sorted expected ones: ``- <purl>`` is in the project but not expected
(extra), ``+ <purl>`` is expected but not in the project (missing).
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import DiscoveredPackage, InputSource

OUTPUT_NAME = "benchmark_purls"
TAG = "purls"


def expected_purls_files(project_id: int, input_dir: Path) -> list[Path]:
    """Return the inputs listing expected purls: ``*purls.txt`` names or the ``purls`` tag."""
    with session_scope() as session:
        sources = session.exec(select(InputSource).where(
            InputSource.project_id == project_id).order_by(InputSource.id)).all()
    names = [source.filename for source in sources if source.filename
             and (source.filename.endswith("purls.txt") or source.tag == TAG)]
    return [input_dir / name for name in names if (input_dir / name).is_file()]


def get_expected_purls(project_id: int, input_dir: Path) -> list[str]:
    """Return the sorted, deduplicated expected purls; raise ValueError when there are none."""
    purls = set()
    for location in expected_purls_files(project_id, input_dir):
        purls.update(line.strip() for line in location.read_text(errors="replace").splitlines()
                     if line.strip())
    if not purls:
        raise ValueError("Expected PURLs not provided: add an input named *purls.txt "
                         "or tagged 'purls', one purl per line.")
    return sorted(purls)


def project_purls(project_id: int) -> list[str]:
    """Return the sorted unique purls of the project's discovered packages."""
    with session_scope() as session:
        purls = session.exec(select(DiscoveredPackage.purl).where(
            DiscoveredPackage.project_id == project_id)).all()
    return sorted({purl for purl in purls if purl})


def compare_purls(project_id: int, expected: list[str]) -> list[str]:
    """Return the ndiff lines of the project's purls against ``expected`` (+ and - only)."""
    diff = difflib.ndiff(project_purls(project_id), expected)
    return [line for line in diff if line.startswith(("-", "+"))]


def write_results(output_dir: Path, lines: list[str]) -> Path:
    """Write the diff lines to ``output/benchmark_purls-<date>.txt``; return the file."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H-%M-%S")
    target = output_dir / f"{OUTPUT_NAME}-{stamp}.txt"
    target.write_text("\n".join(lines))
    return target


def report(context, lines: list[str], output_name: str) -> None:
    """Log the counts and record a message with the missing and unexpected purls."""
    missing = [line[2:] for line in lines if line.startswith("+")]
    unexpected = [line[2:] for line in lines if line.startswith("-")]
    summary = (f"PURLs benchmark: {len(missing)} expected purl(s) missing, "
               f"{len(unexpected)} unexpected, written to {output_name}")
    context.log(summary)
    context.add_message(
        summary,
        severity="warning" if lines else "info",
        model=OUTPUT_NAME,
        details={"missing": missing, "unexpected": unexpected, "output_file": output_name},
    )
