"""Warnings about rule-file rows that other rows, `disable` rows or the CMS tables make dead or doubled
(compiler/rows.py; errors.md RR267)."""

from __future__ import annotations

from pathlib import Path

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

    def test_a_block_of_several_payers_meets_a_payers_own_block(self):
        """`for payers acme, beta` is at the level of acme's own block: its disable takes off acme's row (the claim
        passes), and the help says so and offers to move the disable to the payers that want it; a block of the
        same payers is told to drop it."""
        row = 'pairs acme.ptp "own"\n  for payer acme\n  reference "r"\n  pair 74176 with 74150 modifier 0\nend\n'
        shared = ('pairs shared.ptp "shared"\n  for payers acme, beta\n  reference "r"\n'
                  '  disable pair 74176 with 74150\nend\n')
        rules = radrules.loads(row + shared, name="m.rr")
        [warning] = rules.warnings
        assert (warning.code, warning.span.line) == ("RR267", 9)
        assert "every block of its own level that serves a payer and claim type it serves" in warning.help
        assert "`for payer`, of one payer or several" in warning.help
        assert warning.help.endswith("to keep the row, move the `disable` to a block of the payers that want the key "
                                     "without an edit (or drop it); to leave the key without an edit, drop the row")
        assert rules.evaluate({"payer": "acme", "lines": [{"code": "74176", "date": "2026-08-03"},
                                                          {"code": "74150", "date": "2026-08-03"}]}).passed
        [warning] = radrules.loads(row + shared.replace("payers acme, beta", "payer acme"), name="m.rr").warnings
        assert warning.help.endswith("to keep the row, drop the `disable`; to leave the key without an edit, drop the "
                                     "row")

    def test_a_payers_disable_of_a_block_shared_with_other_payers(self):
        """Acme's disable of a row of `for payers acme, beta`: beta keeps the row, so the help does not say to drop
        it but to move it to beta's block, or to allow the warning if acme's opting out is meant."""
        shared = ROW.replace("payer acme", "payers acme, beta, gamma")
        rules = radrules.loads(shared + DISABLE, name="m.rr")
        [warning] = rules.warnings
        assert (warning.code, warning.span.line) == ("RR267", 9)
        assert warning.help.endswith(
            "to keep the row, drop the `disable`; to leave the key without an edit for the `disable`'s payers only, "
            "move the row to a block of the other payers (`for payers beta, gamma`: dropping the row would take "
            "their edit too), or allow the warning (`# allow RR267: ...`) if the `disable`'s payers are meant to opt "
            "out")
        claim = {"lines": [{"code": "74177", "units": 3, "date": "2026-08-03"}]}
        assert rules.evaluate(dict(claim, payer="acme")).passed
        assert not rules.evaluate(dict(claim, payer="beta")).passed
        [warning] = radrules.loads(ROW.replace("payer acme", "payers acme, beta") + DISABLE, name="m.rr").warnings
        assert "(`for payer beta`: dropping the row" in warning.help
        # a payer name of two words is quoted, as the clause is written (it did not parse unquoted)
        [warning] = radrules.loads(ROW.replace("payer acme", 'payers acme, "blue plan"') + DISABLE,
                                   name="m.rr").warnings
        assert '(`for payer "blue plan"`: dropping the row' in warning.help

    def test_only_the_rows_other_payers_share_are_to_move(self):
        """Acme's disable of a row of `for payers acme, beta` and of a row of Acme's own block: the help says to
        move the shared row to beta's block, not Acme's own row, which serves no other payer; that one is to be
        dropped."""
        shared = ROW.replace("payer acme", "payers acme, beta").replace("acme.mue", "shared.mue")
        rules = radrules.loads(shared + ROW + DISABLE, name="m.rr")
        [warning] = rules.warnings
        assert (warning.code, warning.span.line) == ("RR267", 14)
        assert warning.message == ("`disable limit 74177` removes the rows of `shared.mue` and `acme.mue` at m.rr:4 "
                                   "and m.rr:9, written at the same level")
        assert warning.help.endswith(
            "to keep the rows, drop the `disable`; to leave the key without an edit for the `disable`'s payers only, "
            "drop the row of `acme.mue` at m.rr:9 and move the row of `shared.mue` at m.rr:4 to a block of the other "
            "payers (`for payer beta`: dropping it would take their edit too), or allow the warning (`# allow RR267: "
            "...`) if the `disable`'s payers are meant to opt out")
        # two shared rows and one of Acme's own: they are counted apart
        again = shared.replace("limit 74177 max 1 mai 2\n", "limit 74177 max 1 mai 2\n  limit 74177 max 2 mai 2 "
                               "effective 2027-01-01\n")
        [warning] = [w for w in radrules.loads(again + ROW + DISABLE, name="m.rr").warnings if w.code == "RR267"]
        assert ("drop the row of `acme.mue` at m.rr:10 and move the rows of `shared.mue` at m.rr:4 and m.rr:5 to a "
                "block of the other payers (`for payer beta`: dropping them would take their edit too)") in warning.help

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

    def test_file_order_across_paths_is_the_order_they_are_given(self, tmp_path):
        """Two paths loaded side by side: files go path by path, in the order given (language.md), so the first
        path's limit counts and RR309 is at the other's row, whichever name sorts first."""
        row = 'limits {}\n  for payer acme\n  reference "r"\n  limit 77066 max {} mai 2\nend\n'
        for folder, rule, limit in (("pa", "x.one", 2), ("pb", "x.two", 0)):
            (tmp_path / folder).mkdir()
            (tmp_path / folder / f"{folder[1]}.rr").write_text(row.format(rule, limit), encoding="utf-8")
        claim = {"payer": "acme", "lines": [{"code": "77066", "date": "2026-07-01"}]}
        for order, denied, later in ((("pa", "pb"), [], "b.rr"), (("pb", "pa"), ["x.two"], "a.rr")):
            rules = radrules.load(*(tmp_path / folder for folder in order), cache_dir=None)
            assert [f.rule for f in rules.evaluate(claim).findings] == denied
            [warning] = rules.warnings
            assert (warning.code, warning.span.file.rpartition("/")[2]) == ("RR309", later)

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


CMS = Path(__file__).parent / "data" / "cms"
PTP_HEADER = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"


def with_ptp(tmp_path, text: str, table: str | None = None) -> radrules.Ruleset:
    """``text`` beside the v322 practitioner PTP table (or a table of ``table``'s rows)."""
    root = tmp_path / "rules"
    (root / "cms").mkdir(parents=True)
    file = root / "cms" / "ccipra-v322r0-f1.TXT"
    if table is None:
        file.write_bytes((CMS / "radiology-ptp-v322r0-f1.TXT").read_bytes())
    else:
        file.write_text(PTP_HEADER + table, encoding="latin-1")
    (root / "main.rr").write_text('table ptp "cms/ccipra-v322r0-f1.TXT"\n' + text, encoding="utf-8")
    return radrules.load(root, cache_dir=None)


ACME_PAIR = 'pairs acme.ptp\n  for payer acme\n  reference "r"\n  pair 71045 with 71046 modifier 0\nend\n'


class TestPairsTheOtherWayRound:
    """RR268: a rule-file pair whose reversed pair is a loaded PTP table's; RR263's hint for a disable."""

    def test_the_table_row_is_named(self, tmp_path):
        [warning] = with_ptp(tmp_path, ACME_PAIR).warnings
        assert (warning.code, warning.span.line) == ("RR268", 5)
        assert warning.message == ("`pair 71045 with 71046` is the PTP table's pair the other way round: the table's "
                                   "row `71046 with 71045` (ccipra-v322r0-f1.TXT:8) stays in force beside it, so a "
                                   "claim of both codes can have both lines denied")
        assert "write `pair 71046 with 71045 ...`" in warning.help

    def test_no_warning_where_the_reverse_is_handled(self, tmp_path):
        """The table has both directions, the rule files write the reverse too, the table's reverse row is no edit
        (indicator 9), or the block serves claims no loaded table serves: nothing to say."""
        both = "71046\t71045\t\t20180101\t*\t1\tx\n71045\t71046\t\t20180101\t*\t1\tx\n"
        assert with_ptp(tmp_path / "a", ACME_PAIR, both).warnings == ()
        assert with_ptp(tmp_path / "b", ACME_PAIR, "71046\t71045\t\t20180101\t*\t9\tx\n").warnings == ()
        disabled = ACME_PAIR.replace("end\n", "  disable pair 71046 with 71045\nend\n")
        assert with_ptp(tmp_path / "c", disabled).warnings == ()
        hospital = ACME_PAIR.replace("  for payer acme\n", "  for payer acme\n  for institutional claims\n")
        assert with_ptp(tmp_path / "d", hospital).warnings == ()

    def test_another_payers_reversed_row_does_not_silence_it(self, tmp_path):
        """A row or `disable` of `71046 with 71045` for another payer, or for other claims, leaves acme's claims
        with both edits: the warning stays."""
        beta = 'pairs beta.ptp\n  for payer beta\n  reference "r"\n  pair 71046 with 71045 modifier 0\nend\n'
        assert codes(with_ptp(tmp_path / "a", ACME_PAIR + beta)) == ["RR268"]
        beta_off = beta.replace("pair 71046 with 71045 modifier 0", "disable pair 71046 with 71045")
        assert codes(with_ptp(tmp_path / "b", ACME_PAIR + beta_off)) == ["RR268"]
        hospital = ('pairs acme.hospital\n  for payer acme\n  for institutional claims\n  reference "r"\n'
                    '  pair 71046 with 71045 modifier 0\nend\n')
        assert codes(with_ptp(tmp_path / "c", ACME_PAIR + hospital)) == ["RR268"]
        every = ACME_PAIR.replace("acme.ptp", "all.ptp").replace("  for payer acme\n", "")
        assert codes(with_ptp(tmp_path / "d", every + ACME_PAIR.replace("71045 with 71046", "71046 with 71045")
                              .replace("acme.ptp", "acme.reverse"))) == ["RR268"]  # other payers keep both

    def test_a_reversed_row_for_the_same_claims_silences_it(self, tmp_path):
        """A reversed row in a block with no `for payer` (every payer), in another block of the payer, or for the
        claim type of the table: no warning."""
        every = 'pairs all.ptp\n  reference "r"\n  pair 71046 with 71045 modifier 1\nend\n'
        assert with_ptp(tmp_path / "a", ACME_PAIR + every).warnings == ()
        again = ACME_PAIR.replace("acme.ptp", "acme.more").replace("pair 71045 with 71046", "disable pair 71046 with "
                                                                   "71045").replace(" modifier 0", "")
        assert with_ptp(tmp_path / "b", ACME_PAIR + again).warnings == ()
        office = ('pairs acme.office\n  for payer acme\n  for professional claims\n  reference "r"\n'
                  '  pair 71046 with 71045 modifier 0\nend\n')
        assert with_ptp(tmp_path / "c", ACME_PAIR + office).warnings == ()

    def test_a_disable_of_the_reversed_pair_says_which_the_table_has(self, tmp_path):
        """RR263 for `disable pair 71045 with 71046`: the hint names the table's `71046 with 71045`."""
        disable = ACME_PAIR.replace("pair 71045 with 71046 modifier 0", "disable pair 71045 with 71046")
        rules = with_ptp(tmp_path, disable)
        [warning] = rules.warnings
        assert warning.code == "RR263"
        assert warning.help == ("the PTP table has the pair the other way round, `71046 with 71045` "
                                "(ccipra-v322r0-f1.TXT:8): column 1 comes first, so write `disable pair 71046 with "
                                "71045`")


def test_a_disable_row_listed_twice_is_rr304():
    """The same `disable` twice in one block: RR304 at the second, naming the first's line."""
    rules = radrules.loads('limits a.mue\n  for payer acme\n  reference "r"\n  limit 77067 max 1 mai 2\nend\n'
                           'limits b.mue\n  for payer acme\n  for professional claims\n  reference "r"\n'
                           '  disable limit 77067\n  disable limit 77067\nend\n')
    [warning] = rules.warnings
    assert (warning.code, warning.span.line, warning.message, warning.help) == (
        "RR304", 11, "`disable limit 77067` is listed twice", "the first is at line 10")
