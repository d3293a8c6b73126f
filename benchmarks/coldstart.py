"""Benchmark 5: cold start and memory, each sample in a fresh interpreter.

A child process times (``time.perf_counter``) the import and the construction of a client,
then reports its peak RSS (``ru_maxrss``). Three kinds of child:

* ours: ``import telnyx_video`` + ``AsyncVideoClient(...)``;
* official: ``import telnyx`` + ``AsyncTelnyx(...)``;
* deps: importing only the declared dependencies of telnyx-video that ``import
  telnyx_video`` itself loads (aiohttp, attrs, cattrs, ...), the floor for our import.

One unmeasured run of each warms the bytecode caches; the samples are interleaved.
"""

from __future__ import annotations

import importlib.metadata
import re
import statistics
import subprocess
import sys

from benchmarks._common import API_KEY, ROOM_ID, Direction, Row, Settings, median_ratio, rotations

__all__ = ["CORE_DEPENDENCIES", "dependency_modules", "run_coldstart"]

_BASE = "http://127.0.0.1:9/v2"

#: What the client runs on (anyio is no longer one: the sync client runs on plain asyncio).
CORE_DEPENDENCIES = ("aiohttp", "attrs", "cattrs")

# Peak RSS is VmHWM from /proc (Linux): ru_maxrss is not reset by exec, so a child would
# report its parent's peak when that was higher. Elsewhere, ru_maxrss (KiB on Linux/BSD).
_CHILD = """\
import sys, time
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
try:
    with open("/proc/self/status") as status:
        rss = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except OSError:
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stdout.write(f"{{elapsed}} {{rss}}\\n")
"""

BODIES = {
    "ours": (
        "import telnyx_video\n"
        f"client = telnyx_video.AsyncVideoClient(api_key={API_KEY!r}, base_url={_BASE!r})"
    ),
    "official": (
        f"import telnyx\nclient = telnyx.AsyncTelnyx(api_key={API_KEY!r}, base_url={_BASE!r})"
    ),
}

#: Children that also make one request to the benchmark server (``{base}``): what a script
#: that calls the API once pays, whatever a library defers to first use.
FIRST_REQUEST_BODIES = {
    "ours_1req": (
        "import asyncio, telnyx_video\n"
        "async def main():\n"
        f"    async with telnyx_video.AsyncVideoClient(api_key={API_KEY!r}, base_url={{base!r}},"
        " max_retries=0) as client:\n"
        f"        await client.rooms.retrieve({ROOM_ID!r})\n"
        "asyncio.run(main())"
    ),
    "official_1req": (
        "import asyncio, telnyx\n"
        "async def main():\n"
        f"    async with telnyx.AsyncTelnyx(api_key={API_KEY!r}, base_url={{base!r}},"
        " max_retries=0) as client:\n"
        f"        await client.rooms.retrieve({ROOM_ID!r})\n"
        "asyncio.run(main())"
    ),
}


def dependency_modules() -> list[str]:
    """The dependencies whose import is the floor for ours.

    The client's runtime dependencies (aiohttp, attrs, cattrs) plus any other declared
    dependency that ``import telnyx_video`` loads; a dependency we defer to first use still
    counts, so deferring it makes our side cheaper, never the floor.
    """
    declared = []
    for requirement in importlib.metadata.requires("telnyx-video") or []:
        if "extra ==" in requirement:
            continue
        match = re.match(r"[A-Za-z0-9_.-]+", requirement)
        if match:
            declared.append(match.group(0).lower().replace("-", "_"))
    probe = (
        f"import sys, telnyx_video\nprint(' '.join(m for m in {declared!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return sorted({*CORE_DEPENDENCIES, *out.split()})


def _sample(body: str) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of one fresh child running ``body``."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(body=body)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    seconds, rss_kib = float(out[0]), int(out[1])
    return seconds, rss_kib * 1024


def run_coldstart(settings: Settings, *, base_url: str, official_available: bool) -> list[Row]:
    """Measure and return the rows of benchmark 4 (``base_url``: the benchmark server)."""
    deps = dependency_modules()
    bodies = {"ours": BODIES["ours"], "deps": f"import {', '.join(deps)}"}
    bodies["ours_1req"] = FIRST_REQUEST_BODIES["ours_1req"].format(base=base_url)
    if official_available:
        bodies["official"] = BODIES["official"]
        bodies["official_1req"] = FIRST_REQUEST_BODIES["official_1req"].format(base=base_url)
    times: dict[str, list[float]] = {name: [] for name in bodies}
    rss: dict[str, list[float]] = {name: [] for name in bodies}
    if not settings.quick:
        for body in bodies.values():
            _sample(body)  # warm the .pyc caches (a quick run takes what it gets)
    for order in rotations(list(bodies), settings.cold_reps):
        for name in order:
            seconds, peak = _sample(bodies[name])
            times[name].append(seconds)
            rss[name].append(peak)

    def ms(name: str) -> str:
        return f"{statistics.median(times[name]) * 1e3:,.0f} ms"

    def mib(name: str) -> str:
        return f"{statistics.median(rss[name]) / 2**20:,.1f} MiB"

    rows = []
    if official_available:
        rows.append(
            Row(
                benchmark="5. import + client vs import telnyx + AsyncTelnyx",
                ours=ms("ours"),
                reference=ms("official"),
                ratio=median_ratio(times["ours"], times["official"]),
                direction=Direction.AT_MOST,
                target=0.3,
            )
        )
    rows.append(
        Row(
            benchmark=f"5. import + client vs import of deps ({', '.join(deps)})",
            ours=ms("ours"),
            reference=ms("deps"),
            ratio=median_ratio(times["ours"], times["deps"]),
            direction=Direction.AT_MOST,
            target=1.15,
        )
    )
    if official_available:
        rows.append(
            Row(
                benchmark="5. peak RSS after import + client vs official",
                ours=mib("ours"),
                reference=mib("official"),
                ratio=median_ratio(rss["ours"], rss["official"]),
                direction=Direction.AT_MOST,
                target=0.5,
            )
        )
    rows.append(
        Row(
            benchmark="5. peak RSS after import + client vs deps alone",
            ours=mib("ours"),
            reference=mib("deps"),
            ratio=median_ratio(rss["ours"], rss["deps"]),
        )
    )
    if official_available:
        rows.append(
            Row(
                benchmark="5. import + client + 1 request vs official (time)",
                ours=ms("ours_1req"),
                reference=ms("official_1req"),
                ratio=median_ratio(times["ours_1req"], times["official_1req"]),
            )
        )
        rows.append(
            Row(
                benchmark="5. peak RSS after import + client + 1 request vs official",
                ours=mib("ours_1req"),
                reference=mib("official_1req"),
                ratio=median_ratio(rss["ours_1req"], rss["official_1req"]),
            )
        )
    else:
        rows.append(
            Row(
                benchmark="5. vs import telnyx (time, RSS)",
                ours=ms("ours"),
                reference="not installed",
                direction=Direction.AT_MOST,
                target=0.3,
                note="pip install telnyx==4.189.0",
            )
        )
    return rows
