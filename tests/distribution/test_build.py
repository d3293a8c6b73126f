"""``python -m build`` yields a wheel with the package's data and license, and an sdist the
test suite runs from.

The build runs offline: ``--no-isolation`` uses the ``build`` and ``hatchling`` of the test
environment (both in the ``test`` extra) instead of downloading a fresh backend.
"""

from __future__ import annotations

import ast
import email.parser
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Files the wheel must ship besides the modules: the typing marker, the vendored
#: contracts that the emulator and the webhook verifier load at run time, and the
#: emulator's dashboard.
PACKAGE_DATA = (
    "telnyx_video/py.typed",
    "telnyx_video/emulator/openapi.json",
    "telnyx_video/webhooks/events.json",
    "telnyx_video/emulator/ui/index.html",
    "telnyx_video/emulator/ui/dashboard.js",
    "telnyx_video/emulator/ui/dashboard.css",
    "telnyx_video/emulator/ui/favicon.svg",
)
#: What the test suite reads or imports outside ``tests/`` (found with grep over tests/):
#: examples/ (run as scripts), scripts/generate_sync.py (the sync facade's generator),
#: benchmarks/ (imported by the bench smoke tests), docs/ and mkdocs.yml (the docs build
#: and the snippet runner), pyproject.toml (mypy's configuration); README.md is the long
#: description pip needs to install from the sdist.
NEEDED_BY_TESTS = (
    "telnyx_video",
    "tests",
    "examples",
    "scripts",
    "benchmarks",
    "docs",
    "mkdocs.yml",
    "pyproject.toml",
    "README.md",
    "LICENSE",
)


def _project_files(entry: str) -> set[str]:
    """Files under ``entry`` in the checkout, caches and bytecode left out."""
    path = ROOT / entry
    if path.is_file():
        return {entry}
    return {
        file.relative_to(ROOT).as_posix()
        for file in path.rglob("*")
        if file.is_file()
        and file.suffix != ".pyc"
        and not any(
            part == "__pycache__" or part.startswith(".") for part in file.relative_to(ROOT).parts
        )
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _one(dist: Path, pattern: str) -> Path:
    (found,) = dist.glob(pattern)
    return found


def test_wheel_ships_the_package_data_and_the_license(dist: Path) -> None:
    wheel = _one(dist, "telnyx_video-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in PACKAGE_DATA:
            assert name in names, f"{name} missing from {wheel.name}"
            assert archive.read(name) == (ROOT / name).read_bytes()
        (license_name,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(license_name) == (ROOT / "LICENSE").read_bytes()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
    # The package and nothing else: no tests, docs or scripts inside site-packages.
    assert {name.split("/")[0] for name in names} == {"telnyx_video", license_name.split("/")[0]}
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    assert set(urls) >= {"Documentation", "Source", "Issues", "Changelog"}
    assert all(url.startswith(urls["Source"]) for url in urls.values()), urls


def test_sdist_carries_the_license_and_what_the_tests_need(dist: Path) -> None:
    sdist = _one(dist, "telnyx_video-*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
        top = members[0].split("/")[0]
        names = {name.removeprefix(f"{top}/") for name in members}
        member = archive.extractfile(f"{top}/LICENSE")
        assert member is not None
        assert member.read() == (ROOT / "LICENSE").read_bytes()
    missing = sorted(
        name for entry in NEEDED_BY_TESTS for name in _project_files(entry) if name not in names
    )
    assert missing == [], f"the sdist lacks files the tests use: {missing}"
    # Tests that build things from the tree find their inputs where they expect them.
    assert {"tests/conftest.py", "scripts/generate_sync.py", "mkdocs.yml"} <= names


def test_classifiers_name_exactly_the_python_versions_ci_runs() -> None:
    """CI (``.ci/run`` and ``noxfile.py``) runs one Python; the classifiers must not claim more."""
    noxfile = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    (ci_python,) = [
        node.value.value
        for node in noxfile.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["PYTHON"]
        and isinstance(node.value, ast.Constant)
    ]
    project = PYPROJECT["project"]
    versions = {
        match.group(1)
        for classifier in project["classifiers"]
        if (match := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", classifier))
    }
    assert versions == {ci_python}
    assert project["requires-python"] == f">={ci_python}"
