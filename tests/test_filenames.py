"""Input file names: sanitized, extension kept, unique in their folder."""

import pytest

from scanapp.filenames import safe_filename, split_extension, unique_target


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("C:\\Users\\me\\pkg.zip", "pkg.zip"),
        ("../../x/../evil name.txt", "evil_name.txt"),
        ("", "upload"),
        ("...", "upload"),
        ("ünï.whl", "n_.whl"),
        ("y" * 250 + ".tar.bz2", "y" * 192 + ".tar.bz2"),
        ("z" * 250, "z" * 200),
    ],
)
def test_safe_filename(sent, stored):
    assert safe_filename(sent) == stored


def test_split_extension_keeps_tar_pairs():
    assert split_extension("requests-2.32.3.tar.gz") == ("requests-2.32.3", ".tar.gz")
    assert split_extension("pkg-1.0.whl") == ("pkg-1.0", ".whl")
    assert split_extension("README") == ("README", "")


def test_unique_target_suffixes_the_stem(tmp_path):
    (tmp_path / "a-1.0.tar.gz").write_text("x")
    (tmp_path / "a-1.0_1.tar.gz").write_text("x")
    assert unique_target(tmp_path, "a-1.0.tar.gz").name == "a-1.0_2.tar.gz"
    assert unique_target(tmp_path, "new.zip").name == "new.zip"
