"""Organizations, their members' roles and invitations through the API, as four users.

alice creates ``acme`` (its owner), invites bob as admin and carol as member by e-mail; they
accept; dave is an outsider. Who may do what follows the roles; an outsider gets 404s.
"""

from __future__ import annotations

import pytest

from scanapp.services.users import create_user as new_user

# The rules are the services' (SQLite by default); the tests that store most run on both.
both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def keys(settings):
    return {"alice": new_user("alice"), "bob": new_user("bob"),
            "carol": new_user("carol", email="carol@example.com"), "dave": new_user("dave")}


@pytest.fixture
def acme(call):
    made = call("post", "alice", "/organizations/", json={
        "name": "acme", "description": "Acme Corp.", "billing_email": "billing@acme.test"})
    assert made.status_code == 201, made.json
    for who, body in (("bob", {"username": "bob", "role": "admin"}),
                      ("carol", {"email": "carol@example.com"})):
        invited = call("post", "alice", "/organizations/acme/invitations/", json=body)
        assert invited.status_code == 201, invited.json
        assert call("post", who, "/user/invites/acme").status_code == 200
    return made.json


def roles(call, who="alice") -> dict:
    response = call("get", who, "/organizations/acme/members/")
    assert response.status_code == 200, response.json
    return {member["username"]: member["role"] for member in response.json}


def test_the_creator_owns_it_and_the_name_is_checked(call, acme):
    assert acme["role"] == "owner" and acme["name"] == "acme"
    assert [item["name"] for item in call("get", "alice", "/organizations/").json] == ["acme"]
    assert call("post", "bob", "/organizations/", json={"name": "acme"}).status_code == 400
    for bad in ("Acme", "1acme", "ac--me", "acme-", "a"):
        response = call("post", "alice", "/organizations/", json={"name": bad})
        assert response.status_code == 400 and "name" in response.json["errors"], bad
    assert [item["name"] for item in call("get", "alice", "/organizations/").json] == ["acme"]
    assert call("get", "", "/organizations/").status_code == 401  # a key is always needed


@both_databases
def test_members_joined_only_by_accepting(call, acme):
    assert roles(call) == {"alice": "owner", "bob": "admin", "carol": "member"}
    assert call("get", "carol", "/organizations/acme/").json["role"] == "member"
    invited = call("post", "bob", "/organizations/acme/invitations/", json={"username": "dave"})
    assert invited.status_code == 201
    assert "dave" not in roles(call)  # invited is not a member
    assert [item["organization"] for item in call("get", "dave", "/user/invites").json] == [
        "acme"]
    assert call("delete", "dave", "/user/invites/acme").status_code == 204  # declined
    assert call("get", "dave", "/user/invites").json == []
    assert "dave" not in roles(call)
    assert call("post", "dave", "/user/invites/acme").status_code == 404
    # Changing the role of someone who is not a member asks to invite them.
    response = call("post", "alice", "/organizations/acme/members/",
                    json={"username": "dave", "role": "member"})
    assert response.status_code == 400 and "invite them" in response.json["message"]


def test_an_outsider_sees_nothing(call, acme):
    for method, path in (("get", "/organizations/acme/"), ("get", "/organizations/acme/members/"),
                         ("patch", "/organizations/acme/"), ("delete", "/organizations/acme/"),
                         ("get", "/organizations/acme/invitations/")):
        kwargs = {"json": {"description": "x"}} if method == "patch" else {}
        response = call(method, "dave", path, **kwargs)
        assert response.status_code == 404, (method, path, response.json)
    assert call("get", "dave", "/organizations/").json == []


def test_what_each_role_may_do(call, acme):
    update = {"json": {"website": "https://acme.test"}}
    assert call("patch", "carol", "/organizations/acme/", **update).status_code == 403
    assert call("patch", "bob", "/organizations/acme/", **update).json["website"] == (
        "https://acme.test")
    assert call("get", "carol", "/organizations/acme/invitations/").status_code == 403
    assert call("post", "carol", "/organizations/acme/invitations/",
                json={"username": "dave"}).status_code == 403
    # An admin cannot make owners, invite one, or remove one; an owner can.
    owner = {"username": "carol", "role": "owner"}
    assert call("post", "bob", "/organizations/acme/members/", json=owner).status_code == 403
    assert call("post", "bob", "/organizations/acme/invitations/",
                json={"username": "dave", "role": "owner"}).status_code == 403
    assert call("delete", "bob", "/organizations/acme/members/alice/").status_code == 403
    assert call("delete", "bob", "/organizations/acme/").status_code == 403
    assert call("post", "alice", "/organizations/acme/members/", json=owner).status_code == 200
    assert roles(call)["carol"] == "owner"
    # An admin removes a member; anyone leaves.
    call("post", "alice", "/organizations/acme/members/",
         json={"username": "carol", "role": "member"})
    assert call("delete", "bob", "/organizations/acme/members/carol/").status_code == 204
    assert call("delete", "bob", "/organizations/acme/members/bob/").status_code == 204
    assert roles(call) == {"alice": "owner"}
    assert call("get", "bob", "/organizations/acme/").status_code == 404


@both_databases
def test_the_last_owner_stays(call, acme):
    demote = call("post", "alice", "/organizations/acme/members/",
                  json={"username": "alice", "role": "admin"})
    assert demote.status_code == 400 and "last owner" in demote.json["message"]
    leave = call("delete", "alice", "/organizations/acme/members/alice/")
    assert leave.status_code == 400 and "last owner" in leave.json["message"]
    call("post", "alice", "/organizations/acme/members/",
         json={"username": "bob", "role": "owner"})
    assert call("delete", "alice", "/organizations/acme/members/alice/").status_code == 204
    assert roles(call, "bob") == {"bob": "owner", "carol": "member"}


def test_invitations_are_listed_and_withdrawn(call, acme):
    made = call("post", "bob", "/organizations/acme/invitations/",
                json={"email": "dave@example.com", "role": "admin"}).json
    assert (made["invitee"], made["role"], made["invited_by"]) == (
        "dave@example.com", "admin", "bob")
    listed = call("get", "bob", "/organizations/acme/invitations/").json
    assert [item["invitee"] for item in listed] == ["dave@example.com"]
    path = f"/organizations/acme/invitations/{made['uuid']}/"
    assert call("delete", "carol", path).status_code == 403
    assert call("delete", "bob", path).status_code == 204
    assert call("delete", "bob", path).status_code == 404
    already = call("post", "bob", "/organizations/acme/invitations/", json={"username": "carol"})
    assert already.status_code == 400 and "already a member" in already.json["message"]
    for body in ({}, {"username": "x", "email": "x@example.com"}, {"email": "not-an-address"}):
        response = call("post", "bob", "/organizations/acme/invitations/", json=body)
        assert response.status_code == 400, body
    assert call("get", "bob", "/organizations/acme/invitations/").json == []  # nothing stored


def test_only_an_owner_deletes_it(call, acme):
    assert call("delete", "alice", "/organizations/acme/").status_code == 204
    assert call("get", "bob", "/organizations/").json == []
    assert call("get", "alice", "/organizations/acme/").status_code == 404
