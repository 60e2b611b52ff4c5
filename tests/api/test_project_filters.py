"""The project list filters of ScanCode.io's API, and unknown parameters refused on every list."""

import pytest

from tests.conftest import override
from tests.factories import make_project

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def projects(settings):
    """Four projects: two labelled, one archived."""
    return {
        "alpha-audit": make_project("alpha-audit", labels=["Audit Team", "d2d"]),
        "beta": make_project("beta"),
        "Gamma-audit": make_project("Gamma-audit", labels=["d2d"], is_archived=True),
        "delta_50%": make_project("delta_50%"),
    }


def names(client, query: str) -> list[str]:
    response = client.get(f"/api/projects/?{query}")
    assert response.status_code == 200, response.json
    assert response.json["count"] == len(response.json["results"])
    return sorted(item["name"] for item in response.json["results"])


def test_names_with_one_two_and_no_matching_value(client, projects):
    assert names(client, "names=beta") == ["beta"]
    assert names(client, "names=alpha,beta") == ["alpha-audit", "beta"]
    assert names(client, "names= lph , Gamma, ") == ["Gamma-audit", "alpha-audit"]
    assert names(client, "names=nothing,nope") == []


def test_names_without_a_value_is_no_filter(client, projects):
    everything = sorted(projects)
    assert names(client, "names=") == everything
    assert names(client, "names=,%20,") == everything


def test_name_matches_are_case_sensitive_as_scancodeio_on_postgresql(client, projects):
    assert names(client, "names=ALPHA,gamma") == []
    assert names(client, "name__contains=AUDIT") == []
    assert names(client, "name__startswith=gamma") == []
    assert names(client, "name=Beta") == []


def test_name_filters(client, projects):
    assert names(client, "name=beta") == ["beta"]
    assert names(client, "name=bet") == []
    assert names(client, "name__contains=audit") == ["Gamma-audit", "alpha-audit"]
    assert names(client, "name__contains=_50%25") == ["delta_50%"]
    assert names(client, "name__contains=d_lta") == []  # no LIKE wildcards
    assert names(client, "name__contains=a%2550") == []
    assert names(client, "name__startswith=Gam") == ["Gamma-audit"]
    assert names(client, "name__endswith=-audit") == ["Gamma-audit", "alpha-audit"]
    assert names(client, "name__endswith=50%25") == ["delta_50%"]
    assert names(client, "name__endswith=longer-than-every-name") == []
    assert names(client, "name__startswith=alpha&name__endswith=audit") == ["alpha-audit"]


def test_uuid_is_archived_and_label(client, projects):
    uuid = projects["beta"].uuid
    assert names(client, f"uuid={uuid}") == ["beta"]
    assert names(client, f"uuid={uuid.replace('-', '').upper()}") == ["beta"]
    assert names(client, "is_archived=true") == ["Gamma-audit"]
    assert names(client, "is_archived=False") == ["alpha-audit", "beta", "delta_50%"]
    assert names(client, "label=d2d") == ["Gamma-audit", "alpha-audit"]
    assert names(client, "label=audit-team") == ["alpha-audit"]  # ScanCode.io filters by slug
    assert names(client, "label=Audit%20Team") == ["alpha-audit"]
    assert names(client, "label=audit") == []
    assert names(client, "label=d2d&label=audit-team") == ["alpha-audit"]


def test_blank_values_are_no_filter(client, projects):
    assert names(client, "name=&uuid=&is_archived=&label=&name__contains=") == sorted(projects)


def test_invalid_values_are_400_naming_the_parameter(client, projects):
    for query, field in (("uuid=nope", "uuid"), ("is_archived=maybe", "is_archived"),
                         ("page=0", "page")):
        response = client.get(f"/api/projects/?{query}")
        assert response.status_code == 400, query
        assert field in response.json["errors"], response.json


def test_pagination_parameters_still_work(client, projects):
    override(page_size=2)
    first = client.get("/api/projects/?page_size=50&format=json").json
    assert first["count"] == 4 and len(first["results"]) == 2
    assert "page_size=50" in first["next"] and "page=2" in first["next"]
    second = client.get(first["next"]).json
    assert len(second["results"]) == 2 and second["next"] is None
    assert client.get("/api/projects/?names=a&page=2").status_code == 200
    assert client.get("/api/projects/?page=3").status_code == 404


def test_report_takes_the_same_filters(client, projects):
    response = client.get("/api/projects/report/?model=package&names=alpha,beta")
    assert response.status_code == 200
    response.close()
    refused = client.get("/api/projects/report/?model=package&bogus=1")
    assert refused.status_code == 400 and "bogus" in refused.json["errors"]


LISTS = ("", "{uuid}/packages/", "{uuid}/resources/", "{uuid}/dependencies/", "{uuid}/messages/",
         "{uuid}/errors/", "{uuid}/relations/", "{uuid}/webhooks/")


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_parameter_is_a_400_naming_it(client, projects, path):
    url = "/api/projects/" + path.format(uuid=projects["beta"].uuid)
    response = client.get(f"{url}?no_such_filter=1&page=1")
    assert response.status_code == 400 and response.is_json
    assert list(response.json["errors"]) == ["no_such_filter"]
    assert response.json["message"].startswith("no_such_filter: Unknown query parameter.")
    assert "page" in response.json["message"]
    assert client.get(f"{url}?page=1&page_size=10&format=json").status_code == 200
