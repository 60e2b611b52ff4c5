"""The match_to_matchcode pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class MatchToMatchCode(ServicePipeline):
    """Match the codebase resources of a project against MatchCode.io to identify packages.

    This process involves:

    1. Generating a JSON scan of the project codebase
    2. Transmitting it to MatchCode.io and awaiting match results
    3. Creating discovered packages from the package data obtained
    4. Associating the codebase resources with those discovered packages

    Currently, MatchCode.io can only match for archives, directories, and files
    from Maven and npm Packages.

    This pipeline requires a MatchCode.io instance to be configured and available.
    There is currently no public instance of MatchCode.io. Reach out to nexB, Inc.
    for other arrangements.
    """

    is_addon = True
    reason = "MatchCode.io is not configured: scanapp has no MatchCode.io client yet."

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_matchcode_service_availability,
            cls.send_project_json_to_matchcode,
            cls.poll_matching_results,
            cls.create_packages_from_match_results,
        )

    # Each step raises PipelineError: the service is not supported here.
    def check_matchcode_service_availability(self):
        """Check if the MatchCode.io service if configured and available."""
        self.unsupported()

    def send_project_json_to_matchcode(self):
        """Create a JSON scan of the project Codebase and send it to MatchCode.io."""
        self.unsupported()

    def poll_matching_results(self):
        """Wait until the match results are ready by polling the match run status."""
        self.unsupported()

    def create_packages_from_match_results(self):
        """Create DiscoveredPackages from match results."""
        self.unsupported()
