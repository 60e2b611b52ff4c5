"""The scan_single_package pipeline."""

from pipelines.scan_codebase import ScanCodebase
from scanapp.pipes import codebase, postscan, summary
from scanapp.statuses import ResourceStatus


class ScanSinglePackage(ScanCodebase):
    """Scan a single package archive (or package manifest file) and summarize it.

    Takes exactly one input (a package archive or file): a project with none or more
    fails before the first step, saying so. The input's checksums are recorded, an archive
    is extracted into the codebase root (``requests-2.32.3/setup.py``, as scancode lays a
    package out; nested archives go into ``<name>-extract/``), and every file is scanned
    for file info, package data, licenses, copyrights, emails and URLs. Packages and
    dependencies are then assembled, "see LICENSE" references followed, and the files of
    the package get the status ``application-package``. Last, the scancode summary:
    declared license expression, license clarity score with its scoring factors, declared
    holder, primary language, key files with their text and the packages they belong to.
    The summary is served at ``GET /api/projects/{uuid}/summary/``.
    """

    min_inputs = 1
    max_inputs = 1

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.get_package_input,
            cls.collect_input_information,
            cls.extract_input_to_codebase_directory,
            cls.extract_archives,
            cls.collect_and_create_codebase_resources,
            cls.flag_ignored_resources,
            cls.scan_for_application_packages_and_files,
            cls.assemble_packages_and_dependencies,
            cls.make_summary_from_scan_results,
        )

    def get_package_input(self):
        """Locate the package input in input/ (a URL input is fetched first)."""
        location = codebase.package_input(self.context)
        self.context.log(f"Package input: {location.name}")

    def collect_input_information(self):
        """Record the input's file name, size and checksums (md5, sha1, sha256, sha512, git)."""
        codebase.collect_input_information(self.context, codebase.package_input(self.context))

    def extract_input_to_codebase_directory(self):
        """Extract the input archive into codebase/ itself, or copy a non-archive input there."""
        codebase.extract_input_to_codebase(self.context, codebase.package_input(self.context))

    def flag_ignored_resources(self):
        """Flag the files matching the project's ``ignored_patterns`` setting (not scanned)."""
        codebase.flag_empty_and_ignored(self.context, empty=False)

    def assemble_packages_and_dependencies(self):
        """Follow license references, assemble packages, classify key files.

        The files of the package get the status application-package.
        """
        counts = postscan.run_codebase_steps(
            self.context.project_id,
            self.context.workdir.codebase,
            package_files_status=ResourceStatus.APPLICATION_PACKAGE,
        )
        self.context.log(f"Codebase steps: {counts}")

    def make_summary_from_scan_results(self):
        """Compute the summary (declared license, clarity score, key files) and store it."""
        project_id = self.context.project_id
        result = summary.make_summary(project_id, self.context.workdir.codebase)
        self.context.workdir.store_summary(result)
        score = result["license_clarity_score"]["score"]
        self.context.log(f"License clarity score {score}, {len(result['key_files'])} key files")
