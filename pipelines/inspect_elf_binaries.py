"""The inspect_elf_binaries pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import elf


class InspectElfBinaries(Pipeline):
    """Inspect ELF binaries and collect DWARF paths.

    An add-on: run it after a pipeline that collects and scans the codebase (the file
    types must be known). Every ELF executable, shared object or relocatable file gets, in
    its ``extra_data``, ``compiled_paths`` (the source files its DWARF debug information
    says it was compiled from) and ``included_paths`` (the headers and other files it
    names), as ScanCode.io (through AboutCode's elf-inspector). A binary without debug
    information (stripped, or built without ``-g``) gets empty lists. Example:

        scanapp run inspect_packages app.tar.gz --pipeline inspect_elf_binaries --output out.json
    """

    is_addon = True

    @classmethod
    def availability(cls):
        """Return whether elf-inspector is installed, and why not."""
        problem = elf.elf_problem()
        return not problem, problem

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.collect_dwarf_source_path_references,)

    def collect_dwarf_source_path_references(self):
        """Collect DWARF paths from ELF files and set values on the extra_data field."""
        elf.collect_dwarf_paths(self.context, model="collect_dwarf_source_path_references")
