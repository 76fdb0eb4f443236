"""What "approve" and "reject" send, derived from the shape the interrupt declares.

A wrong answer is worse than none: a reject read as an approval does what the user
refused. So each value below is one whose meaning the interrupt itself declares, and
where no value is certain :class:`UnsafeAnswer` is raised (one line: send an explicit
value instead). Every value produced fits the interrupt's ``response_schema`` when it has
one; if none can, that is refused too.

Shapes read, first match wins:

- **LangChain HITL, per call** (``HumanInTheLoopMiddleware(interrupt_mode="per_call")``):
  the value is ``{"type": "tool_approval", "name", "args", ...}`` and the interrupt's
  ``response_schema`` lists the decisions the tool allows. Answer: one decision,
  ``{"type": "approve"}`` or ``{"type": "reject", "message"?}``.
- **LangChain HITL, batched** (the default, and what deepagents' ``interrupt_on=`` uses):
  ``{"action_requests": [...], "review_configs": [...]}``. Answer:
  ``{"decisions": [...]}``, one per action, in order.
- **Agent inbox** (``langgraph.prebuilt.interrupt.HumanInterrupt``, asked as a list):
  answer ``[{"type": "accept" | "ignore" | "response", "args"}]``; a reject is
  ``ignore``, or ``response`` carrying the reason.
  In all three, a decision the interrupt's config does not allow (``allowed_decisions``,
  ``allow_accept``/``allow_ignore``/``allow_respond``) is refused, never replaced by
  another decision.
- **A response_schema** on any other interrupt: a boolean (``True``/``False``); an
  enum, const or ``oneOf``/``anyOf`` of words (the approve or reject word it lists); an
  object with a decision property (``{"type": "approve"}``-like, by its const/enum) or a
  boolean approval flag (``approved``, ``accept``, ``confirmed``, ...). A reason goes
  only into a string field the schema declares for it (``message``, ``reason``,
  ``feedback``, ...); other required fields are not guessed.
- **An ``options`` list** in a dict value (``{"question": ..., "options": ["approve",
  "revise"]}``): the option word. A word list has no place for a reason, so a reject
  with one is refused.
- **A plain-text question** with no schema (``interrupt("Ship it?")``): ``True`` /
  ``False``, LangGraph's documented convention for yes/no interrupts. This is the one
  reject sent without a declared shape: ``False`` is what ``if answer:``,
  ``answer is True`` and ``answer == "yes"`` all read as no (only an app testing
  ``answer != "no"`` would not, and it would break the convention). A reason has
  nowhere to go, so a reject with one is refused.
- **Anything else** (a custom dict or list with no schema and no options, such as
  ``{"question": "refund?"}`` or the ``{"approved": bool}`` convention of swarm and
  supervisor apps): approve sends ``True`` (the same convention; a misreading fails or
  declines, it never acts on a refusal), and reject is **refused**: ``False`` or
  ``{"approved": False, "feedback": ...}`` may each be read as truthy by the app.

langgraph-prebuilt (beyond the inbox types), langgraph-supervisor and langgraph-swarm
raise no interrupts of their own; the apps built on them do, in the shapes above.

For answer editors: :func:`offer` names the decisions in the interrupt's own words,
:func:`editor_value` is what an editor starts with, :func:`template_value` fills in an
edit or respond decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agent_debug.inspector.exceptions import InspectorError

if TYPE_CHECKING:
    from agent_debug.inspector.model import InterruptInfo

Verdict = Literal["approve", "reject"]

_APPROVE_WORDS = ("approve", "approved", "accept", "accepted", "yes", "y", "ok", "confirm", "allow", "sign off")
_REJECT_WORDS = ("reject", "rejected", "deny", "denied", "decline", "no", "n", "revise", "ignore", "cancel", "abort")
# Boolean fields whose True means "go ahead". A negative flag ("rejected") is never guessed.
_FLAG_NAMES = ("approved", "approve", "accept", "accepted", "confirm", "confirmed", "allow", "allowed", "proceed", "ok")
# String fields a reason may go in.
_REASON_NAMES = ("message", "reason", "feedback", "comment", "comments", "note", "notes")

_CLI_REMEDY = "answer it with an explicit --value JSON"


class UnsafeAnswer(InspectorError):
    """No approve/reject value is certain for this interrupt; nothing was sent.

    ``reason`` is the why alone, for front ends that add their own remedy.
    """

    def __init__(self, reason: str, remedy: str = _CLI_REMEDY) -> None:
        super().__init__(f"{reason}; nothing was sent: {remedy}")
        self.reason = reason


class _Unknown(Exception):
    """The schema says nothing certain about this verdict (the caller tries the next reading)."""


# -- public --------------------------------------------------------------------------------


def approve_value(value: Any, response_schema: Any = None) -> Any:
    """The resume value that approves an interrupt asking ``value``; raises :class:`UnsafeAnswer`."""
    return _decide(value, response_schema, "approve", None)


def reject_value(value: Any, message: str | None = None, response_schema: Any = None) -> Any:
    """The resume value that rejects an interrupt asking ``value``, with the reason where the
    shape takes one; raises :class:`UnsafeAnswer` where no value is certain to mean reject."""
    return _decide(value, response_schema, "reject", message or None)


def answer(interrupt: InterruptInfo, *, approve: bool, message: str | None = None) -> Any:
    """:func:`approve_value` / :func:`reject_value` for one pending interrupt; a refusal names it."""
    try:
        if approve:
            return approve_value(interrupt.value, interrupt.response_schema)
        return reject_value(interrupt.value, message, interrupt.response_schema)
    except UnsafeAnswer as exc:
        verb = "approve" if approve else "reject"
        name = f"interrupt {interrupt.id[:8]}" if interrupt.id else "the interrupt"
        raise UnsafeAnswer(f"cannot {verb} {name} ({interrupt.node}) safely: {exc.reason}") from None


def check_schema(value: Any, schema: Any) -> str | None:
    """None if ``value`` fits the interrupt's JSON Schema, else one line saying why not."""
    if not isinstance(schema, dict) or not schema:
        return None
    import jsonschema

    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the value"
        return f"{where}: {exc.message}"
    except jsonschema.SchemaError as exc:
        return f"the interrupt's response_schema is not a valid JSON Schema: {exc.message}"
    return None


@dataclass(frozen=True)
class Offer:
    """What an interrupt lets a reviewer answer, in its own words (for buttons and hints).

    ``labels`` maps "approve" / "reject" and any further decision the shape offers
    ("edit", "respond") to the word the interrupt uses for it.
    """

    labels: dict[str, str] = field(default_factory=dict)


def offer(value: Any, response_schema: Any = None) -> Offer:
    """The decisions ``value`` offers, labelled as it names them."""
    schema = _schema(response_schema)
    if _is_tool_approval(value):
        allowed = _decision_types(schema) if schema else None
        return Offer(_hitl_labels(allowed or ["approve", "edit", "reject", "respond"]))
    if _is_hitl_request(value):
        allowed = [d for c in value.get("review_configs") or [] if isinstance(c, dict) for d in c.get("allowed_decisions") or []]
        return Offer(_hitl_labels(allowed or ["approve", "reject"]))
    if _is_inbox_request(value):
        configs = [v.get("config") if isinstance(v.get("config"), dict) else {} for v in value]
        allows = {key: any(c.get(key, True) for c in configs) for key in ("allow_accept", "allow_ignore", "allow_edit", "allow_respond")}
        labels = {}
        if allows["allow_accept"]:
            labels["approve"] = "Accept"
        if allows["allow_ignore"] or allows["allow_respond"]:  # a reject is an ignore, or a response with its reason
            labels["reject"] = "Ignore" if allows["allow_ignore"] else "Reject"
        if allows["allow_edit"]:
            labels["edit"] = "Edit"
        if allows["allow_respond"]:
            labels["respond"] = "Respond"
        return Offer(labels)
    words = _words_of(schema) if schema else None
    if words is None:
        words = _options(value)
    if words:
        labels = {}
        for verdict, pool in (("approve", _APPROVE_WORDS), ("reject", _REJECT_WORDS)):
            word = _pick(words, pool)
            if word is not None:
                labels[verdict] = str(word).capitalize() if isinstance(word, str) else verdict.capitalize()
        return Offer(labels)
    return Offer({"approve": "Approve", "reject": "Reject"})


def template_value(value: Any, response_schema: Any, decision: str, message: str | None = None) -> Any:
    """A value to edit for ``decision`` ("approve", "reject", "edit", "respond"), for an editor.

    Unlike :func:`approve_value` it never refuses: where no certain value exists it
    returns a skeleton of the schema (or the interrupt's own shape) for the user to fill.
    """
    schema = _schema(response_schema)
    if _is_tool_approval(value):
        return _hitl_template(decision, value.get("name"), value.get("args"), message)
    if _is_hitl_request(value):
        decisions = []
        for action, allowed in zip(value["action_requests"], _review_allowed(value), strict=False):
            choice = decision if allowed is None or decision in allowed else (allowed[0] if allowed else decision)
            a = action if isinstance(action, dict) else {}
            decisions.append(_hitl_template(choice, a.get("name"), a.get("args"), message))
        return {"decisions": decisions}
    if _is_inbox_request(value):
        out = []
        for item in value:
            request = item.get("action_request") if isinstance(item.get("action_request"), dict) else {}
            out.append(
                {
                    "approve": {"type": "accept", "args": None},
                    "reject": {"type": "response", "args": message or ""} if message else {"type": "ignore", "args": None},
                    "edit": {"type": "edit", "args": {"action": request.get("action"), "args": request.get("args", {})}},
                    "respond": {"type": "response", "args": message or ""},
                }.get(decision, {"type": "accept", "args": None})
            )
        return out
    try:
        return _decide(value, response_schema, "reject" if decision == "reject" else "approve", message)
    except UnsafeAnswer:
        pass
    if schema:
        return _skeleton(schema, schema)
    options = _options(value)
    if options:
        return options[0]
    return decision == "approve"


def schema_summary(response_schema: Any, width: int = 240) -> str:
    """One line saying what a response_schema takes: the ``type`` choices of a decision
    schema (LangChain's per-call one is long), else the schema's JSON, clipped."""
    schema = _schema(response_schema)
    types = _decision_types(schema) if schema else None
    if types:
        return "a decision {\"type\": " + " | ".join(_json(t) for t in types) + ", ...}"
    text = _json(response_schema)
    return text if len(text) <= width else text[: width - 1] + "…"


def editor_value(value: Any, response_schema: Any = None) -> tuple[Any, str | None]:
    """What an answer editor starts with: the approve value, or where approve is refused a
    template of the interrupt's shape and the one-line reason why."""
    try:
        return approve_value(value, response_schema), None
    except UnsafeAnswer as exc:
        labels = offer(value, response_schema).labels
        first = next((d for d in ("reject", "respond", "edit") if d in labels), "approve")
        return template_value(value, response_schema, first), exc.reason


# -- the shapes ----------------------------------------------------------------------------


def _decide(value: Any, response_schema: Any, verdict: Verdict, message: str | None) -> Any:
    schema = _schema(response_schema)
    if _is_tool_approval(value):
        sent = _tool_approval(value, schema, verdict, message)
    elif _is_hitl_request(value):
        sent = _hitl_batched(value, verdict, message)
    elif _is_inbox_request(value):
        sent = _inbox(value, verdict, message)
    else:
        sent = _other(value, schema, verdict, message)
    if schema:
        problem = check_schema(sent, schema)
        if problem:
            raise UnsafeAnswer(f"the {verdict} value {_json(sent)} does not fit the interrupt's response_schema ({problem})")
    return sent


def _schema(schema: Any) -> dict[str, Any] | None:
    return schema if isinstance(schema, dict) and schema else None


def _is_tool_approval(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "tool_approval" and "tool_call_id" in value


def _is_hitl_request(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("action_requests"), list) and bool(value["action_requests"])


def _is_inbox_request(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "action_request" in v for v in value)


def _hitl_decision(verdict: Verdict, message: str | None) -> dict[str, Any]:
    # A reject without a reason leaves the message out: the middleware then tells the
    # model the call was not run and not to retry it.
    if verdict == "approve":
        return {"type": "approve"}
    return {"type": "reject", "message": message} if message else {"type": "reject"}


def _tool_approval(value: dict[str, Any], schema: dict[str, Any] | None, verdict: Verdict, message: str | None) -> Any:
    allowed = _decision_types(schema) if schema else None
    if allowed is not None and verdict not in allowed:
        raise UnsafeAnswer(f"{verdict} is not allowed for tool {value.get('name')!r} (allowed: {', '.join(allowed)})")
    return _hitl_decision(verdict, message)


def _review_allowed(value: dict[str, Any]) -> list[list[str] | None]:
    """Each action's allowed decisions, from its review config (by position, else by name)."""
    configs = [c for c in value.get("review_configs") or [] if isinstance(c, dict)]
    actions = value["action_requests"]
    out: list[list[str] | None] = []
    for n, action in enumerate(actions):
        name = action.get("name") if isinstance(action, dict) else None
        config = configs[n] if len(configs) == len(actions) and configs[n].get("action_name") == name else None
        if config is None:
            config = next((c for c in configs if c.get("action_name") == name), None)
        allowed = config.get("allowed_decisions") if config else None
        out.append([str(d) for d in allowed] if isinstance(allowed, list) else None)
    return out


def _hitl_batched(value: dict[str, Any], verdict: Verdict, message: str | None) -> Any:
    # An action without a review config states no limits; the middleware checks the
    # decision against its own config and fails loudly, never silently approves.
    refused = []
    for action, allowed in zip(value["action_requests"], _review_allowed(value), strict=True):
        name = action.get("name") if isinstance(action, dict) else None
        if allowed is not None and verdict not in allowed:
            refused.append(f"{verdict} is not allowed for {name!r} (allowed: {', '.join(allowed)})")
    if refused:
        raise UnsafeAnswer("; ".join(refused))
    return {"decisions": [_hitl_decision(verdict, message) for _ in value["action_requests"]]}


def _inbox(value: list[dict[str, Any]], verdict: Verdict, message: str | None) -> Any:
    # A request without a config states no limits; the app's own handler checks the type.
    configs = [v.get("config") if isinstance(v.get("config"), dict) else {} for v in value]
    if verdict == "approve":
        kind, flag, args = "accept", "allow_accept", None
    elif message:
        kind, flag, args = "response", "allow_respond", message
    else:
        kind, flag, args = "ignore", "allow_ignore", None
    if not all(c.get(flag, True) for c in configs):
        why = f"its config does not allow {kind!r} ({flag} is false)"
        if kind == "response" and all(c.get("allow_ignore", True) for c in configs):
            why += "; reject without a reason to send 'ignore'"
        elif kind == "ignore" and all(c.get("allow_respond", True) for c in configs):
            why += "; give a reason to send it as a 'response'"
        raise UnsafeAnswer(why)
    return [{"type": kind, "args": args} for _ in value]


def _other(value: Any, schema: dict[str, Any] | None, verdict: Verdict, message: str | None) -> Any:
    if schema:
        try:
            return _from_schema(schema, verdict, message)
        except _Unknown as exc:
            if _options(value) is None:
                raise UnsafeAnswer(str(exc)) from None
    options = _options(value)
    if options is not None:
        return _from_words(options, verdict, message, "options")
    if verdict == "approve":
        return True
    if isinstance(value, str):
        if message:
            raise UnsafeAnswer("a plain question is answered True/False and has no place for a reason; reject without one")
        return False
    kind = type(value).__name__
    raise UnsafeAnswer(
        f"it asks a {kind} with no response_schema or options, so no value is certain to be read as a reject "
        "(False or {\"approved\": false, ...} may each be read as yes)"
    )


def _options(value: Any) -> list[Any] | None:
    options = value.get("options") if isinstance(value, dict) else None
    if isinstance(options, list) and options and all(isinstance(o, str) for o in options):
        return options
    return None


def _pick(words: Iterable[Any], pool: tuple[str, ...]) -> Any:
    """The first of ``words`` that reads as one of ``pool`` (in pool order), as given."""
    words = list(words)
    for wanted in pool:
        for word in words:
            if isinstance(word, str) and word.strip().lower() == wanted:
                return word
    return None


def _from_words(words: list[Any], verdict: Verdict, message: str | None, where: str) -> Any:
    listed = ", ".join(map(_json, words))
    if all(isinstance(w, bool) for w in words):
        if verdict == "reject" and message:
            raise UnsafeAnswer(f"its {where} ({listed}) have no place for a reason; reject without one")
        if (verdict == "approve") in words:
            return verdict == "approve"
        raise UnsafeAnswer(f"none of its {where} ({listed}) means {verdict}")
    word = _pick(words, _APPROVE_WORDS if verdict == "approve" else _REJECT_WORDS)
    if word is None:
        raise UnsafeAnswer(f"none of its {where} ({listed}) reads as {verdict}")
    if verdict == "reject" and message:
        raise UnsafeAnswer(f"its {where} ({listed}) have no place for a reason; reject without one to send {_json(word)}")
    return word


# -- JSON Schema ---------------------------------------------------------------------------


def _resolve(node: Any, root: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """``node`` with a local ``$ref`` followed (``#/$defs/X``, ``#/definitions/X``)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        node, depth = target, depth + 1
    return node if isinstance(node, dict) else {}


def _branches(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(schema, root)
    for key in ("oneOf", "anyOf"):
        if isinstance(node.get(key), list):
            return [b for branch in node[key] for b in _branches(branch, root)]
    return [node]


def _consts(prop: dict[str, Any]) -> list[Any] | None:
    if "const" in prop:
        return [prop["const"]]
    if isinstance(prop.get("enum"), list):
        return list(prop["enum"])
    return None


def _decision_types(schema: dict[str, Any]) -> list[str] | None:
    """The ``type`` constants of a decision schema's branches (LangChain's per-call schema)."""
    found: list[str] = []
    for branch in _branches(schema, schema):
        prop = _resolve((branch.get("properties") or {}).get("type"), schema)
        for const in _consts(prop) or []:
            if isinstance(const, str) and const not in found:
                found.append(const)
    return found or None


def _words_of(schema: dict[str, Any]) -> list[Any] | None:
    """The words a scalar schema allows (enum, const, or a union of them), else None."""
    words: list[Any] = []
    for branch in _branches(schema, schema):
        consts = _consts(branch)
        if consts is None:
            return None
        words.extend(consts)
    return words or None


def _from_schema(schema: dict[str, Any], verdict: Verdict, message: str | None) -> Any:
    """The value the schema declares for ``verdict``: a word or boolean it lists, else an
    object with a decision field or approval flag (the only branch that can carry a reason)."""
    words = _words_of(schema)
    if words is not None:
        return _from_words(words, verdict, message, "allowed values")
    branches = _branches(schema, schema)
    with_reason = verdict == "reject" and bool(message)
    scalars = [c for b in branches for c in _consts(b) or []]
    booleans = any(b.get("type") == "boolean" for b in branches)
    why = None
    if scalars and not with_reason:
        try:
            return _from_words(scalars, verdict, None, "allowed values")
        except UnsafeAnswer as exc:
            why = exc.reason
    if booleans and not with_reason:
        return verdict == "approve"
    for branch in (b for b in branches if b.get("type") == "object" or "properties" in b):
        try:
            return _object_answer(branch, schema, verdict, message)
        except UnsafeAnswer as exc:
            why = why or exc.reason
        except _Unknown:
            continue
    if with_reason and (scalars or booleans):
        raise UnsafeAnswer("its response_schema has no place for a reason; reject without one")
    if why:
        raise UnsafeAnswer(why)
    raise _Unknown(f"its response_schema declares no value that means {verdict}")


def _object_answer(branch: dict[str, Any], root: dict[str, Any], verdict: Verdict, message: str | None) -> dict[str, Any]:
    props = {k: _resolve(v, root) for k, v in (branch.get("properties") or {}).items()}
    sent: dict[str, Any] | None = None
    pool = _APPROVE_WORDS if verdict == "approve" else _REJECT_WORDS
    for name, prop in props.items():  # a decision property: {"type": "approve"}, {"decision": "reject"}
        consts = _consts(prop)
        word = _pick(consts, pool) if consts and not all(isinstance(c, bool) for c in consts) else None
        if word is not None:
            sent = {name: word}
            break
    if sent is None:
        for name in _FLAG_NAMES:  # an approval flag: {"approved": true}
            prop = props.get(name)
            if prop is None:
                continue
            consts = _consts(prop)
            if prop.get("type") == "boolean" and (consts is None or (verdict == "approve") in consts):
                sent = {name: verdict == "approve"}
                break
            if consts is not None and consts and all(isinstance(c, bool) for c in consts) and (verdict == "approve") in consts:
                sent = {name: verdict == "approve"}
                break
    if sent is None:
        raise _Unknown("no field")
    if message and verdict == "reject":
        reason = next((n for n in _REASON_NAMES if n in props and props[n].get("type", "string") == "string" and n not in sent), None)
        if reason is None:
            raise UnsafeAnswer(f"its response_schema has no field for a reason (it takes {_json(sent)}); reject without one")
        sent[reason] = message
    missing = [r for r in branch.get("required") or [] if r not in sent]
    if missing:
        raise UnsafeAnswer(f"its response_schema also requires {', '.join(map(str, missing))}, which agent-debug cannot fill in")
    return sent


def _skeleton(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """A value of the schema's shape with placeholder leaves, for the user to fill in."""
    node = _resolve(node, root)
    if depth > 6:
        return None
    if "const" in node:
        return node["const"]
    if "default" in node:
        return node["default"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    for key in ("oneOf", "anyOf"):
        if isinstance(node.get(key), list) and node[key]:
            return _skeleton(node[key][0], root, depth + 1)
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in node:
        props = node.get("properties") or {}
        return {k: _skeleton(props[k], root, depth + 1) for k in node.get("required") or props if k in props}
    return {"array": [], "string": "", "boolean": False, "integer": 0, "number": 0}.get(kind)  # type: ignore[arg-type]


# -- labels and templates ------------------------------------------------------------------


def _hitl_labels(allowed: Iterable[str]) -> dict[str, str]:
    allowed = set(allowed)
    return {d: d.capitalize() for d in ("approve", "reject", "edit", "respond") if d in allowed}


def _hitl_template(decision: str, name: Any, args: Any, message: str | None) -> dict[str, Any]:
    if decision == "edit":
        return {"type": "edit", "edited_action": {"name": name, "args": args if isinstance(args, dict) else {}}}
    if decision == "respond":
        return {"type": "respond", "message": message or ""}
    return _hitl_decision("approve" if decision == "approve" else "reject", message)


def _json(value: Any) -> str:
    return json.dumps(value, default=str)
