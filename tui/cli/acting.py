"""The checks resume and replay make before they write to TARGET."""

from __future__ import annotations

import argparse
from typing import Any

from agent_debug.inspector.exceptions import UsageError
from agent_debug.inspector.server_options import is_server_url
from agent_debug.tui.cli.graph_ref import graphs_given, load_graph_refs


def server_target(args: argparse.Namespace) -> bool:
    """Whether TARGET is a LangGraph server: it runs its own graphs, so the flags that
    bring a graph or touch a store file are refused there."""
    target = getattr(args, "target", None)
    if not isinstance(target, str) or not is_server_url(target):
        if getattr(args, "assistant", None):
            raise UsageError("--assistant chooses a graph on a LangGraph server; TARGET is not one (http://host:port)")
        return False
    for flag, given in (("--graph", getattr(args, "graph", None)), ("--migrate", getattr(args, "migrate", False)),
                        ("--allow-module", getattr(args, "allow_modules", None)), ("--config", getattr(args, "config", None))):
        if given:
            raise UsageError(f"{flag} does not apply to a LangGraph server: it runs its own graphs (choose one with --assistant ID)")
    return True


def acting_session(args: argparse.Namespace) -> Any:
    """The session ``resume`` and ``replay`` act through: a server's (it runs its own
    graphs), or the ``--graph``s (or ``--config``'s graphs) over TARGET's store, checked
    before it is opened to write; the thread runs the one chosen for it (``graph_binding``)."""
    from agent_debug.inspector.session import open_session

    if server_target(args):
        return open_session(args.target, assistant=args.assistant)
    graph_ref_target(args)
    check_target_store(args)
    graph = required_graph(args)
    return open_session(args.target, graph=graph, allow_modules=getattr(args, "allow_modules", None))


def required_graph(args: argparse.Namespace) -> Any:
    """The graphs the verb may run (``--graph``, repeatable, or every graph of ``--config``);
    a usage error without any."""
    if not graphs_given(args):
        raise UsageError(f"{args.command} runs the workflow, so it needs its graph: --graph GRAPH_REF")
    return load_graph_refs(args.graph, args.config)


def check_target_store(args: argparse.Namespace) -> None:
    """TARGET checked before anything opens it to write: a directory, a file that is not a
    checkpoint store, or (without ``--migrate``) a store LangGraph would migrate is refused."""
    from agent_debug.inspector.acting_store import check_store_file

    check_store_file(args.target, migrate=getattr(args, "migrate", False))


def graph_ref_target(args: argparse.Namespace) -> None:
    """A GRAPH_REF as TARGET (and no ``--graph``) is that graph over the embedded store
    ``run`` writes to: ``args`` is turned into ``--graph REF`` on that store."""
    from agent_debug.inspector.paths import is_graph_ref
    from agent_debug.inspector.targets import runs_of

    if getattr(args, "graph", None) or not is_graph_ref(args.target):
        return
    args.graph, args.target = [args.target], str(runs_of(args.target))
