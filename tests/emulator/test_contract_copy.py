"""The emulator's vendored contract must stay an exact copy of the shared one."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from telnyx_video.emulator import _contract

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_SPEC = REPO_ROOT.parent / "shared" / "spec" / "telnyx-video-openapi.json"
VENDORED_SPEC = REPO_ROOT / "telnyx_video" / "emulator" / "openapi.json"


def test_vendored_contract_is_an_exact_copy() -> None:
    assert SHARED_SPEC.is_file(), f"the shared contract is expected at {SHARED_SPEC}"
    assert VENDORED_SPEC.read_bytes() == SHARED_SPEC.read_bytes(), (
        f"{VENDORED_SPEC} differs from {SHARED_SPEC}; copy the shared contract over it"
    )


def test_installed_package_loads_the_same_contract() -> None:
    packaged = resources.files("telnyx_video.emulator").joinpath("openapi.json")
    assert json.loads(packaged.read_text(encoding="utf-8")) == json.loads(SHARED_SPEC.read_text())
    assert _contract.load_spec() == json.loads(SHARED_SPEC.read_text())
