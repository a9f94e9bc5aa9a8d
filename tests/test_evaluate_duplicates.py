"""Exact duplicate lines: domain.md §10.5 (bundled rule `duplicate.line`)."""

from __future__ import annotations

import pytest

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
