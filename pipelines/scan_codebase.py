"""The scan_codebase pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import codebase, postscan, scancode
from scanapp.statuses import ResourceStatus


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
            cls.scan_for_application_packages,
            cls.scan_for_files,
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

    def scan_for_application_packages(self):
        """Parse package data from the manifests and lockfiles, with their file info.

        The files a scancode-toolkit package datafile handler matches by path (package.json,
        setup.py, PKG-INFO, requirements*.txt, pom.xml, Cargo.lock, go.mod...) are parsed;
        those with package data get the status ``application-package`` and are not scanned
        for licenses (their declared license comes from the package data), as in ScanCode.io.
        """
        codebase.scan_files(
            self.context, scancode.PACKAGE_SCANNERS, manifests_only=True, keep_status=True
        )

    def scan_for_files(self):
        """Scan the other files for file info, licenses, copyrights, emails and URLs.

        Directories get the status ``scanned`` too.
        """
        codebase.scan_files(self.context, scancode.FILE_SCANNERS)
        codebase.set_directories_status(self.context, ResourceStatus.SCANNED)

    def scan_for_application_packages_and_files(self):
        """Scan each file for file info, package data, licenses, copyrights, emails and URLs."""
        codebase.scan_files(self.context)

    def assemble_packages_and_dependencies(self):
        """Follow license references, assemble packages and dependencies, classify key files.

        scancode-toolkit's codebase-level steps, on the stored per-file results: "see
        LICENSE" references resolved, manifests and lockfiles assembled into packages and
        dependencies, files linked to their packages, legal/readme/manifest/top-level files
        flagged.
        """
        counts = postscan.run_codebase_steps(
            self.context.project_id, self.context.workdir.codebase
        )
        self.context.log(f"Codebase steps: {counts}")
