"""The scan_codebase pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import codebase, packages


class ScanCodebase(Pipeline):
    """Scan a codebase for application packages, licenses, copyrights, emails and URLs.

    Inputs (uploads, http(s) URLs, pkg:pypi/pkg:npm package URLs, git URLs ending .git)
    are copied into codebase/, archives are extracted recursively, every file is
    recorded and scanned with scancode-toolkit in a process pool, then packages and
    their dependencies are assembled from manifests and lockfiles, and each file is
    linked to the packages it belongs to (``for_packages``).

    Inputs are fetched into input/ first: an http(s) URL's file name comes from
    Content-Disposition or the URL (a ``#fragment`` is the input's tag), within
    ``SCANAPP_DOWNLOAD_TIMEOUT`` and ``SCANAPP_MAX_DOWNLOAD_SIZE``; ``pkg:pypi/name@version``
    and ``pkg:npm/name@version`` are resolved on ``SCANAPP_PYPI_URL`` and
    ``SCANAPP_NPM_REGISTRY_URL``; git URLs are shallow-cloned. A host resolving to a private,
    loopback or link-local address is refused, on every redirect too, unless
    ``SCANAPP_ALLOW_PRIVATE_URLS=true``. A failed download fails the run, naming the URL.

    Archives (tar.*, zip, whl, jar, gz, bz2, xz, deb, rpm, 7z, cpio, gem...) are extracted
    into ``<name>-extract/`` beside them. Entries with ``../`` or absolute paths, hard links,
    devices and symbolic links whose resolved chain leaves codebase/ are refused with a
    warning each; an archive whose extraction would write more than
    ``SCANAPP_EXTRACT_MAX_SIZE`` or expand more than ``SCANAPP_EXTRACT_MAX_RATIO`` times its
    size is stopped the moment it passes the limit (archive bomb), what it wrote removed.

    Files are scanned in ``SCANAPP_PROCESSES`` processes sharing one license index; a file
    over ``SCANAPP_SCAN_MAX_FILE_SIZE`` is ``not-analyzed`` and one that takes more than
    ``SCANAPP_SCAN_FILE_TIMEOUT`` seconds is ``scanned-with-error``, each with a message. The
    run's ``progress`` (done, total, rate, eta) moves as files finish.
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.copy_inputs_to_codebase_directory,
            cls.extract_archives,
            cls.collect_and_create_codebase_resources,
            cls.flag_empty_and_ignored_files,
            cls.scan_for_application_packages_and_files,
            cls.assemble_packages_and_dependencies,
        )

    def copy_inputs_to_codebase_directory(self):
        """Fetch the URL inputs into input/, then copy every input into codebase/."""
        codebase.copy_inputs(self.context, codebase.fetch_inputs(self.context))

    def extract_archives(self):
        """Extract archives recursively into <name>-extract/; unsafe entries are refused."""
        codebase.extract_codebase(self.context)

    def collect_and_create_codebase_resources(self):
        """Record every file, directory and symlink of codebase/ as a resource."""
        codebase.collect_resources(self.context)

    def flag_empty_and_ignored_files(self):
        """Flag empty files and files matching the project's ignored patterns (not scanned)."""
        codebase.flag_empty_and_ignored(self.context)

    def scan_for_application_packages_and_files(self):
        """Scan each file for file info, package data, licenses, copyrights, emails and URLs."""
        codebase.scan_files(self.context)

    def assemble_packages_and_dependencies(self):
        """Assemble packages and dependencies from package data; link files to packages."""
        counts = packages.assemble_packages(self.context.project_id, self.context.workdir.codebase)
        self.context.log(f"Assembled {counts}")
