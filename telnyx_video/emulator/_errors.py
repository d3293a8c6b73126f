"""Telnyx-shaped error responses of the emulator, and the codes it uses."""

from __future__ import annotations

from typing import Any

from telnyx_video.errors import ErrorCode

__all__ = ["EmulatorError", "error_body", "error_entry"]

#: Error codes, as strings like the real API's (``"10012"`` is the real "name taken").
#: The validator (``_validation``) uses 10001 (unknown filter), 10015 (invalid value) and
#: 10016 (missing required).
MISSING_OR_INVALID = "10016"
NOT_FOUND = "10005"
UNEXPECTED = "10007"
AUTHENTICATION_FAILED = "10009"
FORBIDDEN = "10010"
RATE_LIMITED = "10011"
NAME_TAKEN = ErrorCode.DUPLICATE_RESOURCE.value
INVALID_JSON = "10003"
UNSUPPORTED_MEDIA_TYPE = "10006"
METHOD_NOT_ALLOWED = "10008"
INVALID_STATE = "10018"
ROOM_FULL = "10019"
UNAVAILABLE = "10020"


def error_entry(
    code: str,
    title: str,
    detail: str | None = None,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
) -> dict[str, Any]:
    """One entry of an ``errors`` list."""
    entry: dict[str, Any] = {"code": code, "title": title}
    if detail is not None:
        entry["detail"] = detail
    if pointer is not None:
        entry["source"] = {"pointer": pointer}
    elif parameter is not None:
        entry["source"] = {"parameter": parameter}
    return entry


def error_body(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The body ``{"errors": [...]}`` of an error response."""
    return {"errors": entries}


class EmulatorError(Exception):
    """A request the emulator refuses, with the status and Telnyx error it answers with.

    Raised by the in-process control methods too
    ([`Emulator.join()`][telnyx_video.emulator.Emulator.join] with a bad token,
    [`Emulator.leave()`][telnyx_video.emulator.Emulator.leave] with an unknown participant...).
    """

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        entries: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}" + (f": {detail}" if detail else ""))
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.entries = entries or [
            error_entry(code, title, detail, pointer=pointer, parameter=parameter)
        ]

    def body(self) -> dict[str, Any]:
        """The JSON body answered for this error.

        For 403 and 404 the contract documents a bare error object (``video_Error``), other
        statuses an ``errors`` list; those bodies carry both, so every client reads them.
        """
        body = error_body(self.entries)
        if self.status in (403, 404):
            body = {**self.entries[0], **body}
        return body


def not_found(kind: str, ident: str) -> EmulatorError:
    """404 for an unknown (or malformed) id."""
    return EmulatorError(
        404,
        NOT_FOUND,
        "Resource not found",
        f"No {kind} with id {ident[:80]!r} exists.",
    )


def invalid_state(detail: str, pointer: str | None = None) -> EmulatorError:
    """422 for an action that does not fit the resource's current state."""
    return EmulatorError(422, INVALID_STATE, "Invalid state", detail, pointer=pointer)
