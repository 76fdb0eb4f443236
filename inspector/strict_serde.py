"""Decoding for the acting verbs: LangGraph's strict msgpack mode, and a refusal otherwise.

LangGraph's default serializer revives a stored object by importing the module the data
names and calling the attribute it names, so a checkpoint that names ``os.system`` runs
it. The acting verbs (``run``, ``resume``, ``replay``, the debugger's verbs) have to
revive the user's objects to run the graph on them; they do it through LangGraph's
serializer in strict mode, allowing:

1. what LangGraph allows in strict mode (``SAFE_MSGPACK_TYPES``: datetimes, UUIDs,
   decimals, sets, paths, LangChain messages and documents, ``Send``, ``Interrupt``,
   ``Command``...);
2. what the user's graph is made of (see :func:`graph_allow_list`): the classes its
   schemas name, and the classes defined in those classes' modules and in the modules of
   its node functions and tools (under the names their files import as), for the root
   graph and every subgraph;
3. every ``--allow-module MODULE`` (the classes defined in MODULE) and
   ``--allow-module MODULE:NAME`` (exactly that attribute, a function included).

A module entry allows the *classes defined in it* (``cls.__module__ == MODULE``), never
its functions nor what it imports: a graph module that does ``from os import system``
does not make ``my_graph.system`` callable from the store.

Anything else is refused: the whole value is not decoded, the action stops with one line
naming the type (:class:`DecodeRefused`), and the serializer writes nothing more. LangGraph
in strict mode would instead hand back the stored arguments in place of the object and
run on; here a blocked type is never silently turned into something else.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Annotated, Any, ForwardRef, Literal, TypeVar, get_args, get_origin, get_type_hints

from agent_debug.inspector.exceptions import InspectorError, UsageError

# Extension codes of langgraph.checkpoint.serde.jsonplus (stable on disk).
_EXT_CONSTRUCTORS = (0, 1, 2, 4, 5)  # single arg, positional, keyword, pydantic v1, pydantic v2
_EXT_METHOD = 3
_EXT_CODES = range(8)  # ...and 6, 7 (numpy array, delta snapshot): no name, values inside; others are not read

# Modules whose classes are plumbing, not the user's data: a node wrapped in one of their
# runnables is looked through to the function inside.
_PLUMBING = ("builtins", "typing", "typing_extensions", "langgraph._internal", "langgraph.pregel", "langchain_core.runnables")


class DecodeRefused(InspectorError):
    """A stored value names a type (or a call) the allow-list does not allow; nothing was decoded or written."""


def parse_allow_module(text: str) -> tuple[str, str | None]:
    """``MODULE`` or ``MODULE:NAME`` of ``--allow-module``; a ``UsageError`` otherwise."""
    module, sep, name = text.strip().partition(":")
    if not all(part.isidentifier() for part in module.split(".")) or (sep and not name.isidentifier()):
        raise UsageError(f"--allow-module {text!r}: expected MODULE or MODULE:NAME (for example my_pkg.models or os.path:join)")
    return module, (name if sep else None)


@dataclass
class AllowList:
    """The types a store may name: exact ``(module, name)`` pairs, and modules whose classes are allowed."""

    pairs: set[tuple[str, str]] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)
    _decided: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    def allows(self, module: str, name: str) -> bool:
        """Whether ``module.name`` may be revived (a module entry allows the classes defined there)."""
        key = (module, name)
        if key in self.pairs:
            return True
        if module not in self.modules:
            return False
        decided = self._decided.get(key)
        if decided is None:
            decided = self._decided[key] = _defines_class(module, name)
        return decided


def _defines_class(module: str, name: str) -> bool:
    try:
        # The graph's modules are imported already; an --allow-module one is imported
        # only now, when the store names it (the user said it is trusted).
        loaded = sys.modules.get(module) or importlib.import_module(module)
    except Exception:
        return False
    obj = getattr(loaded, name, None)
    return isinstance(obj, type) and obj.__module__ == module


def allow_list(graph: Any = None, allow_modules: Iterable[str] | None = ()) -> AllowList:
    """The allow-list of an action: the graph's own types (each graph's, for a list of
    graphs) plus every ``--allow-module``."""
    allowed = AllowList()
    for each in graph if isinstance(graph, list) else [graph] if graph is not None else []:
        found = graph_allow_list(each)
        allowed.pairs |= found.pairs
        allowed.modules |= found.modules
    for entry in allow_modules or ():
        module, name = parse_allow_module(entry)
        if name is None:
            allowed.modules.add(module)
        else:
            allowed.pairs.add((module, name))
    return allowed


# -- what a graph is made of -----------------------------------------------------------------


def graph_allow_list(graph: Any) -> AllowList:
    """The types a store written by ``graph`` can name, derived from the compiled graph.

    For the graph and each subgraph (recursively): every class its schemas name (state,
    input, output and context schemas, node input schemas, channel value and update
    types), followed through annotations (``Annotated``, unions, containers, the fields of
    TypedDicts, dataclasses, pydantic models, NamedTuples) is allowed exactly; so are the
    classes defined in those classes' modules and in the modules of its node functions
    (and of a ``ToolNode``'s tools), except the standard library's (its classes are
    allowed one by one, when named) and LangGraph's and LangChain's runnable wrappers.
    A graph file loaded by path also counts under the names it imports as.
    """
    found: set[type] = set()
    seen: dict[int, Any] = {}
    node_modules: set[str] = set()
    for g in _graphs(graph):
        for schema in _schemas(g):
            _collect_types(schema, found, seen)
        for node in (getattr(g, "nodes", None) or {}).values():
            for fn in _node_callables(getattr(node, "bound", node)):
                module = getattr(fn, "__module__", None) if _is_function(fn) else type(fn).__module__
                if isinstance(module, str):
                    node_modules.add(module)
    allowed = AllowList()
    for cls in found:
        if cls.__module__ != "builtins":
            allowed.pairs.add((cls.__module__, cls.__name__))
    for module in node_modules | {cls.__module__ for cls in found}:
        if not _is_stdlib(module) and not module.startswith(_PLUMBING):
            allowed.modules.add(module)
            allowed.modules |= _import_names(module)
    return allowed


def _import_names(module: str) -> set[str]:
    """The names ``module``'s file imports as from ``sys.path``.

    A graph file given by path (``path/graph.py:graph``) is imported under a name of its
    own, but the app that wrote the store imported it as, say, ``my_pkg.graph``: its
    classes are stored under that name.
    """
    file = getattr(sys.modules.get(module), "__file__", None)
    if not file:
        return set()
    path = Path(file).resolve().with_suffix("")
    names: set[str] = set()
    for entry in sys.path:
        try:
            parts = path.relative_to(Path(entry or ".").resolve()).parts
        except (ValueError, OSError):
            continue
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and all(part.isidentifier() for part in parts):
            names.add(".".join(parts))
    return names


def _graphs(graph: Any) -> Iterator[Any]:
    yield graph
    try:
        subgraphs = list(graph.get_subgraphs(recurse=True))
    except Exception:  # a graph LangGraph cannot walk: its root is what there is
        return
    for _, sub in subgraphs:
        yield sub


def _schemas(graph: Any) -> Iterator[Any]:
    # The builder's schemas, not the compiled graph's input_schema / output_schema: those
    # are pydantic models LangGraph makes on the fly, in modules that are not the user's.
    builder = getattr(graph, "builder", None)
    if builder is not None:
        for attr in ("state_schema", "input_schema", "output_schema", "context_schema"):
            yield getattr(builder, attr, None)
        yield from getattr(builder, "schemas", None) or {}
        for spec in (getattr(builder, "nodes", None) or {}).values():
            yield getattr(spec, "input_schema", None)
    yield getattr(graph, "context_schema", None)
    for channel in (getattr(graph, "channels", None) or {}).values():
        for attr in ("ValueType", "UpdateType"):
            try:
                yield getattr(channel, attr)
            except Exception:  # a channel without a declared type
                continue


def _node_callables(runnable: Any, depth: int = 0) -> Iterator[Any]:
    """The user's callables inside a node's runnable (wrappers of LangGraph and LangChain looked through)."""
    if runnable is None or depth > 6:
        return
    if isinstance(runnable, functools.partial):
        yield from _node_callables(runnable.func, depth + 1)
        return
    if inspect.ismethod(runnable):
        yield runnable.__func__
        yield runnable.__self__
        return
    if _is_function(runnable):
        yield inspect.unwrap(runnable)
        return
    if hasattr(runnable, "get_subgraphs"):  # a subgraph: walked as a graph of its own
        return
    if not type(runnable).__module__.startswith(_PLUMBING):
        yield runnable
    for attr in ("func", "afunc"):
        yield from _node_callables(getattr(runnable, attr, None), depth + 1)
    steps = getattr(runnable, "steps", None)
    if isinstance(steps, (list, tuple)):
        for step in steps:
            yield from _node_callables(step, depth + 1)
    tools = getattr(runnable, "tools_by_name", None)  # a ToolNode: what its tools return is stored
    if isinstance(tools, dict):
        for tool in tools.values():
            for attr in ("func", "coroutine"):
                yield from _node_callables(getattr(tool, attr, None), depth + 1)


def _is_function(obj: Any) -> bool:
    return inspect.isfunction(obj) or inspect.isbuiltin(obj)


def _is_stdlib(module: str) -> bool:
    return module.partition(".")[0] in sys.stdlib_module_names


def _collect_types(tp: Any, found: set[type], seen: dict[int, Any]) -> None:
    """Every class ``tp`` names, through annotations, into ``found``."""
    if tp is None or id(tp) in seen:
        return
    seen[id(tp)] = tp  # kept alive, so that no other annotation gets its id
    if isinstance(tp, (str, ForwardRef)) or tp is Any:
        return
    if isinstance(tp, TypeVar):
        for arg in (tp.__bound__, *tp.__constraints__):
            _collect_types(arg, found, seen)
        return
    origin = get_origin(tp)
    if origin is Literal:
        return
    if origin is not None:
        args = get_args(tp)
        for arg in args[:1] if origin is Annotated else args:
            _collect_types(arg, found, seen)
        if isinstance(origin, type) and origin is not Annotated:
            _collect_types(origin, found, seen)
        return
    supertype = getattr(tp, "__supertype__", None)  # a NewType
    if supertype is not None:
        _collect_types(supertype, found, seen)
        return
    if not isinstance(tp, type):
        return
    found.add(tp)
    for hint in _field_types(tp):
        _collect_types(hint, found, seen)


def _field_types(cls: type) -> list[Any]:
    model_fields = getattr(cls, "model_fields", None)  # pydantic v2: annotations as it resolved them
    if isinstance(model_fields, dict):
        return [getattr(f, "annotation", None) for f in model_fields.values()]
    if is_dataclass(cls) or hasattr(cls, "__annotations__"):
        try:
            module = sys.modules.get(cls.__module__)
            return list(get_type_hints(cls, globalns=vars(module) if module else None, include_extras=True).values())
        except Exception:  # an annotation that does not resolve: the raw ones, as far as they go
            if is_dataclass(cls):
                return [f.type for f in fields(cls)]
            return list(getattr(cls, "__annotations__", {}).values())
    return []


# -- the serializer ---------------------------------------------------------------------------


class StrictSerializer:
    """LangGraph's serializer in strict msgpack mode that refuses, rather than replaces, a blocked type.

    Each msgpack value is read twice: first only for the names its objects carry (nothing
    imported, nothing called), checked against the allow-list; then, every name being
    allowed, by LangGraph's own decoder with exactly those names allowed. After a refusal
    the serializer writes nothing (``dumps_typed`` raises the refusal), so a run stopped
    by it leaves no trace in the store.
    """

    def __init__(self, allowed: AllowList, where: str) -> None:
        from langgraph.checkpoint.serde import _msgpack
        from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

        self.allowed = allowed
        self.where = where
        self.refused: DecodeRefused | None = None
        self.writes = 0
        """Values encoded so far (each one about to be written to the store)."""
        self._safe_types: frozenset[tuple[str, ...]] = _msgpack.SAFE_MSGPACK_TYPES
        self._safe_methods: frozenset[tuple[str, str, str]] = _msgpack.SAFE_MSGPACK_METHODS
        # allowed_msgpack_modules=None is LangGraph's strict mode: SAFE_MSGPACK_TYPES only,
        # whatever LANGGRAPH_STRICT_MSGPACK says; names checked here are added as they come.
        self._inner = JsonPlusSerializer(allowed_msgpack_modules=None)
        self._approved: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        """LangGraph's encoding; refused once a decode was refused."""
        if self.refused is not None:
            raise DecodeRefused(self.refused.message)
        self.writes += 1
        return self._inner.dumps_typed(obj)

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        """LangGraph's decoding of an allowed value; :class:`DecodeRefused` for any other."""
        type_, blob = data
        if type_ == "pickle":
            self._refuse("it is a pickle, which can run any code when loaded")
        if type_ == "msgpack":
            self._check(blob)
        return self._inner.loads_typed(data)

    def _check(self, blob: bytes) -> None:
        new: set[tuple[str, str]] = set()
        for ref in _names_in(blob):
            if not all(isinstance(part, str) for part in ref):
                self._refuse(f"it names a malformed type {ref!r}")
            if len(ref) == 3:
                if ref not in self._safe_methods:
                    self._refuse(f"it calls {ref[0]}.{ref[1]}.{ref[2]}(), which LangGraph does not decode")
                continue
            module, name = ref
            if (module, name) in self._safe_types or (module, name) in self._approved:
                continue
            if not self.allowed.allows(module, name):
                self._refuse(
                    f"it names {module}.{name}, which is not allowed "
                    f"(allow it with --allow-module {module}:{name} if you trust this store)"
                )
            new.add((module, name))
        if new:
            with self._lock:
                self._inner = self._inner.with_msgpack_allowlist(new)
                self._approved |= new

    def _refuse(self, why: str) -> None:
        after = "nothing was written" if not self.writes else "the action stopped there"
        refusal = DecodeRefused(f"refusing to decode a value stored in {self.where}: {why}; {after}")
        if self.refused is None:
            self.refused = refusal
        raise refusal


def _names_in(blob: bytes) -> list[tuple[Any, ...]]:
    """Every ``(module, name)`` (and ``(module, name, method)``) the objects of a msgpack value name.

    Read the way LangGraph's decoder reads it (same extension codes, same fields), but
    nothing is imported or called. A damaged value yields the names read before the
    damage: LangGraph would have revived those before failing.
    """
    import ormsgpack

    found: list[tuple[Any, ...]] = []

    def hook(code: int, data: bytes) -> None:
        if code not in _EXT_CODES:
            return None  # LangGraph's decoder does not read it either
        try:
            inner = ormsgpack.unpackb(data, ext_hook=hook, option=ormsgpack.OPT_NON_STR_KEYS)
        except Exception:  # LangGraph cannot read it either: nothing is revived from it
            return None
        try:
            if code in _EXT_CONSTRUCTORS:
                found.append((inner[0], inner[1]))
            elif code == _EXT_METHOD:
                found.append((inner[0], inner[1], inner[3]))
        except Exception:  # no name there: LangGraph fails on it the same way
            pass
        return None

    try:
        ormsgpack.unpackb(blob, ext_hook=hook, option=ormsgpack.OPT_NON_STR_KEYS)
    except Exception:  # LangGraph's decoder reports the damage itself
        pass
    return found


def strict_serializer(graph: Any, allow_modules: Iterable[str] | None, where: str) -> StrictSerializer:
    """The serializer an acting store decodes with (``where`` names the store in refusals)."""
    return StrictSerializer(allow_list(graph, allow_modules), where)


__all__ = [
    "AllowList",
    "DecodeRefused",
    "StrictSerializer",
    "allow_list",
    "graph_allow_list",
    "parse_allow_module",
    "strict_serializer",
]
