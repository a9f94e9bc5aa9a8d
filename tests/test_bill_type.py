"""The type of bill and the national tables: a Part A bill (inpatient, swing bed, hospice) is not judged by the
hospital outpatient PTP, MUE and add-on tables (docs/tables.md); every other institutional claim, and one without a
type of bill, is."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import radrules
from radrules.testing import looks_at

DATA = Path(__file__).parent / "data"
CMS = DATA / "cms"
# The six lines of notice and header of a PTP part, as the test tables have them.
PTP_HEAD = "".join((CMS / "radiology-ccioph-v322r0-f1.TXT").read_text(encoding="latin-1").splitlines(True)[:6])
HOSPITAL_PAIRS = ("76700\t76705\t\t20090101\t*\t1\tCPT Manual or CMS manual coding instruction\n"
                  "74177\t71046\t\t20090101\t*\t0\tMisuse of column two code with column one code\n"
                  "74176\t74150\t\t20090101\t*\t0\tMisuse of column two code with column one code\n")
TABLES = ('table ptp "cms/ccioph-v322r0-f1.TXT" for institutional claims\n'
          'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" for institutional claims\n'
          'table addon "cms/aoc_v2026q3.csv" for institutional claims\n'
          'table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n')
RULES = ('rule t.inpatient "Inpatient bill"\n'
         '  when claim.bill_type in [111, 211]\n'
         '  then warn claim "inpatient bill {claim.bill_type}"\n'
         '  reference "test"\n'
         'end\n\n'
         'pairs t.own "The payer\'s own hospital pairs"\n'
         '  for institutional claims\n'
         '  reference "test"\n'
         '  pair 70450 with 70486 modifier not allowed\n'
         'end\n')
# Lines that each table judges: a PTP pair (line 2 denied), an MUE limit of 1 (3 units), an add-on code without
# its primary, a pair of the rule file's own (line 6 denied).
LINES = (("76700", 1), ("76705", 1), ("74177", 3), ("77063", 1), ("70450", 1), ("70486", 1))
TABLE_FINDINGS = [("ncci.ptp", (2,)), ("ncci.mue", (3,)), ("ncci.addon", (4,))]


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> radrules.Ruleset:
    return radrules.load(_ruleset(tmp_path_factory.mktemp("bill")), cache_dir=None)


def _ruleset(root: Path) -> Path:
    (root / "cms").mkdir(parents=True)
    (root / "cms" / "ccioph-v322r0-f1.TXT").write_text(PTP_HEAD + HOSPITAL_PAIRS, encoding="latin-1")
    for name in ("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", "aoc_v2026q3.csv",
                 "radiology-ptp-v321r0-f1.TXT"):
        shutil.copy(CMS / name, root / "cms" / name)
    (root / "tables.rr").write_text(TABLES, encoding="utf-8")
    (root / "rules.rr").write_text(RULES, encoding="utf-8")
    return root


def claim(bill_type: str | None = None, claim_type: str = "institutional", lines=LINES) -> dict:
    out = {"id": "B-1", "type": claim_type, "payer": "medicare", "diagnoses": ["R10.9"],
           "lines": [{"code": code, "units": units, "date": "2026-08-03", "diagnosis_pointers": [1]}
                     for code, units in lines]}
    if bill_type is not None:
        out["bill_type"] = bill_type
    return out


def found(result) -> list[tuple]:
    return [(f.rule, f.lines) for f in result.findings if f.rule != "ncci.mue.unpublished"]


class TestTablesByBillType:
    @pytest.mark.parametrize("bill_type", [None, "131", "0131", "121", "141", "851", "221", "231", "341", "721",
                                           "741", "751", "761", "321", "711", "771", "13Q", "013q", "85Q"])
    def test_outpatient_and_unknown_bills_get_the_hospital_tables(self, rules, bill_type):
        """Outpatient (13x), inpatient Part B (12x), non-patient (14x), critical access hospital (85x), SNF Part B
        (22x, 23x), home health Part B (34x), ESRD (72x), ORF (74x), CORF (75x) and CMHC (76x) bills get the
        hospital outpatient edits, and so do the bills no source settles (home health 32x, RHC 71x, FQHC 77x)
        and a claim without a type of bill; a reopening (`13Q`) as any other of its kind."""
        for indexed in (True, False):
            result = rules.evaluate(claim(bill_type), indexed=indexed)
            assert sorted(found(result)) == sorted(TABLE_FINDINGS + [("t.own", (6,))])
            assert any(f.rule == "ncci.mue.unpublished" for f in result.findings)

    @pytest.mark.parametrize("bill_type", ["111", "0111", "117", "211", "411", "11Q", "21Q"])
    def test_inpatient_bills_get_no_table_edits(self, rules, bill_type):
        """An inpatient (Part A) bill of a hospital, a SNF or a religious nonmedical institution gets no PTP,
        MUE (nor `ncci.mue.unpublished`) or add-on finding of the tables; the rule files' own rules and pairs
        still judge it."""
        for indexed in (True, False):
            result = rules.evaluate(claim(bill_type), indexed=indexed)
            inpatient = [("t.inpatient", (1, 2, 3, 4, 5, 6))] if bill_type[-3:] in ("111", "211") else []
            assert sorted(found(result)) == sorted(inpatient + [("t.own", (6,))])
            assert not any(f.rule.startswith("ncci.") for f in result.findings)

    def test_an_inpatient_bill_is_no_primary_of_a_table_add_on_code(self, rules):
        """With the tables left out, a table's add-on code is a plain code: its primary is not asked for."""
        assert found(rules.evaluate(claim("131", lines=(("77063", 1),)))) == [("ncci.addon", (1,))]
        assert found(rules.evaluate(claim("117", lines=(("77063", 1),)))) == []

    def test_a_professional_claim_with_a_bill_type_is_refused(self, rules):
        """The type of bill is an institutional claim's: a professional claim (or one without `type`, which is
        professional) with one is refused, not judged with the practitioner table."""
        lines = (("71046", 1), ("71045", 1))
        result = rules.evaluate(claim(None, "professional", lines))
        assert [f.lines for f in result.findings if f.rule == "ncci.ptp"] == [(2,)]
        with pytest.raises(radrules.ClaimError, match="^bill_type: a field of institutional claims, and the claim's"):
            rules.evaluate(claim("111", "professional", lines))
        untyped = claim("111", "professional", lines)
        del untyped["type"]
        with pytest.raises(radrules.ClaimError, match="give `type: institutional`$"):
            rules.evaluate(untyped)

    def test_a_view_without_tables_only_where_institutional_tables_are_loaded(self, rules):
        """Only an institutional view with a table to leave out has a view without tables."""
        assert rules.view_for(None, "professional").without_tables is None
        view = rules.view_for(None, "institutional")
        inpatient = view.without_tables
        assert (inpatient.ptp_tables, inpatient.mue_tables, inpatient.addon_tables) == (None, None, None)
        assert view.of_bill("111") is inpatient and view.of_bill("131") is view and view.of_bill(None) is view
        bare = radrules.loads('rule t.r "r"\n  when line.code is 70450\n  then warn line "r"\n  reference "t"\nend\n',
                              name="bare.rr")
        assert bare.view_for(None, "institutional").without_tables is None

    def test_the_same_after_pickling(self, rules):
        import pickle

        copy = pickle.loads(pickle.dumps(rules))
        for bill_type in ("111", "131"):
            assert copy.evaluate(claim(bill_type)).findings == rules.evaluate(claim(bill_type)).findings


class TestSwingBedAndHospiceBills:
    """Swing bed (18x, 28x) and hospice (81x, 82x) bills are Part A bills: the tables leave them out as they do
    inpatient bills, through evaluate() (both paths) and explain."""

    @pytest.mark.parametrize("bill_type, left_out, judged", [
        ("181", "a hospital swing bed (Part A) bill", "121"),  # the swing bed patient's Part B services: 12x
        ("0281", "a skilled nursing facility swing bed (Part A) bill", "221"),
        ("811", "a hospice (non-hospital based, Part A) bill", "131"),  # a hospice patient's hospital outpatient bill
        ("822", "a hospice (hospital based, Part A) bill", "131"),
    ])
    def test_left_out_where_a_part_b_bill_is_judged(self, rules, bill_type, left_out, judged):
        for indexed in (True, False):
            assert sorted(found(rules.evaluate(claim(judged), indexed=indexed))) == sorted(
                TABLE_FINDINGS + [("t.own", (6,))])
            result = rules.evaluate(claim(bill_type), indexed=indexed)
            assert found(result) == [("t.own", (6,))]
            assert not any(f.rule.startswith("ncci.") for f in result.findings)
        explanation = rules.evaluate(claim(bill_type), explain=True).explanation
        reason = (f"the claim's type of bill {bill_type[-3:]} is {left_out}, which the national edits do not judge: "
                  f"the hospital outpatient tables are for Part B claims (docs/tables.md)")
        for rule_id in ("ncci.ptp", "ncci.mue", "ncci.addon", "ncci.mue.unpublished"):
            assert explanation.not_considered[rule_id] == reason
        assert explanation.fired() == ("t.own",)
        judged_explanation = rules.evaluate(claim(judged), explain=True).explanation
        assert {"ncci.ptp", "ncci.mue", "ncci.addon"} <= set(judged_explanation.fired())
        assert not looks_at(rules, "ncci.ptp", radrules.Claim.from_dict(claim(bill_type)))


class TestReaders:
    def test_x12_837i(self, rules):
        """The type of bill of an 837I (CLM05-1 and CLM05-3) decides: `11:A:1` gets no table edit, `13:A:1` does."""
        text = (DATA / "x12" / "radiology-837i.edi").read_text(encoding="utf-8")
        outpatient = next(iter(radrules.read_x12(io.StringIO(text))))
        inpatient = next(iter(radrules.read_x12(io.StringIO(text.replace("CLM*RADI-2001*1750***13:A:1",
                                                                         "CLM*RADI-2001*1750***11:A:1")))))
        assert (outpatient.bill_type, inpatient.bill_type) == ("131", "111")
        assert found(rules.evaluate(outpatient)) == [("ncci.ptp", (2,))]
        assert found(rules.evaluate(inpatient)) == [("t.inpatient", (1, 2, 3))]

    @pytest.mark.parametrize("bill_type, fires", [("0131", True), ("0111", False)])
    def test_fhir_claim(self, rules, bill_type, fires):
        """A FHIR institutional Claim's subType in the type-of-bill system decides the same way."""
        data = json.loads((DATA / "fhir" / "radiology-claim.json").read_text(encoding="utf-8"))
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        data["subType"] = {"coding": [{"system": "https://www.nubc.org/CodeSystem/TypeOfBill", "code": bill_type}]}
        (read,) = radrules.read_fhir(data)
        ptp = [f.lines for f in rules.evaluate(read).findings if f.rule == "ncci.ptp"]
        assert ptp == ([(5,)] if fires else [])


class TestExplain:
    def test_explain_says_why_the_tables_did_not_judge(self, rules):
        """explain names the type of bill as the reason each table rule was not considered."""
        result = rules.evaluate(claim("111"), explain=True)
        reason = ("the claim's type of bill 111 is a hospital inpatient (Part A) bill, which the national edits "
                  "do not judge: the hospital outpatient tables are for Part B claims (docs/tables.md)")
        for rule_id in ("ncci.ptp", "ncci.mue", "ncci.addon", "ncci.mue.unpublished"):
            assert result.explanation.not_considered[rule_id] == reason
            assert not any(step.rule == rule_id for step in result.explanation.steps)
        assert result.explanation.fired() == ("t.own", "t.inpatient")

    def test_explain_of_an_outpatient_bill_is_unchanged(self, rules):
        result = rules.evaluate(claim("131"), explain=True)
        assert {"ncci.ptp", "ncci.mue", "ncci.addon"} <= set(result.explanation.fired())


def paid(code: str, bill_type: str | None, units: int = 1) -> dict:
    """A paid line of the hospital's earlier claim on the claims' date, of ``bill_type`` (None: not given)."""
    line = {"code": code, "date": "2026-08-03", "units": units, "type": "institutional", "claim": "IP-1"}
    if bill_type is not None:
        line["bill_type"] = bill_type
    return line


class TestPartABillHistory:
    """A paid line of a Part A bill counts in no table's edit against paid lines: the tables do not judge those
    bills (docs/tables.md); a rule file's rows still count it."""

    @pytest.mark.parametrize("bill_type, denied", [("111", False), ("0111", False), ("181", False), ("821", False),
                                                   ("131", True), ("121", True), (None, True)])
    @pytest.mark.parametrize("span", [False, True])
    def test_ptp_against_a_paid_line(self, rules, bill_type, denied, span):
        """74177 paid on the hospital's inpatient bill is no column 1 of the table's row for a 71046 billed on its
        outpatient bill; one paid on a Part B bill, or on a bill not given, is (a date span too)."""
        data = claim("131", lines=(("71046", 1),))
        if span:
            data["lines"][0]["end_date"] = "2026-08-04"
        result = rules.evaluate(data, history=[paid("74177", bill_type)])
        assert found(result) == ([("ncci.ptp", (1,))] if denied else [])
        assert rules.evaluate(data, history=[paid("74177", bill_type)], indexed=False) == result

    @pytest.mark.parametrize("bill_type, over", [("111", False), ("211", False), ("131", True), (None, True)])
    @pytest.mark.parametrize("span", [False, True])
    def test_mue_date_sum(self, rules, bill_type, over, span):
        """74177 (limit 1, MAI 2): a unit paid on a Part A bill is not in the table's date sum."""
        data = claim("131", lines=(("74177", 1),))
        if span:
            data["lines"][0]["end_date"] = "2026-08-04"
        result = rules.evaluate(data, history=[paid("74177", bill_type)])
        assert found(result) == ([("ncci.mue", (1,))] if over else [])
        assert rules.evaluate(data, history=[paid("74177", bill_type)], indexed=False) == result

    def test_a_rule_file_row_counts_a_part_a_line(self, rules):
        """The rule file's own pair (which judges Part A bills too) denies against a Part A bill's paid line."""
        result = rules.evaluate(claim("131", lines=(("70486", 1),)), history=[paid("70450", "111")])
        assert found(result) == [("t.own", (1,))]

    def test_explain_names_the_rows_left_out(self, rules):
        """explain gives a silent step for the table row a Part A bill's paid line is left out of, and notes the
        units it does not count."""
        steps = []
        for code in ("71046", "74177"):
            result = rules.evaluate(claim("131", lines=((code, 1),)), history=[paid("74177", "111")], explain=True)
            assert result.passed
            steps += [(step.rule, step.outcome, step.lines, step.detail) for step in result.explanation.steps
                      if step.rule in ("ncci.ptp", "ncci.mue")]
        assert ("ncci.ptp", "silent", (1,), "74177 (column 1, paid on an earlier claim) with 71046 (column 2): the "
                "paid line is of a Part A bill, which the table does not judge") in steps
        assert ("ncci.mue", "within limit", (1,), "74177: 1 unit on 2026-08-03 (1 paid line of a Part A bill not "
                "counted: the table does not judge Part A bills), limit 1 per day (MAI 2)") in steps

    def test_eval_with_a_history_file(self, tmp_path):
        """`radrules eval --history FILE`: the history line's `bill_type` decides."""
        root = _ruleset(tmp_path / "rules")
        data = claim("131", lines=(("71046", 1),))
        data["patient"] = {"id": "M1"}
        (tmp_path / "claim.json").write_text(json.dumps(data), encoding="utf-8")
        outcomes = []
        for bill_type in ("111", "131"):
            (tmp_path / "history.jsonl").write_text(json.dumps({"patient_id": "M1", **paid("74177", bill_type)})
                                                    + "\n", encoding="utf-8")
            done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--rules", str(root), "--format",
                                   "json", "--history", str(tmp_path / "history.jsonl"), str(tmp_path / "claim.json")],
                                  capture_output=True, text=True, env={**os.environ, "RADRULES_CACHE_DIR":
                                                                       str(tmp_path / "cache")})
            result = json.loads(done.stdout.splitlines()[0])
            outcomes.append((done.returncode, [f["rule"] for f in result["findings"]
                                               if f["rule"] != "ncci.mue.unpublished"]))
        assert outcomes == [(0, []), (2, ["ncci.ptp"])]

    def test_rule_tests_read_bill_on_history_lines(self, tmp_path):
        """`bill 111` on an `.rrt` history line is the paid line's type of bill."""
        from radrules.testing import Runner

        root = _ruleset(tmp_path / "rules")
        (root / "history.rrt").write_text(
            'test "after an inpatient bill"\n  claim type institutional, bill 131\n    2026-08-03 71046\n'
            '  history\n    2026-08-03 74177 type institutional bill 111\n  expect no ncci.ptp\nend\n'
            'test "after an outpatient bill"\n  claim type institutional, bill 131\n    2026-08-03 71046\n'
            '  history\n    2026-08-03 74177 type institutional bill 0131\n  expect ncci.ptp on line 1\nend\n'
            'test "a bad bill"\n  claim type institutional, bill 131\n    2026-08-03 71046\n'
            '  history\n    2026-08-03 74177 bill 11\n  expect no ncci.ptp\nend\n', encoding="utf-8")
        report = Runner().run([root / "history.rrt"])
        assert [(o.name, o.status) for o in report.outcomes] == [
            ("after an inpatient bill", "passed"), ("after an outpatient bill", "passed"), ("a bad bill", "error")]
        assert "history line 1: expected the type of bill" in str(report.outcomes[2].diagnostics[0])


class TestRuleTestCoverage:
    def test_no_table_looks_at_an_inpatient_claim(self, rules):
        """`expect no ncci.ptp` on an inpatient claim shows nothing of the table (rule-test coverage)."""
        for rule_id in ("ncci.ptp", "ncci.mue", "ncci.addon", "ncci.mue.unpublished"):
            assert looks_at(rules, rule_id, radrules.Claim.from_dict(claim("131")))
            assert not looks_at(rules, rule_id, radrules.Claim.from_dict(claim("111")))

    def test_rule_tests_by_bill(self, tmp_path):
        """`bill 111` in an `.rrt` claim: the table's pair does not fire (a passing `expect no`), and that test
        shows nothing of the table: only the `bill 131` test makes `ncci.ptp` silent."""
        from radrules.testing import Runner, measure

        root = _ruleset(tmp_path / "rules")
        (root / "bill.rrt").write_text(
            'test "inpatient"\n  claim type institutional, bill 111\n    2026-08-03 76700\n    2026-08-03 76705\n'
            '  expect no ncci.ptp\nend\n'
            'test "outpatient"\n  claim type institutional, bill 131\n    2026-08-03 76700\n    2026-08-03 76705\n'
            '  expect ncci.ptp on line 2\nend\n', encoding="utf-8")
        report = Runner().run([root / "bill.rrt"])
        assert [(o.name, o.status) for o in report.outcomes] == [("inpatient", "passed"), ("outpatient", "passed")]
        coverage = [(r.fires, r.silent) for r in measure(report).rules if r.rule == "ncci.ptp"]
        assert coverage == [(True, False), (False, False)]  # the hospital table, the practitioner table
