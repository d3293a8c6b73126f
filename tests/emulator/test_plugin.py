"""The pytest plugin's fixtures, exercised in an inner pytest run."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_in_user_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import UTC, datetime

        import pytest

        def test_emulator_is_reset(telnyx_emulator):
            assert telnyx_emulator.base_url.endswith("/v2")
            telnyx_emulator.configure_faults(error_rate=1.0)

            telnyx_emulator.advance(3600)

        def test_second_test_starts_clean(telnyx_emulator):
            assert telnyx_emulator.fault_stats.requests_seen == 0
            assert telnyx_emulator.fault_stats.faults_injected == 0
            # The hour the first test moved the clock does not leak into this one.
            assert telnyx_emulator.now() <= datetime.now(UTC)

        @pytest.mark.asyncio
        async def test_async_client(telnyx_client, telnyx_emulator):
            room = await telnyx_client.rooms.create(unique_name="plugin")
            token = await telnyx_client.rooms.generate_join_client_token(room.id)
            participant = telnyx_emulator.join(room.id, token.token, context="x")
            assert participant.context == "x"
            page = await telnyx_client.rooms.list()
            assert [r.unique_name for r in page.items] == ["plugin"]

        def test_sync_client(telnyx_sync_client):
            room = telnyx_sync_client.rooms.create(unique_name="sync")
            assert [r.id for r in telnyx_sync_client.rooms.list()] == [room.id]
        """
    )
    result = pytester.runpytest_subprocess("-p", "asyncio", "-W", "error::ResourceWarning")
    result.assert_outcomes(passed=4)


def test_plugin_import_is_light() -> None:
    code = (
        "import sys, telnyx_video.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('telnyx_video.emulator')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
