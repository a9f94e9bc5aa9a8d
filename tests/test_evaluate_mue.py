"""Unit limits (MUE): domain.md §2 and §10.7."""

from __future__ import annotations

import pytest

import radrules

from builders import CLINICAL, LINE_EDIT, NPI, OTHER_NPI, POLICY, claim, line, only

RULES = radrules.loads('''
limits t.mue "test unit limits"
  reference "test MUE table"
  limit 73562 max 1 mai 1 "Anatomic Consideration"
  limit 77067 max 1 mai 2 "Code Descriptor / CPT Instruction"
  limit Q9967 max 250 mai 3 "Clinical"
  limit 70450 max 0 mai 1
  limit 71271 max 0 mai 2
  limit 74177 max 1 mai 1 effective 2026-01-01 through 2026-06-30
  limit 74177 max 2 mai 1 effective 2026-07-01
end
''', name="mue.rr")
DOS = "2026-03-02"


def mue(result) -> list[tuple[tuple[int, ...], str]]:
    """(lines, message) of every unit-limit finding."""
    return [(f.lines, f.message) for f in result.findings if f.kind == "mue"]


class TestLineEdit:
    def test_line_over_the_limit_is_denied_whole(self):
        """MAI 1: a line over the limit is denied entirely, not just the excess units."""
        result = RULES.evaluate(claim(line("73562", DOS, units=2)))
        assert mue(result) == [((1,), f"73562: 2 units on one line exceed the limit of 1 per line ({LINE_EDIT})")]
        assert result.status_of(1) == "deny"
        for missing in (0, 2, -1, True):  # line numbers start at 1: 0 is not the last line
            with pytest.raises(IndexError):
                result.status_of(missing)

    def test_each_line_alone(self):
        """MAI 1: two lines of one unit each (RT and LT) are each within the limit."""
        result = RULES.evaluate(claim(line("73562", DOS, modifiers=["RT"]), line("73562", DOS, modifiers=["LT"])))
        assert mue(result) == []
        assert result.passed is True

    def test_only_the_line_over_the_limit(self):
        """MAI 1: of two lines, only the one over the limit is denied."""
        result = RULES.evaluate(claim(line("73562", DOS, modifiers=["RT"]),
                                      line("73562", DOS, units=3, modifiers=["LT"])))
        assert [lines for lines, _ in mue(result)] == [(2,)]
        assert [s.status for s in result.lines] == ["pay", "deny"]

    def test_at_the_limit_passes(self):
        """Units equal to the limit pass."""
        assert mue(RULES.evaluate(claim(line("73562", DOS, units=1)))) == []

    def test_fractional_units_over_the_limit(self):
        """1.5 units exceed a limit of 1."""
        assert mue(RULES.evaluate(claim(line("73562", DOS, units=1.5))))[0][0] == (1,)

    @pytest.mark.parametrize("history", [False, True])
    def test_fractions_adding_up_to_the_limit(self, history):
        """MAI 3: 0.3 + 249.4 + 0.3 mL are 250, the limit (in binary fractions, 250.00000000000003), also with
        a part paid on an earlier claim; 0.4 more is over, and the message says 250.4."""
        lines = [line("Q9967", DOS, units=0.3), line("Q9967", DOS, units=249.4, modifiers=["59"])]
        paid = [{"code": "Q9967", "date": DOS, "units": 0.3}] if history else None
        if not history:
            lines.append(line("Q9967", DOS, units=0.3, modifiers=["JW"]))
        assert mue(RULES.evaluate(claim(*lines), history=paid)) == []
        ((_, message),) = mue(RULES.evaluate(claim(*lines, line("Q9967", DOS, units=0.4)), history=paid))
        assert message.startswith("Q9967: 250.4 units on 2026-03-02")
        assert "exceed the limit of 250 per day" in message

    def test_the_callers_decimal_context_changes_nothing(self):
        """A maintainer's read: the sum ran in the caller's decimal context; with a precision of 3, 125 + 125.5
        was 2.50E+2 and passed a limit of 250."""
        import decimal

        lines = claim(line("Q9967", DOS, units=125, modifiers=["59"]), line("Q9967", DOS, units=125.5, modifiers=["XU"]))
        with decimal.localcontext(decimal.Context(prec=3)):
            ((_, message),) = mue(RULES.evaluate(lines))
        assert message.startswith("Q9967: 250.5 units")

    def test_fractions_over_the_limit_however_split(self):
        """A coding auditor's finding: 250.0000000004 units on one line are over a limit of 250, and so are 125 and
        125.0000000004 on two (the sum was rounded to 9 places, and passed)."""
        for units in ([250.0000000004], [125, 125.0000000004], [0.5] * 500 + [0.0000000004]):
            found = mue(RULES.evaluate(claim(*(line("Q9967", DOS, units=u, modifiers=[m]) for u, m in
                                               zip(units, ["59", "XU", "XS", "XE", "76", "77"] * 500)))))
            assert found and "250.0000000004 units" in found[0][1], units


class TestDateOfServiceEdit:
    @pytest.mark.parametrize("mods", [([], []), (["RT"], ["LT"]), ([], ["76"]), (["59"], ["XS"]), ([], ["77"])])
    def test_lines_summed_whatever_their_modifiers(self, mods):
        """MAI 2: units of one code on one date are summed across lines, modifiers notwithstanding."""
        result = RULES.evaluate(claim(line("77067", DOS, modifiers=mods[0]), line("77067", DOS, modifiers=mods[1])))
        assert mue(result) == [((1, 2), f"77067: 2 units on 2026-03-02 exceed the limit of 1 per day ({POLICY})")]
        assert [s.status for s in result.lines] == ["deny", "deny"]

    def test_every_line_of_the_date_is_denied(self):
        """MAI 2: all lines of the code on that date are denied, also one that alone is within the limit."""
        result = RULES.evaluate(claim(line("77067", DOS), line("71045", DOS), line("77067", DOS, modifiers=["76"])))
        assert [lines for lines, _ in mue(result)] == [(1, 3)]
        assert [s.status for s in result.lines] == ["deny", "pay", "deny"]

    def test_dates_are_separate_groups(self):
        """MAI 2: one unit on each of two dates is within a limit of one a day."""
        result = RULES.evaluate(claim(line("77067", "2026-03-02"), line("77067", "2026-03-03")))
        assert mue(result) == []

    def test_clinical_mai_sums_too(self):
        """MAI 3 sums like MAI 2 and names itself clinical."""
        result = RULES.evaluate(claim(line("Q9967", DOS, units=150), line("Q9967", DOS, units=101)))
        assert mue(result) == [((1, 2), f"Q9967: 251 units on 2026-03-02 exceed the limit of 250 per day ({CLINICAL})")]

    def test_sum_at_the_limit_passes(self):
        """MAI 3: a sum equal to the limit passes."""
        assert mue(RULES.evaluate(claim(line("Q9967", DOS, units=150), line("Q9967", DOS, units=100)))) == []

    def test_different_providers_are_separate_groups(self):
        """Lines of two rendering providers are not summed together."""
        result = RULES.evaluate(claim(line("77067", DOS, rendering_npi=NPI), line("77067", DOS, rendering_npi=OTHER_NPI)))
        assert mue(result) == []

    def test_same_provider_is_one_group(self):
        """Lines of one rendering provider are summed."""
        result = RULES.evaluate(claim(line("77067", DOS, rendering_npi=NPI), line("77067", DOS, rendering_npi=NPI)))
        assert [lines for lines, _ in mue(result)] == [(1, 2)]


class TestZeroLimit:
    @pytest.mark.parametrize("code", ["70450", "71271"])
    def test_limit_zero_is_not_payable(self, code):
        """A limit of 0 means not payable: one unit fails, under MAI 1 and MAI 2 alike."""
        result = RULES.evaluate(claim(line(code, DOS, units=1)))
        assert mue(result) == [((1,), f"{code} is not payable in this setting (unit limit 0)")]

    @pytest.mark.parametrize("code", ["70450", "71271"])
    @pytest.mark.parametrize("indexed", [True, False])
    def test_a_span_whose_units_round_to_zero_a_day_is_not_payable_either(self, code, indexed):
        """1 unit over 3 days rounds to 0 a day, but "any UOS fail" a limit of 0 (§2.1): denied,
        and explain says so too."""
        data = claim(line(code, DOS, units=1, end_date="2026-03-04"))
        assert mue(RULES.evaluate(data, indexed=indexed)) == [
            ((1,), f"{code} is not payable in this setting (unit limit 0)")]
        report = RULES.evaluate(data, explain=True).explanation.render()
        assert "not payable in this setting" in report and "within limit" not in report


class TestDateSpans:
    @pytest.mark.parametrize("units, end_date, fires", [
        (6, "2026-03-04", True),    # 6 units over 3 days: 2 a day
        (4, "2026-03-04", False),   # 1.33 a day rounds to 1
        (5, "2026-03-04", True),    # 1.67 a day rounds to 2
        (3, "2026-03-02", True),    # a one-day span is no span
        (2, "2026-03-03", False),   # 2 units over 2 days: 1 a day
    ])
    def test_units_divided_by_days_and_rounded(self, units, end_date, fires):
        """A line with a date span is judged on its units per day, rounded to the nearest whole number."""
        result = RULES.evaluate(claim(line("73562", DOS, units=units, end_date=end_date)))
        assert bool(mue(result)) is fires

    def test_span_units_are_summed_per_day(self):
        """MAI 2 sums each line's units per day: two spans of 1 unit a day exceed a limit of 1."""
        result = RULES.evaluate(claim(line("77067", DOS, units=3, end_date="2026-03-04"),
                                      line("77067", DOS, units=2, end_date="2026-03-03")))
        assert mue(result) == [((1, 2), f"77067: 2 units on 2026-03-02 exceed the limit of 1 per day ({POLICY}; "
                                        "2 units from 2026-03-02 to 2026-03-03 count 1 a day; "
                                        "3 units from 2026-03-02 to 2026-03-04 count 1 a day)")]  # (by their dates)


class TestRows:
    def test_finding_fields(self):
        """A unit-limit finding carries kind mue, CO-151/N362, the code, the rationale and the row's source."""
        finding = only(RULES.evaluate(claim(line("73562", DOS, units=2))), "t.mue")
        assert (finding.kind, finding.severity, finding.carc, finding.rarc) == ("mue", "deny", "CO-151", ("N362",))
        assert finding.codes == ("73562",)
        assert finding.related_lines == ()
        assert finding.reference == "test MUE table; Anatomic Consideration"
        assert finding.source == "mue.rr:4"

    def test_code_without_a_row_has_no_limit_finding(self):
        """A code with no published limit gets no unit-limit finding (§10.10)."""
        assert RULES.evaluate(claim(line("74176", DOS, units=40))).findings == ()

    @pytest.mark.parametrize("date, units, fires", [
        ("2026-06-30", 2, True), ("2026-07-01", 2, False), ("2026-07-01", 3, True), ("2025-12-31", 9, False),
    ])
    def test_row_windows(self, date, units, fires):
        """Each row applies on its own dates: the limit changes on 2026-07-01 and does not exist before 2026."""
        assert bool(mue(RULES.evaluate(claim(line("74177", date, units=units))))) is fires


class TestBundledAcmeLimits:
    def test_screening_mammography_once_a_day(self, bundled):
        """Acme: 77067 twice on one date (the second with 76) denies both lines."""
        result = bundled.evaluate(claim(line("77067", DOS), line("77067", DOS, modifiers=["76"]), payer="acme"))
        assert [(f.rule, f.lines) for f in result.findings] == [("acme.mue", (1, 2))]

    def test_limits_do_not_apply_to_other_payers(self, bundled):
        """Acme's limits do not apply to a Medicare claim."""
        result = bundled.evaluate(claim(line("Q9967", DOS, units=400), line("74177", DOS), payer="medicare"))
        assert [f for f in result.findings if f.kind == "mue"] == []
