"""radrules.Result: line statuses, finding order and de-duplication, at their edges."""

from __future__ import annotations

import pytest

import radrules

from builders import claim, line

#: A rule that never fires on the claims below (71046 with 1 unit): their results hold no finding.
RULES = 'rule t.units "units"\n  when line.code is 71046 and line.units > 5\n  then deny line "x"\n  reference "t"\nend\n'


@pytest.mark.parametrize("number", ["1", 1.0, None], ids=["text", "float", "none"])
def test_status_of_a_line_that_is_no_whole_number_is_an_index_error(number):
    """result.py:105 drop `not isinstance(line, int)`: status_of("1") or status_of(1.0) is an IndexError
    naming the lines the claim has, not a TypeError."""
    result = radrules.loads(RULES, name="result.rr").evaluate(claim(line("71046")))
    with pytest.raises(IndexError, match="the claim has lines 1 to 1"):
        result.status_of(number)


def test_a_claim_of_100_lines_without_findings_is_paid():
    """result.py:119 `line_count < len(_ALL_PAY)` -> `<=`: 100 lines (past the table of all-pay statuses) is an
    IndexError in the mutant; the claim passes with 100 `pay` statuses."""
    rules = radrules.loads(RULES, name="result.rr")
    for count in (99, 100, 101):
        result = rules.evaluate(claim(*[line("71046", f"2026-03-{1 + n % 28:02d}") for n in range(count)]))
        assert result.passed and result.statuses == ("pay",) * count


def test_of_identical_findings_the_first_in_finding_order_is_kept():
    """result.py:127 `unique.setdefault(key, finding)` -> `unique[key] = finding`: of findings alike in rule,
    lines, related lines and message, the one that sorts first (here by source) is reported, whatever
    order they came in."""
    from radrules.result import Finding, build_result

    first = Finding("t.rule", "policy", "deny", (1,), "x", source="a.rr:1")
    second = Finding("t.rule", "policy", "deny", (1,), "x", source="b.rr:9")
    for given in ([first, second], [second, first], [second, first, second]):
        assert build_result("C1", 1, given).findings == (first,)


def test_findings_with_and_without_a_source_sort():
    """result.py:44 `self.source or ""` -> `self.source`: findings alike but for a missing source sort
    (no TypeError comparing None with text)."""
    from radrules.result import Finding, build_result

    with_source = Finding("t.rule", "policy", "warn", (1,), "x", source="a.rr:1", carc="CO-4")
    without = Finding("t.rule", "policy", "warn", (1,), "x", source=None)
    assert build_result("C1", 1, [with_source, without]).findings == (without,)
