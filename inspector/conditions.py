"""Conditions on a checkpoint's state, for conditional breakpoints: parsed and run safely.

A condition is a Python expression (``iterations >= 2 and "error" in feedback``) read with
``ast`` and evaluated by walking a whitelist of node types, never by ``eval``: the state
comes from a store, which is input from a stranger, and the expression from a person who
may paste anything. Names are the state's keys (a key not set yet is None) and ``state``,
the whole mapping; values are plain data (str, numbers, bool, None, list, tuple, dict) or
records whose public data attributes can be read (``messages[-1].content``, on a message
object or on its stored dict). Operators, comparisons, ``and``/``or``/``not``, ``in``,
``x if c else y`` and a few pure builtins work on plain data only, so no method of a stored
object ever runs; sizes are capped so no expression can hang the debugger (``9**9**9``).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 500
"""Characters in a condition."""
MAX_NODES = 200
"""Syntax nodes in a condition."""
MAX_INT_BITS = 4096
"""Bits in an integer an operator may produce (a ~1,200-digit number)."""
MAX_SIZE = 100_000
"""Items or characters in a string, list or tuple an operator may produce."""
MAX_VISIT = 10_000
"""Values looked at to check that a nested value is plain data before comparing it."""

_ATOMS = (str, int, float, bool, type(None))
_CONTAINERS = (list, tuple, dict)
_NUMBERS = (int, float, bool)


class ConditionError(ValueError):
    """A condition that cannot be read, or failed while evaluated; the message is one line."""


@dataclass(frozen=True)
class Condition:
    """A checked condition: its text, its syntax tree and the state keys it names."""

    text: str
    tree: ast.Expression
    names: frozenset[str]

    def holds(self, state: Mapping[str, Any]) -> bool:
        """Whether the condition is true on ``state`` (``ConditionError`` when it fails)."""
        return evaluate(self, state)


def parse_condition(text: str, keys: Collection[str] | None = None) -> Condition:
    """Read and check ``text``; ``keys``: the state keys a name may be (None: any name).

    Refused with a ``ConditionError`` saying why: a syntax error, a construct outside
    the whitelist (calls of anything but the pure builtins, lambdas, comprehensions,
    dunder attributes…), or a name the state does not have.
    """
    text = text.strip()
    if not text:
        raise ConditionError("the condition is empty")
    if len(text) > MAX_TEXT:
        raise ConditionError(f"the condition is longer than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"invalid syntax at column {exc.offset or 0}: {exc.msg}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ConditionError(f"the condition is too long ({len(nodes)} parts; at most {MAX_NODES})")
    names: set[str] = set()
    called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}  # a call's name is no state key
    for node in nodes:
        _check_node(node, names, called)
    if keys is not None:
        unknown = sorted(n for n in names if n != "state" and n not in keys)
        if unknown:
            have = ", ".join(sorted(keys)) or "no keys"
            raise ConditionError(f"unknown name '{unknown[0]}'; the state has {have}")
    return Condition(text=text, tree=tree, names=frozenset(names))


def evaluate(condition: Condition, state: Mapping[str, Any]) -> bool:
    """The truth of ``condition`` on ``state`` (plain data); ``ConditionError`` when it fails."""
    try:
        value = _Evaluator(state).eval(condition.tree.body)
        return _truth(value)
    except ConditionError:
        raise
    except RecursionError:
        raise ConditionError("the condition nests too deeply") from None
    except (ArithmeticError, TypeError, ValueError, IndexError, KeyError) as exc:
        raise ConditionError(f"{type(exc).__name__}: {exc}") from None


# -- what a condition may contain --------------------------------------------------------------

_BIN_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY_OPS: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Compare, ast.IfExp, ast.Name, ast.Load, ast.Constant, ast.Subscript,
    ast.Slice, ast.Attribute, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Call,
    *_BIN_OPS, *_COMPARE_OPS,
)


def _check_node(node: ast.AST, names: set[str], called: set[int]) -> None:
    """Refuse a syntax node outside the whitelist; collect the names read."""
    if not isinstance(node, _ALLOWED):
        raise ConditionError(f"{_describe(node)} is not allowed in a condition")
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ConditionError(f"name '{node.id}' is not allowed (no private or dunder names)")
        if id(node) not in called:
            names.add(node.id)
    elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise ConditionError(f"attribute '.{node.attr}' is not allowed (no private or dunder attributes)")
    elif isinstance(node, ast.Constant) and not isinstance(node.value, _ATOMS):
        raise ConditionError(f"a {type(node.value).__name__} literal is not allowed")
    elif isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in BUILTINS:
            raise ConditionError(f"only these functions can be called: {', '.join(sorted(BUILTINS))}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ConditionError(f"{func.id}() takes plain positional arguments only")


def _describe(node: ast.AST) -> str:
    return {
        ast.Lambda: "lambda", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator", ast.NamedExpr: "':='",
        ast.Await: "await", ast.Starred: "'*'", ast.JoinedStr: "an f-string",
    }.get(type(node), f"'{type(node).__name__}'")


# -- evaluating --------------------------------------------------------------------------------


def _plain(value: Any) -> bool:
    """Whether ``value`` is plain data all the way down (so comparing it runs no user code)."""
    todo, seen = [value], 0
    while todo:
        item = todo.pop()
        seen += 1
        if seen > MAX_VISIT:
            raise ConditionError(f"a value is too large to compare (more than {MAX_VISIT} parts)")
        kind = type(item)
        if kind in _ATOMS:
            continue
        if kind is dict:
            todo.extend(item.keys())
            todo.extend(item.values())
        elif kind in (list, tuple):
            todo.extend(item)
        else:
            return False
    return True


def _require_plain(value: Any, what: str) -> Any:
    if not _plain(value):
        raise ConditionError(f"cannot use a {type(value).__name__} in {what} (plain data only)")
    return value


def _size(value: Any) -> Any:
    """``value`` if an operator may return it: capped integers and sequences."""
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        raise ConditionError(f"a number grew past {MAX_INT_BITS} bits")
    if type(value) in (str, list, tuple) and len(value) > MAX_SIZE:
        raise ConditionError(f"a value grew past {MAX_SIZE} items")
    return value


def _pow(base: Any, exp: Any) -> Any:
    if type(base) is int and type(exp) is int and exp > 0 and abs(base) > 1:
        if base.bit_length() * exp > MAX_INT_BITS:
            raise ConditionError(f"{base}**{exp} would grow past {MAX_INT_BITS} bits")
    if type(exp) is float and abs(exp) > 10_000 or type(exp) is int and abs(exp) > 100_000:
        raise ConditionError("an exponent that large is not allowed")
    return base**exp


def _mul(a: Any, b: Any) -> Any:
    for seq, times in ((a, b), (b, a)):
        if type(seq) in (str, list, tuple) and type(times) in (int, bool) and len(seq) * max(int(times), 0) > MAX_SIZE:
            raise ConditionError(f"a value would grow past {MAX_SIZE} items")
    return a * b


def _truth(value: Any) -> bool:
    return bool(_require_plain(value, "a truth test") if type(value) not in _ATOMS else value)


def _numbers(values: Any, name: str) -> list[Any]:
    items = _iterable(values, name)
    if not all(type(v) in _NUMBERS for v in items):
        raise ConditionError(f"{name}() adds numbers only")
    return items


def _iterable(values: Any, name: str) -> list[Any]:
    if type(values) not in (list, tuple, str, dict):
        raise ConditionError(f"{name}() wants a list, tuple, string or dict, not {type(values).__name__}")
    return list(values)


def _one_or_many(name: str, args: tuple[Any, ...]) -> list[Any]:
    items = _iterable(args[0], name) if len(args) == 1 else list(args)
    if not items:
        raise ConditionError(f"{name}() of an empty sequence")
    for item in items:
        _require_plain(item, f"{name}()")
    return items


def _to_atom(kind: Callable[[Any], Any], name: str) -> Callable[..., Any]:
    def convert(*args: Any) -> Any:
        if len(args) != 1:
            raise ConditionError(f"{name}() takes one argument")
        value = _require_plain(args[0], f"{name}()")
        return _size(kind(value))

    return convert


BUILTINS: dict[str, Callable[..., Any]] = {
    "len": lambda *a: len(_require_plain(a[0], "len()")) if len(a) == 1 and type(a[0]) in (str, list, tuple, dict) else _bad_call("len", a),
    "any": lambda *a: any(_truth(v) for v in _iterable(a[0], "any")) if len(a) == 1 else _bad_call("any", a),
    "all": lambda *a: all(_truth(v) for v in _iterable(a[0], "all")) if len(a) == 1 else _bad_call("all", a),
    "min": lambda *a: min(_one_or_many("min", a)) if a else _bad_call("min", a),
    "max": lambda *a: max(_one_or_many("max", a)) if a else _bad_call("max", a),
    "sum": lambda *a: _size(sum(_numbers(a[0], "sum"))) if len(a) == 1 else _bad_call("sum", a),
    "abs": lambda *a: abs(a[0]) if len(a) == 1 and type(a[0]) in _NUMBERS else _bad_call("abs", a),
    "str": _to_atom(str, "str"),
    "int": _to_atom(int, "int"),
    "float": _to_atom(float, "float"),
    "bool": lambda *a: _truth(a[0]) if len(a) == 1 else _bad_call("bool", a),
}
"""The functions a condition may call: pure, on plain data, bounded."""


def _bad_call(name: str, args: tuple[Any, ...]) -> Any:
    kinds = ", ".join(type(a).__name__ for a in args) or "no arguments"
    raise ConditionError(f"{name}() cannot take {kinds}")


class _Evaluator:
    """Walks a checked tree over one state."""

    def __init__(self, state: Mapping[str, Any]) -> None:
        self.state = state

    def eval(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:  # parse_condition refused it already; a tree built elsewhere
            raise ConditionError(f"{_describe(node)} is not allowed in a condition")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        if node.id == "state":
            return dict(self.state)
        return self.state.get(node.id)

    def _Attribute(self, node: ast.Attribute) -> Any:
        return field_of(self.eval(node.value), node.attr)

    def _Subscript(self, node: ast.Subscript) -> Any:
        container = self.eval(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else self.eval(p) for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            if any(p is not None and type(p) is not int for p in parts):
                raise ConditionError("a slice takes whole numbers")
            if type(container) not in (str, list, tuple):
                raise ConditionError(f"cannot slice a {type(container).__name__}")
            return container[slice(*parts)]
        key = self.eval(node.slice)
        if type(container) is dict:
            if type(key) not in _ATOMS:
                raise ConditionError(f"a dict key cannot be a {type(key).__name__}")
            if key not in container:
                raise ConditionError(f"no key {key!r} (it has {_keys(container)})")
            return container[key]
        if type(container) in (str, list, tuple):
            if type(key) is not int:
                raise ConditionError(f"a {type(container).__name__} index must be a whole number, not {type(key).__name__}")
            if not -len(container) <= key < len(container):
                raise ConditionError(f"index {key} is out of range (length {len(container)})")
            return container[key]
        raise ConditionError(f"cannot index a {type(container).__name__}")

    def _List(self, node: ast.List) -> Any:
        return [self.eval(e) for e in node.elts]

    def _Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self.eval(e) for e in node.elts)

    def _Set(self, node: ast.Set) -> Any:
        return [self.eval(e) for e in node.elts]  # a set literal is a membership list: no hashing of stored values

    def _Dict(self, node: ast.Dict) -> Any:
        if any(k is None for k in node.keys):
            raise ConditionError("'**' is not allowed in a condition")
        out: dict[Any, Any] = {}
        for k, v in zip(node.keys, node.values):
            key = self.eval(k)  # type: ignore[arg-type]
            if type(key) not in _ATOMS:
                raise ConditionError(f"a dict key cannot be a {type(key).__name__}")
            out[key] = self.eval(v)
        return out

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        want = isinstance(node.op, ast.Or)
        value: Any = None
        for part in node.values:
            value = self.eval(part)
            if _truth(value) is want:
                return value
        return value

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not _truth(value)
        if type(value) not in _NUMBERS:
            raise ConditionError(f"cannot negate a {type(value).__name__}")
        return _UNARY_OPS[type(node.op)](value)

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        for side in (left, right):
            if type(side) not in (*_NUMBERS, str, list, tuple):
                raise ConditionError(f"cannot compute with a {type(side).__name__}")
            _require_plain(side, "arithmetic")
        op = type(node.op)
        if op is ast.Pow:
            return _size(_pow(left, right))
        if op is ast.Mult:
            return _size(_mul(left, right))
        if op is ast.Mod and type(left) is str:
            raise ConditionError("'%' formatting is not allowed; compare the parts instead")
        return _size(_BIN_OPS[op](left, right))

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.eval(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node)
            _require_plain(left, "a comparison")
            _require_plain(right, "a comparison")
            if type(op) in (ast.In, ast.NotIn) and type(right) not in (str, list, tuple, dict):
                raise ConditionError(f"'in' needs a string, list, tuple or dict on its right, not {type(right).__name__}")
            if type(op) in (ast.In, ast.NotIn) and type(right) is str and type(left) is not str:
                raise ConditionError(f"'in <string>' needs a string on its left, not {type(left).__name__}")
            if not _COMPARE_OPS[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body) if _truth(self.eval(node.test)) else self.eval(node.orelse)

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in BUILTINS:
            raise ConditionError(f"only these functions can be called: {', '.join(sorted(BUILTINS))}")
        return BUILTINS[name](*(self.eval(a) for a in node.args))


def field_of(value: Any, name: str) -> Any:
    """``value.name`` for a condition: a dict's key, or a record's public data attribute.

    A record's attribute is read from its instance ``__dict__`` only: no property,
    descriptor or method of a stored object runs, and nothing private is reached.
    """
    if name.startswith("_"):
        raise ConditionError(f"attribute '.{name}' is not allowed")
    if type(value) is dict:
        if name not in value:
            raise ConditionError(f"no field '{name}' (it has {_keys(value)})")
        return value[name]
    if type(value) in _ATOMS or type(value) in _CONTAINERS:
        raise ConditionError(f"a {type(value).__name__} has no field '{name}'")
    fields = getattr(value, "__dict__", None)
    if type(fields) is not dict or name not in fields or callable(fields[name]):
        raise ConditionError(f"a {type(value).__name__} has no data field '{name}'")
    return fields[name]


def _keys(mapping: dict[Any, Any]) -> str:
    shown = [str(k) for k in list(mapping)[:12] if type(k) is str and not k.startswith("_")]
    return ", ".join(shown) or "no keys"
