"""The populate_purldb pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class PopulatePurlDB(ServicePipeline):
    """Populate PurlDB with discovered project packages and their dependencies."""

    is_addon = True
    reason = "PurlDB is not configured: scanapp has no PurlDB client yet."

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_service_availability,
            cls.populate_purldb_with_discovered_packages,
            cls.populate_purldb_with_discovered_dependencies,
        )

    # Each step raises PipelineError: the service is not supported here.
    def check_service_availability(self):
        """Check if the PurlDB service if configured and available."""
        self.unsupported()

    def populate_purldb_with_discovered_packages(self):
        """Add DiscoveredPackage to PurlDB."""
        self.unsupported()

    def populate_purldb_with_discovered_dependencies(self):
        """Add DiscoveredDependency to PurlDB."""
        self.unsupported()
