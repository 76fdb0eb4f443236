"""Load a graph from a GRAPH_REF: ``pkg.module:attr``, ``path/to/file.py:attr`` or a graph
id from a ``langgraph.json``, following the LangGraph CLI's conventions.

``attr`` may be a compiled graph, an uncompiled ``StateGraph`` (compiled here) or a
factory function taking nothing or a ``RunnableConfig``. Every failure is a
:class:`GraphRefError` with a one-line message the CLI prints as is; the original
exception, when there is one, is its ``__cause__`` (the CLI shows it under ``--debug``).

langgraph is imported only when a graph is loaded, so importing this module stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import hashlib
import importlib
import importlib.util
import inspect
import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_debug.inspector.graph_binding import KnownGraph

CONFIG_NAME = "langgraph.json"
_OPEN_CONTEXTS = contextlib.ExitStack()  # graphs yielded by context-manager factories


class GraphRefError(Exception):
    """A GRAPH_REF that does not lead to a graph; ``str()`` is one line for the user."""


def load_graph(ref: str, *, config_file: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Any:
    """Import what ``ref`` names and return it as a compiled graph (a LangGraph ``Pregel``).

    ``config_file`` is a ``langgraph.json`` to use; otherwise one is looked for from
    ``cwd`` (default: the current directory) upwards. Its ``dependencies`` that are paths
    go on ``sys.path``, and its ``graphs`` map the ids a bare ``ref`` may name.
    """
    ref = ref.strip()
    if not ref:
        raise GraphRefError("empty GRAPH_REF; expected pkg.module:attr, path/file.py:attr or a graph id")
    base = Path(cwd or os.getcwd()).resolve()
    config_path = _config_path(config_file, base)
    config: dict[str, Any] | None = None
    if config_path is not None:
        try:
            config = _read_config(config_path)
        except GraphRefError:
            if config_file is not None or ":" not in ref:
                raise
            config_path = None  # a broken langgraph.json nearby does not matter for this ref
    searched = [base]
    if config is not None and config_path is not None:
        searched = _add_dependencies(config, config_path.parent) + searched
    if ":" in ref:
        target, _, attr = ref.rpartition(":")
        origin = base
    else:
        target, attr, origin = _resolve_graph_id(ref, config, config_path, base)
    if not target or not attr:
        raise GraphRefError(f"GRAPH_REF {ref!r} needs both parts: pkg.module:attr or path/file.py:attr")
    if _is_file(target):
        module = _import_file(target, origin)
    else:
        module = _import_module(target, searched)
    value = _attribute(module, target, attr)
    return _as_graph(value, f"{target}:{attr}")


def load_graphs(
    refs: Sequence[str], *, config_file: str | os.PathLike[str] | None = None, cwd: Path | None = None
) -> list[KnownGraph]:
    """The graphs a session is given: each ``--graph`` (``REF`` or ``NAME=REF``), or, with
    none, every graph id of ``config_file``. A graph id from a ``langgraph.json`` is named
    by its id, ``NAME=REF`` by NAME (what a thread's ``graph_id`` metadata is matched to)."""
    from agent_debug.inspector.graph_binding import KnownGraph

    if not refs:
        if config_file is None:
            raise GraphRefError("no graph given: pass --graph GRAPH_REF (repeatable) or --config langgraph.json")
        refs = config_graph_ids(config_file, cwd=cwd)
    loaded: list[KnownGraph] = []
    for given in refs:
        name, ref = named_ref(given)
        name = name or (ref.strip() if ":" not in ref else None)
        if any((name and name == g.name) or ref == g.ref for g in loaded):
            raise GraphRefError(f"--graph {given!r} is given twice; give each graph once (NAME=REF names one)")
        loaded.append(KnownGraph(ref, load_graph(ref, config_file=config_file, cwd=cwd), name))
    return loaded


def named_ref(text: str) -> tuple[str | None, str]:
    """``NAME=REF`` split into its name and GRAPH_REF; ``(None, text)`` for a plain REF."""
    name, sep, ref = text.partition("=")
    if sep and name.strip() and all(ch.isalnum() or ch in "_-." for ch in name.strip()):
        if not ref.strip():
            raise GraphRefError(f"--graph {text!r} names a graph but gives no GRAPH_REF after '='")
        return name.strip(), ref.strip()
    return None, text


def config_graph_ids(config_file: str | os.PathLike[str], *, cwd: Path | None = None) -> list[str]:
    """The graph ids a ``langgraph.json`` declares, in its order."""
    path = _config_path(config_file, Path(cwd or os.getcwd()).resolve())
    assert path is not None  # a given file is found or refused
    graphs = _read_config(path).get("graphs")
    if not isinstance(graphs, dict) or not graphs:
        raise GraphRefError(f"{path} has no \"graphs\" map: give the graphs with --graph GRAPH_REF")
    return [str(graph_id) for graph_id in graphs]


# -- langgraph.json ------------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest ``langgraph.json`` in ``start`` or a directory above it."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _config_path(config_file: str | os.PathLike[str] | None, base: Path) -> Path | None:
    if config_file is None:
        return find_config(base)
    path = Path(config_file)
    path = path if path.is_absolute() else base / path
    if path.is_dir():
        raise GraphRefError(f"config file {config_file} is a directory; give the file: {Path(config_file) / CONFIG_NAME}")
    if not path.is_file():
        raise GraphRefError(f"config file not found: {config_file} (looked at {path})")
    return path.resolve()


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GraphRefError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise GraphRefError(f"{path} is not a UTF-8 text file (expected the JSON of a langgraph.json)") from exc
    except json.JSONDecodeError as exc:
        raise GraphRefError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except RecursionError as exc:
        raise GraphRefError(f"{path} is nested too deeply to read as JSON") from exc
    except ValueError as exc:  # an integer of more than 4300 digits
        raise GraphRefError(f"{path} is not JSON Python can read: {str(exc).split(';')[0]}") from exc
    if not isinstance(data, dict):
        raise GraphRefError(f"{path} must hold a JSON object with a \"graphs\" map")
    return data


def _add_dependencies(config: dict[str, Any], root: Path) -> list[Path]:
    """Put the config's local dependencies (``"."``, ``"./src"``) first on ``sys.path``."""
    added: list[Path] = []
    deps = config.get("dependencies") or []
    for dep in deps if isinstance(deps, list) else []:
        # entries that are not paths are pip requirements, installed or not: not ours
        if isinstance(dep, str) and (dep.startswith((".", "/")) or os.path.isabs(dep)):
            path = (root / dep).resolve()
            if path.is_dir():
                _prepend_path(path)
                added.append(path)
    return added


def _resolve_graph_id(
    graph_id: str, config: dict[str, Any] | None, config_path: Path | None, base: Path
) -> tuple[str, str, Path]:
    if config is None or config_path is None:
        raise GraphRefError(
            f"{graph_id!r} is not pkg.module:attr or path/file.py:attr, and there is no "
            f"{CONFIG_NAME} in {base} or above to look it up in"
        )
    graphs = config.get("graphs")
    if not isinstance(graphs, dict) or not graphs:
        raise GraphRefError(f"{config_path} has no \"graphs\" map to look up {graph_id!r} in")
    if graph_id not in graphs:
        raise GraphRefError(f"no graph {graph_id!r} in {config_path} (graphs: {', '.join(map(str, graphs))})")
    spec = graphs[graph_id]
    source = spec.get("path") if isinstance(spec, dict) else spec
    if not isinstance(source, str) or ":" not in source:
        raise GraphRefError(
            f"graph {graph_id!r} in {config_path} should be \"./file.py:attr\" or \"pkg.module:attr\", not {source!r}"
        )
    target, _, attr = source.rpartition(":")
    return target, attr, config_path.parent  # paths in the config are relative to it


# -- importing -----------------------------------------------------------------------------


def _is_file(target: str) -> bool:
    return target.endswith(".py") or "/" in target or os.sep in target


def _import_file(target: str, origin: Path) -> ModuleType:
    """Import a file under a name of its own, with its directory on ``sys.path``."""
    path = Path(target)
    path = (path if path.is_absolute() else origin / path).resolve()
    if path.is_dir():
        raise GraphRefError(f"{target} is a directory, not a Python file (looked at {path})")
    if path.exists() and not path.is_file():
        raise GraphRefError(f"{target} is not a regular file (a FIFO or a device?), so no Python module (looked at {path})")
    if not path.is_file():
        raise GraphRefError(f"file not found: {target} (looked at {path})")
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    name = f"_agent_debug_graph_{_identifier(path.stem)}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    _prepend_path(path.parent)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise GraphRefError(f"cannot import {target}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    # registered before running it, as `import` does: dataclasses and typing look it up
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(name, None)
        if not isinstance(exc, (Exception, SystemExit)):
            raise
        raise GraphRefError(f"importing {target} raised {_describe(exc)}") from exc
    return module


def _import_module(target: str, searched: list[Path]) -> ModuleType:
    for path in reversed(searched):
        _prepend_path(path)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (target == missing or target.startswith(missing + ".")):
            where = ", ".join(str(p) for p in dict.fromkeys(searched))
            raise GraphRefError(f"module {target!r} not found (looked in {where} and the installed packages)") from exc
        raise GraphRefError(f"importing {target!r} raised {_describe(exc)}") from exc
    except (Exception, SystemExit) as exc:
        raise GraphRefError(f"importing {target!r} raised {_describe(exc)}") from exc


def _attribute(module: ModuleType, target: str, attr: str) -> Any:
    value: Any = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise GraphRefError(f"{target!r} has no attribute {attr!r}; {_suggest(module, attr)}") from None
        except Exception as exc:  # a module or object __getattr__ of the user's raising
            raise GraphRefError(f"getting {attr!r} from {target!r} raised {_describe(exc)}") from exc
    return value


def _suggest(module: ModuleType, attr: str) -> str:
    names = [n for n in vars(module) if not n.startswith("_")]
    graphs = [n for n in names if _graph_like(module, n)]
    if graphs:
        return f"graph-like names it has: {', '.join(graphs)}"
    close = difflib.get_close_matches(attr, names, n=3)
    if close:
        return f"it has no graphs; did you mean {', '.join(close)}?"
    return "it defines no compiled graph, StateGraph or graph factory"


def _graph_like(module: ModuleType, name: str) -> bool:
    value = getattr(module, name)
    if _is_compiled(value) or _is_state_graph(value):
        return True
    # factories: functions of this module whose name or return annotation says graph
    if inspect.isfunction(value) and value.__module__ == module.__name__:
        returns = str(inspect.signature(value).return_annotation)
        return "graph" in name.lower() or "Graph" in returns or "Pregel" in returns
    return False


# -- turning the attribute into a compiled graph --------------------------------------------


def _as_graph(value: Any, where: str) -> Any:
    if _is_compiled(value):
        return value
    if _is_state_graph(value):
        return _compile(value, where)
    if callable(value) and not inspect.isclass(value):
        produced = _call_factory(value, where)
        if _is_compiled(produced):
            return produced
        if _is_state_graph(produced):
            return _compile(produced, where)
        raise GraphRefError(f"factory {where} returned {_kind(produced)}, not a graph")
    raise GraphRefError(
        f"{where} is {_kind(value)}, not a graph (expected a compiled graph, a StateGraph or a factory function)"
    )


def _is_compiled(value: Any) -> bool:
    from langgraph.pregel import Pregel

    if isinstance(value, Pregel):
        return True
    # other PregelProtocol implementations (RemoteGraph) draw and stream the same way
    try:
        return not inspect.isclass(value) and all(
            callable(getattr(value, name, None)) for name in ("get_graph", "stream", "invoke")
        )
    except Exception:  # an object whose __getattr__ raises is no graph
        return False


def _is_state_graph(value: Any) -> bool:
    from langgraph.graph import StateGraph

    return isinstance(value, StateGraph)


def _compile(builder: Any, where: str) -> Any:
    try:
        return builder.compile()
    except Exception as exc:
        raise GraphRefError(f"compiling the StateGraph {where} raised {_describe(exc)}") from exc


def _call_factory(factory: Any, where: str) -> Any:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        signature = None
    required = [
        p
        for p in (signature.parameters.values() if signature else ())
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(required) > 1:
        raise GraphRefError(
            f"factory {where} takes {len(required)} arguments; a graph factory takes none or a RunnableConfig"
        )
    try:
        if required:
            from langchain_core.runnables.config import ensure_config

            result = factory(ensure_config({}))
        else:
            result = factory()
        return _unwrap(result)
    except GraphRefError:
        raise
    except (Exception, SystemExit) as exc:
        raise GraphRefError(f"calling factory {where} raised {_describe(exc)}") from exc


def _unwrap(result: Any) -> Any:
    """Await a coroutine; enter a context manager and keep it open until exit."""
    if inspect.iscoroutine(result):
        return _run(result)
    if hasattr(result, "__enter__") and hasattr(result, "__exit__") and not _is_compiled(result):
        return _OPEN_CONTEXTS.enter_context(result)
    if hasattr(result, "__aenter__"):
        raise GraphRefError("async context-manager graph factories are not supported; return the graph instead")
    return result


def _run(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # called from inside an event loop (a TUI worker): run it on a loop of its own
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="graph-factory")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


# -- small helpers --------------------------------------------------------------------------


def _prepend_path(path: Path) -> None:
    entry = str(path)
    if entry not in sys.path:
        sys.path.insert(0, entry)


def _identifier(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text) or "graph"


def _describe(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    if inspect.isclass(value):
        return f"the class {value.__name__}"
    if inspect.ismodule(value):
        return f"the module {value.__name__}"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
