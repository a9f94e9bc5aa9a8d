"""Code-set tables (HCPCS Level II, ICD-10-CM): loaders, row errors, validity windows, findings, explain,
coverage, diff; and the Medicare timely filing limit at its boundaries."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path

import pytest

import radrules
from radrules import validity
from radrules.diff import diff_rulesets
from radrules.testing import Runner, measure
from radrules.testing.coverage import looks_at

DATA = Path(__file__).parent / "data" / "cms"
APR, JUL, CSV = "HCPC2026_APR_ANWEB.txt", "HCPC2026_JUL_ANWEB.txt", "HCPC2026_JUL_ANWEB.csv"
FY2021, FY2022, FY2026 = "icd10cm_order_2021.txt", "icd10cm_order_2022.txt", "icd10cm_order_2026.txt"
CODES = ("codes.procedure_invalid", "codes.modifier_invalid", "codes.diagnosis_invalid",
         "codes.diagnosis_not_billable")


def ruleset(tmp_path: Path, text: str, *files: str, written: dict | None = None, name: str = "rules"):
    """Load a ruleset folder holding ``text`` as main.rr, fixture ``files`` and ``written`` files under cms/."""
    root = tmp_path / name
    (root / "cms").mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy(DATA / file, root / "cms" / file)
    for file, content in (written or {}).items():
        (root / "cms" / file).write_bytes(content.encode("latin-1"))
    (root / "main.rr").write_text(text, encoding="utf-8")
    return radrules.load(root, cache_dir=None)


def load_error(tmp_path: Path, text: str, written: dict):
    """The RuleError raised by loading ``text`` with ``written`` table files."""
    with pytest.raises(radrules.RuleError) as caught:
        ruleset(tmp_path, text, written=written)
    return caught.value


def record(code: str, recid: str = "3", add: str = "20150101", eff: str = "20150101", term: str = "",
           seq: str = "00100") -> str:
    """One fixed-width HCPCS record (320 characters), description REDACTED."""
    head = (code if len(code) == 5 else "   " + code) + seq + recid
    if recid in "48":
        return (head + "REDACTED").ljust(91)
    return (head.ljust(11) + "REDACTED".ljust(80) + "REDACTED".ljust(28)).ljust(268) + \
        add.ljust(8) + eff.ljust(8) + term.ljust(8) + "N" + " " * 27


def order(number: int, code: str, flag: str = "1") -> str:
    """One ICD-10-CM order file record, descriptions REDACTED."""
    return f"{number:05d} {code:<7} {flag} {'REDACTED':<60} REDACTED"


def claim(*lines, diagnoses=("R10.9",), **extra) -> dict:
    """A claim of ``(code, date, modifiers...)`` lines, each pointing to diagnosis 1."""
    out = {"id": "C-1", "diagnoses": list(diagnoses), "lines": []}
    for code, date, *modifiers in lines:
        out["lines"].append({"code": code, "date": date, "modifiers": list(modifiers), "diagnosis_pointers": [1]})
    out.update(extra)
    return out


def fired(result, rule_id: str) -> list:
    return [f.lines for f in result.findings if f.rule == rule_id]


HCPCS_BOTH = 'table hcpcs "cms/HCPC2026_APR_ANWEB.txt"\ntable hcpcs "cms/HCPC2026_JUL_ANWEB.txt"\n'
ICD_ALL = ('table icd10cm "cms/icd10cm_order_2021.txt"\ntable icd10cm "cms/icd10cm_order_2022.txt"\n'
           'table icd10cm "cms/icd10cm_order_2026.txt"\n')


@pytest.fixture
def hcpcs(tmp_path):
    """The April and July 2026 HCPCS files side by side."""
    return ruleset(tmp_path, HCPCS_BOTH, APR, JUL)


@pytest.fixture
def icd(tmp_path):
    """The FY2021, FY2022 and FY2026 ICD-10-CM order files side by side."""
    return ruleset(tmp_path, ICD_ALL, FY2021, FY2022, FY2026)


# ---------------------------------------------------------------- HCPCS loader


class TestHcpcsLoader:
    def test_fixed_width_file_reads_codes_and_modifiers(self, tmp_path):
        """Every first record becomes an entry (codes and modifiers); continuation records add none."""
        rules = ruleset(tmp_path, 'table hcpcs "cms/HCPC2026_JUL_ANWEB.txt"\n', JUL)
        entries = rules.tables[0].table.entries
        assert len(entries) == 20
        assert entries["G0297"] == (dt.date(2015, 1, 1).toordinal(), dt.date(2020, 12, 31).toordinal(),
                                    "HCPC2026_JUL_ANWEB.txt:21")
        assert entries["QQ"][1] == dt.date(2024, 12, 31).toordinal()
        assert entries["LT"][1] is None

    def test_descriptions_are_never_kept(self, tmp_path):
        """The loaded table holds codes, dates and sources only: no description text."""
        rules = ruleset(tmp_path, 'table hcpcs "cms/HCPC2026_JUL_ANWEB.txt"\n', JUL)
        assert b"REDACTED" not in pickle.dumps(rules.tables[0].table)

    def test_csv_export_reads_like_the_text_file(self, tmp_path):
        """The CSV export, columns found by name, gives the same codes and dates as the text file."""
        text = ruleset(tmp_path, 'table hcpcs "cms/HCPC2026_JUL_ANWEB.txt"\n', JUL, name="a")
        export = ruleset(tmp_path, 'table hcpcs "cms/HCPC2026_JUL_ANWEB.csv" effective 2026-07-01\n', CSV, name="b")
        dates = lambda rules: {k: v[:2] for k, v in rules.tables[0].table.entries.items()}  # noqa: E731
        assert dates(export) == dates(text)
        assert export.tables[0].table.entries["GG"][2] == "HCPC2026_JUL_ANWEB.csv:4"

    def test_csv_without_recid_column_reads_every_row_as_a_code(self, tmp_path):
        """Without a RECID column every row is a first record; header names are matched case- and space-blind."""
        text = "hcpc,Add Dt,Act Eff Dt,Term Dt\nG0279,20150101,20150101,\nQQ,20180701,20180701,20241231\n"
        rules = ruleset(tmp_path, 'table hcpcs "cms/h.csv" effective 2026-01-01\n', written={"h.csv": text})
        assert sorted(rules.tables[0].table.entries) == ["G0279", "QQ"]

    def test_blank_add_date_falls_back_to_the_action_date(self, tmp_path):
        """A record without ADD DT is valid from its ACT EFF DT."""
        text = record("G0279", add="", eff="20200101") + "\n"
        rules = ruleset(tmp_path, 'table hcpcs "cms/HCPC2026_JAN_ANWEB.txt"\n',
                        written={"HCPC2026_JAN_ANWEB.txt": text})
        assert rules.tables[0].table.entries["G0279"][0] == dt.date(2020, 1, 1).toordinal()

    @pytest.mark.parametrize("name, start", [
        ("HCPC2026_JUL_ANWEB.txt", dt.date(2026, 7, 1)),
        ("HCPC2026_OCT_ANWEB_v2.txt", dt.date(2026, 10, 1)),
        ("HCPC2016_CONTR_ANWEB.txt", dt.date(2016, 1, 1)),
    ])
    def test_effective_date_from_the_file_name(self, tmp_path, name, start):
        """A quarterly file is in force from the first day of its month; the annual file from January 1."""
        rules = ruleset(tmp_path, f'table hcpcs "cms/{name}"\n', written={name: record("G0279") + "\n"})
        assert rules.tables[0].start == start.toordinal()

    def test_file_name_without_a_date_needs_effective(self, tmp_path):
        """A HCPCS file whose name gives no quarter is RR512."""
        error = load_error(tmp_path, 'table hcpcs "cms/hcpcs.txt"\n', {"hcpcs.txt": record("G0279") + "\n"})
        assert [d.code for d in error.errors] == ["RR512"]

    def test_no_claim_type_on_a_code_set(self, tmp_path):
        """A code set serves every claim: `for ... claims` is RR501."""
        error = load_error(tmp_path, 'table hcpcs "cms/HCPC2026_JAN_ANWEB.txt" for institutional claims\n',
                           {"HCPC2026_JAN_ANWEB.txt": record("G0279") + "\n"})
        assert [d.code for d in error.errors] == ["RR501"]
        assert "a `hcpcs` table serves every claim" in str(error)


class TestHcpcsRowErrors:
    TEXT = 'table hcpcs "cms/HCPC2026_JAN_ANWEB.txt"\n'

    def errors(self, tmp_path, *lines):
        return load_error(tmp_path, self.TEXT, {"HCPC2026_JAN_ANWEB.txt": "\r\n".join(lines) + "\r\n"}).errors

    def test_bad_code_names_file_row_and_columns(self, tmp_path):
        """A code that is not a HCPCS code is RR507 at its row, positions 1-5."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G02X9"))
        assert error.code == "RR507"
        assert (error.span.file, error.span.line, error.span.column, error.span.end_column) == \
            ("rules/cms/HCPC2026_JAN_ANWEB.txt", 2, 1, 6)
        assert "`G02X9` is not a HCPCS code" in error.render()

    def test_bad_modifier(self, tmp_path):
        """A modifier record needs blanks in positions 1-3 and two letters or digits in 4-5."""
        (error,) = self.errors(tmp_path, record("G0279"), record("Q-", recid="7"))
        assert error.code == "RR507" and "not a modifier" in error.message
        assert error.help == "a modifier is 2 capital letters or digits (`26`, `TC`): is the line shifted or damaged?"

    def test_bad_record_id(self, tmp_path):
        """A record id other than 3, 4, 7 or 8 is RR509 at position 11."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G0296", recid="5"))
        assert (error.code, error.span.column) == ("RR509", 11)
        assert error.help.startswith("position 11 says what a record is: 3 a code, 4 more of its description")

    def test_bad_sequence_number(self, tmp_path):
        """Positions 6-10 hold digits."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G0296", seq="001A0"))
        assert (error.code, error.span.column) == ("RR509", 6)
        assert error.help == "the sequence number is 5 digits: is the line shifted or damaged?"

    @pytest.mark.parametrize("field, column", [("add", 269), ("eff", 277), ("term", 285)])
    def test_bad_dates(self, tmp_path, field, column):
        """ADD DT, ACT EFF DT and TERM DT are YYYYMMDD dates; each error points at its field."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G0296", **{field: "20150230"}))
        assert (error.code, error.span.line, error.span.column) == ("RR508", 2, column)
        assert error.message.startswith("`20150230` is not a calendar date (")
        assert error.help == ("read as YYYYMMDD, `20150230` is day 30 of February 2015, which has 28 days: is the row "
                              "damaged?")

    def test_a_date_not_written_yyyymmdd(self, tmp_path):
        """A date of another shape is said to be one (the hint says how dates are written)."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G0296", add="2015001"))
        assert (error.code, error.message, error.help) == (
            "RR508", "`2015001` is not a date (ADD DT, YYYYMMDD)", "dates in CMS files are written YYYYMMDD")

    def test_no_dates_at_all(self, tmp_path):
        """A first record with neither ADD DT nor ACT EFF DT can't say from when it is valid."""
        (error,) = self.errors(tmp_path, record("G0279", add="", eff=""))
        assert error.code == "RR508" and "no ADD DT and no ACT EFF DT" in error.message
        assert error.help.startswith("a code's first record gives the date it was added (ADD DT)")

    def test_termination_before_addition(self, tmp_path):
        """TERM DT before ADD DT is RR510; TERM DT before ACT EFF DT is normal (a discontinued code)."""
        (error,) = self.errors(tmp_path, record("G0279", add="20200101", eff="20200101", term="20191231"),
                               record("G1000", add="20180701", eff="20250101", term="20241231"))
        assert (error.code, error.span.line, error.span.column) == ("RR510", 1, 285)

    def test_second_first_record(self, tmp_path):
        """A code with two first records is RR511, naming the first."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G0279"))
        assert error.code == "RR511" and "HCPC2026_JAN_ANWEB.txt:1" in error.message

    def test_continuation_without_its_first_record(self, tmp_path):
        """A RECID 4 record after another code's first record is RR516."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G0296", recid="4"))
        assert (error.code, error.span.line, error.span.column) == ("RR516", 2, 11)

    def test_trimmed_record(self, tmp_path):
        """A first record cut before its ACT EFF DT is RR506."""
        (error,) = self.errors(tmp_path, record("G0279"), record("G0296")[:200])
        assert error.code == "RR506" and "this one has 200 characters" in error.message

    def test_not_a_hcpcs_file(self, tmp_path):
        """A file that does not start with a HCPCS record is RR505, read no further."""
        (error,) = self.errors(tmp_path, "Column 1\tColumn 2", record("G02X9"))
        assert error.code == "RR505"

    def test_csv_header_without_dates(self, tmp_path):
        """A CSV export whose header lacks TERM DT is RR505."""
        error = load_error(tmp_path, 'table hcpcs "cms/h.csv" effective 2026-01-01\n',
                           {"h.csv": "HCPC,ADD DT\nG0279,20150101\n"})
        assert [d.code for d in error.errors] == ["RR505"] and "`TERM DT`" in str(error)

    def test_csv_row_error_points_at_its_field(self, tmp_path):
        """A bad date in the CSV export is reported at its row and field."""
        error = load_error(tmp_path, 'table hcpcs "cms/h.csv" effective 2026-01-01\n',
                           {"h.csv": "HCPC,ADD DT,ACT EFF DT,TERM DT\nG0279,20150101,20150101,\n"
                                     "G0296,20150101,2015-13-01,\n"})
        (diagnostic,) = error.errors
        assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("RR508", 3, 16)

    def test_full_width_date_is_not_a_date(self, tmp_path):
        """A UTF-8 CSV export whose date is written in full-width digits is RR508: int() reads them as digits."""
        root = tmp_path / "rules"
        (root / "cms").mkdir(parents=True)
        (root / "cms" / "h.csv").write_bytes("\ufeffHCPC,ADD DT,ACT EFF DT,TERM DT\nG0279,20150101,20150101,\n"
                                            "G0296,\uff12\uff10\uff11\uff15\uff10\uff11\uff10\uff11,20150101,\n"
                                            .encode("utf-8"))
        (root / "main.rr").write_text('table hcpcs "cms/h.csv" effective 2026-01-01\n', encoding="utf-8")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        (diagnostic,) = caught.value.errors
        assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("RR508", 3, 7)

    def test_one_bad_row_leaves_no_table(self, tmp_path):
        """A table with a bad row is not used at all: loading fails, every bad row is reported."""
        errors = self.errors(tmp_path, record("G0279"), record("G02X9"), record("G0296", term="2015"))
        assert [e.code for e in errors] == ["RR507", "RR508"]


# ---------------------------------------------------------------- HCPCS validity


class TestHcpcsValidity:
    @pytest.mark.parametrize("date, valid", [
        ("2014-12-31", False),  # the day before ADD DT
        ("2015-01-01", True),   # ADD DT itself
        ("2020-12-31", True),   # TERM DT itself: the last usable date
        ("2021-01-01", False),  # the day after TERM DT
    ])
    def test_window_is_add_date_through_termination_date(self, hcpcs, date, valid):
        """G0297 (added 2015-01-01, terminated 2020-12-31) is valid on both ends and nowhere outside."""
        assert bool(fired(hcpcs.evaluate(claim(("G0297", date))), "codes.procedure_invalid")) is not valid

    def test_finding_carries_carc_source_and_version(self, hcpcs):
        """A terminated code is denied with CO-181, the row that says so, and the version that judged it."""
        (finding,) = [f for f in hcpcs.evaluate(claim(("G0297", "2026-08-03"))).findings]
        assert (finding.rule, finding.kind, finding.severity, finding.carc, finding.rarc) == \
            ("codes.procedure_invalid", "coding", "deny", "CO-181", ())
        assert finding.lines == (1,) and finding.codes == ("G0297",)
        assert finding.message == "G0297 is not valid on 2026-08-03: its last valid date was 2020-12-31"
        assert finding.source == "HCPC2026_JUL_ANWEB.txt:21"
        assert "HCPC2026_JUL_ANWEB.txt, in force from 2026-07-01" in finding.reference

    def test_a_later_action_does_not_move_the_start(self, hcpcs):
        """G0296's ACT EFF DT is 2022-01-01 (a description change); it was valid in 2021 all the same."""
        assert fired(hcpcs.evaluate(claim(("G0296", "2021-06-01"))), "codes.procedure_invalid") == []

    @pytest.mark.parametrize("date, valid", [("2026-06-30", False), ("2026-07-01", True)])
    def test_versions_side_by_side(self, hcpcs, date, valid):
        """C9901 is only in the July file: the April file judges June 30 and does not know it."""
        result = hcpcs.evaluate(claim(("C9901", date)))
        assert bool(fired(result, "codes.procedure_invalid")) is not valid
        if not valid:
            (finding,) = result.findings
            assert finding.source == "rules/main.rr:1" and "HCPC2026_APR_ANWEB.txt" in finding.reference

    def test_unknown_level_two_code_is_invalid(self, hcpcs):
        """A letter-and-four-digits code the file does not list is not a HCPCS code."""
        (finding,) = hcpcs.evaluate(claim(("G9999", "2026-08-03"))).findings
        assert finding.message == "G9999 is not in the HCPCS Level II file in force on 2026-08-03"

    def test_cpt_codes_and_malformed_codes_are_not_judged(self, hcpcs):
        """CPT codes are not in the file; a code of the wrong shape is left to format.code."""
        result = hcpcs.evaluate(claim(("74176", "2026-08-03"), ("0042T", "2026-08-03"), ("7404", "2026-08-03")))
        assert [f.rule for f in result.findings] == ["format.code"]

    @pytest.mark.parametrize("date, valid", [("2024-12-31", True), ("2025-01-01", False)])
    def test_modifier_window(self, hcpcs, date, valid):
        """QQ (ended 2024-12-31, domain.md §7.3) is valid on its last day and denied CO-182 after."""
        result = hcpcs.evaluate(claim(("G0279", date, "QQ")))
        assert bool(fired(result, "codes.modifier_invalid")) is not valid
        if not valid:
            assert result.findings[0].carc == "CO-182" and result.findings[0].message.startswith("modifier QQ")

    def test_cpt_modifiers_are_not_judged_letter_modifiers_are(self, hcpcs):
        """26, 59 and 1P are CPT modifiers and pass; ZZ, a letter modifier the file lacks, is invalid."""
        result = hcpcs.evaluate(claim(("74176", "2026-08-03", "26", "59", "1P", "ZZ")))
        assert [(f.rule, f.message) for f in result.findings] == [
            ("codes.modifier_invalid", "modifier ZZ is not in the HCPCS Level II file in force on 2026-08-03")]

    def test_institutional_claims_are_checked_too(self, hcpcs):
        """Code sets serve every claim type and payer."""
        result = hcpcs.evaluate(claim(("G0297", "2026-08-03"), type="institutional", payer="acme"))
        assert fired(result, "codes.procedure_invalid") == [(1,)]


# ---------------------------------------------------------------- ICD-10-CM loader


class TestIcd10cmLoader:
    def test_order_file_reads_codes_and_flags(self, tmp_path):
        """Every record is kept with its billable flag; headers such as R10 are flag 0."""
        rules = ruleset(tmp_path, 'table icd10cm "cms/icd10cm_order_2026.txt"\n', FY2026)
        entries = rules.tables[0].table.entries
        assert len(entries) == 34
        assert entries["R10"] == (False, "icd10cm_order_2026.txt:22")
        assert entries["R109"][0] is True
        assert b"REDACTED" not in pickle.dumps(rules.tables[0].table)

    @pytest.mark.parametrize("name, start", [
        ("icd10cm_order_2026.txt", dt.date(2025, 10, 1)),
        ("icd10cm-order-2022.txt", dt.date(2021, 10, 1)),
    ])
    def test_fiscal_year_from_the_file_name(self, tmp_path, name, start):
        """The FY2026 file is in force from 2025-10-01."""
        rules = ruleset(tmp_path, f'table icd10cm "cms/{name}"\n', written={name: order(1, "R109") + "\n"})
        assert rules.tables[0].start == start.toordinal()

    def test_a_mid_year_update_needs_effective(self, tmp_path):
        """A file name with a month (an April update) does not guess its date: RR512."""
        error = load_error(tmp_path, 'table icd10cm "cms/icd10cm_order_April_2024.txt"\n',
                           {"icd10cm_order_April_2024.txt": order(1, "R109") + "\n"})
        assert [d.code for d in error.errors] == ["RR512"] and "October 1" in str(error)

    @pytest.mark.parametrize("line, code, column", [
        (f"00002 R10.9   1 {'REDACTED':<60} REDACTED", "RR515", 7),   # a dot: not an order-file code
        (f"00002 R109     1 {'REDACTED':<59} REDACTED", "RR506", 16),  # shifted one column
        (order(2, "R109", "2"), "RR509", 15),                         # billable flag
        (order(2, "R109").replace("00002", "0000A"), "RR509", 1),     # order number
        (order(2, "R10"), "RR511", 7),                                # a second record
        ("00002 R109", "RR506", 1),                                   # cut short
    ])
    def test_bad_records(self, tmp_path, line, code, column):
        """Each bad record is reported at its file, row and column; the table is not used."""
        text = order(1, "R10", "0") + "\n" + line + "\n"
        error = load_error(tmp_path, 'table icd10cm "cms/icd10cm_order_2026.txt"\n',
                           {"icd10cm_order_2026.txt": text})
        (diagnostic,) = error.errors
        assert (diagnostic.code, diagnostic.span.file, diagnostic.span.line, diagnostic.span.column) == \
            (code, "rules/cms/icd10cm_order_2026.txt", 2, column)
        if column == 1 and code == "RR509":  # an order number is no indicator: the hint says what it is
            assert diagnostic.help.startswith("the order number is 5 digits: ")

    def test_not_an_order_file(self, tmp_path):
        """A file that does not start with an order number is RR505."""
        error = load_error(tmp_path, 'table icd10cm "cms/icd10cm_order_2026.txt"\n',
                           {"icd10cm_order_2026.txt": "A00 Cholera-like REDACTED\n"})
        assert [d.code for d in error.errors] == ["RR505"]


# ---------------------------------------------------------------- ICD-10-CM validity


class TestIcd10cmValidity:
    def test_category_is_not_billable(self, icd):
        """R10 (a header) is denied CO-16 with M76; R10.9 passes."""
        result = icd.evaluate(claim(("74176", "2026-03-02"), diagnoses=["R10"]))
        (finding,) = result.findings
        assert (finding.rule, finding.carc, finding.rarc, finding.lines) == \
            ("codes.diagnosis_not_billable", "CO-16", ("M76",), (1,))
        assert finding.message.startswith("diagnosis 1 (R10) is a header in the FY2026 ICD-10-CM code set")
        assert icd.evaluate(claim(("74176", "2026-03-02"), diagnoses=["R10.9"])).passed

    @pytest.mark.parametrize("date, rule", [
        ("2021-09-30", None),                            # FY2021: M54.5 is billable
        ("2021-10-01", "codes.diagnosis_not_billable"),  # FY2022: a header
    ])
    def test_fiscal_year_boundary_for_a_code_that_became_a_header(self, icd, date, rule):
        """M54.5 is judged by FY2021 on September 30 and by FY2022 on October 1."""
        result = icd.evaluate(claim(("72148", date), diagnoses=["M54.5"]))
        assert [f.rule for f in result.findings] == ([rule] if rule else [])

    @pytest.mark.parametrize("date, invalid", [("2021-09-30", True), ("2021-10-01", False)])
    def test_fiscal_year_boundary_for_a_new_code(self, icd, date, invalid):
        """M54.50, new in FY2022, is invalid (CO-146) on September 30, 2021 and valid the next day."""
        result = icd.evaluate(claim(("72148", date), diagnoses=["M54.50"]))
        assert bool(fired(result, "codes.diagnosis_invalid")) is invalid
        if invalid:
            assert result.findings[0].carc == "CO-146" and "FY2021" in result.findings[0].message

    @pytest.mark.parametrize("date, judged", [
        ("2025-09-30", False),  # FY2025: no file loaded
        ("2025-10-01", True),
        ("2026-09-30", True),
        ("2026-10-01", False),  # FY2027: no file loaded
    ])
    def test_dates_outside_every_loaded_fiscal_year_are_not_judged(self, tmp_path, date, judged):
        """With only the FY2026 file, lines outside 2025-10-01..2026-09-30 are not judged (no data, no finding)."""
        rules = ruleset(tmp_path, 'table icd10cm "cms/icd10cm_order_2026.txt"\n', FY2026)
        result = rules.evaluate(claim(("74176", date), diagnoses=["X99.9"]))
        assert bool(fired(result, "codes.diagnosis_invalid")) is judged

    def test_each_line_by_the_version_of_its_date(self, icd):
        """One diagnosis on lines of two fiscal years gives one finding per outcome, with their lines."""
        result = icd.evaluate(claim(("72148", "2021-09-30"), ("72148", "2021-10-01"), ("72148", "2021-10-02"),
                                    diagnoses=["M54.5"]))
        assert [(f.rule, f.lines) for f in result.findings] == [("codes.diagnosis_not_billable", (2, 3))]

    def test_diagnoses_are_judged_on_the_lines_that_point_to_them(self, icd):
        """A bad diagnosis denies the lines pointing to it; one no line points to denies every line."""
        data = {"diagnoses": ["R10.9", "R10", "X99.9"], "lines": [
            {"code": "74176", "date": "2026-03-02", "diagnosis_pointers": [1]},
            {"code": "74177", "date": "2026-03-02", "diagnosis_pointers": [2]}]}
        result = icd.evaluate(data)
        assert [(f.rule, f.lines) for f in result.findings] == [
            ("codes.diagnosis_invalid", (1, 2)), ("codes.diagnosis_not_billable", (2,))]
        assert result.statuses == ("deny", "deny")

    def test_a_claim_of_revenue_code_lines_only_has_its_diagnoses_judged(self, icd):
        """A hospital claim whose lines give a revenue code alone: its diagnoses are judged on their dates (the
        lines are denied), as explain shows; with a valid diagnosis it passes."""
        pharmacy = {"date": "2026-03-02", "revenue_code": "0255"}
        data = {"type": "institutional", "diagnoses": ["X99.9", "R10"], "lines": [pharmacy, pharmacy]}
        for indexed in (True, False):
            result = icd.evaluate(data, indexed=indexed)
            assert [(f.rule, f.lines) for f in result.findings] == [
                ("codes.diagnosis_invalid", (1, 2)), ("codes.diagnosis_not_billable", (1, 2))]
            assert result.statuses == ("deny", "deny") and result.uncoded == (1, 2)
        text = icd.evaluate(data, explain=True).explanation.render()
        assert "lines 1, 2 (revenue code 0255): fired: diagnosis 1 (X99.9) is not in the FY2026 ICD-10-CM" in text
        assert "only the checks of its dates, places, NPIs and diagnoses, the rules on the whole claim and those that ask" in text
        assert icd.evaluate({**data, "diagnoses": ["R10.9"]}).passed

    def test_a_revenue_code_line_s_date_judges_the_diagnoses_too(self, icd):
        """M54.5 is billable on the coded line's date (FY2021) and a header on the pharmacy line's (FY2022): the
        pharmacy line is denied."""
        data = {"type": "institutional", "diagnoses": ["M54.5"], "lines": [
            {"code": "72148", "date": "2021-09-30"}, {"date": "2021-10-01", "revenue_code": "0255"}]}
        assert [(f.rule, f.lines) for f in icd.evaluate(data).findings] == [("codes.diagnosis_not_billable", (2,))]

    def test_diagnosis_spelling(self, icd):
        """Claim diagnoses match with or without the dot, in either case."""
        result = icd.evaluate(claim(("74176", "2026-03-02"), diagnoses=["r10.9", "Z87891", "f17.210"]))
        assert result.passed and result.findings == ()

    def test_icd9_claims_and_malformed_diagnoses_are_not_judged(self, icd):
        """ICD-9-CM claims and diagnoses of the wrong shape are left to the format checks."""
        old = icd.evaluate(claim(("74176", "2015-09-30"), diagnoses=["789.00"], diagnosis_system="icd9"))
        assert not any(f.rule.startswith("codes.") for f in old.findings)
        bad = icd.evaluate(claim(("74176", "2026-03-02"), diagnoses=["10.9"]))
        assert [f.rule for f in bad.findings] == ["format.diagnosis"]


# ---------------------------------------------------------------- evaluation, explain, coverage


class TestEvaluation:
    @pytest.fixture
    def both(self, tmp_path):
        return ruleset(tmp_path, HCPCS_BOTH + ICD_ALL, APR, JUL, FY2021, FY2022, FY2026)

    CLAIMS = [
        claim(("G0297", "2026-08-03", "QQ", "LT"), ("C9901", "2026-06-30"), diagnoses=["R10", "X99.9"]),
        claim(("G0279", "2021-09-30"), ("72148", "2021-10-01", "26"), diagnoses=["M54.5"]),
    ]

    @pytest.mark.parametrize("data", CLAIMS)
    def test_scan_and_index_agree(self, both, data):
        """The unindexed path gives the same result."""
        assert both.evaluate(data, indexed=False) == both.evaluate(data)

    def test_order_among_other_findings(self, both):
        """Code-set findings are kind coding, listed after format findings, one per code and diagnosis."""
        result = both.evaluate(claim(("G0297", "2026-08-03", "Q"), diagnoses=["R10"]))
        assert [(f.rule, f.kind) for f in result.findings] == [
            ("format.modifier", "format"), ("codes.diagnosis_not_billable", "coding"),
            ("codes.procedure_invalid", "coding")]

    def test_a_primary_with_an_invalid_code_takes_its_add_on_with_it(self, tmp_path):
        """Code validity runs before add-on codes: a denied primary denies its add-on (domain.md §10.4)."""
        text = HCPCS_BOTH + ('addons t.addon\n  reference "test"\n  addon 76377 type 1 primaries G0297\nend\n')
        rules = ruleset(tmp_path, text, APR, JUL)
        late = rules.evaluate(claim(("G0297", "2026-08-03"), ("76377", "2026-08-03")))
        assert [(f.rule, f.lines, f.related_lines) for f in late.findings] == [
            ("t.addon", (2,), (1,)), ("codes.procedure_invalid", (1,), ())]
        assert rules.evaluate(claim(("G0297", "2020-08-03"), ("76377", "2020-08-03"))).passed

    def test_without_code_sets_the_check_never_runs(self, bundled, monkeypatch):
        """Rules that load no code set never call the validity check (evaluate pays one attribute test)."""
        def refuse(*args):
            raise AssertionError("called")

        monkeypatch.setattr(validity, "check_codes", refuse)
        assert all(view.code_sets is None for view in bundled.views.values())
        assert bundled.evaluate(claim(("G0297", "2026-08-03"))).passed

    def test_pickled_ruleset_gives_the_same_results(self, both):
        """A ruleset with code sets pickles (for other processes) and evaluates the same."""
        copy = pickle.loads(pickle.dumps(both))
        for data in self.CLAIMS:
            assert copy.evaluate(data) == both.evaluate(data)

    def test_disk_cache_round_trip(self, tmp_path):
        """A code set read once is served from the disk cache the next time, with the same results."""
        root = tmp_path / "r"
        (root / "cms").mkdir(parents=True)
        shutil.copy(DATA / JUL, root / "cms" / JUL)
        shutil.copy(DATA / FY2026, root / "cms" / FY2026)
        (root / "main.rr").write_text(f'table hcpcs "cms/{JUL}"\ntable icd10cm "cms/{FY2026}"\n')
        cache = tmp_path / "cache"
        from radrules import loader
        from radrules.tables import reading

        reading._MEMORY.clear()
        first = radrules.load(root, cache_dir=cache)
        assert len(list(cache.glob("hcpcs-*.pickle")) + list(cache.glob("icd10cm-*.pickle"))) == 2
        loader._CACHE.clear()
        reading._MEMORY.clear()
        second = radrules.load(root, cache_dir=cache)
        assert [t.from_cache for t in second.tables] == ["disk", "disk"]
        data = self.CLAIMS[0]
        assert second.evaluate(data) == first.evaluate(data)

    def test_describe_counts_codes(self, both):
        """`radrules check` counts the codes of each code set."""
        assert both.describe()["tables"] == {"hcpcs_table_codes": 39, "icd10cm_table_codes": 99}

    def test_describe_gives_each_version_its_dates(self, both):
        """Code sets serve every claim; a HCPCS version judges until the next one (the oldest also before
        its start), an ICD-10-CM version only within its fiscal year."""
        windows = [(v["kind"], v["claim_type"], v["from"], v["until"], v["earlier_dates"])
                   for v in both.describe()["table_versions"]]
        assert windows == [
            ("hcpcs", None, "2026-04-01", "2026-06-30", True),
            ("hcpcs", None, "2026-07-01", None, False),
            ("icd10cm", None, "2020-10-01", "2021-09-30", False),
            ("icd10cm", None, "2021-10-01", "2022-09-30", False),
            ("icd10cm", None, "2025-10-01", "2026-09-30", False),
        ]


class TestExplain:
    def test_explain_says_why_each_code_passed_or_failed(self, tmp_path):
        """Explain lists every code, modifier and diagnosis checked, with the row or version that decided."""
        rules = ruleset(tmp_path, HCPCS_BOTH + 'table icd10cm "cms/icd10cm_order_2026.txt"\n', APR, JUL, FY2026)
        data = {"diagnoses": ["R10", "R10.9"], "lines": [
            {"code": "G0297", "date": "2026-08-03", "modifiers": ["QQ", "26", "LT"], "diagnosis_pointers": [1, 2]},
            {"code": "74176", "date": "2025-09-30", "diagnosis_pointers": [2]}]}
        explanation = rules.evaluate(data, explain=True).explanation
        assert explanation.for_rules(CODES) == [
            "codes.procedure_invalid fired (at rules/main.rr:1)",
            "  line 1 (G0297): fired: G0297 is not valid on 2026-08-03: its last valid date was 2020-12-31 "
            "(at HCPC2026_JUL_ANWEB.txt:21)",
            "  line 2 (74176): not applicable: 74176 is a CPT code: the HCPCS Level II file does not list CPT codes",
            "codes.modifier_invalid fired (at rules/main.rr:1)",
            "  line 1 (G0297): fired: modifier QQ is not valid on 2026-08-03: its last valid date was 2024-12-31 "
            "(at HCPC2026_JUL_ANWEB.txt:9)",
            "  line 1 (G0297): not applicable: modifier 26 is a CPT modifier: the HCPCS Level II file does not list "
            "CPT codes",
            "  line 1 (G0297): silent: modifier LT is valid on 2026-08-03: from 1984-01-01, no termination date "
            "(at HCPC2026_JUL_ANWEB.txt:6)",
            "codes.diagnosis_invalid did not fire (at rules/main.rr:3)",
            "  line 1 (G0297): silent: diagnosis 1 (R10) is in the FY2026 ICD-10-CM code set "
            "(at icd10cm_order_2026.txt:22)",
            "  line 1 (G0297): silent: diagnosis 2 (R10.9) is in the FY2026 ICD-10-CM code set "
            "(at icd10cm_order_2026.txt:25)",
            "  line 2 (74176): out of dates: diagnosis 2 (R10.9): no ICD-10-CM code set loaded for 2025-09-30",
            "codes.diagnosis_not_billable fired (at rules/main.rr:3)",
            "  line 1 (G0297): fired: diagnosis 1 (R10) is a header in the FY2026 ICD-10-CM code set, not a billable "
            "code: report it to the highest specificity (at icd10cm_order_2026.txt:22)",
            "  line 1 (G0297): silent: diagnosis 2 (R10.9) is billable in FY2026 (at icd10cm_order_2026.txt:25)",
            "  line 2 (74176): out of dates: diagnosis 2 (R10.9): no ICD-10-CM code set loaded for 2025-09-30",
        ]
        fired_steps = {(s.rule, s.lines) for s in explanation.steps if s.outcome == "fired"}
        result = rules.evaluate(data)
        assert fired_steps == {(f.rule, f.lines) for f in result.findings}

    def test_rules_not_looked_at_say_why(self, hcpcs):
        """A claim without modifiers: codes.modifier_invalid was not considered, and explain says why."""
        explanation = hcpcs.evaluate(claim(("G0279", "2026-08-03")), explain=True).explanation
        assert explanation.for_rules(["codes.modifier_invalid"]) == [
            "codes.modifier_invalid not considered (at rules/main.rr:1)", "  no line carries a modifier"]

    def test_the_command_line_explains_too(self, tmp_path, capsys):
        """`radrules explain` prints the code-set steps."""
        from radrules.cli import main

        ruleset(tmp_path, HCPCS_BOTH, APR, JUL)
        path = tmp_path / "claim.json"
        import json

        path.write_text(json.dumps(claim(("G0297", "2026-08-03"))))
        main(["explain", "--rules", str(tmp_path / "rules"), str(path)])
        out = capsys.readouterr().out
        assert "codes.procedure_invalid fired" in out and "its last valid date was 2020-12-31" in out


class TestCoverage:
    def test_rule_ids_come_with_their_tables(self, hcpcs, icd, bundled):
        """codes.* are rule ids of a ruleset only when it loads their table (never of the bundled rules)."""
        assert {"codes.procedure_invalid", "codes.modifier_invalid"} <= set(hcpcs.rule_ids())
        assert not {"codes.diagnosis_invalid", "codes.diagnosis_not_billable"} & set(hcpcs.rule_ids())
        assert {"codes.diagnosis_invalid", "codes.diagnosis_not_billable"} <= set(icd.rule_ids())
        assert not any(rule.startswith("codes.") for rule in bundled.rule_ids())

    def test_rule_tests_beside_the_tables_cover_every_code_set_rule(self):
        """tests/data/cms/codesets.rrt passes and gives each codes.* rule a firing and a silent test,
        listed at its table statement."""
        report = Runner(cache_dir=None).run([DATA / "codesets.rrt"])
        assert report.ok, report.render()
        rows = {r.rule: r for r in measure(report).rules if r.rule.startswith("codes.")}
        assert sorted(rows) == sorted(CODES)
        assert all(r.covered for r in rows.values())
        assert rows["codes.diagnosis_invalid"].source.endswith("codesets.rr:6")

    def test_looks_at(self, tmp_path):
        """A code-set rule looks at a line whose code or modifier the HCPCS file would judge (Level II, or
        listed: a CPT code or modifier it does not list never is), on a named line if asked; at ICD-10-CM
        diagnoses on a loaded fiscal year."""
        rules = ruleset(tmp_path, HCPCS_BOTH + 'table icd10cm "cms/icd10cm_order_2026.txt"\n', APR, JUL, FY2026)
        make = radrules.Claim.from_dict
        plain = make(claim(("74176", "2026-03-02")))
        assert not looks_at(rules, "codes.procedure_invalid", plain)  # CPT: not the Level II file's to judge
        assert not looks_at(rules, "codes.modifier_invalid", plain)
        assert not looks_at(rules, "codes.modifier_invalid", make(claim(("74176", "2026-03-02", "26"))))
        both = make(claim(("74176", "2026-03-02", "26"), ("G0279", "2026-03-02", "RT")))
        assert looks_at(rules, "codes.procedure_invalid", both) and looks_at(rules, "codes.modifier_invalid", both)
        assert not looks_at(rules, "codes.procedure_invalid", both, {1})
        assert looks_at(rules, "codes.procedure_invalid", both, {2})
        assert not looks_at(rules, "codes.modifier_invalid", both, {1})
        assert looks_at(rules, "codes.diagnosis_invalid", plain)
        assert not looks_at(rules, "codes.diagnosis_invalid", make(claim(("74176", "2024-03-02"))))
        assert not looks_at(rules, "codes.diagnosis_not_billable", make(claim(("74176", "2026-03-02"), diagnoses=[])))


class TestDiff:
    def test_code_set_versions_are_compared_code_by_code(self, tmp_path):
        """`radrules diff` reports codes added to a code set and diagnoses whose billable flag changed."""
        old = ruleset(tmp_path, f'table hcpcs "cms/{APR}" effective 2026-07-01\n'
                                f'table icd10cm "cms/{FY2021}" effective 2025-10-01\n', APR, FY2021, name="old")
        new = ruleset(tmp_path, f'table hcpcs "cms/{JUL}"\ntable icd10cm "cms/{FY2026}"\n', JUL, FY2026, name="new")
        diff = diff_rulesets(old, new)
        tables = {t.kind: t for t in diff.tables}
        assert (tables["hcpcs"].added, tables["hcpcs"].removed, tables["hcpcs"].changed) == (1, 0, 0)
        assert tables["hcpcs"].examples[0].details == ("valid from 2026-07-01",)
        assert (tables["icd10cm"].added, tables["icd10cm"].changed) == (3, 1)
        assert tables["icd10cm"].label == "ICD-10-CM code set"
        assert [e.details for e in tables["icd10cm"].examples if e.change == "changed"] == [("billable: yes -> no",)]


# ---------------------------------------------------------------- timely filing


class TestTimelyFiling:
    @pytest.mark.parametrize("dos, received, late", [
        ("2025-03-02", "2026-03-02", False),  # the same date a year later: in time
        ("2025-03-02", "2026-03-03", True),   # one day more
        ("2025-03-01", "2026-03-02", False),  # 2026-03-01 is a Sunday: the deadline is the Monday's
        ("2025-03-01", "2026-03-03", True),
        ("2024-02-29", "2025-02-28", False),  # 12 months after February 29 is February 28
        ("2024-02-29", "2025-03-01", True),
        ("2023-02-28", "2024-02-28", False),
        ("2023-02-28", "2024-02-29", True),   # the same date a year later, not the end of February
    ])
    def test_medicare_limit_at_its_boundaries(self, bundled, dos, received, late):
        """Medicare denies a line received more than 12 months after its date of service, CO-29 N211 (§7.4)."""
        result = bundled.evaluate({"payer": "medicare", "received": received,
                                   "lines": [{"code": "71046", "date": dos}]})
        findings = [f for f in result.findings if f.rule == "medicare.timely_filing"]
        assert bool(findings) is late
        if late:
            assert (findings[0].carc, findings[0].rarc, findings[0].severity) == ("CO-29", ("N211",), "deny")

    def test_other_payers_and_claims_without_a_receipt_date(self, bundled):
        """The Medicare limit is Medicare's; without a receipt date filing is not judged."""
        late = {"received": "2027-01-01", "lines": [{"code": "71046", "date": "2025-01-01"}]}
        assert bundled.evaluate({**late, "payer": "acme"}).passed
        assert bundled.evaluate({"payer": "medicare", "lines": late["lines"]}).passed
