"""The inspect_packages pipeline."""

from pipelines.scan_codebase import ScanCodebase
from scanapp.pipes import codebase, scancode


class InspectPackages(ScanCodebase):
    """Inspect a codebase for packages and dependencies: manifests and lockfiles only.

    Inputs are copied into codebase/ and archives extracted as in scan_codebase, and every
    file is recorded. Only the files that a scancode-toolkit package datafile handler
    matches by path (package.json, package-lock.json, setup.py, PKG-INFO, requirements*.txt,
    pom.xml, Cargo.lock, go.mod, ...) are parsed for package data; no license, copyright,
    email or URL scan runs on the files, which makes it fast; the other files get their
    checksums, MIME type and programming language. Packages and their
    dependencies (with scope, datafile_path and the package they belong to) are then
    assembled, and files are linked to their packages (``for_packages``).
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.copy_inputs_to_codebase_directory,
            cls.extract_archives,
            cls.collect_and_create_codebase_resources,
            cls.flag_empty_and_ignored_files,
            cls.scan_for_application_packages,
            cls.assemble_packages_and_dependencies,
        )

    def scan_for_application_packages(self):
        """Parse package data from the manifest and lockfile files only (no license scan).

        The other files get their file information (size, checksums, MIME and file type,
        programming language) and keep an empty status, as in ScanCode.io.
        """
        super().scan_for_application_packages()
        codebase.scan_files(self.context, scancode.INFO_SCANNERS, keep_status=True)
