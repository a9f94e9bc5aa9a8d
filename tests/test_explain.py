"""Explain: evaluate(claim, explain=True) and `radrules explain`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given
import pytest

import radrules
from radrules.explain import Explanation, rule_ids

from strategies import claims

ROOT = Path(__file__).parent.parent
EXAMPLES = json.loads((ROOT / "examples" / "claims.json").read_text())

RULES = """
codes ct = 74150-74178
pairs local.ptp
  reference "local edits"
  pair 74176 with 74150 modifier allowed effective 2024-01-01
  pair 74177 with 74160 modifier allowed effective 2024-01-01 through 2024-12-31
  pair 74178 with 74170 modifier not applicable effective 2024-01-01
end
limits local.mue
  reference "local limits"
  limit 77067 max 1 mai 2
  limit 71046 max 2 mai 1
end
rule local.age "under 35"
  when line.code is 77067 and patient.age < 35
  then deny line "{line.code}: too young"
  reference "test"
end
rule local.window "only in 2027"
  effective 2027-01-01
  when line.code in ct
  then warn line "{line.code}"
  reference "test"
end
"""


def claim(*lines, **extra):
    out = {"id": "E-1", "diagnoses": ["R10.9"], "lines": []}
    for code, date, *rest in lines:
        line = {"code": code, "date": date, "diagnosis_pointers": [1]}
        for item in rest:
            line.update(item)
        out["lines"].append(line)
    out.update(extra)
    return out


def steps(result, rule_id):
    return [(s.outcome, s.lines, s.related_lines) for s in result.explanation.steps if s.rule == rule_id]


class TestExplainLibrary:
    rules = radrules.loads(RULES, name="explain.rr")

    def test_off_by_default(self):
        """Without explain=True a result carries no explanation, and explain=True changes nothing else."""
        plain = self.rules.evaluate(claim(("74176", "2026-03-02"), ("74150", "2026-03-02")))
        explained = self.rules.evaluate(claim(("74176", "2026-03-02"), ("74150", "2026-03-02")), explain=True)
        assert plain.explanation is None
        assert isinstance(explained.explanation, Explanation)
        assert plain == explained  # the explanation is not part of the result's value

    def test_pair_fired_and_bypassed(self):
        """A PTP row that denies is `fired`; the same row bypassed by 59 names the modifier and its line."""
        fired = self.rules.evaluate(claim(("74176", "2026-03-02"), ("74150", "2026-03-02")), explain=True)
        bypassed = self.rules.evaluate(
            claim(("74176", "2026-03-02"), ("74150", "2026-03-02", {"modifiers": ["59"]})), explain=True)
        assert steps(fired, "local.ptp") == [("fired", (2,), (1,))]
        (step,) = [s for s in bypassed.explanation.steps if s.rule == "local.ptp"]
        assert step.outcome == "bypassed" and "modifier 59 on the column 2 line" in step.detail

    def test_row_out_of_dates_and_indicator_nine(self):
        """A row outside its dates says its window; an indicator-9 row says it never applies."""
        result = self.rules.evaluate(claim(("74177", "2026-03-02"), ("74160", "2026-03-02"),
                                           ("74178", "2026-03-02"), ("74170", "2026-03-02")), explain=True)
        (old,) = [s for s in result.explanation.steps if s.rule == "local.ptp" and s.lines == (2,)]
        (nine,) = [s for s in result.explanation.steps if s.rule == "local.ptp" and s.lines == (4,)]
        assert old.outcome == "out of dates" and "2024-01-01 through 2024-12-31" in old.detail
        assert nine.outcome == "not applicable" and "indicator 9" in nine.detail
        early = self.rules.evaluate(claim(("74176", "2023-05-02"), ("74150", "2023-05-02")), explain=True)
        (step,) = [s for s in early.explanation.steps if s.rule == "local.ptp"]
        assert step.detail == ("74176 (column 1) with 74150 (column 2): the row applies from 2024-01-01, not on "
                               "2023-05-02")  # not "2024-01-01 through no end"

    def test_a_later_row_out_of_its_dates_says_so_after_a_row_that_denied(self):
        """Of a pair's rows, the first in force denies; a later one out of its dates says its window, not that
        the first already denied (the order of the reasons: its own first)."""
        rules = radrules.loads("pairs local.ptp\n  reference \"r\"\n"
                               "  pair 30201 with 73887 modifier allowed effective 2018-10-01 through 2019-03-31\n"
                               "  pair 30201 with 73887 modifier allowed effective 2020-10-01\n"
                               "  pair 30201 with 73887 modifier allowed effective 2019-01-01\nend\n", name="p.rr")
        result = rules.evaluate(claim(("30201", "2019-03-31"), ("73887", "2019-03-31")), explain=True)
        outcomes = [(s.outcome, s.source) for s in result.explanation.steps if s.rule == "local.ptp"]
        assert outcomes == [("fired", "p.rr:3"), ("out of dates", "p.rr:4"), ("silent", "p.rr:5")]

    def test_condition_part_that_was_false_or_unknown(self):
        """A silent rule names the first part of its condition that was not true, false or unknown."""
        young = self.rules.evaluate(claim(("77067", "2026-03-02"), patient={"birth_date": "1950-01-01"}),
                                    explain=True)
        unknown = self.rules.evaluate(claim(("77067", "2026-03-02")), explain=True)
        (silent,) = [s for s in young.explanation.steps if s.rule == "local.age"]
        (missing,) = [s for s in unknown.explanation.steps if s.rule == "local.age"]
        assert silent.outcome == "silent" and silent.detail == "`patient.age < 35` is false"
        assert missing.detail == "`patient.age < 35` is unknown (a value it needs is missing)"

    def test_rule_outside_its_dates(self):
        """A rule whose `effective` window excludes the date of service is `out of dates`."""
        result = self.rules.evaluate(claim(("74150", "2026-03-02")), explain=True)
        (step,) = [s for s in result.explanation.steps if s.rule == "local.window"]
        assert step.outcome == "out of dates" and "before the rule takes effect (2027-01-01)" in step.detail

    def test_unit_limits_sum_and_within_limit(self):
        """MAI 2 sums the date's lines (fired on both); MAI 1 within its limit says so."""
        result = self.rules.evaluate(claim(("77067", "2026-03-02"), ("77067", "2026-03-02", {"modifiers": ["76"]}),
                                           ("71046", "2026-03-02", {"units": 2})), explain=True)
        assert steps(result, "local.mue") == [("within limit", (3,), ()), ("fired", (1, 2), ())]

    def test_rules_not_considered_say_why(self):
        """Rules the evaluation never looked at are listed with the reason, on request."""
        result = self.rules.evaluate(claim(("70450", "2026-03-02")), explain=True)
        text = result.explanation.for_rules(["local.ptp", "local.age", "format.npi"])
        assert text == [
            "local.ptp not considered (at explain.rr:3)",
            "  no line bills a code it lists",
            "local.age not considered (at explain.rr:14)",
            "  when line.code is 77067 and patient.age < 35",
            "  no line bills a code it checks",
            "format.npi not considered",
            "  the built-in check found nothing wrong",
        ]

    def test_a_pair_block_not_considered_says_which_code_of_its_pair_is_missing(self):
        """A claim that bills one code of a pair row: the reason names the code billed and the one missing (it
        said "no line bills a code it lists"); both codes on other dates: that they do not meet on one date."""
        one = self.rules.evaluate(claim(("74177", "2026-03-02")), explain=True)
        assert one.explanation.for_rules(["local.ptp"])[1] == (
            "  no line bills both codes of a pair it lists: 74177 is billed, 74160 (of its pair 74177 with 74160) "
            "is not")
        apart = self.rules.evaluate(claim(("74176", "2026-03-02"), ("74150", "2026-03-03")), explain=True)
        assert apart.explanation.for_rules(["local.ptp"])[1] == (
            "  no two lines of one date (and one provider) bill its pair 74176 with 74150")

    def test_a_history_rule_without_earlier_lines_says_why(self):
        """A rule that reads the patient's earlier lines, left out for want of them: none given, a void, a
        replacement whose replaced claim's lines are left out (it said "no line bills a code it lists")."""
        rules = radrules.loads('rule t.again "again"\n  when history has the same code\n  then deny line "again"\n'
                               '  reference "t"\nend\n', name="h.rr")
        paid = [{"code": "77065", "date": "2026-03-01", "claim": "A1"}]
        base = {"id": "A1", "lines": [{"code": "77065", "date": "2026-03-01"}]}
        cases = [
            ({}, None, "it reads the patient's earlier lines, and none were given"),
            ({"frequency": "8"}, paid, "a void is judged without the patient's earlier lines"),
            ({"frequency": "7"}, paid, "no earlier paid line is left: those of the claim it replaces or corrects "
                                       "are left out (its `replaces`, else its own id)"),
        ]
        for fields, history, why in cases:
            result = rules.evaluate({**base, **fields}, history=history, explain=True)
            assert "t.again" not in result.fired()
            assert result.explanation.not_considered["t.again"] == why, fields

    def test_other_payer(self):
        """A payer-scoped rule on another payer's claim is not considered, and the text says whose rule it is."""
        rules = radrules.load()
        result = rules.evaluate(EXAMPLES[0], explain=True)  # a Medicare claim
        assert result.explanation.not_considered["acme.prior_auth.missing"] == (
            "it applies to payer acme and the claim has `medicare`")

    def test_every_example_claim_explains_its_findings(self):
        """On the example claims, the rules explained as fired are exactly the rules with findings."""
        rules = radrules.load()
        for data in EXAMPLES:
            result = rules.evaluate(data, explain=True)
            fired = {s.rule for s in result.explanation.steps if s.outcome == "fired"}
            assert fired == {f.rule for f in result.findings}, data["id"]

    @given(claims())
    def test_fired_steps_match_findings(self, data):
        """For any valid claim, every finding's rule and lines appear as a fired step, and no other rule fires."""
        result = radrules.load().evaluate(data, explain=True)
        fired = [s for s in result.explanation.steps if s.outcome == "fired"]
        assert {s.rule for s in fired} == {f.rule for f in result.findings}
        for finding in result.findings:
            assert any(s.rule == finding.rule and set(finding.lines) <= set(s.lines) for s in fired), finding

    def test_json_shape(self):
        """to_dict() of an explained result adds the steps under `explanation`."""
        result = self.rules.evaluate(claim(("74176", "2026-03-02"), ("74150", "2026-03-02")), explain=True)
        data = result.to_dict()
        (ptp,) = [step for step in data["explanation"] if step["rule"] == "local.ptp"]
        assert ptp == {
            "rule": "local.ptp", "kind": "ptp", "outcome": "fired", "lines": [2], "related_lines": [1],
            "detail": "74150 is bundled into 74176 on 2026-03-02 (no bypass modifier on 74150)",
            "source": "explain.rr:5",
        }
        assert "explanation" not in self.rules.evaluate(claim(("74176", "2026-03-02"))).to_dict()


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "radrules", *args], capture_output=True, text=True, input=stdin,
                          cwd=ROOT)


class TestExplainCommand:
    def test_text_names_every_rule_that_fired(self):
        """`radrules explain` prints each claim's result, then every rule considered; exit 2 if a claim fails."""
        done = run("explain", "examples/claims.json")
        assert done.returncode == 2
        for data in EXAMPLES:
            result = radrules.load().evaluate(data)
            block = done.stdout.split(f"claim {data['id']}:")[1].split("\nclaim ")[0]
            for finding in result.findings:
                assert f"{finding.rule} fired" in block or finding.kind == "format", (data["id"], finding.rule)

    def test_rule_filter_and_json(self):
        """`--rule` keeps one rule's steps; `--format json` writes one result with its steps per line."""
        one = json.dumps(EXAMPLES[1])
        done = run("explain", "--format", "json", "--rule", "acme.ptp", "-", stdin=one)
        data = json.loads(done.stdout)
        assert done.returncode == 2
        assert [s["rule"] for s in data["explanation"]] == ["acme.ptp"]
        assert data["explanation"][0]["outcome"] == "fired" and data["not_considered"] == {}
        done = run("explain", "--format", "json", "--rule", "acme.ptp", "--rule", "medicare.ldct.age", "-", stdin=one)
        assert json.loads(done.stdout)["not_considered"] == {
            "medicare.ldct.age": "it applies to payer medicare and the claim has `acme`"}
        text = run("explain", "--rule", "acme.ptp", "--rule", "medicare.ldct.age", "-", stdin=one).stdout
        assert "acme.ptp fired (at rulesets/payers/acme.rr:42)" in text
        assert "medicare.ldct.age not considered" in text

    def test_a_line_that_is_not_json_is_one_claim_that_cannot_be_read(self):
        """As in `eval`: a JSON Lines line cut short is reported at its position, and the next claims are
        explained."""
        first, second = json.dumps(EXAMPLES[0]), json.dumps(EXAMPLES[1])
        done = run("explain", "-", stdin=first + "\n" + second[:40] + "\n" + second + "\n")
        assert done.returncode == 1
        assert "claim #2: ERROR <stdin>:2: not JSON: " in done.stdout
        assert f"claim {EXAMPLES[1]['id']}: " in done.stdout and "error" not in done.stderr

    def test_bad_claim_exit_one(self):
        """A claim of the wrong shape is reported by field path and the command exits 1."""
        done = run("explain", "-", stdin=json.dumps({"lines": [{"code": "74150", "date": "2026-03-02", "units": 0}]}))
        assert done.returncode == 1
        assert "lines[0].units: expected a positive number" in done.stdout


def test_pair_rule_steps_list_the_lines_their_findings_act_on():
    """A rule that acts on the other line, or on both, has its fired step on the same lines as
    its finding (the line it was considered from is then a related line, or one of both)."""
    rules = radrules.loads("""
rule t.other "the other line"
  when line.code is 74176 and other.code is 74150
  then warn other "{other.code} with {line.code}"
end
rule t.both "both lines"
  when line.code is 74176 and other.code is 74150
  then warn both "{line.code} and {other.code}"
end
""", name="targets.rr")
    data = {"type": "professional", "lines": [{"code": "74150", "date": "2026-03-02"},
                                              {"code": "74176", "date": "2026-03-02"}]}
    result = rules.evaluate(data, explain=True)
    findings = {f.rule: (f.lines, f.related_lines) for f in result.findings}
    steps = {s.rule: (s.lines, s.related_lines) for s in result.explanation.steps if s.outcome == "fired"}
    assert findings == {"t.other": ((1,), (2,)), "t.both": ((1, 2), ())}
    assert steps == findings


def test_a_both_rule_true_in_both_orders_is_one_fired_step_as_it_is_one_finding():
    """Two lines that each fire a `both` rule as `line`: one finding, worded by the order of the codes; explain
    had a fired step for each order."""
    rules = radrules.loads("""
rule t.both "both lines"
  when line.code in [74150, 74176] and other.code in [74150, 74176]
  then warn both "{line.code} then {other.code}"
end
""", name="both.rr")
    data = {"type": "professional", "lines": [{"code": "74176", "date": "2026-03-02"},
                                              {"code": "74150", "date": "2026-03-02"}]}
    result = rules.evaluate(data, explain=True)
    [finding] = [f for f in result.findings if f.rule == "t.both"]
    fired = [s for s in result.explanation.steps if s.rule == "t.both" and s.outcome == "fired"]
    assert [(s.lines, s.detail) for s in fired] == [((1, 2), finding.message)] == [((1, 2), "74150 then 74176")]


def test_a_both_rule_silent_in_one_order_names_which_line_was_line():
    """A `both` rule asks each order of a pair: a silent step says `line 1 with line 2` (which line the condition
    calls `line`), as other pair rules' steps do; both orders read "lines 1, 2", silent beside fired (77065-LT
    and 77065-RT, `radiology.breast.both_sides`), or silent twice for two reasons a reader could not place."""
    rules = radrules.loads("""
rule t.sides "one code on both sides"
  when line.code is 77065 and other.code = line.code and line.modifiers has RT and other.modifiers has LT
  then warn both "{line.code} on both sides"
end
""", name="sides.rr")
    data = {"type": "professional", "lines": [{"code": "77065", "modifiers": ["LT"], "date": "2026-03-02"},
                                              {"code": "77065", "modifiers": ["RT"], "date": "2026-03-02"}]}
    result = rules.evaluate(data, explain=True)
    assert [(f.lines, f.related_lines) for f in result.findings] == [((1, 2), ())]
    assert steps(result, "t.sides") == [("silent", (1,), (2,)), ("fired", (1, 2), ())]
    [silent] = [s for s in result.explanation.steps if s.rule == "t.sides" and s.outcome == "silent"]
    assert (silent.where, silent.detail) == ("line 1 (77065) with line 2 (77065)", "`line.modifiers has RT` is false")


def test_silent_names_the_first_false_part_as_written():
    """A false part decides an `and`, an unknown one does not: the reason is the first false part in the
    order the rule writes them (not the order they are tested in), else the first unknown one."""
    rules = radrules.loads('rule t.u "u"\n  when line.code is 71046 and line.place_of_service is 22 and '
                           'line.units > 5 and line.charge > 1\n  then deny line "x"\n  reference "r"\nend\n',
                           name="u.rr")
    claim = {"lines": [{"code": "71046", "date": "2026-03-02", "units": 1}]}
    (step,) = [s for s in rules.evaluate(claim, explain=True).explanation.steps if s.rule == "t.u"]
    assert step.detail == "`line.units > 5` is false"
    claim["lines"][0]["units"] = 9
    (step,) = [s for s in rules.evaluate(claim, explain=True).explanation.steps if s.rule == "t.u"]
    assert step.detail == "`line.place_of_service is 22` is unknown (a value it needs is missing)"


OVERRIDES = RULES + """
pairs payer.ptp
  for payer pine
  pair 74176 with 74150 modifier not allowed effective 2024-01-01
end
limits payer.mue
  for payer pine
  limit 71046 max 9 mai 1
  disable limit 77067
end
"""


def test_an_edit_row_a_payer_replaced_or_disabled_says_so(tmp_path):
    """`--rule` on an edit block whose row the claim's codes meet, but which a payer's block replaced or
    disabled, says so and where; it said "no line bills a code it lists", sending the reader the wrong way."""
    rules = radrules.loads(OVERRIDES, name="explain.rr")
    lines = OVERRIDES.splitlines()
    pair_row = lines.index("  pair 74176 with 74150 modifier not allowed effective 2024-01-01") + 1
    disable_row = lines.index("  disable limit 77067") + 1
    both = claim(("74176", "2026-03-02"), ("74150", "2026-03-02"), ("77067", "2026-03-02", {"units": 2}),
                 payer="pine")
    gone = rules.evaluate(both, explain=True).explanation.not_considered
    assert gone["local.ptp"] == (f"its pair 74176 with 74150: replaced by `payer.ptp` (explain.rr:{pair_row}) on "
                                 "2026-03-02")  # (the payer's row is dated: the choice is the date's)
    assert gone["local.mue"] == f"its limit 77067: disabled by `payer.mue` (explain.rr:{disable_row})"
    # the block that disables: its own rows meet no code, its disable row does
    only = claim(("77067", "2026-03-02", {"units": 2}), payer="pine")
    assert rules.evaluate(only, explain=True).explanation.not_considered["payer.mue"] == (
        f"no line bills a code of its rows; its `disable limit 77067` (explain.rr:{disable_row}) leaves every row "
        "of that key out for this claim")
    # another payer: the rows are looked at, and a block whose codes are not billed keeps the plain reason
    other = rules.evaluate(dict(both, payer="else"), explain=True).explanation
    assert "local.ptp" not in other.not_considered and "local.mue" not in other.not_considered
    plain = rules.evaluate(claim(("70450", "2026-03-02"), payer="pine"), explain=True).explanation
    assert plain.not_considered["local.mue"] == "no line bills a code it lists"


DATED_DISABLE = """
limits all.mue
  reference "general limits"
  limit 74176 max 1 mai 2
end
limits acme.off
  for payer acme
  effective 2027-01-01
  reference "Acme stops the limit from 2027"
  disable limit 74176
end
"""


def test_a_row_in_force_that_a_dated_disable_takes_off_is_disabled_not_out_of_dates():
    """A general row without dates that a payer's dated `disable` takes off on the claim's date is disabled there:
    it was said to be out of its dates (`the row applies , not on 2027-01-04, where ...`), with no dates to
    name."""
    rules = radrules.loads(DATED_DISABLE, name="dated.rr")
    later = claim(("74176", "2027-01-04", {"units": 3}), payer="acme")
    result = rules.evaluate(later, explain=True)
    assert result.findings == ()
    assert result.explanation.not_considered["all.mue"] == (
        "its limit 74176: disabled by `acme.off` (dated.rr:10) on 2027-01-04")


def test_a_dated_disable_out_of_its_dates_says_so():
    """A block of a dated `disable` on a claim before its dates: the general limit judges the line, and the block
    said its disable "leaves every row of that key out for this claim"; a line whose date span its dates cover in
    part has the key judged on the other days."""
    rules = radrules.loads(DATED_DISABLE, name="dated.rr")
    earlier = claim(("74176", "2026-12-31", {"units": 3}), payer="acme")
    result = rules.evaluate(earlier, explain=True)
    assert [f.rule for f in result.findings] == ["all.mue"]
    (step,) = [s for s in result.explanation.steps if s.rule == "acme.off"]  # (shown without --rule too)
    assert (step.outcome, step.lines, step.detail, step.source) == (
        "out of dates", (1,), "74176: `disable limit 74176` applies from 2027-01-01, not on 2026-12-31", "dated.rr:10")
    later = claim(("74176", "2027-01-04", {"units": 3}), payer="acme")
    assert rules.evaluate(later, explain=True).explanation.not_considered["acme.off"] == (
        "it holds `disable` rows only: its `disable limit 74176` (dated.rr:10) leaves every row of that key out "
        "for this claim")
    across = claim(("74176", "2026-12-30", {"units": 8, "end_date": "2027-01-02"}), payer="acme")
    assert rules.evaluate(across, explain=True).explanation.not_considered["acme.off"] == (
        "it holds `disable` rows only: its `disable limit 74176` (dated.rr:10) leaves every row of that key out "
        "on its dates, from 2027-01-01")  # (a date span: the limit is judged on 2026-12-30 and 2026-12-31)


def test_a_dated_pair_disable_is_judged_on_the_dates_its_codes_meet():
    """A block of a `disable pair` from 2027, on a claim whose pair meets on 2027-02-01 only (its column 2 code
    is billed alone on 2026-06-01 too): the disable takes the key off on the one date it is judged, for the whole
    claim (it said "on its dates, from 2027-01-01", reading the column 2 code's every date)."""
    rules = radrules.loads('pairs all.ptp\n  reference "r"\n  pair 70470 with 70450 modifier 0\nend\n'
                           'pairs acme.off\n  for payer acme\n  effective 2027-01-01\n  reference "r"\n'
                           '  disable pair 70470 with 70450\nend\n', name="off.rr")
    billed = claim(("70450", "2026-06-01"), ("70470", "2027-02-01"), ("70450", "2027-02-01"), payer="acme")
    result = rules.evaluate(billed, explain=True)
    assert result.findings == ()
    assert result.explanation.not_considered["acme.off"] == (
        "it holds `disable` rows only: its `disable pair 70470 with 70450` (off.rr:9) leaves every row of that key "
        "out for this claim")


DATED_PAYER_PAIR = """
pairs all.ptp
  reference "general pairs"
  pair 70470 with 70450 modifier 0
end
pairs acme.ptp
  for payer acme
  reference "Acme's pair from 2027"
  pair 70470 with 70450 modifier 1 effective 2027-01-01
end
"""


def test_a_pair_replaced_on_the_date_its_codes_meet_says_so():
    """A general pair row that a payer's row from 2027 replaces on the one date the pair's codes meet: a line of
    its column 2 code alone on an earlier date (where the general row would decide) made the reason "no two lines
    of one date (and one provider) bill its pair", though lines 2 and 3 do."""
    rules = radrules.loads(DATED_PAYER_PAIR, name="pair.rr")
    billed = claim(("70450", "2026-12-31"), ("70470", "2027-01-05"), ("70450", "2027-01-05", {"modifiers": ["59"]}),
                   payer="acme")
    assert rules.evaluate(billed, explain=True).explanation.not_considered["all.ptp"] == (
        "its pair 70470 with 70450: replaced by `acme.ptp` (pair.rr:9) on 2027-01-05")


PAYER_ROWS_BY_DATE = """
limits all.mue
  reference "general limits"
  limit 74176 max 1 mai 2
end
limits acme.new
  for payer acme
  reference "Acme from 2027"
  limit 74176 max 1 mai 2 effective 2027-01-01
end
limits acme.old
  for payer acme
  reference "Acme until 2026"
  limit 74176 max 1 mai 2 effective 2020-01-01 through 2026-12-31
end
"""


def test_the_row_in_force_on_the_date_is_named_as_the_one_that_decides():
    """Two payer blocks of one level, one row through 2026 and one from 2027: on 2026-12-31 the general block was
    said to be "replaced by `acme.new` ... on 2026-12-31", whose row starts a day later, and `acme.new` that "no
    line bills a code it lists"; the row in force that day is `acme.old`'s."""
    rules = radrules.loads(PAYER_ROWS_BY_DATE, name="rows.rr")
    gone = rules.evaluate(claim(("74176", "2026-12-31", {"units": 2}), payer="acme"),
                          explain=True).explanation.not_considered
    assert gone["all.mue"] == "its limit 74176: replaced by `acme.old` (rows.rr:14) on 2026-12-31"
    assert gone["acme.new"] == (
        "its limit 74176: the row applies from 2027-01-01, not on 2026-12-31, where `acme.old` (rows.rr:14) decides")
    gone = rules.evaluate(claim(("74176", "2027-01-01", {"units": 2}), payer="acme"),
                          explain=True).explanation.not_considered
    assert gone["all.mue"] == "its limit 74176: replaced by `acme.new` (rows.rr:9) on 2027-01-01"
    assert gone["acme.old"] == ("its limit 74176: the row applies 2020-01-01 through 2026-12-31, not on 2027-01-01, "
                                "where `acme.new` (rows.rr:9) decides")


def test_a_table_key_the_rule_files_decide_says_so(tmp_path):
    """The CMS table is not consulted for a key that rule-file rows decide; `ncci.ptp` says so and by whom."""
    (tmp_path / "cms").mkdir()
    (tmp_path / "cms" / "ccipra-v322r0-f1.TXT").write_text(
        "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
        "74176\t74150\t\t20110101\t*\t0\tx\r\n71046\t71045\t\t20180101\t*\t1\tx\r\n", encoding="latin-1")
    (tmp_path / "main.rr").write_text('table ptp "cms/ccipra-v322r0-f1.TXT"\n'
                                      'pairs pine.ptp\n  for payer pine\n  disable pair 74176 with 74150\nend\n')
    rules = radrules.load(tmp_path, cache_dir=None)
    pair = claim(("74176", "2026-03-02"), ("74150", "2026-03-02"), payer="pine")
    (step,) = [s for s in rules.evaluate(pair, explain=True).explanation.steps if s.rule == "ncci.ptp"]
    assert (step.outcome, step.detail) == ("silent", "74176 (column 1) with 74150 (column 2): disabled by `pine.ptp` "
                                                     f"({tmp_path.name}/main.rr:4)")
    apart = claim(("74176", "2026-03-02"), ("70450", "2026-03-02"), payer="pine")
    assert rules.evaluate(apart, explain=True).explanation.not_considered["ncci.ptp"] == (
        "no two lines of one date form a pair of the table for professional claims")
    assert rules.evaluate(dict(pair, payer="else")).findings[0].rule == "ncci.ptp"
    assert {"ncci.ptp", "pine.ptp"} <= rule_ids(rules) and "ncci.mue" not in rule_ids(rules)


def test_an_unknown_rule_id_is_an_error_with_the_nearest_id():
    """`--rule` with a misspelt id said "not a rule of this ruleset" for every claim and exited 0."""
    done = subprocess.run([sys.executable, "-m", "radrules", "explain", "--rule", "acme.prior_auth.misng",
                           "--rule", "acme.prior_auth.missing", "--rule", "zzz", str(ROOT / "examples" / "claims.json")],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: --rule `acme.prior_auth.misng` is not a rule of these rules (did you mean `acme.prior_auth.missing`?)",
        "error: --rule `zzz` is not a rule of these rules"]
    rules = radrules.load()
    ids = rule_ids(rules)
    assert {"acme.prior_auth.missing", "format.npi", "acme.ptp"} <= ids and "ncci.ptp" not in ids
    # every rule a finding of the example claims names is one
    assert {f.rule for c in EXAMPLES for f in rules.evaluate(c).findings} <= ids


def test_a_block_of_disable_rows_and_the_unpublished_mue_check_get_reasons(tmp_path):
    """`explain --rule` accepts them, so each says why it was not considered (not "not a rule")."""
    import shutil
    from pathlib import Path

    cms = Path(__file__).parent / "data" / "cms"
    (tmp_path / "r" / "cms").mkdir(parents=True)
    shutil.copy(cms / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", tmp_path / "r" / "cms")
    (tmp_path / "r" / "r.rr").write_text(
        'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n'
        'pairs p.ptp\n  for payer harbor\n  reference "t"\n  disable pair 74176 with 74150\nend\n', encoding="utf-8")
    rules = radrules.load(tmp_path / "r", cache_dir=None)
    listed = {"payer": "harbor", "lines": [{"code": "71046", "date": "2026-07-02"}]}
    gone = rules.evaluate(listed, explain=True).explanation.not_considered
    assert gone["p.ptp"] == "no line bills a code it lists"
    assert gone["ncci.mue.unpublished"] == "the table in force lists every code of the claim"
    pair = dict(listed, lines=[{"code": "74176", "date": "2026-07-02"}, {"code": "74150", "date": "2026-07-02"}])
    gone = rules.evaluate(pair, explain=True).explanation.not_considered
    assert gone["p.ptp"].startswith("it holds `disable` rows only: its `disable pair 74176 with 74150` (r/r.rr:5)")
    institutional = rules.evaluate(dict(listed, type="institutional"), explain=True).explanation.not_considered
    assert institutional["ncci.mue.unpublished"] == "its table serves professional claims, not institutional"
    (tmp_path / "r" / "own.rr").write_text(  # rule files decide two codes the table does not list
        'limits h.mue\n  for payer harbor\n  reference "t"\n  limit 70450 max 3 mai 1\n  disable limit 70551\nend\n',
        encoding="utf-8")
    rules = radrules.load(tmp_path / "r", cache_dir=None)
    decided = dict(listed, lines=[{"code": code, "date": "2026-07-02"} for code in ("70450", "70551", "71046")])
    gone = rules.evaluate(decided, explain=True).explanation.not_considered
    assert gone["ncci.mue.unpublished"] == ("the rule files decide the limit of 70450, 70551; the table in force "
                                            "lists the other codes")


@pytest.fixture
def disabled_pair_rules(tmp_path):
    """The test PTP table, and a payer block (harbor) whose `disable pair 74176 with 74150` takes a row off."""
    import shutil

    (tmp_path / "r" / "cms").mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "data" / "cms" / "radiology-ptp-v322r0-f1.TXT",
                tmp_path / "r" / "cms" / "ccipra-v322r0-f1.TXT")
    (tmp_path / "r" / "r.rr").write_text(
        'table ptp "cms/ccipra-v322r0-f1.TXT"\n'
        'pairs p.ptp\n  for payer harbor\n  reference "t"\n  disable pair 74176 with 74150\nend\n', encoding="utf-8")
    return radrules.load(tmp_path / "r", cache_dir=None)


def test_a_table_pair_a_payer_disables_is_named_when_the_rule_fires_on_another_pair(disabled_pair_rules):
    """ncci.ptp fired on 70470/70450; the 74176/74150 row that the payer's `disable pair` takes off is a silent
    step that names the disable (before, it was named only when the rule fired nowhere)."""
    claim = {"payer": "harbor", "lines": [{"code": code, "date": "2026-07-02"}
                                          for code in ("74176", "74150", "70470", "70450")]}
    steps = [s for s in disabled_pair_rules.evaluate(claim, explain=True).explanation.steps if s.rule == "ncci.ptp"]
    assert [(s.outcome, s.lines, s.related_lines) for s in steps] == [("fired", (4,), (3,)), ("silent", (2,), (1,))]
    assert steps[1].detail == "74176 (column 1) with 74150 (column 2): disabled by `p.ptp` (r/r.rr:5)"


def test_a_disabled_table_pair_with_a_paid_earlier_line_and_out_of_the_rows_dates(disabled_pair_rules):
    """The step is there for a pair with a paid line of an earlier claim too, and not on a date when no row of
    the pair is in force (the disable then takes nothing off)."""
    rules = disabled_pair_rules
    later = {"payer": "harbor", "patient": {"id": "P1"}, "lines": [{"code": "74150", "date": "2026-07-02"}]}
    history = [{"patient_id": "P1", "code": "74176", "date": "2026-07-02"}]
    (step,) = [s for s in rules.evaluate(later, explain=True, history=history).explanation.steps
               if s.rule == "ncci.ptp"]
    assert (step.outcome, step.lines, step.related_lines) == ("silent", (1,), ())
    assert step.detail == ("74176 (column 1, paid on an earlier claim) with 74150 (column 2): disabled by `p.ptp` "
                           "(r/r.rr:5)")
    early = {"payer": "harbor", "lines": [{"code": code, "date": "2001-07-02"} for code in ("74176", "74150")]}
    assert not [s for s in rules.evaluate(early, explain=True).explanation.steps if s.rule == "ncci.ptp"]


def table_rules(tmp_path, tables: dict, text: str):
    """Rules in ``r/``: test CMS tables from tests/data/cms (``{name in r/cms: name in tests/data/cms}``), a
    `table` statement each, then ``text``."""
    import shutil

    kinds = {"ccipra": "ptp", "MCR_MUE": "mue", "aoc": "addon"}
    (tmp_path / "r" / "cms").mkdir(parents=True)
    statements = ""
    for name, data in tables.items():
        shutil.copy(Path(__file__).parent / "data" / "cms" / data, tmp_path / "r" / "cms" / name)
        kind = next(kind for prefix, kind in kinds.items() if name.startswith(prefix))
        statements += f'table {kind} "cms/{name}"\n'
    (tmp_path / "r" / "r.rr").write_text(statements + text, encoding="utf-8")
    return radrules.load(tmp_path / "r", cache_dir=None)


def test_a_table_pair_that_rule_file_rows_replace_is_named_on_its_pair(tmp_path):
    """ncci.ptp fired on 70470/70450; the 74176/74150 table row that a rule-file row replaces is a silent step
    naming the row. A payer's row out of its dates on the claim's date leaves the date to the general row, and
    the payer's block says so (the rows are chosen date by date)."""
    rules = table_rules(tmp_path, {"ccipra-v322r0-f1.TXT": "radiology-ptp-v322r0-f1.TXT"},
                        'pairs h.ptp\n  reference "t"\n  pair 74176 with 74150 modifier allowed\nend\n'
                        'pairs f.ptp\n  for payer harbor\n  reference "t"\n'
                        '  pair 74176 with 74150 modifier allowed effective 2027-01-01\nend\n')
    claim = {"lines": [{"code": code, "date": "2026-07-02"} for code in ("74176", "74150", "70470", "70450")]}
    steps = [s for s in rules.evaluate(claim, explain=True).explanation.steps if s.rule == "ncci.ptp"]
    assert [(s.outcome, s.lines, s.related_lines) for s in steps] == [("fired", (4,), (3,)), ("silent", (2,), (1,))]
    assert (steps[1].detail, steps[1].source) == (
        "74176 (column 1) with 74150 (column 2): replaced by `h.ptp` (r/r.rr:4)", "ccipra-v322r0-f1.TXT:10")
    harbor = rules.evaluate(dict(claim, payer="harbor"), explain=True)
    assert [(f.rule, f.lines) for f in harbor.findings] == [("h.ptp", (2,)), ("ncci.ptp", (4,))]
    assert harbor.explanation.not_considered["f.ptp"] == (
        "its pair 74176 with 74150: the row applies from 2027-01-01, not on 2026-07-02, where `h.ptp` (r/r.rr:4) "
        "decides")
    later = {"lines": [dict(line, date="2027-01-04") for line in claim["lines"]], "payer": "harbor"}
    steps = rules.evaluate(later, explain=True).explanation.steps
    assert [(s.rule, s.outcome, s.lines) for s in steps if s.rule.endswith("ptp")] == [
        ("f.ptp", "fired", (2,)), ("ncci.ptp", "fired", (4,)), ("ncci.ptp", "silent", (2,))]
    text = rules.evaluate(later, explain=True).explanation.for_rules(["ncci.ptp"])
    assert text[-1] == ("  line 2 (74150) with line 1 (74176): silent: 74176 (column 1) with 74150 (column 2): "
                        "replaced by `f.ptp` (r/r.rr:9) (at ccipra-v322r0-f1.TXT:10)")


def test_a_table_pair_replaced_names_the_payer_row_in_force(tmp_path):
    """The PTP table's silent step on a pair two payer blocks of one level replace, each on its own dates, names
    the row in force on the claim's date (it named the first block's, from 2027, on a claim of 2026)."""
    rules = table_rules(tmp_path, {"ccipra-v322r0-f1.TXT": "radiology-ptp-v322r0-f1.TXT"},
                        'pairs f.new\n  for payer harbor\n  reference "t"\n'
                        '  pair 74176 with 74150 modifier 1 effective 2027-01-01\nend\n'
                        'pairs f.old\n  for payer harbor\n  reference "t"\n'
                        '  pair 74176 with 74150 modifier 1 effective 2020-01-01 through 2026-12-31\nend\n')
    claim = {"lines": [{"code": "74176", "date": "2026-07-02"}, {"code": "74150", "date": "2026-07-02"}],
             "payer": "harbor"}
    (step,) = [s for s in rules.evaluate(claim, explain=True).explanation.steps if s.rule == "ncci.ptp"]
    assert (step.outcome, step.detail) == ("silent", "74176 (column 1) with 74150 (column 2): replaced by `f.old` "
                                                     "(r/r.rr:10)")


def test_a_table_limit_that_rule_file_rows_replace_or_disable_is_named_on_its_line(tmp_path):
    """The MUE table's row of a code that a `limit` row replaces or a `disable limit` takes off is a silent
    ncci.mue step on each line of the code; nothing said so while the table judged another code of the claim. A
    `limit` row out of its dates leaves the date to the table, and says so."""
    rules = table_rules(tmp_path, {"MCR_MUE_PractitionerServices_Eff_07-01-2026.csv":
                                   "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"},
                        'limits l.mue\n  reference "t"\n  limit 74177 max 5 mai 1\n  disable limit 71046\n'
                        '  limit 77067 max 3 mai 2 effective 2027-01-01\nend\n')
    claim = {"lines": [{"code": code, "date": "2026-07-02", "units": units}
                       for code, units in (("74177", 4), ("71046", 3), ("77067", 2), ("Q9967", 1))]}
    result = rules.evaluate(claim, explain=True)
    assert [(f.rule, f.lines, f.source) for f in result.findings] == [
        ("ncci.mue", (3,), "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv:8")]
    steps = [(s.rule, s.outcome, s.lines, s.detail, s.source) for s in result.explanation.steps
             if s.rule in ("ncci.mue", "l.mue") and s.outcome in ("silent", "out of dates")]
    assert steps == [
        ("ncci.mue", "silent", (1,), "74177: replaced by `l.mue` (r/r.rr:4)",
         "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv:6"),
        ("ncci.mue", "silent", (2,), "71046: disabled by `l.mue` (r/r.rr:5)",
         "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv:7"),
        ("l.mue", "out of dates", (3,), "77067: the row applies from 2027-01-01, not on 2026-07-02", "r/r.rr:6")]


def test_a_table_addon_edit_that_rule_file_rows_replace_is_named_on_its_line(tmp_path):
    """An add-on code whose rule-file rows are not in force on the date is judged by the table's edit then (the
    rows are chosen date by date), and the rule-file row says it is out of its dates; from its date the table's
    edit it replaces is a silent step naming the row."""
    rules = table_rules(tmp_path, {"aoc_v2026q3.csv": "aoc_v2026q3.csv"},
                        'addons a.addon\n  reference "t"\n  addon 77063 type 1 primaries 77061 effective 2027-01-01\n'
                        'end\n')
    result = rules.evaluate({"lines": [{"code": "77063", "date": "2026-08-03"}]}, explain=True)
    assert [(f.rule, f.source) for f in result.findings] == [("ncci.addon", "aoc_v2026q3.csv:2")]
    steps = [(s.rule, s.outcome, s.detail) for s in result.explanation.steps if s.rule in ("ncci.addon", "a.addon")]
    assert steps[0] == ("a.addon", "out of dates", "77063: the row applies from 2027-01-01, not on 2026-08-03")
    later = rules.evaluate({"lines": [{"code": "77061", "date": "2027-01-04"}, {"code": "77063", "date": "2027-01-04"}]},
                           explain=True)
    assert later.findings == ()
    (step,) = [s for s in later.explanation.steps if s.rule == "ncci.addon"]
    assert (step.outcome, step.detail, step.source) == ("silent", "77063: replaced by `a.addon` (r/r.rr:4)",
                                                        "aoc_v2026q3.csv:2")


def test_an_addon_denied_beside_a_primary_whose_edit_ended_names_it(tmp_path):
    """G0202 was a listed primary of 77063 through 2016-12-31 (its own row, :5): the denial said only "no
    primary (77067)", hiding why the claim's G0202 did not count; explain quotes the message and names the row."""
    rules = table_rules(tmp_path, {"aoc_v2026q3.csv": "aoc_v2026q3.csv"}, "")
    result = rules.evaluate({"lines": [{"code": "G0202", "date": "2017-01-03"},
                                       {"code": "77063", "date": "2017-01-03"}]}, explain=True)
    (finding,) = result.findings
    assert (finding.message, finding.source) == (
        "77063 is an add-on code (type 1): no primary (77067) on 2017-01-03 (G0202 counted through 2016-12-31)",
        "aoc_v2026q3.csv:2")
    (step,) = [s for s in result.explanation.steps if s.rule == "ncci.addon"]
    assert (step.outcome, step.detail) == ("fired", finding.message + "; line 1's G0202 is listed at aoc_v2026q3.csv:5")
    alone = rules.evaluate({"lines": [{"code": "77063", "date": "2017-01-03"}]}, explain=True)
    assert alone.findings[0].message == "77063 is an add-on code (type 1): no primary (77067) on 2017-01-03"
    (step,) = [s for s in alone.explanation.steps if s.rule == "ncci.addon"]
    assert step.detail == alone.findings[0].message  # the trace quotes the message, for `expect ... message`


def test_a_pair_only_another_table_version_has_is_named(tmp_path):
    """v321 (from April) has 77067 with 77065, v322 (from July) dropped it and adds 70470 with 70450: a pair of
    lines of a date whose version has no row of it, where the other version has one, is a silent step that names
    the version in force and the other's row with its dates (July's pair was not named at all)."""
    import shutil

    (tmp_path / "r" / "cms").mkdir(parents=True)
    for version in ("v321", "v322"):
        shutil.copy(Path(__file__).parent / "data" / "cms" / f"radiology-ptp-{version}r0-f1.TXT",
                    tmp_path / "r" / "cms" / f"ccipra-{version}r0-f1.TXT")
    with open(tmp_path / "r" / "cms" / "ccipra-v322r0-f1.TXT", "a", encoding="latin-1") as v322:
        v322.write("72193\t72192\t\t20110101\t20260630\t0\tMisuse\r\n")  # ends before v322 judges a date
    (tmp_path / "r" / "r.rr").write_text('table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-04-01\n'
                                         'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n')
    rules = radrules.load(tmp_path / "r", cache_dir=None)
    lines = [("77067", "2026-06-12"), ("77065", "2026-06-12"), ("77067", "2026-07-12"), ("77065", "2026-07-12"),
             ("70470", "2026-05-04"), ("70450", "2026-05-04")]
    result = rules.evaluate({"lines": [{"code": code, "date": day} for code, day in lines]}, explain=True)
    assert [(f.rule, f.lines) for f in result.findings if f.rule == "ncci.ptp"] == [("ncci.ptp", (2,))]
    steps = [s for s in result.explanation.steps if s.rule == "ncci.ptp"]
    assert [(s.outcome, s.lines, s.related_lines, s.source) for s in steps] == [
        ("fired", (2,), (1,), "ccipra-v321r0-f1.TXT:12"), ("silent", (4,), (3,), None), ("silent", (6,), (5,), None),
        ("corrected later", (2,), (1,), None)]  # v322 has no row of the pair: for v321's dates too (RR529)
    assert steps[1].detail == ("77067 (column 1) with 77065 (column 2): no row in ccipra-v322r0-f1.TXT, the version "
                               "in force on 2026-07-12 (ccipra-v321r0-f1.TXT:12 had one through 2026-06-30)")
    assert steps[2].detail == ("70470 (column 1) with 70450 (column 2): no row in ccipra-v321r0-f1.TXT, the version "
                               "in force on 2026-05-04 (ccipra-v322r0-f1.TXT:7 has one from 2026-07-01)")
    assert result.explanation.for_rules(["ncci.ptp"])[2].startswith(
        "  line 4 (77065) with line 3 (77067): silent: 77067 (column 1) with 77065 (column 2): no row in")
    # a row that ends before the dates its version judges is no edit there: not named
    ended = rules.evaluate({"lines": [{"code": code, "date": "2026-05-04"} for code in ("72193", "72192")]},
                           explain=True)
    (step,) = [s for s in ended.explanation.steps if s.rule == "ncci.ptp"]
    assert step.outcome == "corrected later"  # (v322 adds it for v321's dates: that is said)


def test_an_unpublished_mue_names_the_table_file_of_the_version_in_force(tmp_path):
    """`ncci.mue.unpublished` names the MUE file the code was looked for in, of the version in force on the
    line's date (it said `radrules:mue`), in the finding and in explain's step; a date span's too."""
    rules = table_rules(tmp_path, {"MCR_MUE_PractitionerServices_Eff_04-01-2026.csv":
                                   "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv",
                                   "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv":
                                   "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"}, "")
    lines = [{"code": "77065", "date": day} for day in ("2026-06-12", "2026-07-12")]
    result = rules.evaluate({"lines": lines}, explain=True)
    found = [(f.lines, f.source) for f in result.findings if f.rule == "ncci.mue.unpublished"]
    assert found == [((1,), "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"),
                     ((2,), "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")]
    assert [(s.lines, s.source) for s in result.explanation.steps if s.rule == "ncci.mue.unpublished"] == found
    span = rules.evaluate({"lines": [{"code": "77065", "date": "2026-07-12", "end_date": "2026-07-14"}]},
                          explain=True)
    assert [f.source for f in span.findings] == ["MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"]
    assert [s.source for s in span.explanation.steps if s.rule == "ncci.mue.unpublished"] == [
        "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"]


def test_a_pair_the_newest_version_corrected_for_an_earlier_date_says_so(tmp_path):
    """v322 (from July) deletes 74176/74150 retroactively and makes 70470/70450 indicator 1: a May claim is judged
    by v321 as published (denied), and explain said nothing of the correction. Now a `corrected later` step names
    the newest version, what it changes and from when; none for a pair it left alone, nor on a date the newest
    judges itself."""
    from test_tables_versions import APRIL, side_by_side

    july = [APRIL[0].replace("\t*\t0\t", "\t20110101\t9\t"), APRIL[1].replace("\t*\t0\t", "\t*\t1\t"), *APRIL[2:]]
    rules = radrules.load(side_by_side(tmp_path, APRIL, july), cache_dir=None)
    codes = ["74176", "74150", "70470", "70450", "71046", "71045"]
    may = rules.evaluate({"lines": [{"code": code, "date": "2026-05-11"} for code in codes]}, explain=True)
    assert [(f.lines, f.source) for f in may.findings] == [
        ((2,), "ccipra-v321r0-f1.TXT:3"), ((4,), "ccipra-v321r0-f1.TXT:4"), ((6,), "ccipra-v321r0-f1.TXT:5")]
    later = [s for s in may.explanation.steps if s.outcome == "corrected later"]
    assert [(s.rule, s.lines, s.related_lines) for s in later] == [("ncci.ptp", (2,), (1,)), ("ncci.ptp", (4,), (3,))]
    assert later[0].detail == ("74176 (column 1) with 74150 (column 2): v322r0 (rules/main.rr:2) deletes this pair "
                               "retroactively from 2011-01-01 (ccipra-v322r0-f1.TXT:3); 2026-05-11 is judged by "
                               "v321r0 as published")
    assert later[1].detail.startswith("70470 (column 1) with 70450 (column 2): v322r0 (rules/main.rr:2) changes its "
                                      "indicator 0 -> 1 from 2015-01-01 (ccipra-v322r0-f1.TXT:4)")
    assert "line 2 (74150) with line 1 (74176): corrected later: 74176 (column 1)" in may.explanation.render()
    july_claim = rules.evaluate({"lines": [{"code": code, "date": "2026-07-13"} for code in codes]}, explain=True)
    assert [s for s in july_claim.explanation.steps if s.outcome == "corrected later"] == []


def test_an_add_on_edit_the_newest_file_corrected_for_an_earlier_date_says_so(tmp_path):
    """The add-on file's rows carry dates too (RR529): July's file deletes 77066 as a primary of 77063
    retroactively. A May claim is judged by April's file as published (paid); explain said so for PTP pairs only.
    Now the add-on line gets a `corrected later` step; none on a date the newest file judges itself, none for an
    add-on code it left alone."""
    from test_tables import make_ruleset
    from test_tables_versions import AOC_HEADER

    root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q2.csv"\ntable addon "cms/aoc_v2026q3.csv"\n')
    april = "77067,77063,1,,,,20170101,\r\n77066,77063,1,,,,20170101,\r\n77065,G0279,1,,,,20150101,\r\n"
    july = "77067,77063,1,,,,20170101,\r\n77066,77063,1,,,20170101,20170101,\r\n77065,G0279,1,,,,20150101,\r\n"
    (root / "cms" / "aoc_v2026q2.csv").write_text(AOC_HEADER + april, encoding="latin-1")
    (root / "cms" / "aoc_v2026q3.csv").write_text(AOC_HEADER + july, encoding="latin-1")
    rules = radrules.load(root, cache_dir=None)
    codes = ["77066", "77063", "77065", "G0279"]
    may = rules.evaluate({"lines": [{"code": code, "date": "2026-05-11"} for code in codes]}, explain=True)
    assert [f.rule for f in may.findings if f.rule == "ncci.addon"] == []
    later = [s for s in may.explanation.steps if s.outcome == "corrected later"]
    assert [(s.rule, s.lines) for s in later] == [("ncci.addon", (2,))]
    assert later[0].detail == ("77063: `aoc_v2026q3.csv` (rules/main.rr:2) corrects its add-on edit: primary 77066 "
                               "deleted retroactively from 2017-01-02 (aoc_v2026q3.csv:3); "
                               "2026-05-11 is judged by `aoc_v2026q2.csv` as published")
    july_claim = rules.evaluate({"lines": [{"code": code, "date": "2026-07-13"} for code in codes]}, explain=True)
    assert [s for s in july_claim.explanation.steps if s.outcome == "corrected later"] == []
    assert [f.lines for f in july_claim.findings if f.rule == "ncci.addon"] == [(2,)]


def test_each_fired_step_quotes_its_findings_message(tmp_path):
    """A fired step's text is the finding's message (followed by more only after `; `), so a rule test can copy it
    into `message "..."`: the add-on trace said "no acceptable primary", the unpublished MUE "the MUE table has no
    row", a PTP row against a paid line left out "paid on an earlier claim"."""
    rules = table_rules(tmp_path, {"ccipra-v322r0-f1.TXT": "radiology-ptp-v322r0-f1.TXT",
                                   "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv":
                                       "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv",
                                   "aoc_v2026q3.csv": "aoc_v2026q3.csv"}, "")
    cases = [
        ({"lines": [{"code": "77063", "date": "2026-08-03"}]}, None),  # no primary
        ({"lines": [{"code": "G0202", "date": "2017-01-03"}, {"code": "77063", "date": "2017-01-03"}]}, None),
        ({"lines": [{"code": "77067", "date": "2026-08-03", "units": 2},  # its primary denied (MUE)
                    {"code": "77063", "date": "2026-08-03"}]}, None),
        ({"lines": [{"code": "76999", "date": "2026-08-03"}]}, None),  # no published MUE
        ({"lines": [{"code": "74150", "date": "2026-08-03"}]}, [{"code": "74176", "date": "2026-08-03"}]),
    ]
    for data, history in cases:
        result = rules.evaluate(data, history=history, explain=True)
        fired = [s for s in result.explanation.steps if s.outcome == "fired"]
        assert result.findings
        for finding in result.findings:
            (step,) = [s for s in fired if s.rule == finding.rule and s.lines == finding.lines]
            assert step.detail == finding.message or step.detail.startswith(finding.message + "; "), (step, finding)


def test_a_pair_whose_row_starts_after_the_dates_its_version_judges_is_named(tmp_path):
    """The versions' dates swapped (v322 effective April, v321 July; RR524, RR525): v322's row of 70470 with 70450
    starts in July, when v321 judges, so it never judges a claim. A July claim of the pair got only "no two lines
    of one date form a pair of the table"; the step names the row and the dates its version judges."""
    import shutil

    (tmp_path / "r" / "cms").mkdir(parents=True)
    for version in ("v321", "v322"):
        shutil.copy(Path(__file__).parent / "data" / "cms" / f"radiology-ptp-{version}r0-f1.TXT",
                    tmp_path / "r" / "cms" / f"ccipra-{version}r0-f1.TXT")
    (tmp_path / "r" / "r.rr").write_text('table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-07-01\n'
                                         'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-04-01\n')
    rules = radrules.load(tmp_path / "r", cache_dir=None)
    result = rules.evaluate({"lines": [{"code": code, "date": "2026-08-03"} for code in ("70470", "70450")]},
                            explain=True)
    assert result.findings == ()
    (step,) = [s for s in result.explanation.steps if s.rule == "ncci.ptp"]
    assert (step.outcome, step.lines, step.detail) == (
        "silent", (2,), "70470 (column 1) with 70450 (column 2): no row in ccipra-v321r0-f1.TXT, the version in force "
                        "on 2026-08-03 (ccipra-v322r0-f1.TXT:7 has one from 2026-07-01, dates its version does not "
                        "judge: it judges until 2026-06-30)")


def test_a_once_per_line_rule_says_which_pairs_it_left_unchecked():
    """After a `once per line` rule fires for a line, each later pair of that line is a `not checked` step that
    names the line it fired with; the fired steps are the findings."""
    data = {"type": "professional", "lines": [{"code": "71046", "date": "2026-03-02"} for _ in range(3)]}
    result = radrules.load().evaluate(data, explain=True)
    found = [s for s in result.explanation.steps if s.rule == "duplicate.line"]
    assert [(s.outcome, s.lines, s.related_lines) for s in found] == [
        ("silent", (1,), (2,)), ("silent", (1,), (3,)),
        ("fired", (2,), (1,)), ("not checked", (2,), (3,)),
        ("fired", (3,), (1,)), ("not checked", (3,), (2,)),
    ]
    assert [s.detail for s in found if s.outcome == "not checked"] == ["once per line: fired with line 1"] * 2
    assert found[3].render(found[3].source) == ("line 2 (71046) with line 3 (71046): not checked: once per line: "
                                                "fired with line 1")
    assert [(s.lines, s.detail) for s in found if s.outcome == "fired"] == [
        (f.lines, f.message) for f in result.findings if f.rule == "duplicate.line"]


def test_a_once_per_line_rule_on_the_other_line_names_the_line_it_fired_from():
    """With the target `other`, the steps act on the other line, as its findings do; a pair whose condition is not
    true does not stop the rule, and a line's first true pair does."""
    rules = radrules.loads("""
rule t.other "the other line"
  when line.code is 74176 and other.code is 74150 and other.units = 1
  then warn other "{other.code} with line {line.number}"
  once per line
end
""", name="once.rr")
    data = {"type": "professional", "lines": [{"code": "74176", "date": "2026-03-02"},
                                              {"code": "74150", "date": "2026-03-02", "units": 2},
                                              {"code": "74150", "date": "2026-03-02"},
                                              {"code": "74150", "date": "2026-03-02"}]}
    result = rules.evaluate(data, explain=True)
    assert [(f.lines, f.related_lines) for f in result.findings] == [((3,), (1,))]
    assert steps(result, "t.other") == [("silent", (2,), (1,)), ("fired", (3,), (1,)), ("not checked", (4,), (1,))]
    (skipped,) = [s for s in result.explanation.steps if s.outcome == "not checked"]
    assert skipped.detail == "once per line: fired with line 3"


def test_a_pair_rule_of_one_code_or_across_providers_is_not_said_to_want_one_provider():
    """A rule of two lines of one code, on a claim that bills no code twice on a date, says so (it said a
    modifier it checks was missing, or that the lines were two providers'); a rule `across providers` is never
    left out for lines of two providers."""
    rules = radrules.loads('rule t.same "x"\n  when other.code = line.code\n  then warn line "x"\n'
                           '  reference "r"\nend\n'
                           'rule t.any "x"\n  when other.code != line.code\n   and other.units > 5\n'
                           '  then warn line "x"\n  across providers\n  reference "r"\nend\n'
                           'rule t.one "x"\n  when other.code != line.code\n  then warn line "x"\n'
                           '  reference "r"\nend\n', name="p.rr")
    apart = {"id": "C", "lines": [{"code": "74177", "modifiers": ["26"], "date": "2026-03-02",
                                    "rendering_npi": "1234567893"},
                                   {"code": "71046", "date": "2026-03-02", "rendering_npi": "1245319599"}]}
    explanation = rules.evaluate(apart, explain=True).explanation
    assert explanation.not_considered["t.same"] == "it compares two lines of one code, and no date bills a code twice"
    assert "t.any" not in explanation.not_considered and "t.any" in explanation.rules()
    assert explanation.not_considered["t.one"].startswith("no two lines of one date are one provider's")


def test_a_history_count_or_interval_shows_what_it_came_to():
    """An analyst asking why a fourth PS scan was (not) denied sees the count compared, and the interval."""
    rules = radrules.loads('codes fdg_pet = 78811-78816\n'
                           'rule t.fourth\n  when line.code in fdg_pet\n   and history count of fdg_pet with modifier PS >= 3\n'
                           '  then deny line "x"\n  carc CO-50\n  reference "t"\nend\n'
                           'rule t.recent\n  when line.code in fdg_pet\n   and days since last fdg_pet < 30\n'
                           '  then warn line "x"\n  reference "t"\nend\n')
    data = {"lines": [{"code": "78815", "modifiers": ["PS"], "date": "2026-04-06"}]}
    paid = [{"code": "78815", "modifiers": ["PS"], "date": day} for day in ("2025-01-10", "2025-06-01")]
    steps = {s.rule: s for s in rules.evaluate(data, history=paid, explain=True).explanation.steps}
    assert steps["t.fourth"].detail == "`history count of fdg_pet with modifier PS >= 3` is false; the count is 2"
    assert steps["t.recent"].detail == "`days since last fdg_pet < 30` is false; 309 days since the last, on 2025-06-01"
    steps = {s.rule: s for s in rules.evaluate(data, explain=True).explanation.steps}
    assert steps["t.recent"].detail.endswith("is unknown (a value it needs is missing); no earlier service")


def test_a_both_rule_out_of_dates_is_one_step_a_pair():
    """A `both` rule not yet in effect on the pair's date: one `out of dates` step for the pair (each order of the
    lines gave one, alike: "lines 1, 2 (71045, 71046): out of dates" twice)."""
    rules = radrules.loads('rule t.views "b"\n  effective 2027-01-01\n'
                           '  when line.code in [71045, 71046] and other.code in [71045, 71046] and other.code != line.code\n'
                           '  then warn both "{line.code} and {other.code}"\n  reference "t"\nend\n', name="views.rr")
    data = {"lines": [{"code": "71045", "date": "2026-07-14"}, {"code": "71046", "date": "2026-07-14"}]}
    assert steps(rules.evaluate(data, explain=True), "t.views") == [("out of dates", (1, 2), ())]


def test_two_intervals_without_an_earlier_service_say_so_once():
    """A condition with two `months since last` parts (medicare.mammography.frequency: the read and the technical
    part) and no earlier service: the step said "no earlier service; no earlier service"."""
    rules = radrules.loads('codes screening = 77067\n'
                           'rule t.freq\n  when line.code in screening\n'
                           '   and ((line.modifiers has 26 and months since last screening with modifier 26 < 12)\n'
                           '     or (line.modifiers has TC and months since last screening with modifier TC < 12))\n'
                           '  then deny line "x"\n  reference "t"\nend\n')
    data = {"lines": [{"code": "77067", "modifiers": ["26"], "date": "2026-07-14"}]}
    [step] = [s for s in rules.evaluate(data, history=[], explain=True).explanation.steps if s.rule == "t.freq"]
    assert step.detail.endswith("is unknown (a value it needs is missing); no earlier service")


def test_a_fired_frequency_limit_names_the_last_service_and_when_it_turns():
    """A biller reading a frequency denial (M90) needs the date of the last screening and the first date it is
    paid: a fired step names the interval of the `or` part that fired, the last service's date, and the date the
    comparison turns; a silent step names the last date too."""
    rules = radrules.loads('codes screening = 77067\n'
                           'rule t.freq\n  when line.code in screening\n'
                           '   and ((line.modifiers has 26 and months since last screening with modifier 26 < 12)\n'
                           '     or (line.modifiers has TC and months since last screening with modifier TC < 12))\n'
                           '  then deny line "too soon"\n  reference "t"\nend\n'
                           'rule t.days\n  when line.code in screening and not days since last screening >= 30\n'
                           '  then warn line "days"\n  reference "t"\nend\n'
                           'rule t.years\n  when line.code in screening and years since last screening < 2\n'
                           '  then warn line "years"\n  reference "t"\nend\n')
    data = {"lines": [{"code": "77067", "modifiers": ["26"], "date": "2026-03-10"}]}
    paid = [{"code": "77067", "modifiers": ["26"], "date": "2025-06-20"},
            {"code": "77067", "modifiers": ["TC"], "date": "2024-02-29"},
            {"code": "77067", "modifiers": ["TC"], "date": "2026-02-20"}]
    steps = {s.rule: s for s in rules.evaluate(data, history=paid, explain=True).explanation.steps}
    assert steps["t.freq"].outcome == "fired"
    assert steps["t.freq"].detail == "too soon; 9 months since the last, on 2025-06-20; 12 months on 2026-06-01"
    assert steps["t.days"].detail == "days; 18 days since the last, on 2026-02-20; 30 days on 2026-03-22"
    assert steps["t.years"].detail == "years; 0 years since the last, on 2026-02-20; 2 years on 2028-02-20"
    data["lines"][0]["date"] = "2026-07-01"
    steps = {s.rule: s for s in rules.evaluate(data, history=paid[:2], explain=True).explanation.steps}
    assert steps["t.freq"].detail == ("`(line.modifiers has 26 and months since last screening with modifier 26 < 12)"
                                      " or (line.modifiers has TC and months since last screening with modifier TC"
                                      " < 12)` is false; 13 months since the last, on 2025-06-20; 29 months since"
                                      " the last, on 2024-02-29")
    assert steps["t.years"].detail == "years; 1 year since the last, on 2025-06-20; 2 years on 2027-06-20"


def test_values_in_a_message_names_the_comparisons_that_fired_and_explain_quotes_them_once():
    """`{values}` puts in the finding's message what explain's fired step adds after it: of an `or`, the part that
    was true; a count and a sum too. The step quotes the message alone (the values were named twice)."""
    rules = radrules.loads('codes screening = 77067\n'
                           'rule t.freq\n  when line.code in screening\n'
                           '   and ((line.modifiers has 26 and months since last screening with modifier 26 < 12)\n'
                           '     or (line.modifiers has TC and months since last screening with modifier TC < 12))\n'
                           '  then deny line "{line.code}: too soon ({values})"\n  reference "t"\nend\n'
                           'rule t.count\n  when line.code in screening and history count of screening >= 2\n'
                           '   and claim units of screening on the same date > 1\n'
                           '  then warn line "{values}"\n  reference "t"\nend\n')
    data = {"lines": [{"code": "77067", "modifiers": ["26"], "date": "2026-03-10", "units": 2}]}
    paid = [{"code": "77067", "modifiers": ["26"], "date": "2025-06-20"},
            {"code": "77067", "modifiers": ["TC"], "date": "2024-02-29"}]
    result = rules.evaluate(data, history=paid, explain=True)
    messages = {finding.rule: finding.message for finding in result.findings}
    assert messages["t.freq"] == "77067: too soon (9 months since the last, on 2025-06-20; 12 months on 2026-06-01)"
    assert messages["t.count"] == "the count is 2; the units add up to 2"
    steps = {s.rule: s.detail for s in result.explanation.steps}
    assert steps == {**steps, **messages}


def test_values_of_an_or_name_its_true_parts():
    """Of an `or`, `{values}` and explain name every part that is true: the interval beside a part that compares
    none (the message read `77067: too soon ()`), and both intervals of a screening too soon by each, so that the
    later date, when it is paid, is named (only the first's was); through a part that compares none alone,
    `{values}` is empty (language.md, `{values}`)."""
    either = "line.code is 77067 and (line.units > 1 or months since last [77067] < 12)"
    parts = ("line.code is 77067 and (months since last [77067] with modifier 26 < 12\n"
             "     or months since last [77067] with modifier TC < 12)")
    rules = radrules.loads(f'rule t.or\n  when {either}\n  then deny line "{{line.code}}: too soon ({{values}})"\n'
                           f'  reference "t"\nend\nrule t.plain\n  when {either}\n  then deny line "too soon"\n'
                           f'  reference "t"\nend\nrule t.parts\n  when {parts}\n  then deny line "parts ({{values}})"\n'
                           '  reference "t"\nend\n')
    paid = [{"code": "77067", "modifiers": ["26"], "date": "2025-06-20"},
            {"code": "77067", "modifiers": ["TC"], "date": "2025-08-01"}]
    read = "10 months since the last, on 2025-06-20; 12 months on 2026-06-01"
    study = "months since the last, on 2025-08-01; 12 months on 2026-08-01"
    for date, history, shown in (("2026-04-10", paid, {"t.or": f"8 {study}", "t.parts": f"{read}; 8 {study}"}),
                                 ("2026-07-10", paid, {"t.or": f"11 {study}", "t.parts": f"11 {study}"}),
                                 ("2026-04-10", paid[:1], {"t.or": read, "t.parts": read}),
                                 ("2026-07-10", paid[:1], {"t.or": ""})):
        data = {"lines": [{"code": "77067", "date": date, "units": 2}]}
        for indexed in (True, False):
            result = rules.evaluate(data, history=history, explain=True, indexed=indexed)
            messages = {finding.rule: finding.message for finding in result.findings}
            expected = {"t.or": f"77067: too soon ({shown['t.or']})", "t.plain": "too soon"}
            if "t.parts" in shown:
                expected["t.parts"] = f"parts ({shown['t.parts']})"
            assert messages == expected
            steps = {s.rule: s.detail for s in result.explanation.steps}
            assert {rule: steps[rule] for rule in expected if rule != "t.plain"} == {
                rule: message for rule, message in expected.items() if rule != "t.plain"}
            assert steps["t.plain"] == "too soon" + (f"; {shown['t.or']}" if shown["t.or"] else "")


@pytest.mark.parametrize("comparison", ["months since last [77067] <= 11", "not months since last [77067] > 11",
                                        "months since last [77067] < 11.5", "months since last [77067] >= 12"])
def test_the_date_named_is_the_one_the_comparison_turns_on(comparison):
    """`<= 11`, `not ... > 11` and `< 11.5` turn at 12 months, as `< 12` does: the date named is the first date the
    service is paid (`<= 11` named 11 months and a date a month early). `>= 12` turns there too: its silent step
    names the date it will fire from."""
    rules = radrules.loads(f'rule t.freq\n  when line.code is 77067 and {comparison}\n'
                           '  then deny line "too soon"\n  reference "t"\nend\n')
    data = {"lines": [{"code": "77067", "date": "2026-03-10"}]}
    [step] = [s for s in rules.evaluate(data, history=[{"code": "77067", "date": "2025-06-20"}],
                                        explain=True).explanation.steps if s.rule == "t.freq"]
    assert step.outcome == ("silent" if ">=" in comparison else "fired")
    named = "9 months since the last, on 2025-06-20; 12 months on 2026-06-01"
    assert step.detail == (f"too soon; {named}" if step.outcome == "fired" else f"`{comparison}` is false; {named}")


def test_a_years_interval_from_29_february_turns_on_1_march():
    """Completed years from 29 February: a year later is 1 March (as `years since last` counts them)."""
    rules = radrules.loads('rule t.years\n  when line.code is 77067 and years since last [77067] < 1\n'
                           '  then warn line "years"\n  reference "t"\nend\n')
    data = {"lines": [{"code": "77067", "date": "2025-02-28"}]}
    [step] = [s for s in rules.evaluate(data, history=[{"code": "77067", "date": "2024-02-29"}],
                                        explain=True).explanation.steps if s.rule == "t.years"]
    assert step.detail == "years; 0 years since the last, on 2024-02-29; 1 year on 2025-03-01"


def test_a_second_limit_of_one_level_says_the_first_comes_first():
    """Two blocks of one level with a limit of one code in force on a date: the first row counts (a code has one
    limit a date), and the second block said "no line bills a code it lists" though the claim bills it."""
    rules = radrules.loads('limits a.mue\n  reference "r"\n  limit 74176 max 1 mai 2\nend\n'
                           'limits b.mue\n  reference "r"\n  limit 74176 max 5 mai 2\nend\n', name="x.rr")
    result = rules.evaluate(claim(("74176", "2026-03-02", {"units": 2})), explain=True)
    assert [f.rule for f in result.findings] == ["a.mue"]
    assert result.explanation.not_considered["b.mue"] == (
        "its limit 74176: the row of `a.mue` (x.rr:3) comes first on 2026-03-02 (a code has one limit a date)")
