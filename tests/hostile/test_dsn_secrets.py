"""Issue 12, item 3: a DSN's password never reaches a terminal, a JSON document or a file name.

Real processes of the installed command, against a port where nothing listens (the
connection fails fast) and against the session's real PostgreSQL server; the keyword-form
tokenizer (used without psycopg) is checked against libpq's own parser through psycopg.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from agent_debug.inspector.targets import (
    DsnSyntaxError,
    is_dsn,
    parse_keywords,
    redact,
    scrub,
    secrets,
    sqlite_path,
)
from tests.pg_server import postgres_saver

ROOT = Path(__file__).resolve().parents[2]
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
LINEAR = f"{ROOT / 'tests' / 'graphs.py'}:linear"
FEATURE = "agent_debug.fixtures.feature_request:graph"

KW_SECRET = "kw S3cr3t \\' half"  # as written inside single quotes: kw S3cr3t ' half
KW_PLAIN = "kw S3cr3t ' half"
URL_SECRET = "urlP@ss/w0rd"
QUERY_SECRET = "qryS3cret"
SSL_SECRET = "sslS3cret"
ENV_SECRET = "envS3cret"
ALL_SECRETS = (KW_PLAIN, URL_SECRET, QUERY_SECRET, SSL_SECRET, ENV_SECRET)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _leaks(text: str) -> list[str]:
    """Every secret, or a word of one (libpq quotes words), found in ``text``."""
    words = {w for s in ALL_SECRETS for w in s.replace("'", " ").split() if len(w) >= 3}
    return sorted(s for s in {*ALL_SECRETS, *words, quote(URL_SECRET, safe="")} if s in text)


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **(env or {})}
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=environ)


def _dsns(port: int, dbname: str = "app", user: str = "me") -> dict[str, str]:
    return {
        "keyword": f"host=127.0.0.1 port = {port} dbname={dbname} user={user} password = '{KW_SECRET}'",
        "keyword-unquoted-space": f"host=127.0.0.1 port={port} dbname={dbname} password=kw S3cr3t",
        "url": f"postgresql://{user}:{quote(URL_SECRET, safe='')}@127.0.0.1:{port}/{dbname}?sslpassword={SSL_SECRET}",
        "url-raw-userinfo": f"postgres://{user}:{URL_SECRET}@127.0.0.1:{port}/{dbname}",
        "url-query": f"postgresql://127.0.0.1:{port}/{dbname}?user={user}&password={QUERY_SECRET}&connect_timeout=3",
    }


COMMANDS = {
    "threads": ["threads", "{t}"],
    "history": ["history", "{t}", "--thread", "t1"],
    "state": ["state", "{t}", "--thread", "t1"],
    "stats": ["stats", "{t}"],
    "resume": ["resume", "{t}", "--thread", "t1", "--approve", "--graph", FEATURE],
    "replay": ["replay", "{t}", "--thread", "t1", "--checkpoint", "c1", "--graph", FEATURE],
    "run": ["run", FEATURE, "--no-ui", "--checkpointer", "{t}"],
    "attach": ["attach", "{t}"],
    "attach-graph": ["attach", "{t}", "--graph", FEATURE],
}


# -- the redaction function -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("host=db password=kwpass", "host=db password=***"),
        ("host=db password = kwpass port=5", "host=db password = *** port=5"),
        ("host=db password='two words' user=u", "host=db password=*** user=u"),
        (r"password='it\'s a secret'host=db", "password=***host=db"),
        ("host=db sslpassword=keypass", "host=db sslpassword=***"),
        ("host=db password=two words", "host=db password=*** ***"),
        ("host=db password='open quote", "host=db password=***"),
        ("host=db passwrd=typo", "host=db passwrd=***"),
        ("postgresql://u:secret@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u:p%40ss@h1:1,h2:2/db", "postgresql://u:***@h1:1,h2:2/db"),
        ("postgres://u:pa/ss@host/db", "postgres://u:***@host/db"),
        ("postgresql://host/db?password=x&sslmode=require", "postgresql://host/db?password=***&sslmode=require"),
        ("postgresql://host/db?pass%77ord=x&sslpassword=y", "postgresql://host/db?pass%77ord=***&sslpassword=***"),
        ("postgresql://u@host/db", "postgresql://u@host/db"),
        ("https://u:tok@server", "https://u:***@server"),
        ("runs.db", "runs.db"),
        ("dir with space/runs=1.db", "dir with space/runs=1.db"),
        ("sqlite:///tmp/a:b@c.db", "sqlite:///tmp/a:b@c.db"),
        ("trace.ndjson", "trace.ndjson"),
    ],
)
def test_redact_follows_libpq(target: str, shown: str) -> None:
    assert redact(target) == shown


def test_a_dsn_is_never_a_file_name() -> None:
    for dsn in ("host=db password=x", "  dbname = app", "port=5432", "user=me password='a b'", "postgresql://h/db"):
        assert is_dsn(dsn) and sqlite_path(dsn) is None
    for path in ("runs.db", "a=b.db", "/data/user=bob/runs.db", "sqlite:///x.db"):
        assert not is_dsn(path) and sqlite_path(path) is not None


def test_scrub_hides_secrets_words_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", ENV_SECRET)
    dsn = "host=db password=two words"
    text = 'missing "=" after "words"; got two; env envS3cret'
    assert scrub(text, dsn) == 'missing "=" after "***"; got ***; env ***'
    assert "two" in secrets(dsn) and ENV_SECRET in secrets(dsn)


# -- the tokenizer against libpq's parser ---------------------------------------------------------

_KEYS = ["host", "port", "dbname", "user", "password", "sslpassword", "options", "passwrd", "HOST", ""]
_piece = st.one_of(
    st.sampled_from(_KEYS),
    st.sampled_from([" ", "  ", "\t", "\n", "=", " = ", "'", "\\", "\\'", "''", "a", "b c", "é", "x=y"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=4),
)


_raw = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)


@st.composite
def _pair(draw: st.DrawFn) -> str:
    """One keyword = value, mostly well formed: quoted (escapes, spaces) or bare (backslashes)."""
    key = draw(st.sampled_from(_KEYS[:7] + ["user", "host"] + _KEYS[7:]))
    sep = draw(st.sampled_from(["=", " = ", "= ", " =", "\t=\n"]))
    value = draw(_raw)
    if draw(st.booleans()):
        value = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    elif draw(st.booleans()):
        value = "".join("\\" + c if c in " '\\" else c for c in value)
    return key + sep + value


_wellformed = st.lists(st.tuples(_pair(), st.sampled_from([" ", "  ", "\t", "", "\n"])), max_size=6).map(
    lambda pairs: "".join(p + gap for p, gap in pairs)
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.lists(_piece, max_size=12).map("".join), _wellformed))
def test_keyword_tokenizer_agrees_with_libpq(text: str) -> None:
    try:
        expected = conninfo_to_dict(text)
    except Exception:
        expected = None
    if text.lstrip(" \t\n\v\f\r").startswith(("postgresql://", "postgres://")):
        return  # the URL form is libpq's other parser
    try:
        got: dict[str, str] | None = parse_keywords(text)
    except DsnSyntaxError:
        got = None
    assert got == expected


_value = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


@settings(max_examples=500, deadline=None)
@given(password=_value.filter(bool), user=_value.filter(bool), spaced=st.booleans())
def test_redacted_keyword_dsn_parses_to_the_same_with_the_password_masked(password: str, user: str, spaced: bool) -> None:
    dsn = make_conninfo(host="db", user=user, password=password, dbname="app")
    if spaced:
        dsn = dsn.replace("password=", "password = ")
    shown = redact(dsn)
    assert conninfo_to_dict(shown) == {**conninfo_to_dict(dsn), "password": "***"}


@settings(max_examples=500, deadline=None)
@given(password=_value.filter(bool), query=_value.filter(bool))
def test_redacted_url_dsn_parses_to_the_same_with_the_passwords_masked(password: str, query: str) -> None:
    dsn = f"postgresql://me:{quote(password, safe='')}@db:5432/app?sslpassword={quote(query, safe='')}&sslmode=disable"
    shown = redact(dsn)
    assert conninfo_to_dict(shown) == {**conninfo_to_dict(dsn), "password": "***", "sslpassword": "***"}


def test_without_psycopg_a_keyword_dsn_is_still_recognised_redacted_and_never_a_file(tmp_path: Path) -> None:
    """The fallback path: psycopg cannot be imported, and nothing leaks or lands on disk."""
    dsn = _dsns(_free_port())["keyword"]
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from agent_debug.inspector import targets\n"
        "assert targets.is_dsn(sys.argv[1]) and targets.sqlite_path(sys.argv[1]) is None\n"
        "print(targets.redact(sys.argv[1]))\n"
        "from agent_debug.tui.cli import main\n"
        "codes = [main(['threads', sys.argv[1]]), main(['run', sys.argv[2], '--no-ui', '--checkpointer', sys.argv[1]])]\n"
        "sys.exit(0 if codes == [1, 1] else 3)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, dsn, FEATURE], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "password = ***" in out.stdout
    assert "pip install" in out.stderr
    assert not _leaks(out.stdout + out.stderr)
    assert list(tmp_path.iterdir()) == []


# -- real processes, nothing listening ------------------------------------------------------------


_FORMS = sorted(_dsns(1))
_FLAGS = [(), ("--json",), ("--debug",)]


@pytest.mark.parametrize("form", _FORMS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_password_when_the_server_is_unreachable(tmp_path: Path, form: str, command: str) -> None:
    # Each command meets every form, and every form and command meets plain, --json and
    # --debug (rotated, so 40 processes rather than 120).
    flags = _FLAGS[(_FORMS.index(form) + sorted(COMMANDS).index(command)) % len(_FLAGS)]
    dsn = _dsns(_free_port())[form]
    args = [a.format(t=dsn) for a in COMMANDS[command]]
    if flags == ("--debug",):
        args = ["--debug", *args]
    elif flags == ("--json",) and command not in ("attach", "attach-graph"):
        args = [*args, "--json"]
    out = _run(tmp_path, *args, env={"PGPASSWORD": ENV_SECRET})
    assert out.returncode in (1, 2), out.stdout + out.stderr
    assert out.stderr.strip(), "a failure says why"
    assert not _leaks(out.stdout + out.stderr), out.stdout + out.stderr
    assert list(tmp_path.iterdir()) == []  # no SQLite file named after the DSN


@pytest.mark.parametrize("dsn", ["host=127.0.0.1 password=two words", "host=127.0.0.1 password='kw S3cr3t", "host=127.0.0.1 port=x password=kw S3cr3t=1"])
@pytest.mark.parametrize("command", ["threads", "run", "resume"])
def test_a_malformed_keyword_dsn_is_refused_without_its_password(tmp_path: Path, dsn: str, command: str) -> None:
    args = [a.format(t=dsn) for a in COMMANDS[command]]
    out = _run(tmp_path, "--debug", *args)
    assert out.returncode == 1
    assert "invalid PostgreSQL DSN" in out.stderr
    assert "two" not in out.stderr.replace("two words'", "") and "words" not in out.stderr.replace("two words'", "")
    assert not _leaks(out.stdout + out.stderr)
    assert list(tmp_path.iterdir()) == []


# -- the real server --------------------------------------------------------------------------------


@pytest.mark.postgres
def test_real_server_outputs_hold_only_the_redacted_target(fresh_database: str, tmp_path: Path) -> None:
    # The test server trusts the 'postgres' role, so the password is given and ignored:
    # what matters here is what the command prints on success.
    port = int(fresh_database.rsplit(":", 1)[1].split("/")[0])
    dbname = fresh_database.rsplit("/", 1)[1]
    with postgres_saver(fresh_database) as saver:
        from tests.graphs import linear_builder

        linear_builder().compile(checkpointer=saver).invoke({"x": 1}, {"configurable": {"thread_id": "pg"}})
    forms = _dsns(port, dbname=dbname, user="postgres")
    for form in ("keyword", "url", "url-query"):
        dsn = forms[form]
        for args in (["threads", dsn, "--json"], ["threads", dsn], ["history", dsn, "--thread", "pg", "--json"],
                     ["state", dsn, "--thread", "pg", "--json"], ["state", dsn, "--thread", "nope"]):
            out = _run(tmp_path, *args, env={"PGPASSWORD": ENV_SECRET})
            assert out.returncode == (1 if "nope" in args else 0), out.stderr
            assert not _leaks(out.stdout + out.stderr), out.stdout + out.stderr
        doc = json.loads(_run(tmp_path, "threads", dsn, "--json").stdout)
        assert doc["target"] == redact(dsn) and "***" in doc["target"]
        assert [t["thread_id"] for t in doc["threads"]] == ["pg"]
    for form in ("keyword", "url"):
        out = _run(tmp_path, "stats", forms[form], "--json", env={"PGPASSWORD": ENV_SECRET})
        assert out.returncode == 0, out.stderr
        assert not _leaks(out.stdout + out.stderr), out.stdout + out.stderr
        assert json.loads(out.stdout)["target"] == redact(forms[form])
    # Acting verbs and run --checkpointer on the keyword form: it writes to PostgreSQL, not a file.
    dsn = forms["keyword"]
    out = _run(tmp_path, "resume", dsn, "--thread", "pg", "--approve", "--graph", LINEAR, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["target"] == redact(dsn)
    assert not _leaks(out.stdout + out.stderr)
    out = _run(tmp_path, "run", LINEAR, "--no-ui", "--thread", "fresh", "--input", '{"x": 1}', "--checkpointer", dsn)
    assert not _leaks(out.stdout + out.stderr), out.stdout + out.stderr
    threads = json.loads(_run(tmp_path, "threads", dsn, "--json").stdout)["threads"]
    assert "fresh" in {t["thread_id"] for t in threads}
    assert list(tmp_path.iterdir()) == []
