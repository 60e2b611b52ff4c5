"""Organizations, members, invitations and tokens on the pages: what the API then answers."""

from __future__ import annotations

import re

import pytest

from scanapp.services import organizations
from scanapp.services.users import create_token, user_by_name
from tests.conftest import override
from tests.web.conftest import csrf_of, post, sign_in, text


def api(client, key: str, path: str):
    return client.get(f"/api{path}", headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def acme(users):
    """acme: alice owns it, bob is an admin; carol is invited as member, by e-mail."""
    alice, bob = user_by_name("alice").id, user_by_name("bob").id
    organizations.create_organization(alice, {"name": "acme", "description": "Acme Corp."})
    organizations.invite(alice, "acme", "bob", "admin", "alice")
    organizations.accept_invitation(bob, "acme")
    organizations.invite(alice, "acme", "carol@example.com", "member", "alice")
    return "acme"


def members(client, key: str) -> dict:
    return {item["username"]: item["role"]
            for item in api(client, key, "/organizations/acme/members/").json}


def test_the_list_shows_roles_invitations_and_rights(as_user, acme):
    client, _ = as_user("alice")
    html = text(client.get("/organizations/"))
    assert 'href="/organizations/acme/"' in html and "<td>owner</td>" in html
    assert "Delete the organization" in html and "What each role may do" in html
    carol, _ = as_user("carol")
    html = text(carol.get("/organizations/"))
    assert "Invitations waiting for you" in html and "/invitations/acme/accept" in html
    assert "You are a member of no organization yet." in html


def test_an_organization_page_members_invitations_rights(as_user, acme):
    client, _ = as_user("alice")
    page = client.get("/organizations/acme/")
    assert page.status_code == 200
    html = text(page)
    assert "Acme Corp." in html and "alice" in html and "bob" in html
    assert "carol@example.com" in html and "/withdraw" in html  # pending, for admins
    assert 'aria-current="true">owner' in html
    bob, _ = as_user("bob")
    assert "carol@example.com" in text(bob.get("/organizations/acme/"))


def test_an_organization_of_others_answers_404(as_user, acme):
    client, token = as_user("carol")  # invited, not a member yet
    assert client.get("/organizations/acme/").status_code == 404
    assert post(client, "/organizations/acme/members", token,
                username="bob", role="member").status_code == 404
    assert post(client, "/organizations/acme/invitations", token,
                invitee="dave").status_code == 404
    assert client.get("/organizations/nothing/").status_code == 404


def test_create_then_refusals_shown_on_the_page(as_user, users):
    client, token = as_user("alice")
    made = post(client, "/organizations/", token, name="beta", description="Beta team")
    assert made.status_code == 303 and made.headers["Location"].endswith("/organizations/beta/")
    found = api(client, users["alice"], "/organizations/beta/").json
    assert found["role"] == "owner" and found["description"] == "Beta team"
    bad = post(client, "/organizations/", token, name="Bad Name")
    assert bad.status_code == 303
    assert "Use lowercase letters" in text(client.get(bad.headers["Location"]))


def test_roles_change_and_members_go(as_user, users, acme):
    client, token = as_user("alice")
    changed = post(client, "/organizations/acme/members", token, username="bob", role="owner")
    assert changed.status_code == 303
    assert members(client, users["alice"]) == {"alice": "owner", "bob": "owner"}
    removed = post(client, "/organizations/acme/members/bob/remove", token)
    assert removed.status_code == 303
    assert members(client, users["alice"]) == {"alice": "owner"}
    # the last owner stays one: the refusal is a message, nothing changes
    refused = post(client, "/organizations/acme/members", token, username="alice", role="member")
    assert "The last owner cannot be demoted" in text(client.get(refused.headers["Location"]))
    assert members(client, users["alice"]) == {"alice": "owner"}


def test_an_admin_may_not_make_owners(as_user, users, acme):
    client, token = as_user("bob")
    refused = post(client, "/organizations/acme/members", token, username="alice",
                   role="admin")
    assert "Only an owner" in text(client.get(refused.headers["Location"]))
    assert members(client, users["bob"])["alice"] == "owner"


def test_invite_accept_decline_withdraw(as_user, users, acme):
    alice, token = as_user("alice")
    assert post(alice, "/organizations/acme/invitations", token, invitee="dave",
                role="admin").status_code == 303
    pending = api(alice, users["alice"], "/organizations/acme/invitations/").json
    assert {item["invitee"]: item["role"] for item in pending} == {
        "carol@example.com": "member", "dave": "admin"}
    dave = next(item["uuid"] for item in pending if item["invitee"] == "dave")
    assert post(alice, f"/organizations/acme/invitations/{dave}/withdraw",
                token).status_code == 303
    assert [item["invitee"] for item in api(
        alice, users["alice"], "/organizations/acme/invitations/").json] == ["carol@example.com"]
    carol, carol_token = as_user("carol")
    accepted = post(carol, "/invitations/acme/accept", carol_token)
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith("/acme/")
    assert members(alice, users["alice"])["carol"] == "member"
    assert api(carol, users["carol"], "/user/invites").json == []
    # a declined invitation ends, and nobody joins
    post(alice, "/organizations/", token, name="beta")
    post(alice, "/organizations/beta/invitations", token, invitee="carol")
    assert post(carol, "/invitations/beta/decline", carol_token).status_code == 303
    assert api(carol, users["carol"], "/user/invites").json == []
    assert "carol" not in {item["username"] for item in api(
        alice, users["alice"], "/organizations/beta/members/").json}


def test_leaving_goes_back_to_the_list(as_user, users, acme):
    bob, token = as_user("bob")
    left = post(bob, "/organizations/acme/members/bob/remove", token)
    assert left.status_code == 303 and left.headers["Location"].endswith("/organizations/")
    assert "bob" not in members(bob, users["alice"])


def test_tokens_listed_created_once_and_revoked(as_user, users):
    client, token = as_user("alice")
    html = text(client.get("/tokens/"))
    assert "default" in html and "(this session)" in html and users["alice"][:8] in html
    made = post(client, "/tokens/", token, name="ci", scope="read", expires_in_days="30")
    assert made.status_code == 201
    shown = text(made)
    key = re.search(r'<pre class="key">([0-9a-f]+)</pre>', shown).group(1)
    assert "copy it now" in shown and "copy it now" not in text(client.get("/tokens/"))
    app = client.application  # kept nowhere: not in the session either
    cookie = client.get_cookie("scanapp_session").value
    kept = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert key not in str(kept)
    listed = {item["name"]: item for item in api(client, users["alice"], "/user/tokens/").json}
    assert listed["ci"]["scope"] == "read" and listed["ci"]["expires_date"]
    assert listed["ci"]["prefix"] == key[:8]
    assert api(client, key, "/user").json["username"] == "alice"  # the key works
    again = post(client, "/tokens/", token, name="ci")
    assert "already have a token named" in text(client.get(again.headers["Location"]))
    revoked = post(client, f"/tokens/{listed['ci']['uuid']}/revoke", token)
    assert revoked.status_code == 303
    assert api(client, key, "/user").status_code == 401
    assert "ci" not in {item["name"] for item in api(client, users["alice"],
                                                     "/user/tokens/").json}
    bob, bob_token = as_user("bob")
    assert post(bob, f"/tokens/{listed['default']['uuid']}/revoke",
                bob_token).status_code == 404  # another's token


def test_forms_without_csrf_are_refused(as_user, users, acme):
    client, _ = as_user("alice")
    for path, data in (("/organizations/", {"name": "gamma"}),
                       ("/organizations/acme/members", {"username": "bob", "role": "member"}),
                       ("/organizations/acme/members/bob/remove", {}),
                       ("/organizations/acme/invitations", {"invitee": "dave"}),
                       ("/invitations/acme/accept", {}),
                       ("/tokens/", {"name": "nope"})):
        assert client.post(path, data=data).status_code == 400, path
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    assert members(client, users["alice"]) == {"alice": "owner", "bob": "admin"}
    assert "nope" not in {item["name"] for item in api(client, users["alice"],
                                                       "/user/tokens/").json}
    for page in ("compliance", "vulnerabilities"):  # the read pages post nothing
        assert client.post(f"/projects/00000000-0000-0000-0000-000000000000/{page}",
                           data={}).status_code in (400, 405)


def test_nobody_signed_in_is_asked_to_sign_in(client, settings):
    for path in ("/organizations/", "/tokens/", "/organizations/acme/"):
        page = client.get(path)
        assert page.status_code == 200 and "Sign in first" in text(page)
        assert "/login?next=" in text(page)
    override(require_authentication=True)
    assert client.get("/organizations/").status_code == 302  # sent to /login


def test_a_read_token_posts_nothing(app, users):
    alice = user_by_name("alice").id
    _, key = create_token(alice, "reader", "read")
    client = app.test_client()
    token = sign_in(client, key)
    assert client.get("/organizations/").status_code == 200
    assert post(client, "/organizations/", token, name="delta").status_code == 403
    assert csrf_of(client) == token
