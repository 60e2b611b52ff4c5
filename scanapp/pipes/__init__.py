"""Reusable pipeline functions ("pipes"): fetch, extract, collect, scan, assemble, summarize.

Pipes know nothing of HTTP or the queue; they work on a project's work directory and rows.
scancode-toolkit keeps its temporary files in ``<workdirs>/tmp`` (``SCANCODE_TEMP``, set
here, before any toolkit module is imported), and the folder it makes there for this process
is removed when the process exits: nothing is left in the system temp folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from itertools import islice

from scanapp.config import get_settings


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _keep_toolkit_temp_files_in_the_workdirs() -> None:
    if "scancode_config" in sys.modules:
        return  # already imported: its folder is where it is
    # scancode_config creates the folder when it is imported (a scan), not before.
    os.environ["SCANCODE_TEMP"] = str(get_settings().workdirs.resolve() / "tmp")
    atexit.register(_remove_toolkit_temp_folder, os.getpid())


def _remove_toolkit_temp_folder(pid: int) -> None:
    config = sys.modules.get("scancode_config")
    if config is not None and os.getpid() == pid:  # not in forked scan processes
        shutil.rmtree(config.scancode_temp_dir, ignore_errors=True)


_keep_toolkit_temp_files_in_the_workdirs()
