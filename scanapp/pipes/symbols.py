"""Collect source symbols (and strings, comments) with AboutCode's source-inspector.

Three tools, as ScanCode.io: Universal Ctags (``source_symbols``), Pygments
(``source_symbols``, ``source_strings``, ``source_comments``) and tree-sitter
(``source_symbols``, ``source_strings``), each stored in the files' ``extra_data``.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from scanapp.models import CodebaseResource
from scanapp.pipes import file_data
from scanapp.pipes.tools import command_problem, missing_modules, modules_problem, require

#: The files ScanCode.io inspects: neither binary, archive nor media.
SOURCE_FILES = (
    CodebaseResource.is_binary.is_(False),
    CodebaseResource.is_archive.is_(False),
    CodebaseResource.is_media.is_(False),
)


@functools.cache
def ctags_problem() -> str:
    """Return why Universal Ctags cannot be used here ("" when it can)."""
    return command_problem(
        "ctags", install="universal-ctags", what="Universal Ctags with JSON output",
        accepts=lambda version: version.startswith("Universal Ctags") and "+json" in version,
    ) or modules_problem("source_inspector", package="source-inspector")


def pygments_problem() -> str:
    """Return why the Pygments collector cannot be used here ("" when it can)."""
    return modules_problem("source_inspector", "pygments", package="source-inspector")


def tree_sitter_wheels() -> dict[str, str]:
    """Return the tree-sitter grammar module of each programming language source-inspector knows."""
    from source_inspector.symbols_tree_sitter import TS_LANGUAGE_WHEELS

    return {language: info["wheel"] for language, info in TS_LANGUAGE_WHEELS.items()}


def tree_sitter_problem() -> str:
    """Return why tree-sitter cannot be used here: the library or a grammar is missing."""
    problem = modules_problem("source_inspector", "tree_sitter", package="source-inspector")
    if problem:
        return problem
    missing = missing_modules(*sorted(set(tree_sitter_wheels().values())))
    if missing:
        names = ", ".join(name.replace("_", "-") for name in missing)
        return f"tree-sitter grammar(s) not installed: {names} (pip install {names})."
    return ""


def ctags_symbols(location: str) -> dict:
    """Return ``{"source_symbols": [names]}`` of the tags Universal Ctags finds in a file."""
    from source_inspector import symbols_ctags

    tags = symbols_ctags.collect_symbols(location)
    return {"source_symbols": [tag["name"] for tag in tags if "name" in tag]}


def pygments_symbols(location: str) -> dict:
    """Return the ``source_symbols``, ``source_strings`` and ``source_comments`` of a file."""
    from source_inspector import symbols_pygments

    result = symbols_pygments.get_pygments_symbols(location)
    keys = ("source_symbols", "source_strings", "source_comments")
    return {key: result.get(key) for key in keys}


def tree_sitter_symbols(location: str) -> dict:
    """Return the ``source_symbols`` and ``source_strings`` tree-sitter parses in a file."""
    from source_inspector import symbols_tree_sitter

    result = symbols_tree_sitter.get_treesitter_symbols(location)
    return {key: result.get(key) for key in ("source_symbols", "source_strings")}


def collect_ctags(context, model: str) -> file_data.Stats:
    """Store the Universal Ctags symbols of every source file in ``source_symbols``."""
    require(ctags_problem())
    return file_data.collect(
        context, ctags_symbols, where=SOURCE_FILES, model=model, what="symbols"
    )


def collect_pygments(context, model: str) -> file_data.Stats:
    """Store the Pygments symbols, strings and comments of every source file."""
    require(pygments_problem())
    return file_data.collect(
        context, pygments_symbols, where=SOURCE_FILES, model=model, what="symbols"
    )


def collect_tree_sitter(context, model: str) -> file_data.Stats:
    """Store the tree-sitter symbols and strings of the files in a language it parses."""
    require(tree_sitter_problem())
    languages = sorted({language.lower() for language in tree_sitter_wheels()})
    where = (*SOURCE_FILES, sa.func.lower(CodebaseResource.programming_language).in_(languages))
    return file_data.collect(
        context, tree_sitter_symbols, where=where, model=model, what="symbols and strings"
    )
