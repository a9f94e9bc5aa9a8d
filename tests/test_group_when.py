"""`group PR when CONDITION`: the group of a rule's `carc` moved by a condition on the lines it judges (a patient
liable under an ABN, modifier GA or GY: domain.md §5.1), docs/language.md#group-who-is-liable."""

from __future__ import annotations

import pytest

import radrules
from radrules.formatter import format_rules


def rule(extra: str = "  group PR when line.modifiers has any of [GA, GY]\n", *, when: str = "line.code is 71271",
         then: str = 'deny line "not covered"', carc: str = "  carc CO-50\n  rarc N386\n") -> str:
    return f'rule t.cover "x"\n  when {when}\n  then {then}\n{carc}{extra}  reference "t"\nend\n'


def claim(*modifiers: str, code: str = "71271") -> dict:
    return {"lines": [{"code": code, "date": "2026-03-02", "modifiers": list(modifiers)}]}


@pytest.mark.parametrize("modifiers, carc", [((), "CO-50"), (("GA",), "PR-50"), (("GY",), "PR-50"),
                                             (("GZ",), "CO-50"), (("RT", "GA"), "PR-50")])
def test_the_group_follows_the_condition(modifiers, carc):
    (finding,) = radrules.loads(rule()).evaluate(claim(*modifiers)).findings
    assert (finding.carc, finding.rarc) == (carc, ("N386",))


def test_a_pair_rule_reads_both_lines():
    text = rule("  group OA when other.modifiers has 59\n", when="line.code is 74150 and other.code is 74176",
                then='deny line "bundled"', carc="  carc CO-97\n")
    rules = radrules.loads(text)
    lines = [{"code": "74176", "date": "2026-03-02"}, {"code": "74150", "date": "2026-03-02"}]
    assert [f.carc for f in rules.evaluate({"lines": lines}).findings] == ["CO-97"]
    lines[0]["modifiers"] = ["59"]
    assert [f.carc for f in rules.evaluate({"lines": lines}).findings] == ["OA-97"]


@pytest.mark.parametrize("extra, carc, code, message", [
    ("  group XX when line.modifiers has GA\n", "  carc CO-50\n", "RR215",
     "`XX` is not a claim adjustment group code"),
    ("  group PR when line.modifiers has GA\n", "", "RR252", "`group` is not allowed in a rule without a `carc`"),
    ("  group CO when line.modifiers has GA\n", "  carc CO-50\n", "RR252",
     "`group CO` is the group the `carc` has already (CO-50)"),
    ("  group PR when other.modifiers has GA\n", "  carc CO-50\n", "RR214",
     "the condition of `group` reads `other` in a rule that does not compare two lines"),
    ("  group PR when line.modifiers has GA\n  group OA when line.modifiers has GY\n", "  carc CO-50\n", "RR251",
     "`group` is given twice"),
])
def test_mistakes(extra, carc, code, message):
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(rule(extra, carc=carc))
    assert [(e.code, e.message) for e in caught.value.errors] == [(code, message)]


def test_a_claim_rule_reads_no_line():
    text = rule("  group PR when line.modifiers has GA\n", when="claim.line_count > 1", then='deny claim "x"')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    assert [e.code for e in caught.value.errors] == ["RR214"]


def test_not_in_an_edit_block():
    """A PTP, MUE or add-on denial is a coding denial: no modifier moves its liability (domain.md §1.1, §2.1)."""
    text = ('pairs t.ptp\n  carc CO-97\n  group PR when line.modifiers has GA\n  reference "t"\n'
            '  pair 74176 with 74150 modifier allowed\nend\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    (error,) = caught.value.errors
    assert (error.code, error.message) == ("RR252", "`group` is not allowed in a `pairs` block")
    assert "coding denial" in error.help


def test_fmt_puts_it_after_the_remark_codes():
    moved = rule("").replace('  carc CO-50\n', '  group PR when line.modifiers has any of [GA, GY]\n  carc CO-50\n')
    assert format_rules(moved) == rule()


def test_diff_names_the_change(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    (old / "a.rr").write_text(rule(""))
    (new / "a.rr").write_text(rule())
    (change,) = radrules.diff_rulesets(radrules.load(old, cache_dir=None), radrules.load(new, cache_dir=None)).changes
    assert "group: none -> PR when line.modifiers has any of [GA, GY]" in change.details


def test_a_payer_misspelt_in_the_group_condition_is_warned():
    """RR269 reads `group` conditions as it reads `when` (a review found `claim.payer is acmme` unwarned there)."""
    text = ('rule t.a "x"\n  for payer acme\n  when line.code is 71271\n  then deny line "x"\n  carc CO-50\n'
            '  group PR when claim.payer is acmme\n  reference "t"\nend\n')
    rules = radrules.loads(text)
    assert [w.code for w in rules.warnings] == ["RR269"]
    assert "acmme" in rules.describe()["payers"]


def test_a_claim_rule_group_asking_history_is_told_which_test():
    text = rule("  group PR when history has 70450\n", when="claim.line_count > 1", then='deny claim "x"')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    (error,) = caught.value.errors
    assert error.message == ("the condition of `group` uses `history has`, which is asked of each line, in a rule "
                             "that acts on the claim")


def test_a_group_in_lower_case_is_told_to_use_capitals():
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(rule("  group pr when line.modifiers has GA\n"))
    (error,) = caught.value.errors
    assert (error.code, error.message, error.help) == ("RR101", "unexpected word `pr`",
                                                       "group codes are written in capitals: `group PR`")
