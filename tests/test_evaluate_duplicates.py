"""Exact duplicate lines: domain.md §10.5 (bundled rule `duplicate.line`)."""

from __future__ import annotations

import json
import pickle

import pytest

import radrules
from builders import NPI, OTHER_NPI, claim, line, only

DOS = "2026-03-02"


def duplicates(result) -> list[tuple[int, ...]]:
    return sorted(f.lines for f in result.findings if f.rule == "duplicate.line")


class TestDuplicates:
    def test_exact_repeat_denies_the_later_line(self, bundled):
        """The later of two identical lines is denied with OA-18; the first is paid."""
        result = bundled.evaluate(claim(line("71046", DOS, modifiers=["26"]), line("71046", DOS, modifiers=["26"])))
        finding = only(result, "duplicate.line")
        assert (finding.lines, finding.kind, finding.carc) == ((2,), "duplicate", "OA-18")
        assert finding.message == "line 2 repeats line 1 (71046 on 2026-03-02)"
        assert [s.status for s in result.lines] == ["pay", "deny"]

    def test_three_identical_lines(self, bundled):
        """Of three identical lines, the second and third are denied."""
        result = bundled.evaluate(claim(*[line("71046", DOS) for _ in range(3)]))
        assert [s.status for s in result.lines] == ["pay", "deny", "deny"]

    def test_modifier_order_does_not_matter(self, bundled):
        """The same modifiers in another order still make an exact duplicate."""
        result = bundled.evaluate(claim(line("71046", DOS, modifiers=["26", "59"]),
                                        line("71046", DOS, modifiers=["59", "26"])))
        assert duplicates(result) == [(2,)]

    @pytest.mark.parametrize("modifier", ["76", "77", "91"])
    def test_repeat_modifiers_are_not_duplicates(self, bundled, modifier):
        """A later line with 76, 77 or 91 is a repeat, not a duplicate."""
        result = bundled.evaluate(claim(line("71046", DOS), line("71046", DOS, modifiers=[modifier])))
        assert duplicates(result) == []

    def test_sides_are_not_duplicates(self, bundled):
        """Lines differing only by RT and LT are not duplicates."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=["RT"]), line("73562", DOS, modifiers=["LT"])))
        assert duplicates(result) == []

    @pytest.mark.parametrize("second", [
        {"units": 2}, {"date": "2026-03-03"}, {"code": "71045"}, {"rendering_npi": OTHER_NPI},
    ])
    def test_lines_that_differ_are_not_duplicates(self, bundled, second):
        """Another unit count, date, code or rendering provider makes lines distinct."""
        first = line("71046", DOS, rendering_npi=NPI)
        other = dict(first, **second)
        result = bundled.evaluate(claim(first, other))
        assert duplicates(result) == []

    def test_missing_npi_is_the_same_provider(self, bundled):
        """A line without a rendering NPI is compared with every line."""
        result = bundled.evaluate(claim(line("71046", DOS, rendering_npi=NPI), line("71046", DOS)))
        assert duplicates(result) == [(2,)]


def test_rules_for_two_lines_of_one_code_are_visited_only_when_a_code_repeats(bundled):
    """On a date where no code is billed twice, the lookup leaves out the pair rules that need
    two lines of one code (`duplicate.line`); both lookups agree on which those are."""
    import radrules
    from radrules.evaluation import Evaluation
    from radrules.lookups import ScanLookup

    item = radrules.Claim.from_dict(claim(line("71046", DOS), line("74176", DOS)))
    view = bundled.view_for(None, "professional")
    first = Evaluation(item, view).lines[0]
    scan = ScanLookup(bundled, None, "professional")
    for lookup in (view.lookup, scan):
        every = {rule.info.id for rule in lookup.pair_rules(first)}
        distinct = {rule.info.id for rule in lookup.pair_rules(first, False)}
        assert "duplicate.line" in every and "duplicate.line" not in distinct
        assert distinct == {rule.info.id for rule in lookup.pair_rules(first) if not rule.same_code}


class TestOncePerLine:
    """`once per line`: a pair rule fires at most once for each line, with the first other line in claim order."""

    def test_999_identical_lines_give_998_findings(self, bundled):
        """One finding a repeated line, each naming line 1 (every ordered pair made 498,501 findings, 195 MB)."""
        result = bundled.evaluate(claim(*[line("70450", DOS) for _ in range(999)]))
        found = [f for f in result.findings if f.rule == "duplicate.line"]
        assert len(found) == 998
        assert {(f.lines, f.related_lines) for f in found} == {((n,), (1,)) for n in range(2, 1000)}
        assert found[-1].message == "line 999 repeats line 1 (70450 on 2026-03-02)"
        assert len(json.dumps(result.to_dict())) < 500_000  # 420 kB

    def test_a_repeat_names_the_first_line_it_repeats(self, bundled):
        """Interleaved codes: each line is denied once, as a repeat of the first earlier line of its code."""
        codes = ["70450", "71046", "70450", "70450", "71046", "70450"]
        data = claim(*[line(code, DOS) for code in codes])
        for indexed in (True, False):
            found = [(f.lines, f.related_lines) for f in bundled.evaluate(data, indexed=indexed).findings
                     if f.rule == "duplicate.line"]
            assert sorted(found) == [((3,), (1,)), ((4,), (1,)), ((5,), (2,)), ((6,), (1,))]

    def test_the_first_other_of_the_same_provider(self, bundled):
        """The first other line in claim order is the first the rule pairs: another radiologist's line is none."""
        data = claim(line("71046", DOS, rendering_npi=OTHER_NPI), line("71046", DOS, rendering_npi=NPI),
                     line("71046", DOS), line("71046", DOS, rendering_npi=NPI))
        for indexed in (True, False):
            result = bundled.evaluate(data, indexed=indexed)
            assert sorted((f.lines, f.related_lines) for f in result.findings if f.rule == "duplicate.line") == [
                ((3,), (1,)), ((4,), (2,))]

    def test_spans_pair_by_their_first_day(self, bundled):
        """A claim with a date span (its span paths): each line is still denied once, by its first day's lines."""
        data = claim(line("71046", DOS), line("71046", DOS, end_date="2026-03-04"), line("71046", DOS),
                     line("71046", "2026-03-03"), line("71046", "2026-03-03"))
        for indexed in (True, False):
            result = bundled.evaluate(data, indexed=indexed)
            assert sorted((f.lines, f.related_lines) for f in result.findings if f.rule == "duplicate.line") == [
                ((2,), (1,)), ((3,), (1,)), ((5,), (4,))]

    RULES = """
rule t.same "same code, any order"
  when other.code = line.code
  then warn line "line {line.number} with line {other.number}"
  once per line
end
rule t.listed "a listed other code"
  when line.code is 70450 and other.code in [71046, 71250]
  then warn other "line {other.number} beside line {line.number}"
  once per line
end
rule t.any "more units than another line"
  when other.units < line.units
  then warn both "line {line.number} over line {other.number}"
  once per line
end
rule t.every "every pair, as before"
  when other.code = line.code
  then warn line "line {line.number} with line {other.number}"
end
"""

    def test_first_other_in_claim_order_on_every_path(self):
        """The first other line in claim order, not the nearest or an earlier one: for rules that need the same
        code, a listed code or any code (the evaluator's three ways to the candidates), indexed and scan."""
        rules = radrules.loads(self.RULES, name="once.rr")
        data = claim(line("71046", DOS, units=2), line("70450", DOS, units=3), line("71046", DOS, units=1),
                     line("70450", DOS, units=1), line("71250", DOS, units=1))
        expected = {
            # each line with the first other of its code: 1 with 3, 3 with 1, 2 with 4, 4 with 2
            "t.same": [((1,), (3,)), ((2,), (4,)), ((3,), (1,)), ((4,), (2,))],
            # 70450 on lines 2 and 4, each with the first 71046 or 71250: line 1 (the finding on it, twice)
            "t.listed": [((1,), (2,)), ((1,), (4,))],
            # line 1 over line 3, line 2 over line 1 (its first: not 3, 4 or 5); lines 3-5 are over no line
            "t.any": [((1, 2), ()), ((1, 3), ())],
            # without the clause: every ordered pair of one code
            "t.every": [((1,), (3,)), ((2,), (4,)), ((3,), (1,)), ((4,), (2,))],
        }
        for indexed in (True, False):
            result = rules.evaluate(data, indexed=indexed)
            found = {rule: sorted((f.lines, f.related_lines) for f in result.findings if f.rule == rule)
                     for rule in expected}
            assert found == expected
        messages = {f.message for f in rules.evaluate(data).findings if f.rule == "t.any"}
        assert messages == {"line 1 over line 3", "line 2 over line 1"}

    def test_without_the_clause_every_pair_fires(self):
        """The same rule without `once per line` fires for each pair (three lines: 3 and 2 repeat, 3 twice)."""
        text = self.RULES.split("rule t.listed")[0]
        once = radrules.loads(text, name="once.rr")
        every = radrules.loads(text.replace("  once per line\n", ""), name="every.rr")
        data = claim(*[line("71046", DOS) for _ in range(3)])
        assert len(once.evaluate(data).findings) == 3
        assert len(every.evaluate(data).findings) == 6

    def test_the_clause_survives_pickling(self, bundled):
        """A pickled ruleset keeps the clause (a process pool's workers evaluate a copy)."""
        copy = pickle.loads(pickle.dumps(bundled))
        data = claim(*[line("71046", DOS) for _ in range(4)])
        assert len([f for f in copy.evaluate(data).findings if f.rule == "duplicate.line"]) == 3

    def test_a_bilateral_line_beside_lines_without_50_fires_once(self, bundled):
        """`modifier.bilateral.two_lines` fired for each pair of a line with 50 and one without: k * (n - k)
        findings (about 250,000 on a 999-line claim). With `once per line`, one for each line with 50, naming
        the first line without it."""
        data = claim(*[line("73562", DOS, modifiers=["50"] if n % 2 else []) for n in range(40)])
        found = [f for f in bundled.evaluate(data).findings if f.rule == "modifier.bilateral.two_lines"]
        assert sorted(f.lines for f in found) == [(n,) for n in range(2, 41, 2)]
        assert {f.related_lines for f in found} == {(1,)}
