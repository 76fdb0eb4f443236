"""Loading a GRAPH_REF: module and file forms, langgraph.json ids, factories, bad refs."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from langgraph.pregel import Pregel

from agent_debug.inspector.graph_ref import GraphRefError, load_graph

pytestmark = pytest.mark.usefixtures("clean_imports")

GRAPH_MODULE = """
from typing import TypedDict
from langgraph.graph import START, END, StateGraph

class State(TypedDict, total=False):
    x: int

def step(state: State) -> State:
    return {}

def make_builder(name: str = "step") -> StateGraph:
    builder = StateGraph(State)
    builder.add_node(name, step)
    builder.add_edge(START, name)
    builder.add_edge(name, END)
    return builder

builder = make_builder()
graph = builder.compile()
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def nodes(graph) -> set[str]:
    return set(graph.get_graph().nodes)


# -- the forms that work ---------------------------------------------------------------------


def test_module_form_from_the_current_directory(tmp_path):
    write(tmp_path / "mypkg" / "__init__.py", "")
    write(tmp_path / "mypkg" / "flows.py", GRAPH_MODULE)
    graph = load_graph("mypkg.flows:graph", cwd=tmp_path)
    assert isinstance(graph, Pregel)
    assert nodes(graph) == {"__start__", "step", "__end__"}


def test_file_form_imports_under_a_unique_name_with_its_directory_on_path(tmp_path):
    write(tmp_path / "app" / "helpers.py", "NAME = 'from_sibling'\n")
    write(
        tmp_path / "app" / "agent.py",
        GRAPH_MODULE + "from helpers import NAME\ngraph = make_builder(NAME).compile()\n",
    )
    graph = load_graph("app/agent.py:graph", cwd=tmp_path)
    assert "from_sibling" in nodes(graph)
    assert str(tmp_path / "app") in sys.path
    names = [name for name in sys.modules if name.startswith("_agent_debug_graph_agent_")]
    assert len(names) == 1
    # another file with the same stem gets its own module
    write(tmp_path / "other" / "agent.py", GRAPH_MODULE)
    load_graph(str(tmp_path / "other" / "agent.py") + ":graph")
    assert len([n for n in sys.modules if n.startswith("_agent_debug_graph_agent_")]) == 2


def test_uncompiled_state_graph_is_compiled(tmp_path):
    write(tmp_path / "flow_builder.py", GRAPH_MODULE)
    graph = load_graph("flow_builder.py:builder", cwd=tmp_path)
    assert isinstance(graph, Pregel)


def test_factory_without_arguments(tmp_path):
    write(tmp_path / "fac0.py", GRAPH_MODULE + "def make_graph():\n    return make_builder('made').compile()\n")
    assert "made" in nodes(load_graph("fac0.py:make_graph", cwd=tmp_path))


def test_factory_taking_a_runnable_config(tmp_path):
    write(
        tmp_path / "fac1.py",
        GRAPH_MODULE
        + "from langchain_core.runnables import RunnableConfig\n"
        + "def make_graph(config: RunnableConfig):\n"
        + "    assert 'configurable' in config\n"
        + "    return make_builder('configured')\n",  # a StateGraph: compiled for us
    )
    assert "configured" in nodes(load_graph("fac1.py:make_graph", cwd=tmp_path))


def test_async_factory(tmp_path):
    write(tmp_path / "fac2.py", GRAPH_MODULE + "async def make_graph():\n    return make_builder('async_made')\n")
    assert "async_made" in nodes(load_graph("fac2.py:make_graph", cwd=tmp_path))


def test_langgraph_json_found_from_a_subdirectory(tmp_path):
    write(tmp_path / "src" / "agents" / "__init__.py", "")
    write(tmp_path / "src" / "agents" / "main.py", GRAPH_MODULE)
    write(tmp_path / "graphs" / "by_path.py", GRAPH_MODULE + "graph = make_builder('by_path').compile()\n")
    config = {
        "dependencies": [".", "./src", "langchain_openai"],
        "graphs": {
            "main": "agents.main:graph",
            "by_path": {"path": "./graphs/by_path.py:graph", "description": "a dict entry"},
        },
    }
    write(tmp_path / "langgraph.json", json.dumps(config))
    deep = tmp_path / "docs" / "deeper"
    deep.mkdir(parents=True)
    assert "step" in nodes(load_graph("main", cwd=deep))  # found upward; ./src on sys.path
    assert str(tmp_path / "src") in sys.path
    assert "by_path" in nodes(load_graph("by_path", cwd=deep))  # relative to the config


def test_langgraph_json_given_explicitly(tmp_path):
    write(tmp_path / "proj" / "flow.py", GRAPH_MODULE)
    write(tmp_path / "proj" / "conf.json", json.dumps({"dependencies": ["."], "graphs": {"g": "./flow.py:graph"}}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert isinstance(load_graph("g", config_file=str(tmp_path / "proj" / "conf.json"), cwd=elsewhere), Pregel)


# -- bad refs: one clear line each -----------------------------------------------------------


def error(ref: str, **kw) -> GraphRefError:
    with pytest.raises(GraphRefError) as info:
        load_graph(ref, **kw)
    message = str(info.value)
    assert "\n" not in message
    return info.value


def test_module_not_found_says_where_it_looked(tmp_path):
    exc = error("nosuch.flows:graph", cwd=tmp_path)
    assert str(exc) == f"module 'nosuch.flows' not found (looked in {tmp_path} and the installed packages)"


def test_missing_attribute_lists_graph_like_names(tmp_path):
    # (not 'attrs.py': the attrs package is already imported once the libraries of tests/compat are)
    write(tmp_path / "graph_attrs.py", GRAPH_MODULE + "def build_graph():\n    return builder\nVALUE = 3\n")
    exc = error("graph_attrs:grph", cwd=tmp_path)
    assert str(exc) == "'graph_attrs' has no attribute 'grph'; graph-like names it has: make_builder, builder, graph, build_graph"


def test_missing_attribute_without_graphs(tmp_path):
    write(tmp_path / "plain.py", "VALUE = 1\nVALUES = 2\n")
    assert str(error("plain:VALUEZ", cwd=tmp_path)) == "'plain' has no attribute 'VALUEZ'; it has no graphs; did you mean VALUE, VALUES?"


def test_not_a_graph(tmp_path):
    write(tmp_path / "notgraph.py", "answer = 42\nclass Thing: pass\ndef make():\n    return 'text'\n")
    assert str(error("notgraph:answer", cwd=tmp_path)) == (
        "notgraph:answer is an int, not a graph (expected a compiled graph, a StateGraph or a factory function)"
    )
    assert "the class Thing" in str(error("notgraph:Thing", cwd=tmp_path))
    assert str(error("notgraph:make", cwd=tmp_path)) == "factory notgraph:make returned a str, not a graph"


def test_module_raising_on_import_keeps_the_cause(tmp_path):
    write(tmp_path / "boom.py", "raise RuntimeError('no API key\\nset OPENAI_API_KEY')\n")
    exc = error("boom:graph", cwd=tmp_path)
    assert str(exc) == "importing 'boom' raised RuntimeError: no API key"
    assert isinstance(exc.__cause__, RuntimeError)  # the CLI prints its traceback with --debug
    file_exc = error("boom.py:graph", cwd=tmp_path)
    assert str(file_exc) == "importing boom.py raised RuntimeError: no API key"
    assert not [n for n in sys.modules if n.startswith("_agent_debug_graph_boom_")]


def test_missing_dependency_is_an_import_error_not_a_missing_module(tmp_path):
    write(tmp_path / "needs.py", "import surely_not_installed_pkg\n")
    assert str(error("needs:graph", cwd=tmp_path)) == (
        "importing 'needs' raised ModuleNotFoundError: No module named 'surely_not_installed_pkg'"
    )


def test_factory_problems(tmp_path):
    write(
        tmp_path / "facbad.py",
        "def two(a, b):\n    pass\ndef fails():\n    raise ValueError('bad settings')\n",
    )
    assert "takes 2 arguments" in str(error("facbad:two", cwd=tmp_path))
    assert str(error("facbad:fails", cwd=tmp_path)) == "calling factory facbad:fails raised ValueError: bad settings"


def test_file_and_ref_shape_errors(tmp_path):
    assert str(error("missing.py:graph", cwd=tmp_path)) == f"file not found: missing.py (looked at {tmp_path / 'missing.py'})"
    assert "needs both parts" in str(error("flows:", cwd=tmp_path))
    assert "empty GRAPH_REF" in str(error("  ", cwd=tmp_path))
    assert str(error("agent", cwd=tmp_path)).startswith("'agent' is not pkg.module:attr or path/file.py:attr, and there is no langgraph.json")


def test_langgraph_json_problems(tmp_path):
    write(tmp_path / "langgraph.json", json.dumps({"graphs": {"a": "./a.py:graph", "b": {"nopath": 1}}}))
    assert str(error("zzz", cwd=tmp_path)) == f"no graph 'zzz' in {tmp_path / 'langgraph.json'} (graphs: a, b)"
    assert "should be" in str(error("b", cwd=tmp_path))
    assert "config file not found" in str(error("a", config_file="nope.json", cwd=tmp_path))
    write(tmp_path / "broken" / "langgraph.json", "{not json")
    assert "is not valid JSON" in str(error("a", cwd=tmp_path / "broken"))
    # a broken config nearby does not stop an explicit module ref
    write(tmp_path / "broken" / "fine.py", GRAPH_MODULE)
    assert isinstance(load_graph("fine:graph", cwd=tmp_path / "broken"), Pregel)
