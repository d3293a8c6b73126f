"""asyncio's 256 KiB socket reads come from the heap, not from a fresh mapping each time.

Measured in a fresh interpreter, whose allocation history is known: without
``telnyx_video._read_buffer``, glibc maps, faults in and unmaps the read buffer of every
response (two page faults per read, on both the client's and the emulator's side).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import resource
from telnyx_video import VideoClient
from telnyx_video.emulator import EmulatorThread

with EmulatorThread(api_key="k") as emulator, VideoClient(
    "k", base_url=emulator.base_url
) as client:
    room = client.rooms.create(unique_name="faults")
    for _ in range(50):
        client.rooms.retrieve(room.id)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(300):
        client.rooms.retrieve(room.id)
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 300)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc: Linux only")
def test_reading_responses_takes_no_page_faults() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    faults_per_call = float(result.stdout)
    assert faults_per_call < 0.5, faults_per_call  # two per call without it
