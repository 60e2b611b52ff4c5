"""Tell whether the tools and Python modules an add-on pipeline needs are installed."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Callable


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


def command_problem(
    command: str, *, install: str, what: str, accepts: Callable[[str], bool]
) -> str:
    """Return why ``command`` cannot be used here ("" when it can).

    It must be on the PATH and its ``--version`` output must satisfy ``accepts`` (the right
    implementation of the tool); ``install`` is the Debian package, ``what`` the tool's name.
    """
    found = shutil.which(command)
    if not found:
        return f"{command} is not installed (Debian/Ubuntu: apt-get install {install})."
    try:
        version = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        return f"{command} --version failed: {error}"
    if not accepts(version):
        return f"{found} is not {what} (Debian/Ubuntu: apt-get install {install})."
    return ""
