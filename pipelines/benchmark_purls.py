"""The benchmark_purls pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import benchmark


class BenchmarkPurls(Pipeline):
    r"""Validate discovered project packages against a reference list of expected PURLs.

    The expected PURLs must be provided as a .txt file with one PURL per line.
    Input files are recognized if:

    - They are tagged with "purls", or
    - Their filename ends with "purls.txt" (e.g., "expected_purls.txt").

    Run it after the pipelines that discover the packages (``load_sbom``, ``scan_codebase``,
    ``inspect_packages``...). The differences are written to
    ``output/benchmark_purls-<date>.txt`` (``GET /api/projects/{uuid}/outputs/``), one per
    line: ``- <purl>`` is in the project but not expected, ``+ <purl>`` is expected but
    missing from the project. A project message sums them up, with the missing and the
    unexpected purls in its ``details``. Blank lines of the expected files are ignored.

    ```sh
    curl -F name=bench -F upload_file=@sbom.cdx.json -F upload_file=@expected_purls.txt \
      -F pipeline=load_sbom -F pipeline=benchmark_purls -F execute_now=true "$api/projects/"
    curl "$api/projects/$uuid/outputs/"   # benchmark_purls-<date>.txt: "- extra", "+ missing"
    ```
    """

    is_addon = True

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.get_expected_purls, cls.compare_purls)

    def get_expected_purls(self):
        """Load the expected PURLs defined in the project inputs."""
        self.expected_purls = benchmark.get_expected_purls(
            self.context.project_id, self.context.workdir.input
        )
        self.context.log(f"{len(self.expected_purls)} expected purl(s)")

    def compare_purls(self):
        """Run the PURLs diff and write the results to a project output file."""
        lines = benchmark.compare_purls(self.context.project_id, self.expected_purls)
        output = benchmark.write_results(self.context.workdir.output, lines)
        benchmark.report(self.context, lines, output.name)
