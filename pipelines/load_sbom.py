"""The load_sbom pipeline."""

from pipelines.scan_codebase import ScanCodebase
from scanapp.pipes import sbom


class LoadSbom(ScanCodebase):
    """Load package data from SBOMs and AboutCode ``.ABOUT`` files, with the dependency graph.

    Reads SPDX 2.2/2.3 (JSON, YAML, tag-value) and CycloneDX 1.4-1.6 (JSON, XML) documents
    and ``.ABOUT`` files found among the inputs (archives are extracted first). A file is
    an SBOM when parsing it says so, whatever its name: a top-level ``spdxVersion`` or
    ``bomFormat: CycloneDX`` anywhere in a JSON or YAML document (read as a stream), a
    CycloneDX ``bom`` root element, an ``SPDXVersion`` tag. Other files are skipped; a file
    named like an SBOM (``.spdx.json``, ``.cdx.json``, ``bom.xml``...) that does not parse,
    or any SBOM over 200 MiB, gets a message saying why.

    Each package keeps its purl, name, version, licenses (SPDX ids converted to ScanCode
    keys), hashes (md5, sha1, sha256, sha512), copyright, URLs, description, ``aboutcode:``
    properties and OpenSSF scorecard score; each dependency edge becomes a dependency,
    resolved to the loaded package when the target is in the SBOM. The SBOM file becomes an
    ``application-package`` resource of its packages. A bad package or edge is reported as
    a message naming it, and the rest of the document is still loaded. scanapp's own SPDX
    and CycloneDX outputs load back with the same packages and dependencies: their project
    is not a package, their unresolved dependencies stay unresolved.

    An ``.ABOUT`` file (read with aboutcode-toolkit) is one package: ``name``, ``version``,
    ``package_url``, ``license_expression`` (ScanCode keys; ``spdx_license_expression`` or
    the converted keys as SPDX), ``copyright``, ``description``, ``homepage_url``,
    ``download_url``, ``checksum_md5/sha1/sha256``; ``about_resource`` is the package
    ``filename``; the texts of ``license_file`` and ``notice_file`` are its
    ``extracted_license_statement`` and ``notice_text``. Files it names outside the
    codebase are not read. No SBOM nor ``.ABOUT`` file at all among the inputs fails the run.

    Example: ``scanapp run load_sbom sbom.cdx.json Django.whl.ABOUT --output packages.json``
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.copy_inputs_to_codebase_directory,
            cls.extract_archives,
            cls.collect_and_create_codebase_resources,
            cls.flag_empty_and_ignored_files,
            cls.load_sbom_packages_and_dependencies,
        )

    def load_sbom_packages_and_dependencies(self):
        """Find the SBOMs and .ABOUT files by parsing; store their packages and dependencies.

        Fails when there is none; a bad document, package or edge only adds a message.
        """
        self.context.log(f"Loaded {sbom.load_project_sboms(self.context)}")
