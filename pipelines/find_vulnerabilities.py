"""The find_vulnerabilities pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class FindVulnerabilities(ServicePipeline):
    """Find vulnerabilities for packages and dependencies in the VulnerableCode database.

    Vulnerability data is stored on each package and dependency instance.
    """

    is_addon = True
    reason = "VulnerableCode is not configured: scanapp has no VulnerableCode client yet."

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_vulnerablecode_service_availability,
            cls.lookup_packages_vulnerabilities,
            cls.lookup_dependencies_vulnerabilities,
        )

    # Each step raises PipelineError: the service is not supported here.
    def check_vulnerablecode_service_availability(self):
        """Check if the VulnerableCode service if configured and available."""
        self.unsupported()

    def lookup_packages_vulnerabilities(self):
        """Check for vulnerabilities for each of the project's discovered package."""
        self.unsupported()

    def lookup_dependencies_vulnerabilities(self):
        """Check for vulnerabilities for each of the project's discovered dependency."""
        self.unsupported()
