"""The state of a long deepagents thread (messages and files in DeltaChannels), rebuilt by
``agent-debug state`` without the graph, against LangGraph's ``graph.get_state()``.

Builds (once) a SQLite store with one deepagents thread of ``--turns`` tool turns (each
turn writes a file and answers, so ``messages`` snapshots every 50 updates and ``files``
is rebuilt from writes over many steps), then times, best of ``--repeat``:

- whole processes: ``agent-debug state DB --thread T --json`` against a script that
  imports deepagents, builds the agent and calls ``get_state`` (what a user would run);
- in one process with imports done: our ``source.state()`` against ``get_state()``;

and checks that both give the same values. Run:
``.venv/bin/python benchmarks/delta_state.py`` (``--rebuild`` to reseed). Needs the
``test`` extra (deepagents).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
THREAD = "deep-long"

AGENT = textwrap.dedent(
    """
    from deepagents import create_deep_agent
    from agent_debug.fixtures.chat_model import ScriptedChatModel, ScriptedReply, ScriptedToolCall

    def script(messages, tools):
        turns = sum(1 for m in messages if type(m).__name__ == "ToolMessage")
        if turns < TURNS:
            return ScriptedReply(
                text=f"note {turns}",
                tool_calls=(ScriptedToolCall("write_file", {"file_path": f"/notes/{turns}.md", "content": "x" * 200}),),
            )
        return ScriptedReply(text="all notes written")

    def build(saver):
        return create_deep_agent(model=ScriptedChatModel(script=script), tools=[], checkpointer=saver)
    """
)

API = textwrap.dedent(
    """
    import sqlite3, sys
    from langgraph.checkpoint.sqlite import SqliteSaver
    TURNS = int(sys.argv[3])
    exec(open(sys.argv[4]).read())
    saver = SqliteSaver(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, check_same_thread=False))
    state = build(saver).get_state({"configurable": {"thread_id": sys.argv[2]}})
    print(len(state.values["messages"]), len(state.values["files"]))
    """
)


def agent_source(path: Path) -> Path:
    path.write_text(AGENT)
    return path


def build(db: Path, turns: int, module: Path) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    namespace: dict[str, Any] = {"TURNS": turns}
    exec(module.read_text(), namespace)
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db, check_same_thread=False)
    t0 = time.perf_counter()
    agent = namespace["build"](SqliteSaver(conn))
    agent.invoke({"messages": [{"role": "user", "content": "write notes"}]}, {"configurable": {"thread_id": THREAD}, "recursion_limit": 10_000})
    conn.close()
    print(f"seeded {turns} turns in {time.perf_counter() - t0:.0f} s")


def best(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    work = HERE / ".data"
    work.mkdir(exist_ok=True)
    db = work / f"deep-{args.turns}.db"
    module = agent_source(work / "deep_agent_bench.py")
    if args.rebuild or not db.exists():
        db.unlink(missing_ok=True)
        build(db, args.turns, module)

    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent_debug.inspector.decode import to_plain
    from agent_debug.inspector.targets import open_source

    namespace: dict[str, Any] = {"TURNS": args.turns}
    exec(module.read_text(), namespace)
    saver = SqliteSaver(sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False))
    agent = namespace["build"](saver)
    config = {"configurable": {"thread_id": THREAD}}
    with open_source(str(db)) as source:
        ours = json.loads(source.state(THREAD).model_dump_json())["values"]
        count = source.thread(THREAD).checkpoint_count
        theirs = json.loads(json.dumps(to_plain(agent.get_state(config).values), default=str))
        assert ours == theirs, "the rebuilt state differs from get_state"

        def inproc(fn) -> float:
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            return min(times)

        ours_in = inproc(lambda: source.state(THREAD))
        theirs_in = inproc(lambda: agent.get_state(config))
    ours_proc = best([AGENT_DEBUG, "state", str(db), "--thread", THREAD, "--json"], args.repeat)
    api = work / "api_state.py"
    api.write_text(API)
    theirs_proc = best([sys.executable, str(api), str(db), THREAD, str(args.turns), str(module)], args.repeat)
    print(f"thread of {count} checkpoints, {len(ours['messages'])} messages, {len(ours['files'])} files (values equal)")
    print(f"| whole process | {ours_proc:.3f} s | {theirs_proc:.3f} s | {theirs_proc / ours_proc:.1f}x faster |")
    print(f"| in one process | {ours_in * 1000:.1f} ms | {theirs_in * 1000:.1f} ms | {theirs_in / ours_in:.1f}x faster |")


if __name__ == "__main__":
    main()
