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
                               '  pair 74176 with 74150 modifier 0 effective 2027-01-01\n'
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


LIMITS = ('limits acme.mue "Acme limits"\n  for payer acme\n  reference "r"\n  limit 71046 max 1 mai 2\n'
          '  limit 77067 max 2 mai 2 effective 2026-07-01 through 2026-09-30\n'
          '  limit 77067 max 3 mai 2 effective 2026-09-01\nend\n')
Q4 = 'limits acme.q4 "Acme from Q4"\n  for payer acme\n  reference "r"\n  limit 71046 max 3 mai 2\nend\n'


class TestRowsThatDisagree:
    """RR309: rows of one key at one level in force on one date with another edit."""

    def test_limits_in_one_block_and_across_files(self):
        """The later row is ignored where both are in force: the warning is at it, with the shared dates."""
        rules = radrules.loads(LIMITS + Q4, name="m.rr")
        assert [(w.code, w.span.line, w.message) for w in rules.warnings] == [
            ("RR309", 6, "`limit 77067 max 3 mai 2` here and `limit 77067 max 2 mai 2` at m.rr:5 are both in force "
                         "on 2026-09-01 through 2026-09-30: that row counts, the first in file order"),
            ("RR309", 11, "`limit 71046 max 3 mai 2` here and `limit 71046 max 1 mai 2` at m.rr:4 are both in force "
                          "on every date: that row counts, the first in file order")]
        result = rules.evaluate({"payer": "acme", "lines": [{"code": "77067", "units": 3, "date": "2026-09-10"}]})
        assert result.statuses == ("deny",)  # as the warning says: the first row, max 2

    def test_pairs_name_the_strictest_row(self):
        """Of pair rows with other indicators, the strictest decides, whichever comes first."""
        block = ('pairs a.ptp\n  reference "r"\n  pair 71046 with 71045 modifier {}\n'
                 '  pair 71046 with 71045 modifier {}{}\nend\n')
        [warning] = radrules.loads(block.format(1, 0, " effective 2026-10-01"), name="m.rr").warnings
        assert warning.message == ("`pair 71046 with 71045 modifier 0` here and `pair 71046 with 71045 modifier 1` at "
                                   "m.rr:3 are both in force from 2026-10-01: the row here, with modifier 0, decides")
        [warning] = radrules.loads(block.format(0, 9, ""), name="m.rr").warnings
        assert warning.message.endswith("on every date: that row, with modifier 0, decides")

    def test_rows_that_agree_or_do_not_meet_say_nothing(self):
        """The same edit, dates that do not overlap, other levels or other payers: no RR309; a repeated row is
        RR304 only."""
        assert radrules.loads(LIMITS.replace("max 3", "max 2")).warnings == ()
        assert radrules.loads(LIMITS.replace("effective 2026-09-01", "effective 2026-10-01")).warnings == ()
        assert radrules.loads(LIMITS.split("  limit 77067")[0] + "end\n" + Q4.replace("acme\n", "beta\n")
                              ).warnings == ()
        assert radrules.loads(LIMITS.split("  limit 77067")[0] + "end\n" + Q4.replace("  for payer acme\n", "")
                              ).warnings == ()
        repeated = 'pairs a.ptp\n  reference "r"\n' + '  pair 71046 with 71045 modifier 0\n' * 2 + 'end\n'
        assert [w.code for w in radrules.loads(repeated).warnings] == ["RR304"]
