"""Benchmarks of telnyx-video against raw aiohttp and the official ``telnyx`` SDK.

Run ``python -m benchmarks`` (the gate: exits 1 when a target ratio is missed) or
``python -m benchmarks --quick`` (a smoke run). See ``docs/performance.md``.
"""
