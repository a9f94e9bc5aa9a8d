"""Hypothesis properties of evaluation (STYLE.md, tests): no exceptions on valid claims, independence
of line order, indexed == scan, modifiers never rescue a PTP denial, determinism; with the bundled rules,
a small test ruleset, and code-set tables."""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import radrules
from radrules.conditions import AlsoHas

from strategies import TEST_RULES, claims, claims_with_pair
from strategies_rules import CLAIMS as RULE_FILE_CLAIMS, rule_files

BUNDLED = radrules.load()
#: The code-set tables of tests/data/cms (HCPCS April and July 2026, ICD-10-CM FY2021, 2022 and 2026).
CODE_SETS = radrules.load(Path(__file__).parent / "data" / "cms" / "codesets.rr", cache_dir=None)
RULESETS = pytest.mark.parametrize("rules", [BUNDLED, TEST_RULES, CODE_SETS], ids=["bundled", "test_rules",
                                                                                  "code_sets"])
# line 1, lines 1, 2, lines 1 and 2; or lines 1 (77067, 2026-07-13), 2 (77065) (items in claim order)
_LINE_NUMBERS = re.compile(r"\blines? (?:(\d+ \([^)]*\)(?:, \d+ \([^)]*\))+)|(\d+(?:(?:, | and )\d+)*))")
_ITEM = re.compile(r"(\d+) (\([^)]*\))")


def normalised(result, mapping: dict[int, int], skip_kinds=()) -> Counter:
    """Findings as a multiset, with line numbers (also inside messages) mapped through ``mapping``."""
    def renumber(numbers):
        return tuple(sorted(mapping[n] for n in numbers))

    def numbers(found):
        if found.group(1):  # items of a line and what it bills, in claim order: by the mapped numbers
            items = sorted((mapping[int(number)], what) for number, what in _ITEM.findall(found.group(1)))
            return "lines " + ", ".join(f"{number} {what}" for number, what in items)
        return "line " + ", ".join(str(n) for n in renumber(int(x) for x in re.split(", | and ", found.group(2))))

    def message(text):
        return _LINE_NUMBERS.sub(numbers, text)

    return Counter(
        (f.rule, f.kind, f.severity, renumber(f.lines), renumber(f.related_lines), f.codes, f.carc, f.rarc,
         message(f.message), f.reference, f.source)
        for f in result.findings if f.kind not in skip_kinds and f.rule not in skip_kinds
    )


class TestNeverRaises:
    @RULESETS
    @given(data=claims())
    def test_valid_claims_evaluate(self, rules, data):
        """A claim of valid shape evaluates without raising, and its result is self-consistent."""
        result = rules.evaluate(data)
        count = len(data["lines"])
        assert [s.line for s in result.lines] == list(range(1, count + 1))
        for finding in result.findings:
            assert finding.lines and set(finding.lines) <= set(range(1, count + 1))
            assert set(finding.related_lines) <= set(range(1, count + 1))
        failing = {f.severity for f in result.findings} & {"deny", "review"}
        assert result.passed is (not failing)
        denied = {n for f in result.findings if f.severity == "deny" for n in f.lines}
        assert {s.line for s in result.lines if s.status == "deny"} == denied


class TestLineOrder:
    @RULESETS
    @given(data=claims(), order=st.randoms(use_true_random=False))
    def test_shuffling_lines_permutes_findings(self, rules, data, order):
        """Shuffling the lines renumbers the findings and changes nothing else."""
        count = len(data["lines"])
        permutation = list(range(count))
        order.shuffle(permutation)
        shuffled = dict(data, lines=[data["lines"][i] for i in permutation])
        # shuffled line j+1 is original line permutation[j]+1
        mapping = {j + 1: permutation[j] + 1 for j in range(count)}
        identity = {n: n for n in range(1, count + 1)}
        before, after = rules.evaluate(data), rules.evaluate(shuffled)
        # Which of two identical lines is the duplicate depends on their order, and so may the add-on edits
        # that look at denied primaries; so does which of two screenings of a date is the second
        # (`claim also has ... on an earlier line`: every rule that asks it).
        # A `once per line` rule names the first other line that meets its condition, in claim order.
        in_order = {"duplicate.line", *(rule.info.id for rule in rules.rules if getattr(rule, "once_per_line", False)
                                        or _asks_earlier_lines(getattr(rule, "condition", None)))}
        has_duplicates = any(f.rule in in_order for f in before.findings + after.findings)
        skip = ("duplicate", "addon", *in_order) if has_duplicates else ()
        assert normalised(after, mapping, skip) == normalised(before, identity, skip)
        if not has_duplicates:
            assert after.passed is before.passed
            assert sorted((mapping[s.line], s.status) for s in after.lines) == [(s.line, s.status) for s in before.lines]

    @pytest.mark.parametrize("permutation", [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]])
    def test_an_addons_primaries_of_other_dates_are_renumbered(self, permutation):
        """An add-on denial lists the lines of its primaries dated on other days, in claim order ("lines 1 (77067,
        2026-07-13), 2 (77067, 2026-07-12) are of other dates"): shuffled, the list is renumbered and reordered
        (the comparison above mapped only its first number, and failed on such claims, which it draws)."""
        lines = [{"code": "77067", "date": "2026-07-13"}, {"code": "77067", "date": "2026-07-12"},
                 {"code": "77063", "date": "2026-07-14"}]
        data = {"type": "professional", "lines": lines}
        shuffled = dict(data, lines=[lines[i] for i in permutation])
        before, after = BUNDLED.evaluate(data), BUNDLED.evaluate(shuffled)
        assert [f.message.endswith("are of other dates") for f in before.findings if f.kind == "addon"] == [True]
        mapping = {j + 1: permutation[j] + 1 for j in range(3)}
        assert normalised(after, mapping) == normalised(before, {n: n for n in range(1, 4)})


class TestIndexedEqualsScan:
    @RULESETS
    @given(data=claims())
    def test_indexed_and_scan_paths_agree(self, rules, data):
        """The indexed path and the scan path give identical results."""
        assert rules.evaluate(data).to_dict() == rules.evaluate(data, indexed=False).to_dict()


class TestModifiers:
    @pytest.mark.parametrize("rules, payer", [(BUNDLED, "acme"), (TEST_RULES, None)], ids=["bundled", "test_rules"])
    @given(data=st.data())
    def test_removing_modifiers_never_rescues_a_ptp_denial(self, rules, payer, data):
        """If a claim has a PTP denial, the same claim without modifiers still has it, and still fails."""
        data = data.draw(claims_with_pair(payer))
        result = rules.evaluate(data)
        ptp_denied = {f.lines for f in result.findings if f.kind == "ptp" and f.severity == "deny"}
        assume(ptp_denied)
        stripped = copy.deepcopy(data)
        for line in stripped["lines"]:
            line.pop("modifiers", None)
        stripped_result = rules.evaluate(stripped)
        still = {f.lines for f in stripped_result.findings if f.kind == "ptp" and f.severity == "deny"}
        assert ptp_denied <= still
        assert stripped_result.passed is False


class TestDeterminism:
    @RULESETS
    @given(data=claims())
    def test_two_calls_agree(self, rules, data):
        """Evaluating the same claim twice, as a dict or as a Claim, gives equal results."""
        first = rules.evaluate(data)
        assert rules.evaluate(data) == first
        assert rules.evaluate(radrules.Claim.from_dict(data)) == first

    @given(data=claims())
    def test_claim_round_trip(self, data):
        """A valid claim reads back to the same Claim after `to_dict()`."""
        parsed = radrules.Claim.from_dict(data)
        assert radrules.Claim.from_dict(parsed.to_dict()) == parsed


class TestRandomRuleFiles:
    """Any valid rule file (``strategies_rules.rule_files``): the indexed lookup, its caches filled by
    earlier claims, finds what the scan of every rule finds, and explain agrees with the findings."""

    @given(text=rule_files(), generated=st.lists(claims(max_lines=5), min_size=1, max_size=3))
    def test_indexed_and_scan_paths_agree(self, text, generated):
        rules = radrules.loads(text, name="random.rr")
        every = RULE_FILE_CLAIMS + generated
        first = [rules.evaluate(data) for data in every]
        for data, indexed in zip(every, first):
            assert indexed == rules.evaluate(data), "the same claim again, from the lookup caches"
            assert indexed.to_dict() == rules.evaluate(data, indexed=False).to_dict()

    @given(text=rule_files(), data=claims(max_lines=5))
    def test_explain_fires_exactly_the_rules_that_found(self, text, data):
        rules = radrules.loads(text, name="random.rr")
        for claim in RULE_FILE_CLAIMS + [data]:
            result = rules.evaluate(claim, explain=True)
            fired = [step for step in result.explanation.steps if step.outcome == "fired"]
            assert {step.rule for step in fired} == {finding.rule for finding in result.findings}
            for finding in result.findings:
                assert any(step.rule == finding.rule and set(finding.lines) <= set(step.lines) for step in fired)


def _asks_earlier_lines(condition) -> bool:
    """Whether a compiled condition holds `claim also has ... on an earlier line`, which judges lines in claim
    order (so shuffling the lines changes which of two is the later)."""
    if isinstance(condition, AlsoHas):
        return condition.earlier
    if isinstance(condition, (tuple, list, frozenset)):
        return any(_asks_earlier_lines(part) for part in condition)
    if attrs.has(type(condition)):
        return any(_asks_earlier_lines(getattr(condition, field.name)) for field in attrs.fields(type(condition)))
    return False
