"""What a failure says about itself: the task it was raised in, its traceback, and the
retries LangGraph logged for it (a RetryPolicy absorbs failed attempts the stream never
shows; LangGraph's retry log line is the only trace of them)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from agent_debug.inspector.events.hooks import RETRY_LINE, RETRY_LOGGER, TASK_NOTE

__all__ = ["RETRY_LOGGER", "Retry", "failing_task", "format_traceback", "retry_of"]


def failing_task(exc: BaseException) -> tuple[str, str] | None:
    """(node, task id) from the note LangGraph adds to an exception raised in a task."""
    for note in reversed(getattr(exc, "__notes__", None) or []):
        found = TASK_NOTE.search(str(note))
        if found:
            return found.group(1), found.group(2)
    return None


def format_traceback(exc: BaseException) -> str:
    """The full traceback of an exception, notes and causes included."""
    return "".join(traceback.format_exception(exc))


@dataclass(frozen=True)
class Retry:
    """A failed attempt LangGraph is about to run again."""

    node: str
    backoff_s: float
    attempt: int
    error_type: str


def retry_of(record: Any) -> Retry | None:
    """The retry a ``logging.LogRecord`` announces; None for any other record."""
    if record.name != RETRY_LOGGER:
        return None
    found = RETRY_LINE.match(record.getMessage())
    if found is None:
        return None
    return Retry(found.group(1), float(found.group(2)), int(found.group(3)), found.group(4))
