"""Presenting stored LangChain messages, thinking included, from decoded plain values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from agent_debug.inspector.decode import TYPE_KEY
from agent_debug.inspector.model import MessageView

ThinkingFormat = Literal["reasoning", "thinking", "reasoning_content"]
"""Where thinking came from: standard reasoning blocks, Anthropic thinking blocks, or
``additional_kwargs["reasoning_content"]``."""

_MESSAGE_MODULE = "langchain_core.messages."
_ROLE_BY_TYPE = {
    "human": "human",
    "ai": "ai",
    "system": "system",
    "tool": "tool",
    "function": "function",
    "chat": "chat",
    "remove": "remove",
}


def is_message(value: Any) -> bool:
    """True for a decoded LangChain message (safe or full decoding)."""
    if not isinstance(value, dict):
        return False
    t = value.get(TYPE_KEY)
    return isinstance(t, str) and t.startswith(_MESSAGE_MODULE) and "Message" in t


def split_content(content: Any, additional_kwargs: Mapping[str, Any] | None = None) -> tuple[str, list[tuple[ThinkingFormat, str]]]:
    """The answer text and the thinking pieces (with their format) of a message or chunk."""
    texts: list[str] = []
    thoughts: list[tuple[ThinkingFormat, str]] = []
    extra = additional_kwargs or {}
    if isinstance(extra.get("reasoning_content"), str) and extra["reasoning_content"]:
        thoughts.append(("reasoning_content", extra["reasoning_content"]))
    if isinstance(content, str):
        texts.append(content)
    elif isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                texts.append(block)
                continue
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str):
                texts.append(block["text"])
            elif kind == "thinking" and isinstance(block.get("thinking"), str) and block["thinking"]:
                thoughts.append(("thinking", block["thinking"]))
            elif kind == "reasoning":
                if isinstance(block.get("reasoning"), str) and block["reasoning"]:
                    thoughts.append(("reasoning", block["reasoning"]))
                # OpenAI Responses-style reasoning carries summaries instead.
                for part in block.get("summary") or []:
                    if isinstance(part, dict) and isinstance(part.get("text"), str) and part["text"]:
                        thoughts.append(("reasoning", part["text"]))
    return "".join(texts), thoughts


def message_view(value: dict[str, Any]) -> MessageView:
    """Present one decoded message."""
    type_name = str(value.get(TYPE_KEY, "")).rsplit(".", 1)[-1] or None
    raw_role = value.get("type") or (type_name or "").removesuffix("MessageChunk").removesuffix("Message").lower()
    role = _ROLE_BY_TYPE.get(str(raw_role), str(raw_role))
    if role == "chat" and value.get("role"):
        role = str(value["role"])
    extra = value.get("additional_kwargs")
    text, thoughts = split_content(value.get("content"), extra if isinstance(extra, dict) else None)
    reasoning = [thought for _, thought in thoughts]
    response = value.get("response_metadata") or {}
    model = None
    if isinstance(response, dict):
        model = response.get("model_name") or response.get("model")
    tool_calls = [tc for tc in value.get("tool_calls") or [] if isinstance(tc, dict)]
    usage = value.get("usage_metadata")
    return MessageView(
        role=role,
        type_name=type_name,
        id=value.get("id") if isinstance(value.get("id"), str) else None,
        name=value.get("name") if isinstance(value.get("name"), str) else None,
        text=text,
        reasoning=reasoning,
        tool_calls=tool_calls,
        tool_call_id=value.get("tool_call_id") if isinstance(value.get("tool_call_id"), str) else None,
        usage=usage if isinstance(usage, dict) else None,
        model=str(model) if model else None,
    )


def find_messages(values: Any) -> list[MessageView]:
    """Messages held directly in the state's channels (lists of messages, or one message)."""
    found: list[MessageView] = []
    if not isinstance(values, dict):
        return found
    for channel_value in values.values():
        items = channel_value if isinstance(channel_value, list) else [channel_value]
        found.extend(message_view(v) for v in items if is_message(v))
    return found
