"""A sample of the hostile-input campaign (tests/hostile/campaign.py): every figure is zero.

The whole campaign (``python -m tests.hostile.campaign``) gives the README's figures; this
runs every 20th of its inputs, so each kind of input is met on every run of the suite.
"""

from __future__ import annotations

from tests.hostile.campaign import cases, run_campaign


def test_a_sample_of_the_campaign_finds_nothing() -> None:
    tally = run_campaign(sample=20)
    assert tally.inputs == len(cases()[::20]) > 40
    assert tally.failures == []
    assert (tally.tracebacks, tally.bad_exits, tally.bytes_changed, tally.files_created) == (0, 0, 0, 0)
    assert (tally.code_executed, tally.secrets_shown, tally.raw_escapes) == (0, 0, 0)
    # The sample holds inputs that must be refused and ones that must work.
    assert tally.exits[0] > 0 and tally.exits[1] + tally.exits[2] > 0
