"""Compute MatchCode fingerprints of a codebase with AboutCode's matchcode-toolkit, offline.

Stored as ScanCode.io stores them in ``extra_data``: every directory gets
``directory_content`` (from the SHA1s of the non-empty files under it) and
``directory_structure`` (from their relative paths and rounded sizes), "" when it holds
fewer than two such files; every text file gets ``halo1`` and ``snippets``; and every file
in a language matchcode-toolkit stems (C, C++, Go, Java, JavaScript, Python, Rust) gets
``stemmed_halo1`` and ``stemmed_snippets``. Matching them against an index needs a MatchCode
server: this only computes them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from scanapp.models import CodebaseResource
from scanapp.pipes import chunked, file_data, resources
from scanapp.pipes.tools import modules_problem, require
from scanapp.statuses import ResourceStatus

DIRECTORY_KEYS = ("directory_content", "directory_structure")


class Item(NamedTuple):
    """What matchcode-toolkit's directory fingerprints read of a resource."""

    path: str
    sha1: str = ""
    size: int | None = None


def matchcode_problem() -> str:
    """Return why matchcode-toolkit cannot be used here ("" when it can)."""
    return modules_problem("matchcode_toolkit", "samecode", package="matchcode-toolkit")


def directory_fingerprints(directory: str, files: list[Item]) -> dict:
    """Return the ``directory_content`` and ``directory_structure`` of a directory.

    ``files`` are the non-empty files anywhere under it; with fewer than two, both are ""
    (matchcode-toolkit computes none).
    """
    from matchcode_toolkit.fingerprinting import (
        create_content_fingerprint,
        create_structure_fingerprint,
    )

    if len(files) <= 1:
        return dict.fromkeys(DIRECTORY_KEYS, "")
    return {
        "directory_content": create_content_fingerprint(files),
        "directory_structure": create_structure_fingerprint(Item(directory), files),
    }


def fingerprint_directories(context) -> int:
    """Store the fingerprints of every directory of the project; return how many.

    The tree is walked here rather than through a commoncode VirtualCodebase, as ScanCode.io
    does, to read the rows once; the fingerprints are matchcode-toolkit's own functions.
    """
    under: dict[str, list[Item]] = defaultdict(list)
    files = resources.iter_resources(
        context.project_id,
        CodebaseResource.path,
        CodebaseResource.sha1,
        CodebaseResource.size,
        where=(CodebaseResource.size > 0,),
    )
    for _, path, sha1, size in files:
        item, parts = Item(path, sha1, size), path.split("/")
        for depth in range(1, len(parts)):
            under["/".join(parts[:depth])].append(item)
    directories = resources.iter_resources(
        context.project_id,
        CodebaseResource.path,
        CodebaseResource.extra_data,
        files_only=False,
        where=(CodebaseResource.type == "directory",),
    )
    count = 0
    for batch in chunked(directories, file_data.BATCH_SIZE):
        updates = []
        for row_id, path, extra in batch:
            found = directory_fingerprints(path, under.get(path, []))
            updates.append({"id": row_id, "extra_data": {**(extra or {}), **found}})
        resources.bulk_update(updates)
        count += len(updates)
    context.log(f"Fingerprinted {count} directories")
    return count


def file_fingerprints(location: str) -> dict:
    """Return the ``halo1`` and ``snippets`` of a text file ({} for any other file)."""
    from matchcode_toolkit.fingerprinting import get_file_fingerprint_hashes

    return get_file_fingerprint_hashes(location)


def stemmed_fingerprints(location: str) -> dict:
    """Return the ``stemmed_halo1`` and ``stemmed_snippets`` of a source file's stemmed code."""
    from matchcode_toolkit.fingerprinting import get_stemmed_file_fingerprint_hashes

    return get_stemmed_file_fingerprint_hashes(location)


def stemmed_languages() -> list[str]:
    """Return the programming languages whose code matchcode-toolkit stems."""
    from matchcode_toolkit.stemming import TS_LANGUAGE_CONF

    return sorted(TS_LANGUAGE_CONF)


def fingerprint_codebase(context, model: str) -> None:
    """Store the directory, file and stemmed-code fingerprints of the project's codebase."""
    require(matchcode_problem())
    fingerprint_directories(context)
    text_files = (CodebaseResource.is_text.is_(True),)
    error = ResourceStatus.SCANNED_WITH_ERROR
    file_data.collect(
        context, file_fingerprints, where=text_files, model=model, what="fingerprints",
        error_status=error,
    )
    languages = (CodebaseResource.programming_language.in_(stemmed_languages()),)
    file_data.collect(
        context, stemmed_fingerprints, where=languages, model=model,
        what="stemmed fingerprints", error_status=error,
    )

