"""Every route of /api/openapi.json called by every kind of caller, authentication on and off.

The world: ``acme`` (alice owner, bob admin, carol and erin members) holds the projects
``app`` (its run not started, a file, a summary) and ``busy`` (its run running); ``beta`` has
the same members, no project, and invitations waiting for dave, frank and root. On both
projects erin is blocked and frank, outside acme, is admin; root is a server administrator;
carol also has a read-scoped token and an expired one; a command-line login waits for
approval and another one carol approved waits for its exchange. Before each call the world is
restored (the database file, the work directories, the queue); after a refused call nothing
stored may differ from it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from scanapp import db
from scanapp.models import DeviceAuthorization, Run, UserToken, utcnow
from scanapp.services import device_logins, organizations, project_permissions, projects, users
from scanapp.services.projects import ProjectRequest
from scanapp.workdir import workdir_for
from tests.conftest import override
from tests.factories import make_dependency, make_package, make_resource

CALLERS = ("", "alice", "bob", "carol", "dave", "erin", "frank", "root", "carol-read",
           "carol-expired")
#: Roles in acme and beta.
ORG_ROLES = {"alice": "owner", "bob": "admin", "carol": "member", "erin": "member"}
#: Roles on app and busy (erin: blocked; dave: none).
PROJECT_ROLES = {"alice": "admin", "bob": "admin", "carol": "member", "frank": "admin",
                 "root": "admin"}
INVITED_TO_BETA = ("dave", "frank", "root")
RANKS = ("member", "admin", "owner")


@dataclass(frozen=True)
class Route:
    """A call and what it needs.

    ``open`` (never a key), ``key`` (a key in both modes), ``any`` (a key where
    authentication is on), ``project:ROLE``, ``org:ROLE``, ``invitee`` (of beta),
    ``self:NAME`` (that user or a server administrator), ``server`` (a server administrator).
    """

    method: str
    path: str
    need: str
    ok: int
    body: object = None
    query: str = ""
    #: Callers whose answer is not what the rule gives where a key is needed (the reason in
    #: a comment).
    exceptions: dict = field(default_factory=dict)


P = "/api/projects/{app}"
#: The login carol approved in the world (a login waiting for approval is ``{login}``).
EXCHANGE_TOKEN, VERIFIER = "world-exchange-token", "v" * 43
TODAY = date.today()
DAYS = f"?start_date={TODAY}&end_date={TODAY + timedelta(days=1)}"
ROUTES = [
    Route("GET", "/api/", "any", 200),
    Route("GET", "/api/docs/", "open", 200),
    Route("GET", "/api/openapi.json", "open", 200),
    Route("GET", "/api/health/", "open", 200),
    Route("GET", "/api/ready/", "open", 200),
    Route("GET", "/api/pipelines/", "any", 200),
    Route("GET", "/api/projects/pipelines/", "any", 200),
    Route("GET", "/api/projects/", "any", 200),
    Route("POST", "/api/projects/", "any", 201, {"name": "new-project"}),
    Route("GET", "/api/projects/report/", "any", 200, query="?model=package"),
    Route("GET", f"{P}/", "project:member", 200),
    Route("DELETE", f"{P}/", "project:admin", 204),
    Route("POST", f"{P}/add_input/", "project:member", 201,
          {"input_urls": ["https://example.com/more.zip"]}),
    Route("POST", f"{P}/add_pipeline/", "project:member", 201, {"pipeline": "do_nothing"}),
    Route("POST", f"{P}/add_webhook/", "project:member", 201,
          {"target_url": "https://example.com/hook"}),
    Route("POST", f"{P}/archive/", "project:admin", 200, {}),
    Route("POST", f"{P}/reset/", "project:admin", 200, {}),
    Route("GET", f"{P}/errors/", "project:member", 200),
    Route("GET", f"{P}/messages/", "project:member", 200),
    Route("GET", f"{P}/packages/", "project:member", 200),
    Route("GET", f"{P}/resources/", "project:member", 200),
    Route("GET", f"{P}/dependencies/", "project:member", 200),
    Route("GET", f"{P}/relations/", "project:member", 200),
    Route("GET", f"{P}/file_content/", "project:member", 200, query="?path=README"),
    Route("GET", f"{P}/file_download/", "project:member", 200, query="?path=README"),
    Route("GET", f"{P}/compliance/", "project:member", 200),
    Route("GET", f"{P}/license_clarity_compliance/", "project:member", 200),
    Route("GET", f"{P}/scorecard_compliance/", "project:member", 200),
    Route("GET", f"{P}/results/", "project:member", 200),
    Route("GET", f"{P}/results_download/", "project:member", 200, query="?output_format=json"),
    Route("GET", f"{P}/outputs/", "project:member", 200),
    Route("GET", f"{P}/summary/", "project:member", 200),
    Route("GET", f"{P}/vulnerabilities/", "project:member", 200),
    Route("GET", f"{P}/webhooks/", "project:member", 200),
    Route("GET", f"{P}/permissions/", "project:admin", 200),
    Route("POST", f"{P}/permissions/", "project:admin", 200,
          [{"user_query": "dave", "permission_level": "member"}]),
    Route("POST", f"{P}/move/", "project:admin", 200, {"organization": "beta"},
          exceptions={"frank": 400}),  # an admin of the project, not a member of beta
    Route("GET", "/api/runs/{app_run}/", "project:member", 200),
    Route("POST", "/api/runs/{app_run}/start_pipeline/", "project:member", 200),
    Route("POST", "/api/runs/{busy_run}/stop_pipeline/", "project:member", 200),
    Route("POST", "/api/runs/{app_run}/delete_pipeline/", "project:member", 200),
    Route("GET", "/api/user", "key", 200),
    Route("GET", "/api/users/alice", "any", 200),
    Route("GET", "/api/user/tokens/", "key", 200),
    Route("POST", "/api/user/tokens/", "key", 201, {"name": "another"}),
    Route("DELETE", "/api/user/tokens/{spare}/", "key", 204),
    Route("GET", "/api/user/invites", "key", 200),
    Route("POST", "/api/user/invites/beta", "invitee", 200),
    Route("DELETE", "/api/user/invites/beta", "invitee", 204),
    Route("GET", "/api/organizations/", "key", 200),
    Route("POST", "/api/organizations/", "key", 201, {"name": "new-org"}),
    Route("GET", "/api/organizations/beta/", "org:member", 200),
    Route("PATCH", "/api/organizations/beta/", "org:admin", 200, {"website": "https://b.test"}),
    Route("DELETE", "/api/organizations/beta/", "org:owner", 204),
    Route("GET", "/api/organizations/beta/members/", "org:member", 200),
    Route("POST", "/api/organizations/beta/members/", "org:admin", 200,
          {"username": "erin", "role": "admin"}),
    Route("DELETE", "/api/organizations/beta/members/erin/", "org:admin", 204,
          exceptions={"erin": 204}),  # a member may leave
    Route("GET", "/api/organizations/beta/invitations/", "org:admin", 200),
    Route("POST", "/api/organizations/beta/invitations/", "org:admin", 201,
          {"email": "guest@example.com"}),
    Route("DELETE", "/api/organizations/beta/invitations/{invitation}/", "org:admin", 204),
    # A server administrator audits any organization (and manages none).
    Route("GET", "/api/organizations/beta/events/x.csv", "org:admin", 200, query=DAYS,
          exceptions={"root": 200}),
    Route("GET", "/api/organizations/beta/aggregates", "org:admin", 200, query=DAYS,
          exceptions={"root": 200}),
    Route("GET", f"{P}/events/x.csv", "project:admin", 200, query=DAYS),
    Route("GET", f"{P}/aggregates", "project:admin", 200, query=DAYS),
    Route("GET", "/api/users/alice/aggregates", "self:alice", 200, query=DAYS),
    Route("GET", "/api/events/x.csv", "server", 200, query=DAYS),
    Route("GET", f"{P}/compare/", "project:member", 200, query="?with=busy"),
    # app holds pkg:pypi/example, a dependency names it: seen by who sees app.
    Route("GET", "/api/packages/", "any", 200),
    Route("GET", "/api/packages/pypi/example/", "project:member", 200),
    Route("GET", "/api/packages/pypi/example/versions/1.0/", "project:member", 200),
    Route("GET", "/api/packages/pypi/example/dependents/", "any", 200),
    Route("GET", "/api/stats/", "any", 200),
    Route("POST", "/api/authorizations", "open", 200, {"challenge": "c" * 43}),
    Route("GET", "/api/authorizations/details/{login}", "key", 200),
    Route("POST", "/api/authorizations/approve/{login}", "key", 204),
    Route("POST", "/api/authorizations/deny/{login}", "key", 204),
    Route("POST", "/api/authorizations/exchange", "open", 200,
          {"exchange_token": EXCHANGE_TOKEN, "verifier": VERIFIER}),
]


def expected(route: Route, who: str, auth_on: bool) -> int:
    """The status ``who`` gets: the rules of docs/teams.md, written out again here."""
    user = who.removesuffix("-read").removesuffix("-expired")
    kind, _, role = route.need.partition(":")
    needs_key = kind in ("key", "org", "invitee", "self", "server") or (
        auth_on and kind != "open")
    if not needs_key:
        return route.ok  # a key sent is read, never refused, nor its scope
    if who in route.exceptions:
        return route.exceptions[who]
    if who in ("", "carol-expired"):
        return 401
    if who == "carol-read" and route.method != "GET":
        return 403
    return _for_user(route, kind, role, user)


def _for_user(route: Route, kind: str, role: str, user: str) -> int:
    """The status a user with a valid key gets."""
    if kind == "invitee":
        return route.ok if user in INVITED_TO_BETA else 404
    if kind == "self":
        return route.ok if user in (role, "root") else 404
    if kind == "server":
        return route.ok if user == "root" else 403
    if kind not in ("project", "org"):
        return route.ok
    have = (PROJECT_ROLES if kind == "project" else ORG_ROLES).get(user)
    if have is None:
        return 404
    return route.ok if RANKS.index(have) >= RANKS.index(role) else 403


def build_world() -> dict:
    """Store the world of the module docstring; return the keys and the path values."""
    keys = {name: users.create_user(name, email=f"{name}@example.com")
            for name in ("alice", "bob", "carol", "dave", "erin", "frank")}
    keys["root"] = users.create_user("root", is_admin=True)
    ids = {name: users.user_by_name(name).id for name in keys}
    values = {}
    for name in keys:
        token, _ = users.create_token(ids[name], "spare")
        values[f"spare:{name}"] = token.uuid
    _, keys["carol-read"] = users.create_token(ids["carol"], "read", scope="read")
    expired, keys["carol-expired"] = users.create_token(ids["carol"], "old", expires_in_days=1)
    with db.session_scope() as session:
        session.get(UserToken, expired.id).expires_date = utcnow() - timedelta(days=1)
    for org in ("acme", "beta"):
        organizations.create_organization(ids["alice"], {"name": org})
        for name, role in ORG_ROLES.items():
            if role != "owner":
                organizations.invite(ids["alice"], org, name, role, "alice")
                organizations.accept_invitation(ids[name], org)
    for name in INVITED_TO_BETA:
        organizations.invite(ids["alice"], "beta", name, "member", "alice")
    values["invitation"] = organizations.list_invitations(ids["alice"], "beta")[0].uuid
    carol = users.authenticate(keys["carol"])
    values["login"] = device_logins.start("c" * 43, "write", "cli", None, "", "")[0].code
    approved = device_logins.start(device_logins.challenge_of(VERIFIER), "write", "cli", None,
                                   "", "")[0]
    with db.session_scope() as session:
        session.get(DeviceAuthorization, approved.id).exchange_hash = users.hash_key(
            EXCHANGE_TOKEN)
    device_logins.decide(carol, approved.code, approve=True)
    for name in ("app", "busy"):
        project = projects.create_project(ProjectRequest(
            name=name, organization="acme", pipelines=["do_nothing"], caller=carol))
        project_permissions.set_permissions(project.uuid, [
            {"user_query": "erin", "permission_level": "blocked"},
            {"user_query": "frank", "permission_level": "admin"}], carol)
        values[name] = project.uuid
        with db.session_scope() as session:
            run = session.exec(sa.select(Run).where(Run.project_id == project.id)).scalar_one()
            values[f"{name}_run"] = run.uuid
            if name == "busy":
                run.status, run.task_start_date = "running", utcnow()
        if name == "app":
            make_resource(project, "README", type="file")
            make_package(project, "pkg:pypi/example@1.0")
            make_dependency(project, "pkg:pypi/example", type="pypi", name="example")
            workdir = workdir_for(project.slug)
            (workdir.codebase / "README").write_text("hello\n")
            workdir.summary_file.write_text('{"declared_license_expression": "mit"}')
    return {"keys": keys, "values": values}


def snapshot() -> dict:
    """Every stored row and file but what records the call itself.

    A token's last use is written by authenticating, and an audit event by a refused
    authentication.
    """
    rows = {}
    with db.get_engine().connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "auditevent":
                continue
            columns = [column for column in table.columns if column.name != "last_used_date"]
            rows[table.name] = connection.execute(
                sa.select(*columns).order_by(*table.primary_key.columns)).all()
    return rows


class World:
    """The stored world, its copy, and the calls made in it."""

    def __init__(self, settings, client, redis_url):
        import redis

        self.settings, self.client = settings, client
        self.redis = redis.Redis.from_url(redis_url)
        built = build_world()
        self.keys, self.values = built["keys"], built["values"]
        db.dispose_engines()
        self.copy = settings.workdirs.parent / "world"
        shutil.copytree(settings.workdirs, self.copy)
        self.rows, self.files = self.copied = snapshot(), self._files()
        self.dirty = self.read_since_baseline = False

    def _files(self) -> list:
        return sorted(str(path.relative_to(self.settings.workdirs))
                      for path in self.settings.workdirs.rglob("*") if "scanapp.sqlite3" not in
                      path.name and "reports" not in path.parts)

    def restore(self) -> None:
        db.dispose_engines()
        shutil.rmtree(self.settings.workdirs)
        shutil.copytree(self.copy, self.settings.workdirs)
        self.rows, self.files = self.copied
        for key in self.redis.keys("*"):
            if key != b"scanapp-test-claim":
                self.redis.delete(key)

    def call(self, route: Route, who: str):
        if self.dirty:
            self.restore()
        user = who.removesuffix("-read").removesuffix("-expired") or "alice"
        path = route.path.replace("{spare}", self.values[f"spare:{user}"])
        for name, value in self.values.items():
            path = path.replace("{" + name + "}", value)
        headers = {"Authorization": f"Bearer {self.keys[who]}"} if who else {}
        response = self.client.open(path + route.query, method=route.method, headers=headers,
                                    json=route.body)
        response.get_data()  # a streamed body read and closed before the world is restored
        response.close()
        # A read changes nothing a later call's status depends on: the world is copied back
        # only after a write (a copy per call was most of this test's time). It may store
        # what it computed (a project's counts): the next refusal is compared with the world
        # as it is then.
        if route.method in ("GET", "HEAD"):
            self.read_since_baseline = True
        else:
            self.dirty = True
        return response

    def baseline(self) -> None:
        """Take the world as it is as what a refused call must leave unchanged."""
        if self.dirty:
            self.restore()
            self.dirty = False
        elif self.read_since_baseline:
            db.dispose_engines()
            self.rows, self.files = snapshot(), self._files()
        self.read_since_baseline = False

    def unchanged(self) -> bool:
        db.dispose_engines()
        return snapshot() == self.rows and self._files() == self.files


def _spec_routes(client) -> set[tuple[str, str]]:
    spec = client.get("/api/openapi.json").json
    return {(method.upper(), path) for path, operations in spec["paths"].items()
            for method in operations if method != "parameters"}


def _template(path: str) -> str:
    """``/api/projects/{app}/`` -> ``/api/projects/{uuid}/``, as the OpenAPI document names it."""
    for name, generic in (("{app}", "{uuid}"), ("{app_run}", "{uuid}"), ("{busy_run}", "{uuid}"),
                          ("{spare}", "{token_uuid}"), ("{invitation}", "{invitation_uuid}"),
                          ("/beta", "/{name}"), ("/erin/", "/{username}/"),
                          ("/x.csv", "/{filename}.csv"), ("{login}", "{code}"),
                          ("/packages/pypi/example/", "/packages/{type}/{name}/"),
                          ("/versions/1.0/", "/versions/{version}/"),
                          ("/users/alice", "/users/{username}")):
        path = path.replace(name, generic)
    return path


def test_the_matrix_names_every_route_of_the_openapi_document(client):
    covered = {(route.method, _template(route.path)) for route in ROUTES}
    missing = _spec_routes(client) - covered
    assert sorted(missing) == [], "routes missing from the permission matrix"


@pytest.mark.parametrize("auth_on", [True, False], ids=["authentication-on", "authentication-off"])
def test_every_caller_gets_the_expected_status_on_every_route(settings, client, redis_url,
                                                               auth_on):
    override(require_authentication=auth_on)
    world = World(settings, client, redis_url)
    wrong, changed = [], []
    for route in ROUTES:
        for who in CALLERS:
            want = expected(route, who, auth_on)
            refused = want in (401, 403, 404) and route.ok not in (401, 403, 404)
            if refused:
                world.baseline()
            response = world.call(route, who)
            if response.status_code != want:
                wrong.append(f"{route.method} {route.path} as {who or 'anonymous'}: "
                             f"{response.status_code} (expected {want}) {response.data[:120]!r}")
            elif refused:
                if not world.unchanged():
                    changed.append(f"{route.method} {route.path} as {who or 'anonymous'}")
                world.dirty = False
    assert (wrong, changed) == ([], [])
