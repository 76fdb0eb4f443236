"""Issue 12, item 9: listing threads reads only what the listing shows.

SqliteSaver keeps channel values inline in each checkpoint, so a thread's latest
checkpoint can be tens of MB; ``threads`` once fetched and decoded every head whole
(11 heads of 54 MB: 838 MB of memory). Here real graph runs put a few MB into the state of
each thread, and the peak memory of ``threads --json`` over those threads is compared
with the same listing over as many threads whose state is small: it must not grow with
the size of the heads. The large heads must list exactly as small ones do.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, TypedDict

import ormsgpack
import pytest

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
THREADS = 6
BIG = 6_000_000  # bytes of state per thread
# The peak memory of the process, read in a fresh child whose only child it is.
PEAK_RSS = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)"
)


class State(TypedDict, total=False):
    size: int
    text: str
    items: list[str]
    done: bool


def _grow(state: State) -> State:
    # Half the threads hold one long string, half a long list of short ones.
    n = state["size"]
    return {"text": "x" * n} if n % 2 == 0 else {"items": [f"item {i:07d}" for i in range(n // 13)]}


def _finish(state: State) -> State:
    return {"done": True}


def write_store(path: Path, size: int) -> None:
    """``THREADS`` threads of a two-node graph, each leaving about ``size`` bytes of state."""
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    g = StateGraph(State)
    g.add_node("grow", _grow)
    g.add_node("finish", _finish)
    g.add_edge(START, "grow")
    g.add_edge("grow", "finish")
    g.add_edge("finish", END)
    conn = sqlite3.connect(path, check_same_thread=False)
    graph = g.compile(checkpointer=SqliteSaver(conn), interrupt_before=["finish"])
    for i in range(THREADS):
        graph.invoke({"size": size + i % 2}, {"configurable": {"thread_id": f"t{i}"}})
    conn.close()


def head_bytes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        (total,) = conn.execute(
            "SELECT sum(length(checkpoint)) FROM checkpoints c WHERE checkpoint_ns = '' AND checkpoint_id = "
            "(SELECT max(checkpoint_id) FROM checkpoints WHERE thread_id = c.thread_id AND checkpoint_ns = '')"
        ).fetchone()
    return int(total)


def peak_rss(*args: str) -> int:
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, *args], capture_output=True, text=True, check=True, timeout=300)
    return int(done.stdout)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("listing-memory")
    small, big = root / "small.db", root / "big.db"
    write_store(small, 2_000)
    write_store(big, BIG)
    return small, big


def test_listing_memory_does_not_grow_with_the_heads(stores: tuple[Path, Path]) -> None:
    small, big = stores
    heads = head_bytes(big)
    assert heads > THREADS * BIG * 0.9, heads  # the values really are in the heads
    listings = [json.loads(subprocess.run([AGENT_DEBUG, "threads", str(db), "--json"], capture_output=True, check=True).stdout) for db in stores]
    for listing in listings:
        assert [(t["status"], t["next"], t["read_error"]) for t in listing["threads"]] == [("pending", ["finish"], None)] * THREADS
    # Best of two each: a busy machine can only add to a peak, never take from it.
    floor = min(peak_rss(AGENT_DEBUG, "threads", str(small), "--json") for _ in range(2))
    peak = min(peak_rss(AGENT_DEBUG, "threads", str(big), "--json") for _ in range(2))
    # Decoding the heads would add more than their size; reading them in place adds a window each.
    assert peak - floor < heads * 0.1, f"peak {peak / 1e6:.1f} MB vs {floor / 1e6:.1f} MB with {heads / 1e6:.1f} MB of heads"


# -- large heads list as small ones do ------------------------------------------------------


def _unpacked(blob: bytes) -> dict[str, Any]:
    return ormsgpack.unpackb(blob, ext_hook=ormsgpack.Ext, option=ormsgpack.OPT_NON_STR_KEYS)


def test_the_skeleton_reader_reads_what_decoding_whole_reads(seeded_db: tuple[Path, Any], scenario_db: tuple[Path, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every checkpoint of two stores LangGraph wrote: walking it (every value skipped, even
    small ones) gives the channel names, maps and queued Send targets that decoding gives."""
    from agent_debug.inspector import decode
    from agent_debug.inspector.langgraph_names import TASKS
    from agent_debug.inspector.sources.checkpoints import skeleton_head

    monkeypatch.setattr(decode, "SKELETON_SMALL", 0)
    seen = sends = 0
    for path in (seeded_db[0], scenario_db[0]):
        with sqlite3.connect(path) as conn:
            for cid, type_, blob in conn.execute("SELECT checkpoint_id, type, checkpoint FROM checkpoints"):
                whole = skeleton_head("t", cid, None, 1, {}, decode.decode_structure(type_, blob))
                walked = skeleton_head("t", cid, None, 1, {}, decode.read_skeleton(lambda o, n: blob[o : o + n], len(blob), keep=(TASKS,)))
                assert walked == whole, cid
                seen += 1
                sends += bool(whole.pending_sends)
    assert seen > 400 and sends >= 3  # Sends queued in the fan-out threads


def test_large_heads_with_queued_sends_list_as_small_ones(seeded_db: tuple[Path, Any], tmp_path: Path) -> None:
    """A head of 1 MB whose queued Sends carry large arguments lists as the same head with
    small ones: the Sends' targets are read, their arguments skipped."""
    import shutil

    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from langgraph.types import Send

    from agent_debug.inspector.targets import open_source

    serde = JsonPlusSerializer()

    def with_sends(arg: str) -> bytes:
        checkpoint = _unpacked(blob)
        queued = serde.dumps_typed([Send("work", {"doc": arg}), Send("judge", arg), Send("work", [arg])])[1]
        checkpoint["channel_values"]["__pregel_tasks"] = ormsgpack.Ext(99, b"")  # placeholder, replaced below
        packed = ormsgpack.packb(checkpoint, option=ormsgpack.OPT_NON_STR_KEYS)
        placeholder = ormsgpack.packb(ormsgpack.Ext(99, b""))
        return packed.replace(placeholder, queued, 1)

    listed = []
    for arg in ("small", "y" * 500_000):
        path = tmp_path / f"{len(arg)}.db"
        shutil.copy(seeded_db[0], path)
        with sqlite3.connect(path) as conn:
            cid, blob = conn.execute(
                "SELECT checkpoint_id, checkpoint FROM checkpoints WHERE thread_id = 'loop-024-done' AND checkpoint_ns = '' "
                "ORDER BY checkpoint_id DESC LIMIT 1"
            ).fetchone()
            conn.execute("UPDATE checkpoints SET checkpoint = ? WHERE checkpoint_id = ?", (with_sends(arg), cid))
        with open_source(str(path)) as source:
            listed.append(source.thread("loop-024-done").model_dump())
    assert listed[0] == listed[1]
    assert listed[0]["next"] == ["judge", "work", "work"] and listed[0]["read_error"] is None
