"""``agent-debug attach URL`` in a real terminal (tmux), through the installed command:
the server's graph and thread, an interrupt answered with ``a`` and sent through the
server, the thread done afterwards (as the server itself says)."""

from __future__ import annotations

from tests.e2e.test_tmux import AGENT_DEBUG, Terminal

_DEADLINE = 60.0  # a busy CI machine: generous, and only ever waited on a condition


def test_answer_an_interrupt_through_the_server_in_tmux(term: Terminal, langgraph_server) -> None:
    thread, _ = langgraph_server.run("review", {"draft": "in tmux"})
    term.env = {k: v for k, v in term.env.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_")) and k != "LANGGRAPH_API_KEY"}
    term.start([AGENT_DEBUG, "attach", langgraph_server.url, "--thread", thread])
    screen = term.wait_for("graph of assistant review from the server", timeout=_DEADLINE)
    assert "control on" in screen and "ask_human" in screen
    term.wait_for("interrupted", timeout=_DEADLINE)
    term.press("a")
    term.wait_for("Publish this draft?", timeout=_DEADLINE)
    term.press("C-s")  # send the pre-filled value ({"approved": true} from the response_schema)
    term.wait_for("3 publish", timeout=_DEADLINE)
    with langgraph_server.client() as http:
        state = http.get(f"/threads/{thread}/state").json()
    assert state["values"]["approved"] is True and state["next"] == []
    term.press("q")
    assert term.exit_status(timeout=_DEADLINE) == 0
