"""The find_vulnerabilities pipeline: known vulnerabilities from the local OSV database."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import vulnerabilities


class FindVulnerabilities(Pipeline):
    """Find vulnerabilities for packages and dependencies in the VulnerableCode database.

    Vulnerability data is stored on each package and dependency instance.

    An add-on, matched offline: the vulnerabilities come from the OSV records loaded with
    ``scanapp vulndb load`` (osv.dev's ecosystem exports), matched by purl and version
    (listed versions, ECOSYSTEM and SEMVER ranges). A dependency is matched on the version
    it resolved to or pins; one that does neither is marked "unpinned: cannot tell".
    With ``SCANAPP_VULNERABLECODE_URL`` set, a VulnerableCode server is asked instead, as
    ScanCode.io does. Ids and aliases listed in the project's ``ignored_vulnerabilities``
    setting are left out. Example:

        scanapp vulndb load PyPI-all.zip
        scanapp run inspect_packages requests.tar.gz --pipeline find_vulnerabilities
    """

    is_addon = True

    @classmethod
    def availability(cls):
        """Return whether the vulnerability database holds records, and why not."""
        return vulnerabilities.availability()

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_vulnerablecode_service_availability,
            cls.lookup_packages_vulnerabilities,
            cls.lookup_dependencies_vulnerabilities,
        )

    def check_vulnerablecode_service_availability(self):
        """Check if the VulnerableCode service if configured and available."""
        vulnerabilities.check_available()

    def lookup_packages_vulnerabilities(self):
        """Check for vulnerabilities for each of the project's discovered package."""
        vulnerabilities.lookup_packages(self.context)

    def lookup_dependencies_vulnerabilities(self):
        """Check for vulnerabilities for each of the project's discovered dependency."""
        vulnerabilities.lookup_dependencies(self.context)
