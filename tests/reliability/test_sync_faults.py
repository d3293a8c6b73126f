"""The sync facade under faults: typed errors only, one room per name, nothing leaked."""

from __future__ import annotations

import random

from telnyx_video import RetryPolicy, TelnyxVideoError, VideoClient
from telnyx_video.emulator import EmulatorThread, FaultConfig
from telnyx_video.models import MAX_PAGE_SIZE


def test_sync_client_under_faults(telnyx_emulator: EmulatorThread) -> None:
    rng = random.Random(5)
    raised: list[BaseException] = []
    created: dict[str, str] = {}
    policy = RetryPolicy(initial_backoff=0.001, max_backoff=0.01, max_retry_after=0.05)
    emu = telnyx_emulator
    with VideoClient(
        emu.api_key, base_url=emu.base_url, retry_policy=policy, max_retries=3
    ) as client:
        emu.configure_faults(
            FaultConfig(
                error_rate=0.2,
                drop_rate=0.05,
                rate_limit_rate=0.02,
                rate_limit_burst=3,
                retry_after=0,
                phase="random",
                seed=5,
            )
        )
        for n in range(200):
            try:
                choice = rng.random()
                if choice < 0.4 or not created:
                    name = f"sync-{n}"
                    created[name] = client.rooms.create(unique_name=name).id
                elif choice < 0.7:
                    client.rooms.retrieve(rng.choice(list(created.values())))
                elif choice < 0.9:
                    client.rooms.update(
                        rng.choice(list(created.values())), max_participants=rng.randint(2, 9)
                    )
                else:
                    for _room in client.rooms.list(page_size=10):
                        pass
            except Exception as exc:  # collected: every one must be typed
                raised.append(exc)
        stats = emu.fault_stats
        emu.configure_faults(None)
        rooms = list(client.rooms.list(page_size=MAX_PAGE_SIZE))
    assert stats.faults_injected > 0
    assert [e for e in raised if not isinstance(e, TelnyxVideoError)] == []
    names = [r.unique_name for r in rooms]
    assert len(names) == len(set(names))  # no duplicated room
    by_name = {r.unique_name: r.id for r in rooms}
    for name, room_id in created.items():
        assert by_name[name] == room_id  # every room the client got exists, once
