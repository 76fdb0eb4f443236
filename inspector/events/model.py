"""The typed events of a run: one pydantic model per kind, discriminated on ``kind``.

Every event carries the thread, the namespace (subgraph path, '' for the root graph), the
step, the node and the task id of the phase it belongs to. Values taken from the run
(writes, tool arguments, custom payloads, interrupt values) are converted to plain JSON
values when the event is made (``jsonable``), so an event read back from a recording
equals the event that was recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pydantic_core
from pydantic import Field, TypeAdapter

from agent_debug.inspector.errors import ErrorClass
from agent_debug.inspector.messages import ThinkingFormat
from agent_debug.inspector.model import _Record

#: paused: stopped at a step boundary (a breakpoint, or the runner paused it)
RunStatus = Literal["done", "interrupted", "error", "paused"]
PhaseStatus = Literal["done", "error", "interrupted", "cancelled"]


class _Event(_Record):
    seq: int = Field(description="Position in the session, from 1, no gaps.")
    time: float = Field(description="Seconds since the epoch.")
    thread_id: str | None = None
    namespace: str = Field("", description="Checkpoint namespace of the graph the phase ran in ('' is the root).")
    step: int | None = None
    node: str | None = None
    task_id: str | None = None


class RunStartedEvent(_Event):
    """A run (invoke, resume, replay) began."""

    kind: Literal["run_started"] = "run_started"
    run_id: str
    graph: str | None = None
    input: Any = None


class RunFinishedEvent(_Event):
    """A run ended; totals over its phases."""

    kind: Literal["run_finished"] = "run_finished"
    run_id: str
    status: RunStatus
    duration_ms: float
    phases: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    error_type: str | None = None


class PhaseStartedEvent(_Event):
    """A node run (a task) began."""

    kind: Literal["phase_started"] = "phase_started"
    triggers: list[str] = Field(default_factory=list)


class PhaseFinishedEvent(_Event):
    """A node run ended, with what it wrote and what it cost."""

    kind: Literal["phase_finished"] = "phase_finished"
    status: PhaseStatus
    duration_ms: float | None = None
    writes: dict[str, Any] = Field(default_factory=dict)
    error: str | None = Field(None, description="Exception type name when the phase failed.")
    attempts: int = 1
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


class ThinkingEvent(_Event):
    """Reasoning of a model, streamed piece by piece or whole from a finished message."""

    kind: Literal["thinking"] = "thinking"
    text: str
    format: ThinkingFormat
    streamed: bool = True
    message_id: str | None = None


class TokenEvent(_Event):
    """Text of a model's answer: a streamed chunk, or the whole text of an unstreamed message."""

    kind: Literal["token"] = "token"
    text: str
    streamed: bool = True
    message_id: str | None = None


class LogEvent(_Event):
    """A Python ``logging`` record emitted inside a node."""

    kind: Literal["log"] = "log"
    level: str
    levelno: int
    logger: str
    message: str
    thread_name: str | None = None
    exc_text: str | None = None


class CustomEvent(_Event):
    """A value a node sent with ``get_stream_writer()``."""

    kind: Literal["custom"] = "custom"
    payload: Any = None


class ToolCallEvent(_Event):
    """A model asked for a tool."""

    kind: Literal["tool_call"] = "tool_call"
    tool_call_id: str | None
    name: str
    args: Any = None


class ToolResultEvent(_Event):
    """A tool answered (a ToolMessage was written)."""

    kind: Literal["tool_result"] = "tool_result"
    tool_call_id: str | None
    name: str | None = None
    content: Any = None
    status: str = "success"


class ErrorEvent(_Event):
    """A failure: a failed attempt under a RetryPolicy (``will_retry``), a failed phase, or a failed run."""

    kind: Literal["error"] = "error"
    type: str
    message: str
    traceback: str | None = None
    classification: ErrorClass
    suggestion: str
    confidence: float
    attempt: int | None = Field(None, description="1-based attempt of the phase that failed.")
    will_retry: bool = False
    retry_after_s: float | None = Field(None, description="Backoff LangGraph waited before the next attempt.")


class InterruptEvent(_Event):
    """A phase called ``interrupt()`` and the run waits for a resume value."""

    kind: Literal["interrupt"] = "interrupt"
    interrupt_id: str | None
    value: Any = None


class CheckpointEvent(_Event):
    """A checkpoint announced by the run (``new`` is False when it existed before the run)."""

    kind: Literal["checkpoint"] = "checkpoint"
    checkpoint_id: str
    parent_id: str | None = None
    source: str | None = None
    next: list[str] = Field(default_factory=list)
    new: bool = True


class UsageEvent(_Event):
    """Tokens a model call reported in ``usage_metadata``."""

    kind: Literal["usage"] = "usage"
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    model: str | None = None
    message_id: str | None = None


Event = Annotated[
    RunStartedEvent
    | RunFinishedEvent
    | PhaseStartedEvent
    | PhaseFinishedEvent
    | ThinkingEvent
    | TokenEvent
    | LogEvent
    | CustomEvent
    | ToolCallEvent
    | ToolResultEvent
    | ErrorEvent
    | InterruptEvent
    | CheckpointEvent
    | UsageEvent,
    Field(discriminator="kind"),
]
"""Any event; ``kind`` says which."""

_MISSING = object()
_NO_FIELD = "\0"  # required of a class that always validates: no event has it
# Per class: every field in declaration order (defaults, _MISSING when required), the
# names it needs and all names. Built on first use.
_templates: dict[type, tuple[dict[str, Any], frozenset[str], frozenset[str]]] = {}


def made(cls: type[_Event], fields: dict[str, Any]) -> Any:
    """An event of ``cls`` from values our own code made, already of the field types (plain
    JSON values from ``jsonable``, str, int, float, None), built without validation.

    Validating costs 8-12 µs an event, more than LangGraph spends making a custom event, so
    the extractor builds the kinds a flood is made of (custom, token, thinking, log, usage) this way: the same object as
    ``cls(**fields)`` (equal to it, the same JSON, frozen). Missing or unknown fields are
    left to ``cls(**fields)``, which says what is wrong. ``fields`` is not kept.
    """
    template = _templates.get(cls)
    if template is None:
        infos = cls.model_fields
        # A default made by a factory (a fresh list) cannot be shared: those classes validate.
        shared = not any(info.default_factory is not None for info in infos.values())
        defaults = {name: _MISSING if info.is_required() else info.default for name, info in infos.items()}
        required = frozenset(n for n, v in defaults.items() if v is _MISSING) if shared else frozenset(defaults) | {_NO_FIELD}
        template = _templates[cls] = (defaults, required, frozenset(defaults))
    defaults, required, names = template
    keys = fields.keys()
    if not (required <= keys <= names):
        return cls(**fields)
    values = defaults.copy()  # declaration order, as validation makes it: the same JSON
    values.update(fields)
    event = object.__new__(cls)
    _set(event, "__dict__", values)
    _set(event, "__pydantic_fields_set__", set(keys))
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event


_set = object.__setattr__

_adapter: TypeAdapter[Any] | None = None


def event_adapter() -> TypeAdapter[Any]:
    """The validator of the ``Event`` union (built on first use)."""
    global _adapter
    if _adapter is None:
        _adapter = TypeAdapter(Event)
    return _adapter


def parse_event(data: str | bytes | Mapping[str, Any]) -> Any:
    """An ``Event`` from its JSON text or dict; raises pydantic's ValidationError."""
    if isinstance(data, (str, bytes)):
        return event_adapter().validate_json(data)
    return event_adapter().validate_python(data)


def jsonable(value: Any) -> Any:
    """A plain JSON copy of a value: messages, models and dataclasses become dicts, tuples lists;
    bytes and sets in plain containers are shown as a state shows them (``decode.bytes_view``,
    ``decode.set_view``: marked base64, members sorted)."""
    # Small plain values (most custom payloads: a flood sends thousands a second) are
    # copied as they are, which is what the round trip would give.
    copied = _plain_copy(value, [_PLAIN_BUDGET])
    if copied is not _NOT_PLAIN:
        return copied
    # A real JSON round trip, so the event in memory equals the one read from a recording.
    return json.loads(pydantic_core.to_json(_marked(value), fallback=repr, bytes_mode="base64", inf_nan_mode="null"))


_NOT_PLAIN = object()
_PLAIN_BUDGET = 64  # values visited before the C round trip is the quicker way
_SCALARS = (str, int, bool, type(None))


def _plain_copy(value: Any, budget: list[int]) -> Any:
    """A copy of ``value`` if it is small and already plain JSON (exact str, int, bool,
    None, finite float, lists and tuples of them, dicts with str keys), equal to what
    the JSON round trip makes of it; ``_NOT_PLAIN`` otherwise."""
    budget[0] -= 1
    if budget[0] < 0:
        return _NOT_PLAIN
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float:
        return value if value - value == 0.0 else _NOT_PLAIN  # inf and nan become null
    if kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                return _NOT_PLAIN
            v = _plain_copy(v, budget)
            if v is _NOT_PLAIN:
                return _NOT_PLAIN
            out[k] = v
        return out
    if kind is list or kind is tuple:
        items = []
        for v in value:
            v = _plain_copy(v, budget)
            if v is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(v)
        return items
    return _NOT_PLAIN


_MARKED = (bytes, bytearray, set, frozenset)


def _marked(value: Any) -> Any:
    """``value`` with its bytes and sets (inside dicts, lists and tuples) in their shown
    form; the same object when it holds none, so the usual event costs one walk."""
    kind = type(value)
    if kind in (bytes, bytearray):
        from agent_debug.inspector.decode import bytes_view

        return bytes_view(value)
    if kind in (set, frozenset):
        from agent_debug.inspector.decode import set_view

        return set_view(f"builtins.{kind.__name__}", jsonable(list(value)))
    if kind is dict:
        out = None
        for k, v in value.items():
            new = _marked(v)
            if new is not v:
                out = dict(value) if out is None else out
                out[k] = new
        return value if out is None else out
    if kind is list or kind is tuple:
        items = [_marked(v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    return value

