"""Checks of the emulator's own responses against the contract (a test aid).

``jsonschema`` is imported only when an [`Emulator`][telnyx_video.emulator.Emulator] is created with
``check_responses=True``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from typing import Any

from telnyx_video.emulator import _contract

__all__ = ["ResponseChecker"]


class ResponseChecker:
    """Validates JSON responses per operation and status; records violations as text."""

    def __init__(self) -> None:
        # A test dependency, imported only when checking is on.
        self._jsonschema: Any = importlib.import_module("jsonschema")
        self._validators: dict[tuple[str, str], Any] = {}
        self.violations: list[str] = []

    def _validator(self, key: tuple[str, str], schema: Mapping[str, Any]) -> Any:
        validator = self._validators.get(key)
        if validator is None:
            cls = self._jsonschema.validators.validator_for(schema, default=None)
            cls = cls or self._jsonschema.Draft7Validator
            validator = self._validators[key] = cls(schema)
        return validator

    def check(self, operation_id: str, status: int, body: bytes | None) -> None:
        """Validate one response; a problem is appended to `violations`."""
        where = f"{operation_id} {status}"
        responses = _contract.operation(operation_id).responses
        declared = str(status) in responses or f"{str(status)[0]}XX" in responses
        if status < 400 and not declared:
            self.violations.append(f"{where}: status not declared by the contract")
            return
        if status == 204:
            if body:
                self.violations.append(f"{where}: a 204 response must have no body")
            return
        try:
            document = json.loads(body) if body else None
        except ValueError:
            self.violations.append(f"{where}: the body is not JSON")
            return
        schema = _contract.response_schema(operation_id, status) if declared else None
        if schema is None and status >= 400:
            schema = _contract.component_schema("video_Errors")
            if not isinstance(document, dict) or not document.get("errors"):
                self.violations.append(f"{where}: an error response needs an errors list")
                return
        if schema is None:
            return
        validator = self._validator((operation_id, str(status)), schema)
        for error in validator.iter_errors(document):
            location = "/".join(str(part) for part in error.absolute_path)
            self.violations.append(f"{where}: at /{location}: {error.message}")
