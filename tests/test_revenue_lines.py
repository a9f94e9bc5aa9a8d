"""Lines of a revenue code alone: an institutional line with a revenue code and no procedure code (a pharmacy or
supply line) is read by every reader, keeps its number, and is judged only by what needs no code
(docs/claim-format.md#lines-without-a-procedure-code)."""

from __future__ import annotations

import io
import json
import pickle
import shutil
import textwrap
from pathlib import Path

import attrs
import pytest

import radrules
from radrules.cli import main as cli_main
from radrules.testing import Runner

DATA = Path(__file__).parent / "data"
CMS = DATA / "cms"
PTP_HEAD = "".join((CMS / "radiology-ccioph-v322r0-f1.TXT").read_text(encoding="latin-1").splitlines(True)[:6])
# 74176 is bundled into 74177 in the hospital table (indicator 0).
PAIRS = "74177\t74176\t\t20090101\t*\t0\tMisuse of column two code with column one code\n"
TABLES = ('table ptp "cms/ccioph-v322r0-f1.TXT" for institutional claims\n'
          'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" for institutional claims\n'
          'table addon "cms/aoc_v2026q3.csv" for institutional claims\n')
RULES = ('rule t.every_line "Every line"\n'
         '  when line.units > 0\n'
         '  then info line "line {line.code}"\n'
         '  reference "test"\n'
         'end\n\n'
         'rule t.many "Many lines"\n'
         '  when claim.line_count > 2\n'
         '  then review claim "{claim.line_count} lines"\n'
         '  reference "test"\n'
         'end\n\n'
         'rule t.pair "Any two lines of a date"\n'
         '  when other.units > 0\n'
         '  then info both "{line.code} with {other.code}"\n'
         '  reference "test"\n'
         'end\n')
DAY = "2026-07-01"
LINE = {"date": DAY, "revenue_code": "0255", "charge": 40}  # contrast (pharmacy) without a HCPCS code


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("revenue")
    (root / "cms").mkdir()
    (root / "cms" / "ccioph-v322r0-f1.TXT").write_text(PTP_HEAD + PAIRS, encoding="latin-1")
    for name in ("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", "aoc_v2026q3.csv"):
        shutil.copy(CMS / name, root / "cms" / name)
    (root / "tables.rr").write_text(TABLES, encoding="utf-8")
    (root / "rules.rr").write_text(RULES, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def rules(folder) -> radrules.Ruleset:
    return radrules.load(folder, cache_dir=None)


def hospital(*lines: dict, **fields) -> dict:
    return {"type": "institutional", "bill_type": "131", "lines": list(lines), **fields}


def ct(code: str) -> dict:
    return {"code": code, "date": DAY, "revenue_code": "0350"}


def found(result) -> list:
    return [(f.rule, f.lines, f.related_lines) for f in result.findings]


class TestClaim:
    def test_an_institutional_line_may_give_its_revenue_code_alone(self):
        """No `code` with a `revenue_code` on an institutional claim: the line's code is None, and to_dict leaves
        `code` out, so the claim reads back the same."""
        claim = radrules.Claim.from_dict(hospital(ct("74177"), LINE))
        assert [(line.code, line.revenue_code) for line in claim.lines] == [("74177", "0350"), (None, "0255")]
        assert "code" not in claim.to_dict()["lines"][1]
        assert radrules.Claim.from_dict(claim.to_dict()) == claim

    @pytest.mark.parametrize("data, error", [
        ({"lines": [LINE]}, "lines[0].code: required: only an institutional claim's line may give a revenue code "
                            "alone, and a claim without `type` is professional: give `type: institutional`"),
        ({"type": "professional", "lines": [LINE]}, "lines[0].code: required"),
        (hospital(ct("74177"), {"date": DAY}), "lines[1].code: required (an institutional line may leave it out "
                                                "only when it gives its `revenue_code`)"),
        (hospital({**LINE, "modifiers": ["JW"]}), "lines[0].modifiers: modifiers need a procedure code (the line "
                                                  "gives a revenue code alone)"),
        (hospital({**LINE, "code": ""}), "lines[0].code: must not be empty"),
        (hospital({**LINE, "revenue_code": "255"}), "lines[0].revenue_code: expected 4 digits"),
    ])
    def test_what_is_refused(self, data, error):
        """A professional line needs its code; an institutional one needs a code or a revenue code, and has no
        modifiers without a code; an empty code is still an empty code."""
        with pytest.raises(radrules.ClaimError) as raised:
            radrules.Claim.from_dict(data)
        assert str(raised.value) == error

    def test_a_claim_built_in_code(self, rules):
        """A Claim built in code with a Line of code None is checked as its JSON shape is, by evaluate()."""
        line = radrules.Line(code=None, date=radrules.Claim.from_dict(hospital(LINE)).lines[0].date,
                             revenue_code="0255")
        assert rules.evaluate(radrules.Claim(lines=(line,), type="institutional")).statuses == ("pay",)
        with pytest.raises(radrules.ClaimError, match=r"^lines\[0\]\.code: required$"):
            rules.evaluate(radrules.Claim(lines=(line,)))


class TestEvaluate:
    @pytest.mark.parametrize("indexed", [True, False])
    def test_the_other_lines_are_judged_under_their_own_numbers(self, rules, indexed):
        """The CT pair is denied by the hospital PTP table whichever line the pharmacy line is: findings name the
        lines as the claim numbers them, every line has a status, and the pharmacy line's is `pay`."""
        claim = hospital(LINE, ct("74177"), ct("74176"))
        result = rules.evaluate(claim, indexed=indexed)
        assert found(result) == [("ncci.ptp", (3,), (2,)), ("ncci.mue.unpublished", (3,), ()),
                                 ("t.many", (1, 2, 3), ()), ("t.every_line", (2,), ()), ("t.pair", (2, 3), ()),
                                 ("t.every_line", (3,), ())]
        assert result.statuses == ("review", "review", "deny")  # (t.many reviews the claim: every line)
        claim = hospital(ct("74177"), LINE, ct("74176"))
        result = rules.evaluate(claim, indexed=indexed)
        assert found(result) == [("ncci.ptp", (3,), (1,)), ("ncci.mue.unpublished", (3,), ()),
                                 ("t.every_line", (1,), ()), ("t.many", (1, 2, 3), ()), ("t.pair", (1, 3), ()),
                                 ("t.every_line", (3,), ())]
        assert result.statuses == ("review", "review", "deny")

    def test_only_what_needs_no_code_judges_the_line(self, rules):
        """Line and pair rules, the tables and format.code leave the line alone; a rule on the whole claim acts on
        it (and counts it), and so do the format checks of its dates."""
        result = rules.evaluate(hospital(ct("74177"), ct("74176"), LINE, received="2026-06-30"))
        assert found(result) == [
            ("format.date_after_received", (1,), ()), ("format.date_after_received", (2,), ()),
            ("format.date_after_received", (3,), ()), ("ncci.ptp", (2,), (1,)), ("ncci.mue.unpublished", (2,), ()),
            ("t.every_line", (1,), ()), ("t.many", (1, 2, 3), ()), ("t.pair", (1, 2), ()), ("t.every_line", (2,), ())]
        (late,) = [f for f in result.findings if f.rule == "format.date_after_received" and f.lines == (3,)]
        assert late.codes == ()
        assert result.statuses == ("deny", "deny", "deny")

    def test_the_pharmacy_line_s_status_is_pay_when_the_claim_is_clean(self, rules):
        """Without a finding on the whole claim, a line of a revenue code alone is `pay`."""
        result = rules.evaluate(hospital(ct("74177"), LINE))
        assert result.statuses == ("pay", "pay")
        assert result.status_of(2) == "pay"

    def test_a_claim_of_revenue_lines_only(self, rules):
        """A claim with no procedure code at all is judged by its claim rules and its format checks."""
        result = rules.evaluate(hospital(LINE, LINE, {**LINE, "end_date": "2026-06-30"}))
        assert found(result) == [("format.end_date", (3,), ()), ("t.many", (1, 2, 3), ())]
        assert result.statuses == ("review", "review", "deny")

    def test_a_span_on_the_pharmacy_line_does_not_change_the_others(self, rules):
        """A date span on a line without a code makes no span path of the coded lines' edits."""
        claim = hospital(ct("74177"), ct("74176"), {**LINE, "end_date": "2026-07-03"})
        assert ("ncci.ptp", (2,), (1,)) in found(rules.evaluate(claim))

    @pytest.mark.parametrize("indexed", [True, False])
    def test_the_result_numbers_the_lines_not_judged(self, rules, indexed):
        """`result.uncoded` numbers the lines of a revenue code alone, also with explain and after pickling, and
        their entries in to_dict() say so; a claim without one has none (and the plain Result type)."""
        claim = hospital(LINE, ct("74177"), LINE, ct("74176"))
        for result in (rules.evaluate(claim, indexed=indexed), rules.evaluate(claim, explain=True)):
            assert result.uncoded == (1, 3)
            assert pickle.loads(pickle.dumps(result)).uncoded == (1, 3)
            assert [line.get("note") for line in result.to_dict()["lines"]] == [
                "no procedure code: code edits not applied", None, "no procedure code: code edits not applied", None]
        assert rules.evaluate(claim) == rules.evaluate(claim, indexed=False)
        coded = rules.evaluate(hospital(ct("74177"), ct("74176")), indexed=indexed)
        assert coded.uncoded == () and type(coded) is radrules.Result
        assert all("note" not in line for line in coded.to_dict()["lines"])

    def test_explain(self, rules):
        """explain says why the line was not judged for a code, and lists it with the claim rules' lines."""
        result = rules.evaluate(hospital(ct("74177"), LINE, ct("74176")), explain=True)
        text = result.explanation.render()
        assert ("line 2 (revenue code 0255): not applicable: line 2 gives revenue code 0255 and no procedure "
                "code") in text
        assert "lines 1, 2, 3 (74177, revenue code 0255, 74176): fired: 3 lines" in text
        assert set(result.explanation.fired()) == {f.rule for f in result.findings}


REVENUE_RULES = ('rule t.professional "A practitioner\'s service on a hospital claim"\n'
                 '  when line.revenue_code in [096X, 0970-0989] and line.revenue_code is not 0985\n'
                 '  then info line "{line.code} under {line.revenue_code}"\n'
                 '  reference "test"\n'
                 'end\n\n'
                 'rule t.no_revenue "A hospital line without a revenue code"\n'
                 '  for institutional claims\n'
                 '  when line.revenue_code is missing\n'
                 '  then warn line "{line.code}"\n'
                 '  reference "test"\n'
                 'end\n\n'
                 'rule t.same_revenue "Two lines of one revenue code"\n'
                 '  when other.revenue_code = line.revenue_code\n'
                 '  then info both "{line.revenue_code}"\n'
                 '  reference "test"\n'
                 'end\n')


def revenue_rule(condition: str) -> str:
    return f'rule t.r "r"\n  when {condition}\n  then info line "{{line.code}}"\n  reference "test"\nend\n'


class TestRevenueCodeField:
    @pytest.mark.parametrize("indexed", [True, False])
    def test_rules_read_a_line_s_revenue_code(self, indexed):
        """`line.revenue_code` takes single codes, ranges and NUBC's `096X` (0960-0969); a line without one is
        unknown to `in` and `is not` (no finding) and missing to `is missing`; a line of a revenue code alone
        stays unjudged by line and pair rules."""
        rules = radrules.loads(REVENUE_RULES)
        claim = hospital(ct("74177"), {**ct("74177"), "revenue_code": "0960"}, {**ct("74177"), "revenue_code": "0985"},
                         {"code": "74177", "date": DAY}, {**ct("74176"), "revenue_code": "0972"},
                         {"date": DAY, "revenue_code": "0971"}, {"date": DAY, "revenue_code": "0350"}, ct("74176"))
        result = rules.evaluate(claim, indexed=indexed)
        assert [(f.rule, f.lines, f.message) for f in result.findings] == [
            ("t.same_revenue", (1, 8), "0350"), ("t.professional", (2,), "74177 under 0960"),
            ("t.no_revenue", (4,), "74177"), ("t.professional", (5,), "74176 under 0972")]

    @pytest.mark.parametrize("indexed", [True, False])
    def test_rules_read_the_claim_s_revenue_codes(self, indexed):
        """`claim.revenue_codes` holds every line's revenue code, a line of a revenue code alone too: a hospital's
        prior-authorization rule can spare a CT billed with an emergency room line (045X), which no pair rule
        could see (a payer migration specialist's finding)."""
        rules = radrules.loads('rule t.pa "PA"\n  for institutional claims\n'
                               '  when line.code in [70450] and claim.revenue_codes has none of [045X, 0762]\n'
                               '  then deny line "{line.code}: no authorization"\n  carc CO-197\n  reference "t"\n'
                               'end\n', name="pa.rr")
        scan = hospital({"code": "70450", "date": DAY, "revenue_code": "0350"})
        assert [f.lines for f in rules.evaluate(scan, indexed=indexed).findings] == [(1,)]
        for emergency in ("0450", "0459", "0762"):
            claim = hospital({"code": "70450", "date": DAY, "revenue_code": "0350"},
                             {"date": DAY, "revenue_code": emergency})
            assert rules.evaluate(claim, indexed=indexed).findings == (), emergency
        office = {"type": "professional", "lines": [{"code": "70450", "date": DAY}]}  # (no revenue codes at all)
        assert radrules.loads('rule t.any "any"\n  when claim.revenue_codes has any of [035X]\n  then info line "x"\n'
                              '  reference "t"\nend\n').evaluate(office).findings == ()

    @pytest.mark.parametrize("written, members", [
        ("096X-098X", ("0960", "0989", 30)), ("0960-097X", ("0960", "0979", 20)), ("096X-0972", ("0960", "0972", 13))])
    def test_a_range_of_nubc_categories(self, written, members):
        """`096X-098X`, as CMS manuals and NUBC write it, runs from 0960 to 0989; a category at either end
        stands for its first code at the start and its last at the end."""
        rules = radrules.loads(revenue_rule(f"line.revenue_code in [{written}]"), name="revenue.rr")
        (rule,) = [r for r in rules.rules if r.info.id == "t.r"]
        values = sorted(rule.condition.values)
        assert (values[0], values[-1], len(values)) == members

    @pytest.mark.parametrize("condition, code, message, hint", [
        ("line.revenue_code in [255]", "RR223", "`255` is not a valid revenue code",
         "revenue codes have four digits, e.g. `0255`; `096X` is 0960-0969"),
        ("line.revenue_code in professional", "RR223", "`professional` is not a valid revenue code",
         "revenue codes have four digits, e.g. `0255`; `096X` is 0960-0969; they are written in the rule, not named"),
        ("line.revenue_code is 255", "RR210", "`255` is not a revenue code", "revenue codes have four digits, e.g. "
         "`0255`"),
        ("line.revenue_code is 096X", "RR210", "`096X` is not a revenue code",
         "`096X` stands for ten codes: test them with `in 096X`"),
        ("line.revenue_code > 0960", "RR209", "`>` needs numbers or dates, but `line.revenue_code` is a revenue code",
         "use `is`, `is not`, `in` or `has`"),
        ("line.rev is 0960", "RR204", "unknown field `rev` of `line`", "did you mean `revenue_code`?"),
        ("claim.revenue_code is 0960", "RR204", "unknown field `revenue_code` of `claim`",
         "did you mean `line.revenue_code`?"),
        ("claim.revenue_codes is 0960", "RR209", "`claim.revenue_codes` is a list of revenue codes; test its members "
         "with `has`", "write `claim.revenue_codes has 0960`"),
        ("claim.revenue_codes has any of [255]", "RR223", "`255` is not a valid revenue code",
         "revenue codes have four digits, e.g. `0255`; `096X` is 0960-0969"),
    ])
    def test_errors(self, condition, code, message, hint):
        """Codes that are not 4 digits, a set by name, a category where one code is meant, an ordering, and the
        field misspelt or on the claim are told as other fields' are."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(revenue_rule(condition), name="revenue.rr")
        (diagnostic,) = caught.value.diagnostics
        assert (diagnostic.code, diagnostic.message, diagnostic.help) == (code, message, hint)


NO_CODE_RULES = ('rule t.needs_code "An imaging revenue code without its code"\n'
                 '  for institutional claims\n'
                 '  when line.code is missing and line.revenue_code in [035X]\n'
                 '  then deny line "{line.revenue_code} without a code ({line.code})"\n'
                 '  reference "test"\n'
                 'end\n\n'
                 'rule t.dated "Only from August"\n'
                 '  effective 2026-08-01\n'
                 '  when line.revenue_code is present and line.code is missing\n'
                 '  then warn line "{line.revenue_code}"\n'
                 '  reference "test"\n'
                 'end\n\n'
                 'rule t.either "`is missing` under `or`: never a line without a code"\n'
                 '  when line.code is missing or line.revenue_code in [0255]\n'
                 '  then info line "{line.revenue_code}"\n'
                 '  reference "test"\n'
                 'end\n\n'
                 'rule t.coded "A coded line of 035X"\n'
                 '  when line.revenue_code in [035X]\n'
                 '  then info line "{line.code}"\n'
                 '  reference "test"\n'
                 'end\n')


class TestRulesThatAskForNoCode:
    @pytest.mark.parametrize("indexed", [True, False])
    def test_they_judge_the_lines_of_a_revenue_code_alone_and_only_them(self, indexed):
        """A line rule with `line.code is missing` at the top judges the lines without a code (in their dates'
        windows), never a coded one; any other line rule still never meets those lines; the result still notes
        them."""
        rules = radrules.loads(NO_CODE_RULES, name="no_code.rr")
        claim = hospital(ct("74177"), {"date": DAY, "revenue_code": "0350"}, LINE,
                         {"date": "2026-08-03", "revenue_code": "0351"})
        result = rules.evaluate(claim, indexed=indexed)
        assert [(f.rule, f.lines, f.severity, f.message) for f in result.findings] == [
            ("t.coded", (1,), "info", "74177"), ("t.needs_code", (2,), "deny", "0350 without a code (none)"),
            ("t.dated", (4,), "warn", "0351"), ("t.needs_code", (4,), "deny", "0351 without a code (none)")]
        assert result.statuses == ("pay", "deny", "pay", "deny")
        assert result.uncoded == (2, 3, 4)
        assert rules.evaluate(claim, indexed=not indexed) == result

    @pytest.mark.parametrize("indexed", [True, False])
    def test_a_test_of_the_code_is_unknown_on_such_a_line(self, indexed):
        """Beside `line.code is missing`, a test of the code is unknown (the line has none), under `not` and in
        an `or` too: `not line.code in [...]` does not make the rule fire, `or` a true part does."""
        rules = radrules.loads(
            'rule t.not "n"\n  for institutional claims\n  when line.code is missing and not (line.code in [74177])\n'
            '  then info line "not"\n  reference "t"\nend\n\n'
            'rule t.or "o"\n  for institutional claims\n'
            '  when line.code is missing and (line.code != 74177 or line.revenue_code in [0350])\n'
            '  then info line "or"\n  reference "t"\nend\n', name="u.rr")
        result = rules.evaluate(hospital(ct("74177"), {"date": DAY, "revenue_code": "0350"}, LINE), indexed=indexed)
        assert [(f.rule, f.lines) for f in result.findings] == [("t.or", (2,))]

    def test_a_claim_without_such_lines_is_not_judged_by_them(self):
        rules = radrules.loads(NO_CODE_RULES, name="no_code.rr")
        result = rules.evaluate(hospital(ct("74177"), ct("74176")))
        assert result.fired() == ("t.coded",)

    def test_explain_lists_them_under_the_lines_they_judge(self):
        rules = radrules.loads(NO_CODE_RULES, name="no_code.rr")
        result = rules.evaluate(hospital(ct("74177"), {"date": DAY, "revenue_code": "0350"}, LINE), explain=True)
        steps = [(step.rule, step.lines, step.outcome) for step in result.explanation.steps
                 if step.rule in ("t.needs_code", "t.dated")]
        assert steps == [("t.needs_code", (2,), "fired"), ("t.dated", (2,), "out of dates"),
                         ("t.needs_code", (3,), "silent"), ("t.dated", (3,), "out of dates")]
        assert set(result.explanation.fired()) == {f.rule for f in result.findings}
        assert "and those that ask `line.code is missing` judge it" in result.explanation.render()

    @pytest.mark.parametrize("rule, why", [
        ('rule t.w "w"\n  when line.code is missing and other.code in [74177]\n  then info line "x"\n',
         "it asks for a line without a procedure code, which no pair rule compares (only a rule on one line)"),
        ('rule t.w "w"\n  when other.code is missing and other.units > 1\n  then info both "x"\n',
         "it asks for a line without a procedure code, which no pair rule compares (only a rule on one line)"),
        ('rule t.w "w"\n  for professional claims\n  when line.code is missing\n  then info line "x"\n',
         "it judges professional claims only (its `for` clause), whose lines all have a procedure code, and asks "
         "for none (`line.code is missing`)"),
        ('rule t.w "w"\n  when line.code is missing and line.code in [74177, 74176]\n  then info line "x"\n',
         "it asks for a line without a procedure code (`line.code is missing`) and tests the code, which such a "
         "line does not have"),
        ('rule t.w "w"\n  when line.code is missing and not line.code in [74177]\n  then info line "x"\n',
         "it asks for a line without a procedure code (`line.code is missing`) and tests the code, which such a "
         "line does not have"),
        ('rule t.w "w"\n  when line.code is missing and line.pctc = 1\n  then info line "x"\n',
         "it asks for a line without a procedure code (`line.code is missing`) and tests the code, which such a "
         "line does not have"),
    ])
    def test_a_rule_that_can_never_meet_such_a_line_is_warned(self, rule, why):
        rules = radrules.loads(rule + '  reference "test"\nend\n', name="w.rr")
        (warning,) = [d for d in rules.warnings if d.code == "RR264"]
        assert warning.message == f"rule `t.w` can never fire: {why}"

    def test_a_rule_that_can_meet_such_a_line_is_not_warned(self):
        rules = radrules.loads(NO_CODE_RULES, name="no_code.rr")
        assert [d.code for d in rules.warnings if d.code == "RR264"] == []

    @pytest.mark.parametrize("part", [
        "(line.code in [70450] or line.revenue_code in [035X])", "not line.code is present",
        "(line.code is missing or line.units > 9)", "not (line.code in [70450] and line.units > 9)",
    ])
    def test_a_part_that_reads_the_code_and_may_still_be_decided_is_not_warned(self, part):
        """Unknown `or` true is true, and `is present` is decided: such a rule fires, so no RR264."""
        rules = radrules.loads(f'rule t.r "r"\n  for institutional claims\n  when line.code is missing and {part}\n'
                               '  then info line "x"\n  reference "t"\nend\n', name="p.rr")
        assert [d.code for d in rules.warnings if d.code == "RR264"] == []
        result = rules.evaluate(hospital({"date": DAY, "revenue_code": "0350"}))
        assert result.fired() == ("t.r",)


ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260320*1200*^*00501*000000001*0*T*:~"
HEAD_837I = [
    "GS*HC*SENDER*RECEIVER*20260320*1200*1*X*005010X223A2",
    "ST*837*0001*005010X223A2",
    "BHT*0019*00*B1*20260320*1200*CH",
    "HL*1**20*1",
    "NM1*85*2*GENERAL HOSPITAL*****XX*1234567893",
    "HL*2*1*22*0",
    "SBR*P*18*******MA",
    "NM1*IL*1*EXAMPLE*PAT****MI*M1",
    "DMG*D8*19500101*F",
    "NM1*PR*2*MEDICARE A*****PI*P1",
    "CLM*H100*100***13:A:1**A*Y*Y",
    "DTP*434*RD8*20260701-20260701",
    "DTP*050*D8*20260720",
    "HI*ABK:R109",
]


def x12(*lines: str) -> str:
    segments = HEAD_837I + [segment for number, line in enumerate(lines, 1)
                            for segment in (f"LX*{number}", line, "DTP*472*D8*20260701")]
    return ISA + "~".join(segments) + f"~SE*{len(segments)}*0001~GE*1*1~IEA*1*000000001~"  # (ST through SE)


class TestReaders:
    def test_x12_sv2_without_a_hcpcs_code(self, rules):
        """An SV2 with SV201 and an empty SV202 is a line of a revenue code alone; the claim is judged (the
        claim the reviewers found unreadable: 74176's PTP denial is reported)."""
        text = x12("SV2*0350*HC:74177*100*UN*1", "SV2*0350*HC:74176*100*UN*1", "SV2*0255**100*UN*1")
        (claim,) = radrules.read_x12(io.StringIO(text))
        assert [(line.code, line.revenue_code, line.modifiers) for line in claim.lines] == [
            ("74177", "0350", ()), ("74176", "0350", ()), (None, "0255", ())]
        result = rules.evaluate(claim)
        assert ("ncci.ptp", (2,), (1,)) in found(result)
        assert result.statuses == ("review", "deny", "review")

    @pytest.mark.parametrize("line, problem", [
        ("SV2***100*UN*1", "SV202 (the procedure code) is empty, and SV201 (the revenue code) too"),
        ("SV2*0255*HC*100*UN*1", "SV202-2 (the procedure code) is empty"),
    ])
    def test_x12_lines_still_refused(self, line, problem):
        """An SV2 with neither code, or an HC qualifier without its code, still makes the claim unreadable."""
        (error,) = radrules.read_x12(io.StringIO(x12("SV2*0350*HC:74177*100*UN*1", line)))
        assert isinstance(error, radrules.InputError)
        assert (error.segment_id, error.problem) == ("SV2", problem)

    def test_x12_837p_line_without_a_code(self):
        """An 837P line needs its procedure code, as before."""
        text = x12("SV2*0350*HC:74177*100*UN*1").replace("SV2*0350*HC:74177*100*UN*1", "SV1**100*UN*1***1")
        text = text.replace("005010X223A2", "005010X222A1").replace("CLM*H100*100***13:A:1", "CLM*H100*100***11:B:1")
        (error,) = radrules.read_x12(io.StringIO(text))
        assert isinstance(error, radrules.InputError)
        assert error.problem == "SV101 (the procedure code) is empty; radrules needs a CPT/HCPCS code on every line"

    def fhir(self, claim_type: str, *items: dict) -> dict:
        return {"resourceType": "Claim", "id": "H1",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                     "code": claim_type}]},
                "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [
                    {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R10.9"}]}}],
                "item": [{"sequence": number, "servicedDate": DAY, **item} for number, item in enumerate(items, 1)]}

    REVENUE = "https://www.nubc.org/CodeSystem/RevenueCodes"
    ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
    CPT = "http://www.ama-assn.org/go/cpt"

    def test_fhir_institutional_items_without_a_cpt_code(self):
        """An institutional item whose productOrService is a revenue code or a data-absent reason has no code;
        its revenue code is `revenue`'s, else productOrService's."""
        data = self.fhir(
            "institutional",
            {"productOrService": {"coding": [{"system": self.CPT, "code": "74177"}]},
             "revenue": {"coding": [{"system": self.REVENUE, "code": "0350"}]}},
            {"productOrService": {"coding": [{"system": self.REVENUE, "code": "0255"}]}},
            {"productOrService": {"coding": [{"system": self.ABSENT, "code": "not-applicable"}]},
             "revenue": {"coding": [{"system": self.REVENUE, "code": "0272"}]}})
        (claim,) = radrules.read_fhir(data)
        assert [(line.code, line.revenue_code) for line in claim.lines] == [
            ("74177", "0350"), (None, "0255"), (None, "0272")]

    def test_fhir_claim_response_marks_the_lines_not_judged(self, rules):
        """The ClaimResponse says of a line of a revenue code alone what the result and the CLI say: one
        processNote, named by that item's noteNumber; a coded claim's response has no such note."""
        data = self.fhir(
            "institutional",
            {"productOrService": {"coding": [{"system": self.CPT, "code": "74177"}]},
             "revenue": {"coding": [{"system": self.REVENUE, "code": "0350"}]}},
            {"productOrService": {"coding": [{"system": self.REVENUE, "code": "0255"}]}})
        (claim,) = radrules.read_fhir(data)
        response = radrules.to_fhir_claim_response(rules.evaluate(claim), data, created="2026-07-20")
        notes = {note["number"]: note["text"] for note in response.get("processNote", [])}
        marked = [[notes[n] for n in item.get("noteNumber", [])] for item in response["item"]]
        assert marked[1].count("no procedure code: code edits not applied") == 1
        assert "no procedure code: code edits not applied" not in marked[0]
        coded = self.fhir("institutional", {"productOrService": {"coding": [{"system": self.CPT, "code": "74177"}]},
                                            "revenue": {"coding": [{"system": self.REVENUE, "code": "0350"}]}})
        (claim,) = radrules.read_fhir(coded)
        response = radrules.to_fhir_claim_response(rules.evaluate(claim), coded, created="2026-07-20")
        notes = response.get("processNote", [])
        assert all(note["text"] != "no procedure code: code edits not applied" for note in notes)

    def test_fhir_items_still_refused(self):
        """A professional item without a CPT/HCPCS code, and an institutional one without any revenue code, make
        the claim unreadable."""
        absent = {"productOrService": {"coding": [{"system": self.ABSENT, "code": "not-applicable"}]}}
        (error,) = radrules.read_fhir(self.fhir("professional", absent))
        assert isinstance(error, radrules.InputError)
        assert "item[0].productOrService: a revenue code or a data-absent reason, no CPT/HCPCS code" in str(error)
        (error,) = radrules.read_fhir(self.fhir("institutional", absent))
        assert isinstance(error, radrules.InputError)
        assert ("item[0].productOrService: required (an institutional line may leave it out only when it gives "
                "its `revenue_code`)") in str(error)


class TestCommandLine:
    def test_eval_text_and_json(self, folder, tmp_path, capsys):
        """`radrules eval` on the 837I: the claim is read, its three lines shown, the PTP denial on line 2."""
        path = tmp_path / "h.837"
        path.write_text(x12("SV2*0350*HC:74177*100*UN*1", "SV2*0350*HC:74176*100*UN*1", "SV2*0255**100*UN*1"),
                        encoding="ascii")
        options = ["--rules", str(folder), "--cache-dir", str(tmp_path / "cache")]
        assert cli_main(["eval", *options, str(path)]) == 2  # (a claim failed)
        out = capsys.readouterr().out
        assert out.startswith("claim H100: FAIL  (lines: 1 review, 2 deny, 3 review)\n"
                              "  note   line 3     no procedure code: code edits not applied\n")
        assert "ncci.ptp (ptp)" in out
        assert cli_main(["eval", *options, "--format", "json", str(path)]) == 2  # (a claim failed)
        (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert row["lines"] == [{"line": 1, "status": "review"}, {"line": 2, "status": "deny"},
                                {"line": 3, "status": "review", "note": "no procedure code: code edits not applied"}]
        summary_file = tmp_path / "summary.json"
        assert cli_main(["eval", *options, "--summary-json", str(summary_file), str(path)]) == 2
        assert "(0 pay, 1 deny, 2 review; 1 without a procedure code)" in capsys.readouterr().err
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        assert summary["lines_not_judged"] == 1 and sum(summary["lines"].values()) == 3

    @pytest.mark.parametrize("output", ["json", "text", "fhir"])
    def test_a_finding_on_a_line_without_a_code_in_every_output(self, tmp_path, capsys, output):
        """The bundled Medicare rule on an imaging revenue code without its code: its finding names no code (it
        named None, and the JSON output stopped on it, losing every claim of the batch), in every output."""
        path = tmp_path / "claims.jsonl"
        claims = [hospital(ct("74177"), {"date": DAY, "revenue_code": "0350"}, LINE, payer="medicare"),
                  hospital(ct("74177"), payer="medicare")]
        path.write_text("".join(json.dumps({**c, "id": f"H{n}"}) + "\n" for n, c in enumerate(claims)),
                        encoding="utf-8")
        assert cli_main(["eval", "--format", output, "--cache-dir", str(tmp_path / "cache"), str(path)]) == 2
        out = capsys.readouterr().out
        assert "medicare.revenue_code_needs_hcpcs" in out and "H1" in out
        if output == "json":
            first, second = [json.loads(line) for line in out.splitlines()]
            (finding,) = [f for f in first["findings"] if f["rule"] == "medicare.revenue_code_needs_hcpcs"]
            assert finding["codes"] == [] and finding["lines"] == [1, 2, 3]
            assert second["claim"] == "H1"
        result = radrules.load().evaluate(claims[0])
        assert [f.codes for f in result.findings if f.rule == "medicare.revenue_code_needs_hcpcs"] == [()]

    def test_coded_claims_print_no_note(self, folder, tmp_path, capsys):
        """A hospital claim whose lines all have codes prints as before: no `note` row, no `note` key."""
        path = tmp_path / "h.837"
        path.write_text(x12("SV2*0350*HC:74177*100*UN*1", "SV2*0350*HC:74176*100*UN*1"), encoding="ascii")
        options = ["--rules", str(folder), "--cache-dir", str(tmp_path / "cache")]
        cli_main(["eval", *options, str(path)])
        assert "note" not in capsys.readouterr().out
        cli_main(["eval", *options, "--format", "json", str(path)])
        (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert row["lines"] == [{"line": 1, "status": "pay"}, {"line": 2, "status": "deny"}]


class TestRuleTests:
    def test_a_compact_line_of_a_revenue_code_alone(self, tmp_path):
        """`DATE rev REVENUE` writes such a line in a test claim; `rev` after a code gives a coded line its
        revenue code; on a professional claim the line is RR613 at its revenue code."""
        (tmp_path / "t.rr").write_text(RULES, encoding="utf-8")
        (tmp_path / "t.rrt").write_text(textwrap.dedent("""\
            rules "t.rr"
            test "the pharmacy line keeps its place"
              claim type institutional
                2026-07-01 rev 0255 x1 charge 40.00
                2026-07-01 74177 rev 0350
                2026-07-01 74176 rev 0350
              expect t.many on lines 1, 2, 3
              expect t.every_line on line 2
              expect t.every_line on line 3
              expect no t.every_line on line 1
            end
            test "professional"
              claim
                2026-07-01 rev 0255
              expect pass
            end
            """), encoding="utf-8")
        report = Runner().run([tmp_path / "t.rrt"])
        assert [(o.name, o.status) for o in report.outcomes] == [("the pharmacy line keeps its place", "passed"),
                                                                 ("professional", "error")]
        (problem,) = report.outcomes[1].diagnostics
        assert (problem.code, problem.message) == (
            "RR613", "bad claim: lines[0].code: required: only an institutional claim's line may give a revenue code "
                     "alone, and a claim without `type` is professional: give `type: institutional`")
        assert (problem.span.line, problem.span.column) == (14, 20)  # the revenue code


def test_claim_line_views_are_not_changed_for_coded_claims(rules):
    """A claim whose lines all have codes keeps one line view a line (the common path is unchanged)."""
    from radrules.evaluation import Evaluation
    claim = radrules.Claim.from_dict(hospital(ct("74177"), ct("74176")))
    ev = Evaluation(claim, rules.view_of(claim))
    assert ev.uncoded == () and [line.number for line in ev.lines] == [1, 2]
    claim = attrs.evolve(claim, lines=(*claim.lines, radrules.Claim.from_dict(hospital(LINE)).lines[0]))
    ev = Evaluation(radrules.Claim.from_dict(claim.to_dict()), rules.view_of(claim))
    assert [line.number for line in ev.uncoded] == [3] and [line.number for line in ev.lines] == [1, 2]
    assert set(ev.by_day) == {ev.lines[0].day} and len(ev.by_day[ev.lines[0].day]) == 2
