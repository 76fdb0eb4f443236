"""The interactive loop through prompt-toolkit's pipe input: tab completion, the history
kept across sessions, an empty line repeating ``next``, Ctrl-C and Ctrl-D at the prompt."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from agent_debug.tui.console.completion import ConsoleCompleter
from agent_debug.tui.console.repl import interactive
from tests.console.conftest import Console

INTERRUPTED = "feature-002-interrupted"
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"


def drive(console: Console, keys: str, history_file: Path | None = None) -> int:
    """Type ``keys`` at the console's prompt (it must end by quitting); its exit status."""
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        return interactive(console.dbg, history_file=history_file, input=pipe, output=DummyOutput())


def completions(console: Console, text: str) -> list[str]:
    found = ConsoleCompleter(console.dbg).get_completions(Document(text), CompleteEvent(completion_requested=True))
    return [c.text for c in found]


def test_tab_completes_a_command_then_a_thread_id(reader: Console):
    status = drive(reader, "his\t\nthread feature-002-int\t\nhis\t 2\nquit\n")
    assert status == 0
    out = reader.out
    assert out.startswith("agent-debug console on ")  # the banner
    assert "no thread selected" in reader.err  # 'his<Tab>' ran history before a thread was chosen
    assert f"thread {INTERRUPTED}: interrupted at #7" in out
    assert f"2 of 8 checkpoints of thread {INTERRUPTED}" in out


def test_tab_completes_checkpoints_state_paths_and_nodes(reader: Console, actor: Console):
    reader.ok(f"thread {INTERRUPTED}")
    # Every id of the thread starts alike: Tab inserts what they share, as readline does.
    drive(reader, "ck 1f1e76de-b3f\t\nck head\nstate test_rep\t.pas\t\nquit\n")
    assert "checkpoint #3 1f1e76de-b3ff-61c6-8002-68b3ecea9f61" in reader.out
    assert "values at test_report.passed" in reader.out
    actor.ok(f"thread {INTERRUPTED}")
    drive(actor, "break rev\t\nquit\n")
    assert "breakpoint set before review" in actor.out


def test_a_checkpoint_completes_from_the_end_the_tui_shows(reader: Console, store: Path):
    from agent_debug.inspector.targets import open_source

    with open_source(str(store)) as source:
        rows = [c.checkpoint_id for c in reversed(source.history(INTERRUPTED, limit=None).checkpoints)]
    reader.ok(f"thread {INTERRUPTED}")
    assert completions(reader, f"ck {rows[5][-12:-6]}") == [rows[5]]  # a part of the 12 the TUI shows
    assert completions(reader, f"diff {rows[5][-12:]}") == [rows[5]]
    assert completions(reader, f"ck {rows[5][9:14]}") == []  # the middle of the id: not what the TUI shows


def test_what_each_argument_completes_to(reader: Console, actor: Console):
    assert completions(reader, "thr") == ["threads", "thread"]
    assert completions(reader, "") [:3] == ["threads", "thread", "history"]
    assert completions(reader, "threads int") == ["interrupted"]
    assert "supervisor-009-interrupted" in completions(reader, "thread su")
    reader.ok(f"thread {INTERRUPTED}")
    assert completions(reader, "ck #")[:2] == ["#7", "#6"]
    assert completions(reader, "diff he") == ["head"]
    assert completions(reader, "state test_report.") == [f"test_report.{k}" for k in ("run", "passed", "tests", "failures")]
    assert completions(reader, "state messages.0.ty") == ["messages.0.type"]  # stored objects' fields, not '__type__'
    assert completions(reader, "answer ") == ["approve", "reject"]
    assert completions(reader, "answer -i ") == ["96fa4b8eb533ec7e9d2daa7b14aefa26"]
    assert completions(reader, "replay --n") == ["--node"]
    assert completions(reader, "events phase") == ["phase_started", "phase_finished"]
    assert completions(reader, "events error to") == ["token", "tool_call", "tool_result"]  # each word a kind
    assert completions(reader, "thread feature-002-interrupted x") == []  # a thread id is the whole rest
    assert completions(reader, "help dif") == ["diff"]
    assert completions(reader, "fork pl") == ["plan"]
    assert completions(reader, "break ") == []  # read-only: no graph, no nodes
    assert completions(actor, "break --after sand") == ["sandbox_test"]
    assert completions(actor, "replay #3 --node s") == ["sandbox_test", "synthesize"]
    assert completions(reader, "nosuch x") == []


def test_history_is_kept_across_sessions(reader: Console, store: Path, tmp_path: Path):
    history = tmp_path / "state" / "agent-debug" / "console_history"
    drive(reader, f"thread {INTERRUPTED}\nhistory 1\nquit\n", history_file=history)
    kept = history.read_text()
    assert f"+thread {INTERRUPTED}\n" in kept and "+history 1\n" in kept
    from agent_debug.inspector.session import open_session

    with open_session(str(store)) as session:
        again = Console(session)
        # Up recalls 'quit', then 'history 1', then the thread command of the other session.
        drive(again, f"{UP}{UP}{UP}\nquit\n", history_file=history)
    assert f"thread {INTERRUPTED}: interrupted at #7" in again.out


def test_an_empty_line_repeats_next_but_not_other_commands(actor: Console, store: Path):
    actor.ok("thread feature-004-pending")
    drive(actor, "history 1\n\nn\n\nquit\n")
    assert actor.out.count("1 of 7 checkpoints") == 1  # history is not repeated
    assert actor.out.count("run started") == 2  # next, then next again
    assert "thread feature-004-pending is now interrupted" in actor.out


def test_ctrl_c_drops_the_line_and_ctrl_d_leaves(reader: Console):
    assert drive(reader, f"threads broken{CTRL_C}thread {INTERRUPTED}\n{CTRL_D}") == 0
    assert reader.err == ""  # the dropped line never ran
    assert f"thread {INTERRUPTED}: interrupted" in reader.out


def test_a_failing_command_keeps_the_prompt(reader: Console):
    assert drive(reader, "bogus\nnext\nthreads\nquit\n") == 0
    assert reader.err.splitlines() == [
        "agent-debug: error: unknown command 'bogus' ('help' lists the commands)",
        "agent-debug: error: no thread selected: choose one with 'thread ID' ('threads' lists them)",
    ]
    assert "THREAD" in reader.out
