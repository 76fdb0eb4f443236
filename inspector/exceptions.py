"""Failures the user can act on.

Each carries one line for the terminal and the exit status of the CLI contract
(1 for a failure, 2 for a usage error). Anything else escaping a command is a bug
and is shown with its traceback only under ``--debug``.
"""

from __future__ import annotations


class InspectorError(Exception):
    """A failure with a one-line, user-facing message."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(InspectorError):
    """The command line itself is wrong (exit status 2)."""

    exit_code = 2


class TargetError(InspectorError):
    """The target cannot be opened: missing file, not SQLite, not a LangGraph store, unreachable server."""


class NotFoundError(InspectorError):
    """A thread, checkpoint or namespace id that the store does not have."""


class StoreReadError(InspectorError):
    """The store was opened but a read failed (corrupt page, dropped connection, ...)."""


class ControlError(InspectorError):
    """An action refused before anything was written."""
