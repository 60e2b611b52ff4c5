"""The analyze_docker_image pipeline."""

from pipelines.scan_codebase import ScanCodebase
from scanapp.pipes import codebase, docker, system_packages


class AnalyzeDockerImage(ScanCodebase):
    """Analyze a container image: layers, distro, installed system packages, then files.

    Inputs are images: a ``docker save`` tarball, an OCI image layout (tarball or
    directory) or a ``docker://[registry/]name[:tag|@digest]`` reference pulled from its
    registry. Each image's layers are applied in order, whiteouts included, into one root
    filesystem under codebase/ (``<input>-rootfs/``); the layers (id, command that created
    them, size) are kept in the project's ``extra_data.layers`` (the XLSX LAYERS sheet)
    and each file records its layer in ``extra_data.layer``. The distro comes from
    os-release. Installed system packages are read from the dpkg status database
    (Debian, Ubuntu), the apk installed database (Alpine) and the rpm database when it is
    readable; the files they installed are linked to them (``system-package``). Every
    other file is then scanned like scan_codebase: file info, application packages,
    licenses, copyrights, emails and URLs.

    A ``docker://`` pull speaks the registry API v2 (anonymous bearer tokens; the linux
    manifest of this host's architecture from a multi-platform index; every blob checked
    against its digest; the download limits and address checks of other URLs; loopback
    registries over plain http, as Docker does). Whiteouts (``.wh.<name>``,
    ``.wh..wh..opq``) remove lower files; an entry with a ``..`` or absolute path, or written
    through a symbolic link, is refused with a warning; links are kept, never followed. The
    project's ``extra_data.images`` holds each image's id, tags, os, architecture and distro
    (from os-release); system packages are ``pkg:deb/...``, ``pkg:apk/...``, ``pkg:rpm/...``.
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.get_images_from_inputs,
            cls.extract_images_and_layers,
            cls.collect_and_create_codebase_resources,
            cls.flag_empty_and_ignored_files,
            cls.collect_system_packages,
            cls.scan_for_application_packages_and_files,
            cls.assemble_application_packages,
            cls.tag_files_with_their_layer,
        )

    def get_images_from_inputs(self):
        """Fetch URL inputs (docker:// references are pulled); keep the inputs that are images."""
        codebase.ensure_not_collected(self.context)
        self.images = docker.find_images(self.context, codebase.fetch_inputs(self.context))

    def extract_images_and_layers(self):
        """Apply each image's layers in order into ``<input>-rootfs/``; store images and layers.

        Entries that would land outside the root filesystem are refused and reported.
        """
        self.origins = docker.extract_images(self.context, self.images)

    def collect_system_packages(self):
        """Read the dpkg, apk and rpm databases; create the installed packages; link their files."""
        read = system_packages.read_system_datafiles(self.context)
        counts = system_packages.assemble_system_packages(self.context)
        self.context.log(f"{read} system package datafile(s): {counts}")

    def assemble_application_packages(self):
        """Assemble application packages and dependencies from the files that were scanned."""
        counts = system_packages.assemble_application_packages(self.context)
        self.context.log(f"Assembled {counts}")

    def tag_files_with_their_layer(self):
        """Store on each file and symlink the id of the layer that last wrote it."""
        count = docker.record_layer_origins(self.context.project_id, self.origins)
        self.context.log(f"{count} file(s) tagged with their layer")
