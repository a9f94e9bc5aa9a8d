"""Warnings about rule-file rows that other rows, `disable` rows or the CMS tables make dead or doubled
(compiler/rows.py; errors.md RR267)."""

from __future__ import annotations

import radrules

ROW = 'limits acme.mue "Acme limits"\n  for payer acme\n  reference "r"\n  limit 74177 max 1 mai 2\nend\n'
DISABLE = 'limits acme.cleanup "older"\n  for payer acme\n  reference "r"\n  disable limit 74177\nend\n'


def codes(rules) -> list:
    return [warning.code for warning in rules.warnings]


class TestDisableAtTheRowsLevel:
    """RR267: a `disable` of a key takes off the rows of its own level too."""

    def test_a_disable_in_another_block_of_the_same_level(self):
        """The row of acme.mue never applies: the warning at the disable names it."""
        rules = radrules.loads(ROW + DISABLE, name="m.rr")
        [warning] = rules.warnings
        assert (warning.code, warning.span.line) == ("RR267", 9)
        assert warning.message == ("`disable limit 74177` removes the row of `acme.mue` at m.rr:4, written at the "
                                   "same level")
        assert rules.evaluate({"payer": "acme", "lines": [{"code": "74177", "units": 3, "date": "2026-08-03"}]}
                              ).passed  # the semantics stay: the disable wins

    def test_a_row_and_a_disable_in_one_block(self):
        """Two pair rows and the disable of their pair in one block: both rows are named."""
        rules = radrules.loads('pairs a.ptp\n  reference "r"\n  pair 74176 with 74150 modifier 0\n'
                               '  pair 74176 with 74150 modifier 1 effective 2027-01-01\n'
                               '  disable pair 74176 with 74150\nend\n', name="m.rr")
        [warning] = rules.warnings
        assert warning.message == ("`disable pair 74176 with 74150` removes the rows of `a.ptp` at m.rr:3 and m.rr:4, "
                                   "written at the same level")

    def test_a_disable_of_a_more_specific_level_says_nothing(self):
        """A payer's disable of a general row is what a disable is for; a general disable of a payer's row is
        RR263 (it keeps the row), not RR267; and blocks of other payers or claim types do not meet."""
        general = ROW.replace("  for payer acme\n", "")
        assert codes(radrules.loads(general + DISABLE)) == []
        assert codes(radrules.loads(ROW + DISABLE.replace("  for payer acme\n", ""))) == ["RR263"]
        assert "RR267" not in codes(radrules.loads(ROW + DISABLE.replace("payer acme", "payer beta")))
        assert "RR267" not in codes(radrules.loads(
            ROW.replace("payer acme\n", "payer acme\n  for professional claims\n")
            + DISABLE.replace("payer acme\n", "payer acme\n  for institutional claims\n")))
