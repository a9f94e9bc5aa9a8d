"""Lines with a date span (`date` .. `end_date`): a line is on every day of its span for the PTP edits, unit limits
(MAI 2/3) and add-on codes (domain.md §2.1, §10.4); each pair or group is reported once. Pair rules pair lines by
their first date, as lines without a span."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import radrules
from radrules.claim import Claim
from radrules.evaluation import Evaluation, paid_history
from radrules.lookups import IndexedLookup

from builders import CLINICAL, NPI, OTHER_NPI, POLICY, claim, line

CMS = Path(__file__).parent / "data" / "cms"

RULES = radrules.loads('''
pairs t.ptp "test PTP edits"
  reference "test"
  pair 70470 with 70450 modifier not allowed
  pair 71046 with 71045 modifier allowed
  pair 74177 with 74160 modifier not allowed effective 2026-07-05
end
limits t.mue "test unit limits"
  reference "test"
  limit Q9967 max 2 mai 3
  limit 73562 max 1 mai 1
end
addons t.addon "test add-on codes"
  reference "test"
  addon 77063 type 1 primaries 77067
end
rule t.views "two chest views"
  kind coding
  when line.code is 71047 and other.code is 71048
  then warn line "{line.code} with {other.code}"
  reference "test"
end
rule t.late "a pair rule from a date"
  kind coding
  effective 2026-07-05
  when line.code is 76700 and other.code is 76705
  then deny line "{line.code} with {other.code}"
  reference "test"
end
''', name="spans.rr")


def findings(result, kind: str) -> list[tuple[tuple[int, ...], str]]:
    return [(f.lines, f.message) for f in result.findings if f.kind == kind]


def fired_steps(result, kind: str) -> list[tuple[tuple[int, ...], str]]:
    return [(s.lines, s.detail) for s in result.explanation.steps if s.kind == kind and s.outcome == "fired"]


def agree(data: dict):
    """The result of ``data``, after checking that the scan lookup and explain say the same."""
    result = RULES.evaluate(data, explain=True)
    assert RULES.evaluate(data).to_dict() == RULES.evaluate(data, indexed=False).to_dict()
    fired = {step.rule for step in result.explanation.steps if step.outcome == "fired"}
    assert fired == {finding.rule for finding in result.findings}
    return result


class TestUnitLimits:
    def test_a_span_sums_with_a_line_of_one_of_its_days(self):
        """6 units over 3 days are 2 a day; with 1 more on the middle day, 3 are over the limit of 2 that day."""
        result = agree(claim(line("Q9967", "2026-07-03", units=6, end_date="2026-07-05"),
                             line("Q9967", "2026-07-04", units=1)))
        message = (f"Q9967: 3 units on 2026-07-04 exceed the limit of 2 per day ({CLINICAL}; "
                   "6 units from 2026-07-03 to 2026-07-05 count 2 a day)")
        assert findings(result, "mue") == [((1, 2), message)]
        assert fired_steps(result, "mue") == [((1, 2), message)]

    def test_days_under_the_limit_deny_nothing(self):
        """A line on a day after the span, and a line on a day of a span that leaves room, are not summed over."""
        after = agree(claim(line("Q9967", "2026-07-03", units=6, end_date="2026-07-05"),
                            line("Q9967", "2026-07-06", units=2)))
        room = agree(claim(line("Q9967", "2026-07-03", units=3, end_date="2026-07-05"),
                           line("Q9967", "2026-07-04", units=1)))
        assert findings(after, "mue") == findings(room, "mue") == []

    def test_only_the_lines_of_a_day_over_the_limit(self):
        """A line that meets the span only on days under the limit is not denied with it."""
        result = agree(claim(line("Q9967", "2026-07-01", units=10, end_date="2026-07-05"),
                             line("Q9967", "2026-07-02", units=1),
                             line("Q9967", "2026-07-08", units=2)))
        assert [lines for lines, _ in findings(result, "mue")] == [(1, 2)]
        assert [s.status for s in result.lines] == ["deny", "deny", "pay"]

    def test_two_spans_over_on_several_days_are_reported_once(self):
        """Two spans over the limit together on 07-02 and 07-03 (another line starts there): one finding."""
        result = agree(claim(line("Q9967", "2026-07-01", units=10, end_date="2026-07-05"),
                             line("Q9967", "2026-07-02", units=8, end_date="2026-07-05"),
                             line("71045", "2026-07-03")))
        message = (f"Q9967: 4 units on 2026-07-02 exceed the limit of 2 per day ({CLINICAL}; "
                   "10 units from 2026-07-01 to 2026-07-05 count 2 a day; "
                   "8 units from 2026-07-02 to 2026-07-05 count 2 a day)")
        assert findings(result, "mue") == [((1, 2), message)]

    def test_a_later_day_with_a_new_line_is_reported_too(self):
        """Over on 07-02 with lines 1 and 2, and on 07-04 with lines 1 and 3: a finding each (line 3 is new)."""
        result = agree(claim(line("Q9967", "2026-07-01", units=10, end_date="2026-07-05"),
                             line("Q9967", "2026-07-02", units=1),
                             line("Q9967", "2026-07-04", units=1)))
        assert [(lines, message[:30]) for lines, message in findings(result, "mue")] == [
            ((1, 2), "Q9967: 3 units on 2026-07-02 e"), ((1, 3), "Q9967: 3 units on 2026-07-04 e")]

    def test_mai_1_still_judges_each_line_alone(self):
        """MAI 1: the units a day of the span against the limit, not summed with another line of its days;
        a span over it is denied once, whatever the days it is judged on."""
        alone = agree(claim(line("73562", "2026-07-03", units=3, end_date="2026-07-05"),
                            line("73562", "2026-07-04", units=1)))
        assert findings(alone, "mue") == []
        over = agree(claim(line("73562", "2026-07-03", units=6, end_date="2026-07-05"),
                           line("73562", "2026-07-04", units=1), line("73562", "2026-07-05", units=1)))
        assert findings(over, "mue") == [
            ((1,), "73562: 2 units a day (6 from 2026-07-03 to 2026-07-05) on one line exceed the limit of 1 per line "
                   "(MAI 1, a line edit: a repeat goes on a line of its own, with 76, 77, 91, 59, XE, XS, XP, XU "
                   "or an anatomic modifier)")]

    def test_explain_says_units_a_day_of_a_span_line_only(self):
        """Explain's MAI 1 step gives a span line's units a day and a line of one day, on the same claim, its
        units (it said "a day" of both)."""
        result = agree(claim(line("73562", "2026-07-03", units=3, end_date="2026-07-05"),
                             line("73562", "2026-07-07", units=1)))
        details = [(s.lines, s.detail) for s in result.explanation.steps if s.rule == "t.mue"]
        assert details == [
            ((1,), "73562: 1 unit a day on the line on 2026-07-03, limit 1 per line (MAI 1)"),
            ((2,), "73562: 1 unit on the line on 2026-07-07, limit 1 per line (MAI 1)")]

    def test_paid_units_of_a_day_of_the_span(self):
        """A paid earlier line of the code on a day of the span counts with the span's units that day."""
        history = [{"patient_id": "P", "claim": "E", "code": "Q9967", "units": 2, "date": "2026-07-04",
                    "status": "paid"}]
        data = claim(line("Q9967", "2026-07-03", units=3, end_date="2026-07-05"), patient={"id": "P"})
        result = RULES.evaluate(data, history=history)
        assert findings(result, "mue") == [
            ((1,), "Q9967: 3 units on 2026-07-04 (2 paid on earlier claims) exceed the limit of 2 per day "
                   f"({CLINICAL}; 3 units from 2026-07-03 to 2026-07-05 count 1 a day)")]


def test_a_span_named_by_a_date_limit_is_not_named_again_by_a_line_limit_that_takes_over():
    """A span over a MAI 3 limit on its first day, and over a MAI 1 row that takes over on a later day of it: one
    finding, on the first day (a line named once, as for two blocks' limits); under the MAI 3 limit on its first
    day, the MAI 1 row's finding names it."""
    text = 'limits t.a\n  reference "t"\n  limit Q9967 max {first} mai 3 effective 2026-01-01 through 2026-07-04\n' \
           '  limit Q9967 max 1 mai 1 effective 2026-07-05\nend\n'
    data = claim(line("Q9967", "2026-07-03", units=10, end_date="2026-07-07"))
    over = radrules.loads(text.format(first=1), name="x.rr").evaluate(data)
    assert [(f.lines, f.message.split(" (")[0]) for f in over.findings] == [
        ((1,), "Q9967: 2 units on 2026-07-03 exceed the limit of 1 per day")]
    within = radrules.loads(text.format(first=9), name="x.rr").evaluate(data)
    assert [(f.lines, "per line" in f.message) for f in within.findings] == [((1,), True)]


class TestPairs:
    def test_a_span_pairs_with_a_line_of_one_of_its_days(self):
        """70470 from 07-03 to 07-05 and 70450 on 07-04 meet on 07-04: the column 2 line is denied."""
        result = agree(claim(line("70470", "2026-07-03", end_date="2026-07-05"), line("70450", "2026-07-04")))
        message = "70450 is bundled into 70470 on 2026-07-04 (modifier not allowed: no modifier bypasses this edit)"
        assert findings(result, "ptp") == [((2,), message)]
        assert fired_steps(result, "ptp") == [((2,), message)]

    def test_the_span_in_column_2(self):
        result = agree(claim(line("70450", "2026-07-03", end_date="2026-07-05"), line("70470", "2026-07-05")))
        assert findings(result, "ptp") == [
            ((1,), "70450 is bundled into 70470 on 2026-07-05 (modifier not allowed: no modifier bypasses this edit)")]

    def test_lines_that_do_not_meet(self):
        result = agree(claim(line("70470", "2026-07-03", end_date="2026-07-04"), line("70450", "2026-07-05")))
        assert findings(result, "ptp") == []

    def test_two_spans_that_meet_on_several_days_are_reported_once(self):
        """Two spans that share 07-03 to 07-05 (and another line starting on 07-04): one denial, on 07-03."""
        result = agree(claim(line("70470", "2026-07-01", end_date="2026-07-05"),
                             line("70450", "2026-07-03", end_date="2026-07-06"),
                             line("Q9967", "2026-07-04")))
        message = "70450 is bundled into 70470 on 2026-07-03 (modifier not allowed: no modifier bypasses this edit)"
        assert findings(result, "ptp") == [((2,), message)]
        assert fired_steps(result, "ptp") == [((2,), message)]

    def test_a_row_judged_on_the_days_it_is_in_force(self):
        """The row starts on 07-05: spans that share 07-04 to 07-06 are denied on 07-05."""
        result = agree(claim(line("74177", "2026-07-02", end_date="2026-07-06"),
                             line("74160", "2026-07-04", end_date="2026-07-08")))
        assert findings(result, "ptp") == [
            ((2,), "74160 is bundled into 74177 on 2026-07-05 (modifier not allowed: no modifier bypasses this edit)")]

    def test_a_bypass_modifier_on_the_span(self):
        """Indicator 1: 59 on the column 2 span bypasses the edit; RT on both lines does not."""
        bypassed = agree(claim(line("71046", "2026-07-03"),
                               line("71045", "2026-07-01", modifiers=["59"], end_date="2026-07-05")))
        assert findings(bypassed, "ptp") == []
        assert [s.outcome for s in bypassed.explanation.steps if s.kind == "ptp"] == ["bypassed"]
        same_side = agree(claim(line("71046", "2026-07-03", modifiers=["RT"]),
                                line("71045", "2026-07-01", modifiers=["RT"], end_date="2026-07-05")))
        assert findings(same_side, "ptp") == [
            ((2,), "71045 is bundled into 71046 on 2026-07-03 (RT is on the column 1 line too: the same site, not a "
                   "bypass)")]

    def test_a_pair_rule_pairs_lines_by_their_first_day(self):
        """A pair rule pairs two lines of one first date, not two spans that only share days (nor a span with a
        line of one of its later days); its dates are read on that first date."""
        views = agree(claim(line("71047", "2026-07-01", end_date="2026-07-05"),
                            line("71048", "2026-07-02", end_date="2026-07-04"), line("Q9967", "2026-07-03")))
        assert findings(views, "coding") == []
        views = agree(claim(line("71047", "2026-07-01", end_date="2026-07-05"), line("71048", "2026-07-01")))
        assert findings(views, "coding") == [((1,), "71047 with 71048")]
        late = agree(claim(line("76700", "2026-07-02", end_date="2026-07-06"),
                           line("76705", "2026-07-04", end_date="2026-07-07")))
        assert findings(late, "coding") == []
        late = agree(claim(line("76700", "2026-07-04", end_date="2026-07-06"), line("76705", "2026-07-04")))
        assert findings(late, "coding") == []
        late = agree(claim(line("76700", "2026-07-05", end_date="2026-07-06"), line("76705", "2026-07-05")))
        assert findings(late, "coding") == [((1,), "76700 with 76705")]

    def test_two_overlapping_spans_of_one_code_are_no_duplicate(self):
        """A same-code pair rule (as the bundled duplicate-line rule) does not pair spans that touch or overlap
        but start on different days; explain says as evaluate does."""
        rules = radrules.loads('''
rule t.dup "a duplicate"
  kind coding
  when line.code = other.code
  then deny both "{line.code} twice on {line.date}"
  reference "test"
end
''', name="dup.rr")
        spans = claim(line("Q9967", "2026-07-01", end_date="2026-07-10"),
                      line("Q9967", "2026-07-10", end_date="2026-07-19"))
        assert rules.evaluate(spans).findings == ()
        same = claim(line("Q9967", "2026-07-01", end_date="2026-07-10"), line("Q9967", "2026-07-01"))
        result = rules.evaluate(same, explain=True)
        assert findings(result, "coding") == [((1, 2), "Q9967 twice on 2026-07-01")]
        assert set(fired_steps(result, "coding")) == {((1, 2), "Q9967 twice on 2026-07-01")}
        assert [s.outcome for s in rules.evaluate(spans, explain=True).explanation.steps if s.rule == "t.dup"] == []

    def test_ptp_edit_between_in_a_pair_rule_reads_the_first_day(self):
        """`ptp edit between` reads the rows in force on the lines' first date (the row starts on 07-05)."""
        rules = radrules.loads('''
pairs t.ptp "p"
  reference "test"
  pair 74177 with 74160 modifier not allowed effective 2026-07-05
end
rule t.edit "an edit"
  kind coding
  when line.code is 74177 and ptp edit between line and other
  then warn line "{line.code} and {other.code} on {line.date}"
  reference "test"
end
''', name="edit.rr")
        before = rules.evaluate(claim(line("74177", "2026-07-04", end_date="2026-07-06"),
                                      line("74160", "2026-07-04", end_date="2026-07-06")))
        assert [f.rule for f in before.findings] == ["t.ptp"]  # the PTP row itself: on 07-05
        on = rules.evaluate(claim(line("74177", "2026-07-05", end_date="2026-07-06"), line("74160", "2026-07-05")))
        assert [(f.rule, f.message) for f in on.findings if f.rule == "t.edit"] == [
            ("t.edit", "74177 and 74160 on 2026-07-05")]

    def test_a_paid_line_on_a_day_of_the_span(self):
        history = [{"patient_id": "P", "claim": "E", "code": "70470", "date": "2026-07-04", "status": "paid"}]
        data = claim(line("70450", "2026-07-03", end_date="2026-07-05"), patient={"id": "P"})
        result = RULES.evaluate(data, history=history)
        assert findings(result, "ptp") == [
            ((1,), "70450 is bundled into 70470 paid on an earlier claim on 2026-07-04 (modifier not allowed: "
                   "no modifier bypasses this edit)")]


class TestBlocks:
    RULES = radrules.loads('''
pairs a.ptp "A"
  reference "a"
  pair 70470 with 70450 modifier not allowed effective 2026-01-01 through 2026-01-15
end
pairs b.ptp "B"
  reference "b"
  pair 70470 with 70450 modifier not allowed effective 2026-01-16
end
limits a.mue "A"
  reference "a"
  limit Q9967 max 1 mai 3 effective 2026-01-01 through 2026-01-15
end
limits b.mue "B"
  reference "b"
  limit Q9967 max 1 mai 3 effective 2026-01-16
end
''', name="blocks.rr")

    def test_a_pair_or_line_is_denied_once_whatever_block_denies_it(self):
        """The rows of two blocks in force one after the other: the pair is denied once, on the first day, by the
        row in force then; a line that a limit of its code names is not named again by the other block's."""
        data = claim(line("70470", "2026-01-10", end_date="2026-01-20"),
                     line("70450", "2026-01-12", end_date="2026-01-20"),
                     line("Q9967", "2026-01-10", end_date="2026-01-20", units=22),
                     line("Q9967", "2026-01-12", end_date="2026-01-20", units=9))
        result = self.RULES.evaluate(data, explain=True)
        assert self.RULES.evaluate(data).to_dict() == self.RULES.evaluate(data, indexed=False).to_dict()
        expected = [("a.ptp", (2,), "70450 is bundled into 70470 on 2026-01-12 (modifier not allowed: no "
                                    "modifier bypasses this edit)"),
                    ("a.mue", (3,), f"Q9967: 2 units on 2026-01-10 exceed the limit of 1 per day ({CLINICAL}; "
                                    "22 units from 2026-01-10 to 2026-01-20 count 2 a day)"),
                    ("a.mue", (3, 4), f"Q9967: 3 units on 2026-01-12 exceed the limit of 1 per day ({CLINICAL}; "
                                      "22 units from 2026-01-10 to 2026-01-20 count 2 a day; "
                                      "9 units from 2026-01-12 to 2026-01-20 count 1 a day)")]
        assert [(f.rule, f.lines, f.message) for f in result.findings] == expected
        assert [(s.rule, s.lines, s.detail) for s in result.explanation.steps if s.outcome == "fired"] == expected


class TestTableVersions:
    @staticmethod
    def load(tmp_path) -> radrules.Ruleset:
        (tmp_path / "cms").mkdir()
        for name in ("radiology-ptp-v321r0-f1.TXT", "radiology-ptp-v322r0-f1.TXT",
                     "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv",
                     "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"):
            (tmp_path / "cms" / name).write_bytes((CMS / name).read_bytes())
        (tmp_path / "main.rr").write_text(
            'table ptp "cms/radiology-ptp-v321r0-f1.TXT" effective 2026-04-01\n'
            'table ptp "cms/radiology-ptp-v322r0-f1.TXT" effective 2026-07-01\n'
            'table mue "cms/MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"\n'
            'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n', encoding="utf-8")
        return radrules.load(tmp_path, cache_dir=None)

    def test_a_span_across_a_quarter_is_judged_day_by_day(self, tmp_path):
        """70470/70450 is a pair of the July version only: spans that share 06-30 and 07-01 are denied on
        07-01; 74177 (MAI 2) has a limit of 1 in April's table and 2 in July's: 2 units on 07-01 pass, 3 don't."""
        rules = self.load(tmp_path)
        result = rules.evaluate(claim(line("70470", "2026-06-29", end_date="2026-07-02"),
                                      line("70450", "2026-06-30", end_date="2026-07-01")))
        assert [(f.lines, f.message) for f in result.findings if f.kind == "ptp"] == [
            ((2,), "70450 is bundled into 70470 on 2026-07-01 (no bypass modifier on 70450)")]
        within = rules.evaluate(claim(line("74177", "2026-06-30", units=2, end_date="2026-07-01"),
                                      line("74177", "2026-07-01")))
        assert [f.lines for f in within.findings if f.kind == "mue"] == []
        over = rules.evaluate(claim(line("74177", "2026-06-30", units=2, end_date="2026-07-01"),
                                    line("74177", "2026-07-01"), line("74177", "2026-07-01")))
        assert [(f.lines, f.message) for f in over.findings if f.kind == "mue"] == [
            ((1, 2, 3), f"74177: 3 units on 2026-07-01 exceed the limit of 2 per day ({POLICY}; "
                        "2 units from 2026-06-30 to 2026-07-01 count 1 a day)")]


class TestAddons:
    def test_a_primary_whose_span_covers_the_addon(self):
        """77067 from 07-03 to 07-05 is the primary of 77063 on 07-04, not of one on 07-06."""
        result = agree(claim(line("77067", "2026-07-03", end_date="2026-07-05"), line("77063", "2026-07-04")))
        assert findings(result, "addon") == []
        later = agree(claim(line("77067", "2026-07-03", end_date="2026-07-05"), line("77063", "2026-07-06")))
        assert findings(later, "addon") == [
            ((2,), "77063 is an add-on code (type 1): no primary (77067) on 2026-07-06: line 1 (77067) is dated "
                   "2026-07-03 to 2026-07-05")]

    def test_an_addon_whose_span_covers_the_primary(self):
        """77063 from 07-03 to 07-05 has its primary 77067 on 07-05; explain names it as evaluate does."""
        result = agree(claim(line("77063", "2026-07-03", end_date="2026-07-05"), line("77067", "2026-07-05")))
        assert findings(result, "addon") == []
        assert [s.detail for s in result.explanation.steps if s.kind == "addon"] == ["77063: primary on line 2 is paid"]

    def test_a_line_of_the_addon_code_is_never_its_primary(self):
        """A type 2 add-on edit that ends inside a span: on 07-01, 76377 is no add-on any more, yet a line of it
        is still no primary of the 76377 line whose edit judges from 06-30 (found by an independent fuzz)."""
        rules = radrules.loads('''
addons t.addon "an edit that ends"
  reference "test"
  addon 76377 type 2 effective 2026-01-01 through 2026-06-30
end
''', name="ends.rr")
        data = claim(line("76377", "2026-06-30", end_date="2026-07-01"), line("76377", "2026-07-01"))
        result = rules.evaluate(data)
        assert result.to_dict() == rules.evaluate(data, indexed=False).to_dict()
        assert [(f.lines, f.message) for f in result.findings if f.kind == "addon"] == [
            ((1,), "76377 is an add-on code (type 2): no primary service on 2026-06-30")]


class TestLongSpans:
    def test_a_long_span_adds_no_days_to_judge(self):
        """A ten-year span is judged on the other lines' first days, not on each of its 3,653 days, and on the
        day a PTP row of two of the claim's codes starts (07-05), for that pair of codes only."""
        lines = [line("Q9967", "2020-01-01", units=3653, end_date="2029-12-31")]
        lines += [line("70450", f"2026-{month:02d}-01") for month in range(1, 13)]
        lines += [line("74177", "2026-08-01"), line("74160", "2026-08-01")]
        ev = Evaluation(Claim.from_dict(claim(*lines)), RULES.view_for(None, "professional"))
        row_day = ev.lines[-1].day - 27  # 2026-07-05
        starts = {line.day for line in ev.lines}
        assert ev.spans and [day for day, _, _, _ in ev.span_days()] == sorted(starts | {row_day})
        for day, group, fresh, changed in ev.span_days():
            assert group == [ev.lines[0]] + [line for line in ev.lines[1:] if line.day == day]
            assert fresh == [line for line in group if line.day == day]
            assert changed == ({("74177", "74160")} if day == row_day else set())

    def test_many_long_spans_evaluate_quickly(self):
        """999 lines, each a span of years starting on its own day: a few seconds at most."""
        lines = [line(code, f"20{10 + n % 10}-{n % 12 + 1:02d}-{n % 28 + 1:02d}", units=5000, end_date="2029-12-31")
                 for n, code in zip(range(999), ["70470", "70450", "Q9967", "77067", "77063", "71047", "71048"] * 143)]
        started = time.perf_counter()
        result = RULES.evaluate(claim(*lines))
        assert time.perf_counter() - started < 30
        assert all(result.status_of(n + 1) == "deny" for n in range(1, 999, 7))  # every 70450 line

    def test_a_day_of_change_judges_only_what_changes(self, monkeypatch):
        """200 spans that all share the day a PTP row of two other codes starts (07-05) and the day a limit row
        ends: no pair of lines is asked for its rows one by one (a pair is judged on the day its later line
        starts, through the partner test; every pair again only on the day a table version starts)."""
        rules = radrules.loads('''
pairs t.ptp "p"
  reference "test"
  pair 70470 with 70450 modifier not allowed
  pair 74177 with 74160 modifier not allowed effective 2026-07-05
end
limits t.mue "m"
  reference "test"
  limit Q9967 max 2 mai 3 effective 2026-01-01 through 2026-07-09
end
''', name="change.rr")
        lines = [line(["70470", "70450", "Q9967", "71047"][n % 4], f"2026-0{1 + n // 28}-{1 + n % 28:02d}",
                      units=400, end_date="2026-12-31") for n in range(200)]
        lines += [line("74177", "2026-08-01"), line("74160", "2026-08-01")]
        asked = []
        pair_rows = IndexedLookup.pair_rows
        monkeypatch.setattr(IndexedLookup, "pair_rows", lambda self, *a: asked.append(a) or pair_rows(self, *a))
        result = rules.evaluate(claim(*lines))
        assert asked == []
        assert all(result.status_of(n + 1) == "deny" for n in range(1, 200, 4))  # every 70450 line
        assert [f.lines for f in result.findings if f.rule == "t.mue"][0] == (3, 7, 11)
        assert [f.related_lines for f in result.findings if f.lines == (202,)] == [(201,)]


def test_claim_also_has_on_the_same_date_finds_a_span_that_covers_the_date():
    """A tracer on the second day of a two-day study is on the study's date; one the day after the span is not,
    nor is a study that starts after the judged line's date."""
    rules = radrules.loads('rule t.tracer "x"\n  when line.code in [A9500]\n'
                           '   and not claim also has [78452] on the same date\n'
                           '  then deny line "{line.code}: no study on {line.date}"\n  reference "test"\nend\n')
    two_days = claim(line("78452", "2026-04-06", end_date="2026-04-07"), line("A9500", "2026-04-06"),
                     line("A9500", "2026-04-07"), line("A9500", "2026-04-08"), line("A9500", "2026-04-05"))
    assert [f.lines for f in rules.evaluate(two_days).findings] == [(4,), (5,)]


def test_a_unit_limits_message_names_the_spans_in_an_order_of_their_own():
    """Two spans of one code and dates, of 2 and 1 units: the message lists them by date and units, whatever
    their lines' order (the property test of shuffled lines found them listed in line order)."""
    rules = radrules.loads('limits t.mue\n  reference "t"\n  limit 77067 max 1 mai 2\nend\n', name="mue.rr")
    two, one = (line("77067", "2026-03-02", units=units, end_date="2026-03-03") for units in (2, 1))
    messages = [rules.evaluate(claim(*lines)).findings[0].message for lines in ((two, one), (one, two))]
    assert messages[0] == messages[1]
    assert messages[0].endswith("1 unit from 2026-03-02 to 2026-03-03 count 1 a day; 2 units from 2026-03-02 to "
                                "2026-03-03 count 1 a day)")


class TestPaidSpans:
    """A paid line of an earlier claim with a span is on the days of its span, with its units a day, for the edits
    of a date (PTP, MAI 2/3 sums, add-on primaries, `on the same date`); it was read on its first day alone, with
    all its units, so it was over a limit it was within, and not counted on its later days."""

    @staticmethod
    def paid(code: str, date: str, end_date: str, units: int = 1) -> dict:
        return {"patient_id": "P", "claim": "E", "code": code, "units": units, "date": date, "end_date": end_date,
                "status": "paid"}

    def test_units_a_day_in_a_later_days_sum(self):
        """6 units paid over 07-01..07-03 are 2 a day: 1 more on 07-02 is over the limit of 2 (it passed)."""
        data = claim(line("Q9967", "2026-07-02"), patient={"id": "P"})
        result = RULES.evaluate(data, history=[self.paid("Q9967", "2026-07-01", "2026-07-03", units=6)])
        assert findings(result, "mue") == [
            ((1,), "Q9967: 3 units on 2026-07-02 (2 paid on earlier claims) exceed the limit of 2 per day "
                   f"({CLINICAL})")]

    def test_units_a_day_on_its_first_day(self):
        """4 units paid over 07-01..07-04 are 1 a day: 1 more on 07-01 makes 2, within the limit of 2 (not 5, over
        it, as when the paid line's units all counted on its first day); 2 more make 3, over it."""
        history = [self.paid("Q9967", "2026-07-01", "2026-07-04", units=4)]
        assert findings(RULES.evaluate(claim(line("Q9967", "2026-07-01"), patient={"id": "P"}), history=history),
                        "mue") == []
        result = RULES.evaluate(claim(line("Q9967", "2026-07-01", units=2), patient={"id": "P"}), history=history)
        assert findings(result, "mue") == [
            ((1,), "Q9967: 3 units on 2026-07-01 (1 paid on earlier claims) exceed the limit of 2 per day "
                   f"({CLINICAL})")]

    def test_a_paid_span_is_in_column_1_on_a_later_day(self):
        """70470 paid over 07-01..07-05 and 70450 billed on 07-04 by the same provider: the column 2 line is
        denied, as beside a claim line with that span."""
        data = claim(line("70450", "2026-07-04"), patient={"id": "P"})
        result = RULES.evaluate(data, history=[self.paid("70470", "2026-07-01", "2026-07-05")])
        assert [(f.lines, f.rule) for f in result.findings] == [((1,), "t.ptp")]
        assert "paid on an earlier claim" in result.findings[0].message
        after = RULES.evaluate(claim(line("70450", "2026-07-06"), patient={"id": "P"}),
                               history=[self.paid("70470", "2026-07-01", "2026-07-05")])
        assert after.findings == ()

    def test_a_paid_span_is_a_primary_on_a_later_day(self):
        """An add-on billed on a day within a paid primary's span has its primary."""
        history = [self.paid("77067", "2026-07-01", "2026-07-03")]
        within = RULES.evaluate(claim(line("77063", "2026-07-03"), patient={"id": "P"}), history=history)
        assert findings(within, "addon") == []
        after = RULES.evaluate(claim(line("77063", "2026-07-04"), patient={"id": "P"}), history=history)
        assert [lines for lines, _ in findings(after, "addon")] == [(1,)]

    def test_a_frequency_limit_counts_a_paid_span_once(self):
        """`history count of` counts the paid span as one service, on its first day; `on the same date` finds
        it on a later day of the span."""
        rules = radrules.loads('''
rule t.count "a count"
  when line.code is 76705 and history count of [76705] >= 2
  then deny line "a third"
  reference "test"
end
rule t.same_day "a paid one that day"
  when line.code is 76705 and history has [76705] on the same date
  then warn line "paid that day"
  reference "test"
end
''', name="count.rr")
        data = claim(line("76705", "2026-07-03", units=1), patient={"id": "P"})
        result = rules.evaluate(data, history=[self.paid("76705", "2026-07-01", "2026-07-04", units=4)])
        assert [f.rule for f in result.findings] == ["t.same_day"]
        result = rules.evaluate(data, history=[self.paid("76705", "2026-07-01", "2026-07-04", units=4),
                                               self.paid("76705", "2026-06-01", "2026-06-02", units=2)])
        assert [f.rule for f in result.findings] == ["t.count", "t.same_day"]

    def test_a_long_paid_span_is_seen_on_the_claims_days_alone(self):
        """A paid span of ten years is on its first day and on the first days of the claim's lines within it, not
        on each of its 3,653 days."""
        data = claim(line("Q9967", "2026-07-02"), line("70450", "2026-08-01"), line("70450", "2031-01-01"),
                     patient={"id": "P"})
        ev = Evaluation(Claim.from_dict(data), RULES.view_for(None, "professional"))
        ev.set_history(paid_history(ev.claim, [self.paid("Q9967", "2020-01-01", "2029-12-31", units=3653)], False))
        assert [(service.date.isoformat(), service.units) for service in ev.history] == [
            ("2020-01-01", 1), ("2026-07-02", 1), ("2026-08-01", 1)]
        assert [(service.date.isoformat(), service.units) for service in ev.paid_lines] == [("2020-01-01", 3653)]

    def test_many_paid_lines_add_no_views_of_a_paid_span_outside_the_claims_spans(self):
        """A year of one-day paid lines beside a paid span of ten years: a claim without a span sees the span on its
        first day and its lines' days only (the other paid lines' days are judged only within a claim line's
        span), so a history of many lines does not multiply the span's views."""
        import datetime as dt

        days = [(dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(365)]
        paid = [self.paid("Q9967", "2020-01-01", "2029-12-31", units=3653)]
        paid += [{"patient_id": "P", "code": "70450", "date": day, "status": "paid"} for day in days]
        data = claim(line("Q9967", "2026-07-02"), patient={"id": "P"})
        ev = Evaluation(Claim.from_dict(data), RULES.view_for(None, "professional"))
        ev.set_history(paid_history(ev.claim, paid, False))
        assert [service.date.isoformat() for service in ev.history if service.code == "Q9967"] == [
            "2020-01-01", "2026-07-02"]
        spanned = claim(line("Q9967", "2026-07-01", end_date="2026-07-03"), patient={"id": "P"})
        ev = Evaluation(Claim.from_dict(spanned), RULES.view_for(None, "professional"))
        ev.set_history(paid_history(ev.claim, paid, False))
        assert [service.date.isoformat() for service in ev.history if service.code == "Q9967"] == [
            "2020-01-01", "2026-07-01", "2026-07-02", "2026-07-03"]

    def test_an_end_before_the_date_is_an_error(self):
        """A paid line whose span ends before it starts is refused, naming the field (it was read and ignored)."""
        history = [self.paid("Q9967", "2026-07-03", "2026-07-01")]
        with pytest.raises(radrules.ClaimError, match=r"^history\[0\]\.end_date: before the line's `date`"):
            RULES.evaluate(claim(line("Q9967", "2026-07-02"), patient={"id": "P"}), history=history)

    def test_the_same_units_compares_a_paid_span_as_billed(self):
        """A claim line that repeats a paid span line (same dates, same units) is a duplicate, as it was before
        paid spans were split into units a day (the bundled `duplicate.history` let it through: 1 unit a day is not
        the line's 3); one day within the span, with all the span's units, is not."""
        rules = radrules.loads('''
rule t.dup "an exact duplicate"
  when history has the same code on the same date with the same modifiers with the same units
  then deny line "paid already"
  reference "test"
end
''', name="dup.rr")
        history = [self.paid("76705", "2026-07-01", "2026-07-03", units=3)]
        again = claim(line("76705", "2026-07-01", units=3, end_date="2026-07-03"), patient={"id": "P"})
        for indexed in (True, False):
            assert [f.rule for f in rules.evaluate(again, history=history, indexed=indexed).findings] == ["t.dup"]
        within = claim(line("76705", "2026-07-02", units=3), patient={"id": "P"})
        assert rules.evaluate(within, history=history).findings == ()

    def test_a_paid_span_is_on_the_day_another_paid_line_starts(self):
        """A claim line's span over a paid span and a paid line of one day within both: that day's sum counts the
        paid span's units a day too, as if it were given one line a day (it was seen only on its first day and on
        the claim line's, so the sum of 07-03, 3 over the limit of 2, was 2). Found by a maintainer's read."""
        data = claim(line("Q9967", "2026-07-01", units=5, end_date="2026-07-05"), patient={"id": "P"})
        one = {"patient_id": "P", "claim": "F", "code": "Q9967", "units": 1, "date": "2026-07-03", "status": "paid"}
        history = [self.paid("Q9967", "2026-06-28", "2026-07-05", units=8), one]
        by_day = [{**one, "claim": "E", "date": f"2026-{month:02d}-{day:02d}"}
                  for month, day in ((6, 28), (6, 29), (6, 30), (7, 1), (7, 2), (7, 3), (7, 4), (7, 5))] + [one]
        expected = [((1,), "Q9967: 3 units on 2026-07-03 (2 paid on earlier claims) exceed the limit of 2 per day "
                           f"({CLINICAL}; 5 units from "
                           "2026-07-01 to 2026-07-05 count 1 a day)")]
        assert findings(RULES.evaluate(data, history=by_day), "mue") == expected
        result = RULES.evaluate(data, history=history, explain=True)
        assert findings(result, "mue") == expected
        assert fired_steps(result, "mue") == expected
        assert (RULES.evaluate(data, history=history, indexed=False).to_dict()
                == RULES.evaluate(data, history=history).to_dict())

    def test_a_ptp_row_starting_within_both_spans(self):
        """A PTP row of the paid span's code and a claim span's code that starts inside both (74177 over 74160 from
        07-05): the claim line is denied on that day, as beside the service given one paid line a day (the row's
        day was not one the paid span was seen on). Found by a maintainer's read."""
        data = claim(line("74160", "2026-07-01", end_date="2026-07-10"), patient={"id": "P"})
        result = RULES.evaluate(data, history=[self.paid("74177", "2026-06-25", "2026-07-10", units=16)])
        assert [(f.rule, f.lines) for f in result.findings] == [("t.ptp", (1,))]
        assert "on 2026-07-05" in result.findings[0].message


_CODES = ["Q9967", "73562", "70470", "70450", "77067", "77063", "74177", "74160"]
_DAYS = [f"2026-07-{day:02d}" for day in range(1, 9)]
_PROVIDERS = [None, NPI, OTHER_NPI]


@st.composite
def _claim_and_paid_spans(draw):
    """A claim of 1-4 lines (some with spans) and 1-3 paid lines of its codes (some with spans, of at least a
    unit a day: a paid line of 0 units can't be given one day at a time) over the same days, of two rendering
    providers or none."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        first = draw(st.integers(0, 7))
        fields = {"units": draw(st.integers(1, 4))}
        if draw(st.booleans()):
            fields["end_date"] = _DAYS[draw(st.integers(first, 7))]
        provider = draw(st.sampled_from(_PROVIDERS))
        if provider:
            fields["rendering_npi"] = provider
        lines.append(line(draw(st.sampled_from(_CODES)), _DAYS[first], **fields))
    paid = []
    for _ in range(draw(st.integers(1, 3))):
        first = draw(st.integers(0, 7))
        last = draw(st.integers(first, 7))
        paid.append({"code": draw(st.sampled_from(_CODES)), "units": draw(st.integers(last - first + 1, 16)),
                     "status": "paid", "date": _DAYS[first], "end_date": _DAYS[last], "patient_id": "P",
                     "rendering_npi": draw(st.sampled_from(_PROVIDERS))})
    return claim(*lines, patient={"id": "P"}), paid


def _one_line_a_day(paid: dict) -> list:
    """``paid`` given one line a day, each with its units a day."""
    first, last = _DAYS.index(paid["date"]), _DAYS.index(paid["end_date"])
    each = int(paid["units"] / (last - first + 1) + 0.5)
    return [{**{k: v for k, v in paid.items() if k != "end_date"}, "date": day, "units": each}
            for day in _DAYS[first:last + 1]]


@given(_claim_and_paid_spans())
def test_paid_spans_judge_as_their_days_given_one_line_a_day(drawn):
    """Paid spans give the findings of the same services given as one paid line a day, each with the span's units
    a day (what the docs told users to do before spans were read): the PTP edits, MAI 2/3 sums and add-on
    primaries read a paid line by its day, and these rules count no frequency. The scan lookup and explain agree."""
    data, paid = drawn
    spanned = RULES.evaluate(data, history=paid)
    by_day = [one for service in paid for one in _one_line_a_day(service)]
    assert spanned.to_dict() == RULES.evaluate(data, history=by_day).to_dict()
    assert spanned.to_dict() == RULES.evaluate(data, history=paid, indexed=False).to_dict()
    explained = RULES.evaluate(data, history=paid, explain=True).explanation
    assert {step.rule for step in explained.steps if step.outcome == "fired"} == {f.rule for f in spanned.findings}
