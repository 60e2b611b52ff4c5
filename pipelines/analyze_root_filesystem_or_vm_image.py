"""The analyze_root_filesystem_or_vm_image pipeline."""

from scanapp.pipeline import Pipeline
from scanapp.pipes import (
    codebase,
    flag,
    license_references,
    root_filesystems,
    scancode,
    system_packages,
)
from scanapp.statuses import ResourceStatus


class AnalyzeRootFilesystemOrVmImage(Pipeline):
    """Analyze a Linux root filesystem, also known as rootfs.

    Inputs are root filesystems: a folder, a tarball of one (tar, tar.gz, tar.bz2, tar.xz:
    ``tar -C rootfs -czf rootfs.tar.gz .``) or a virtual machine disk image (qcow2,
    single-file VMDK, VHD, VHDX, raw ``.img``/``.raw``; partitioned or not; ext2/3/4, FAT,
    NTFS, HFS+... read with libyal and The Sleuth Kit, never mounted). Each becomes one
    folder at the top of codebase/ (a folder keeps its name, a tarball or a single-filesystem
    disk goes to ``<input>-extract/``, each filesystem of a partitioned disk to
    ``<input>-partition-<N>-extract/``); every such folder is a root filesystem. Tarball
    entries with ``..`` or absolute paths, or written through a symbolic link, are refused
    with a warning; links are kept, never followed; devices are skipped; the extraction
    size limits apply. An input that is none of these, or a disk image that cannot be read
    (VDI, differencing, multi-file VMDK, LVM, encrypted), fails the run with a message
    saying what is supported. Archives inside a root filesystem are not extracted.

    The distro of each root filesystem comes from its os-release (links resolved inside
    the root filesystem) and is stored in the project's ``extra_data.root_filesystems``
    (``name``, ``distro``). For a known distro (Alpine, Debian, Ubuntu, RHEL, CentOS,
    Fedora, SLES, openSUSE, Mariner, Photon, Rocky), the installed packages are read from
    the dpkg status database, the apk installed database and the rpm database when it is
    readable (``pkg:deb/...``, ``pkg:apk/...``, ``pkg:rpm/...``) and the files they
    installed get the status ``system-package``; an unknown distro is an error message and
    the run goes on. Files under ``/tmp/``, ``/etc/``, ``/proc/``, ``/dev/``, ``/run/`` and
    ``/lib/apk/db/`` that no system package installed are ``ignored-not-interesting``;
    a file identical (size and MD5) to a system package's file joins that package.

    The other files are scanned as in scan_codebase: application packages from the
    manifests (assembled with their dependencies), then file info, licenses, copyrights,
    emails and URLs. Scanned files without any license are then ``no-licenses``, those with
    an ``unknown`` license ``unknown-license``, and whatever is left ``not-analyzed``.
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.download_missing_inputs,
            cls.extract_input_files_to_codebase_directory,
            cls.find_root_filesystems,
            cls.collect_rootfs_information,
            cls.collect_and_create_codebase_resources,
            cls.collect_and_create_system_packages,
            cls.flag_uninteresting_codebase_resources,
            cls.flag_empty_files,
            cls.flag_ignored_resources,
            cls.scan_for_application_packages,
            cls.match_not_analyzed_to_system_packages,
            cls.scan_for_files,
            cls.collect_and_create_license_detections,
            cls.analyze_scanned_files,
            cls.flag_not_analyzed_codebase_resources,
        )

    def download_missing_inputs(self):
        """Download any InputSource missing on disk.
        Raise an error if any of the uploaded files is not available or not reachable.
        """  # noqa: D205
        codebase.ensure_not_collected(self.context)
        self.inputs = codebase.fetch_inputs(self.context)

    def extract_input_files_to_codebase_directory(self):
        """Extract root filesystem input archives with extractcode."""
        root_filesystems.extract_inputs(self.context, self.inputs)

    def find_root_filesystems(self):
        """Find root filesystems in the project's codebase/."""
        folder = self.context.workdir.codebase
        self.root_filesystems = root_filesystems.find_root_filesystems(folder)
        self.distros = {name: self.find_distro(folder / name) for name in self.root_filesystems}

    def find_distro(self, location):
        """Return the distro of the root filesystem at ``location``; a message if unreadable."""
        try:
            return root_filesystems.detect_distro(location)
        except ValueError as error:
            self.context.add_message(str(error), model=self.context.pipeline_name)
            return None

    def collect_rootfs_information(self):
        """Collect and stores rootfs information on the project."""
        data = [root_filesystems.rootfs_data(name, self.distros[name])
                for name in self.root_filesystems]
        root_filesystems.store_on_project(self.context.project_id, root_filesystems=data)

    def collect_and_create_codebase_resources(self):
        """Collect and label all image files as CodebaseResource."""
        codebase.collect_resources(self.context)

    def collect_and_create_system_packages(self):
        """Collect installed system packages for each rootfs based on the distro.
        The collection of system packages is only available for known distros.
        """  # noqa: D205
        if self.supported_distros(self.distros):
            self.collect_system_packages()

    def supported_distros(self, distros: dict) -> list[str]:
        """Return the root filesystems of a supported distro; an error message for the others."""
        supported = []
        for name, distro in distros.items():
            problem = root_filesystems.distro_problem(name, distro)
            if problem:
                self.context.add_message(problem, model=self.context.pipeline_name)
            else:
                supported.append(name)
        return supported

    def collect_system_packages(self):
        """Read the system package databases; create the packages; link their files."""
        read = system_packages.read_system_datafiles(self.context)
        counts = system_packages.assemble_system_packages(self.context)
        self.context.log(f"{read} system package datafile(s): {counts}")

    def flag_uninteresting_codebase_resources(self):
        """Flag files—not worth tracking—that don’t belong to any system packages."""
        count = root_filesystems.flag_uninteresting(self.context.project_id, self.root_filesystems)
        self.context.log(f"{count} resource(s) {ResourceStatus.IGNORED_NOT_INTERESTING}")

    def flag_empty_files(self):
        """Flag empty files."""
        flag.flag_empty_files(self.context.project_id)

    def flag_ignored_resources(self):
        """Flag ignored resources based on Project ``ignored_patterns`` setting."""
        codebase.flag_empty_and_ignored(self.context, empty=False)

    def scan_for_application_packages(self):
        """Scan unknown resources for packages information."""
        codebase.scan_files(
            self.context, scancode.PACKAGE_SCANNERS, manifests_only=True, keep_status=True
        )
        counts = system_packages.assemble_application_packages(self.context)
        self.context.log(f"Assembled {counts}")

    def match_not_analyzed_to_system_packages(self):
        """Match files with "not-yet-analyzed" status to files already belonging to
        system packages.
        """  # noqa: D205
        count = root_filesystems.match_not_analyzed(
            self.context.project_id, self.context.workdir.codebase
        )
        self.context.log(f"{count} file(s) matched to system packages")

    def scan_for_files(self):
        """Scan unknown resources for copyrights, licenses, emails, and urls."""
        codebase.scan_files(self.context, scancode.FILE_SCANNERS)
        codebase.set_directories_status(self.context, ResourceStatus.SCANNED)

    def collect_and_create_license_detections(self):
        """Collect and create unique license detections from resources and
        package data.
        """  # noqa: D205
        counts = license_references.collect_license_detections(
            self.context.project_id, self.context.workdir.codebase
        )
        self.context.log(f"License references: {counts}")

    def analyze_scanned_files(self):
        """Analyze single file scan results for completeness."""
        self.context.log(f"{flag.analyze_scanned_files(self.context.project_id)}")

    def flag_not_analyzed_codebase_resources(self):
        """Check for any leftover files for sanity; there should be none."""
        count = flag.flag_not_analyzed(self.context.project_id)
        self.context.log(f"{count} resource(s) {ResourceStatus.NOT_ANALYZED}")
