"""Tell whether the tools and Python modules an add-on pipeline needs are installed."""

from __future__ import annotations

import importlib.util


class ToolMissingError(Exception):
    """A tool the pipeline needs is not installed."""


def require(problem: str) -> None:
    """Raise ToolMissingError with ``problem`` unless it is empty."""
    if problem:
        raise ToolMissingError(problem)


def missing_modules(*names: str) -> list[str]:
    """Return the Python modules of ``names`` that cannot be imported here."""
    return [name for name in names if importlib.util.find_spec(name) is None]


def modules_problem(*names: str, package: str) -> str:
    """Return what to install when a module of ``names`` is missing ("" when none is)."""
    missing = missing_modules(*names)
    if missing:
        return f"Python module(s) {', '.join(missing)} not installed (pip install {package})."
    return ""
