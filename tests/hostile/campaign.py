"""The hostile-input campaign behind the README's "Safe by construction" figures.

Every input is one run of the installed ``agent-debug`` in a scratch folder holding real
stores (written by LangGraph, then damaged on purpose) and a few non-stores. For each run
it checks, and counts:

- **tracebacks**: a Python traceback of agent-debug's own or "internal error" in the output
  (``--debug`` off; a failed node's traceback in ``run --no-ui``'s event lines is the
  workflow's, shown on purpose);
- **bad exits**: an exit status other than 0, 1 or 2, or 0 for an input meant to fail;
- **bytes changed** and **files created**: the folder, hashed before and after (the
  acting verbs are given copies marked as theirs to write);
- **code executed**: a marker file that the stored payload ``os.system`` call would make;
- **secrets shown**: a DSN password in the output;
- **raw escapes**: an ESC, BEL, CSI or bidi override of stored text reaching the output.

Then the live figures: short-lived writers between two polls of a store in each journal
mode (**writes missed**), and SIGTERM/SIGINT during runs (**events lost**) — those are
the tests in ``test_change_detection.py`` and ``test_signals.py``, counted here by
running their scenarios ``--live N`` times.

Run ``.venv/bin/python -m tests.hostile.campaign`` (all inputs; about 10 minutes on two
cores) or ``--sample K`` (every K-th input). ``test_campaign.py`` runs a sample.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
LINEAR = f"{ROOT / 'tests' / 'graphs.py'}:linear"
SECRET = "Camp41gnS3cret"
HOSTILE_TEXT = "\x1b]52;c;aGVsbG8=\x07\x1b]0;pwned\x07\x1b[2J\u202e"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")
MARKER = "code-ran"


@dataclass
class Case:
    argv: list[str]
    must_fail: bool  # an input that is wrong: exit 1 or 2, never 0
    acting: bool = False  # may append to the store it names (a copy of its own)


@dataclass
class Tally:
    inputs: int = 0
    tracebacks: int = 0
    bad_exits: int = 0
    bytes_changed: int = 0
    files_created: int = 0
    code_executed: int = 0
    secrets_shown: int = 0
    raw_escapes: int = 0
    exits: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def note(self, what: str, case: Case, detail: str = "") -> None:
        self.failures.append(f"{what}: {' '.join(case.argv)[:200]} {detail[:200]}")


def _hash_tree(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[str(path.relative_to(folder))] = "dir"
    return out


def build_stores(folder: Path) -> None:
    """Real stores written by LangGraph, then damaged copies, and things that are not stores."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    sys.path.insert(0, str(ROOT))
    from tests.graphs import linear_builder

    conn = sqlite3.connect(folder / "good.db", check_same_thread=False)
    saver = SqliteSaver(conn)
    graph = linear_builder().compile(checkpointer=saver)
    for tid in ("a", "b", "t" + HOSTILE_TEXT):
        graph.invoke({"x": 1}, {"configurable": {"thread_id": tid}})
    graph.invoke({"x": 200}, {"configurable": {"thread_id": "big"}})
    conn.close()
    good = (folder / "good.db").read_bytes()
    # One corrupt head blob (a reserved msgpack byte), metadata that is not JSON, a
    # truncated copy, a payload naming os.system.
    for name, sql in {
        "corrupt_blob.db": "UPDATE checkpoints SET checkpoint = x'c1c1c1' WHERE thread_id = 'a' AND checkpoint_id = (SELECT max(checkpoint_id) FROM checkpoints WHERE thread_id = 'a')",
        "bad_meta.db": "UPDATE checkpoints SET metadata = x'ff00' WHERE thread_id = 'b'",
    }.items():
        (folder / name).write_bytes(good)
        c = sqlite3.connect(folder / name)
        c.execute("PRAGMA journal_mode=delete")
        c.execute(sql)
        c.commit()
        c.close()
    (folder / "truncated.db").write_bytes(good[: len(good) // 3])
    (folder / "empty.db").write_bytes(b"")
    (folder / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "text.txt").write_text("not a store\n")
    (folder / "input.json").write_text('{"x": 1}')
    other = sqlite3.connect(folder / "other.sqlite")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    (folder / "dir").mkdir()
    os.mkfifo(folder / "fifo")
    (folder / "payload.db").write_bytes(good)
    _plant_payload(folder / "payload.db", folder / MARKER)
    (folder / "langgraph.json").write_text("{not json")


def _plant_payload(store: Path, marker: Path) -> None:
    """The latest checkpoint of thread 'a' holds a value LangGraph's permissive decoder
    revives by calling ``os.system`` (ext code 0: a constructor called with args)."""
    import ormsgpack
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    serde = JsonPlusSerializer()
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA journal_mode=delete")
    cid, type_, blob = conn.execute(
        "SELECT checkpoint_id, type, checkpoint FROM checkpoints WHERE thread_id = 'a' ORDER BY checkpoint_id DESC LIMIT 1"
    ).fetchone()
    body = serde.loads_typed((type_, blob))
    evil = ormsgpack.Ext(0, ormsgpack.packb(("os", "system", f"touch {marker}")))
    body["channel_values"]["x"] = "__EVIL__"
    packed = serde.dumps_typed(body)[1].replace(ormsgpack.packb("__EVIL__"), ormsgpack.packb(evil))
    conn.execute("UPDATE checkpoints SET checkpoint = ? WHERE thread_id = 'a' AND checkpoint_id = ?", (packed, cid))
    conn.commit()
    conn.close()


def cases() -> list[Case]:
    stores = ["good.db", "corrupt_blob.db", "bad_meta.db", "truncated.db", "empty.db", "binary.bin", "text.txt",
              "other.sqlite", "dir", "fifo", "missing.db", "/dev/null", "sqlite:///missing.db", "payload.db",
              f"postgresql://u:{SECRET}@127.0.0.1:1/db", f"host=127.0.0.1 port=1 password='{SECRET} x'",
              "memory", "http://127.0.0.1:1", ""]  # fmt: skip
    fine = {"good.db", "corrupt_blob.db", "bad_meta.db", "payload.db"}
    threads = ["a", "big", "nope", "t" + HOSTILE_TEXT, "x" * 5000, "' OR 1=1 --"]
    numbers = ["0", "1", "-1", "1e309", str(2**63), "99999999999999999999", "abc"]
    out: list[Case] = []
    for store in stores:
        ok = store in fine
        out.append(Case(["threads", store], not ok))
        out.append(Case(["threads", store, "--json"], not ok))
        for status in ("interrupted", "bogus"):
            out.append(Case(["threads", store, "--status", status], not ok or status == "bogus"))
        for tid in threads if ok else threads[:1]:
            known = ok and tid in ("a", "big", "t" + HOSTILE_TEXT)
            for cmd in ("history", "state"):
                out.append(Case([cmd, store, "--thread", tid], not known))
                out.append(Case([cmd, store, "--thread", tid, "--json"], not known))
        for n in numbers if ok else numbers[1:3]:
            valid = n in ("0", "1")
            out.append(Case(["threads", store, "--limit", n], not (ok and valid)))
            out.append(Case(["history", store, "--thread", "b", "--limit", n], not (ok and valid)))
        for path in ("", "x", "messages.0", "a.b.c.d", "..", "x.__class__"):
            out.append(Case(["state", store, "--thread", "b", "--path", path], True if not ok else path not in ("", "x", "messages.0")))
        out.append(Case(["state", store, "--thread", "b", "--checkpoint", "nope"], True))
        out.append(Case(["state", store, "--thread", "b", "--decode", "bogus"], True))
        out.append(Case(["history", store, "--thread", "b", "--ns", "nope"], True))
        for verb, extra in (
            ("resume", ["--approve"]),
            ("resume", ["--value", "{bad json"]),
            ("resume", ["--value", "@binary.bin"]),
            ("resume", ["--value", "@missing.json"]),
            ("resume", ["--value", "@dir"]),
            ("resume", ["--approve", "--interrupt", "nope"]),
            ("replay", ["--checkpoint", "nope"]),
            ("replay", ["--checkpoint", "nope", "--update", '{"typo": 1}']),
        ):
            thread = "a" if store == "payload.db" else "b"
            must_fail = not ok or verb == "replay" or "--value" in extra[:1] or "--interrupt" in extra or store == "payload.db"
            out.append(Case([verb, store, "--thread", thread, "--graph", LINEAR, *extra], must_fail, acting=True))
        for rec in ("good.db", "other.sqlite", "text.txt", "dir", "nodir/x.ndjson"):
            out.append(Case(["run", LINEAR, "--no-ui", "--checkpointer", store or "x.db", "--record", rec, "--input", "{}"], True, acting=True))
    for flag, values in {
        "--hops": numbers, "--width": numbers, "--xray": numbers,
        "--format": ["ascii", "dot", "bogus", ""], "--focus": ["think", "nope", HOSTILE_TEXT],
        "-o": ["dir", "nodir/x.dot", "/dev/full"],
    }.items():  # fmt: skip
        for value in values:
            argv = ["graph", LINEAR, flag, value] + (["--focus", "think"] if flag == "--hops" else [])
            valid = {
                "--hops": value in ("0", "1"), "--width": value in ("0", "1"), "--xray": value in ("0", "1"),
                "--format": value in ("ascii", "dot"), "--focus": value == "think", "-o": False,
            }[flag]  # fmt: skip
            out.append(Case(argv, not valid))
    for ref in ("missing.py:g", "binary.bin:g", "text.txt:g", "dir:g", f"{LINEAR}x", "os:system", "nope.mod:attr", ":", ""):
        out.append(Case(["graph", ref], True))
        out.append(Case(["run", ref, "--no-ui", "--checkpointer", "memory"], True))
    for inp in ("{bad", "@binary.bin", "@missing.json", "@dir", "[]", "@input.json"):
        out.append(Case(["run", LINEAR, "--no-ui", "--checkpointer", "memory", "--input", inp], inp not in ("@input.json", "[]")))
    for flag in ("--stuck", "--break", "--break-after"):
        for value in ("nope", "nope=1", "think=-1", "think=nan", HOSTILE_TEXT):
            out.append(Case(["run", LINEAR, "--no-ui", "--checkpointer", "memory", flag, value], True))
    for config in ("langgraph.json", "binary.bin", "dir", "missing.json"):
        out.append(Case(["graph", "agent", "--config", config], True))
    out.append(Case(["attach", "good.db", "--poll", "1e-9"], True))
    out.append(Case(["attach", "good.db", "--poll", "nan"], True))
    out.append(Case(["bogus-command"], True))
    out.append(Case(["threads"], True))
    return out


def run_case(case: Case, base: Path, scratch: Path) -> tuple[Case, subprocess.CompletedProcess[str] | None, dict, dict]:
    where = Path(tempfile.mkdtemp(dir=scratch))
    for entry in base.iterdir():
        if entry.is_dir():
            (where / entry.name).mkdir()
        elif entry.name == "fifo":
            os.mkfifo(where / "fifo")
        else:
            shutil.copyfile(entry, where / entry.name)
    before = _hash_tree(where)
    env = {**os.environ, "PGPASSWORD": SECRET, "PGCONNECT_TIMEOUT": "2", "NO_COLOR": "1", "HOME": str(where)}
    try:
        done = subprocess.run([AGENT_DEBUG, *case.argv], capture_output=True, text=True, cwd=where, env=env, timeout=120,
                              stdin=subprocess.DEVNULL, errors="replace")  # fmt: skip
    except subprocess.TimeoutExpired:
        done = None
    after = _hash_tree(where)
    shutil.rmtree(where, ignore_errors=True)
    return case, done, before, after


def judge(tally: Tally, case: Case, done: subprocess.CompletedProcess[str] | None, before: dict, after: dict) -> None:
    tally.inputs += 1
    if done is None:
        tally.bad_exits += 1
        tally.note("hang", case)
        return
    text = done.stdout + done.stderr
    tally.exits[done.returncode] += 1
    # Ours, not the workflow's (run --no-ui shows a failed node's traceback in its event lines).
    if any(line.startswith("Traceback") for line in text.splitlines()) or "internal error" in text:
        tally.tracebacks += 1
        tally.note("traceback", case, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "")
    if done.returncode not in (0, 1, 2) or (case.must_fail and done.returncode == 0):
        tally.bad_exits += 1
        tally.note(f"exit {done.returncode}", case, done.stderr.strip()[:200])
    if SECRET in text:
        tally.secrets_shown += 1
        tally.note("secret", case)
    # JSON escapes C0 controls (ESC, BEL) and leaves other characters as they are.
    if any(ch in text for ch in (RAW[:2] if "--json" in case.argv else RAW)):
        tally.raw_escapes += 1
        tally.note("escape", case)
    if MARKER in after:
        tally.code_executed += 1
        tally.note("code", case)
    created = set(after) - set(before)
    if created and not (case.acting and done.returncode == 0):
        tally.files_created += 1
        tally.note("created", case, " ".join(sorted(created)))
    changed = [k for k in before if k in after and before[k] != after[k]]
    # An acting verb that succeeded appends to its store; anything else is a change.
    if changed and not (case.acting and done.returncode == 0 and set(changed) <= {case.argv[1]}):
        tally.bytes_changed += 1
        tally.note("changed", case, " ".join(changed))


def run_campaign(sample: int = 1, workers: int = 2) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="agent-debug-campaign-") as tmp:
        base, scratch = Path(tmp) / "base", Path(tmp) / "scratch"
        base.mkdir()
        scratch.mkdir()
        build_stores(base)
        chosen = list(itertools.islice(cases(), 0, None, sample))
        with ThreadPoolExecutor(workers) as pool:
            for result in pool.map(lambda c: run_case(c, base, scratch), chosen):
                judge(tally, *result)
    return tally


def live_trials(rounds: int) -> dict[str, str]:
    """The scenario tests of writes seen and events kept, run ``rounds`` times each."""
    import signal

    from tests.hostile.test_change_detection import test_a_short_lived_writer_is_seen_at_the_next_poll as seen
    from tests.hostile.test_signals import test_a_signal_loses_no_event_and_leaves_no_temp_store as kept

    def count(trial, *args) -> int:
        with tempfile.TemporaryDirectory(prefix="agent-debug-trial-") as tmp:
            try:
                trial(Path(tmp), *args)
            except AssertionError as exc:
                print(f"{trial.__name__}{args}: {str(exc)[:300]}", file=sys.stderr)
                return 1
        return 0

    journals = ("wal", "delete", "truncate", "persist")
    missed = sum(count(seen, j) for _ in range(rounds) for j in journals)
    signals = [(shape, signum, store) for shape in ("chain", "parallel") for signum in (signal.SIGTERM, signal.SIGINT) for store in ("memory", "file")]
    lost = sum(count(kept, *combo) for _ in range(rounds) for combo in signals)
    return {
        "writes missed": f"{missed} of {rounds * len(journals)} short-lived writers ({', '.join(journals)})",
        "signal runs that lost events": f"{lost} of {rounds * len(signals)} (SIGTERM and SIGINT, one and two phases running)",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="the hostile-input campaign: figures for the README")
    ap.add_argument("--sample", type=int, default=1, help="run every K-th input (default: all)")
    ap.add_argument("--live", type=int, default=0, metavar="N", help="also run the writer and signal scenarios N times")
    args = ap.parse_args()
    tally = run_campaign(args.sample)
    figures = {k: v for k, v in vars(tally).items() if k not in ("failures", "exits")}
    print(json.dumps({**figures, "exits": dict(sorted(tally.exits.items()))}, indent=2))
    for line in tally.failures:
        print(line)
    if args.live:
        print(json.dumps(live_trials(args.live), indent=2))


if __name__ == "__main__":
    main()
