"""Database tables (SQLModel). Field names follow ScanCode.io's data model."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from scanapp.statuses import RunStatus

__all__ = ["RunStatus"]  # re-exported: the models and their statuses go together


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """Return ``value`` with its offset (SQLite gives naive values: they are UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def age_seconds(value: datetime | None) -> float | None:
    """Return how many seconds ago ``value`` was, None for None."""
    return None if value is None else (utcnow() - aware(value)).total_seconds()


def iso(value: datetime | None) -> str | None:
    """Return ISO 8601 with an explicit offset (naive values are UTC)."""
    return None if value is None else aware(value).isoformat()


def row_dict(row, exclude: tuple[str, ...] = ("id", "project_id")) -> dict:
    """Return every column of a row but ``exclude``, datetimes as ISO strings (fast export)."""
    data = {}
    for column in row.__table__.columns:
        if column.name in exclude:
            continue
        value = getattr(row, column.name)
        data[column.name] = iso(value) if isinstance(value, datetime) else value
    return data


def new_uuid() -> str:
    """Return a new random UUID as a string."""
    return str(uuid_lib.uuid4())


def _json(default: Any = None) -> Any:
    factory = (lambda: type(default)()) if default is not None else (lambda: None)
    return Field(default_factory=factory, sa_column=Column(sa.JSON, nullable=default is None))


def _text(default: str | None = "") -> Any:
    return Field(default=default, sa_column=Column(sa.Text, nullable=default is None))


def _when(nullable: bool = True) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(sa.DateTime(timezone=True), nullable=True))
    column = Column(sa.DateTime(timezone=True), nullable=False)
    return Field(default_factory=utcnow, sa_column=column)


#: Leading characters of a long text column kept in its index (a btree entry is limited in size).
INDEXED_PREFIX = 200


def indexed_prefix(column) -> Any:
    """Return the leading characters of a text column, the expression its index holds.

    A filter on such a column (``info={"indexed_prefix": True}``) also compares this
    expression, so the database finds the rows in the index.
    """
    return sa.func.substr(column, sa.literal_column("1"), sa.literal_column(str(INDEXED_PREFIX)))


def _project_fk() -> Any:
    return Field(
        sa_column=Column(
            sa.Integer, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class Project(SQLModel, table=True):
    """A project: inputs, pipeline runs and everything they found."""

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    name: str = Field(max_length=100, unique=True, index=True)
    slug: str = Field(max_length=150, unique=True)
    created_date: datetime = _when(nullable=False)
    is_archived: bool = Field(default=False, index=True)
    notes: str = _text()
    labels: list = _json([])
    settings: dict = _json({})
    purl: str = Field(default="", max_length=2048)
    extra_data: dict = _json({})
    #: The organization holding the project; None for a personal project (its creator's) or
    #: one made by the operator (the CLI) or before teams.
    organization_id: int | None = Field(default=None, sa_column=Column(
        sa.Integer, sa.ForeignKey("organization.id"), nullable=True, index=True))
    #: The user who created it through the API; None when the operator (the CLI) did.
    created_by_id: int | None = Field(default=None, sa_column=Column(
        sa.Integer, sa.ForeignKey("scanappuser.id"), nullable=True))


class StoredCounts(SQLModel, table=True):
    """A project's counts and summaries as last computed (``scanapp.services.counts``).

    ``counts`` is None when stale: a write outside a running run bumps ``generation`` and
    clears it (``scanapp.lifecycle.invalidate_counts``); computed counts are stored only
    when the generation they were computed at is still the current one. ``list_counts`` and
    ``list_anchors`` keep what makes long lists fast (``scanapp.services.pages``), cleared
    with the counts.
    """

    __tablename__ = "projectcounts"

    project_id: int = Field(
        sa_column=Column(
            sa.Integer, sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
        )
    )
    generation: int = 0
    counts: dict | None = _json()
    list_counts: dict | None = _json()
    list_anchors: dict | None = _json()
    computed_date: datetime | None = _when()


class InputSource(SQLModel, table=True):
    """An input of a project: a URL to fetch or an uploaded file."""

    __tablename__ = "inputsource"

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    project_id: int = _project_fk()
    download_url: str = Field(default="", max_length=1024)
    filename: str = Field(default="", max_length=255)
    is_uploaded: bool = False
    tag: str = Field(default="", max_length=50)
    created_date: datetime = _when(nullable=False)


class Run(SQLModel, table=True):
    """One execution of a named pipeline on a project."""

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    project_id: int = _project_fk()
    pipeline_name: str = Field(max_length=256)
    description: str = _text()
    selected_groups: list = _json([])
    selected_steps: list = _json([])
    status: str = Field(default=RunStatus.NOT_STARTED, max_length=20, index=True)
    created_date: datetime = _when(nullable=False)
    task_id: str | None = Field(default=None, max_length=64)
    task_start_date: datetime | None = _when()
    task_end_date: datetime | None = _when()
    task_exitcode: int | None = None
    task_output: str = _text()
    log: str = _text()
    current_step: str = Field(default="", max_length=256)
    progress: dict | None = _json()
    worker_name: str = Field(default="", max_length=256)
    heartbeat: datetime | None = _when()


class CodebaseResource(SQLModel, table=True):
    """A file, directory or symlink of a project's codebase."""

    __tablename__ = "codebaseresource"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "path", name="uq_resource_project_path"),
        # The list filters, each in the list's order (path): a page is read from the index.
        sa.Index("ix_resource_project_status", "project_id", "status", "path"),
        sa.Index("ix_resource_project_type", "project_id", "type", "path"),
        sa.Index("ix_resource_project_language", "project_id", "programming_language", "path"),
        sa.Index("ix_resource_project_alert", "project_id", "compliance_alert", "path"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = _project_fk()
    path: str = Field(max_length=2000)
    type: str = Field(default="file", max_length=10)
    name: str = Field(default="", max_length=255)
    extension: str = Field(default="", max_length=100)
    size: int | None = Field(default=None, sa_column=Column(sa.BigInteger, nullable=True))
    md5: str = Field(default="", max_length=32, index=True)
    sha1: str = Field(default="", max_length=40, index=True)
    sha256: str = Field(default="", max_length=64)
    sha512: str = Field(default="", max_length=128)
    sha1_git: str = Field(default="", max_length=40)
    mime_type: str = Field(default="", max_length=100)
    file_type: str = _text()
    programming_language: str = Field(default="", max_length=50)
    is_binary: bool = False
    is_text: bool = False
    is_archive: bool = False
    is_media: bool = False
    is_legal: bool = False
    is_manifest: bool = False
    is_readme: bool = False
    is_top_level: bool = False
    is_key_file: bool = False
    status: str = Field(default="", max_length=50, index=True)
    tag: str = Field(default="", max_length=50)
    detected_license_expression: str = Field(
        default="", sa_column=Column(sa.Text, nullable=False, info={"indexed_prefix": True})
    )
    detected_license_expression_spdx: str = _text()
    license_detections: list = _json([])
    license_clues: list = _json([])
    percentage_of_license_text: float | None = None
    copyrights: list = _json([])
    holders: list = _json([])
    authors: list = _json([])
    emails: list = _json([])
    urls: list = _json([])
    package_data: list = _json([])
    for_packages: list = _json([])
    compliance_alert: str = Field(default="", max_length=10, index=True)
    extra_data: dict = _json({})


sa.Index(
    "ix_resource_project_license",
    CodebaseResource.project_id,
    indexed_prefix(CodebaseResource.detected_license_expression),
    CodebaseResource.path,
)
# A directory's children are a range of their paths' bytes (scanapp.services.tree); PostgreSQL's
# default collations ignore the '/': this index compares the bytes ("C"), as SQLite's own do.
sa.Index("ix_resource_type_path_bytes", CodebaseResource.project_id, CodebaseResource.type,
         sa.collate(CodebaseResource.path, "C")).ddl_if(dialect="postgresql")


class DiscoveredPackage(SQLModel, table=True):
    """A package found in (or loaded into) a project."""

    __tablename__ = "discoveredpackage"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "package_uid", name="uq_package_project_uid"),
        sa.Index("ix_package_project_purl", "project_id", "type", "name"),
        sa.Index("ix_package_project_order", "project_id", "type", "namespace", "name",
                 "version", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = _project_fk()
    uuid: str = Field(default_factory=new_uuid, max_length=36)
    purl: str = Field(default="", max_length=2048)
    type: str = Field(default="", max_length=16)
    namespace: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=100)
    version: str = Field(default="", max_length=100)
    qualifiers: str = Field(default="", max_length=1024)
    subpath: str = Field(default="", max_length=200)
    package_uid: str = Field(default_factory=new_uuid, max_length=1024)
    filename: str = Field(default="", max_length=255)
    primary_language: str = Field(default="", max_length=50)
    description: str = _text()
    release_date: str = Field(default="", max_length=30)
    homepage_url: str = Field(default="", max_length=1024)
    download_url: str = Field(default="", max_length=2048)
    bug_tracking_url: str = Field(default="", max_length=1024)
    code_view_url: str = Field(default="", max_length=1024)
    vcs_url: str = Field(default="", max_length=1024)
    repository_homepage_url: str = Field(default="", max_length=1024)
    repository_download_url: str = Field(default="", max_length=1024)
    api_data_url: str = Field(default="", max_length=1024)
    size: int | None = Field(default=None, sa_column=Column(sa.BigInteger, nullable=True))
    md5: str = Field(default="", max_length=32)
    sha1: str = Field(default="", max_length=40)
    sha256: str = Field(default="", max_length=64)
    sha512: str = Field(default="", max_length=128)
    copyright: str = _text()
    holder: str = _text()
    declared_license_expression: str = _text()
    declared_license_expression_spdx: str = _text()
    other_license_expression: str = _text()
    other_license_expression_spdx: str = _text()
    extracted_license_statement: str = _text()
    license_detections: list = _json([])
    other_license_detections: list = _json([])
    notice_text: str = _text()
    keywords: list = _json([])
    parties: list = _json([])
    datasource_ids: list = _json([])
    datafile_paths: list = _json([])
    source_packages: list = _json([])
    is_private: bool = False
    is_virtual: bool = False
    compliance_alert: str = Field(default="", max_length=10, index=True)
    affected_by_vulnerabilities: list = _json([])
    tag: str = Field(default="", max_length=50)
    notes: str = _text()
    #: Files a package manifest lists (the toolkit's ``file_references``).
    file_references: list = _json([])
    #: Listed files absent from the codebase, and files whose checksum differs (d2d, purldb).
    missing_resources: list = _json([])
    modified_resources: list = _json([])
    extra_data: dict = _json({})


class DiscoveredDependency(SQLModel, table=True):
    """A dependency declared by a package manifest or lockfile."""

    __tablename__ = "discovereddependency"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "dependency_uid", name="uq_dependency_project_uid"),
        sa.Index("ix_dependency_project_id", "project_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = _project_fk()
    purl: str = Field(default="", max_length=2048)
    type: str = Field(default="", max_length=16)
    namespace: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=100)
    version: str = Field(default="", max_length=100)
    qualifiers: str = Field(default="", max_length=1024)
    subpath: str = Field(default="", max_length=200)
    dependency_uid: str = Field(default_factory=new_uuid, max_length=1024)
    for_package_uid: str | None = Field(default=None, max_length=1024)
    resolved_to_package_uid: str | None = Field(default=None, max_length=1024)
    datafile_path: str = Field(default="", max_length=2000)
    datasource_id: str = Field(default="", max_length=64)
    package_type: str = Field(default="", max_length=16)
    extracted_requirement: str = _text()
    scope: str = Field(default="", max_length=64)
    is_runtime: bool = False
    is_optional: bool = False
    is_pinned: bool = False
    is_direct: bool = False
    affected_by_vulnerabilities: list = _json([])
    extra_data: dict = _json({})


# The searches across projects (``scanapp.services.packages``): names compared without case.
# By name (with or without type), and by type and namespace (their packages, the pages).
sa.Index("ix_package_identity", sa.func.lower(DiscoveredPackage.name), DiscoveredPackage.type,
         sa.func.lower(DiscoveredPackage.namespace), DiscoveredPackage.version)
sa.Index("ix_package_namespace", DiscoveredPackage.type,
         sa.func.lower(DiscoveredPackage.namespace), sa.func.lower(DiscoveredPackage.name),
         DiscoveredPackage.project_id)  # the stats count the projects of a package from it
# PostgreSQL's default collations ignore the '/': a namespace's start is a range of its bytes.
sa.Index("ix_package_namespace_bytes", DiscoveredPackage.type,
         sa.collate(sa.func.lower(DiscoveredPackage.namespace), "C")).ddl_if(dialect="postgresql")
sa.Index("ix_package_alert", DiscoveredPackage.compliance_alert, DiscoveredPackage.type,
         sa.func.lower(DiscoveredPackage.namespace), sa.func.lower(DiscoveredPackage.name))
sa.Index("ix_dependency_identity", DiscoveredDependency.type,
         sa.func.lower(DiscoveredDependency.name), sa.func.lower(DiscoveredDependency.namespace))
sa.Index("ix_dependency_for_package", DiscoveredDependency.project_id,
         DiscoveredDependency.for_package_uid)


class PackageSummary(SQLModel, table=True):
    """How many times a package was found with a declared license and alert, in any project.

    One row per type, namespace and name (both lower case), declared license (and its SPDX)
    and compliance alert: the searches across projects and the stats group these instead
    of every package row. Kept by ``scanapp.services.package_summary`` from the
    identities that ``PackageChange`` lists.
    """

    __tablename__ = "packagesummary"
    __table_args__ = (
        sa.Index("ix_summary_identity", "type", "namespace", "name"),
        # The name alone: with type and namespace, SQLite grouped a page by it and sorted
        # every group (15 ms instead of 0.1 ms at 20,000 packages).
        sa.Index("ix_summary_name", "name"),
        sa.Index("ix_summary_alert", "compliance_alert", "type", "namespace", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(default="", max_length=16)
    namespace: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=100)
    declared_license_expression: str = _text()
    declared_license_expression_spdx: str = _text()
    compliance_alert: str = Field(default="", max_length=10)
    occurrences: int = 0


# A namespace's start on PostgreSQL (``ix_package_namespace_bytes``'s reason).
sa.Index("ix_summary_namespace_bytes", PackageSummary.type,
         sa.collate(PackageSummary.namespace, "C")).ddl_if(dialect="postgresql")


class PackageChange(SQLModel, table=True):
    """A package identity (type, lower namespace, lower name) whose summary may be stale.

    Written by the database's triggers on every insert, delete and change of a package's
    identity, license or alert (migration 0014), whoever writes; appended, never updated,
    so that concurrent runs never wait on each other here.
    """

    __tablename__ = "packagechange"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(default="", max_length=16)
    namespace: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=100)


class PackageSummaryState(SQLModel, table=True):
    """The package summary's state: a new random token each time a refresh changes it.

    One row (id 1). What is computed from the summary (a search's count) is kept for the
    token it was computed on; random, so that an emptied or restored database never
    brings back a token of another state.
    """

    __tablename__ = "packagesummarystate"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(default="", max_length=32)


class CodebaseRelation(SQLModel, table=True):
    """A mapping between a deployed (``to``) and a development (``from``) resource."""

    __tablename__ = "codebaserelation"
    __table_args__ = (sa.Index("ix_relation_project_map_type", "project_id", "map_type"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = _project_fk()
    from_resource_id: int = Field(
        sa_column=Column(sa.Integer, sa.ForeignKey("codebaseresource.id", ondelete="CASCADE"))
    )
    to_resource_id: int = Field(
        sa_column=Column(sa.Integer, sa.ForeignKey("codebaseresource.id", ondelete="CASCADE"))
    )
    map_type: str = Field(max_length=30)
    score: float | None = None
    extra_data: dict = _json({})


class ProjectMessage(SQLModel, table=True):
    """Something a run wants the user to know: info, warning or error."""

    __tablename__ = "projectmessage"
    __table_args__ = (sa.Index("ix_message_project_order", "project_id", "created_date", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    project_id: int = _project_fk()
    severity: str = Field(default="error", max_length=10)
    description: str = _text()
    model: str = Field(default="", max_length=100)
    details: dict = _json({})
    traceback: str = _text()
    created_date: datetime = _when(nullable=False)


class WebhookSubscription(SQLModel, table=True):
    """A URL to notify when a project's runs end."""

    __tablename__ = "webhooksubscription"

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    project_id: int = _project_fk()
    target_url: str = Field(max_length=1024)
    trigger_on_each_run: bool = False
    include_summary: bool = False
    include_results: bool = False
    is_active: bool = True
    created_date: datetime = _when(nullable=False)


class WebhookDelivery(SQLModel, table=True):
    """One attempt to deliver a webhook payload."""

    __tablename__ = "webhookdelivery"

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36)
    webhook_id: int = Field(
        sa_column=Column(
            sa.Integer,
            sa.ForeignKey("webhooksubscription.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    run_id: int | None = Field(
        default=None,
        sa_column=Column(sa.Integer, sa.ForeignKey("run.id", ondelete="SET NULL"), nullable=True),
    )
    delivery_id: str = Field(default_factory=new_uuid, max_length=36, index=True)
    event: str = Field(default="", max_length=50)
    attempt: int = 1
    target_url: str = Field(default="", max_length=1024)
    sent_date: datetime = _when(nullable=False)
    response_status_code: int | None = None
    response_text: str = _text()
    delivery_error: str = _text()
    duration: float | None = None
    success: bool = False


def _user_column() -> Any:
    return Field(sa_column=Column(
        sa.Integer, sa.ForeignKey("scanappuser.id", ondelete="CASCADE"), nullable=False,
        index=True))


def _organization_column() -> Any:
    return Field(sa_column=Column(
        sa.Integer, sa.ForeignKey("organization.id", ondelete="CASCADE"), nullable=False,
        index=True))


class User(SQLModel, table=True):
    """A person or service account of the server; they authenticate with ``UserToken`` keys."""

    __tablename__ = "scanappuser"

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    username: str = Field(max_length=150, unique=True, index=True)
    email: str = Field(default="", max_length=254, index=True)
    #: A server administrator sees and may do everything, as the operator does.
    is_admin: bool = False
    created_date: datetime = _when(nullable=False)
    updated_date: datetime = _when(nullable=False)


class UserToken(SQLModel, table=True):
    """A named API key of a user: the SHA-256 of the key, its scope and its optional expiry.

    ``scope`` is ``read`` (GET, HEAD and OPTIONS only) or ``write`` (every method); ``prefix``
    is the key's first characters, shown in lists to tell keys apart.
    """

    __tablename__ = "usertoken"
    __table_args__ = (sa.UniqueConstraint("user_id", "name", name="uq_usertoken_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    user_id: int = _user_column()
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(default="", max_length=8)
    scope: str = Field(default="write", max_length=10)
    created_date: datetime = _when(nullable=False)
    expires_date: datetime | None = _when()
    last_used_date: datetime | None = _when()


class DeviceAuthorization(SQLModel, table=True):
    """A command-line login waiting for, or given, a user's approval (a device flow).

    The device that started it holds the exchange token (stored as its SHA-256) and the
    verifier whose SHA-256 is ``challenge``; a user approves ``code`` (``status``: pending,
    approved, denied, exchanged); the exchange then creates ``token_name`` for that user.
    """

    __tablename__ = "deviceauthorization"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=9, unique=True, index=True)
    exchange_hash: str = Field(max_length=64, unique=True, index=True)
    challenge: str = Field(max_length=128)
    scope: str = Field(default="write", max_length=10)
    token_name: str = Field(max_length=100)
    token_days: int | None = Field(default=None)
    status: str = Field(default="pending", max_length=10)
    user_id: int | None = Field(default=None, sa_column=Column(
        sa.Integer, sa.ForeignKey("scanappuser.id", ondelete="CASCADE"), nullable=True))
    client_address: str = Field(default="", max_length=45)
    client_user_agent: str = Field(default="", max_length=512)
    created_date: datetime = _when(nullable=False)
    expires_date: datetime = _when(nullable=False)
    decided_date: datetime | None = _when()


class Organization(SQLModel, table=True):
    """A team: its members hold roles (``Membership``); projects will belong to one."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    name: str = Field(max_length=100, unique=True, index=True)
    description: str = _text()
    website: str = Field(default="", max_length=1024)
    billing_email: str = Field(default="", max_length=254)
    created_date: datetime = _when(nullable=False)
    updated_date: datetime = _when(nullable=False)


class Membership(SQLModel, table=True):
    """A user's role in an organization: ``member``, ``admin`` or ``owner``."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "user_id", name="uq_membership_org_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = _organization_column()
    user_id: int = _user_column()
    role: str = Field(default="member", max_length=10)
    created_date: datetime = _when(nullable=False)


class Invitation(SQLModel, table=True):
    """A pending invitation to join an organization with a role, by username or e-mail.

    ``invitee`` is the username or the e-mail address invited; it ends when the invitee
    accepts (a ``Membership``) or declines, or when an admin withdraws it.
    """

    __tablename__ = "invitation"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "invitee", name="uq_invitation_org_invitee"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    organization_id: int = _organization_column()
    invitee: str = Field(max_length=254, index=True)
    role: str = Field(default="member", max_length=10)
    invited_by: str = Field(default="", max_length=150)
    created_date: datetime = _when(nullable=False)


class ProjectPermission(SQLModel, table=True):
    """A user's level on one project, over their organization role.

    ``blocked`` hides the project from them whatever their role; ``member`` and ``admin``
    grant that much on this project, to a user of the organization or from outside it.
    """

    __tablename__ = "projectpermission"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "user_id", name="uq_projectpermission_project_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = _project_fk()
    user_id: int = _user_column()
    level: str = Field(max_length=10)
    created_date: datetime = _when(nullable=False)
    updated_date: datetime = _when(nullable=False)


class AuditEvent(SQLModel, table=True):
    """Something a user did or tried, written in the transaction of the change it records.

    A write, a run action, a download, a permission or membership change, a failed
    authentication.

    The organization and project are kept by id and by name so that an event outlives them;
    ``variables`` is the request's query string, ``details`` what else tells the event apart.
    """

    __tablename__ = "auditevent"
    __table_args__ = (
        sa.Index("ix_auditevent_organization_time", "organization_id", "time"),
        sa.Index("ix_auditevent_project_time", "project_uuid", "time"),
        sa.Index("ix_auditevent_username_time", "username", "time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=50)
    time: datetime = Field(default_factory=utcnow, sa_column=Column(
        sa.DateTime(timezone=True), nullable=False, index=True))
    organization_id: int | None = None
    organization: str = Field(default="", max_length=100)
    project_uuid: str = Field(default="", max_length=36)
    project: str = Field(default="", max_length=100)
    username: str = Field(default="", max_length=150)
    origin_address: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=512)
    referer: str = Field(default="", max_length=1024)
    variables: str = Field(default="", max_length=2048)
    details: dict = _json({})


class ScanCacheEntry(SQLModel, table=True):
    """One file's per-file scan values, shared by every project (see ``scanapp.pipes.scan_cache``).

    ``key`` is the SHA-256 of the file's content hash, its name, the scanners, the limits that
    change the values and the scancode-toolkit version; ``values`` hold no path.
    """

    __tablename__ = "scancacheentry"

    key: str = Field(primary_key=True, max_length=64)
    values: dict = _json({})
    size: int = 0
    created_date: datetime = _when(nullable=False)
    last_used_date: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(sa.DateTime(timezone=True), nullable=False, index=True),
    )
    hits: int = 0


class MatchCacheEntry(SQLModel, table=True):
    """The toolkit's rule ranking of one query run's tokens (see ``scanapp.pipes.match_cache``).

    ``key`` is the SHA-256 of the license index's fingerprint, the ranking's parameters and
    the run's sorted matchable token ids; ``candidates`` hold rule ids, scores and token ids.
    """

    __tablename__ = "matchcacheentry"

    key: str = Field(primary_key=True, max_length=64)
    candidates: list = _json([])
    created_date: datetime = _when(nullable=False)
    last_used_date: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(sa.DateTime(timezone=True), nullable=False, index=True),
    )


class ScanCacheCounter(SQLModel, table=True):
    """A running count of the scan caches.

    ``misses``: files looked up and not found; ``match_hits`` and ``match_misses``: query runs
    whose license rule ranking came from the match cache, or not.
    """

    __tablename__ = "scancachecounter"

    name: str = Field(primary_key=True, max_length=50)
    value: int = Field(default=0, sa_column=Column(sa.BigInteger, nullable=False))


class ScanChunk(SQLModel, table=True):
    """A range of a run's files scanned as one unit by any worker (``scanapp.pipes.scan_chunks``).

    ``status`` moves pending -> running -> done | failed, or to canceled when the run stops;
    a running chunk whose worker stops beating goes back to pending with ``attempt`` + 1.
    """

    __tablename__ = "scanchunk"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=Column(
            sa.Integer, sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    project_id: int = _project_fk()
    #: The step's model name (its messages' ``model``): one run may scan in several steps.
    model: str = Field(default="", max_length=100)
    seq: int = 0
    #: The ids of its files (the largest files of the run come in the first chunks).
    resource_ids: list = _json([])
    files: int = 0
    #: The scan options (``ScanOptions`` fields but ``processes``: each worker uses its own).
    options: dict = _json({})
    status: str = Field(default="pending", max_length=20, index=True)
    attempt: int = 1
    worker_name: str = Field(default="", max_length=256)
    #: The RQ job scanning it (the run's own job, or the chunk's).
    job_id: str = Field(default="", max_length=100)
    done: int = 0
    cached: int = 0
    stats: dict = _json({})
    error: str = _text()
    created_date: datetime = _when(nullable=False)
    start_date: datetime | None = _when()
    end_date: datetime | None = _when()
    heartbeat: datetime | None = _when()


class Vulnerability(SQLModel, table=True):
    """A known vulnerability, from an OSV record (``scanapp vulndb load``)."""

    __tablename__ = "vulnerability"

    id: str = Field(primary_key=True, max_length=100)  # the OSV id: GHSA-..., PYSEC-...
    modified: datetime = _when(nullable=False)
    withdrawn: datetime | None = _when()
    published: datetime | None = _when()
    aliases: list = _json([])  # CVE-... ids
    summary: str = _text()
    severity: list = _json([])  # OSV's [{type: CVSS_V3, score: vector}]
    references: list = _json([])


class VulnerabilitySource(SQLModel, table=True):
    """A URL of ``SCANAPP_VULNDB_URLS`` and what its last refresh did.

    ``etag`` and ``last_modified`` are the server's validators of the last load, sent back
    so that an export that did not change is not downloaded again.
    """

    __tablename__ = "vulnerabilitysource"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(sa.Text, nullable=False, unique=True))
    etag: str = _text()
    last_modified: str = _text()
    checked_date: datetime | None = _when()
    loaded_date: datetime | None = _when()
    status: str = Field(default="", max_length=20)  # loaded, not modified, failed
    error: str = _text()
    figures: dict = _json({})  # the last load's LoadReport


class VulnerabilityAffected(SQLModel, table=True):
    """A package a vulnerability affects: its versions listed and its ranges (OSV's).

    ``ecosystem`` and ``name`` are keys (``scanapp.pipes.osv``): a package's purl finds them.
    """

    __tablename__ = "vulnerabilityaffected"
    __table_args__ = (sa.Index("ix_affected_package", "ecosystem", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    vulnerability_id: str = Field(sa_column=Column(
        sa.String(100), sa.ForeignKey("vulnerability.id", ondelete="CASCADE"), nullable=False,
        index=True))
    ecosystem: str = Field(default="", max_length=50)
    name: str = Field(default="", max_length=255)
    versions: list = _json([])
    ranges: list = _json([])
