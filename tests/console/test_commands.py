"""The console's commands in-process, on real stores: checkpoint references, selection,
what each command prints, and every refusal being the session's (or the source's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_debug.inspector.exceptions import UsageError
from agent_debug.inspector.session import open_session
from agent_debug.inspector.targets import open_source
from agent_debug.tui.console.commands import COMMANDS, lookup, parse_arguments
from tests.console.conftest import Console

INTERRUPTED = "feature-002-interrupted"
PENDING = "feature-004-pending"


def ids(db: Path, thread: str) -> list[str]:
    """The thread's checkpoint ids, oldest first (as the console numbers them)."""
    with open_source(str(db)) as source:
        return [c.checkpoint_id for c in reversed(source.history(thread, limit=None).checkpoints)]


# -- reading a command line ---------------------------------------------------------------


def test_a_json_argument_is_the_rest_of_the_line_spaces_and_all():
    answer = lookup("a")
    args = parse_arguments(answer, ' -i 96fa {"approved": false, "feedback": "use  orjson"} ')
    assert args.options == {"--interrupt": "96fa"} and args.words == []
    assert args.rest == '{"approved": false, "feedback": "use  orjson"}'
    replay = lookup("replay")
    args = parse_arguments(replay, '#3 --node plan {"plan": ["a b"]}')
    assert (args.words, args.options, args.rest) == (["#3"], {"--node": "plan"}, '{"plan": ["a b"]}')
    args = parse_arguments(replay, '{"plan": []}')  # no CKPT: the selected checkpoint
    assert (args.words, args.rest) == ([], '{"plan": []}')
    assert parse_arguments(lookup("answer"), "-1").rest == "-1"  # a negative number is JSON, not an option


def test_argument_mistakes_are_usage_errors():
    with pytest.raises(UsageError, match=r"^history: unexpected argument 'b'; usage: history \[N\]$"):
        parse_arguments(lookup("history"), "5 b")
    with pytest.raises(UsageError, match="replay: unknown option --nod "):
        parse_arguments(lookup("replay"), "#3 --nod plan")
    with pytest.raises(UsageError, match="--node needs a value"):
        parse_arguments(lookup("replay"), "#3 --node")


def test_every_command_has_a_unique_name_and_help(reader: Console):
    names = [n for c in COMMANDS for n in (c.name, *c.aliases)]
    assert len(names) == len(set(names))
    out = reader.ok("help")
    for command in COMMANDS:
        assert f"  {command.name}" in out
    assert "CKPT: #N or N" in reader.ok("help diff")


# -- selecting ----------------------------------------------------------------------------


def test_checkpoints_are_named_by_number_prefix_head_or_id(reader: Console, store: Path):
    rows = ids(store, INTERRUPTED)
    reader.ok(f"thread {INTERRUPTED}")
    assert reader.dbg.prompt() == f"(adb {INTERRUPTED}@{rows[-1][:13]} #7) "
    assert f"checkpoint #3 {rows[3]}" in reader.ok("ck 3")
    assert reader.dbg.checkpoint_id == rows[3]
    assert f"checkpoint #2 {rows[2]}" in reader.ok("checkpoint #2")
    assert f"checkpoint #5 {rows[5]}" in reader.ok(f"ck {rows[5][:16]}")  # a prefix only one id has
    assert f"checkpoint #6 {rows[6]}" in reader.ok(f"ck {rows[6]}")
    assert f"checkpoint #7 {rows[7]}" in reader.ok("ck head")
    assert reader.dbg.checkpoint_id is None  # head follows the newest checkpoint
    assert reader.run("ck 1f1e76de") == 1  # every id starts so: like a wrong id, exit 1
    assert "more than one checkpoint of thread 'feature-002-interrupted' starts or ends with '1f1e76de'" in reader.err
    assert reader.run("ck #99") == 1
    assert "no checkpoint #99 in thread 'feature-002-interrupted': it has #0 to #7" in reader.err
    assert reader.run("ck zz") == 1  # not ours to judge: the source says so
    assert f"no checkpoint 'zz' in thread '{INTERRUPTED}'" in reader.err


def test_checkpoints_are_named_by_the_end_the_tui_shows(reader: Console, actor: Console, store: Path):
    rows = ids(store, INTERRUPTED)
    reader.ok(f"thread {INTERRUPTED}")
    assert f"checkpoint #4 {rows[4]}" in reader.ok(f"ck {rows[4][-12:]}")  # the TUI's history shows these 12
    assert reader.dbg.checkpoint_id == rows[4]
    assert f"against checkpoint #2 {reader.dbg.short(rows[2])}" in reader.ok(f"diff {rows[2][-6:]}")
    assert reader.run(f"ck {rows[4][9:21]}") == 1  # the middle of an id names nothing
    assert f"no checkpoint '{rows[4][9:21]}' in thread '{INTERRUPTED}'" in reader.err
    actor.ok(f"thread {INTERRUPTED}")
    out = actor.ok(f'replay {rows[3][-12:]} {{"plan": ["just one"]}}')
    assert "replayed synthesize from checkpoint" in out
    with open_source(str(store)) as source:
        newest = source.history(INTERRUPTED, limit=None).checkpoints
    assert any(c.parent_id == rows[3] and c.source == "update" for c in newest)  # the branch starts at #3


def test_up_and_down_walk_parents_and_children(reader: Console, store: Path):
    rows = ids(store, INTERRUPTED)
    reader.ok(f"thread {INTERRUPTED}")
    assert f"#6 {rows[6]}" in reader.ok("up")
    assert f"#3 {rows[3]}" in reader.ok("u 3")
    assert f"#4 {rows[4]}" in reader.ok("down")
    reader.ok("ck 0")
    assert reader.run("up") == 1 and "is the first of its thread" in reader.err
    reader.ok("ck head")
    assert reader.run("down") == 1 and "is the newest of its branch" in reader.err


def test_down_follows_the_branch_of_the_newest_checkpoint_after_a_fork(actor: Console, store: Path):
    actor.ok(f"thread {INTERRUPTED}")
    actor.ok("ck 3")
    actor.ok('fork plan=["one step"]')  # #8, a child of #3 beside #4
    new = ids(store, INTERRUPTED)[8]
    actor.ok("ck 3")
    assert f"#8 {new}" in actor.ok("down")


def test_history_numbers_from_the_oldest_and_marks_the_selection(reader: Console, store: Path):
    rows = ids(store, INTERRUPTED)
    reader.ok(f"thread {INTERRUPTED}")
    reader.ok("ck 5")
    out = reader.ok("history 3")
    lines = out.splitlines()
    assert lines[0].split() == ["#", "CHECKPOINT", "STEP", "SOURCE", "BY", "THEN", "CREATED", "BRANCH"]
    assert lines[1].split()[:2] == ["#7", rows[7]] and "review" in lines[1]  # what is due after the newest
    assert lines[3].split()[:3] == [">", "#5", rows[5]]
    assert lines[-1] == f"3 of 8 checkpoints of thread {INTERRUPTED}; 'history 0' lists all"
    assert "8 of 8 checkpoints" in reader.ok("history 0")


def test_no_thread_selected_is_a_usage_error(reader: Console):
    for line in ("history", "state", "diff", "next", "answer approve"):
        assert reader.run(line) == 2
    assert reader.err.count("no thread selected: choose one with 'thread ID'") == 5


def test_namespaces_of_a_subgraph_are_listed_and_selected(scenario_db):
    db, _ = scenario_db
    with open_session(str(db)) as session:
        console = Console(session)
        console.ok("thread fanout")
        listing = console.ok("ns")
        assert "> (root)" in listing and "  writer:" in listing
        console.ok("ns writer")
        assert console.dbg.namespace.startswith("writer:")
        assert console.dbg.prompt().startswith("(adb fanout/writer@")
        assert "2 of 2 checkpoints of thread fanout in namespace writer:" in console.ok("history")
        console.ok("ns root")
        assert console.dbg.namespace == ""
        assert console.run("ns nope") == 1
        assert "thread 'fanout' has no namespace 'nope'" in console.err
        assert console.dbg.namespace == ""


# -- reading state ------------------------------------------------------------------------


def test_state_diff_messages_and_errors_at_the_selected_checkpoint(reader: Console):
    reader.ok(f"thread {INTERRUPTED}")
    assert "values at test_report.run" in reader.ok("state test_report.run")
    diff = reader.ok("diff")
    assert "against checkpoint #6" in diff
    assert "~ test_report.passed: false → true" in diff
    assert "+ plan: " in reader.ok("diff #2")
    reader.ok("ck 1")
    first = reader.ok("diff")
    assert "against checkpoint #0" in first
    reader.ok("ck 0")
    assert "against nothing (the thread's first checkpoint)" in reader.ok("diff")
    reader.ok("ck head")
    messages = reader.ok("messages")
    assert messages.startswith("5 messages at checkpoint #7") and "[4]" in messages and "thinking:" in messages
    assert "no errors pending at checkpoint #7" in reader.ok("errors")
    reader.ok("thread feature-003-error")
    errors = reader.ok("errors")
    assert "error in sandbox_test: ValueError: sandbox image 'python:9.9' not found" in errors


def test_threads_by_status_and_count(reader: Console):
    out = reader.ok("threads error")
    assert "feature-003-error" in out and "feature-001-done" not in out
    assert "1 shown of 1 error threads (12 in all)" in out
    out = reader.ok("threads 2")
    assert len([line for line in out.splitlines() if "-0" in line]) == 2 and "'threads 0' lists all" in out
    assert reader.run("threads broken") == 2 and "expected a status (interrupted, error, done, pending, unreadable)" in reader.err


def test_the_graph_needs_the_graph(reader: Console, actor: Console):
    reader.ok(f"thread {INTERRUPTED}")
    assert reader.run("graph") == 1 and "no graph to draw" in reader.err
    actor.ok(f"thread {INTERRUPTED}")
    drawing = actor.ok("graph")
    assert "review" in drawing and "legend:" in drawing and "interrupted" in drawing


# -- acting ---------------------------------------------------------------------------------


def test_next_steps_once_and_the_selection_follows_the_new_head(actor: Console, store: Path):
    actor.ok(f"thread {PENDING}")
    actor.ok("ck 2")
    out = actor.ok("n")
    rows = ids(store, PENDING)
    assert len(rows) == 8
    assert f"appended 1 checkpoint(s) to {store}: #7 {actor.dbg.short(rows[7])}" in out
    assert f"thread {PENDING} is now pending at #7" in out and "next: review" in out
    assert "sandbox_test     ▶ started" in out  # the run's events, live
    assert actor.dbg.checkpoint_id is None and actor.dbg.selected_id() == rows[7]


def test_breakpoints_toggle_clear_and_stop_a_run(actor: Console, store: Path):
    actor.ok(f"thread {PENDING}")
    assert actor.ok("b review") == "breakpoint set before review\n"
    assert actor.ok("break --after sandbox_test") == "breakpoint set after sandbox_test\n"
    assert actor.ok("break") == "breakpoints: before review, after sandbox_test\n"
    out = actor.ok("c")
    assert f"thread {PENDING} is now pending at #7" in out and "next: review" in out  # stopped after sandbox_test
    assert actor.ok("clear sandbox_test") == "breakpoint cleared after sandbox_test\n"
    assert actor.run("clear analyze") == 1 and "no breakpoint on 'analyze'" in actor.err
    assert actor.ok("b review") == "breakpoint cleared before review\n"
    assert actor.ok("clear") == "cleared 0 breakpoint(s)\n"
    assert actor.run("b nowhere") == 1
    assert "no node 'nowhere' in the graph; it has analyze, plan, review, sandbox_test, synthesize" in actor.err


def test_the_sessions_refusals_are_the_consoles(actor: Console, reader: Console):
    actor.ok(f"thread {INTERRUPTED}")
    assert actor.run("next") == 1
    assert actor.err.endswith(f"agent-debug: error: thread '{INTERRUPTED}' waits at an interrupt: answer it first (a)\n")
    actor.ok("thread feature-001-done")
    assert actor.run("answer approve") == 1
    assert actor.err.endswith("thread 'feature-001-done' is not waiting at an interrupt; nothing was sent\n")
    assert actor.run("fork nope=1") == 2 and "no state key 'nope' in the graph" in actor.err
    reader.ok(f"thread {INTERRUPTED}")
    for line in ("b review", "answer approve", "replay #3", "fork plan=[]", "continue"):
        assert reader.run(line) == 1
    assert reader.err.count("is open read-only; give the graph with --graph GRAPH_REF to act") == 5


def test_answer_shows_the_interrupt_then_sends_a_value(actor: Console, store: Path):
    actor.ok(f"thread {INTERRUPTED}")
    shown = actor.ok("answer")
    assert "interrupt 96fa4b8eb533ec7e9d2daa7b14aefa26 in review" in shown and "Approve this change?" in shown
    before = len(ids(store, INTERRUPTED))
    out = actor.ok('a -i 96fa {"approved": false, "feedback": "use orjson"}')
    assert 'sent to interrupt 96fa4b8eb533ec7e9d2daa7b14aefa26: {"approved": false, "feedback": "use orjson"}' in out
    assert "is now interrupted" in out and "waiting: interrupt" in out
    assert len(ids(store, INTERRUPTED)) > before
    with open_source(str(store)) as source:
        assert "use orjson" in source.state(INTERRUPTED).values["code"]


def test_replay_with_an_update_runs_the_phase_again_on_a_branch(actor: Console, store: Path):
    actor.ok(f"thread {INTERRUPTED}")
    out = actor.ok('replay #3 {"plan": ["just one"]}')
    assert "replayed synthesize from checkpoint" in out and "original writes:" in out and "replay writes:" in out
    assert '~ plan: ' in out and '→ ["just one"]' in out
    rows = ids(store, INTERRUPTED)
    assert len(rows) == 10
    with open_source(str(store)) as source:
        assert source.state(INTERRUPTED).values["plan"] == ["just one"]


def test_fork_sets_a_nested_path_and_keeps_the_rest_of_the_key(actor: Console, store: Path):
    actor.ok(f"thread {INTERRUPTED}")
    out = actor.ok("fork test_report.run=5")
    assert 'forked from checkpoint' in out and '"run": 5' in out
    with open_source(str(store)) as source:
        assert source.state(INTERRUPTED).values["test_report"] == {"run": 5, "passed": True, "tests": 3, "failures": []}
    assert "~ test_report.run: 2 → 5" in actor.ok("diff #7")
    assert actor.run('fork messages.0.content="x"') == 2
    assert "'messages' holds stored objects" in actor.err
    assert actor.run("fork test_report.nope.x=1") == 1 and "no value at path 'test_report.nope'" in actor.err
    assert actor.run("fork test_report") == 2 and "expected PATH=JSON" in actor.err


def test_events_of_the_runs_are_kept_and_filtered(actor: Console):
    assert "no events yet" in actor.ok("events")
    actor.ok(f"thread {PENDING}")
    actor.ok("continue")
    everything = actor.ok("events")
    assert "run started" in everything and "review" in everything
    finished = actor.ok("events phase_finished")
    assert finished.count("■") == 2 and "2 of " in finished.splitlines()[-1]
    logs = actor.ok("events log sandbox_test")
    assert "all 3 tests passed" in logs and "review" not in logs.splitlines()[0]
    assert "0 of " in actor.ok("events error")


def test_a_failing_workflow_fails_the_command(tmp_path: Path):
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    from tests.graphs import linear_builder

    db = tmp_path / "linear.db"
    conn = sqlite3.connect(db, check_same_thread=False)
    graph = linear_builder().compile(checkpointer=SqliteSaver(conn))
    graph.invoke({"x": 200}, {"configurable": {"thread_id": "big"}})
    conn.close()
    with open_session(str(db), graph=linear_builder().compile()) as session:
        console = Console(session)
        console.ok("thread big")
        assert console.run("answer true") == 1
        assert "thread big is now error" in console.out
        assert console.err.endswith("agent-debug: error: the workflow failed in finish: ValueError: x too large: 211\n")


def test_an_unexpected_exception_is_one_line_without_debug(reader: Console, monkeypatch):
    reader.ok(f"thread {INTERRUPTED}")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(reader.session.source, "state", broken)
    assert reader.run("state") == 1
    assert reader.err == "agent-debug: internal error: RuntimeError: boom (run with --debug for the traceback)\n"


def test_events_of_a_recording_are_shown_too():
    recording = Path(__file__).resolve().parents[1] / "data" / "events.ndjson"
    with open_session(str(recording)) as session:
        console = Console(session)
        out = console.ok("events error plan")
    assert "plan             ✖ RateLimitError (attempt 1, will retry)" in out
    assert out.splitlines()[-1] == "1 of 270 events matching error plan"  # the one retried failure of the recorded run
