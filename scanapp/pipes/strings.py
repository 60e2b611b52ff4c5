"""Collect the string literals of source files with GNU xgettext (AboutCode's source-inspector).

Each file's strings are stored in its ``extra_data`` as ``source_strings``, as ScanCode.io.
"""

from __future__ import annotations

import functools

from scanapp.pipes import file_data
from scanapp.pipes.symbols import SOURCE_FILES
from scanapp.pipes.tools import command_problem, modules_problem, require


@functools.cache
def xgettext_problem() -> str:
    """Return why GNU xgettext cannot be used here ("" when it can)."""
    return command_problem(
        "xgettext", install="gettext", what="GNU xgettext",
        accepts=lambda version: version.startswith("xgettext (GNU gettext-tools)"),
    ) or modules_problem("source_inspector", package="source-inspector")


def xgettext_strings(location: str) -> dict:
    """Return ``{"source_strings": [strings]}`` of the literals xgettext extracts from a file."""
    from source_inspector import strings_xgettext

    found = strings_xgettext.collect_strings(location)
    return {"source_strings": [item["string"] for item in found if "string" in item]}


def collect_strings(context, model: str) -> file_data.Stats:
    """Store the xgettext string literals of every source file in ``source_strings``."""
    require(xgettext_problem())
    return file_data.collect(
        context, xgettext_strings, where=SOURCE_FILES, model=model, what="strings"
    )
