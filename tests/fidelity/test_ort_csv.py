"""The ORT package list and the CSV files of real scans, against ScanCode.io 38.2.0's.

scan_single_package of the requests 2.32.3 and click 8.1.8 sdists, under the policy of the
reference runs; the expected values were read once from what ScanCode.io 38.2.0 wrote for
the same sdists (``results.package-list.yml``, ``discoveredpackage.csv``,
``discovereddependency.csv``, ``codebaseresource.csv``, ``projectmessage.csv``), which are not
in the repository: digests are of those files with the ``?uuid=`` of each uid removed. The
only differences allowed are those of docs/fidelity.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile

import pytest
import yaml

from scanapp.services.outputs import write_output
from tests.reports.validators import ort_package_list_errors

#: input -> (the reference project's name, the sdist in tests/data)
INPUTS = {
    "requests": ("small_warm2", "requests-2.32.3.tar.gz"),
    "click": ("medium_click", "click-8.1.8.tar.gz"),
}
#: sha256 of ScanCode.io's results.package-list.yml (no uuid nor date in it).
ORT_SHA256 = {
    "requests": "ea05b8382fcdc9493cbb876d6e38f71a0cfd10c20c9d59bac214cfe82194ff41",
    "click": "24c15d0d555a7cc3d460fe374537a862cfbff67c92a1e032ab0c8bc11e01dd7f",
}
#: ScanCode.io's package list entry, less the description (its sha256 and length instead).
ORT_PACKAGES = {
    "requests": {
        "id": "pypi::requests:2.32.3", "purl": "pkg:pypi/requests@2.32.3",
        "vcs": {"type": None, "url": None, "revision": None, "path": None},
        "sourceArtifact": {"url": None}, "declaredLicenses": ["Apache-2.0"],
        "homepageUrl": "https://requests.readthedocs.io", "authors": ["Kenneth Reitz"],
    },
    "click": {
        "id": "pypi::click:8.1.8", "purl": "pkg:pypi/click@8.1.8",
        "vcs": {"type": None, "url": None, "revision": None, "path": None},
        "sourceArtifact": {"url": None}, "declaredLicenses": ["BSD-3-Clause"],
        "homepageUrl": None, "authors": [],
    },
}
ORT_DESCRIPTIONS = {
    "requests": ("917c6c22dd677899794b14c7b3ab285f171828bb64afe4d352ef31a02e420597", 2941),
    "click": ("e5307921c335f3e9fa30a00f3b47a5577e75ff857a61c570e7096a99856b8671", 1418),
}
#: ScanCode.io's CSV headers.
CSV_HEADERS = {
    "discoveredpackage.csv": (
        "purl,type,namespace,name,version,qualifiers,subpath,tag,primary_language,description,"
        "notes,release_date,parties,keywords,homepage_url,download_url,bug_tracking_url,"
        "code_view_url,vcs_url,repository_homepage_url,repository_download_url,api_data_url,"
        "size,md5,sha1,sha256,sha512,copyright,holder,declared_license_expression,"
        "declared_license_expression_spdx,license_detections,other_license_expression,"
        "other_license_expression_spdx,other_license_detections,extracted_license_statement,"
        "compliance_alert,notice_text,source_packages,extra_data,package_uid,is_private,"
        "is_virtual,datasource_ids,datafile_paths,file_references,missing_resources,"
        "modified_resources,affected_by_vulnerabilities"
    ),
    "discovereddependency.csv": (
        "purl,extracted_requirement,scope,is_runtime,is_optional,is_pinned,is_direct,"
        "dependency_uid,for_package_uid,resolved_to_package_uid,datafile_path,datasource_id,"
        "package_type,affected_by_vulnerabilities"
    ),
    "codebaseresource.csv": (
        "path,type,name,status,for_packages,tag,extension,size,mime_type,file_type,"
        "programming_language,detected_license_expression,detected_license_expression_spdx,"
        "license_detections,license_clues,percentage_of_license_text,compliance_alert,"
        "copyrights,holders,authors,package_data,emails,urls,md5,sha1,sha256,sha512,sha1_git,"
        "is_binary,is_text,is_archive,is_media,is_legal,is_manifest,is_readme,is_top_level,"
        "is_key_file,extra_data"
    ),
    "projectmessage.csv": "uuid,severity,description,model,details,traceback,created_date",
}
#: sha256 of ScanCode.io's CSV files, ``?uuid=<uuid>`` replaced by ``?uuid=``.
CSV_SHA256 = {
    "requests": {
        "discoveredpackage.csv":
            "f4ad824fe09d32bca4fe25fba4747bc9ebc31710b2ab880df351c1c084e59736",
        "discovereddependency.csv":
            "ed214282bb4b723867a0e848828d9e5a473e714a9f058624e48f777d885d392c",
        "codebaseresource.csv":
            "9b4c66cb4f3a06e7f40af5497ae3297a169504eb24f7c9c49ca8ecb360e8c430",
        "projectmessage.csv":
            "45e2fff8dfd456d39432edd5b3160592c1aec61a389928377e30aa295b1a6e3c",
    },
    "click": {
        "discoveredpackage.csv":
            "26158a15b9cd2690aab982e3d52fdf55947a0347146f965d02ec9c2c7e314299",
        "discovereddependency.csv":
            "1c0f49bc3b7a523b9feaa8783eefdb308853ebcd81c42826a7046cb796897abb",
        "codebaseresource.csv":
            "f74018ed4d999cd588f09497d018bc9054d94283dd4b837d8134cdb42b18c8a8",
        "projectmessage.csv":
            "45e2fff8dfd456d39432edd5b3160592c1aec61a389928377e30aa295b1a6e3c",
    },
}
_UUID = re.compile(r"\?uuid=[0-9a-f-]{36}")
SETUP_CFG = "requests-2.32.3/setup.cfg"


@pytest.fixture(scope="module", params=sorted(INPUTS))
def scanned(request, sdist_scans):
    return request.param, sdist_scans[request.param]


def test_ort_package_list_is_scancodeio_s(scanned):
    name, project = scanned
    content = write_output(project.uuid, "ort-package-list").read_bytes()
    document = yaml.safe_load(content)
    assert ort_package_list_errors(document) == []
    (package,) = document["dependencies"]
    description = package.pop("description")
    assert package == ORT_PACKAGES[name]
    digest = hashlib.sha256(description.encode()).hexdigest()
    assert (digest, len(description)) == ORT_DESCRIPTIONS[name]
    assert hashlib.sha256(content).hexdigest() == ORT_SHA256[name]  # byte for byte


def _allowed(name: str, member: str, rows: list[list[str]]) -> list[list[str]]:
    """Return ``rows`` with the differences of docs/fidelity.md set to ScanCode.io's values."""
    header, *body = rows
    column = {key: index for index, key in enumerate(header)}
    kept = [header]
    for row in body:
        if member == "discovereddependency.csv" and name == "requests" and row[
                column["datafile_path"]] == "requests-2.32.3/PKG-INFO":
            continue  # "An sdist's install requirements are its dependencies"
        if member == "codebaseresource.csv":
            if row[column["type"]] == "directory":  # "A directory has no size"
                assert (row[column["size"]], row[column["percentage_of_license_text"]]) == ("", "")
                row[column["size"]], row[column["percentage_of_license_text"]] = "0", "0.0"
            if row[0] == SETUP_CFG:  # "A reference resolved by the package step keeps..."
                assert row[column["detected_license_expression"]] == "apache-2.0"
                row[column["detected_license_expression"]] = "unknown-license-reference"
                row[column["detected_license_expression_spdx"]] = (
                    "LicenseRef-scancode-unknown-license-reference")
                row[column["compliance_alert"]] = "error"
        kept.append(row)
    return kept


def test_csv_files_are_scancodeio_s(scanned):
    name, project = scanned
    with zipfile.ZipFile(write_output(project.uuid, "csv")) as archive:
        contents = {member: archive.read(member).decode("utf-8") for member in archive.namelist()}
    assert list(contents) == list(CSV_HEADERS)
    for member, text in contents.items():
        assert text.split("\r\n", 1)[0] == CSV_HEADERS[member], member
        rows = _allowed(name, member, list(csv.reader(io.StringIO(text, newline=""))))
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        written = _UUID.sub("?uuid=", buffer.getvalue())
        assert hashlib.sha256(written.encode()).hexdigest() == CSV_SHA256[name][member], member
