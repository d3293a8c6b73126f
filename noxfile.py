"""Developer tasks: ``nox -s tests lint generate docs bench soak``."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "generate", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the full test suite (against aiohttp test servers and the emulator)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("mypy")


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Regenerate the sync facade; ``nox -s generate -- --check`` only checks it is fresh."""
    session.install("-e", ".[lint]")
    session.run("python", "scripts/generate_sync.py", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site with warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against raw aiohttp and the official SDK; fails when a target is missed."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)  # the emulator's scripts too


@nox.session(python=PYTHON)
def soak(session: nox.Session) -> None:
    """The long fault workload (20,000 operations) against the emulator."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "benchmarks.soak", *session.posargs)
