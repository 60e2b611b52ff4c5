"""The fingerprint_codebase pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import fingerprints


class FingerprintCodebase(Pipeline):
    """Calculate the directory fingerprints of a Project codebase

    An add-on: run it after a pipeline that collects and scans the codebase (the SHA1s and
    file types must be known). With AboutCode's matchcode-toolkit, offline, as ScanCode.io:
    each directory's ``extra_data`` gets ``directory_content`` and ``directory_structure``
    ("" for a directory with fewer than two non-empty files); each text file gets
    ``halo1`` and ``snippets``; each C, C++, Go, Java, JavaScript, Python or Rust file also
    ``stemmed_halo1`` and ``stemmed_snippets``. A file that cannot be fingerprinted gets the
    status ``scanned-with-error`` and an error message. Example:

        scanapp run inspect_packages src.zip --pipeline fingerprint_codebase --output out.json
    """  # noqa: D400, D415 - ScanCode.io's summary, word for word

    is_addon = True

    @classmethod
    def availability(cls):
        """Return whether matchcode-toolkit is installed, and why not."""
        problem = fingerprints.matchcode_problem()
        return not problem, problem

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (cls.fingerprint_codebase,)

    def fingerprint_codebase(self):
        """Compute directory and resource fingerprints for matching purposes"""  # noqa: D400, D415
        fingerprints.fingerprint_codebase(self.context, model="fingerprint_codebase")
