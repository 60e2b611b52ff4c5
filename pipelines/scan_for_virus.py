"""The scan_for_virus pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import clamav


class ScanForVirus(Pipeline):
    """Scan the project's codebase for viruses and malware with ClamAV.

    An add-on: run it after a pipeline that collects the codebase (scan_codebase,
    scan_single_package, inspect_packages, analyze_docker_image...). Every non-empty file
    is scanned by ClamAV's ``clamscan`` with the signatures of ``SCANAPP_CLAMAV_DATABASE``
    (a directory; default /var/lib/clamav, filled by freshclam). An infected file gets the
    status ``virus-detected`` and an error message naming the signature; it is listed in
    the compliance endpoint (``infected_files``) and the XLSX TODOS sheet. Without ClamAV
    or without signatures the run fails and says so: nothing is reported clean unscanned.
    """

    is_addon = True

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.check_clamav, cls.scan_for_virus)

    def check_clamav(self):
        """Fail unless clamscan is installed and the signature directory holds signatures."""
        self.context.log(f"ClamAV signatures: {clamav.check_ready()}")

    def scan_for_virus(self):
        """Scan every non-empty file; flag infected files ``virus-detected`` with a message."""
        clamav.scan_project(self.context)
