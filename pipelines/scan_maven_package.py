"""The scan_maven_package pipeline."""

from pipelines.scan_single_package import ScanSinglePackage
from scanapp.pipes import codebase, d2d, d2d_java, maven, postscan, scancode
from scanapp.statuses import ResourceStatus


class ScanMavenPackage(ScanSinglePackage):
    """Scan a single Maven package and perform a deployment to development relation scan.

    This pipeline takes a Maven PURL as input, fetches the binary and source archives (if
    they exist), and then performs scans for package metadata, declared dependencies,
    licenses, license clarity scores, and copyrights. It also performs a deployment to
    development relation scan if both the source and binary archives are available.

    The input is one ``pkg:maven/<groupId>/<artifactId>@<version>`` purl (its qualifiers are
    ignored), or one jar (upload or URL). The jar and the ``-sources.jar`` of a purl are
    fetched from ``SCANAPP_MAVEN_REPOSITORY_URL`` (default Maven Central), with the address
    checks, timeout and size limit of every download. With both, the sources go to
    codebase/from/ and the binary to codebase/to/, and the binary's files are related to
    their sources (identical checksum, Java class to source, common path; the relations are
    at ``/api/projects/{uuid}/relations/``); with one, it is extracted into codebase/.

    Every file is scanned. When the codebase has no ``pom.xml``, the package's ``.pom`` is
    fetched from the repository (for a jar input, the purl of its ``pom.properties``) and
    parsed: its package (declared license, parties, dependencies) is stored with the POM's
    URL as its ``datafile_paths``. A package still without a declared license gets the
    licenses detected in its files. The output is a summary of the scan results in JSON
    format (``GET /api/projects/{uuid}/summary/``):

    ```sh
    curl -X POST "$api/projects/" -H "Content-Type: application/json" -d '{"name": "guava",
      "input_urls": ["pkg:maven/com.google.guava/guava@33.0.0-jre"],
      "pipeline": "scan_maven_package", "execute_now": true}'
    curl "$api/projects/$uuid/summary/"
    ```
    """

    min_inputs = 1
    max_inputs = 1

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.check_input_and_return_purl,
            cls.fetch_inputs,
            cls.d2d_check,
            cls.collect_input_info,
            cls.extract_input,
            cls.extract_archives,
            cls.maven_d2d_steps,
            cls.run_scan,
            cls.fetch_and_scan_remote_pom,
            cls.load_inventory_from_toolkit_scan,
            cls.update_package_license_from_resource_if_missing,
            cls.make_summary_from_scan_results,
        )

    def check_input_and_return_purl(self):
        """Validate the input is a PURL string and return the PURL object.

        One versioned ``pkg:maven`` purl, or one jar.
        """
        self.purl = maven.check_input_and_return_purl(self.context.project_id)
        self.context.log(f"Input: {self.purl or 'a jar'}")

    def fetch_inputs(self):
        """Fetch the binary and source of the given PURL."""
        self.source, self.binary = maven.fetch_inputs(self.context, self.purl)

    def d2d_check(self):
        """Enable the deployment to development relation scan if both archives are present.

        The from side is the ``-sources.jar``, the to side the jar.
        """
        self.d2d = bool(self.source and self.binary)
        self.context.log(f"Deployment to development scan: {'on' if self.d2d else 'off'}")

    def collect_input_info(self):
        """Collect information about the input: file name, size and checksums."""
        codebase.collect_input_information(self.context, self.binary or self.source)

    def extract_input(self):
        """Extract the input to the codebase directory.

        With both archives, the sources go to codebase/from/ and the binary to codebase/to/.
        """
        if self.d2d:
            maven.place_d2d_inputs(self.context, self.source, self.binary)
        else:
            codebase.extract_input_to_codebase(self.context, self.binary or self.source)

    def maven_d2d_steps(self):
        """Run deployment to development relation scan steps for Maven projects.

        Only with both archives: files are related by checksum, Java class to source, path.
        """
        if not self.d2d:
            return
        project_id, root = self.context.project_id, self.context.workdir.codebase
        codebase.collect_resources(self.context)
        d2d.tag_resources(project_id)
        codebase.flag_empty_and_ignored(self.context)
        codebase.scan_files(self.context, scancode.INFO_SCANNERS, keep_status=True)
        counts = {"sha1": d2d.map_checksum(project_id),
                  "java_to_class": d2d_java.map_java_to_class(project_id, root),
                  "path": d2d.map_path(project_id)}
        self.context.log(f"Relations: {counts}")

    def run_scan(self):
        """Scan extracted codebase/ content for packages, licenses, copyrights, emails, URLs."""
        if not self.d2d:
            codebase.collect_resources(self.context)
            codebase.flag_empty_and_ignored(self.context, empty=False)
        codebase.scan_files(self.context)
        if self.d2d:
            counts = d2d.flag_to_files(self.context.project_id, self.context.workdir.codebase)
            self.context.log(f"To files: {counts}")

    def fetch_and_scan_remote_pom(self):
        """Fetch and scan remote POM files."""
        self.remote_pom = None
        project_id = self.context.project_id
        if maven.has_pom(project_id):
            self.context.log("The codebase has a pom.xml: no remote POM fetched")
            return
        purl = self.purl or maven.purl_from_pom_properties(project_id,
                                                           self.context.workdir.codebase)
        self.remote_pom = maven.fetch_remote_pom(self.context, purl)

    def load_inventory_from_toolkit_scan(self):
        """Process the scan results to populate codebase resources and packages.

        Packages and dependencies are assembled, files linked to them; the remote POM's
        package is stored.
        """
        counts = postscan.run_codebase_steps(
            self.context.project_id,
            self.context.workdir.codebase,
            package_files_status="" if self.d2d else ResourceStatus.APPLICATION_PACKAGE,
        )
        if self.remote_pom:
            counts["remote_pom_packages"] = maven.store_remote_pom(
                self.context.project_id, *self.remote_pom
            )
        self.context.log(f"Codebase steps: {counts}")

    def update_package_license_from_resource_if_missing(self):
        """Fill in missing package licenses using licenses detected in their resources."""
        count = maven.update_package_license_from_resource_if_missing(self.context.project_id)
        self.context.log(f"{count} package(s) got their license from their files")
