"""The shapes of scancode-toolkit's per-file and per-package data stored in JSON columns.

Every schema here is open (see :class:`~scanapp.schemas.fields.Open`): the keys it names are
documented with their types, and any other key scancode-toolkit writes is kept as it is.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from scanapp.schemas.fields import open_list, text_list


def _text(**kwargs) -> fields.String:
    return fields.String(allow_none=True, **kwargs)


def _line(**kwargs) -> fields.Integer:
    return fields.Integer(allow_none=True, **kwargs)


class LicenseMatch(Schema):
    """One match of a license rule in a file."""

    license_expression = _text()
    license_expression_spdx = _text()
    from_file = _text()
    start_line = _line()
    end_line = _line()
    matcher = _text()
    score = fields.Float(allow_none=True)
    matched_length = fields.Integer(allow_none=True)
    match_coverage = fields.Float(allow_none=True)
    rule_relevance = fields.Float(allow_none=True)
    rule_identifier = _text()
    rule_url = _text()
    matched_text = _text()


class LicenseDetection(Schema):
    """A license detection: its expression and the matches it is made of."""

    license_expression = _text()
    license_expression_spdx = _text()
    identifier = _text()
    matches = open_list(LicenseMatch)
    detection_log = text_list()


class Copyright(Schema):
    """A copyright statement and where it is."""

    copyright = _text()
    start_line = _line()
    end_line = _line()


class Holder(Schema):
    """A copyright holder and where it is."""

    holder = _text()
    start_line = _line()
    end_line = _line()


class Author(Schema):
    """An author and where it is."""

    author = _text()
    start_line = _line()
    end_line = _line()


class Email(Schema):
    """An email address and where it is."""

    email = _text()
    start_line = _line()
    end_line = _line()


class Url(Schema):
    """A URL and where it is."""

    url = _text()
    start_line = _line()
    end_line = _line()


class Party(Schema):
    """A person or organization related to a package (author, maintainer...)."""

    type = _text()
    role = _text()
    name = _text()
    email = _text()
    url = _text()


class FileReference(Schema):
    """A file a package says it contains."""

    path = _text()
    size = fields.Integer(allow_none=True)
    sha1 = _text()
    md5 = _text()
    sha256 = _text()
    sha512 = _text()
    extra_data = fields.Dict(allow_none=True)


class DependentPackage(Schema):
    """A dependency declared in a package manifest."""

    purl = _text()
    extracted_requirement = _text()
    scope = _text()
    is_runtime = fields.Boolean(allow_none=True)
    is_optional = fields.Boolean(allow_none=True)
    is_pinned = fields.Boolean(allow_none=True)
    is_direct = fields.Boolean(allow_none=True)
    resolved_package = fields.Dict(allow_none=True)
    extra_data = fields.Dict(allow_none=True)


class PackageData(Schema):
    """Package data parsed from a manifest or lockfile (``package_data`` of a file)."""

    type = _text()
    namespace = _text()
    name = _text()
    version = _text()
    qualifiers = fields.Dict(allow_none=True)
    subpath = _text()
    primary_language = _text()
    description = _text()
    release_date = _text()
    parties = open_list(Party, allow_none=True)
    keywords = text_list(allow_none=True)
    homepage_url = _text()
    download_url = _text()
    size = fields.Integer(allow_none=True)
    sha1 = _text()
    md5 = _text()
    sha256 = _text()
    sha512 = _text()
    bug_tracking_url = _text()
    code_view_url = _text()
    vcs_url = _text()
    copyright = _text()
    holder = _text()
    declared_license_expression = _text()
    declared_license_expression_spdx = _text()
    license_detections = open_list(LicenseDetection, allow_none=True)
    other_license_expression = _text()
    other_license_expression_spdx = _text()
    other_license_detections = open_list(LicenseDetection, allow_none=True)
    notice_text = _text()
    source_packages = text_list(allow_none=True)
    file_references = open_list(FileReference, allow_none=True)
    is_private = fields.Boolean(allow_none=True)
    is_virtual = fields.Boolean(allow_none=True)
    extra_data = fields.Dict(allow_none=True)
    dependencies = open_list(DependentPackage, allow_none=True)
    repository_homepage_url = _text()
    repository_download_url = _text()
    api_data_url = _text()
    datasource_id = _text()
    purl = _text()


class Vulnerability(Schema):
    """A known vulnerability affecting a package."""

    vulnerability_id = _text()


class Progress(Schema):
    """How far a running scan is: files done of total, rate (files/s), eta (s)."""

    done = fields.Integer()
    total = fields.Integer()
    rate = fields.Float(allow_none=True)
    eta = fields.Float(allow_none=True)

