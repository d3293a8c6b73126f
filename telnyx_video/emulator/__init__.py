"""A stateful, in-memory Telnyx Video API for offline development and tests.

[`Emulator`][telnyx_video.emulator.Emulator] serves it in-process (``async with``);
[`EmulatorThread`][telnyx_video.emulator.EmulatorThread] runs it on a background thread for
synchronous code; ``python -m telnyx_video.emulator`` serves it from the command line. See DESIGN.md
section 5 for the behaviour it emulates.
"""

from __future__ import annotations

from telnyx_video.emulator._clock import Clock
from telnyx_video.emulator._emulator import Emulator
from telnyx_video.emulator._errors import EmulatorError
from telnyx_video.emulator._faults import FaultConfig, FaultStats
from telnyx_video.emulator._runner import EmulatorThread
from telnyx_video.emulator._webhooks import WebhookDelivery

__all__ = [
    "Clock",
    "Emulator",
    "EmulatorError",
    "EmulatorThread",
    "FaultConfig",
    "FaultStats",
    "WebhookDelivery",
]
