"""Projects: create, list, get, delete, archive, reset and add inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp import audit
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.errors import ConflictError, InvalidInputError, RunNotAllowedError
from scanapp.lifecycle import invalidate_counts
from scanapp.models import (
    CodebaseRelation,
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    InputSource,
    Project,
    ProjectMessage,
    Run,
    RunStatus,
    StoredCounts,
    WebhookDelivery,
    WebhookSubscription,
    new_uuid,
)
from scanapp.policies import check_settings as check_policies_setting
from scanapp.registry import resolve_spec
from scanapp.schemas.fields import View
from scanapp.services import package_summary
from scanapp.services.access import restricted_user_id, visible
from scanapp.services.inputs import PendingInput, check_upload, check_url, store_upload
from scanapp.services.listing import Page, filter_projects, page_of
from scanapp.services.lookup import get_project
from scanapp.services.organizations import organization_for_projects
from scanapp.services.queueing import check_queue_reachable, start_next_run
from scanapp.services.runs import add_run, check_input_count, count_inputs
from scanapp.services.users import Caller
from scanapp.services.views import project_view
from scanapp.services.webhooks import check_subscriptions
from scanapp.workdir import slugify, workdir_for

RESULT_MODELS = (
    CodebaseRelation,
    DiscoveredDependency,
    DiscoveredPackage,
    CodebaseResource,
    ProjectMessage,
)


@dataclass
class ProjectRequest:
    """Everything a project creation may carry, validated before anything is stored."""

    name: str
    input_urls: list[str] = field(default_factory=list)
    uploads: list[tuple[object, str]] = field(default_factory=list)
    pipelines: list[str] = field(default_factory=list)
    execute_now: bool = False
    labels: list[str] = field(default_factory=list)
    notes: str = ""
    settings: dict = field(default_factory=dict)
    webhooks: list[dict] = field(default_factory=list)
    #: The organization to hold it (the caller must be a member), "" for a personal project.
    organization: str = ""
    #: Who asks (None: the operator); a personal project is theirs.
    caller: Caller | None = None


def validate_request(session: Session, request: ProjectRequest) -> list[PendingInput]:
    """Check every field of a creation request; raise InvalidInputError naming the field."""
    name = (request.name or "").strip()
    if not name:
        raise InvalidInputError.for_field("name", "This field is required.")
    if len(name) > 100:
        raise InvalidInputError.for_field(
            "name", "Ensure this field has no more than 100 characters."
        )
    if session.exec(select(Project.id).where(Project.name == name)).first() is not None:
        raise ConflictError(
            f"name: project with this name already exists: {name}",
            errors={"name": ["project with this name already exists."]},
        )
    for spec in request.pipelines:
        resolve_spec(spec)
    _check_labels(request.labels)
    check_policies_setting(request.settings)
    check_subscriptions(request.webhooks)
    pending = [check_url(url) for url in request.input_urls]
    pending += [check_upload(upload, tag) for upload, tag in request.uploads]
    for spec in request.pipelines:
        check_input_count(spec, len(pending), final=request.execute_now)
    return pending


def _check_labels(labels: list[str]) -> None:
    for label in labels:
        if not isinstance(label, str) or not label.strip() or len(label) > 50:
            raise InvalidInputError.for_field("labels", f"Invalid label {label!r}.")


def create_project(request: ProjectRequest) -> Project:
    """Validate then store a project with its inputs, runs and webhooks, all or nothing.

    With ``execute_now`` the queue is checked first: when Redis is unreachable nothing is
    stored and QueueUnavailableError (503) is raised.
    """
    with session_scope() as session:
        pending = validate_request(session, request)
        organization_id = _organization_id(session, request)
    execute = request.execute_now and bool(request.pipelines)
    if execute:
        check_queue_reachable()
    uuid = new_uuid()
    project = Project(
        uuid=uuid,
        name=request.name.strip(),
        slug=slugify(request.name, uuid),
        labels=sorted(set(request.labels)),
        notes=request.notes or "",
        settings=request.settings or {},
        organization_id=organization_id,
        created_by_id=request.caller.user_id if request.caller else None,
    )
    workdir = workdir_for(project.slug).create()
    try:
        with session_scope() as session:
            session.add(project)
            session.flush()
            audit.record(session, "project.create", project=project,
                         inputs=len(pending) or None, pipelines=request.pipelines or None)
            _store_inputs(session, project, pending)
            for spec in request.pipelines:
                add_run(session, project, spec)
            for hook in request.webhooks:
                session.add(WebhookSubscription(project_id=project.id, **hook))
    except BaseException as error:
        workdir.remove()
        if isinstance(error, sa.exc.IntegrityError):
            raise ConflictError(
                "name: project with this name already exists.",
                errors={"name": ["project with this name already exists."]},
            ) from None
        raise
    if execute:
        start_next_run(project.id)
    return project


def _organization_id(session: Session, request: ProjectRequest) -> int | None:
    if not request.organization:
        return None
    return organization_for_projects(session, request.organization,
                                     restricted_user_id(request.caller), "member")


def _store_inputs(session: Session, project: Project, pending: list[PendingInput]) -> None:
    folder = workdir_for(project.slug).input
    for item in pending:
        filename = store_upload(item, folder) if item.is_uploaded else ""
        session.add(
            InputSource(
                project_id=project.id,
                download_url=item.download_url,
                filename=filename,
                is_uploaded=item.is_uploaded,
                tag=item.tag,
            )
        )


def add_inputs(uuid: str, *, input_urls: list[str], uploads: list[tuple[object, str]]) -> None:
    """Add URLs and uploads to a project whose runs have not started."""
    if not input_urls and not uploads:
        raise InvalidInputError(
            "Provide input_urls or upload_file.",
            errors={"input_urls": ["Provide input_urls or upload_file."]},
        )
    with session_scope() as session:
        project = get_project(session, uuid)
        _ensure_inputs_editable(session, project)
        pending = [check_url(url) for url in input_urls]
        pending += [check_upload(upload, tag) for upload, tag in uploads]
        _check_pipelines_accept(session, project, count_inputs(session, project.id) + len(pending))
        stored_before = set(_input_files(project))
        try:
            _store_inputs(session, project, pending)
            audit.record(session, "project.add_input", project=project, inputs=len(pending))
            session.flush()
        except BaseException:
            for path in set(_input_files(project)) - stored_before:
                path.unlink(missing_ok=True)
            raise


def _check_pipelines_accept(session: Session, project: Project, count: int) -> None:
    """Refuse inputs that the project's not started pipelines cannot take."""
    specs = session.exec(
        select(Run.pipeline_name).where(
            Run.project_id == project.id, Run.status == RunStatus.NOT_STARTED
        )
    ).all()
    for spec in specs:
        check_input_count(spec, count, final=False)


def _input_files(project: Project):
    folder = workdir_for(project.slug).input
    return list(folder.iterdir()) if folder.is_dir() else []


def _ensure_inputs_editable(session: Session, project: Project) -> None:
    started = session.exec(
        select(Run.id).where(
            Run.project_id == project.id,
            Run.status.not_in((RunStatus.NOT_STARTED,)),
        )
    ).first()
    if started is not None:
        raise RunNotAllowedError("Cannot add inputs once a pipeline has started to execute.")


def _ensure_not_running(session: Session, project: Project, action: str) -> None:
    active = session.exec(
        select(Run.id).where(
            Run.project_id == project.id, Run.status.in_((RunStatus.QUEUED, RunStatus.RUNNING))
        )
    ).first()
    if active is not None:
        # ScanCode.io's words (a queued run counts as in progress).
        raise RunNotAllowedError(f"Cannot {action} project while a run is in progress.")


def delete_project(uuid: str) -> None:
    """Delete a project, its rows and its work directory."""
    with session_scope() as session:
        project = get_project(session, uuid)
        _ensure_not_running(session, project, "delete")
        slug = project.slug
        audit.record(session, "project.delete", project=project)
        _delete_rows(session, project.id, inputs=True, webhooks=True)
        session.execute(sa.delete(StoredCounts).where(StoredCounts.project_id == project.id))
        session.delete(project)
    workdir_for(slug).remove()
    package_summary.refresh_quietly()


def _delete_rows(session: Session, project_id: int, *, inputs: bool, webhooks: bool) -> None:
    """Delete the results, runs and webhook deliveries; ``inputs``, ``webhooks``: those too."""
    hooks = select(WebhookSubscription.id).where(WebhookSubscription.project_id == project_id)
    session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.webhook_id.in_(hooks)))
    models = [*RESULT_MODELS, Run]
    models += [WebhookSubscription] if webhooks else []
    models += [InputSource] if inputs else []
    for model in models:
        session.execute(sa.delete(model).where(model.project_id == project_id))


def archive_project(
    uuid: str,
    *,
    remove_input: bool = False,
    remove_codebase: bool = False,
    remove_output: bool = False,
) -> str:
    """Mark a project archived and empty the selected work directories."""
    with session_scope() as session:
        project = get_project(session, uuid)
        _ensure_not_running(session, project, "archive")
        project.is_archived = True
        session.add(project)
        name, slug = project.name, project.slug
        chosen = [n for n, flag in (("input", remove_input), ("codebase", remove_codebase),
                                    ("output", remove_output)) if flag]
        audit.record(session, "project.archive", project=project, removed=chosen or None)
    workdir_for(slug).clear(*chosen)
    return name


def reset_project(
    uuid: str,
    *,
    keep_input: bool = True,
    keep_webhook: bool = True,
    restore_pipelines: bool = False,
    execute_now: bool = False,
) -> str:
    """Delete a project's runs, results and deliveries, as ScanCode.io's ``Project.reset``.

    Labels, notes and settings stay; the inputs (``keep_input``) and the webhook subscriptions
    (``keep_webhook``) too unless told otherwise. ``restore_pipelines`` adds the same pipelines
    again, with their groups, as not started runs; ``execute_now`` queues the first. Everything
    is checked first (no queued or running run, the pipelines still valid, the queue reachable
    when it will be used): a refusal changes nothing. Return the project's name.
    """
    with session_scope() as session:
        project = get_project(session, uuid)
        _ensure_not_running(session, project, "reset")
        specs = _run_specs(session, project.id) if restore_pipelines else []
        inputs = count_inputs(session, project.id) if keep_input else 0
        for spec in specs:
            check_input_count(spec, inputs, final=execute_now)
    execute = execute_now and bool(specs)
    if execute:
        check_queue_reachable()
    with session_scope() as session:
        project = get_project(session, uuid)
        _ensure_not_running(session, project, "reset")
        _delete_rows(session, project.id, inputs=not keep_input, webhooks=not keep_webhook)
        invalidate_counts(session, project.id)
        project.extra_data = {}
        session.add(project)
        audit.record(session, "project.reset", project=project, keep_input=keep_input,
                     keep_webhook=keep_webhook, restore_pipelines=restore_pipelines)
        for spec in specs:
            add_run(session, project, spec)
        name, slug, project_id = project.name, project.slug, project.id
    folders = ["codebase", "output", "tmp"] + ([] if keep_input else ["input"])
    workdir_for(slug).clear(*folders)
    package_summary.refresh_quietly()
    if execute:
        start_next_run(project_id)
    return name


def _run_specs(session: Session, project_id: int) -> list[str]:
    """Return the ``"name:G1,G2"`` of each run of the project, in their order."""
    runs = session.exec(
        select(Run).where(Run.project_id == project_id).order_by(Run.created_date, Run.id)
    ).all()
    return [
        run.pipeline_name + (":" + ",".join(run.selected_groups) if run.selected_groups else "")
        for run in runs
    ]


def list_projects(filters: dict, page: int = 1, caller: Caller | None = None) -> Page:
    """Return a page of the projects the caller may see, newest first, as listed (no counts)."""
    with session_scope() as session:
        statement = visible(filter_projects(select(Project), filters), caller).order_by(
            Project.created_date.desc(), Project.id.desc()
        )
        return page_of(session, statement, page, get_settings().page_size,
                       lambda item: project_view(session, item, detail=False))


def all_projects() -> list[Project]:
    """Return every project, oldest first."""
    with session_scope() as session:
        return list(session.exec(select(Project).order_by(Project.created_date, Project.id)).all())


def project_detail(uuid: str, *, detail: bool = True) -> View:
    """Return a project with its inputs, runs and (``detail``) counts and webhooks."""
    with session_scope() as session:
        return project_view(session, get_project(session, uuid), detail=detail)


def project_choices(caller: Caller | None = None, limit: int = 1000) -> list[tuple[str, str]]:
    """Return (name, uuid) of the projects the caller may see, by name (a form's choices)."""
    with session_scope() as session:
        return [tuple(row) for row in session.exec(
            visible(select(Project.name, Project.uuid), caller)
            .order_by(Project.name).limit(limit)).all()]
