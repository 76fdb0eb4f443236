"""Conditions of conditional breakpoints: what they can say, and what hostile ones cannot do."""

from __future__ import annotations

from typing import Any

import pytest

from agent_debug.inspector.breakpoints import split_spec
from agent_debug.inspector.conditions import MAX_INT_BITS, ConditionError, evaluate, field_of, parse_condition

STATE: dict[str, Any] = {
    "iterations": 2,
    "approved": False,
    "feedback": "use orjson",
    "plan": ["parse", "write", "test"],
    "test_report": {"passed": False, "failures": ["test_json_flag"], "run": 2},
    "messages": [
        {"type": "human", "content": "add --json"},
        {"type": "ai", "content": "here is the code", "tool_calls": []},
    ],
}
KEYS = set(STATE) | {"code"}


def holds(text: str, state: dict[str, Any] = STATE) -> bool:
    return evaluate(parse_condition(text, KEYS | set(state)), state)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("iterations >= 2", True),
        ("iterations > 2", False),
        ("1 < iterations <= 2", True),
        ("not approved and iterations == 2", True),
        ("approved or feedback", True),
        ("'orjson' in feedback", True),
        ("'write' in plan and 'deploy' not in plan", True),
        ("test_report['failures'][0] == 'test_json_flag'", True),
        ("test_report.passed is False", True),
        ("messages[-1].type == 'ai'", True),
        ("messages[-1].content[:4] == 'here'", True),
        ("len(messages) == 2 and len(plan) > 2", True),
        ("any([approved, iterations > 1])", True),
        ("all([approved, iterations > 1])", False),
        ("max(plan) == 'write' and min(1, iterations) == 1", True),
        ("sum([1, 2.5]) == 3.5 and abs(-iterations) == 2", True),
        ("str(iterations) + 'x' == '2x' and int('3') + float('0.5') == 3.5", True),
        ("bool(plan)", True),
        ("iterations * 3 - 1 == 5 and iterations ** 3 == 8 and 7 // 2 == 3 and 7 % 2 == 1", True),
        ("code is None", True),  # a key the state does not have yet reads None
        ("state['iterations'] == iterations and 'feedback' in state", True),
        ("'x' if approved else iterations", True),
        ("{'a': iterations}['a'] == 2 and (1, 2) == (1, 2)", True),
    ],
)
def test_a_condition_reads_the_state(text: str, expected: bool):
    assert holds(text) is expected


def test_a_record_gives_its_public_data_fields_only():
    class Message:
        kind = "class attribute"

        def __init__(self) -> None:
            self.content = "hello"
            self._secret = "no"
            self.shout = lambda: "called"  # a callable stored on the instance is not data

        @property
        def computed(self) -> str:
            raise AssertionError("a property ran")

    message = Message()
    assert field_of(message, "content") == "hello"
    for name in ("_secret", "computed", "kind", "shout", "__class__"):
        with pytest.raises(ConditionError):
            field_of(message, name)
    assert holds("messages[0].content == 'hello'", {"messages": [message]})
    with pytest.raises(ConditionError, match="plain data"):
        holds("messages[0] == 1", {"messages": [message]})  # comparing a record would run its __eq__


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("__import__('os').system('echo pwned')", "functions can be called"),
        ("().__class__.__bases__[0].__subclasses__()", "functions can be called|dunder"),
        ("().__class__.__bases__[0]", "dunder"),
        ("plan.__class__", "dunder"),
        ("state.__dict__", "dunder"),
        ("_private", "private"),
        ("open('/etc/passwd')", "functions can be called"),
        ("eval('1')", "functions can be called"),
        ("getattr(plan, 'append')", "functions can be called"),
        ("isinstance(plan, list)", "functions can be called"),
        ("plan.append(1)", "functions can be called"),
        ("feedback.upper()", "functions can be called"),
        ("(lambda: 1)()", "functions can be called|lambda"),
        ("lambda: 1", "lambda"),
        ("[x for x in plan]", "comprehension"),
        ("{x: 1 for x in plan}", "comprehension"),
        ("any(x for x in plan)", "generator"),
        ("(y := 1)", "':='"),
        ("f'{plan}'", "f-string"),
        ("len(*plan)", "positional arguments only"),
        ("max(plan, key=len)", "positional arguments only"),
        ("import os", "invalid syntax"),
        ("iterations = 3", "invalid syntax"),
        ("unknown > 1", "unknown name 'unknown'; the state has"),
        ("", "empty"),
        ("1 + " * 200 + "1", "longer than"),
    ],
)
def test_a_hostile_or_wrong_condition_is_refused_when_set(text: str, why: str):
    with pytest.raises(ConditionError, match=why):
        parse_condition(text, KEYS)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("9 ** 9 ** 9 > 1", "bits"),
        ("2 ** 100000 > 1", "bits"),
        ("iterations ** 5000 > 1", "bits"),
        ("'x' * 10 ** 9 == ''", "grew past|would grow"),
        ("plan * 100000 == []", "would grow"),
        ("feedback % 3", "formatting"),
        ("int('9' * 5000) > 1", "ValueError|digits"),
        ("iterations / 0", "ZeroDivisionError"),
        ("plan[10] == 1", "out of range"),
        ("test_report['nope']", "no key 'nope'"),
        ("test_report.nope", "no field 'nope'"),
        ("iterations.real", "has no field"),
        ("iterations < 'x'", "TypeError"),
        ("sum(plan)", "adds numbers only"),
        ("max([])", "empty"),
        ("1 in iterations", "'in' needs"),
    ],
)
def test_a_condition_that_would_hang_or_fails_is_an_error_at_evaluation(text: str, why: str):
    condition = parse_condition(text, KEYS)
    with pytest.raises(ConditionError, match=why):
        evaluate(condition, STATE)


def test_a_huge_power_fails_at_once_instead_of_computing():
    # The check is on the operands' size, before the power is computed: no waiting.
    with pytest.raises(ConditionError, match=str(MAX_INT_BITS)):
        holds("2 ** (2 ** 12) == 0")
    assert holds("2 ** 64 == 18446744073709551616")


def test_a_stored_value_that_is_deeply_nested_or_huge_is_refused_not_walked_forever():
    deep: Any = []
    for _ in range(100):
        deep = [deep]
    assert holds("state['x'] == state['x']", {"x": deep})
    huge = {"x": list(range(50_000))}
    with pytest.raises(ConditionError, match="too large"):
        holds("x == x", huge)


def test_without_known_keys_any_name_is_let_through_and_reads_none():
    condition = parse_condition("anything is None")
    assert condition.names == {"anything"}
    assert evaluate(condition, {}) is True


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("review", ("review", None)),
        ("review if iterations >= 2", ("review", "iterations >= 2")),
        ("  writer:draft   if  'if' in feedback ", ("writer:draft", "'if' in feedback")),
        ("review if", ("review", "")),
    ],
)
def test_the_text_form_of_a_breakpoint(spec: str, expected: tuple[str, str | None]):
    assert split_spec(spec) == expected
