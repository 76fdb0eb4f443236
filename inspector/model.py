"""Typed records the inspector returns; their JSON form is the ``--json`` schema.

Every headless command prints exactly one of these documents (``ThreadList``,
``HistoryPage``, ``CheckpointState``). Fields are only added, never renamed, within
a ``schema_version``.

State values (``values``, writes, interrupt values, diffs) are decoded plain data; a
stored object keeps its type name under ``"__type__"`` beside its fields, e.g.
``{"__type__": "langchain_core.messages.ai.AIMessage", "content": ...}``. Bytes are
``{"__type__": "bytes", "size": n, "base64": "..."}`` (standard base64 of at most the
first 64 KiB, with ``"truncated": true`` beyond); sets are ``{"__type__":
"builtins.set", "value": [members, sorted]}``; datetimes, dates and times are
``{"__type__": "datetime.datetime", "value": "<isoformat>"}``. The whole list is in
``inspector/decode.py``; ``--decode full`` uses the same shapes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent_debug.inspector.errors import ErrorClass

# Defined without pydantic for the fast paths; importable from here as before.
from agent_debug.inspector.vocabulary import SCHEMA_VERSION, ThreadStatus


class _Record(BaseModel):
    # Raw binary values in a state are shown as base64 rather than failing to print.
    # defer_build: a command builds the schemas of the records it uses, not all of them.
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", defer_build=True)


class InterruptInfo(_Record):
    """One pending ``interrupt()``: what it asks and which task raised it."""

    id: str | None = Field(description="Interrupt id; pass it to `resume --interrupt`.")
    value: Any = Field(description="The value given to interrupt(), decoded safely.")
    node: str | None = Field(description="Node (phase) that raised it.")
    task_id: str
    namespace: str = Field("", description="Checkpoint namespace of the task ('' is the root graph).")
    response_schema: Any = None


class ErrorInfo(_Record):
    """A task's stored failure. LangGraph stores the exception, not its traceback.

    Classified as a live error is (``errors.stored_error_fields``); a store keeps no
    attempts or RetryPolicy, so the suggestion says what to do either way.
    """

    type: str = Field(description="Exception type name, e.g. 'ValueError'.")
    message: str
    node: str | None
    task_id: str
    namespace: str = ""
    classification: ErrorClass | None = Field(None, description="transient | permanent | recoverable | unknown.")
    suggestion: str | None = Field(None, description="What to do about it, e.g. the setting to change.")
    confidence: float | None = Field(None, description="How sure the classification is, 0..1.")


class ThreadSummary(_Record):
    """One thread, from its latest root checkpoint."""

    thread_id: str
    status: ThreadStatus
    checkpoint_id: str = Field(description="Latest checkpoint id ('' for a server thread with no run yet).")
    checkpoint_count: int | None = Field(
        description="Root checkpoints; null when the source cannot count them without reading every one (a LangGraph server)."
    )
    last_step: int | None
    last_node: str | None = Field(description="Node(s) whose run produced the latest checkpoint.")
    last_source: str | None = Field(None, description="Source of the latest checkpoint: input | loop | update | fork.")
    updated_at: datetime | None = Field(description="Time of the latest checkpoint (from its id).")
    next: list[str] = Field(default_factory=list, description="Nodes that would run next.")
    interrupts: list[InterruptInfo] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(default_factory=list)
    read_error: str | None = Field(
        None, description="Status 'unreadable': which stored row is damaged and how, in one line."
    )


class ThreadList(_Record):
    """``agent-debug threads --json``."""

    schema_version: Literal[1] = SCHEMA_VERSION
    target: str
    total: int = Field(description="Threads in the store (before --status and --limit).")
    threads: list[ThreadSummary]


class CheckpointSummary(_Record):
    """One row of a thread's history, read without decoding channel values."""

    checkpoint_id: str
    parent_id: str | None
    step: int | None
    source: str | None = Field(description="input | loop | update | fork, from the checkpoint metadata.")
    nodes: list[str] = Field(default_factory=list, description="Nodes whose run produced this checkpoint.")
    created_at: datetime | None
    metadata: dict[str, Any] = Field(default_factory=dict, description="Metadata beyond source, step and parents.")


class HistoryPage(_Record):
    """``agent-debug history --json``: newest first, paged with ``--before``."""

    schema_version: Literal[1] = SCHEMA_VERSION
    thread_id: str
    namespace: str
    total: int | None = Field(
        description="Checkpoints of the thread in this namespace; null when the source cannot count them "
        "without reading every one (a LangGraph server, unless this page reaches the first checkpoint)."
    )
    checkpoints: list[CheckpointSummary]
    next_before: str | None = Field(description="Pass as --before to get the next (older) page; null at the end.")


class NamespaceInfo(_Record):
    """A checkpoint namespace of a thread: '' for the root graph, 'node:task' paths for subgraphs."""

    namespace: str
    checkpoint_count: int
    latest_checkpoint_id: str


class MessageView(_Record):
    """A LangChain message presented as a message, whatever format stored it."""

    role: str = Field(description="human | ai | system | tool | function | chat | remove")
    type_name: str | None = Field(description="Stored class name, e.g. AIMessage.")
    id: str | None = None
    name: str | None = None
    text: str = Field(description="The text content (text blocks joined).")
    reasoning: list[str] = Field(default_factory=list, description="Thinking, from reasoning/thinking blocks or reasoning_content.")
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    tool_call_id: str | None = None
    usage: dict[str, Any] | None = Field(None, description="usage_metadata: input/output/total tokens.")
    model: str | None = None


class PendingWrite(_Record):
    """A write a task made from this checkpoint (the input to the next one)."""

    task_id: str
    node: str | None
    channel: str
    value: Any


class CheckpointState(_Record):
    """``agent-debug state --json``: the values of one checkpoint and what is pending at it."""

    schema_version: Literal[1] = SCHEMA_VERSION
    thread_id: str
    namespace: str
    checkpoint_id: str
    parent_id: str | None
    step: int | None
    source: str | None
    created_at: datetime | None
    decoded: Literal["safe", "full"] = Field(description="safe: no module named in the data was imported.")
    values: Any = Field(description="Channel values (the state), or the part at --path.")
    path: str | None = None
    next: list[str] = Field(default_factory=list)
    messages: list[MessageView] = Field(default_factory=list, description="Messages in the state, presented.")
    interrupts: list[InterruptInfo] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(default_factory=list)
    pending_writes: list[PendingWrite] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    rebuilt: dict[str, str] = Field(
        default_factory=dict,
        description="DeltaChannels whose value was rebuilt from stored writes, with the reducer assumed "
        "(messages, dict-merge, list-concat; snapshot or overwrite when no reducer ran; unknown when none fits).",
    )


class ValueChange(_Record):
    """One difference between a checkpoint's state and its parent's."""

    path: str = Field(description="Dotted path of the value, e.g. 'plan' or 'report.score'.")
    kind: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None


class MessageChange(_Record):
    """A message added, removed or edited in a message list (matched by message id)."""

    channel: str
    kind: Literal["added", "removed", "changed"]
    index: int = Field(description="Position in the newer list (older list for removed).")
    message: MessageView


class StateDiff(_Record):
    """What changed from a checkpoint's parent to the checkpoint."""

    schema_version: Literal[1] = SCHEMA_VERSION
    thread_id: str
    namespace: str
    checkpoint_id: str
    parent_id: str | None
    changes: list[ValueChange] = Field(default_factory=list)
    messages: list[MessageChange] = Field(default_factory=list)


class ActionOutcome(_Record):
    """``agent-debug resume|replay --json``: what was sent, what was written, where the thread stands."""

    schema_version: Literal[1] = SCHEMA_VERSION
    action: Literal["resume", "replay", "fork", "step", "continue", "run"]
    thread_id: str
    target: str
    sent: Any = Field(None, description="The resume map (interrupt id → value) or the state update sent.")
    namespace: str = Field("", description="The checkpoint namespace acted in: '' for the root graph, a subgraph's for a replay inside it.")
    new_checkpoints: list[str] = Field(default_factory=list, description="Checkpoints appended in `namespace`, oldest first.")
    status: ThreadStatus
    head: str = Field(description="The thread's latest checkpoint now.")
    next: list[str] = Field(default_factory=list)
    interrupts: list[InterruptInfo] = Field(default_factory=list)
    error: ErrorInfo | None = Field(None, description="The failure if a node raised while running.")
    traceback: str | None = None
    paused: bool = Field(False, description="The run stopped because a pause was asked (at a step boundary).")
    stopped_by: Literal["breakpoint", "error"] | None = Field(
        None, description="What stopped the run before its end: a breakpoint (its condition held), or an error with break on error."
    )
    stop_reason: str | None = Field(None, description="Where and why it stopped, e.g. 'before review if iterations >= 2'.")
    replayed_from: str | None = Field(None, description="replay/fork: the checkpoint the new branch starts from.")
    phases: list[str] = Field(default_factory=list, description="replay: the phase(s) run once more.")
    original_writes: list[PendingWrite] = Field(default_factory=list, description="replay: what the original run wrote there.")
    replay_writes: list[PendingWrite] = Field(default_factory=list, description="replay: what the replay wrote.")
    diff: StateDiff | None = Field(None, description="replay: the new state against the checkpoint replayed from.")


def trusted_thread_list(doc: dict[str, Any]) -> ThreadList:
    """A ``ThreadList`` of a document the inspector built itself (a checkpoint source's
    ``threads_document``), made without validating it again.

    The app's first paint waits on the first page of threads: validating it built the
    pydantic schemas of four records first (~0.1 s). The fields are ours, with the
    types the records declare, so ``model_construct`` gives an equal record.
    """
    threads = [
        ThreadSummary.model_construct(
            **{
                **t,
                "interrupts": [InterruptInfo.model_construct(**i) for i in t["interrupts"]],
                "errors": [ErrorInfo.model_construct(**e) for e in t["errors"]],
            }
        )
        for t in doc["threads"]
    ]
    return ThreadList.model_construct(**{**doc, "threads": threads})
