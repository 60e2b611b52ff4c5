"""Compliance: store license alerts on resources and packages, report them, score alerts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp import lifecycle
from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredPackage, Project, Run
from scanapp.pipes import scorecard
from scanapp.policies import (
    PolicyError,
    check_settings,
    license_alert,
    project_policies,
    score_alert,
    severities,
    vulnerability_alert,
)
from scanapp.services.lookup import get_project
from scanapp.services.vulnerabilities import project_findings
from scanapp.statuses import ResourceStatus
from scanapp.workdir import workdir_for

#: The model and the license expression column each alert is computed from.
ALERT_SOURCES = (
    (CodebaseResource, CodebaseResource.detected_license_expression),
    (DiscoveredPackage, DiscoveredPackage.declared_license_expression),
)
_CHUNK = 500
CLARITY_KEY = "license_clarity_compliance_alert"


def update_alerts(project_id: int) -> str | None:
    """Recompute and store every resource and package alert of a project; raise PolicyError.

    Returns the fingerprint of the policies used (None when the project has none).
    """
    with session_scope() as session:
        project = session.get(Project, project_id)
        policies = project_policies(project)
        changed = [_update_model(session, project_id, model, column, policies)
                   for model, column in ALERT_SOURCES]
        if any(changed):  # the lists filter on the alerts, the charts count them
            lifecycle.invalidate_counts(session, project_id)
        _store_summary_alerts(session, project, policies)
        fingerprint = policies.fingerprint if policies else None
        _store_fingerprint(session, project, fingerprint)
    return fingerprint


def _update_model(session: Session, project_id: int, model, column, policies) -> int:
    """Store the alert of each row of ``model``; return how many rows changed."""
    changed = 0
    expressions = session.exec(select(column).where(model.project_id == project_id).distinct())
    by_alert: dict[str, list[str]] = {}
    for expression in expressions.all():
        by_alert.setdefault(license_alert(policies, expression), []).append(expression)
    for alert, values in by_alert.items():
        for start in range(0, len(values), _CHUNK):
            changed += session.execute(
                sa.update(model)
                .where(
                    model.project_id == project_id,
                    column.in_(values[start : start + _CHUNK]),
                    model.compliance_alert != alert,
                )
                .values(compliance_alert=alert)
                .execution_options(synchronize_session=False)
            ).rowcount
    return changed


def _store_summary_alerts(session: Session, project: Project, policies) -> None:
    """Store the summary's clarity alert in ``extra_data`` and the summary, as ScanCode.io.

    The clarity alert is set only on a project with a summary (scan_single_package) and
    clarity thresholds; the alerts of the summary's key files and packages are refreshed.
    """
    workdir = workdir_for(project.slug)
    found = workdir.load_summary()
    if found is None:
        return
    alert = _clarity_alert(policies, found)
    extra = dict(project.extra_data or {})
    values = _key_file_alerts(session, project.id, found)
    if alert is None:
        extra.pop(CLARITY_KEY, None)
    else:
        extra[CLARITY_KEY] = values[CLARITY_KEY] = alert
    workdir.update_summary(**values)
    if extra != (project.extra_data or {}):
        project.extra_data = extra
        session.add(project)
        session.flush()


def _key_file_alerts(session: Session, project_id: int, found: dict) -> dict:
    """Return the summary's key files and packages with their current compliance alerts."""
    paths = [item.get("path") for item in found.get("key_files") or []]
    uuids = [item.get("uuid") for item in found.get("key_files_packages") or []]
    by_path = dict(session.exec(select(CodebaseResource.path, CodebaseResource.compliance_alert)
                                .where(CodebaseResource.project_id == project_id,
                                       CodebaseResource.path.in_(paths))).all())
    by_uuid = dict(session.exec(select(DiscoveredPackage.uuid, DiscoveredPackage.compliance_alert)
                                .where(DiscoveredPackage.project_id == project_id,
                                       DiscoveredPackage.uuid.in_(uuids))).all())
    return {
        "key_files": [{**item, "compliance_alert": by_path.get(item.get("path"), "")}
                      for item in found.get("key_files") or []],
        "key_files_packages": [{**item, "compliance_alert": by_uuid.get(item.get("uuid"), "")}
                               for item in found.get("key_files_packages") or []],
    }


def _clarity_alert(policies, found: dict | None) -> str | None:
    if not policies or not policies.license_clarity_thresholds or not isinstance(found, dict):
        return None
    score = (found.get("license_clarity_score") or {}).get("score")
    return score_alert(policies.license_clarity_thresholds, score)


def _store_fingerprint(session: Session, project: Project, fingerprint: str | None) -> None:
    session.refresh(project, ["extra_data"])
    extra = dict(project.extra_data or {})
    extra["compliance"] = {"policies": fingerprint}
    project.extra_data = extra
    session.add(project)


def ensure_alerts(project_id: int) -> None:
    """Recompute the alerts when the project's policies changed since they were computed."""
    with session_scope() as session:
        project = session.get(Project, project_id)
        policies = project_policies(project)
        stored = (project.extra_data or {}).get("compliance")
    current = {"policies": policies.fingerprint if policies else None}
    if stored != current:
        update_alerts(project_id)


def update_alerts_after_run(run_id: int) -> None:
    """Run-ended hook: recompute the project's alerts; invalid policies become a run message."""
    with session_scope() as session:
        run = session.get(Run, run_id)
        project_id, pipeline_name = run.project_id, run.pipeline_name
    try:
        update_alerts(project_id)
    except PolicyError as error:
        lifecycle.add_message(project_id, f"Compliance alerts not computed: {error.message}",
                              model=pipeline_name, details={"policies": error.source})


def set_project_policies(uuid: str, policies: str | dict | None) -> None:
    """Validate and store a project's ``policies`` setting, then recompute its alerts."""
    check_settings({"policies": policies})
    with session_scope() as session:
        project = get_project(session, uuid)
        settings = dict(project.settings or {})
        if policies in (None, "", {}):
            settings.pop("policies", None)
        else:
            settings["policies"] = policies
        project.settings = settings
        session.add(project)
        project_id = project.id
    update_alerts(project_id)


def _project_id(uuid: str) -> int:
    with session_scope() as session:
        return get_project(session, str(uuid)).id


def compliance_alerts(project_uuid: str, fail_level: str = "ERROR", *, refresh: bool = True):
    """Return ``{"packages": {alert: [purl]}, "resources": {alert: [path]}}`` at ``fail_level``.

    Files flagged ``virus-detected`` are added as ``"infected_files": {"error": [path]}``;
    the packages and dependencies with a known vulnerability whose level the policies'
    ``vulnerability_severity_thresholds`` alert, as ``"vulnerabilities": {alert: ["purl:
    id (level)"]}``.

    Alerts are listed most severe first; empty groups and kinds are left out. With
    ``refresh`` the alerts are recomputed first (the CLI gate); otherwise only when the
    policies changed since they were stored (the API). Raise PolicyError on invalid policies.
    """
    wanted = severities(fail_level)
    project_id = _project_id(project_uuid)
    if refresh:
        update_alerts(project_id)
    else:
        ensure_alerts(project_id)
    result = {}
    with session_scope() as session:
        packages = _grouped(session, project_id, DiscoveredPackage, wanted, _package_label,
                            (DiscoveredPackage.type, DiscoveredPackage.namespace,
                             DiscoveredPackage.name, DiscoveredPackage.version,
                             DiscoveredPackage.id))
        resources = _grouped(session, project_id, CodebaseResource, wanted,
                             lambda row: row.path, (CodebaseResource.path,))
        infected = _infected_files(session, project_id)
        vulnerable = _vulnerability_alerts(session, project_id, wanted)
    for kind, groups in (
        ("packages", packages),
        ("resources", resources),
        ("infected_files", infected),
        ("vulnerabilities", vulnerable),
    ):
        if groups:
            result[kind] = groups
    return result


def _infected_files(session: Session, project_id: int) -> dict:
    """Return ``{"error": [path]}`` of the files scan_for_virus flagged, else {}."""
    paths = session.exec(
        select(CodebaseResource.path)
        .where(
            CodebaseResource.project_id == project_id,
            CodebaseResource.status == ResourceStatus.VIRUS_DETECTED,
        )
        .order_by(CodebaseResource.path)
    ).all()
    return {"error": list(paths)} if paths else {}


def _vulnerability_alerts(session: Session, project_id: int, wanted) -> dict:
    """Return ``{alert: ["purl: id (level)"]}`` of the vulnerabilities the policies alert."""
    policies = project_policies(session.get(Project, project_id))
    groups: dict[str, list[str]] = {alert: [] for alert in wanted}
    for found in project_findings(session, project_id):
        level = found.get("severity_level") or "none"
        alert = vulnerability_alert(policies, level)
        if alert in groups:
            groups[alert].append(f"{found['affects']['purl']}: {found.get('vulnerability_id')} "
                                 f"({level})")
    return {alert: items for alert, items in groups.items() if items}


def _package_label(row: DiscoveredPackage) -> str:
    return row.purl or row.package_uid


def _grouped(session: Session, project_id: int, model, wanted, label, order) -> dict:
    rows = session.exec(
        select(model)
        .where(model.project_id == project_id, model.compliance_alert.in_(wanted))
        .order_by(*order)
    ).all()
    groups = {alert: [] for alert in wanted}
    for row in rows:
        groups[row.compliance_alert].append(label(row))
    return {alert: items for alert, items in groups.items() if items}


def license_clarity_alert(project_uuid: str) -> str | None:
    """Return ok, warning or error from the summary's license clarity score.

    None when the project has no clarity thresholds or no scan_single_package summary;
    error when the summary has no score.
    """
    with session_scope() as session:
        project = get_project(session, str(project_uuid))
        policies = project_policies(project)
        workdir = workdir_for(project.slug)
    return _clarity_alert(policies, workdir.load_summary())


def scorecard_alert(project_uuid: str) -> str | None:
    """Return the worst scorecard alert of the project's packages; None when none has a score."""
    return scorecard.project_alert(_project_id(project_uuid))
