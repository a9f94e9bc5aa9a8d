"""Parser tests: every construct of the rule language parses into the syntax tree."""

from __future__ import annotations

import radrules
from radrules import syntax as s
from radrules.parser import parse_rules


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
