"""Java deploy-to-develop mapping: compiled ``.class`` files to their ``.java`` sources.

A ``.java`` source is indexed by its fully qualified path (``package`` declaration + class
name: ``com/example/Foo``). A ``.class`` file (``com/example/Foo$Inner.class``, usually
extracted from a jar) maps to the source whose qualified path is the longest suffix of
its own path, inner and anonymous classes going to their outer class's source.
"""

from __future__ import annotations

import re
from pathlib import Path

from scanapp.pipes import d2d

PACKAGE_RE = re.compile(rb"^\s*package\s+([\w.]+)\s*;", re.MULTILINE)
#: Bytes read from the head of a source to find its ``package`` declaration.
HEAD_SIZE = 64 * 1024


def java_package(location: Path) -> str:
    """Return the package declared by a Java source ("" for the default package)."""
    try:
        with open(location, "rb") as handle:
            head = handle.read(HEAD_SIZE)
    except OSError:
        return ""
    head = re.sub(rb"/\*.*?\*/", b"", head, flags=re.DOTALL)
    match = PACKAGE_RE.search(head)
    return match.group(1).decode("ascii", "replace") if match else ""


def qualified_path(location: Path, name: str) -> str:
    """Return ``com/example/Foo`` for the source ``Foo.java`` of package ``com.example``."""
    package = java_package(location)
    stem = name[: -len(".java")]
    return f"{package.replace('.', '/')}/{stem}" if package else stem


def class_candidates(item: d2d.Res) -> list[str]:
    """Return the qualified paths a class may come from, longest first."""
    parts = item.parts
    outer = parts[-1][: -len(".class")].split("$", 1)[0]
    folders = parts[:-1]
    return ["/".join([*folders[start:], outer]) for start in range(len(folders) + 1)]


def map_java_to_class(project_id: int, codebase: Path) -> int:
    """Relate each unmapped ``.class`` file to the ``.java`` source that compiles to it."""
    sources = {}
    for item in d2d.side_files(project_id, d2d.FROM):
        if item.name.endswith(".java"):
            sources.setdefault(qualified_path(codebase / item.path, item.name), item)
    rows = []
    for target in d2d.unmapped_to_files(project_id):
        if not target.name.endswith(".class"):
            continue
        for candidate in class_candidates(target):
            source = sources.get(candidate)
            if source:
                rows.append(
                    d2d.relation(source, target, "java_to_class", 1.0, qualified_path=candidate)
                )
                break
    return d2d.store_relations(project_id, rows)
