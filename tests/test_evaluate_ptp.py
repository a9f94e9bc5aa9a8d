"""PTP (procedure-to-procedure) edits: domain.md §1 and §10.6."""

from __future__ import annotations

import pytest

import radrules
from radrules.model import ANATOMIC_MODIFIERS, OTHER_BYPASS_MODIFIERS

from builders import NPI, OTHER_NPI, claim, fired, line, only

PAIRS = '''
pairs t.ptp "test edits"
  reference "test PTP table"
  pair 74176 with 74150 modifier 1 effective 2024-01-01 "Misuse of column two code with column one code"
  pair 71046 with 71045 modifier 0 effective 2024-01-01 "Mutually exclusive procedures"
  pair 70470 with 70450 modifier 1 effective 2024-01-01 through 2024-12-31
  pair 70470 with 70460 modifier 9 effective 2024-01-01 through 2024-01-01
  pair 73721 with 73700 modifier 9 effective 2022-01-01 through 2022-01-01
  pair 73721 with 73700 modifier 1 effective 2022-01-01
  pair 72193 with 72192 modifier 0 effective 2024-01-01 through 2024-12-31
  pair 72193 with 72192 modifier 1 effective 2025-01-01
end
'''
RULES = radrules.loads(PAIRS, name="ptp.rr")
EITHER = radrules.loads("setting modifier_placement = either\n" + PAIRS, name="ptp_either.rr")
BY_PAYER = radrules.loads("setting modifier_placement = either for payer acme\n" + PAIRS, name="ptp_acme.rr")

DOS = "2026-03-02"


def pair_claim(col1="74176", col2="74150", mods1=(), mods2=(), date=DOS, date2=None, **fields):
    """A claim with a column 1 line and a column 2 line."""
    first = line(col1, date, modifiers=list(mods1))
    second = line(col2, date2 or date, modifiers=list(mods2))
    for key in ("npi1", "npi2"):
        value = fields.pop(key, None)
        if value is not None:
            (first if key == "npi1" else second)["rendering_npi"] = value
    return claim(first, second, **fields)


def denied(result) -> list[tuple[int, ...]]:
    """The lines of every PTP finding."""
    return [f.lines for f in result.findings if f.kind == "ptp"]


class TestColumnSemantics:
    def test_column_two_is_denied(self):
        """Both codes on one date: the column 2 line is denied, the column 1 line paid."""
        result = RULES.evaluate(pair_claim())
        assert denied(result) == [(2,)]
        assert [s.status for s in result.lines] == ["pay", "deny"]
        assert result.passed is False

    def test_line_order_does_not_matter(self):
        """With the column 2 code on line 1, line 1 is the one denied."""
        result = RULES.evaluate(claim(line("74150", DOS), line("74176", DOS)))
        finding = only(result, "t.ptp")
        assert (finding.lines, finding.related_lines, finding.codes) == ((1,), (2,), ("74176", "74150"))

    def test_edit_is_directional(self):
        """Only the column 2 code is ever denied: a pair row does not work the other way round."""
        result = RULES.evaluate(pair_claim(col1="74150", col2="74176"))
        assert [f.lines for f in result.findings] == [(1,)]

    def test_finding_fields(self):
        """A PTP finding carries kind, severity, codes, default CO-97/M80, the rationale and the row's source."""
        finding = only(RULES.evaluate(pair_claim()), "t.ptp")
        assert finding.kind == "ptp" and finding.severity == "deny"
        assert (finding.carc, finding.rarc) == ("CO-97", ("M80",))
        assert finding.message == "74150 is bundled into 74176 on 2026-03-02 (no bypass modifier on 74150)"
        assert finding.reference == "test PTP table; Misuse of column two code with column one code"
        assert finding.source == "ptp.rr:4"

    def test_single_code_claim_has_no_edit(self):
        """A claim with only one of the two codes has no PTP finding."""
        assert denied(RULES.evaluate(claim(line("74150", DOS)))) == []

    def test_column_one_denied_elsewhere_still_denies_column_two(self):
        """Rules do not read each other's results: column 2 is denied even when column 1 is denied too."""
        rules = radrules.loads(PAIRS + 'rule t.deny_col1\n  when line.code is 74176\n  then deny line "no"\n'
                               '  reference "t"\nend\n', name="ptp_col1.rr")
        result = rules.evaluate(pair_claim())
        assert fired(result) == {"t.ptp", "t.deny_col1"}
        assert [s.status for s in result.lines] == ["deny", "deny"]


class TestDates:
    @pytest.mark.parametrize("date, fires", [
        ("2023-12-31", False),  # the day before the effective date
        ("2024-01-01", True),   # the effective date
        ("2024-12-31", True),   # the deletion date itself: the last day the edit applies
        ("2025-01-01", False),  # the day after the deletion date
    ])
    def test_effective_and_deletion_dates_are_inclusive(self, date, fires):
        """A row applies from its effective date through its deletion date, both included."""
        result = RULES.evaluate(pair_claim("70470", "70450", date=date))
        assert bool(denied(result)) is fires

    def test_open_ended_row(self):
        """A row without a deletion date applies on every later date."""
        assert denied(RULES.evaluate(pair_claim(date="2039-12-31"))) == [(2,)]

    def test_different_dates_never_pair(self):
        """The two codes on different dates of service do not interact."""
        result = RULES.evaluate(pair_claim(date="2026-03-02", date2="2026-03-03"))
        assert denied(result) == []
        assert result.passed is True


class TestIndicators:
    @pytest.mark.parametrize("date", ["2023-12-31", "2024-01-01", "2024-06-01"])
    def test_indicator_nine_never_fires(self, date):
        """An indicator 9 row never applies, not even on its own dates."""
        assert denied(RULES.evaluate(pair_claim("70470", "70460", date=date))) == []

    @pytest.mark.parametrize("modifier", sorted(OTHER_BYPASS_MODIFIERS | ANATOMIC_MODIFIERS))
    def test_indicator_zero_ignores_modifiers(self, modifier):
        """Indicator 0: no modifier on either line bypasses the edit."""
        result = RULES.evaluate(pair_claim("71046", "71045", mods1=[modifier] if modifier in ANATOMIC_MODIFIERS else [],
                                           mods2=[modifier]))
        finding = only(result, "t.ptp")
        assert finding.message.endswith("(modifier not allowed: no modifier bypasses this edit)")

    def test_indicator_zero_ignores_modifiers_under_either(self):
        """Indicator 0 holds under `either` placement too, with bypass modifiers on both lines."""
        assert denied(EITHER.evaluate(pair_claim("71046", "71045", mods1=["59"], mods2=["XU"]))) == [(2,)]

    @pytest.mark.parametrize("modifier", sorted(OTHER_BYPASS_MODIFIERS))
    def test_indicator_one_bypass_modifiers(self, modifier):
        """Indicator 1: 59, X{EPSU}, 24, 25, 27, 57, 58, 78, 79 or 91 on the column 2 line bypasses."""
        result = RULES.evaluate(pair_claim(mods2=[modifier]))
        assert denied(result) == []
        assert result.passed is True

    @pytest.mark.parametrize("modifier", ["22", "76", "77", "26", "TC", "50", "52", "53", "GA", "GZ", "GY", "KX"])
    def test_modifiers_that_do_not_bypass(self, modifier):
        """Modifiers outside the PTP-associated list never bypass an edit."""
        assert denied(RULES.evaluate(pair_claim(mods2=[modifier]))) == [(2,)]

    def test_bypass_modifier_in_any_position(self):
        """The bypass modifier counts in any of the four modifier positions."""
        assert denied(RULES.evaluate(pair_claim(mods2=["26", "76", "GA", "XS"]))) == []


class TestAnatomicBypass:
    def test_different_sides_bypass(self):
        """Column 1 RT with column 2 LT are different sites: the edit is bypassed."""
        assert denied(RULES.evaluate(pair_claim(mods1=["RT"], mods2=["LT"]))) == []

    def test_same_side_does_not_bypass(self):
        """Both lines RT (ipsilateral): the edit still denies column 2."""
        assert denied(RULES.evaluate(pair_claim(mods1=["RT"], mods2=["RT"]))) == [(2,)]

    def test_side_on_column_two_only_bypasses(self):
        """An anatomic modifier on column 2 that column 1 does not carry bypasses."""
        assert denied(RULES.evaluate(pair_claim(mods2=["LT"]))) == []

    def test_side_on_column_one_only_does_not_bypass(self):
        """An anatomic modifier only on column 1 does not bypass."""
        assert denied(RULES.evaluate(pair_claim(mods1=["LT"]))) == [(2,)]

    def test_side_on_column_one_only_under_either(self):
        """`either` placement widens only the non-anatomic modifiers: column 1 LT alone still does not bypass."""
        assert denied(EITHER.evaluate(pair_claim(mods1=["LT"]))) == [(2,)]

    @pytest.mark.parametrize("modifier", ["E1", "FA", "F5", "TA", "T9", "LC", "LD", "LM", "RC", "RI"])
    def test_other_anatomic_modifiers(self, modifier):
        """Every anatomic modifier bypasses when only column 2 carries it, and not when both do."""
        assert denied(RULES.evaluate(pair_claim(mods2=[modifier]))) == []
        assert denied(RULES.evaluate(pair_claim(mods1=[modifier], mods2=[modifier]))) == [(2,)]


class TestBilateral:
    """Modifier 50 (bilateral) covers both sides (domain.md §1.5: anatomic bypass means different sites)."""

    @pytest.mark.parametrize("side", ["RT", "LT"])
    def test_50_on_column_one_carries_both_sides(self, side):
        """Column 1 with 50 and column 2 with RT or LT share a side: the edit still denies column 2."""
        assert denied(RULES.evaluate(pair_claim(mods1=["50"], mods2=[side]))) == [(2,)]
        assert denied(RULES.evaluate(pair_claim(mods1=["50"], mods2=[side]), indexed=False)) == [(2,)]

    @pytest.mark.parametrize("mods2", [["F1"], ["59"], ["XS", "RT"]])
    def test_50_on_column_one_leaves_other_bypasses(self, mods2):
        """50 covers only the sides: another anatomic modifier or 59/XS on column 2 still bypasses."""
        assert denied(RULES.evaluate(pair_claim(mods1=["50"], mods2=mods2))) == []

    @pytest.mark.parametrize("mods1", [[], ["LT"], ["RT"]])
    def test_50_on_column_two_never_bypasses_by_a_side(self, mods1):
        """A bilateral column 2 line shares a side with any column 1 line: its RT does not bypass, nor does 50
        (not PTP-associated, §1.4)."""
        assert denied(RULES.evaluate(pair_claim(mods1=mods1, mods2=["50", "RT"]))) == [(2,)]
        assert denied(RULES.evaluate(pair_claim(mods1=mods1, mods2=["50"]))) == [(2,)]

    def test_a_date_span_and_a_paid_column_one(self):
        """The span path and a paid column 1 line with 50 judge the same way."""
        spanned = pair_claim(mods1=["50"], mods2=["RT"])
        spanned["lines"][0]["end_date"] = "2026-03-03"
        assert denied(RULES.evaluate(spanned)) == [(2,)]
        paid = [{"code": "74176", "date": DOS, "modifiers": ["50"]}]
        result = RULES.evaluate(claim(line("74150", DOS, modifiers=["RT"])), history=paid)
        assert denied(result) == [(1,)]

    def test_the_denial_says_why_the_side_did_not_bypass(self):
        """The finding (and explain, which quotes it) names the side modifier that did not bypass, and why: a
        coder must not look for a missing modifier on a line that carries one."""
        result = RULES.evaluate(pair_claim(mods1=["50"], mods2=["RT"]), explain=True)
        assert result.findings[0].message == ("74150 is bundled into 74176 on 2026-03-02 (RT: 50 on the column 1 "
                                              "line covers both sides: the same site, not a bypass)")
        [step] = [s for s in result.explanation.steps if s.rule == "t.ptp"]
        assert (step.outcome, step.detail) == ("fired", result.findings[0].message)
        result = RULES.evaluate(pair_claim(mods1=["RT"], mods2=["RT"]))
        assert result.findings[0].message.endswith("(RT is on the column 1 line too: the same site, not a bypass)")


class TestModifierPlacement:
    def test_column_one_modifier_does_not_bypass_by_default(self):
        """Under the default `column2` placement, 59 on the column 1 line does not bypass."""
        assert denied(RULES.evaluate(pair_claim(mods1=["59"]))) == [(2,)]

    def test_column_one_modifier_bypasses_under_either(self):
        """Under `setting modifier_placement = either`, 59 on the column 1 line bypasses."""
        assert denied(EITHER.evaluate(pair_claim(mods1=["59"]))) == []

    def test_setting_for_one_payer(self):
        """A payer-scoped placement applies to that payer's claims only."""
        assert denied(BY_PAYER.evaluate(pair_claim(mods1=["XU"], payer="acme"))) == []
        assert denied(BY_PAYER.evaluate(pair_claim(mods1=["XU"], payer="ACME"))) == []
        assert denied(BY_PAYER.evaluate(pair_claim(mods1=["XU"], payer="other"))) == [(2,)]
        assert denied(BY_PAYER.evaluate(pair_claim(mods1=["XU"]))) == [(2,)]

    def test_payer_setting_beats_the_general_one(self):
        """A payer's own placement overrides the ruleset-wide one for that payer."""
        rules = radrules.loads("setting modifier_placement = either\n"
                               "setting modifier_placement = column2 for payer strict\n" + PAIRS, name="ptp_mixed.rr")
        assert denied(rules.evaluate(pair_claim(mods1=["59"], payer="strict"))) == [(2,)]
        assert denied(rules.evaluate(pair_claim(mods1=["59"], payer="other"))) == []


class TestSeveralRows:
    def test_retroactively_deleted_row_beside_an_active_row(self):
        """A key with an indicator 9 row and an active indicator 1 row: the active row applies."""
        assert denied(RULES.evaluate(pair_claim("73721", "73700", date="2022-01-01"))) == [(2,)]
        assert denied(RULES.evaluate(pair_claim("73721", "73700", date="2026-01-01", mods2=["59"]))) == []

    @pytest.mark.parametrize("date, mods2, fires", [
        ("2024-12-31", ["59"], True),   # indicator 0 row: 59 does not help
        ("2025-01-01", ["59"], False),  # indicator 1 row from the next day: 59 bypasses
        ("2025-01-01", [], True),
    ])
    def test_each_row_by_its_own_dates(self, date, mods2, fires):
        """Each row of a key is judged on its own dates and indicator."""
        assert bool(denied(RULES.evaluate(pair_claim("72193", "72192", date=date, mods2=mods2)))) is fires

    def test_a_bypass_modifier_on_the_column_1_line_alone_is_named(self):
        """70470-XS beside 70450 (placement `column2`): the denial says XS is on the wrong line, the fix a biller makes
        (it said only "no bypass modifier on 70450"); with `either` XS bypasses, and 0 indicators are unchanged."""
        rules = radrules.loads('pairs t.ct\n  reference "t"\n  pair 70470 with 70450 modifier 1 effective 2024-01-01\n'
                               'end\n', name="ct.rr")
        finding = only(rules.evaluate(pair_claim("70470", "70450", mods1=["XS"])), "t.ct")
        assert finding.message == ("70450 is bundled into 70470 on 2026-03-02 (no bypass modifier on 70450; XS on the "
                                   "column 1 line, 70470, does not bypass: it goes on the column 2 line)")
        assert only(RULES.evaluate(pair_claim("71046", "71045", mods1=["59"])), "t.ptp").message.endswith(
            "(modifier not allowed: no modifier bypasses this edit)")
        assert denied(EITHER.evaluate(pair_claim(mods1=["XS"]))) == []

    def test_one_finding_per_pair_of_lines(self):
        """Two rows active on the same date give one finding for the pair of lines."""
        rules = radrules.loads('pairs t.two\n  reference "t"\n'
                               '  pair 74176 with 74150 modifier 1 effective 2020-01-01\n'
                               '  pair 74176 with 74150 modifier 0 effective 2024-01-01\nend\n', name="two_rows.rr")
        result = rules.evaluate(pair_claim())
        assert len(result.findings) == 1
        assert result.findings[0].message.endswith("(no bypass modifier on 74150)")

    def test_bypassed_row_does_not_hide_an_indicator_zero_row(self):
        """A bypass of an indicator 1 row does not bypass an indicator 0 row of the same key."""
        rules = radrules.loads('pairs t.two\n  reference "t"\n'
                               '  pair 74176 with 74150 modifier 1 effective 2020-01-01\n'
                               '  pair 74176 with 74150 modifier 0 effective 2024-01-01\nend\n', name="two_rows.rr")
        finding = only(rules.evaluate(pair_claim(mods2=["59"])), "t.two")
        assert finding.message.endswith("(modifier not allowed: no modifier bypasses this edit)")

    def test_two_column_two_lines(self):
        """Every column 2 line on the date is denied, each against the column 1 line."""
        result = RULES.evaluate(claim(line("74176", DOS), line("74150", DOS), line("74150", DOS, modifiers=["76"])))
        assert sorted(denied(result)) == [(2,), (3,)]


class TestProviders:
    def test_different_rendering_npis_never_pair(self):
        """Lines of two different rendering providers do not interact."""
        assert denied(RULES.evaluate(pair_claim(npi1=NPI, npi2=OTHER_NPI))) == []

    def test_same_npi_pairs(self):
        """Lines of the same rendering provider pair."""
        assert denied(RULES.evaluate(pair_claim(npi1=NPI, npi2=NPI))) == [(2,)]

    @pytest.mark.parametrize("npis", [(NPI, None), (None, NPI), (None, None)])
    def test_missing_npi_pairs(self, npis):
        """A line without a rendering NPI pairs with any line."""
        assert denied(RULES.evaluate(pair_claim(npi1=npis[0], npi2=npis[1]))) == [(2,)]


class TestScope:
    def test_block_for_one_claim_type(self):
        """A hospital-only pair block never fires on a professional claim, and vice versa (§10.2)."""
        rules = radrules.loads('pairs t.hospital\n  for institutional claims\n  reference "t"\n'
                               '  pair 74176 with 74150 modifier 1\nend\n', name="hospital.rr")
        assert denied(rules.evaluate(pair_claim(type="institutional"))) == [(2,)]
        assert denied(rules.evaluate(pair_claim(type="professional"))) == []

    def test_block_clauses_change_the_finding(self):
        """A block's `severity`, `carc` and `rarc` replace the PTP defaults."""
        rules = radrules.loads('pairs t.review\n  severity review\n  carc CO-236\n  rarc N20\n  reference "t"\n'
                               '  pair 74176 with 74150 modifier 1\nend\n', name="review.rr")
        result = rules.evaluate(pair_claim())
        finding = only(result, "t.review")
        assert (finding.severity, finding.carc, finding.rarc) == ("review", "CO-236", ("N20",))
        assert [s.status for s in result.lines] == ["pay", "review"]
        assert result.passed is False

    def test_block_effective_window_applies_to_rows_without_dates(self):
        """Rows without their own dates take the block's `effective` window."""
        rules = radrules.loads('pairs t.window\n  effective 2026-01-01 through 2026-06-30\n  reference "t"\n'
                               '  pair 74176 with 74150 modifier 1\nend\n', name="window.rr")
        assert denied(rules.evaluate(pair_claim(date="2025-12-31"))) == []
        assert denied(rules.evaluate(pair_claim(date="2026-06-30"))) == [(2,)]
        assert denied(rules.evaluate(pair_claim(date="2026-07-01"))) == []


class TestPtpEditCondition:
    RULES = radrules.loads(PAIRS + '''
rule t.native
  kind coding
  when line.code in [74150, 70450, 70460, 71045]
   and other.code in [74176, 70470, 71046]
   and not ptp edit between line and other
  then warn line "{line.code} with {other.code}"
  reference "t"
end
''', name="native.rr")

    def test_active_edit_suppresses_a_native_rule(self):
        """A native rule that steps aside for PTP edits is silent when an active row links the codes."""
        result = self.RULES.evaluate(pair_claim())
        assert fired(result) == {"t.ptp"}

    def test_bypassed_edit_still_suppresses(self):
        """The edit's modifier bypass wins too: the native rule stays silent."""
        assert fired(self.RULES.evaluate(pair_claim(mods2=["59"]))) == set()

    def test_indicator_nine_does_not_suppress(self):
        """An indicator 9 row is no edit: the native rule fires."""
        assert fired(self.RULES.evaluate(pair_claim("70470", "70460", date="2024-01-01"))) == {"t.native"}

    def test_inactive_row_does_not_suppress(self):
        """A row not active on the date is no edit: the native rule fires."""
        assert fired(self.RULES.evaluate(pair_claim("70470", "70450", date="2025-06-01"))) == {"t.native"}


class TestBundledAcmeEdits:
    def test_acme_pair_denies_for_acme(self, bundled):
        """Acme's own pair 74176/74150 denies 74150 on an Acme claim."""
        result = bundled.evaluate(pair_claim(payer="acme", prior_auth="PA1"))
        assert [(f.rule, f.lines) for f in result.findings if f.kind == "ptp"] == [("acme.ptp", (2,))]

    def test_acme_pairs_do_not_apply_to_other_payers(self, bundled):
        """Acme's edits are scoped to Acme: another payer's claim has no PTP finding."""
        result = bundled.evaluate(pair_claim(payer="medicare"))
        assert [f for f in result.findings if f.kind == "ptp"] == []

    def test_acme_accepts_modifier_on_column_one(self, bundled):
        """Acme's `either` placement lets XE on the column 1 line bypass."""
        result = bundled.evaluate(pair_claim("74176", "72192", mods1=["XE"], payer="acme", prior_auth="PA1"))
        assert result.passed is True
