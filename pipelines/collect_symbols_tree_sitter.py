"""The collect_symbols_tree_sitter pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import symbols


class CollectSymbolsTreeSitter(Pipeline):
    """Collect source symbols and string literals with Tree-sitter.

    An add-on: run it after a pipeline that collects and scans the codebase (the files'
    programming language must be known). Each file in a language with a tree-sitter
    grammar (Bash, C, C++, C#, Go, Java, JavaScript, TypeScript, Objective-C, Python,
    Cython, Rust, Swift) is parsed, and its ``extra_data`` gets ``source_symbols`` (the
    identifiers) and ``source_strings`` (the string literals), as ScanCode.io (through
    AboutCode's source-inspector). A file that does not parse becomes an error message.
    Another symbol or string add-on run later replaces the keys it writes. Example:

        scanapp run inspect_packages src/ --pipeline collect_symbols_tree_sitter --output out.json
    """

    is_addon = True

    @classmethod
    def availability(cls):
        """Return whether tree-sitter and its grammars are installed, and why not."""
        problem = symbols.tree_sitter_problem()
        return not problem, problem

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.collect_and_store_tree_sitter_symbols_and_strings,)

    def collect_and_store_tree_sitter_symbols_and_strings(self):
        """Collect symbols and strings from codebase files using tree-sitter
        and store them in the extra data field.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        symbols.collect_tree_sitter(
            self.context, model="collect_and_store_tree_sitter_symbols_and_strings"
        )
