"""Collect the DWARF source paths of ELF binaries with AboutCode's elf-inspector.

Each ELF executable, shared object or relocatable file gets ``compiled_paths`` (the source
files of its compilation units) and ``included_paths`` (the headers and other files its
debug entries name) in its ``extra_data``, as ScanCode.io. A stripped ELF, or one built
without ``-g``, gets empty lists.
"""

from __future__ import annotations

import sqlalchemy as sa

from scanapp.models import CodebaseResource
from scanapp.pipes import file_data
from scanapp.pipes.tools import modules_problem, require

#: ScanCode.io's ``elfs()``: a file type starting with ELF that is an executable, a
#: relocatable or a shared object (kept in sync with typecode's ``is_elf``).
ELF_FILES = (
    CodebaseResource.file_type.ilike("ELF%"),
    sa.or_(
        CodebaseResource.file_type.ilike("%executable%"),
        CodebaseResource.file_type.ilike("%relocatable%"),
        CodebaseResource.file_type.ilike("%shared object%"),
    ),
)


def elf_problem() -> str:
    """Return why elf-inspector cannot be used here ("" when it can)."""
    return modules_problem("elf_inspector", "elftools", package="elf-inspector")


def dwarf_paths(location: str) -> dict:
    """Return ``{"compiled_paths": [...], "included_paths": [...]}`` of an ELF file."""
    from elf_inspector.dwarf import get_dwarf_paths

    return get_dwarf_paths(location)


def collect_dwarf_paths(context, model: str) -> file_data.Stats:
    """Store the DWARF paths of every ELF file of the project in its ``extra_data``."""
    require(elf_problem())
    return file_data.collect(
        context, dwarf_paths, where=ELF_FILES, model=model, what="DWARF paths"
    )
