"""Fixtures for the webhook tests: Telnyx-like signers with fresh Ed25519 key pairs."""

from __future__ import annotations

import pytest

from .webhook_support import Signer


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def other_signer() -> Signer:
    return Signer()
