"""The flags of the verbs that show live events (``run``, ``attach``): ``--stuck-after``,
``--stuck NODE=SECONDS`` and ``--prices FILE.json``, checked and read."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import UsageError

_PRICE_SHAPE = '{"MODEL": {"input": PRICE_PER_1K_TOKENS, "output": PRICE_PER_1K_TOKENS}}'


def load_prices(path: str) -> dict[str, dict[str, float]]:
    """The user's price table (``--prices FILE.json``); a one-line UsageError saying what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--prices: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--prices: {path} is not a text file; expected JSON {_PRICE_SHAPE}") from None
    try:
        table = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--prices: {path} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except (RecursionError, ValueError):  # nested too deeply; an integer of more than 4300 digits
        raise UsageError(f"--prices: {path} is not a price table Python can read; expected JSON {_PRICE_SHAPE}") from None
    if not isinstance(table, dict):
        raise UsageError(f"--prices: {path} must hold a JSON object {_PRICE_SHAPE}")
    prices: dict[str, dict[str, float]] = {}
    for model, price in table.items():
        ok = (
            isinstance(price, dict)
            and bool(price)
            and set(price) <= {"input", "output"}
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in price.values())
        )
        if not ok:
            raise UsageError(
                f"--prices: {path}: the price of {model!r} must look like "
                '{"input": N, "output": N} (per 1k tokens, 0 or more), not ' + json.dumps(price)[:80]
            )
        prices[model] = {key: float(value) for key, value in price.items()}
    return prices


def parse_stuck(after: float, overrides: Iterable[str] | None) -> tuple[float, dict[str, float | None]]:
    """``--stuck-after`` and the ``--stuck NODE=SECONDS`` overrides as StuckWatch takes them
    (0 or ``off`` means never: math.inf for the default, None for a node)."""
    if not (math.isfinite(after) and after >= 0):
        raise UsageError(f"--stuck-after SECONDS must be 0 (never) or more, got {after}")
    per_node: dict[str, float | None] = {}
    for item in overrides or ():
        node, sep, value = item.rpartition("=")
        node, value = node.strip(), value.strip().lower()
        if not sep or not node or not value:
            raise UsageError(f"--stuck expects NODE=SECONDS or NODE=off, got {item!r}")
        if value == "off":
            per_node[node] = None
            continue
        try:
            seconds = float(value)
        except ValueError:
            raise UsageError(f"--stuck {item}: expected seconds or 'off' after '=', got {value!r}") from None
        if not (math.isfinite(seconds) and seconds >= 0):
            raise UsageError(f"--stuck {item}: seconds must be 0 (never) or more")
        per_node[node] = seconds or None
    return (after or math.inf), per_node


def check_stuck_nodes(per_node: dict[str, float | None], nodes: set[str]) -> None:
    """Refuse a ``--stuck`` override for a node the graph does not have (a typo would
    silently keep the default). ``sub:node`` names a subgraph's node, as ``--break`` does;
    phases report only the node's own name, so that is what is kept."""
    known = nodes | {n.rsplit(":", 1)[1] for n in nodes if ":" in n}
    for node in list(per_node):
        if node not in known:
            raise UsageError(f"--stuck: no node '{node}' in the graph; it has {', '.join(sorted(nodes))}")
        if ":" in node:
            per_node[node.rsplit(":", 1)[1]] = per_node.pop(node)


def live_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--stuck-after``, ``--stuck`` and ``--prices`` as the app's keyword arguments."""
    stuck_after, per_node = parse_stuck(args.stuck_after, args.stuck_overrides)
    prices = load_prices(args.prices) if args.prices is not None else None
    return {"stuck_after": stuck_after, "stuck_per_node": per_node, "prices": prices}
