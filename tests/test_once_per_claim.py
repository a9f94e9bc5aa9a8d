"""`once per claim`: a rule on one line that acts on the claim fires once, for the first line in claim order
that meets it (docs/language.md#once-per-claim-one-finding-for-the-claim)."""

from __future__ import annotations

import pytest

import radrules
from radrules.formatter import format_rules

RULE = ('rule t.any "x"\n  when line.units > 2\n  then review claim "line {line.number}: {line.units} units"\n'
        '  once per claim\n  reference "t"\nend\n')
CLAIM = {"lines": [{"code": "71046", "date": "2026-03-02", "units": 1},
                   {"code": "71046", "date": "2026-03-03", "units": 3},
                   {"code": "71047", "date": "2026-03-04", "units": 4}]}


@pytest.mark.parametrize("indexed", [True, False])
def test_one_finding_from_the_first_line_that_meets_it(indexed):
    result = radrules.loads(RULE).evaluate(CLAIM, indexed=indexed)
    assert [(f.rule, f.lines, f.message) for f in result.findings] == [("t.any", (1, 2, 3), "line 2: 3 units")]
    assert result.statuses == ("review", "review", "review")


def test_no_line_meets_it():
    claim = {"lines": [{**line, "units": 1} for line in CLAIM["lines"]]}
    assert radrules.loads(RULE).evaluate(claim).findings == ()


def test_explain_says_the_later_lines_were_not_checked():
    result = radrules.loads(RULE).evaluate(CLAIM, explain=True)
    steps = [(s.lines, s.outcome, s.detail) for s in result.explanation.steps if s.rule == "t.any"]
    assert steps == [((1,), "silent", "`line.units > 2` is false"), ((1, 2, 3), "fired", "line 2: 3 units"),
                     ((3,), "not checked", "once per claim: fired on line 2")]


def test_without_it_a_rule_on_lines_cannot_act_on_the_claim():
    """RR214, whose help now names the clause."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(RULE.replace("  once per claim\n", ""))
    (error,) = caught.value.errors
    assert error.code == "RR214" and error.help.endswith("to act on the claim from the first line that meets it, "
                                                         "add `once per claim`")


@pytest.mark.parametrize("then", ['then review line "x"', 'then review claim "x"'])
def test_it_is_for_a_rule_on_one_line_that_acts_on_the_claim(then):
    """On a rule that acts on a line, or on a claim rule (no `line.`): RR252."""
    condition = "line.units > 2" if "line" in then.split('"')[0] else "claim.line_count > 2"
    text = f'rule t.x "x"\n  when {condition}\n  {then}\n  once per claim\n  reference "t"\nend\n'
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    (error,) = caught.value.errors
    assert (error.code, error.message) == (
        "RR252", "`once per claim` is not allowed in a rule that does not act on the claim from one line")


def test_fmt_keeps_it_after_then():
    moved = RULE.replace('  once per claim\n  reference "t"\n', '  reference "t"\n  once per claim\n')
    assert format_rules(moved) == RULE
