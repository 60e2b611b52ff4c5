"""The collect_symbols_ctags pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import symbols


class CollectSymbolsCtags(Pipeline):
    """Collect source symbols with Ctags.

    An add-on: run it after a pipeline that collects and scans the codebase (scan_codebase,
    scan_single_package, inspect_packages, analyze_docker_image...). Universal Ctags reads
    every file that is neither binary, archive nor media; the names of the symbols it
    defines (functions, classes, variables, macros...) are stored in the file's
    ``extra_data`` as ``source_symbols``. Needs Debian's ``universal-ctags``; a file ctags
    fails on becomes an error message and the others go on. The pygments and tree-sitter
    add-ons, run later, replace ``source_symbols``. Example:

        scanapp run inspect_packages src.zip --pipeline collect_symbols_ctags --output out.json
    """

    is_addon = True

    @classmethod
    def availability(cls):
        """Return whether Universal Ctags and source-inspector are installed, and why not."""
        problem = symbols.ctags_problem()
        return not problem, problem

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.collect_and_store_resource_symbols,)

    def collect_and_store_resource_symbols(self):
        """Collect symbols from codebase files using Ctags and store
        them in the extra data field.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        symbols.collect_ctags(self.context, model="collect_and_store_resource_symbols")
