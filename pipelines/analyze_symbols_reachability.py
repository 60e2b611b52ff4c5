"""The analyze_symbols_reachability pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class AnalyzeSymbolsReachability(ServicePipeline):
    """Determine the reachability of vulnerabilities identified in the project.

    Note: You must run `find_vulnerabilities` pipeline before running this pipeline.

    For every patch the git repository is cloned and extract the vulnerable and fixed
    symbols from the patch commit. These symbols are then matched against
    the project's codebase resources to determine if the vulnerable code
    is actually present and reachable.

    The analysis checks if vulnerable symbols are defined, imported, called,
    or exactly match a code within the project files. The results, including
    tool_details and a reachability status (yes, unknown, or no), are stored
    in the `extra_data` of the matching resources under the `symbols_reachability` key.

    Finally, a summary report is generated for each vulnerability
    advisory and saved as a JSON output file.
    """

    is_addon = True
    reason = (
        "It needs VulnerableCode's patch data (from find_vulnerabilities): "
        "scanapp has no VulnerableCode client yet."
    )

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.get_vulnerabilities_patches,
            cls.get_candidate_resources,
            cls.collect_resource_index,
            cls.collect_patch_symbols,
            cls.collect_and_match_resources,
            cls.generate_advisory_reachability_report,
            cls.apply_reachability_to_packages_and_dependencies,
        )

    # Each step raises PipelineError: the service is not supported here.
    def get_vulnerabilities_patches(self):
        """Get unique patch for all vulnerabilities."""
        self.unsupported()

    def get_candidate_resources(self):
        """Collect candidate resources your pipeline needs."""
        self.unsupported()

    # ScanCode.io's step documentation, word for word (no final period).
    def collect_resource_index(self):
        """Collect resources symbols for each resource
        """  # noqa: D200, D400, D415
        self.unsupported()

    def collect_patch_symbols(self):
        """Collect patch symbols for all related commits."""
        self.unsupported()

    def collect_and_match_resources(self):
        """Match resource symbols against patch symbols."""
        self.unsupported()

    def generate_advisory_reachability_report(self):
        """Generate a reachability report summarizing status by advisory."""
        self.unsupported()

    def apply_reachability_to_packages_and_dependencies(self):
        """Save reachability results by updating DiscoveredPackage and
        DiscoveredDependency records with the computed reachability data
        in their affected_by_vulnerabilities JSON field.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        self.unsupported()
