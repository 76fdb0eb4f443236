"""A real ``langgraph dev`` server for the test session (a pytest plugin, like tests/pg_server.py).

Each fixture copies tests/server (the graphs, auth and checkpointer files and the
``langgraph*.json`` configs) into a temporary directory, runs the venv's ``langgraph dev``
there (the in-memory runtime persists to ``.langgraph_api`` in its working directory),
reads the URL it really serves from its log (it silently moves to another port when the
one asked for is taken), waits until ``GET /ok`` answers, and at session end stops its
whole process group (SIGTERM, then SIGKILL), also when tests fail. Servers start only
when a test asks for them; under xdist each worker starts its own.

- ``langgraph_server``: the five graphs of tests/server/graphs.py, no auth.
- ``langgraph_auth_server``: the same behind tests/server/auth.py (``x-api-key``).
- ``langgraph_pg_server``: the same with the checkpointer on the test PostgreSQL server
  (tests/server/pg_checkpointer.py); ``.dsn`` names the database it writes.

Nothing reaches the network: analytics, version checks and LangSmith tracing are off and
every LANGSMITH_*/LANGCHAIN_*/LANGGRAPH_* variable is dropped from the server's environment.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

SERVER_DIR = Path(__file__).parent / "server"
LANGGRAPH = Path(sys.executable).parent / "langgraph"
START_DEADLINE = 60.0
"""Seconds for the server to print its URL and answer /ok (it needs 2-5 s when idle)."""
STOP_DEADLINE = 30.0
REQUEST_TIMEOUT = 60.0
"""Seconds for one HTTP request of the helpers, a whole ``runs/wait`` included."""
N_JOBS = 4
"""Concurrent runs. ``langgraph dev`` runs ONE at a time unless told otherwise (its
``--n-jobs-per-worker`` help says 10, langgraph_api/cli.py defaults to 1), so a ``slow``
run waiting on its gate would hold back every other run of the session."""

# The welcome banner: "- 🚀 API: \x1b[36mhttp://127.0.0.1:PORT\x1b[0m".
_API_LINE = re.compile(r"API:\s*(?:\x1b\[[0-9;]*m)?(https?://[^\s\x1b]+)")
_DROPPED_ENV = ("LANGSMITH_", "LANGCHAIN_", "LANGGRAPH_")
_QUIET_ENV = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "LANGSMITH_TRACING": "false",
    "LOG_COLOR": "false",  # a plain-text server.log (the banner keeps its colour codes)
    "PYTHONUNBUFFERED": "1",
}


@dataclass
class LangGraphServer:
    """A running ``langgraph dev``: where it is, where it logs, and a few plain-HTTP helpers."""

    url: str
    log_path: Path
    workdir: Path
    process: subprocess.Popen[bytes]
    headers: dict[str, str] = field(default_factory=dict)
    """Sent with every helper request (the API key of the auth server)."""
    api_key: str | None = None
    dsn: str | None = None
    """The database the server's checkpointer writes (``langgraph_pg_server`` only)."""

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on the server's URL, with the helper headers; close it (``with``)."""
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        return httpx.Client(base_url=self.url, headers=self.headers, **kwargs)

    def create_thread(self, **body: Any) -> str:
        with self.client() as http:
            response = http.post("/threads", json=body)
            response.raise_for_status()
            return str(response.json()["thread_id"])

    def run(self, graph_id: str, input: Any = None, thread_id: str | None = None, **body: Any) -> tuple[str, Any]:
        """Run ``graph_id`` on a thread (a new one unless given) until it ends or interrupts:
        ``(thread_id, the runs/wait answer)`` (the final values, with ``__interrupt__`` or
        ``__error__`` when it stopped so)."""
        thread_id = thread_id or self.create_thread()
        with self.client() as http:
            response = http.post(f"/threads/{thread_id}/runs/wait",
                                 json={"assistant_id": graph_id, "input": input, **body})
            response.raise_for_status()
            return thread_id, response.json()

    def start_run(self, graph_id: str, input: Any = None, thread_id: str | None = None,
                  **body: Any) -> tuple[str, dict[str, Any]]:
        """Start a background run: ``(thread_id, the run)`` (``run["run_id"]``); see ``join``."""
        thread_id = thread_id or self.create_thread()
        with self.client() as http:
            response = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": graph_id, "input": input, **body})
            response.raise_for_status()
            return thread_id, response.json()

    def join(self, thread_id: str, run_id: str) -> Any:
        """Wait for a background run to end; the thread's values then."""
        with self.client() as http:
            response = http.get(f"/threads/{thread_id}/runs/{run_id}/join")
            response.raise_for_status()
            return response.json()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_ENV)}
    return {**env, **_QUIET_ENV, **extra}


def _prepare_workdir(workdir: Path) -> None:
    for path in SERVER_DIR.iterdir():
        if path.suffix == ".json" or (path.suffix == ".py" and not path.name.startswith(("test_", "__"))):
            shutil.copy2(path, workdir / path.name)


def _wait_until_ready(proc: subprocess.Popen[bytes], log_path: Path, headers: dict[str, str]) -> str:
    """The served URL once ``GET /ok`` answers 200; RuntimeError if the process ends or the
    deadline passes first."""
    deadline = time.monotonic() + START_DEADLINE
    url: str | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"langgraph dev exited with status {proc.returncode}")
        if url is None:
            found = _API_LINE.search(log_path.read_text(errors="replace"))
            url = found.group(1).rstrip("/") if found else None
        if url is not None:
            try:
                if httpx.get(f"{url}/ok", headers=headers, timeout=5).status_code == 200:
                    return url
            except httpx.TransportError:
                pass  # not listening yet: the app starts (graphs load) before the socket binds
        time.sleep(0.05)  # a poll interval, not a wait for anything to happen
    raise RuntimeError(f"langgraph dev not ready after {START_DEADLINE:.0f} s (url from log: {url})")


def stop_langgraph_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, SIGKILL it after STOP_DEADLINE; leave nothing behind."""
    pgid = proc.pid  # start_new_session: the server leads its own group
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        pass
    try:
        # Whatever of the group is still there (the leader after the deadline, or a child):
        # a group id is not reused while any member lives.
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=STOP_DEADLINE)


def start_langgraph_server(
    workdir: Path,
    config: str = "langgraph.json",
    *,
    env: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> LangGraphServer:
    """Start ``langgraph dev`` on ``config`` (a file of tests/server) in ``workdir``; RuntimeError
    (with the log) when it cannot. The caller stops it with ``stop_langgraph_server``."""
    _prepare_workdir(workdir)
    headers = dict(headers or {})
    log_path = workdir / "server.log"
    failures: list[str] = []
    # The port found free can be taken before the server binds it (it checks, then binds):
    # the server then exits, and another try with another port covers that.
    for attempt in range(3):
        cmd = [str(LANGGRAPH), "dev", "--host", "127.0.0.1", "--port", str(_free_port()),
               "--no-browser", "--no-reload", "--n-jobs-per-worker", str(N_JOBS),
               "--config", str(workdir / config)]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, cwd=workdir, env=_server_env(env or {}), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = _wait_until_ready(proc, log_path, headers)
        except BaseException as exc:
            stop_langgraph_server(proc)
            tail = log_path.read_text(errors="replace")[-3000:]
            if isinstance(exc, RuntimeError) and "address already in use" in tail.lower() and attempt < 2:
                failures.append(tail)
                continue
            if isinstance(exc, RuntimeError):
                raise RuntimeError(f"{exc}\n--- {log_path} ---\n{tail}") from None
            raise
        return LangGraphServer(url=url, log_path=log_path, workdir=workdir, process=proc, headers=headers)
    raise RuntimeError("langgraph dev could not bind a port:\n" + "\n---\n".join(failures))


@contextmanager
def _serving(tmp_path_factory: pytest.TempPathFactory, name: str, config: str, **kwargs: Any) -> Iterator[LangGraphServer]:
    # The working directory (with server.log) stays for pytest to clean up with its other
    # temporary directories, so the log of a failed session can still be read.
    workdir = tmp_path_factory.mktemp(name)
    try:
        server = start_langgraph_server(workdir, config, **kwargs)
    except (RuntimeError, OSError) as exc:
        pytest.fail(f"cannot start the test LangGraph server ({config}): {exc}", pytrace=False)
    try:
        yield server
    finally:
        stop_langgraph_server(server.process)


@pytest.fixture(scope="session")
def langgraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LangGraphServer]:
    """``langgraph dev`` serving tests/server/graphs.py: review, nested, failing, chat, slow."""
    with _serving(tmp_path_factory, "langgraph-server", "langgraph.json") as server:
        yield server


@pytest.fixture(scope="session")
def langgraph_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LangGraphServer]:
    """The same graphs behind tests/server/auth.py: every request needs ``x-api-key: TEST_API_KEY``
    (``.api_key``; the helpers send it, a bare ``httpx`` request does not)."""
    from tests.server.auth import API_KEY_HEADER, TEST_API_KEY

    with _serving(tmp_path_factory, "langgraph-auth-server", "langgraph_auth.json",
                  headers={API_KEY_HEADER: TEST_API_KEY}) as server:
        server.api_key = TEST_API_KEY
        yield server


@pytest.fixture(scope="session")
def langgraph_pg_server(tmp_path_factory: pytest.TempPathFactory, make_database) -> Iterator[LangGraphServer]:
    """The same graphs with their checkpoints in a database of the test PostgreSQL server
    (``.dsn``; tests/server/pg_checkpointer.py). Threads and runs stay in the in-memory runtime."""
    from tests.server.pg_checkpointer import DSN_ENV

    dsn = make_database()
    with _serving(tmp_path_factory, "langgraph-pg-server", "langgraph_pg.json", env={DSN_ENV: dsn}) as server:
        server.dsn = dsn
        yield server
