"""The collect_strings_gettext pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import strings


class CollectStringsGettext(Pipeline):
    """Collect source string literals with xgettext.

    An add-on: run it after a pipeline that collects and scans the codebase. GNU xgettext
    extracts the string literals of every file that is neither binary, archive nor media
    (C, C++, Python, JavaScript, Java, shell and the other languages it knows); they are
    stored, cleaned of escapes, in the file's ``extra_data`` as ``source_strings``. Needs
    Debian's ``gettext``; a file xgettext fails on becomes an error message. The pygments
    and tree-sitter add-ons, run later, replace ``source_strings``. Example:

        scanapp run inspect_packages src.zip --pipeline collect_strings_gettext --output out.json
    """

    is_addon = True

    @classmethod
    def availability(cls):
        """Return whether GNU xgettext and source-inspector are installed, and why not."""
        problem = strings.xgettext_problem()
        return not problem, problem

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.collect_and_store_resource_strings,)

    def collect_and_store_resource_strings(self):
        """Collect source strings from codebase files using gettext and store
        them in the extra data field.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        strings.collect_strings(self.context, model="collect_and_store_resource_strings")
