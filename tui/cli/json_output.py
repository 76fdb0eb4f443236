"""``--json`` output of the read-only verbs: one document on standard output, for programs."""

from __future__ import annotations

import base64
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel


def emit_record(document: BaseModel) -> None:
    """Write a pydantic record (a ``ThreadList``, ``HistoryPage``, ``CheckpointState``) as JSON."""
    sys.stdout.write(document.model_dump_json(indent=2))
    sys.stdout.write("\n")


def _base64(value: Any) -> str:
    # The records write bytes as URL-safe base64 (ser_json_bytes="base64").
    if isinstance(value, (bytes, bytearray)):
        return base64.urlsafe_b64encode(value).decode()
    raise TypeError(type(value).__name__)


def document_json(document: dict[str, Any], record: str) -> bytes:
    """A source's plain ``document`` as JSON, byte for byte what the pydantic ``record`` writes.

    orjson writes the same JSON as the record's serializer without building 10,000
    models; data it would write differently (sets, non-string keys, integers beyond
    64 bits) goes through the record itself.
    """
    import orjson

    try:
        return orjson.dumps(
            document,
            default=_base64,
            option=orjson.OPT_INDENT_2 | orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE,
        )
    except TypeError:
        from agent_debug.inspector import model

        return getattr(model, record).model_validate(document).model_dump_json(indent=2).encode() + b"\n"


def emit_document(document: dict[str, Any], record: str) -> None:
    """Write a source's plain ``document`` as the JSON of ``record`` (see :func:`document_json`)."""
    data = document_json(document, record)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
