"""Reconstructing a thread's graph from its checkpoints alone."""

from __future__ import annotations

from agent_debug.inspector.reconstruct import END, START, observed_graph
from agent_debug.inspector.targets import open_source


def test_linear_run_is_reconstructed(scenario_db):
    path, _ = scenario_db
    with open_source(str(path)) as source:
        g = observed_graph(source, "finished")
    assert set(g.edges) == {(START, "think"), ("think", "approve"), ("approve", "finish"), ("finish", END)}


def test_next_nodes_and_loops_are_edges(seeded_db):
    path, report = seeded_db
    with open_source(str(path)) as source:
        waiting = observed_graph(source, report.interrupted[0])
        revised = observed_graph(source, report.revised[0])
    assert ("sandbox_test", "review") in waiting.edges  # the due interrupt node is drawn
    assert END not in waiting.nodes
    assert ("sandbox_test", "synthesize") in revised.edges  # the test loop
    assert ("review", "synthesize") in revised.edges  # the rejected review
    assert revised.edges[("synthesize", "sandbox_test")] >= 2
