"""The map_deploy_to_develop pipeline."""

from scanapp.pipeline import Pipeline, optional_step
from scanapp.pipes import codebase, d2d, d2d_java, d2d_js


class MapDeployToDevelop(Pipeline):
    """Map deployed code (binaries, jars, minified bundles) back to its development sources.

    Inputs tagged ``from`` (development: sources) are placed under codebase/from/ and inputs
    tagged ``to`` (deployment) under codebase/to/; tag an input with a URL ``#from``/``#to``
    fragment or ``upload_file_tag``. Archives are extracted, every ``to`` file is related to
    its origin (CodebaseRelation: identical SHA1, Java class to source with the ``Java``
    group, JavaScript bundles to sources through their source maps with the ``JavaScript``
    group, then common paths), and ``to`` files left unmapped get the status
    ``requires-review``. Select groups with ``map_deploy_to_develop:Java,JavaScript``.

    The ``map_type`` of a relation says how it was found: ``sha1`` (identical content),
    ``java_to_class`` (``Foo$Bar.class`` to ``Foo.java`` of the same package path),
    ``js_compiled`` (through a source map; ``extra_data.content_matches`` compares its
    ``sourcesContent``), ``js_path`` (``app.min.js`` to ``app.js``, ``.ts``, ``.jsx``...)
    and ``path`` (the same trailing path, at least 2 segments or the whole path;
    ``extra_data.path_score``). ``to`` files end ``mapped``, ``archive-extracted`` (an archive
    whose content was mapped) or ``requires-review``; resources carry the tag ``from`` or
    ``to``. The relations are listed at ``/api/projects/{uuid}/relations/``.
    """

    @classmethod
    def steps(cls):
        """Return the steps in order."""
        return (
            cls.get_inputs,
            cls.extract_archives,
            cls.collect_and_create_codebase_resources,
            cls.flag_empty_and_ignored_files,
            cls.collect_file_checksums_and_types,
            cls.map_checksum,
            cls.map_java_to_class,
            cls.map_javascript,
            cls.map_path,
            cls.flag_mapped_and_unmapped_to_files,
        )

    def get_inputs(self):
        """Fetch URL inputs; copy ``from`` inputs to codebase/from/ and ``to`` to codebase/to/.

        Every input needs the tag ``from`` or ``to`` (or a ``from-``/``to-`` file name).
        """
        codebase.ensure_not_collected(self.context)
        counts = d2d.copy_tagged_inputs(self.context, codebase.fetch_inputs(self.context))
        self.context.log(f"Inputs placed: {counts}")

    def extract_archives(self):
        """Extract archives (jars, zips, tarballs) recursively into <name>-extract/."""
        codebase.extract_codebase(self.context)

    def collect_and_create_codebase_resources(self):
        """Record every file and folder as a resource tagged ``from`` or ``to``."""
        codebase.collect_resources(self.context)
        d2d.tag_resources(self.context.project_id)

    def flag_empty_and_ignored_files(self):
        """Flag empty files and files matching the project's ignored patterns (not mapped)."""
        codebase.flag_empty_and_ignored(self.context)

    def collect_file_checksums_and_types(self):
        """Compute checksums, file type, MIME type and programming language of every file."""
        codebase.scan_files(self.context, scanners=("info",))

    def map_checksum(self):
        """Relate ``to`` files to ``from`` files with the same SHA1 (map_type ``sha1``)."""
        self._logged("sha1", d2d.map_checksum(self.context.project_id))

    @optional_step("Java")
    def map_java_to_class(self):
        """Relate ``.class`` files to the ``.java`` source of their package path and class name.

        Inner classes (``Foo$Bar.class``) map to their outer class's source (``Foo.java``);
        map_type ``java_to_class``.
        """
        project_id, root = self.context.project_id, self.context.workdir.codebase
        self._logged("java_to_class", d2d_java.map_java_to_class(project_id, root))

    @optional_step("JavaScript")
    def map_javascript(self):
        """Relate minified/bundled ``.js``/``.css`` files and ``.map`` files to their sources.

        Through the source map's ``sources`` (map_type ``js_compiled``), else by file name
        (``app.min.js`` -> ``app.js``; map_type ``js_path``).
        """
        project_id, root = self.context.project_id, self.context.workdir.codebase
        self._logged("js_compiled", d2d_js.map_js_compiled(project_id, root))
        self._logged("js_path", d2d_js.map_js_path(project_id))

    def map_path(self):
        """Relate ``to`` files to ``from`` files ending with the same path (map_type ``path``)."""
        self._logged("path", d2d.map_path(self.context.project_id))

    def flag_mapped_and_unmapped_to_files(self):
        """Give ``to`` files the status ``mapped``, ``archive-extracted`` or ``requires-review``."""
        counts = d2d.flag_to_files(self.context.project_id, self.context.workdir.codebase)
        self.context.log(f"To files: {counts}")

    def _logged(self, map_type: str, count: int) -> None:
        self.context.log(f"{count} {map_type} relation(s)")
