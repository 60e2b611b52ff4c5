"""The publish_to_federatedcode pipeline: listed, never available (see ServicePipeline)."""

from scanapp.pipes.services_unavailable import ServicePipeline


class PublishToFederatedCode(ServicePipeline):
    """Publish package scan to FederatedCode.

    This pipeline commits the project scan result in FederatedCode Git repository.
    It uses ``Project PURL`` to determine the Git repository and the
    exact directory path where the scan should be stored.
    """

    is_addon = True
    reason = "FederatedCode is not configured: scanapp has no FederatedCode client yet."

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_federatedcode_eligibility,
            cls.create_federatedcode_working_dir,
            cls.get_package_repository,
            cls.clone_repository,
            cls.add_scan_result,
            cls.commit_and_push_changes,
            cls.delete_working_dir,
        )

    # Each step raises PipelineError: the service is not supported here.
    def check_federatedcode_eligibility(self):
        """Check if the project fulfills the following criteria for
        pushing the project result to FederatedCode.
        """  # noqa: D205 - ScanCode.io's step documentation, word for word
        self.unsupported()

    def create_federatedcode_working_dir(self):  # noqa: D102 - no documentation in ScanCode.io
        self.unsupported()

    def get_package_repository(self):
        """Get the Git repository URL and scan path for a given package."""
        self.unsupported()

    def clone_repository(self):
        """Clone repository to local_path."""
        self.unsupported()

    def add_scan_result(self):
        """Add package scan result to the local Git repository."""
        self.unsupported()

    def commit_and_push_changes(self):
        """Commit and push changes to remote repository."""
        self.unsupported()

    def delete_working_dir(self):
        """Remove temporary working dir."""
        self.unsupported()
