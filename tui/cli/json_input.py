"""JSON values given on the command line (``--input``, ``--value``, ``--update``): the JSON
itself, or ``@FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import UsageError


def parse_json_arg(text: str, flag: str) -> Any:
    """A JSON value from the command line, or from a file with ``@FILE``; exit 2 on bad JSON
    or a file that cannot be read as UTF-8 text (missing, a directory, binary)."""
    if text.startswith("@"):
        name = text[1:]
        if not name:
            raise UsageError(f"{flag} @: name the file after '@' (@FILE), or give the JSON itself")
        try:
            text = Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{flag}: cannot read {name}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{flag}: {name} is not a UTF-8 text file (expected JSON); nothing was sent") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{flag} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); nothing was sent") from None
    except RecursionError:
        raise UsageError(f"{flag}: the JSON is nested too deeply to read; nothing was sent") from None
    except ValueError as exc:  # an integer of more than 4300 digits (Python's int limit)
        raise UsageError(f"{flag}: the JSON holds a value Python cannot read ({str(exc).split(';')[0]}); nothing was sent") from None
