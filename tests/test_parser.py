"""Parser tests: every construct of the rule language parses into the syntax tree."""

from __future__ import annotations

import pytest

import radrules
from radrules import syntax as s
from radrules.parser import parse_rules


def underlined(diagnostic) -> str:
    """The text a diagnostic's caret line underlines."""
    span = diagnostic.span
    return diagnostic.source_line[span.column - 1: span.end_column - 1]


def _parse(text: str):
    source, diagnostics = parse_rules(text, "t.rr")
    assert diagnostics == []
    return source.statements


class TestNameOperands:
    def test_name_literal_operand_parses(self):
        """A bare name on the right of `is` (a claim type, a payer) parses as a name literal."""
        (rule,) = _parse(
            'rule a.b\n  when claim.type is institutional\n  then deny line "x"\nend\n'
        )
        (when,) = [c for c in rule.clauses if isinstance(c, s.When)]
        assert isinstance(when.condition, s.Compare)
        assert when.condition.right == s.Literal("name", when.condition.right.token, when.condition.right.span)
        assert when.condition.right.token.text == "institutional"

    def test_rule_on_claim_type_compiles_and_fires(self):
        """A rule comparing `claim.type` with a bare name compiles and fires on that type only."""
        rules = radrules.loads(
            'rule inst.only\n  when claim.type is institutional\n  then deny line "inst"\n'
            '  reference "test"\nend\n',
            name="claim_type_name.rr",
        )
        line = {"code": "70450", "date": "2026-01-05"}
        assert rules.evaluate({"type": "institutional", "lines": [line]}).fired() == ("inst.only",)
        assert rules.evaluate({"type": "professional", "lines": [line]}).fired() == ()


class TestKeywordsAreWholeWords:
    def test_set_name_starting_with_a_quantifier_word(self):
        """A set whose name starts with `all`/`any`/`none` can follow `has`."""
        rules = radrules.loads(
            "modifiers allowed_mods = 59, XS\n"
            'rule a.b\n  when line.modifiers has allowed_mods\n  then deny line "x"\n  reference "t"\nend\n',
            name="allowed_mods.rr",
        )
        claim = {"lines": [{"code": "70450", "date": "2026-01-05", "modifiers": ["XS"]}]}
        assert rules.evaluate(claim).fired() == ("a.b",)

    def test_keyword_glued_to_a_word_is_not_split(self):
        """`modifier notallowed` is an error, not silently read as `not allowed`."""
        text = 'pairs p.p\n  reference "t"\n  pair 74176 with 74150 modifier notallowed\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="notallowed.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR101"
        assert underlined(diagnostic) == "notallowed"

    def test_misspelled_keyword_is_named(self):
        """A keyword with an extra letter is reported as that word, with the keyword suggested."""
        text = 'rule a.b\n  whenn line.code is 70450\n  then deny line "x"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="whenn.rr")
        (diagnostic,) = caught.value.errors
        assert underlined(diagnostic) == "whenn"
        assert diagnostic.help == "did you mean `when`?"
