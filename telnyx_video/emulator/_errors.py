"""Telnyx-shaped error answers of the emulator: codes from Telnyx's catalog, one entry builder."""

from __future__ import annotations

from typing import Any

from telnyx_video.errors import ErrorCode

__all__ = ["EmulatorError", "bad_request", "error_entry", "forbidden", "not_found"]


def error_entry(
    code: ErrorCode, detail: str, *, pointer: str | None = None, parameter: str | None = None
) -> dict[str, Any]:
    """One entry of an ``errors`` list: the code, its catalog title, the detail and the source
    (a JSON pointer into the body, or the name of a query parameter)."""
    entry: dict[str, Any] = {"code": code.value, "title": code.catalog_title, "detail": detail}
    if pointer is not None:
        entry["source"] = {"pointer": pointer}
    elif parameter is not None:
        entry["source"] = {"parameter": parameter}
    return entry


class EmulatorError(Exception):
    """A request the emulator refuses, with the status and Telnyx error it answers with.

    Raised by the in-process control methods too
    ([`Emulator.join()`][telnyx_video.emulator.Emulator.join] with a bad token,
    [`Emulator.leave()`][telnyx_video.emulator.Emulator.leave] with an unknown participant...).
    ``code`` is a code of Telnyx's catalog ([`ErrorCode`][telnyx_video.errors.ErrorCode]).
    """

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        entries: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{status} {code.catalog_title}: {detail}")
        self.status = status
        self.code = code.value
        self.title = code.catalog_title
        self.detail = detail
        self.entries = entries or [error_entry(code, detail, pointer=pointer, parameter=parameter)]

    def body(self) -> dict[str, Any]:
        """The JSON body answered for this error.

        For 403 and 404 the contract documents a bare error object (``video_Error``), other
        statuses an ``errors`` list; those bodies carry both, so every client reads them.
        """
        body: dict[str, Any] = {"errors": self.entries}
        if self.status in (403, 404):
            body = {**self.entries[0], **body}
        return body


def not_found(kind: str, ident: str) -> EmulatorError:
    """404 for an unknown (or malformed) id."""
    return EmulatorError(
        404, ErrorCode.RESOURCE_NOT_FOUND, f"No {kind} with id {ident[:80]!r} exists."
    )


def bad_request(detail: str, pointer: str | None = None) -> EmulatorError:
    """422 for a value or an action the resource's current state does not allow."""
    return EmulatorError(422, ErrorCode.BAD_REQUEST, detail, pointer=pointer)


def forbidden(detail: str) -> EmulatorError:
    """403: the token or peer is not allowed to do this."""
    return EmulatorError(403, ErrorCode.AUTHORIZATION_FAILED, detail)
