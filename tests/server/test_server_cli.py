"""``agent-debug threads|history|state URL`` against a real ``langgraph dev``, through the
installed command, and every way talking to a server can fail, each as one line.

The command runs with an environment holding no LangSmith/LangGraph variable, so no key
leaks in from the developer's shell. Stand-ins for broken servers are sockets and a
stdlib HTTP server of this process on 127.0.0.1; nothing reaches the network. Subprocess
timeouts are generous bounds against a hang, never assertions about speed.
"""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_debug.inspector.sources.server import ServerSource
from agent_debug.inspector.sources.server_http import ServerError
from agent_debug.inspector.server_options import ServerOptions, configure
from agent_debug.tui.cli.dispatch import main
from tests.server.auth import TEST_API_KEY

AGENT_DEBUG = Path(sys.executable).parent / "agent-debug"
BOUND = 120
"""Seconds a command may take before the test calls it hung (a bound, not an expectation)."""
REVIEW_INPUT = {"draft": "release notes"}
_DROPPED = ("LANGSMITH_", "LANGCHAIN_", "LANGGRAPH_")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED)}
    env["COLUMNS"] = "200"
    return {**env, **extra}


def agent_debug(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert AGENT_DEBUG.exists(), f"{AGENT_DEBUG} is not installed"
    return subprocess.run(
        [str(AGENT_DEBUG), *args],
        capture_output=True,
        text=True,
        env=clean_env() if env is None else env,
        stdin=subprocess.DEVNULL,
        timeout=BOUND,
    )


def one_error_line(proc: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The failure's only line (after ``agent-debug: error: ``); nothing on stdout."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("agent-debug: error: "), lines[0]
    assert proc.stdout == ""
    return lines[0].removeprefix("agent-debug: error: ")


def ok_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    return json.loads(proc.stdout)


def tagged(values: Any) -> Any:
    """The SDK's values with the class name ServerSource gives each message."""
    classes = {"human": "langchain_core.messages.human.HumanMessage", "ai": "langchain_core.messages.ai.AIMessage"}
    if isinstance(values, list):
        return [tagged(v) for v in values]
    if isinstance(values, dict):
        out = {k: tagged(v) for k, v in values.items()}
        if values.get("type") in classes and "content" in values:
            out = {"__type__": classes[values["type"]], **out}
        return out
    return values


@pytest.fixture(scope="module")
def served(langgraph_server) -> dict[str, str]:
    run = langgraph_server.run
    return {
        "review": run("review", REVIEW_INPUT)[0],
        "breakpoint": run("review", REVIEW_INPUT, interrupt_before=["ask_human"])[0],
        "nested": run("nested", {"n": 0})[0],
        "chat": run("chat", {"messages": [{"role": "user", "content": "why?"}]})[0],
    }


@pytest.fixture(scope="module")
def sdk(langgraph_server):
    from langgraph_sdk import get_sync_client

    return get_sync_client(url=langgraph_server.url, api_key=None, headers=dict(langgraph_server.headers))


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port bound by this test and never listened on: connecting is refused, and no other
    process can take it meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    """500 to the first ``fail_first`` requests (every one when None), then a proxy to ``upstream``."""

    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        owner = self.server
        with owner.lock:
            owner.seen += 1
            failing = owner.fail_first is None or owner.seen <= owner.fail_first
        if failing or owner.upstream is None:
            data = json.dumps({"detail": "database is locked"}).encode()
            self.send_response(500)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        sent = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "x-api-key")}
        reply = httpx.request(self.command, owner.upstream + self.path, content=body or None, headers=sent, timeout=BOUND)
        self.send_response(reply.status_code)
        self.send_header("content-type", reply.headers.get("content-type", "application/json"))
        self.send_header("content-length", str(len(reply.content)))
        self.end_headers()
        self.wfile.write(reply.content)

    do_GET = do_POST = _answer


def _http_stub(upstream: str | None, fail_first: int | None) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()  # type: ignore[attr-defined]
    httpd.seen = 0  # type: ignore[attr-defined]
    httpd.upstream = upstream  # type: ignore[attr-defined]
    httpd.fail_first = fail_first  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=BOUND)


@pytest.fixture
def always_500() -> Iterator[str]:
    yield from _http_stub(None, None)


@pytest.fixture
def once_500(langgraph_server) -> Iterator[str]:
    yield from _http_stub(langgraph_server.url, 1)


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``main`` run in this process: no key from the environment; what it changes of the
    process (the server options, the cyclic collector, an env default) is put back."""
    for name in list(os.environ):
        if name.startswith(_DROPPED):
            monkeypatch.delenv(name)
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    configure()
    try:
        yield
    finally:
        configure()
        gc.enable()


# -- reads ------------------------------------------------------------------------------------------


def _line_of(out: str, thread_id: str) -> list[str]:
    (line,) = [line for line in out.splitlines() if line.startswith(thread_id)]
    return line.split()


def test_threads_table_shows_each_thread_with_an_unknown_count(langgraph_server, served):
    proc = agent_debug("threads", langgraph_server.url, "--limit", "0")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    header = proc.stdout.splitlines()[0].split()
    assert header[:2] == ["THREAD", "STATUS"] and "CKPTS" in header
    review = _line_of(proc.stdout, served["review"])
    assert review[1] == "interrupted"
    assert "?" in review  # the server cannot count a thread's checkpoints cheaply
    assert _line_of(proc.stdout, served["breakpoint"])[1] == "pending"
    assert _line_of(proc.stdout, served["nested"])[1] == "done"


def test_threads_json(langgraph_server, served, sdk):
    doc = ok_json(agent_debug("threads", langgraph_server.url, "--json", "--limit", "0"))
    assert doc["schema_version"] == 1
    assert doc["target"] == langgraph_server.url
    by_id = {t["thread_id"]: t for t in doc["threads"]}
    assert doc["total"] == len(by_id) == len(sdk.threads.search(limit=1000))
    review = by_id[served["review"]]
    assert review["status"] == "interrupted"
    assert review["checkpoint_count"] is None
    assert review["checkpoint_id"] == sdk.threads.get_state(served["review"])["checkpoint"]["checkpoint_id"]
    (interrupt,) = review["interrupts"]
    assert interrupt["value"]["question"] == "Publish this draft?"
    assert interrupt["response_schema"]["required"] == ["approved"]
    assert by_id[served["breakpoint"]]["status"] == "pending"
    assert by_id[served["nested"]]["status"] == "done"


def test_threads_status_filter(langgraph_server, served):
    doc = ok_json(agent_debug("threads", langgraph_server.url, "--status", "interrupted", "--json", "--limit", "0"))
    ids = {t["thread_id"] for t in doc["threads"]}
    assert served["review"] in ids
    assert served["breakpoint"] not in ids and served["nested"] not in ids
    assert {t["status"] for t in doc["threads"]} == {"interrupted"}

    table = agent_debug("threads", langgraph_server.url, "--status", "interrupted")
    assert table.returncode == 0, table.stderr
    assert _line_of(table.stdout, served["review"])[1] == "interrupted"
    assert served["breakpoint"] not in table.stdout and served["nested"] not in table.stdout
    assert "shown of" in table.stdout


def test_history_json(langgraph_server, served, sdk):
    thread_id = served["nested"]
    doc = ok_json(agent_debug("history", langgraph_server.url, "--thread", thread_id, "--json"))
    expected = sdk.threads.get_history(thread_id, limit=100)
    assert doc["thread_id"] == thread_id and doc["namespace"] == ""
    assert doc["total"] == len(expected) == 5
    assert doc["next_before"] is None
    assert [c["checkpoint_id"] for c in doc["checkpoints"]] == [r["checkpoint"]["checkpoint_id"] for r in expected]
    assert [c["parent_id"] for c in doc["checkpoints"]] == [(r["parent_checkpoint"] or {}).get("checkpoint_id") for r in expected]
    assert [(c["step"], c["source"], c["nodes"]) for c in doc["checkpoints"]] == [
        (3, "loop", ["finish"]),
        (2, "loop", ["inner"]),
        (1, "loop", ["prepare"]),
        (0, "loop", ["__start__"]),
        (-1, "input", []),
    ]


def test_history_pages_with_before(langgraph_server, served, sdk):
    thread_id = served["nested"]
    expected = [r["checkpoint"]["checkpoint_id"] for r in sdk.threads.get_history(thread_id, limit=100)]
    first = ok_json(agent_debug("history", langgraph_server.url, "--thread", thread_id, "--json", "--limit", "2"))
    assert first["total"] is None
    assert [c["checkpoint_id"] for c in first["checkpoints"]] == expected[:2]
    assert first["next_before"] == expected[1]
    rest = ok_json(
        agent_debug("history", langgraph_server.url, "--thread", thread_id, "--json", "--before", first["next_before"])
    )
    assert [c["checkpoint_id"] for c in rest["checkpoints"]] == expected[2:]
    assert rest["next_before"] is None

    table = agent_debug("history", langgraph_server.url, "--thread", thread_id, "--limit", "2")
    assert table.returncode == 0, table.stderr
    assert f"2 of ? checkpoints; older: --before {expected[1]}" in table.stdout

    typo = agent_debug("history", langgraph_server.url, "--thread", thread_id, "--before", "1f" + "0" * 6 + "-nope")
    assert "no checkpoint '1f000000-nope'" in one_error_line(typo)


def test_state_json_latest_path_and_checkpoint(langgraph_server, served, sdk):
    thread_id = served["chat"]
    url = langgraph_server.url
    latest = sdk.threads.get_state(thread_id)
    doc = ok_json(agent_debug("state", url, "--thread", thread_id, "--json"))
    assert doc["checkpoint_id"] == latest["checkpoint"]["checkpoint_id"]
    assert doc["values"] == tagged(latest["values"])
    assert [m["role"] for m in doc["messages"]] == ["human", "ai"]
    assert doc["messages"][1]["reasoning"] and doc["messages"][1]["model"]

    part = ok_json(agent_debug("state", url, "--thread", thread_id, "--json", "--path", "messages.1.type"))
    assert part["path"] == "messages.1.type"
    assert part["values"] == "ai"

    first = sdk.threads.get_history(thread_id, limit=100)[-1]  # the input checkpoint
    older = ok_json(agent_debug("state", url, "--thread", thread_id, "--checkpoint", first["checkpoint"]["checkpoint_id"], "--json"))
    assert older["checkpoint_id"] == first["checkpoint"]["checkpoint_id"]
    assert older["source"] == "input" and older["step"] == -1
    assert older["values"] == tagged(first["values"])

    shown = agent_debug("state", url, "--thread", thread_id, "--checkpoint", first["checkpoint"]["checkpoint_id"])
    assert shown.returncode == 0, shown.stderr
    assert first["checkpoint"]["checkpoint_id"] in shown.stdout


# -- failures, one line each --------------------------------------------------------------------------


def test_a_server_that_is_down_fails_at_once_in_one_line(refused_port):
    url = f"http://127.0.0.1:{refused_port}"
    for args in (("threads", url), ("history", url, "--thread", str(uuid.uuid4())), ("state", url, "--thread", str(uuid.uuid4()))):
        message = one_error_line(agent_debug(*args))
        assert "cannot reach" in message and url in message


def test_a_wrong_path_prefix_is_one_line(langgraph_server, served):
    url = f"{langgraph_server.url}/nope"
    message = one_error_line(agent_debug("threads", url))
    assert url in message
    one_error_line(agent_debug("threads", url, "--json"))
    one_error_line(agent_debug("history", url, "--thread", served["nested"]))
    one_error_line(agent_debug("state", url, "--thread", served["nested"], "--json"))


def test_an_unknown_thread_is_one_line_exit_1(langgraph_server):
    missing = str(uuid.uuid4())
    message = one_error_line(agent_debug("history", langgraph_server.url, "--thread", missing, "--json"))
    assert f"no thread '{missing}'" in message
    message = one_error_line(agent_debug("state", langgraph_server.url, "--thread", missing, "--json"))
    assert f"no thread '{missing}'" in message
    message = one_error_line(agent_debug("state", langgraph_server.url, "--thread", "not-a-uuid"))
    assert "no thread 'not-a-uuid'" in message


def test_an_unknown_checkpoint_is_one_line_exit_1(langgraph_server, served):
    message = one_error_line(
        agent_debug("state", langgraph_server.url, "--thread", served["nested"], "--checkpoint", "1f000000-0000-6000-8000-000000000000")
    )
    assert "no checkpoint '1f000000-0000-6000-8000-000000000000'" in message


def test_a_server_that_never_answers_times_out_in_one_line(silent_port):
    url = f"http://127.0.0.1:{silent_port}"
    message = one_error_line(agent_debug("threads", url, "--timeout", "0.5"))
    assert "did not answer within 0.5 s" in message
    assert "--timeout" in message


# -- keys ------------------------------------------------------------------------------------------------


def test_the_auth_server_refuses_without_a_key_in_one_line(langgraph_auth_server):
    message = one_error_line(agent_debug("threads", langgraph_auth_server.url))
    assert "401" in message and "--api-key" in message
    wrong = agent_debug("threads", langgraph_auth_server.url, "--api-key", "wrong-key-0000")
    assert "401" in one_error_line(wrong)
    assert "wrong-key-0000" not in wrong.stderr
    # A refused key with the traceback shown: not there either.
    refused = agent_debug("threads", langgraph_auth_server.url, "--debug", "--api-key", "wrong-key-0000")
    assert refused.returncode == 1 and "Traceback" in refused.stderr
    assert "wrong-key-0000" not in refused.stderr and "wrong-key-0000" not in refused.stdout


@pytest.mark.parametrize(
    "how",
    [
        ("--api-key", TEST_API_KEY),
        ("--header", f"x-api-key={TEST_API_KEY}"),
        ("--header", f"x-api-key: {TEST_API_KEY}"),
        ("env", "LANGGRAPH_API_KEY"),
        ("env", "LANGSMITH_API_KEY"),
    ],
    ids=["api-key", "header", "header-colon", "LANGGRAPH_API_KEY", "LANGSMITH_API_KEY"],
)
def test_the_auth_server_answers_with_the_key_and_never_shows_it(langgraph_auth_server, how):
    url = langgraph_auth_server.url
    thread_id, _ = langgraph_auth_server.run("review", REVIEW_INPUT)
    flag, value = how
    args = [flag, value] if flag != "env" else []
    env = clean_env(**{value: TEST_API_KEY}) if flag == "env" else clean_env()

    listing = agent_debug("threads", url, "--json", "--limit", "0", *args, env=env)
    doc = ok_json(listing)
    assert thread_id in {t["thread_id"] for t in doc["threads"]}
    state = agent_debug("state", url, "--thread", thread_id, "--json", *args, env=env)
    assert ok_json(state)["thread_id"] == thread_id

    # A failing command with its traceback shown: the key is nowhere in it.
    missing = agent_debug("state", url, "--thread", str(uuid.uuid4()), "--debug", *args, env=env)
    assert missing.returncode == 1
    assert "Traceback" in missing.stderr  # --debug did show it
    for proc in (listing, state, missing):
        assert TEST_API_KEY not in proc.stdout and TEST_API_KEY not in proc.stderr


# -- after a server error ---------------------------------------------------------------------------------


def test_after_a_500_the_next_command_in_the_same_process_works(langgraph_server, served, always_500, in_process, capsys):
    assert main(["threads", always_500, "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("agent-debug: error: ") and "500" in line and "database is locked" in line
    assert "Traceback" not in err

    assert main(["threads", langgraph_server.url, "--json"]) == 0
    out, err = capsys.readouterr()
    assert served["review"] in {t["thread_id"] for t in json.loads(out)["threads"]}
    assert err == ""


def test_a_source_keeps_working_after_the_server_answered_500_once(once_500, served):
    with ServerSource(once_500, options=ServerOptions()) as source:
        with pytest.raises(ServerError, match="500"):
            source.thread(served["review"])
        summary = source.thread(served["review"])
        assert summary.status.value == "interrupted"
        assert served["nested"] in {t.thread_id for t in source.threads().threads}
