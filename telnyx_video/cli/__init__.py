"""The ``telnyx-video`` command line: every API operation, the emulator and the demo.

``telnyx-video rooms list --all``, ``telnyx-video sessions kick SESSION --participants all``,
``telnyx-video emulator --port 8787``, ``telnyx-video demo``. Run ``telnyx-video --help``.

Exit codes: 0 success, 1 API or connection error, 2 usage error (including a missing key),
130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from telnyx_video._transport import DEFAULT_BASE_URL
from telnyx_video._version import __version__
from telnyx_video.cli._commands import GROUPS, Command, commands, group_help
from telnyx_video.cli._download import COLUMNS as DOWNLOAD_COLUMNS
from telnyx_video.cli._download import MAX_CONCURRENCY, download_all
from telnyx_video.cli._output import COLUMNS, JsonPrinter, Printer, TablePrinter, to_json_data
from telnyx_video.errors import TelnyxVideoError
from telnyx_video.models import PaginationMeta
from telnyx_video.types import DEFAULT_TIMEOUT

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class DownloadsFailed(TelnyxVideoError):
    """Some files of a download run failed (each was reported on its own line)."""


#: The options accepted before and after the command: (flag, argparse settings).
_CONNECTION_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--api-key", dict(metavar="KEY", help="Telnyx API key (default: $TELNYX_API_KEY)")),
    (
        "--base-url",
        dict(metavar="URL", help=f"API root (default: $TELNYX_BASE_URL, then {DEFAULT_BASE_URL})"),
    ),
    (
        "--timeout",
        dict(
            type=float,
            metavar="SECONDS",
            help=f"timeout of each request attempt (default {DEFAULT_TIMEOUT:g})",
        ),
    ),
    (
        "--max-retries",
        dict(
            type=int,
            metavar="N",
            help="retries of failed requests that are safe to retry (default 2)",
        ),
    ),
    (
        "--format",
        dict(
            choices=("json", "table"),
            help="json: one object per line (default); table: aligned columns",
        ),
    ),
)


def _connection_options() -> argparse.ArgumentParser:
    """Options accepted both before and after the command (``SUPPRESS``: absent unless given)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection and output")
    for flag, settings in _CONNECTION_OPTIONS:
        group.add_argument(flag, default=argparse.SUPPRESS, **settings)
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``telnyx-video``, its API commands built from the client's."""
    common = _connection_options()
    parser = argparse.ArgumentParser(
        prog="telnyx-video",
        description="Telnyx Video Rooms from the command line: every API operation, "
        "a local emulator of the API, and a demo that needs no account.",
        parents=[common],
        epilog="Try it offline: 'telnyx-video demo', or 'telnyx-video emulator' in one "
        "terminal and TELNYX_BASE_URL=http://127.0.0.1:8787/v2 TELNYX_API_KEY=test-key "
        "telnyx-video rooms list in another.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)

    sub_parsers: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for resource, name in GROUPS.items():
        help_text = group_help(resource)
        group_parser = groups.add_parser(name, help=help_text, description=help_text)
        sub_parsers[name] = group_parser.add_subparsers(
            dest="command", metavar="ACTION", required=True
        )
    for command in commands():
        sub = sub_parsers[command.group].add_parser(
            command.name, help=command.help, description=command.help, parents=[common]
        )
        for option in command.options:
            option.add_to(sub)
        if command.output == "download":
            sub.add_argument(
                "ids", nargs="*", metavar="ID", help=f"these {command.group} only (no filters)"
            )
            sub.add_argument(
                "--dir",
                type=_directory,
                default=Path(),
                metavar="DIR",
                help="where the files go, named ID.EXT (default: the current directory)",
            )
            sub.add_argument(
                "--concurrency",
                type=_concurrency,
                default=4,
                metavar="N",
                help=f"files downloaded at once, 1-{MAX_CONCURRENCY} (default 4)",
            )
            sub.add_argument("--page-size", type=int, metavar="N", help="records per page (1-250)")
        if command.output == "list":
            sub.add_argument(
                "--all",
                dest="all_pages",
                action="store_true",
                help="walk every page (default: the first page only)",
            )
            sub.add_argument(
                "--page-size",
                type=int,
                metavar="N",
                help="records per page (1-250)",
            )
        if command.clearable:
            sub.add_argument(
                "--clear",
                action="append",
                choices=command.clearable,
                metavar="FIELD",
                help=f"set FIELD to null (repeatable): {', '.join(command.clearable)}",
            )
        sub.set_defaults(spec=command)

    from telnyx_video.emulator._cli import add_arguments as add_emulator_arguments

    emulator = groups.add_parser(
        "emulator",
        help="serve the local emulator of the API",
        description="Serve the stateful emulator of the Telnyx Video API on this machine.",
    )
    add_emulator_arguments(emulator)
    demo = groups.add_parser(
        "demo",
        help="walk a full room lifecycle on an in-process emulator (no account needed)",
        description="Start the emulator in-process and walk a room's whole lifecycle: "
        "room, token, participants, mute, kick, session end, recordings, composition, "
        "verified webhooks, cleanup. Needs no account and no network.",
    )
    demo.add_argument(
        "--emulator",
        dest="demo_emulator",
        metavar="URL",
        help="play against this running emulator (its root, e.g. http://127.0.0.1:8787) "
        "instead of one in-process, to watch it on its dashboard (default: "
        "$TELNYX_EMULATOR_URL)",
    )
    demo.add_argument(
        "--json",
        dest="demo_json",
        action="store_true",
        help="print each step as a JSON object instead of prose",
    )
    return parser


def _settings(ns: argparse.Namespace) -> dict[str, Any]:
    return {
        "api_key": getattr(ns, "api_key", None),
        "base_url": getattr(ns, "base_url", None),
        "timeout": getattr(ns, "timeout", None),
        "max_retries": getattr(ns, "max_retries", None),
        "format": getattr(ns, "format", None) or "json",
    }


class _Progress:
    """A one-line progress display on a terminal's stderr, for long ``--all`` walks."""

    def __init__(self, stream: TextIO, noun: str) -> None:
        self._stream = stream
        self._noun = noun
        self._enabled = stream.isatty()
        self._shown = False

    def update(self, count: int, meta: PaginationMeta | None) -> None:
        """Show ``count`` records so far, and where ``meta`` says the walk is."""
        pages = meta.last_page if meta is not None else None
        if not self._enabled or meta is None or pages is None or pages <= 1:
            return
        total = f" of {meta.total_results}" if meta.total_results is not None else ""
        page = f"page {meta.page_number or '?'}/{pages}"
        self._stream.write(f"\r{count}{total} {self._noun} ({page})")
        self._stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


async def _run(command: Command, ns: argparse.Namespace, printer: Printer, err: TextIO) -> None:
    from telnyx_video import AsyncVideoClient

    settings = _settings(ns)
    options: dict[str, Any] = {"base_url": settings["base_url"]}
    if settings["timeout"] is not None:
        options["timeout"] = settings["timeout"]
    if settings["max_retries"] is not None:
        options["max_retries"] = settings["max_retries"]
    args, kwargs = command.call_args(ns)
    async with AsyncVideoClient(settings["api_key"], **options) as client:
        op = command.operation
        method = getattr(getattr(client, op.resource), op.method)
        if command.output == "list":
            paginator = method(*args, **kwargs)
            if not ns.all_pages:
                page = await paginator
                for record in page.items:
                    printer.list_item(to_json_data(record))
                if page.has_next and err.isatty() and page.meta is not None:
                    total = page.meta.total_results
                    err.write(
                        f"page 1 of {page.meta.last_page}"
                        + (f" ({total} {command.noun})" if total is not None else "")
                        + "; add --all for every page\n"
                    )
                return
            progress = _Progress(err, command.noun)
            count = 0
            try:
                async for page in paginator.pages():
                    for record in page.items:
                        printer.list_item(to_json_data(record))
                    count += len(page.items)
                    progress.update(count, page.meta)
            finally:
                progress.done()
        elif command.output == "download":
            await _download(client, command, ns, kwargs, printer, err)
        elif command.output == "deleted":
            await method(*args, **kwargs)
            printer.item({"id": args[0], "deleted": True})
        elif command.output == "count":
            deleted = await method(*args, **kwargs)
            printer.item({"deleted": deleted})
        else:
            result = await method(*args, **kwargs)
            printer.item(to_json_data(result))


def _directory(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: no such directory")
    return path


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_CONCURRENCY}")
    return value


async def _download(
    client: Any,
    command: Command,
    ns: argparse.Namespace,
    filters: dict[str, Any],
    printer: Printer,
    err: TextIO,
) -> None:
    if ns.ids and filters:
        raise ValueError("give ids or filters, not both")
    summary = await download_all(
        getattr(client, command.operation.resource),
        ids=ns.ids,
        filters=filters,
        directory=ns.dir,
        concurrency=ns.concurrency,
        emit=printer.list_item,
        err=err,
    )
    err.write(summary.line() + "\n")
    if summary.failed:
        raise DownloadsFailed(f"{summary.failed} download(s) failed")


def _run_api_command(ns: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from telnyx_video.errors import ConfigurationError, TelnyxVideoError

    command: Command = ns.spec
    settings = _settings(ns)
    key = (
        settings["api_key"] if settings["api_key"] is not None else os.environ.get("TELNYX_API_KEY")
    )
    if not key or not key.strip():
        err.write(
            "error: no API key: pass --api-key KEY or set TELNYX_API_KEY "
            "(for the local emulator, the default key is test-key)\n"
        )
        return EXIT_USAGE
    printer: Printer
    if settings["format"] == "table":
        item_type = command.item_type  # a listing's: its table has columns, even when empty
        columns = COLUMNS.get(item_type, ()) if item_type else None
        printer = TablePrinter(out, DOWNLOAD_COLUMNS if command.output == "download" else columns)
    else:
        printer = JsonPrinter(out)
    try:
        asyncio.run(_run(command, ns, printer, err))
    except ConfigurationError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_USAGE
    except TelnyxVideoError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_API_ERROR
    except (ValueError, TypeError) as exc:
        # The client refused the arguments before sending anything.
        err.write(f"error: {exc}\n")
        return EXIT_USAGE
    finally:
        printer.finish()
    return EXIT_OK


def _serve_emulator(ns: argparse.Namespace) -> int:
    from telnyx_video.emulator._cli import run

    return run(ns)


def _demo(ns: argparse.Namespace, out: TextIO) -> int:
    from telnyx_video._demo import run_demo

    return run_demo(out, json_lines=ns.demo_json, emulator_url=ns.demo_emulator)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    ns = parser.parse_args(argv)  # exits with status 2 on a usage error
    out, err = sys.stdout, sys.stderr
    try:
        if ns.group == "emulator":
            return _serve_emulator(ns)
        if ns.group == "demo":
            return _demo(ns, out)
        return _run_api_command(ns, out, err)
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`telnyx-video rooms list --all | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_OK
