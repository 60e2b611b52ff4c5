"""The load_inventory pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import codebase, inventory


class LoadInventory(Pipeline):
    """Load ScanCode toolkit JSON scans or scanapp JSON results into the project.

    Each input (an upload or a URL) must be a JSON scan: the output of
    ``scancode -clpieu --json`` (any ScanCode toolkit options) or the JSON results of scanapp
    (or ScanCode.io). Its files become resources with their statuses, licenses, copyrights,
    package data and ``for_packages`` links; its packages and dependencies (with
    ``for_package_uid`` and ``datafile_path``) and its relations are stored too, with their
    ``extra_data`` (e.g. a package's scorecard). Files are stream-parsed, so large scans load
    in bounded memory. An input that is not valid JSON, or not one of these layouts, fails the
    run with a message naming it before anything is written.
    """

    min_inputs = 1

    @classmethod
    def too_few_inputs(cls, count: int) -> str:
        """Say what is missing: a JSON scan."""
        return "The load_inventory pipeline needs at least one JSON scan input."

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.get_inputs, cls.check_scan_files, cls.build_inventory_from_scans)

    def get_inputs(self):
        """Fetch the URL inputs into input/; collect the input files to load."""
        self.input_names = codebase.fetch_inputs(self.context)

    def check_scan_files(self):
        """Check that every input is valid JSON of a known scan layout (nothing written yet)."""
        self.scans = inventory.check_inputs(self.context, self.input_names)

    def build_inventory_from_scans(self):
        """Store each scan's files, packages, dependencies and relations, in batches."""
        for scan in self.scans:
            inventory.load_into_project(self.context, scan)
