"""The collect_symbols_pygments pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import symbols


class CollectSymbolsPygments(Pipeline):
    """Collect source symbols, string literals and comments with Pygments.

    An add-on: run it after a pipeline that collects and scans the codebase. The Pygments
    lexer of each file that is neither binary, archive nor media (chosen by its file name)
    splits it into tokens, and the file's ``extra_data`` gets ``source_symbols`` (names of
    functions, classes, constants, namespaces...), ``source_strings`` (literals) and
    ``source_comments`` (empty: source-inspector leaves comments out by default), as
    ScanCode.io (through AboutCode's source-inspector). Another symbol or string add-on
    run later replaces the keys it writes. Example:

        scanapp run inspect_packages src.zip --pipeline collect_symbols_pygments --output out.json
    """

    is_addon = True

    @classmethod
    def availability(cls):
        """Return whether source-inspector and Pygments are installed, and why not."""
        problem = symbols.pygments_problem()
        return not problem, problem

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.collect_and_store_pygments_symbols_and_strings,)

    def collect_and_store_pygments_symbols_and_strings(self):
        """Collect symbols, strings and comments from codebase files using pygments
        and store them in the extra data field.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        symbols.collect_pygments(
            self.context, model="collect_and_store_pygments_symbols_and_strings"
        )
