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
    """The finding is the first line's; its related lines are every line that meets the rule, and its message
    names the later ones, so that the claim comes back once with all its lines to correct."""
    result = radrules.loads(RULE).evaluate(CLAIM, indexed=indexed)
    assert [(f.rule, f.lines, f.related_lines, f.message) for f in result.findings] == [
        ("t.any", (1, 2, 3), (2, 3), "line 2: 3 units; line 3 meets it too")]
    assert result.statuses == ("review", "review", "review")


def test_one_line_meets_it():
    claim = {"lines": [CLAIM["lines"][0], {**CLAIM["lines"][1], "units": 1}, CLAIM["lines"][2]]}
    (finding,) = radrules.loads(RULE).evaluate(claim).findings
    assert (finding.related_lines, finding.message) == ((3,), "line 3: 4 units")


def test_several_later_lines_are_listed():
    claim = {"lines": [{**CLAIM["lines"][1], "units": units} for units in (3, 1, 5, 6)]}
    (finding,) = radrules.loads(RULE).evaluate(claim).findings
    assert (finding.related_lines, finding.message) == ((1, 3, 4), "line 1: 3 units; lines 3 and 4 meet it too")


def test_no_line_meets_it():
    claim = {"lines": [{**line, "units": 1} for line in CLAIM["lines"]]}
    assert radrules.loads(RULE).evaluate(claim).findings == ()


def test_explain_gives_one_step_for_the_lines_that_meet_it():
    """One fired step, as the finding (its related lines, its message); a later line that does not meet the rule
    has its own step."""
    claim = {"lines": [*CLAIM["lines"], {**CLAIM["lines"][0], "date": "2026-03-05"}]}
    result = radrules.loads(RULE).evaluate(claim, explain=True)
    steps = [(s.lines, s.outcome, s.related_lines, s.detail) for s in result.explanation.steps if s.rule == "t.any"]
    assert steps == [((1,), "silent", (), "`line.units > 2` is false"),
                     ((1, 2, 3, 4), "fired", (2, 3), "line 2: 3 units; line 3 meets it too"),
                     ((4,), "silent", (), "`line.units > 2` is false")]
    (finding,) = result.findings
    assert (finding.related_lines, finding.message) == (steps[1][2], steps[1][3])


def test_without_it_a_rule_on_lines_cannot_act_on_the_claim():
    """RR214, whose help now names the clause."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(RULE.replace("  once per claim\n", ""))
    (error,) = caught.value.errors
    assert error.code == "RR214" and error.help.endswith("to act on the claim from the first line that meets it, "
                                                         "add `once per claim`")


@pytest.mark.parametrize("condition, named, column", [
    ("history has 70450", "`history has`", 8), ("claim.line_count > 1 and history count of [70450] > 1",
                                                 "`history count`", 33),
    ("claim also has [70460] on the same date", "`claim also has ... on the same date`", 8),
    ("months since last [70450] < 12", "`months since last`", 8)])
def test_a_claim_rule_that_asks_of_each_line_without_a_line_field(condition, named, column):
    """RR214 names the test that reads each line (it said `can't read `line`` and to drop `line.` fields, of a
    condition that has none: a language reviewer's finding), at that test."""
    text = f'rule t.x "x"\n  when {condition}\n  then review claim "x"\n  reference "t"\nend\n'
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    (error,) = caught.value.errors
    assert (error.code, error.span.line, error.span.column) == ("RR214", 2, column)
    assert error.message == (f"a rule that acts on the claim can't use {named}, which is asked of each line (its "
                             f"date, its code)")
    assert error.help.endswith("add `once per claim` to act on the claim from the first line that meets it")


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
