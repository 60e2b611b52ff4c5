"""The scan_single_package pipeline."""

from pipelines.scan_codebase import ScanCodebase
from scanapp.pipes import summary


class ScanSinglePackage(ScanCodebase):
    """Scan a single package archive with ScanCode-toolkit and summarize it.

    Takes exactly one input (a package archive or file): a project with none or more
    fails before the first step, saying so. Runs the same scan as
    scan_codebase (file info, package data, licenses, copyrights, emails, URLs, then
    packages and dependencies), then computes the scancode summary: declared license
    expression, license clarity score with its scoring factors, declared holder, primary
    language, key files with their text and the packages they belong to. The summary is
    served at ``GET /api/projects/{uuid}/summary/``.
    """

    min_inputs = 1
    max_inputs = 1

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (*super().steps(), cls.make_summary_from_scan_results)

    def make_summary_from_scan_results(self):
        """Compute the summary (declared license, clarity score, key files) and store it."""
        project_id = self.context.project_id
        result = summary.make_summary(project_id, self.context.workdir.codebase)
        summary.store_summary(project_id, result)
        score = result["license_clarity_score"]["score"]
        self.context.log(f"License clarity score {score}, {len(result['key_files'])} key files")
