"""The find_origins pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class FindOrigins(ServicePipeline):
    """Find the origin of the codebase files using origin detection tools.

    The candidate origin packages reported by each configured tool are stored as
    origin matches, to be combined and reviewed. A tool that is not configured is
    skipped.

    Supported tools:
    - MatchCode.io: the codebase scan, including file and directory
      fingerprints, is sent to the configured MatchCode.io server.
    - SCANOSS: the codebase files are fingerprinted locally, then their paths,
      checksums, sizes, and fingerprints are sent to the configured SCANOSS
      server. The file contents are not sent.
    """

    is_addon = True
    reason = (
        "No origin detection tool is configured: MatchCode.io or SCANOSS. "
        "scanapp has no MatchCode.io nor SCANOSS client yet."
    )

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.find_matchcode_origin_matches,
            cls.find_scanoss_origin_matches,
        )

    # Each step raises PipelineError: the service is not supported here.
    def find_matchcode_origin_matches(self):
        """Match the codebase with MatchCode.io and store the origin matches."""
        self.unsupported()

    def find_scanoss_origin_matches(self):
        """Scan the codebase with SCANOSS and store the reported origin matches."""
        self.unsupported()
