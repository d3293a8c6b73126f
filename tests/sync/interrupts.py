"""Press Ctrl-C from a helper thread, as a user would while the main thread waits."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

#: How long a test waits for anything before it gives up (never reached when all is well).
GUARD = 10.0


@contextlib.contextmanager
def ctrl_c_once(started: threading.Event) -> Iterator[None]:
    """Press Ctrl-C (SIGINT to the main thread) once ``started`` is set, from a helper thread."""
    main = threading.main_thread().ident
    assert main is not None

    def press() -> None:
        if started.wait(GUARD):
            signal.pthread_kill(main, signal.SIGINT)

    helper = threading.Thread(target=press)
    helper.start()
    try:
        yield
    finally:
        helper.join(GUARD)
