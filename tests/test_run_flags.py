"""``run --no-ui`` with ``--stuck-after``, ``--stuck NODE=SECONDS`` and ``--prices``: the
installed command on a real graph (tests/graphs.py ``stuck``: slow → hold → answer)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agent_debug.inspector.events import parse_event

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]
STUCK = "tests/graphs.py:stuck"
FAST = '{"delay": 0.05}'


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], check=False, capture_output=True, text=True, timeout=60, cwd=ROOT)


def stuck_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "⚠ stuck?" in line]


def test_a_slow_phase_is_flagged_once_while_it_runs_and_an_off_node_never(tmp_path: Path):
    out = run(
        "run", STUCK, "--no-ui", "--checkpointer", "memory", "--input", '{"delay": 0.6}',
        "--stuck-after", "0.2", "--stuck", "hold=off",
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    (warning,) = stuck_lines(out.stdout)  # once per phase, however long it runs on
    assert " slow " in warning and "threshold 0.2s" in warning
    # Printed while slow was still running: before its ■ line.
    assert lines.index(warning) < next(i for i, line in enumerate(lines) if " slow " in line and "■ done" in line)
    assert "summary:" not in out.stdout  # no --prices, no summary


def test_per_node_threshold_and_zero_turns_a_node_off():
    out = run(
        "run", STUCK, "--no-ui", "--checkpointer", "memory", "--input", '{"delay": 0.5}',
        "--stuck", "slow=0", "--stuck", "hold=0.2",  # default 60 s for the rest
    )
    assert out.returncode == 0, out.stderr
    (warning,) = stuck_lines(out.stdout)
    assert " hold " in warning and "threshold 0.2s" in warning


def test_stuck_report_in_ndjson_is_not_an_event():
    out = run(
        "run", STUCK, "--no-ui", "--json", "--checkpointer", "memory", "--input", '{"delay": 0.4}', "--stuck-after", "0.15",
        "--stuck", "hold=off",
    )
    assert out.returncode == 0, out.stderr
    docs = [json.loads(line) for line in out.stdout.splitlines()]
    reports = [d for d in docs if "report" in d]
    assert [(r["report"], r["node"]) for r in reports] == [("stuck", "slow")]
    assert reports[0]["elapsed_s"] > reports[0]["threshold_s"] == 0.15 and "kind" not in reports[0]
    for doc in docs:  # everything else still reads as events
        if "report" not in doc:
            parse_event(doc)


def test_prices_add_a_cost_summary(tmp_path: Path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"priced-1": {"input": 0.5, "output": 1.5}}))
    out = run("run", STUCK, "--no-ui", "--checkpointer", "memory", "--input", FAST, "--prices", str(prices))
    assert out.returncode == 0, out.stderr
    summary = out.stdout[out.stdout.index("summary:"):]
    # answer: 1000 in × 0.5/1k + 500 out × 1.5/1k = 1.25; unpriced-1's tokens are not counted.
    assert "3 phases" in summary and "cost 1.250000" in summary
    answer = next(line for line in summary.splitlines() if line.strip().startswith("answer"))
    assert "1010/510" in answer and answer.rstrip().endswith("1.250000")
    assert "no price for: unpriced-1" in summary

    out = run("run", STUCK, "--no-ui", "--json", "--checkpointer", "memory", "--input", FAST, "--prices", str(prices))
    assert out.returncode == 0, out.stderr
    (summary_doc,) = [d for d in map(json.loads, out.stdout.splitlines()) if d.get("report") == "summary"]
    assert summary_doc["cost"] == 1.25 and summary_doc["unpriced_models"] == ["unpriced-1"]
    assert [p["node"] for p in summary_doc["phases"]] == ["slow", "hold", "answer"]
    assert [p["cost"] for p in summary_doc["phases"]] == [None, None, 1.25]


def test_bad_prices_and_stuck_flags_are_one_line_errors(tmp_path: Path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"priced-1": {"input": 0.5,')
    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text('{"priced-1": 0.5}')
    cases = [
        (["--prices", str(tmp_path / "missing.json")], "--prices: cannot read"),
        (["--prices", str(bad_json)], "is not valid JSON"),
        (["--prices", str(wrong_shape)], "the price of 'priced-1' must look like"),
        (["--stuck", "hold"], "--stuck expects NODE=SECONDS or NODE=off"),
        (["--stuck", "hold=soon"], "expected seconds or 'off'"),
        (["--stuck-after", "-1"], "--stuck-after SECONDS must be 0 (never) or more"),
    ]
    for flags, message in cases:
        out = run("run", STUCK, "--no-ui", "--checkpointer", "memory", "--input", FAST, *flags)
        assert out.returncode == 2, (flags, out.stderr)
        assert out.stderr.count("\n") == 1 and message in out.stderr, (flags, out.stderr)
        assert "Traceback" not in out.stderr and out.stdout == ""
    # A node the graph does not have is a usage error, as for --break (README: exit 2).
    out = run("run", STUCK, "--no-ui", "--checkpointer", "memory", "--stuck", "nope=3")
    assert out.returncode == 2 and "--stuck: no node 'nope' in the graph; it has answer, hold, slow" in out.stderr
    assert "Traceback" not in out.stderr
