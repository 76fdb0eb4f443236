"""What "approve" and "reject" send, for the shapes interrupts come in.

- LangChain's human-in-the-loop middleware asks ``{"action_requests": [...],
  "review_configs": [...]}`` and expects ``{"decisions": [{"type": "approve"}, ...]}``,
  one decision per action, in order.
- The older agent-inbox shape is a list of ``{"action_request", "config",
  "description"}`` and expects a list of ``{"type": "accept" | "ignore" | "response", "args"}``.
- An interrupt offering ``"options"`` (e.g. ``["approve", "reject"]``) gets the option.
- Anything else gets ``True`` / ``False``.
"""

from __future__ import annotations

from typing import Any

_APPROVE_WORDS = ("approve", "approved", "accept", "yes", "ok", "sign off")
_REJECT_WORDS = ("reject", "rejected", "deny", "decline", "no", "revise", "ignore")


def _is_hitl_request(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("action_requests"), list)


def _is_inbox_request(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "action_request" in v for v in value)


def _option(value: Any, words: tuple[str, ...]) -> str | None:
    options = value.get("options") if isinstance(value, dict) else None
    if not isinstance(options, list):
        return None
    for option in options:
        if isinstance(option, str) and option.strip().lower() in words:
            return option
    return None


def approve_value(value: Any) -> Any:
    """The resume value that approves an interrupt asking ``value``."""
    if _is_hitl_request(value):
        return {"decisions": [{"type": "approve"} for _ in value["action_requests"]]}
    if _is_inbox_request(value):
        return [{"type": "accept", "args": None} for _ in value]
    option = _option(value, _APPROVE_WORDS)
    return option if option is not None else True


def reject_value(value: Any, message: str | None = None) -> Any:
    """The resume value that rejects an interrupt asking ``value`` (with an optional reason)."""
    reason = message or "Rejected in agent-debug."
    if _is_hitl_request(value):
        return {"decisions": [{"type": "reject", "message": reason} for _ in value["action_requests"]]}
    if _is_inbox_request(value):
        if message:
            return [{"type": "response", "args": message} for _ in value]
        return [{"type": "ignore", "args": None} for _ in value]
    option = _option(value, _REJECT_WORDS)
    if option is not None and not message:
        return option
    if message and isinstance(value, dict):
        return {"approved": False, "feedback": message}
    return False


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
