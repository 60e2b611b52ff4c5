"""JavaScript deploy-to-develop mapping: minified or bundled files to their sources.

``js_compiled``: a deployed ``.js``/``.css`` file (and its ``.map``) relates to every source
its source map lists (``sources``, with ``sourceRoot``), found on the ``from`` side by the
longest common path suffix; when the map embeds ``sourcesContent`` the relation records
whether that content is the ``from`` file's. ``js_path``: a deployed file left unmapped
relates to the source of the same name (``app.min.js`` -> ``app.js``, ``.ts``, ...).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from scanapp.pipes import d2d

COMPILED_EXTENSIONS = (".js", ".mjs", ".cjs", ".css")
MAP_EXTENSION = ".map"
SOURCE_EXTENSIONS = {
    ".js": (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"),
    ".mjs": (".mjs", ".js", ".ts"),
    ".cjs": (".cjs", ".js", ".ts"),
    ".css": (".css", ".scss", ".sass", ".less"),
}
SOURCE_MAP_URL_RE = re.compile(rb"[#@]\s*sourceMappingURL\s*=\s*(\S+?)\s*(?:\*/)?\s*$", re.M)
#: Bytes read from the end of a compiled file to find its ``sourceMappingURL`` comment.
TAIL_SIZE = 64 * 1024
#: Source map URL schemes stripped from ``sources`` entries (``webpack://app/./src/x.js``).
SCHEME_RE = re.compile(r"^[a-z][\w+.-]*://[^/]*/?", re.I)


def source_map_of(location: Path) -> tuple[dict | None, str]:
    """Return the parsed source map of a compiled file or ``.map`` and where it came from."""
    if location.name.endswith(MAP_EXTENSION):
        return read_json(location), location.name
    with open(location, "rb") as handle:
        handle.seek(max(location.stat().st_size - TAIL_SIZE, 0))
        matches = SOURCE_MAP_URL_RE.findall(handle.read())
    url = matches[-1].decode("utf-8", "replace") if matches else ""
    if url.startswith("data:"):
        return inline_map(url), "inline"
    # Only a map beside the file is read: a URL never leads outside its folder.
    name = PurePosixPath(unquote(url.split("?", 1)[0])).name if url else ""
    sibling = location.parent / (name or f"{location.name}.map")
    if sibling.is_file() and not sibling.is_symlink():
        return read_json(sibling), sibling.name
    return None, ""


def read_json(location: Path) -> dict | None:
    """Return a JSON object from a file, or None when it is not one."""
    try:
        data = json.loads(location.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def inline_map(url: str) -> dict | None:
    """Decode a ``data:application/json;base64,...`` source map."""
    header, _, payload = url.partition(",")
    try:
        raw = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload)
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def source_parts(source: str, root: str = "") -> list[str]:
    """Return the path segments of a ``sources`` entry, scheme, ``.`` and ``..`` removed."""
    if root and not SCHEME_RE.match(source):
        source = f"{root}{'' if root.endswith('/') else '/'}{source}"
    path = SCHEME_RE.sub("", source)
    return [part for part in path.split("/") if part not in ("", ".", "..", "~")]


def map_sources(data: dict) -> list[tuple[list[str], str | None]]:
    """Return (path segments, embedded content or None) for each source of a source map."""
    sources = data.get("sources") or []
    contents = data.get("sourcesContent") or []
    root = data.get("sourceRoot") or ""
    found = []
    for index, source in enumerate(sources):
        if not isinstance(source, str):
            continue
        parts = source_parts(source, root if isinstance(root, str) else "")
        content = contents[index] if index < len(contents) else None
        if parts:
            found.append((parts, content if isinstance(content, str) else None))
    return found


def file_sha1(location: Path) -> str:
    """SHA1 of a file's bytes ("" when it cannot be read)."""
    try:
        return hashlib.sha1(location.read_bytes(), usedforsecurity=False).hexdigest()
    except OSError:
        return ""


def compiled_relations(target: d2d.Res, index: d2d.NameIndex, codebase: Path) -> list[dict]:
    """Return the ``js_compiled`` relations of one deployed file through its source map."""
    try:
        data, map_name = source_map_of(codebase / target.path)
    except OSError:
        return []
    if not data:
        return []
    rows = []
    for parts, content in map_sources(data):
        sources, _ = index.best(parts)
        for source in sources[:1]:
            extra = {"source_map": map_name}
            if content is not None:
                digest = hashlib.sha1(content.encode("utf-8"), usedforsecurity=False).hexdigest()
                extra["content_matches"] = digest == (
                    source.sha1 or file_sha1(codebase / source.path)
                )
            rows.append(d2d.relation(source, target, "js_compiled", 1.0, **extra))
    return rows


def is_compiled(name: str) -> bool:
    """Tell whether a file name is a deployable script, style sheet or source map."""
    lower = name.lower()
    if lower.endswith(MAP_EXTENSION):
        lower = lower[: -len(MAP_EXTENSION)]
    return lower.endswith(COMPILED_EXTENSIONS)


def map_js_compiled(project_id: int, codebase: Path) -> int:
    """Relate deployed ``.js``/``.css`` files and their ``.map`` to the sources they list."""
    index = d2d.NameIndex(d2d.side_files(project_id, d2d.FROM))
    rows = []
    for target in d2d.unmapped_to_files(project_id):
        if is_compiled(target.name):
            rows += compiled_relations(target, index, codebase)
    return d2d.store_relations(project_id, rows)


def source_names(name: str) -> list[str]:
    """Return the source file names a deployed file may come from (``a.min.js`` -> ``a.js``...)."""
    lower = name.lower()
    if lower.endswith(MAP_EXTENSION):
        name = name[: -len(MAP_EXTENSION)]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return []
    for marker in (".min", "-min", ".bundle", ".prod", ".production"):
        if stem.lower().endswith(marker):
            stem = stem[: -len(marker)]
    return [f"{stem}{ext}" for ext in SOURCE_EXTENSIONS.get(f".{extension.lower()}", ())]


def map_js_path(project_id: int) -> int:
    """Relate each unmapped deployed ``.js``/``.css`` file to the source of the same name."""
    index = d2d.NameIndex(d2d.side_files(project_id, d2d.FROM))
    rows = []
    for target in d2d.unmapped_to_files(project_id):
        if not is_compiled(target.name):
            continue
        for name in source_names(target.name):
            sources, score = index.best(target.parts, name)
            if sources:
                path_score = f"{score}/{len(target.parts)}"
                rows += [
                    d2d.relation(source, target, "js_path", path_score=path_score)
                    for source in sources
                ]
                break
    return d2d.store_relations(project_id, rows)
