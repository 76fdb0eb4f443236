"""The events formatter (inspector/events/format.py): the lines of every event kind in
both layouts (the events pane's and the log's of ``run --no-ui``), the folding of streamed
text per phase, and its terminal safety (the same rules as tui/safe_text.py)."""

from __future__ import annotations

from typing import Any

import pytest

from agent_debug.inspector.events import RunStats, StuckPhase, parse_event
from agent_debug.inspector.events.format import (
    LOG,
    PANE,
    EventFormatter,
    phases_title,
    plain,
    short_json,
    short_repr,
    stamp,
    stuck_record,
    summary_record,
    visible,
)

T = 1796042580.5
WHEN = stamp(T)
WHERE = {"seq": 1, "time": T, "thread_id": "t1", "namespace": "outer:ab12", "step": 2, "node": "plan", "task_id": "k1"}


def event(kind: str, **fields: Any) -> Any:
    return parse_event({**WHERE, "kind": kind, **fields})


ERROR = {"type": "RateLimitError", "message": "429 slow down", "classification": "transient", "suggestion": "retry it",
         "confidence": 0.95}  # fmt: skip

# (kind, fields, the pane's lines, the log's lines); each line after its head ("time where ").
KINDS: list[tuple[str, dict[str, Any], list[str], list[str]]] = [
    ("run_started", {"run_id": "r"}, ["run started"], ["run started (thread t1)"]),
    (
        "run_finished",
        {"run_id": "r", "status": "done", "duration_ms": 1500, "phases": 3, "input_tokens": 4, "output_tokens": 5, "total_tokens": 9},
        ["run finished done"],
        ["run done after 1.50s, 3 phases, tokens in 4 / out 5"],
    ),
    ("phase_started", {}, ["▶ started"], ["▶ started"]),
    (
        "phase_finished",
        {"status": "done", "duration_ms": 12.4, "input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        ["■ done in 12ms"],
        ["■ done in 12ms, tokens 1/2"],
    ),
    ("thinking", {"text": "why not", "format": "reasoning", "streamed": False}, ["thinking: why not"], []),
    ("token", {"text": "the answer", "streamed": False}, [], []),
    (
        "log",
        {"level": "WARNING", "levelno": 30, "logger": "app", "message": "careful"},
        ["WARNING app: careful"],
        ["log WARNING app: careful"],
    ),
    ("custom", {"payload": {"done": 1}}, ["custom {'done': 1}"], ['custom {"done": 1}']),
    ("tool_call", {"tool_call_id": "c1", "name": "search", "args": {"q": "x"}}, ["→ tool search({'q': 'x'})"], ['→ tool search({"q": "x"})']),
    ("tool_result", {"tool_call_id": "c1", "name": None, "content": "ok"}, ["← tool success: ok"], ["← tool  success: ok"]),
    (
        "error",
        {**ERROR, "attempt": 1, "will_retry": True, "traceback": "Traceback...\nRateLimitError"},
        ["✖ RateLimitError (attempt 1, will retry): 429 slow down", "    transient (95%): retry it"],
        ["✖ RateLimitError (attempt 1, will retry): 429 slow down", "  transient (95%): retry it"],
    ),
    (
        "error",
        {**ERROR, "attempt": 3, "will_retry": False, "traceback": "Traceback...\nRateLimitError"},
        ["✖ RateLimitError: 429 slow down", "    transient (95%): retry it"],
        ["✖ RateLimitError (attempt 3): 429 slow down", "  transient (95%): retry it", "  Traceback...", "  RateLimitError"],
    ),
    ("interrupt", {"interrupt_id": "i1", "value": {"ok?": True}}, ["⏸ interrupt {'ok?': True}"], ['⏸ interrupt i1: {"ok?": true}']),
    ("checkpoint", {"checkpoint_id": "c9", "source": "loop"}, [], ["checkpoint c9 (loop)"]),
    ("checkpoint", {"checkpoint_id": "c8", "source": "loop", "new": False}, [], []),
    ("usage", {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3, "model": "m"}, [], []),
]


def shown(lines: list[Any], head: str) -> list[str]:
    """Each line's text after ``head`` (continuation lines of the pane have none)."""
    return [plain(line).removeprefix(head) for line in lines]


@pytest.mark.parametrize(("kind", "fields", "pane", "log"), KINDS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)])
def test_the_lines_of_each_kind_in_both_layouts(kind: str, fields: dict[str, Any], pane: list[str], log: list[str]):
    e = event(kind, **fields)
    assert shown(EventFormatter(PANE).feed(e), f"{WHEN} {'plan':<14} ") == pane
    # The log names the subgraph the phase ran in; a lone thinking or answer waits for its phase's end.
    assert shown(EventFormatter(LOG).feed(e), f"{WHEN} {'outer/plan':<16} ") == log


def test_every_kind_is_covered():
    from agent_debug.inspector.events.model import Event

    kinds = {cls.model_fields["kind"].default for cls in Event.__origin__.__args__}  # type: ignore[attr-defined]
    assert kinds == {k for k, *_ in KINDS}


def test_roles_say_what_each_span_is():
    [line] = EventFormatter(PANE).feed(event("phase_finished", status="error", duration_ms=1.0))
    assert [role for _, role in line] == ["time", "", "where", "", "phase_finished.error"]
    first, detail = EventFormatter(PANE).feed(event("error", **ERROR))
    assert first[-1][1] == "error" and [role for _, role in detail] == ["error.detail"]
    [log] = EventFormatter(LOG).feed(event("log", level="DEBUG", levelno=10, logger="x", message="m"))
    assert log[-1][1] == "log.DEBUG"


def streamed_phase() -> list[Any]:
    return [
        event("phase_started"),
        event("thinking", text="Let me ", format="reasoning"),
        event("token", text="Hel"),
        event("thinking", text="think.", format="reasoning"),
        event("token", text="lo"),
        event("thinking", text=" Whole.", format="reasoning", streamed=False),
        event("phase_finished", seq=7, status="done", duration_ms=3.0),
    ]


def test_streamed_text_is_one_line_per_phase_when_it_ends():
    pane = EventFormatter(PANE)
    lines = [plain(line)[len(WHEN) + 16 :] for e in streamed_phase() for line in pane.feed(e)]
    # The pane shows an unstreamed thought as it comes, the streamed ones whole at the end, no answers.
    assert lines == ["▶ started", "thinking: Whole.", "thinking: Let me think.", "■ done in 3ms"]
    assert pane.streams == {}
    log = EventFormatter(LOG)
    lines = [plain(line)[len(WHEN) + 18 :] for e in streamed_phase() for line in log.feed(e)]
    assert lines == ["▶ started", "thinking: Let me think. Whole.", "answer: Hello", "■ done in 3ms"]


def test_each_model_call_of_a_phase_is_a_line_of_its_own():
    """Two model calls, two thoughts and two answers (one run-together line read as one
    thought); a call seen from its middle (a run joined late) is apart from the next."""
    phase = [
        event("phase_started"),
        event("thinking", text="…the usual", format="reasoning", message_id="m1"),
        event("token", text="It is ", message_id="m1"),
        event("token", text="the cache.", message_id="m1"),
        event("thinking", text="Then ", format="reasoning", message_id="m2"),
        event("thinking", text="the lock file.", format="reasoning", message_id="m2"),
        event("token", text="And the lock.", message_id="m2"),
        event("phase_finished", seq=7, status="done", duration_ms=3.0),
    ]
    pane = EventFormatter(PANE)
    assert [plain(line)[len(WHEN) + 16 :] for e in phase for line in pane.feed(e)] == [
        "▶ started", "thinking: …the usual", "thinking: Then the lock file.", "■ done in 3ms",
    ]  # fmt: skip
    log = EventFormatter(LOG)
    assert [plain(line)[len(WHEN) + 18 :] for e in phase for line in log.feed(e)] == [
        "▶ started", "thinking: …the usual", "answer: It is the cache.", "thinking: Then the lock file.", "answer: And the lock.",
        "■ done in 3ms",
    ]  # fmt: skip
    folder = EventFormatter(PANE)
    folded = [f for e in phase for f in folder.fold(e)]
    assert [f.message_id for f in folded if f.kind == "thinking"] == ["m1", "m2"]
    assert pane.streams == {} and log.streams == {}


def test_the_streams_of_a_running_phase_are_visible_while_it_runs():
    pane = EventFormatter(PANE)
    for e in streamed_phase()[:4]:
        pane.feed(e)
    assert pane.streams == {("k1", "thinking", None): ["Let me ", "think."], ("k1", "token", None): ["Hel"]}
    pane.reset()
    assert pane.streams == {}


def test_folded_text_is_an_event_of_its_phase():
    pane = EventFormatter(PANE)
    folded = [f for e in streamed_phase() for f in pane.fold(e)]
    thought = next(f for f in folded if f.kind == "thinking" and f.text == "Let me think.")
    assert (thought.seq, thought.node, thought.task_id, thought.streamed) == (7, "plan", "k1", False)


def test_stored_text_reaches_no_terminal_raw():
    hostile = "\x1b]0;title\x07\u202e"
    for layout in (PANE, LOG):
        formatter = EventFormatter(layout)
        lines = [
            *formatter.feed(event("log", node=hostile, level=hostile, levelno=20, logger=hostile, message=hostile)),
            *formatter.feed(event("error", **{**ERROR, "type": hostile, "suggestion": hostile, "traceback": hostile})),
            *formatter.feed(event("tool_result", tool_call_id=None, name=hostile, content=[hostile], status=hostile)),
            *formatter.feed(event("run_started", run_id="r", thread_id=hostile)),
        ]
        for line in lines:
            assert plain(line) == visible(plain(line)), (layout, plain(line))
    # Escaped first, then padded: the where column keeps its width.
    [line] = EventFormatter(PANE).feed(event("phase_started", node="a\x1bb"))
    assert line[2] == ("a\\x1bb" + " " * 8, "where")


@pytest.mark.parametrize(
    "value",
    ["plain", "x" * 500, "two\nlines\tand a tab", "\x1b[31mred\u202e", {"a": [1, 2, {"b": "c" * 300}]}, list(range(50)), b"\x00bytes", None, 3.25],
)
def test_short_values_read_as_the_tui_renders_them(value: Any):
    from agent_debug.tui.render import short

    assert short_repr(value, 60) == short(value, 60)
    assert len(short_json(value, 40)) <= 40 if not isinstance(value, bytes) else True


def stats_of_a_run() -> RunStats:
    events = [
        event("run_started", run_id="r", time=T - 2),
        event("phase_started", task_id="k1", time=T - 1),
        event("usage", task_id="k1", input_tokens=1000, output_tokens=2000, total_tokens=3000, model="priced"),
        event("usage", task_id="k1", input_tokens=10, output_tokens=10, total_tokens=20, model=None),
        event("phase_finished", task_id="k1", status="done", duration_ms=1000.0),
        event("run_finished", run_id="r", status="done", duration_ms=2000.0),
    ]
    return RunStats.from_events(events)


def test_the_summary_of_a_run():
    prices = {"priced": {"input": 0.5, "output": 1.5}}
    lines = [plain(line) for line in EventFormatter(LOG).summary(stats_of_a_run(), prices)]
    assert lines[0] == "summary: 1 phases in 2.00s, tokens in 1010 / out 2010, cost 3.500000"
    assert lines[1].split() == ["phase", "ms", "tokens", "in/out", "status", "cost"]
    assert lines[2].split() == ["outer/plan", "1000", "1010/2010", "done", "3.500000"]
    assert lines[3] == "  no price for: (no model name) (their tokens are not in the cost)"
    assert [plain(line) for line in EventFormatter(LOG).summary(stats_of_a_run())][0].endswith("tokens in 1010 / out 2010")
    assert phases_title(stats_of_a_run(), prices) == "phases (slowest first) · cost 3.500000 · no price for (no model name)"
    record = summary_record(stats_of_a_run(), prices, thread_id="t1")
    assert record["report"] == "summary" and record["cost"] == 3.5 and record["unpriced_models"] == ["(no model name)"]
    assert record["phases"][0]["total_tokens"] == 3020


def test_the_stuck_warning():
    s = StuckPhase("k1", "plan", "", 3, T - 65, 65.04, 60.0)
    line = EventFormatter(LOG).stuck(s, T)
    assert plain(line) == f"{WHEN} {'plan':<16} ⚠ stuck? running for 65.0s (threshold 60s)"
    assert stuck_record(s, thread_id="t1", now=T) == {
        "report": "stuck", "time": T, "thread_id": "t1", "namespace": "", "step": 3, "node": "plan", "task_id": "k1",
        "started": T - 65, "elapsed_s": 65.04, "threshold_s": 60.0,
    }  # fmt: skip
