"""The scan_repo_health pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class ScanRepoHealth(ServicePipeline):
    """Run a Repo Health scan to extract repository metrics and health score."""

    reason = "Grimoirelab is not configured: scanapp does not run grimoirelab-metrics yet."

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.get_repo_url_input,
            cls.collect_and_store_grimoire_metric,
            cls.format_metrics_output,
        )

    # Each step raises PipelineError: the service is not supported here.
    # ScanCode.io's step documentation, word for word (no final period).
    def get_repo_url_input(self):
        """Validate and extract the repository URL from the project's input sources
        """  # noqa: D200, D400, D415
        self.unsupported()

    def collect_and_store_grimoire_metric(self):
        """Run the grimoirelab-metrics command against the input source.
        Save the generated metrics JSON to the project output directory.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        self.unsupported()

    def format_metrics_output(self):
        """Format the GrimoireLab metrics output by extracting the repository URL,
        score, and metrics from the generated JSON and overwriting it with a
        simplified structure, and updating the project's extra data.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        self.unsupported()
