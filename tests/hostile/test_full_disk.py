"""Issue 12, item 11: a recording that fills its disk stops; the workflow does not.

A real full file system: a 16 KiB tmpfs mounted in a private mount namespace
(``unshare --map-root-user --mount``, gone with the process), holding the recording of a
run whose events take about 77 KB. The store lives outside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agent_debug.inspector.recording import read_recording

ROOT = Path(__file__).resolve().parents[2]
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
FEATURE = str(ROOT / "fixtures/feature_request.py:graph")


def run_on_a_small_disk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    disk = tmp_path / "disk"
    disk.mkdir()
    script = 'mount -t tmpfs -o size=16k tmpfs "$1" && shift && "$@"; status=$?; cp "$0"/r.ndjson "$0"/../kept.ndjson; exit $status'
    return subprocess.run(
        ["unshare", "--map-root-user", "--mount", "--", "sh", "-c", script, str(disk), str(disk), AGENT_DEBUG, *args],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip


def test_a_full_disk_stops_the_recording_not_the_run(tmp_path: Path) -> None:
    out = run_on_a_small_disk(
        tmp_path, "run", FEATURE, "--no-ui", "--json", "--checkpointer", str(tmp_path / "s.db"), "--thread", "t",
        "--input", '{"request": "x"}', "--record", str(tmp_path / "disk" / "r.ndjson"),
    )  # fmt: skip
    # The run went to its end (the fixture stops at its review interrupt): exit 0.
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if line.startswith("agent-debug")]
    assert out.stderr.splitlines()[-1].startswith("thread t in ")  # the usual last line
    assert len(warnings) == 1 and warnings[0].startswith("agent-debug: warning: recording "), out.stderr
    assert "No space left on device" in warnings[0] and "Traceback" not in out.stderr
    printed = [json.loads(line) for line in out.stdout.splitlines()]
    assert printed[-1]["kind"] == "run_finished" and printed[-1]["status"] == "interrupted"
    # The store holds the whole run...
    state = subprocess.run([AGENT_DEBUG, "state", "s.db", "--thread", "t", "--json"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert state.returncode == 0 and json.loads(state.stdout)["next"] == ["review"], state.stderr
    # ...and the recording, cut where the disk filled, still reads: the events it has are
    # the first ones the run printed.
    kept = [e.model_dump(mode="json") for e in read_recording(tmp_path / "kept.ndjson")]
    assert 0 < len(kept) < len(printed)
    assert kept == printed[: len(kept)]
