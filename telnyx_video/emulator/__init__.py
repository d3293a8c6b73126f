"""A stateful, in-memory Telnyx Video API for offline development and tests.

[`Emulator`][telnyx_video.emulator.Emulator] serves it in-process (``async with``);
[`EmulatorThread`][telnyx_video.emulator.EmulatorThread] runs it on a background thread for
synchronous code; ``python -m telnyx_video.emulator`` (or ``telnyx-video emulator``) serves it
from the command line. See DESIGN.md section 5 for the behaviour it emulates.

The names below are imported on first use, so ``telnyx-video`` commands that do not run the
emulator do not pay for it (aiohttp's server, jsonschema).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "Clock": "_clock",
    "Emulator": "_emulator",
    "EmulatorError": "_errors",
    "EmulatorThread": "_runner",
    "FaultConfig": "_faults",
    "FaultStats": "_faults",
    "WebhookDelivery": "_webhooks",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
