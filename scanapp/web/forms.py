"""What the create form's fields mean: the same project request the API builds."""

from __future__ import annotations

from scanapp.services.inputs import split_values
from scanapp.services.projects import ProjectRequest
from scanapp.services.users import Caller


def pipeline_specs(form) -> list[str]:
    """Return ``name`` or ``name:Group1,Group2`` for each pipeline ticked, in form order."""
    specs = []
    for name in form.getlist("pipeline"):
        groups = [group for group in form.getlist(f"groups:{name}") if group]
        specs.append(f"{name}:{','.join(groups)}" if groups else name)
    return specs


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def project_request(form, files, caller: Caller | None) -> ProjectRequest:
    """Build the project request of the create form (uploads, URLs, pipelines, webhook)."""
    tag = form.get("upload_file_tag", "").strip()
    uploads = [(upload, tag) for upload in files.getlist("upload_file") if upload.filename]
    webhook = form.get("webhook_url", "").strip()
    return ProjectRequest(
        name=form.get("name", "").strip(),
        input_urls=split_values(_lines(form.get("input_urls", ""))),
        uploads=uploads,
        pipelines=pipeline_specs(form),
        execute_now=form.get("execute_now") == "on",
        labels=[label.strip() for label in form.get("labels", "").split(",") if label.strip()],
        notes=form.get("notes", ""),
        settings={},
        webhooks=[{"target_url": webhook}] if webhook else [],
        organization=form.get("organization", "").strip(),
        caller=caller,
    )
