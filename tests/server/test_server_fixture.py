"""The ``langgraph dev`` fixtures of tests/server_proc.py against the real server."""

from __future__ import annotations

import os

import httpx
import psycopg
import pytest

from tests.server.auth import TEST_API_KEY
from tests.server.graphs import APPROVAL_SCHEMA
from tests.server_proc import start_langgraph_server, stop_langgraph_server

GRAPHS = {"review", "nested", "failing", "chat", "slow"}


def test_server_answers_and_serves_the_five_graphs(langgraph_server):
    assert langgraph_server.url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{langgraph_server.url}/ok").json()["ok"] is True
    with langgraph_server.client() as http:
        assistants = http.post("/assistants/search", json={"limit": 100}).json()
    assert {a["graph_id"] for a in assistants} == GRAPHS
    assert langgraph_server.url in langgraph_server.log_path.read_text(errors="replace")


def test_review_run_ends_interrupted_with_its_response_schema(langgraph_server):
    thread_id, result = langgraph_server.run("review", {"draft": "release notes"})

    (pending,) = result["__interrupt__"]
    assert pending["value"] == {"question": "Publish this draft?", "draft": "draft of release notes"}
    assert pending["response_schema"] == APPROVAL_SCHEMA
    with langgraph_server.client() as http:
        assert http.get(f"/threads/{thread_id}").json()["status"] == "interrupted"


def test_a_background_run_waits_for_its_gate_while_other_runs_go_on(langgraph_server, tmp_path):
    gate = tmp_path / "gate"
    thread_id, run = langgraph_server.start_run("slow", {"messages": [{"role": "user", "content": "why?"}],
                                                          "gate": str(gate)})
    # The slow run holds a job until the gate opens: another run still finishes meanwhile.
    _, other = langgraph_server.run("nested", {"n": 0})
    assert other["n"] == 4
    with langgraph_server.client() as http:
        assert http.get(f"/threads/{thread_id}/runs/{run['run_id']}").json()["status"] in {"pending", "running"}

    gate.touch()
    values = langgraph_server.join(thread_id, run["run_id"])
    assert values["messages"][-1]["content"] == "done"


def test_auth_server_refuses_without_the_key_and_accepts_with_it(langgraph_auth_server):
    url = langgraph_auth_server.url
    assert httpx.post(f"{url}/threads/search", json={}).status_code == 401
    assert httpx.post(f"{url}/threads/search", json={}, headers={"x-api-key": "wrong"}).status_code == 401
    assert httpx.post(f"{url}/threads/search", json={}, headers={"x-api-key": TEST_API_KEY}).status_code == 200
    # /ok stays open (the server's auth skips it); the helpers send the key themselves.
    assert httpx.get(f"{url}/ok").status_code == 200
    assert langgraph_auth_server.api_key == TEST_API_KEY
    _, result = langgraph_auth_server.run("review", {"draft": "x"})
    assert "__interrupt__" in result


@pytest.mark.postgres
def test_pg_server_checkpoints_land_in_postgres(langgraph_pg_server):
    thread_id, _ = langgraph_pg_server.run("review", {"draft": "x"})

    with psycopg.connect(langgraph_pg_server.dsn) as conn:
        rows = conn.execute(
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = ''", (thread_id,)
        ).fetchall()
    assert len(rows) >= 2  # the input checkpoint, then one a step up to the interrupt
    with langgraph_pg_server.client() as http:
        state = http.get(f"/threads/{thread_id}/state").json()
    assert state["next"] == ["ask_human"]
    assert state["checkpoint"]["checkpoint_id"] == max(r[0] for r in rows)


def test_stopping_a_server_leaves_no_process(tmp_path):
    server = start_langgraph_server(tmp_path)
    pgid = server.process.pid
    assert httpx.get(f"{server.url}/ok").status_code == 200

    stop_langgraph_server(server.process)

    assert server.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)  # the whole group is gone, not only its leader
