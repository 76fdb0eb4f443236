"""agent-debug on a LangGraph server: listings against ``langgraph_sdk``, first paint against a store, token lag.

Starts a real ``langgraph dev`` on the test graphs (tests/server/graphs.py) the way the
test suite does (``tests.server_proc.start_langgraph_server``: the same config, the same
offline switches) and seeds it with 60 threads: 12 runs each of ``review`` (interrupted),
``nested`` (a subgraph), ``failing`` (an error), ``chat`` and ``slow`` (streamed tokens
with thinking). One ``nested`` thread then gets state updates (``POST
/threads/{id}/state``, a checkpoint each) up to 500 checkpoints. The same graphs with the
same inputs, thread ids and updates run locally into a SQLite store (LangGraph's own
saver), the store of the first-paint comparison. Then, in one run:

1. whole processes, median of ``--repeat`` after one warm-up, the two sides taking turns:
   ``agent-debug threads URL --limit 0 --json`` against a ``langgraph_sdk`` script that
   lists the same threads (``threads.count``, ``threads.search``) with what the listing
   shows of each (its latest state and the parent that names the node which made it:
   ``threads.get_history(limit=2)``, the requests agent-debug makes, one after another)
   and prints them as JSON; and
   ``agent-debug history URL --thread T --limit 0 --json`` on the 500-checkpoint thread
   against ``threads.get_history(limit=50, before=...)`` paged to the end, printed as JSON.
   Then the same in one process with every import done (the work without start-up), and
   which heavy packages the two commands import;
2. first paint in a real terminal, ``agent-debug attach URL`` against ``agent-debug attach
   store.db``: ``benchmarks/tui_startup.py``'s tmux measurement (``tmux new-window`` on a
   running tmux server until a thread row is on screen), taking turns, after a warm-up;
3. live token lag: a ``slow`` run waits on its gate file; ``agent-debug attach URL
   --thread T`` in tmux shows the Events tab until it has joined the run; a second
   client of the same stream (this process, ``messages-tuple``) stamps each token as it
   arrives; the gate opens, the run streams its second reply (thinking, then the
   answer), and ``capture-pane`` is polled until the reply is on screen: the first
   token's lag is the longest any token waits (the pane shows the answer's tokens in a
   streaming preview while the phase runs, and the thinking as one line when it ends);
   the last token's lag counts when a capture caught the preview (the scripted model
   sends the whole reply within tens of milliseconds, so the preview may last a frame).

Run: ``.venv/bin/python benchmarks/server_bench.py [--repeat 5] [--live-repeat 3]`` (or
``python -m benchmarks.server_bench``); about two to three minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks import tui_startup  # noqa: E402
from benchmarks.tui_startup import AGENT_DEBUG, child_env, first_paint_tmux, machine  # noqa: E402
from tests.server_proc import LangGraphServer, start_langgraph_server, stop_langgraph_server  # noqa: E402

PER_GRAPH = 12
"""Threads per graph: 5 graphs, 60 threads."""
LONG_CHECKPOINTS = 500
INPUTS: dict[str, Any] = {
    "review": {"draft": "release notes"},
    "nested": {"n": 0},
    "failing": {"n": 0},
    "chat": {"messages": [{"role": "user", "content": "why does the build fail?"}]},
    "slow": {"messages": [{"role": "user", "content": "why does the build fail?"}]},
}
LONG_GRAPH = "nested"
LONG_AS_NODE = "finish"
# A server's thread ids are UUIDs (it refuses others): a row on screen shows one, if only
# its start in a narrow column.
UUID_START = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-")
HEAVY = ("pydantic", "rich", "textual", "langgraph", "langchain_core", "langgraph_sdk", "httpx", "orjson")
LIVE_SIZE = (250, 48)
"""Wide enough for the streamed answer's preview line to hold the whole reply."""
LIVE_MODES = ["tasks", "messages-tuple", "custom", "updates", "checkpoints"]
"""What a run is started with for every event to show (server_events.WANTED_MODES)."""
# On screen: the reply, its streamed preview or its folded thinking line, whichever comes
# first; and its last token (" file."), which only the preview shows, while the phase runs.
FIRST_ON_SCREEN = re.compile(r"streaming (?:thinking|token): …|thinking: The user")
LAST_ON_SCREEN = re.compile(r"lock file\.")
RUN_END_ON_SCREEN = re.compile(r"run finished")


# -- the threads ------------------------------------------------------------------------


def seed(server: LangGraphServer, db: Path) -> tuple[list[tuple[str, str]], str]:
    """Run every graph PER_GRAPH times on the server (4 at a time, as many as it runs at once)
    and grow one ``nested`` thread to LONG_CHECKPOINTS; meanwhile the same into ``db``
    (``seed_store``). ``([(thread_id, graph)], the long thread)``."""
    graphs = [name for name in INPUTS for _ in range(PER_GRAPH)]
    threads = [(server.create_thread(), g) for g in graphs]
    long = next(tid for tid, g in threads if g == LONG_GRAPH)
    with ThreadPoolExecutor(5) as pool:
        local = pool.submit(seed_store, db, threads, long)
        list(pool.map(lambda row: server.run(row[1], INPUTS[row[1]], thread_id=row[0]), threads))
        with server.client() as http:
            have = len(http.post(f"/threads/{long}/history", json={"limit": 100}).json())
            for i in range(LONG_CHECKPOINTS - have):
                http.post(f"/threads/{long}/state", json={"values": {"n": 1000 + i}, "as_node": LONG_AS_NODE}).raise_for_status()
        local.result()
    return threads, long


def seed_store(db: Path, threads: list[tuple[str, str]], long: str) -> None:
    """The same runs (graphs, inputs, thread ids, updates) in a local SQLite store."""
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    from tests.server import graphs

    async def run() -> None:
        # AsyncSqliteSaver: the chat graphs' nodes are async, SqliteSaver has no async methods.
        async with AsyncSqliteSaver.from_conn_string(str(db)) as saver:
            compiled = {name: getattr(graphs, name).builder.compile(checkpointer=saver) for name in INPUTS}
            for thread_id, name in threads:
                try:
                    await compiled[name].ainvoke(INPUTS[name], {"configurable": {"thread_id": thread_id}})
                except ValueError:
                    assert name == "failing"
            config: Any = {"configurable": {"thread_id": long}}
            have = len([s async for s in compiled[LONG_GRAPH].aget_state_history(config)])
            for i in range(LONG_CHECKPOINTS - have):
                config = await compiled[LONG_GRAPH].aupdate_state(config, {"n": 1000 + i}, as_node=LONG_AS_NODE)

    asyncio.run(run())


# -- 1. listings: agent-debug against langgraph_sdk ---------------------------------------

SDK_THREADS = textwrap.dedent(
    """
    import json, sys
    from langgraph_sdk import get_sync_client
    client = get_sync_client(url=sys.argv[1], api_key=None)
    total = client.threads.count()
    threads = client.threads.search(limit=int(sys.argv[2]), sort_by="updated_at", sort_order="desc")
    rows = [{"thread": t, "states": client.threads.get_history(t["thread_id"], limit=2)} for t in threads]
    print(json.dumps(rows, default=str))
    """
)

SDK_HISTORY = textwrap.dedent(
    """
    import json, sys
    from langgraph_sdk import get_sync_client
    client = get_sync_client(url=sys.argv[1], api_key=None)
    rows, before = [], None
    while True:
        page = client.threads.get_history(sys.argv[2], limit=50, before=before)
        rows.extend(page)
        if len(page) < 50:
            break
        # The form of `before` the server takes.
        before = {"configurable": {"checkpoint_id": page[-1]["checkpoint"]["checkpoint_id"]}}
    print(json.dumps(rows, default=str))
    """
)

IN_PROCESS = textwrap.dedent(
    """
    import contextlib, gc, io, json, statistics, sys, time
    from langgraph_sdk import get_sync_client
    from agent_debug.tui.cli import main
    import agent_debug.inspector.sources.server, agent_debug.tui.cli.threads, agent_debug.tui.cli.history
    url, long, count, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    client = get_sync_client(url=url, api_key=None)
    def ours(*argv):
        with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):  # --json writes bytes to stdout.buffer
            assert main(list(argv)) == 0
    def sdk_threads():
        client.threads.count()
        threads = client.threads.search(limit=count, sort_by="updated_at", sort_order="desc")
        json.dumps([{"thread": t, "states": client.threads.get_history(t["thread_id"], limit=2)} for t in threads], default=str)
    def sdk_history():
        rows, before = [], None
        while True:
            page = client.threads.get_history(long, limit=50, before=before)
            rows.extend(page)
            if len(page) < 50:
                break
            before = {"configurable": {"checkpoint_id": page[-1]["checkpoint"]["checkpoint_id"]}}
        json.dumps(rows, default=str)
    sides = {
        "ours threads": lambda: ours("threads", url, "--limit", "0", "--json"),
        "sdk threads": sdk_threads,
        "ours history": lambda: ours("history", url, "--thread", long, "--limit", "0", "--json"),
        "sdk history": sdk_history,
    }
    for fn in sides.values():
        fn()  # warm: connections, lazy imports, first schema builds
    gc.collect()
    gc.freeze()  # both sides alike: the collector skips what the imports made
    times = {name: [] for name in sides}
    for _ in range(repeat):
        for name, fn in sides.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    print(json.dumps(times))
    """
)


def run_json(cmd: list[str]) -> Any:
    done = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd[:3])} … failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def alternating(commands: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Wall times of whole processes, ``repeat`` each after one warm-up each, taking turns
    (so that a busy moment of the machine falls on both sides)."""
    env = child_env()
    times: dict[str, list[float]] = {name: [] for name in commands}
    for n in range(repeat + 1):
        for name, cmd in commands.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, timeout=120)
            if n:
                times[name].append(time.perf_counter() - t0)
    return times


IMPORTS_PROBE = textwrap.dedent(
    """
    import atexit, json, sys
    heavy = sys.argv.pop(1).split(",")
    atexit.register(lambda: sys.stderr.write("\\nIMPORTED " + json.dumps([h for h in heavy if h in sys.modules]) + "\\n"))
    from agent_debug.tui.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def heavy_imports(args: list[str]) -> list[str]:
    """The packages of HEAVY that ``agent-debug ARGS`` has imported when it exits."""
    done = subprocess.run([sys.executable, "-c", IMPORTS_PROBE, ",".join(HEAVY), *args],
                          capture_output=True, text=True, env=child_env(), timeout=120)
    found = re.search(r"^IMPORTED (.*)$", done.stderr, re.M)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"import probe failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(found.group(1))


# -- 2. first paint in tmux ------------------------------------------------------------------


def first_paints(targets: dict[str, str], repeat: int) -> dict[str, list[float]]:
    """Seconds to a thread row on screen for each target, ``repeat`` runs each after one
    warm-up each, taking turns."""
    # tui_startup looks for its own stores' thread ids; these are UUIDs.
    tui_startup.THREAD_ID = UUID_START
    times: dict[str, list[float]] = {name: [] for name in targets}
    for n in range(repeat + 1):
        for name, target in targets.items():
            # first_paint_tmux only puts str(target) on the command line: a URL passes as it is.
            shown, _ = first_paint_tmux(target, 1)  # type: ignore[arg-type]
            if not shown:
                raise RuntimeError("tmux is missing (bash .ci/install-system-packages)")
            if n:
                times[name].extend(shown)
    return times


# -- 3. live token lag -------------------------------------------------------------------------


@contextmanager
def tmux_session(size: tuple[int, int]) -> Iterator[Any]:
    """A tmux server with one idle session ``bench`` of ``size``; yields ``tmux(*args) -> stdout``."""
    env = child_env()
    env.update(TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
    folder = Path(tempfile.mkdtemp(prefix="ad-bench-"))
    base = ["tmux", "-S", str(folder / "tmux.sock")]

    def tmux(*args: str) -> str:
        return subprocess.run([*base, *args], capture_output=True, text=True, env=env, check=True, timeout=10).stdout

    try:
        tmux("-f", os.devnull, "start-server", ";", "set-option", "-g", "default-terminal", "xterm-256color", ";",
             "new-session", "-d", "-s", "bench", "-x", str(size[0]), "-y", str(size[1]), "sleep 3600")
        yield tmux
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, env=env)
        shutil.rmtree(folder, ignore_errors=True)


def _screen_until(tmux: Any, window: str, pattern: re.Pattern[str], what: str, deadline: float = 60.0) -> str:
    end = time.monotonic() + deadline
    while True:
        screen = tmux("capture-pane", "-p", "-t", f"bench:{window}")
        if pattern.search(screen):
            return screen
        if time.monotonic() > end:
            raise RuntimeError(f"{what}: not on screen after {deadline:.0f} s:\n{screen}")
        time.sleep(0.02)  # a poll interval


class StreamStamps:
    """A second client of a run's stream (messages-tuple): when each token arrived, in
    this process's monotonic time, as ``(time, kind, text)`` with kind ``reasoning``/``text``."""

    def __init__(self, url: str, thread_id: str, run_id: str) -> None:
        self.tokens: list[tuple[float, str, str]] = []
        self.opened = threading.Event()
        self._path = f"/threads/{thread_id}/runs/{run_id}/stream"
        self._url = url
        self._thread = threading.Thread(target=self._listen, daemon=True)

    def start(self) -> StreamStamps:
        self._thread.start()
        if not self.opened.wait(30):
            raise RuntimeError("the reference stream did not open")
        return self

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _listen(self) -> None:
        params = {"stream_mode": json.dumps(["messages-tuple"])}
        with httpx.Client(base_url=self._url, timeout=httpx.Timeout(None, connect=5), trust_env=False) as http:
            with http.stream("GET", self._path, params=params, headers={"accept": "text/event-stream"}) as response:
                response.raise_for_status()
                self.opened.set()
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    now = time.monotonic()
                    try:
                        chunk = json.loads(line[5:])[0]
                    except (ValueError, IndexError, KeyError, TypeError):
                        continue
                    content = chunk.get("content") if isinstance(chunk, dict) else None
                    for block in content if isinstance(content, list) else []:
                        if isinstance(block, dict) and block.get("type") in ("reasoning", "text"):
                            self.tokens.append((now, block["type"], str(block.get(block["type"], ""))))


def live_token_lag(server: LangGraphServer, repeat: int, workdir: Path) -> list[dict[str, float]]:
    """Per run: seconds from the reference client's first token of the reply to the screen
    first showing the reply (``first``: the longest any token waits), and from its last token
    to the screen showing that (``last``; missing when no capture caught the preview)."""
    url = server.url
    results = []
    with tmux_session(LIVE_SIZE) as tmux:
        for n in range(repeat):
            gate = workdir / f"gate-{n}"
            thread_id, run = server.start_run("slow", {**INPUTS["slow"], "gate": str(gate)}, stream_mode=LIVE_MODES)
            window = f"live{n}"
            tmux("new-window", "-d", "-t", "bench", "-n", window, shlex.join([AGENT_DEBUG, "attach", url, "--thread", thread_id]))
            try:
                _screen_until(tmux, window, UUID_START, "the thread list")
                tmux("send-keys", "-t", f"bench:{window}", "l")
                before = _screen_until(tmux, window, re.compile(r"joined run"), "the app joining the run")
                stamps = StreamStamps(url, thread_id, run["run_id"]).start()
                # "joined run" is said just before the app's own stream opens (one loopback
                # request): let it open, or the tokens would go by before it listens.
                time.sleep(0.5)
                if FIRST_ON_SCREEN.search(before) or LAST_ON_SCREEN.search(before):
                    raise RuntimeError(f"the reply is on screen before the run goes on:\n{before}")
                gate.touch()
                seen: dict[str, float] = {}
                preview = False
                end = time.monotonic() + 30
                while len(seen) < 2 and time.monotonic() < end:
                    t0 = time.monotonic()
                    screen = tmux("capture-pane", "-p", "-t", f"bench:{window}")
                    at = (t0 + time.monotonic()) / 2  # the capture's own time, ~5-15 ms, halved
                    for name, pattern in (("first", FIRST_ON_SCREEN), ("last", LAST_ON_SCREEN)):
                        found = pattern.search(screen)
                        if name not in seen and found:
                            seen[name] = at
                            if name == "first":
                                preview = found.group().startswith("streaming")
                    if RUN_END_ON_SCREEN.search(screen):
                        # What the run sent is all in: a token not on screen 1 s later never shows.
                        end = min(end, t0 + 1.0)
                    time.sleep(0.005)
                server.join(thread_id, run["run_id"])
                stamps.join(10)
                sent = [t for t, _, text in stamps.tokens if text.strip()]
                answer = [t for t, kind, text in stamps.tokens if kind == "text" and text.strip()]
                if not sent or not answer:
                    raise RuntimeError(f"the reference stream saw no tokens: {stamps.tokens!r}")
                result = {"server_span": sent[-1] - sent[0], "tokens": len(sent)}
                if "first" in seen:
                    result["first"] = seen["first"] - sent[0]
                    result["by_preview"] = float(preview)
                if "last" in seen:
                    result["last"] = seen["last"] - answer[-1]
                results.append(result)
            finally:
                tmux("send-keys", "-t", f"bench:{window}", "q")
                end = time.monotonic() + 10  # gone before the next run: it would keep polling the server
                while window in tmux("list-windows", "-t", "bench", "-F", "#{window_name}") and time.monotonic() < end:
                    time.sleep(0.05)
    return results


# -- report --------------------------------------------------------------------------------


def med(values: list[float]) -> float:
    return statistics.median(values)


def secs(values: list[float]) -> str:
    return f"{med(values):.2f} s (best {min(values):.2f})"


def msecs(values: list[float]) -> str:
    return f"{med(values) * 1000:.0f} ms (best {min(values) * 1000:.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (median shown)")
    parser.add_argument("--live-repeat", type=int, default=3, help="runs of the live token measurement")
    args = parser.parse_args()
    r = args.repeat
    if shutil.which("tmux") is None:
        print("tmux is missing: bash .ci/install-system-packages", file=sys.stderr)
        return 1

    t_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="agent-debug-server-bench-") as tmp:
        workdir = Path(tmp) / "server"
        workdir.mkdir()
        t0 = time.monotonic()
        server = start_langgraph_server(workdir)
        started = time.monotonic() - t0
        try:
            url = server.url
            db = Path(tmp) / "store.db"
            t0 = time.monotonic()
            threads, long = seed(server, db)
            print(f"langgraph dev up in {started:.1f} s; {len(threads)} threads (one of {LONG_CHECKPOINTS} checkpoints) "
                  f"on it and in a SQLite store in {time.monotonic() - t0:.1f} s", flush=True)

            py = sys.executable
            ours_threads = [AGENT_DEBUG, "threads", url, "--limit", "0", "--json"]
            sdk_threads = [py, "-c", SDK_THREADS, url, str(len(threads))]
            ours_history = [AGENT_DEBUG, "history", url, "--thread", long, "--limit", "0", "--json"]
            sdk_history = [py, "-c", SDK_HISTORY, url, long]
            store_threads = [AGENT_DEBUG, "threads", str(db), "--limit", "0", "--json"]
            store_history = [AGENT_DEBUG, "history", str(db), "--thread", long, "--limit", "0", "--json"]

            # Each side lists the same things (and the store the same threads and checkpoints).
            counts = {
                "threads": (len(run_json(ours_threads)["threads"]), len(run_json(sdk_threads)),
                            len(run_json(store_threads)["threads"]), len(threads)),
                "checkpoints": (len(run_json(ours_history)["checkpoints"]), len(run_json(sdk_history)),
                                len(run_json(store_history)["checkpoints"]), LONG_CHECKPOINTS),
            }
            for what, (ours_n, sdk_n, store_n, want) in counts.items():
                if not ours_n == sdk_n == store_n == want:
                    raise RuntimeError(f"{what} listed: agent-debug {ours_n}, langgraph_sdk {sdk_n}, store {store_n}; seeded {want}")

            listing = alternating({"ours": ours_threads, "sdk": sdk_threads}, r)
            paging = alternating({"ours": ours_history, "sdk": sdk_history}, r)
            probe = subprocess.run([py, "-c", IN_PROCESS, url, long, str(len(threads)), str(r)],
                                   capture_output=True, text=True, env=child_env(), timeout=300)
            if probe.returncode != 0:
                raise RuntimeError(f"the in-process timing failed ({probe.returncode}):\n{probe.stderr[-2000:]}")
            in_process = json.loads(probe.stdout)
            on_store = alternating({"threads": store_threads, "history": store_history}, r)
            imports = {"threads": heavy_imports(ours_threads[1:]), "history": heavy_imports(ours_history[1:])}
            sdk_import = alternating({"sdk": [py, "-c", "import langgraph_sdk"], "bare": [py, "-c", "pass"]}, r)
            print(f"listings timed ({time.monotonic() - t_start:.0f} s)", flush=True)
            paints = first_paints({"server": url, "store": str(db)}, r)
            print(f"first paint timed ({time.monotonic() - t_start:.0f} s)", flush=True)
            lags = live_token_lag(server, args.live_repeat, Path(tmp))
            print(f"token lag timed ({time.monotonic() - t_start:.0f} s)", flush=True)
        finally:
            stop_langgraph_server(server.process)

    def faster(ours: list[float], theirs: list[float]) -> float:
        return med(theirs) / med(ours)

    def verdict(ok: bool) -> str:
        return "✓" if ok else "✗ missed"

    rows: list[tuple[str, str, str, str, str]] = []
    ratio = faster(listing["ours"], listing["sdk"])
    rows.append((f"{len(threads)} threads with their status (`threads URL --limit 0 --json`)", f"{ratio:.1f}× faster",
                 secs(listing["ours"]), f"{secs(listing['sdk'])}: langgraph_sdk `threads.count` + `search` + `get_history(limit=2)` each",
                 f"≥ 3× {verdict(ratio >= 3)}"))
    ratio = faster(paging["ours"], paging["sdk"])
    rows.append((f"history of {LONG_CHECKPOINTS} checkpoints (`history URL --thread T --limit 0 --json`)", f"{ratio:.1f}× faster",
                 secs(paging["ours"]), f"{secs(paging['sdk'])}: langgraph_sdk `get_history(limit=50, before=…)` paged",
                 f"≥ 3× {verdict(ratio >= 3)}"))
    for what in ("threads", "history"):
        ours_t, sdk_t = in_process[f"ours {what}"], in_process[f"sdk {what}"]
        rows.append((f"… the same in one process, imports done ({what})", f"{faster(ours_t, sdk_t):.1f}×",
                     msecs(ours_t), msecs(sdk_t), ""))
    rows.append(("… start-up alone: `python -c 'import langgraph_sdk'` / `python -c pass`", "", "",
                 f"{secs(sdk_import['sdk'])} / {secs(sdk_import['bare'])}", ""))
    rows.append(("… the same listings on the SQLite store (threads / history)", "", f"{secs(on_store['threads'])} / {secs(on_store['history'])}", "", ""))
    slower = med(paints["server"]) / med(paints["store"])
    rows.append((f"first paint in tmux, `attach URL` against `attach store.db` ({len(threads)} threads each)", f"{slower:.2f}×",
                 secs(paints["server"]), f"{secs(paints['store'])}: the SQLite store", f"≤ 1.5× {verdict(slower <= 1.5)}"))
    firsts = [x["first"] for x in lags if "first" in x]
    lasts = [x["last"] for x in lags if "last" in x]
    span = [x["server_span"] for x in lags]
    previews = sum(int(x.get("by_preview", 0)) for x in lags)
    live = (f"first token {msecs(firsts)}, worst {max(firsts) * 1000:.0f} ms (the streaming preview showed it first "
            f"in {previews} of {len(firsts)} runs, else the folded thinking line)") if firsts else "first token never shown"
    live += f"; last token (preview) {msecs(lasts)} in the {len(lasts)} of {len(lags)} runs a capture caught it" if lasts else \
        f"; last token: no capture caught its preview in {len(lags)} runs"
    ok = len(firsts) == len(lags) and max(firsts + lasts) <= 0.5
    rows.append((f"live token lag, server → tmux pane (`slow` run joined by `attach URL`; {len(lags)} runs)", "", live,
                 f"the server sent the reply's {max(x['tokens'] for x in lags):.0f} tokens within {msecs(span)}", f"≤ 0.5 s {verdict(ok)}"))

    print()
    print("| measurement | ratio | agent-debug | the other side | goal |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"`threads URL --json` imports {', '.join(imports['threads'])}; `history URL --json` imports "
          f"{', '.join(imports['history'])} (of {', '.join(HEAVY)})")
    print(f"machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f}; the server runs on the same machine")
    print(f"whole processes with bytecode caches, median (and best) of {r} after one warm-up, the two sides taking turns; "
          f"first paint from `tmux new-window` on a running tmux server to a thread row on screen, "
          f"{tui_startup.SIZE[0]}×{tui_startup.SIZE[1]}; token lag from a second client of the run's stream to the "
          f"capture-pane poll (every ~10-20 ms) showing the token, {LIVE_SIZE[0]}×{LIVE_SIZE[1]}")
    print(f"benchmark took {time.monotonic() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
