"""The analyze_windows_docker_image pipeline."""

from pipelines.analyze_root_filesystem_or_vm_image import AnalyzeRootFilesystemOrVmImage
from scanapp.pipes import codebase, docker, flag, root_filesystems, windows, windows_image
from scanapp.statuses import ResourceStatus


class AnalyzeWindowsDockerImage(AnalyzeRootFilesystemOrVmImage):
    """Analyze Windows Docker images.

    Inputs are Windows container images: a ``docker save`` tarball, an OCI image layout
    (tarball or directory) or a ``docker://`` reference pulled from its registry. Each
    layer is extracted into a folder of its own, ``<input>-extract/<layer id>/`` (not
    merged: each Windows layer keeps ``Files/``, the C: drive, and ``Hives/``, the registry
    changes it made), entries with ``..`` or absolute paths refused; every resource gets its
    layer tag (``img-<image>-layer-<NN>-<layer>``), files also ``extra_data.layer``. The
    project's ``extra_data.images`` holds each image's id, tags, os, os version,
    architecture and distro (``windows``, from ``Files/Windows``, ``Files/Program Files``...),
    ``extra_data.layers`` its layers (the XLSX LAYERS sheet).

    Installed programs come from each layer's registry hives (``Hives/Software_Delta``,
    ``Files/Windows/System32/config/SOFTWARE``), parsed with regipy: the ``Uninstall``
    entries (name, version, publisher, homepage, install folder) and the .NET Framework
    versions become ``pkg:windows-program/...`` system packages linked to the files they
    name. Python (``Files/Python39/``) and OpenJDK (``Files/jdk-17.0.2/``) are found by their
    install folder, and every ``Program Files`` sub-folder (but ``Common Files`` and
    ``Microsoft``) is one package, version ``nv``: their files are ``installed-package``.

    Registry hives, ``desktop.ini``, shortcuts, logs, locale tables, certificates, INF,
    catalogs, manifests, event logs, EFI files and such are ``ignored-not-interesting``,
    files commoncode ignores by default (``Thumbs.db``, ``NTUSER.DAT*``...)
    ``ignored-default-ignores``, pictures, sounds and videos ``ignored-media-file``. The
    other files are scanned as in scan_codebase; scanned files with no license are then
    ``no-licenses`` (or ``unknown-license``), ``data`` files with no clue of origin
    (copyright, license, author, email, URL) ``ignored-data-file-no-clues``, and whatever
    is left ``not-analyzed``.
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.download_missing_inputs,
            cls.extract_images,
            cls.extract_layers,
            cls.find_images_os_and_distro,
            cls.collect_images_information,
            cls.collect_and_create_codebase_resources,
            cls.collect_and_create_system_packages,
            cls.flag_known_software_packages,
            cls.flag_uninteresting_codebase_resources,
            cls.flag_program_files_dirs_as_packages,
            cls.flag_empty_files,
            cls.flag_ignored_resources,
            cls.scan_for_application_packages,
            cls.scan_for_files,
            cls.collect_and_create_license_detections,
            cls.analyze_scanned_files,
            cls.flag_data_files_with_no_clues,
            cls.flag_not_analyzed_codebase_resources,
        )

    def extract_images(self):
        """Extract images from input tarballs."""
        self.images = windows_image.read_input_images(self.context, self.inputs)

    def extract_layers(self):
        """Extract layers from input images."""
        windows_image.extract_layers(self.context, self.images)
        self.root_filesystems = [folder for image in self.images for folder in image.layers]

    def find_images_os_and_distro(self):
        """Find the operating system and distro of input images."""
        for image in self.images:
            image.distro = windows_image.find_distro(self.context, image)

    def collect_images_information(self):
        """Collect and store image information in a project."""
        root_filesystems.store_on_project(
            self.context.project_id,
            images=[windows_image.image_record(image) for image in self.images],
            layers=[row for image in self.images for row in docker.layer_records(image.image)],
        )

    def collect_and_create_codebase_resources(self):
        """Collect and labels all image files as CodebaseResources."""
        codebase.collect_resources(self.context)
        windows_image.tag_layers(self.context.project_id, self.images)
        origins = {path: layer for image in self.images for path, layer in image.origins.items()}
        docker.record_layer_origins(self.context.project_id, origins)

    def collect_and_create_system_packages(self):
        """Collect installed system packages for each layer based on the distro."""
        distros = {image.folder: image.distro for image in self.images}
        if self.supported_distros(distros):
            self.collect_system_packages()

    def flag_known_software_packages(self):
        """Flag files from known software packages by checking common install paths."""
        found = windows.flag_known_software(self.context.project_id, self.root_filesystems)
        self.context.log(f"Known software install folders: {found}")

    def flag_uninteresting_codebase_resources(self):
        """Flag files that are known/labelled as uninteresting."""
        project_id, roots = self.context.project_id, self.root_filesystems
        counts = {
            ResourceStatus.IGNORED_NOT_INTERESTING: windows.flag_uninteresting_windows_files(
                project_id, roots
            ),
            ResourceStatus.IGNORED_DEFAULT_IGNORES: flag.flag_default_ignores(project_id, roots),
            ResourceStatus.IGNORED_MEDIA_FILE: flag.flag_media_files(
                project_id, self.context.workdir.codebase
            ),
        }
        self.context.log(f"Flagged {counts}")

    def flag_program_files_dirs_as_packages(self):
        """Report the immediate subdirectories of ``Program Files`` and ``Program
        Files (x86)`` as packages.
        """  # noqa: D205
        count = windows.flag_program_files(self.context.project_id, self.root_filesystems)
        self.context.log(f"{count} Program Files package(s)")

    def flag_data_files_with_no_clues(self):
        """Flag data files that have no clues on their origin as uninteresting."""
        count = flag.flag_data_files_with_no_clues(self.context.project_id)
        self.context.log(f"{count} file(s) {ResourceStatus.IGNORED_DATA_FILE_NO_CLUES}")
