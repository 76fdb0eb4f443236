"""Names the records share with the pydantic-free fast paths (``threads``/``history --json``).

``model`` re-exports them; code that must not import pydantic takes them from here.
"""

from __future__ import annotations

from enum import StrEnum

SCHEMA_VERSION = 1


class ThreadStatus(StrEnum):
    """Where a thread stands at its latest checkpoint."""

    INTERRUPTED = "interrupted"  # waiting at interrupt(): pending interrupt writes
    ERROR = "error"  # a task failed: pending error writes
    DONE = "done"  # nothing left to run
    PENDING = "pending"  # next nodes, no interrupt or error: running now, or stopped mid-way
    UNREADABLE = "unreadable"  # a row the listing needs is damaged: the reason is in read_error
