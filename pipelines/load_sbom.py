"""The load_sbom pipeline."""

from pipelines.scan_codebase import ScanCodebase
from scanapp.pipes import sbom


class LoadSbom(ScanCodebase):
    """Load SPDX and CycloneDX SBOMs as packages and their dependency graph.

    Reads SPDX 2.2/2.3 (JSON, tag-value) and CycloneDX 1.4-1.6 (JSON, XML) documents found
    among the inputs (archives are extracted first). Each package keeps its purl, name,
    version, licenses (SPDX ids converted to ScanCode keys), hashes, copyright, URLs,
    description and OpenSSF scorecard score; each dependency edge becomes a dependency,
    resolved to the loaded package when the target is in the SBOM. A bad package or edge
    is reported as a message naming it, and the rest of the document is still loaded.

    Dependencies come from SPDX ``DEPENDS_ON`` and ``*_DEPENDENCY_OF`` relationships and from
    CycloneDX ``dependsOn`` edges: ``for_package_uid`` is the depending package,
    ``resolved_to_package_uid`` the target when it is in the SBOM (else null) and
    ``datafile_path`` the SBOM. A CycloneDX property named like ``*scorecard*score`` goes to
    ``extra_data.scorecard``; ``metadata.component`` (what the SBOM describes) is not a
    package. No SBOM at all among the inputs fails the run.
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
        """Read each SPDX/CycloneDX document; store its packages and dependency edges.

        Fails when no input is an SBOM; a bad package or edge only adds a message.
        """
        self.context.log(f"Loaded {sbom.load_project_sboms(self.context)}")
