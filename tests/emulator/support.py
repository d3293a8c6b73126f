"""Constants of the emulator tests: their API key and the start of their frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

API_KEY = "emulator-test-key"
#: A fixed start for the emulator clock in tests (a Monday, noon UTC).
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
