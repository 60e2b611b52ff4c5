"""The enrich_with_purldb pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class EnrichWithPurlDB(ServicePipeline):
    """Enrich the discovered packages with data available in the PurlDB."""

    is_addon = True
    reason = "PurlDB is not configured: scanapp has no PurlDB client yet."

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_service_availability,
            cls.enrich_discovered_packages_with_purldb,
        )

    # Each step raises PipelineError: the service is not supported here.
    def check_service_availability(self):
        """Check if the PurlDB service if configured and available."""
        self.unsupported()

    def enrich_discovered_packages_with_purldb(self):
        """Lookup discovered packages in PurlDB."""
        self.unsupported()
