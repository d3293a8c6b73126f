"""Run a piece of a test in a forked child and get its report back through a pipe."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from typing import Any


def in_child(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``work()`` in a forked child (never returning into pytest, never hanging past 30 s);
    its report, once the child exited 0."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.alarm(30)
            os.close(read_end)
            report = work()
            code = 0
        except BaseException as exc:
            report = {"error": repr(exc)}
        finally:
            os.write(write_end, json.dumps(report).encode())
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = json.loads(pipe.read() or b"{}")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, report
    return report
