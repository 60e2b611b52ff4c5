"""OpenSSF Scorecard: fetch each package's repository score, store it, evaluate the alert.

The scorecard is fetched from ``SCANAPP_SCORECARD_URL`` (``GET <url>/projects/<platform>/
<owner>/<repo>``) and parsed with the ``scorecode`` library ScanCode.io uses. Its
``ossf_scorecard`` fetcher is not used: its base URL is a module constant, it calls
``requests`` directly (past the address guard) and checks the repository with a HEAD request
to github.com; here every request goes through ``scanapp.downloads``. The score is stored in
the package's ``extra_data["scorecard"]``, where compliance reads it.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from scorecode.models import PackageScore
from scorecode.ossf_scorecard import extract_repo_info
from sqlmodel import select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.downloads import FetchError, FetchOptions, open_url
from scanapp.errors import PipelineError
from scanapp.models import DiscoveredPackage, Project
from scanapp.pipes.codebase import fetch_options
from scanapp.policies import project_policies, score_alert, worst

#: ScanCode.io's name of the scoring tool (``DiscoveredPackageScore.scoring_tool``).
SCORING_TOOL = "ossf-scorecard"
#: The project ``extra_data`` key of the worst alert, as ScanCode.io.
ALERT_KEY = "scorecard_compliance_alert"
#: The package URL fields a repository is looked for in, in order.
URL_FIELDS = ("vcs_url", "code_view_url", "homepage_url", "repository_homepage_url")
MAX_RESPONSE = 5 * 1024**2


def check_service(base_url: str, options: FetchOptions) -> None:
    """Raise PipelineError when the Scorecard API at ``base_url`` does not answer."""
    try:
        open_url(base_url, options).close()
    except FetchError as error:
        raise PipelineError(f"ScoreCode service is not available: {error}") from None


def repository(url: str):
    """Return scorecode's ``RepoData(platform, org, repo)`` of a GitHub/GitLab URL, else None."""
    url = (url or "").strip().removeprefix("git+")
    parts = urlsplit(url if "://" in url else f"https://{url}")
    path = [part for part in parts.path.split("/") if part][:2]
    if not parts.hostname or len(path) < 2:
        return None
    # scorecode's parser wants exactly https://host/org/repo (a longer path is a ValueError).
    path[1] = path[1].removesuffix(".git")
    return extract_repo_info(f"https://{parts.hostname}/{path[0]}/{path[1]}")


def fetch_scorecard(base_url: str, repo, options: FetchOptions) -> dict:
    """Return the stored form of a repository's scorecard; raise FetchError."""
    url = f"{base_url}/projects/{repo.platform}/{repo.org}/{repo.repo}"
    with open_url(url, options, headers={"Accept": "application/json"}) as response:
        body = response.raw.read(MAX_RESPONSE + 1, decode_content=True)
    if len(body) > MAX_RESPONSE:
        raise FetchError(f"{url}: the scorecard is over {MAX_RESPONSE} bytes")
    try:
        score = PackageScore.from_data(json.loads(body)).to_dict()
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        raise FetchError(f"{url}: not a scorecard: {error}") from None
    score["scoring_tool"] = SCORING_TOOL
    score["score"] = float(score["score"])
    score["url"] = url
    return score


def fetch_project_scores(context) -> int:
    """Fetch and store the scorecard of every package with a repository; return the count.

    A package whose scorecard cannot be fetched becomes a warning message; the others go on.
    """
    base_url, options = fetch_settings()
    with session_scope() as session:
        rows = session.exec(
            select(DiscoveredPackage.id, *(getattr(DiscoveredPackage, f) for f in URL_FIELDS))
            .where(DiscoveredPackage.project_id == context.project_id)
            .order_by(DiscoveredPackage.id)
        ).all()
    stored = 0
    for row in rows:
        repo = next(filter(None, (repository(url) for url in row[1:])), None)
        if repo is None:
            continue
        try:
            score = fetch_scorecard(base_url, repo, options)
        except FetchError as error:
            context.add_message(f"No scorecard for {repo.platform}/{repo.org}/{repo.repo}: "
                                f"{error}", severity="warning", model=context.pipeline_name)
            continue
        with session_scope() as session:
            package = session.get(DiscoveredPackage, row[0])
            package.extra_data = {**(package.extra_data or {}), "scorecard": score}
            session.add(package)
        stored += 1
    context.log(f"Stored the scorecard of {stored} of {len(rows)} package(s)")
    return stored


def fetch_settings() -> tuple[str, FetchOptions]:
    """Return the Scorecard API base URL and the download options."""
    return get_settings().scorecard_url, fetch_options()


def project_alert(project_id: int) -> str | None:
    """Return the worst scorecard alert of the project's packages; None without thresholds.

    None too when no package has a score. Raise PolicyError on invalid policies.
    """
    with session_scope() as session:
        project = session.get(Project, project_id)
        policies = project_policies(project)
        if not policies or not policies.scorecard_score_thresholds:
            return None
        extras = session.exec(
            select(DiscoveredPackage.extra_data).where(DiscoveredPackage.project_id == project_id)
        ).all()
    alerts = []
    for extra in extras:
        scorecard = extra.get("scorecard") if isinstance(extra, dict) else None
        if isinstance(scorecard, dict) and "score" in scorecard:
            alerts.append(score_alert(policies.scorecard_score_thresholds, scorecard["score"]))
    return worst(alerts) if alerts else None


def evaluate_alert(project_id: int) -> str | None:
    """Store the worst scorecard alert in the project's ``extra_data``, as ScanCode.io; return it.

    Nothing is stored when there is no alert (no thresholds, no score).
    """
    alert = project_alert(project_id)
    if alert is not None:
        with session_scope() as session:
            project = session.get(Project, project_id)
            project.extra_data = {**(project.extra_data or {}), ALERT_KEY: alert}
            session.add(project)
    return alert
