"""Views of stored rows for the response schemas: a project with its inputs, runs and counts.

The counts are the stored ones when current (``scanapp.services.counts``).

A view is the row plus the values computed beside it (``scanapp.schemas.fields.View``); the
schemas in ``scanapp.schemas`` shape it into JSON.
"""

from __future__ import annotations

from sqlmodel import Session, select

from scanapp.lifecycle import next_run
from scanapp.models import InputSource, Organization, Project, Run, WebhookSubscription
from scanapp.schemas.fields import View
from scanapp.schemas.projects import input_source_view, run_view
from scanapp.services.counts import current_counts


def project_view(session: Session, project: Project, *, detail: bool = True) -> View:
    """Return a project with its inputs, runs and next run; with ``detail`` its counts too."""
    runs = session.exec(
        select(Run).where(Run.project_id == project.id).order_by(Run.created_date, Run.id)
    ).all()
    sources = session.exec(
        select(InputSource).where(InputSource.project_id == project.id).order_by(InputSource.id)
    ).all()
    upcoming = next_run(session, project.id)
    values = {
        "input_sources": [input_source_view(source, project.slug) for source in sources],
        "runs": [run_view(run, project.uuid) for run in runs],
        "next_run": upcoming.pipeline_name if upcoming else None,
        "organization": session.get(Organization, project.organization_id).name
        if project.organization_id else None,
    }
    if detail:
        values.update(current_counts(session, project.id))
        values["webhooks"] = session.exec(
            select(WebhookSubscription)
            .where(WebhookSubscription.project_id == project.id)
            .order_by(WebhookSubscription.id)
        ).all()
    return View(project, **values)


def run_detail_view(session: Session, run: Run) -> View:
    """Return a run with the uuid of its project."""
    return run_view(run, session.get(Project, run.project_id).uuid)
