"""The pytest plugin's fixtures, exercised in an inner pytest run."""

from __future__ import annotations

import inspect
import subprocess
import sys
import typing
from collections.abc import Iterator

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_in_user_tests(pytester: pytest.Pytester) -> None:
    # what docs/emulator.md tells users to set, so pytest-asyncio warns of nothing
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        import urllib.error
        import urllib.request
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

        def test_the_emulator_is_strict(telnyx_emulator):
            # a typo in a filter fails the test instead of matching everything
            request = urllib.request.Request(
                telnyx_emulator.base_url + "/rooms?filter%5Bunique_nam%5D=x",
                headers={"Authorization": "Bearer " + telnyx_emulator.api_key},
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 422
            refused.value.close()
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "asyncio", "-W", "error::ResourceWarning", "-W", "error::DeprecationWarning"
    )
    result.assert_outcomes(passed=5)


def test_fixtures_are_typed() -> None:
    """Users' type checkers see the real classes, not ``Any``."""
    from telnyx_video import AsyncVideoClient, VideoClient, pytest_plugin
    from telnyx_video.emulator import EmulatorThread

    names = {
        "EmulatorThread": EmulatorThread,
        "VideoClient": VideoClient,
        "AsyncVideoClient": AsyncVideoClient,
    }

    def returns(fixture: object) -> object:
        function = getattr(fixture, "__wrapped__", getattr(fixture, "_fixture_function", fixture))
        return typing.get_type_hints(function, vars(pytest_plugin), names)["return"]

    assert returns(pytest_plugin.telnyx_emulator) is EmulatorThread
    assert returns(pytest_plugin.telnyx_emulator_server) == Iterator[EmulatorThread]
    assert returns(pytest_plugin.telnyx_sync_client) == Iterator[VideoClient]
    source = inspect.getsource(pytest_plugin)
    assert "AsyncIterator[AsyncVideoClient]" in source
    assert "Any" not in source


def test_plugin_import_is_light() -> None:
    code = (
        "import sys, telnyx_video.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('telnyx_video.emulator')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
