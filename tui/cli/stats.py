"""``agent-debug stats TARGET``: where time, tokens and failures go across threads.
``--json`` for programs (schema: StoreStats), Rich for people."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from agent_debug.inspector.stats_model import StoreStats
from agent_debug.inspector.vocabulary import ThreadStatus


def run_stats(args: argparse.Namespace) -> int:
    """``agent-debug stats TARGET``."""
    from agent_debug.inspector.stats import StatsQuery, compute_stats, parse_since
    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.cli.live_flags import load_prices

    now = datetime.now(UTC)
    # The flags are checked before the store is opened: a usage error never touches it.
    query = StatsQuery(
        since=parse_since(args.since, now) if args.since else None,
        status=ThreadStatus(args.status) if args.status else None,
        node=args.node,
        thread_prefix=args.thread_prefix,
        top=args.top,
    )
    prices = load_prices(args.prices) if args.prices is not None else None
    with open_source(args.target) as source:
        report = compute_stats(source, now=now, query=query, prices=prices)
    if args.json:
        from agent_debug.tui.cli.json_output import emit_record

        emit_record(report)
        return 0
    _print(report, priced=prices is not None)
    return 0


def _seconds(value: float | None) -> str:
    from agent_debug.inspector.timeline import describe

    return "-" if value is None else describe(value)


def _cost(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _print(report: StoreStats, *, priced: bool) -> None:
    from rich.text import Text

    from agent_debug.tui import render
    from agent_debug.tui.safe_text import visible

    out = render.console()
    shown = report.threads_counted
    head = f"{shown} thread{'s' if shown != 1 else ''} counted of {report.threads_total} in {report.target}"
    if report.unreadable:
        head += f"; {len(report.unreadable)} unreadable (left out)"
    out.print(Text(visible(head), style="bold"))
    if not report.nodes and not report.threads:
        out.print("no phases to count (check the filters)", markup=False)
        _print_unreadable(out, report)
        return
    top = report.filters.top
    cost_header = ("COST",) if priced else ()
    out.print(Text("\nnodes", style="bold underline"))
    node_rows = []
    for n in report.nodes:
        classes = ", ".join(f"{k} {v}" for k, v in sorted(n.failures_by_class.items()))
        node_rows.append(
            [
                n.node,
                str(n.phases),
                _seconds(n.durations.p50),
                _seconds(n.durations.p95),
                _seconds(n.durations.max),
                f"{n.waited} ({_seconds(n.wait_seconds)})" if n.waited else "-",
                str(n.retries) if n.retries else "-",
                (f"{n.failures} ({classes})", "red") if n.failures else "-",
                f"{n.input_tokens}/{n.output_tokens}" if n.input_tokens or n.output_tokens else "-",
                *((_cost(n.cost),) if priced else ()),
            ]
        )
    out.print(
        render.grid(
            ("NODE", "RUNS", "P50", "P95", "MAX", "WAITED", "RETRIES", "FAILURES", "TOKENS IN/OUT", *cost_header),
            node_rows,
            right=(1, 2, 3, 4, 6),
        )
    )
    out.print(Text(f"\nthreads (newest {min(top, len(report.threads))} of {len(report.threads)})", style="bold underline"))
    thread_rows = [
        [
            t.thread_id,
            (t.status.value, render.STATUS_STYLE[t.status]),
            _seconds(t.wall_seconds),
            _seconds(t.work_seconds),
            _seconds(t.wait_seconds) if t.wait_seconds else "-",
            str(t.steps),
            str(t.failures) if t.failures else "-",
            f"{t.input_tokens}/{t.output_tokens}" if t.input_tokens or t.output_tokens else "-",
            *((_cost(t.cost),) if priced else ()),
        ]
        for t in report.threads[:top]
    ]
    out.print(render.grid(("THREAD", "STATUS", "WALL", "WORK", "WAITED", "STEPS", "FAILURES", "TOKENS IN/OUT", *cost_header), thread_rows, right=(2, 3, 4, 5)))
    if report.slowest_phases:
        out.print(Text("\nslowest phases", style="bold underline"))
        rows = [[_seconds(s.seconds), s.node, s.thread_id, "-" if s.step is None else str(s.step), s.checkpoint_id] for s in report.slowest_phases]
        out.print(render.grid(("WORK", "NODE", "THREAD", "STEP", "CHECKPOINT"), rows, right=(0,)))
    if report.most_expensive_threads:
        by_id = {t.thread_id: t for t in report.threads}
        out.print(Text("\nmost expensive threads", style="bold underline"))
        rows = []
        for tid in report.most_expensive_threads:
            t = by_id[tid]
            models = ", ".join(f"{m.model or '?'} {m.input_tokens}/{m.output_tokens}" for m in t.models)
            rows.append([tid, *((_cost(t.cost),) if priced else ()), str(t.input_tokens + t.output_tokens), models])
        out.print(render.grid(("THREAD", *cost_header, "TOKENS", "BY MODEL (IN/OUT)"), rows, right=(1, 2) if priced else (1,)))
    if report.top_errors:
        out.print(Text("\nmost common errors", style="bold underline"))
        rows = []
        for g in report.top_errors:
            more = f" +{g.thread_count - len(g.threads)}" if g.thread_count > len(g.threads) else ""
            rows.append([str(g.count), (g.classification, "red"), ", ".join(g.nodes), render.short(g.fingerprint, 80), ", ".join(g.threads) + more])
        out.print(render.grid(("COUNT", "CLASS", "NODES", "FINGERPRINT", "THREADS"), rows, right=(0,)))
    if report.interrupts:
        out.print(Text("\ninterrupts", style="bold underline"))
        rows = [
            [
                ("waiting", "yellow") if not i.answered else "answered",
                ("" if i.exact or not i.answered else "≤") + _seconds(i.seconds),
                i.node,
                i.thread_id,
                render.age(i.since, report.computed_at),
            ]
            for i in report.interrupts
        ]
        out.print(render.grid(("", "FOR", "NODE", "THREAD", "SINCE"), rows, right=(1,)))
    _print_unreadable(out, report)
    if report.unpriced_models:
        names = ", ".join(m or "(no model name)" for m in report.unpriced_models)
        out.print(Text(f"\nno price in --prices for: {names}", style="dim"))


def _print_unreadable(out: Any, report: StoreStats) -> None:
    """The threads left out because a stored row of theirs is damaged, and why."""
    if not report.unreadable:
        return
    from rich.text import Text

    from agent_debug.tui import render

    out.print(Text("\nunreadable threads (left out)", style="bold underline"))
    out.print(render.grid(("THREAD", "WHY"), [[u.thread_id, render.short(u.reason, 100)] for u in report.unreadable]))
