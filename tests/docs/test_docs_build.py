"""The documentation site builds with ``mkdocs build --strict``, and its API reference reads
well: every model field and enum member documented, formatted signatures, no private paths,
the same defaults on the async and sync pages."""

from __future__ import annotations

import ast
import enum
import html
import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest
import yaml

from telnyx_video import models

ROOT = Path(__file__).resolve().parents[2]
#: A Sphinx role, which mkdocstrings shows verbatim: write ``[`Name`][telnyx_video.Name]``.
SPHINX_ROLE = re.compile(r":(?:class|meth|func|attr|data|mod|exc|obj):`")
#: A private top-level module (``telnyx_video._transport``...): users never see where public
#: things happen to be implemented. ``_retry`` still holds ``RetryPolicy``.
PRIVATE_PATH = re.compile(r"telnyx_video\._(?!retry\b)\w+")
#: Where an object's documentation starts: its heading, whose id is its dotted path.
HEADING = re.compile(r'<h[1-6] id="([\w.]+)" class="doc doc-heading"')
SIGNATURE = re.compile(r'<div class="doc-signature highlight"><pre>(.*?)</pre>', re.S)


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _markdown_text(doc: str) -> str:
    """What a docstring's markdown shows as text: code marks and link targets dropped."""
    doc = re.sub(r"\[`?([^\]`]+)`?\]\[[^\]]*\]", r"\1", inspect.cleandoc(doc))
    return " ".join(doc.replace("``", "").replace("`", "").split())


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "WARNING" not in log, log
    return site


def _page(site: Path, name: str) -> str:
    return (site / "reference" / name / "index.html").read_text(encoding="utf-8")


def _sections(page: str) -> dict[str, str]:
    """Object path -> the HTML from its heading to the next object's heading."""
    marks = list(HEADING.finditer(page))
    ends = [m.start() for m in marks[1:]] + [len(page)]
    return {m.group(1): page[m.start() : end] for m, end in zip(marks, ends, strict=True)}


def _documented_attributes(cls: type) -> dict[str, tuple[str, str]]:
    """``name -> (annotation as written, docstring)`` of the class-body assignments followed by
    a string literal (attribute docstrings)."""
    (node,) = ast.parse(textwrap.dedent(inspect.getsource(cls))).body
    assert isinstance(node, ast.ClassDef)
    found: dict[str, tuple[str, str]] = {}
    for statement, following in zip(node.body, node.body[1:], strict=False):
        if isinstance(statement, ast.AnnAssign):
            target, annotation = statement.target, ast.unparse(statement.annotation)
        elif isinstance(statement, ast.Assign):
            target, annotation = statement.targets[0], ""
        else:
            continue
        if (
            isinstance(target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[target.id] = (annotation, following.value.value)
    return found


def test_mkdocs_build_strict(site: Path) -> None:
    # The API reference was generated from the docstrings.
    assert "AsyncVideoClient" in _page(site, "client")
    assert "generate_join_client_token" in _page(site, "resources")
    assert (site / "cli" / "index.html").is_file()
    assert (site / "install" / "index.html").is_file()
    pages = "".join(page.read_text(encoding="utf-8") for page in site.rglob("*.html"))
    assert SPHINX_ROLE.search(pages) is None, "a raw Sphinx role reached the rendered docs"


@pytest.mark.parametrize("name", models.__all__)
def test_every_model_shows_its_fields_and_every_enum_its_members(site: Path, name: str) -> None:
    sections = _sections(_page(site, "models"))
    path = f"telnyx_video.models.{name}"
    assert path in sections, f"{name} is missing from docs/reference/models.md"
    obj = getattr(models, name)
    if not isinstance(obj, type):  # a constant: its value is shown
        assert f"{name}={obj!r}" in _compact(_text(sections[path]))
        return
    documented = _documented_attributes(obj)
    if issubclass(obj, enum.Enum):
        shown = {member.name: f"{member.name}={member.value!r}" for member in obj}
    else:
        assert attrs.has(obj), f"{name}: a model is an attrs class"
        shown = {
            field.name: f"{field.name}:{documented[field.name][0]}"
            for field in attrs.fields(obj)
            if field.name in documented
        }
        undocumented = sorted(f.name for f in attrs.fields(obj) if f.name not in documented)
        assert undocumented == [], f"{name}: give these an attribute docstring: {undocumented}"
    assert set(shown) <= set(documented), f"{name}: undocumented {set(shown) - set(documented)}"
    for member, signature in shown.items():
        section = sections.get(f"{path}.{member}")
        assert section is not None, f"{name}.{member} is not rendered"
        text = _text(section)
        assert _compact(signature) in _compact(text), f"{name}.{member}: {text}"
        assert _markdown_text(documented[member][1]) in text, f"{name}.{member}: {text}"


def test_reference_shows_no_private_paths(site: Path) -> None:
    for page in sorted((site / "reference").glob("*/index.html")):
        found = sorted(set(PRIVATE_PATH.findall(page.read_text(encoding="utf-8"))))
        assert found == [], f"{page.parent.name}: private paths {found}"


def _signature_defaults(section: str) -> dict[str, str]:
    signature = _text(SIGNATURE.search(section).group(1))  # type: ignore[union-attr]
    return dict(re.findall(r"(\w+): [^=,]+? = ([^,()]+)", signature))


def test_async_and_sync_clients_show_the_same_defaults(site: Path) -> None:
    async_defaults = _signature_defaults(
        _sections(_page(site, "client"))["telnyx_video.AsyncVideoClient"]
    )
    sync_defaults = _signature_defaults(_sections(_page(site, "sync"))["telnyx_video.VideoClient"])
    assert async_defaults["timeout"] == "DEFAULT_TIMEOUT"
    assert sync_defaults == {k: v for k, v in async_defaults.items() if k != "session"}


def test_signatures_are_wrapped_to_the_configured_width(site: Path) -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    (mkdocstrings,) = [p["mkdocstrings"] for p in config["plugins"] if "mkdocstrings" in p]
    width = int(mkdocstrings["handlers"]["python"]["options"]["line_length"])
    for name in ("client", "resources", "sync", "models", "types", "errors"):
        for block in SIGNATURE.findall(_page(site, name)):
            lines = html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines()
            assert max(map(len, lines)) <= width, f"{name}: {lines}"


def test_docstrings_use_mkdocstrings_cross_references() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "telnyx_video").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SPHINX_ROLE.search(line)
    ]
    assert offenders == [], f"Sphinx roles render verbatim in the reference: {offenders}"
