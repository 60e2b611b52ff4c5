"""The resolve_dependencies pipeline."""

from pipelines.scan_codebase import ScanCodebase
from scanapp.pipeline import optional_step
from scanapp.pipes import codebase, dynamic_resolve, postscan, resolve, scancode


class ResolveDependencies(ScanCodebase):
    r"""Resolve dependencies from package manifests and lockfiles.

    This pipeline collects lockfiles and manifest files that contain dependency
    requirements, and resolves these to a concrete set of package versions. Select one or
    both resolvers: ``resolve_dependencies:StaticResolver,DynamicResolver``.

    StaticResolver: the manifests and lockfiles are parsed with scancode-toolkit
    (package-lock.json, yarn.lock, poetry.lock, Pipfile.lock, Cargo.lock, requirements files
    with ``==`` pins...) and assembled; a lockfile's resolved packages become packages
    (``is_virtual``) that its dependencies resolve to, a pinned requirement resolves to the
    package of that version, and a dependency left resolves to the one package of its name.

    DynamicResolver: Python requirements (requirements files, setup.py, pyproject.toml,
    setup.cfg) are resolved with python-inspector on the PyPI of ``SCANAPP_PYPI_URL`` (its
    simple index ``/simple/`` and JSON API ``/pypi/``) for this Python version on Linux:
    each resolved package is stored with its package data (download URL, checksums,
    declared license), the manifest's requirements resolve to the versions chosen, and each
    edge of the graph is a dependency of the requiring package resolved to the required
    one. Only the configured index is asked (a requirements file's ``--index-url`` lines are
    ignored), every request passes the address guard (``SCANAPP_ALLOW_PRIVATE_URLS``), the
    download timeout and size limit. A manifest that cannot be resolved is an error message
    naming it; the run goes on with the others.

    Resolved dependencies have their ``resolved_to_package_uid``; packages and dependencies
    are listed at ``/api/projects/{uuid}/packages/`` and ``/dependencies/``:

    ```sh
    curl -F name=deps -F upload_file=@requirements.txt -F execute_now=true \
      -F pipeline=resolve_dependencies:StaticResolver,DynamicResolver "$api/projects/"
    curl "$api/projects/$uuid/dependencies/"   # purl, resolved_to_package_uid
    ```
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.download_missing_inputs,
            cls.copy_inputs_to_codebase_directory,
            cls.extract_archives,
            cls.collect_and_create_codebase_resources,
            cls.flag_ignored_resources,
            cls.get_manifest_inputs,
            cls.scan_for_application_packages,
            cls.create_packages_and_dependencies,
            cls.get_packages_from_manifest,
            cls.create_resolved_packages,
        )

    def download_missing_inputs(self):
        """Fetch the URL inputs not fetched yet into input/; a failed download fails the run."""
        self.input_names = codebase.fetch_inputs(self.context)

    def copy_inputs_to_codebase_directory(self):
        """Copy every input into the project's codebase/ directory."""
        codebase.copy_inputs(self.context, self.input_names)

    def flag_ignored_resources(self):
        """Flag the files matching the project's ``ignored_patterns`` setting (not resolved)."""
        codebase.flag_empty_and_ignored(self.context, empty=False)

    def get_manifest_inputs(self):
        """Locate the package manifests and lockfiles a scancode-toolkit handler matches."""
        self.manifest_paths = resolve.manifest_paths(self.context.project_id)
        self.context.log(f"{len(self.manifest_paths)} manifest(s): {self.manifest_paths[:20]}")

    @optional_step("StaticResolver")
    def scan_for_application_packages(self):
        """Scan and assemble application packages from package manifests and lockfiles.

        Manifests with package data get the status ``application-package``.
        """
        codebase.scan_files(
            self.context, scancode.PACKAGE_SCANNERS, manifests_only=True, keep_status=True
        )
        counts = postscan.run_codebase_steps(self.context.project_id, self.context.workdir.codebase)
        self.context.log(f"Assembled: {counts}")

    @optional_step("StaticResolver")
    def create_packages_and_dependencies(self):
        """Create the statically resolved packages and their dependencies in the database.

        Lockfile entries become packages, pinned requirements resolve to their version.
        """
        counts = resolve.resolve_static(self.context.project_id)
        self.context.log(f"Statically resolved: {counts}")

    @optional_step("DynamicResolver")
    def get_packages_from_manifest(self):
        """Resolve package data from lockfiles/requirement files with package requirements.

        Python manifests are resolved with python-inspector on ``SCANAPP_PYPI_URL``.
        """
        self.resolutions = dynamic_resolve.resolve_manifests(self.context, self.manifest_paths)

    @optional_step("DynamicResolver")
    def create_resolved_packages(self):
        """Create the dynamically resolved packages and their dependencies in the database."""
        counts = dynamic_resolve.store_resolutions(self.context, self.resolutions)
        self.context.log(f"Dynamically resolved: {counts}")
