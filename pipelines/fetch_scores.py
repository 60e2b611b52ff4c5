"""The fetch_scores pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import scorecard


class FetchScores(Pipeline):
    """Fetch ScoreCode information for packages.

    This pipeline retrieves ScoreCode data for each package in the project
    and stores it in the corresponding package instances.

    ScoreCode data refers to metadata retrieved from the OpenSSF Scorecard tool,
    which evaluates open source packages based on security and quality checks.
    This data includes an overall score, individual check results (such as use
    of branch protection, fuzzing, dependency updates, etc.), the version of the
    scoring tool used, and the date of evaluation

    An add-on: run it after a pipeline that finds packages (inspect_packages, load_sbom...).
    The repository is taken from a package's GitHub or GitLab URL (vcs_url, code_view_url,
    homepage_url); its scorecard is read from ``SCANAPP_SCORECARD_URL`` and stored in the
    package's ``extra_data["scorecard"]`` (score, checks, tool version, date). With
    ``scorecard_score_thresholds`` in the project's policies, the worst alert is stored in
    the project's ``extra_data["scorecard_compliance_alert"]`` and served by
    ``scorecard_compliance/``. Example:

        scanapp run inspect_packages click.tar.gz --pipeline fetch_scores --output out.json
    """

    is_addon = True

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_scorecode_service_availability,
            cls.fetch_packages_scorecode_info,
            cls.evaluate_compliance_alerts,
        )

    def check_scorecode_service_availability(self):
        """Check if the ScoreCode service is configured and available."""
        base_url, options = scorecard.fetch_settings()
        scorecard.check_service(base_url, options)

    def fetch_packages_scorecode_info(self):
        """Fetch ScoreCode information for each of the project's discovered packages."""
        scorecard.fetch_project_scores(self.context)

    def evaluate_compliance_alerts(self):
        """Evaluate scorecard compliance alerts for the project."""
        scorecard.evaluate_alert(self.context.project_id)
