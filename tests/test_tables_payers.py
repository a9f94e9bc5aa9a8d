"""`table ... for payer`: table versions that judge some payers' claims only (a payer adopting a quarter late, a
plan's own MUE file), and the statements without it, which serve every other payer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import radrules
from radrules.cli.check_command import table_line

MUE_HEADER = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
OPPS_HEADER = "HCPCS/CPT Code,Outpatient Hospital Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
JULY = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
OCTOBER = "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
PLAN = "MCD_MUE_PractitionerServices_Eff_10-01-2026.csv"  # a plan's own
APRIL = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
JANUARY = "MCR_MUE_PractitionerServices_Eff_01-01-2027.csv"
OPPS_JULY = "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv"
OPPS_JANUARY = "MCR_MUE_OutpatientHospitalServices_Eff_01-01-2027.csv"
AOC_JULY = "aoc_v2026q3.csv"
AOC_JANUARY = "aoc_v2027q1.csv"
AOC_ROWS = "Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt\n77067,77063,1,20170101\n"
# More quarters for `ruleset(files=...)`: 71046's limit is 1 in April, 4 in January, 1 in the plan's file.
QUARTERS = {APRIL: MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n",
            JANUARY: MUE_HEADER + "71046,4,1 Line Edit,Nature of Service/Procedure\n",
            PLAN: MUE_HEADER + "71046,5,1 Line Edit,Nature of Service/Procedure\n",  # (April's rows would be RR538)
            OPPS_JULY: OPPS_HEADER + "71046,2,1 Line Edit,Nature of Service/Procedure\n",
            OPPS_JANUARY: OPPS_HEADER + "71046,4,1 Line Edit,Nature of Service/Procedure\n",
            AOC_JULY: AOC_ROWS, AOC_JANUARY: AOC_ROWS}
# The late adoption the docs advise: every payer takes the October file on October 1, Acme on October 2.
LATE = (f'table mue "cms/{JULY}"\n'
        f'table mue "cms/{OCTOBER}"\n'
        f'table mue "cms/{JULY}" for payer acme\n'
        '# allow RR531: Acme adopts the October MUE file from October 2\n'
        f'table mue "cms/{OCTOBER}" for payer acme effective 2026-10-02\n')


def ruleset(tmp_path: Path, text: str, name: str = "ncci", files: dict | None = None) -> Path:
    """A ruleset folder holding ``text`` as ``tables.rr`` and, under ``cms/``, the July MUE file (71046: 2 a
    line), the October one (71046: 3 a line) and ``files`` (name -> text)."""
    root = tmp_path / name
    (root / "cms").mkdir(parents=True)
    tables = {JULY: MUE_HEADER + "71046,2,1 Line Edit,Nature of Service/Procedure\n",
              OCTOBER: MUE_HEADER + "71046,3,1 Line Edit,Nature of Service/Procedure\n"}
    for file, content in {**tables, **(files or {})}.items():
        (root / "cms" / file).write_text(content, encoding="latin-1")
    (root / "tables.rr").write_text(text, encoding="utf-8")
    return root


def limit_hit(rules, payer: str, date: str, units: int = 3, claim_type: str = "professional", indexed=True) -> list:
    """The `ncci.mue` findings of one line of 71046 with ``units``, and the table row each cites."""
    result = rules.evaluate({"payer": payer, "type": claim_type,
                             "lines": [{"code": "71046", "units": units, "date": date}]}, indexed=indexed)
    return [finding.source for finding in result.findings if finding.rule == "ncci.mue"]


class TestLateAdoption:
    @pytest.mark.parametrize("indexed", [True, False])
    def test_each_payer_by_its_own_versions(self, tmp_path, indexed):
        """The review's repro: a late `effective` date on a statement without `for payer` moved the October
        file for every payer, so Medicare's claim of October 1 was denied by the July limit. With `for payer`,
        Medicare is judged by the October file on October 1, Acme by July's until October 2."""
        rules = radrules.load(ruleset(tmp_path, LATE), cache_dir=None)
        assert [w.code for w in rules.warnings] == []
        assert [w.code for w in rules.allowed] == ["RR531"]
        assert limit_hit(rules, "Medicare", "2026-10-01", indexed=indexed) == []
        assert limit_hit(rules, "ACME", "2026-10-01", indexed=indexed) == [f"{JULY}:2"]
        assert limit_hit(rules, "acme", "2026-10-02", indexed=indexed) == []
        assert limit_hit(rules, "medicare", "2026-09-30", indexed=indexed) == [f"{JULY}:2"]
        assert rules.payers == frozenset({"acme"})

    def test_without_for_payer_a_statement_serves_every_payer(self, tmp_path):
        """What the docs now say: the date of a statement without `for payer` is every payer's."""
        text = f'table mue "cms/{JULY}"\n# allow RR531: late\ntable mue "cms/{OCTOBER}" effective 2026-10-02\n'
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert limit_hit(rules, "medicare", "2026-10-01") == [f"{JULY}:2"]

    def test_a_payers_versions_replace_the_others_on_every_date(self, tmp_path):
        """A payer that names only the October file is judged by it on every date (its oldest judges the dates
        before it), not by the July file of the other payers."""
        text = f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}" for payer acme effective 2026-10-02\n'
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [w.code for w in rules.warnings] == ["RR532", "RR531"]  # said, below
        assert limit_hit(rules, "acme", "2026-08-01") == []
        assert limit_hit(rules, "medicare", "2026-11-01") == [f"{JULY}:2"]

    def test_the_finding_names_the_payers_version(self, tmp_path):
        rules = radrules.load(ruleset(tmp_path, LATE), cache_dir=None)
        result = rules.evaluate({"payer": "acme", "lines": [{"code": "71046", "units": 3, "date": "2026-10-01"}]})
        (finding,) = result.findings
        assert finding.reference.startswith(f"NCCI MUE, practitioner table for payer acme ({JULY}; in force from "
                                            "2026-07-01)")

    def test_two_payers_naming_one_file_share_one_table(self, tmp_path):
        """The same file for every payer, for acme and for beta is read once and held once: one table object, and
        one bound table in the views whose versions include it."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{JULY}" for payer acme\n'
                f'table mue "cms/{JULY}" for payers beta\ntable mue "cms/{OCTOBER}" for payer beta\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        first, for_acme, for_beta, _ = rules.tables
        assert first.table is for_acme.table is for_beta.table
        views = rules.views
        assert views[("acme", "professional")].mue_tables is not views[(None, "professional")].mue_tables
        assert views[("beta", "professional")].mue_tables.tables[0] is not None
        assert limit_hit(rules, "beta", "2026-10-01") == []
        assert limit_hit(rules, "acme", "2026-10-01") == [f"{JULY}:2"]

    def test_payers_with_the_same_versions_share_them(self, tmp_path):
        """Views whose payers have one list of versions share its Versions (bound once)."""
        text = f'table mue "cms/{JULY}" for payers acme, "Blue  Plan"\ntable mue "cms/{OCTOBER}"\n'
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert rules.payers == frozenset({"acme", "blue plan"})
        assert rules.views[("acme", "professional")].mue_tables is rules.views[("blue plan", "professional")].mue_tables
        assert limit_hit(rules, "BLUE PLAN", "2026-10-01") == [f"{JULY}:2"]
        assert limit_hit(rules, "other", "2026-10-01") == []


class TestClaimTypes:
    def test_a_payers_institutional_versions(self, tmp_path):
        """`for payer acme for institutional claims`: Acme's institutional claims by its own table; its
        professional claims, and other payers' institutional claims (no table for them), as before."""
        opps = "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv"
        text = f'table mue "cms/{JULY}"\ntable mue "cms/{opps}" effective 2026-07-01 for institutional for payer acme\n'
        files = {opps: OPPS_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        assert limit_hit(rules, "acme", "2026-08-01", units=2, claim_type="institutional") == [f"{opps}:2"]
        assert limit_hit(rules, "medicare", "2026-08-01", units=2, claim_type="institutional") == []
        assert limit_hit(rules, "acme", "2026-08-01", units=3) == [f"{JULY}:2"]
        assert rules.views[(None, "institutional")].mue_tables is None


class TestPayerFolder:
    def test_a_plans_own_table_in_its_folder(self, tmp_path):
        """The review's second repro: a Medicaid plan's folder loading its own MUE file changed Medicare's limits
        from its date. With `for payer`, it judges the plan's claims only."""
        ncci = ruleset(tmp_path, f'table mue "cms/{JULY}"\n')
        plan = ruleset(tmp_path, 'table mue "cms/MCD_MUE_PractitionerServices_Eff_10-01-2026.csv" '
                                 'for payer "medicaid plan" effective 2026-11-01\n', name="mcd",
                       files={"MCD_MUE_PractitionerServices_Eff_10-01-2026.csv":
                              MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"})
        rules = radrules.load(ncci, plan, cache_dir=None)
        assert limit_hit(rules, "medicare", "2026-11-02", units=2) == []
        assert limit_hit(rules, "Medicaid  Plan", "2026-11-02", units=2) == [
            "MCD_MUE_PractitionerServices_Eff_10-01-2026.csv:2"]


class TestChecksWithinAPayer:
    def test_versions_compared_within_their_payers_only(self, tmp_path):
        """Acme's October file from October 2 is RR531 once, at its statement; the others' versions are not
        compared with Acme's (no RR524 for Acme's July file after the others' October file)."""
        text = (f'table mue "cms/{OCTOBER}"\ntable mue "cms/{JULY}" for payers acme, beta\n'
                f'table mue "cms/{OCTOBER}" for payers acme, beta effective 2026-10-02\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR531", 3)]
        assert rules.warnings[0].help.endswith("if the payers adopt this version from 2026-10-02, allow the warning "
                                               "here with the reason (`# allow RR531: ...`)")

    def test_a_file_for_two_payer_lists_that_share_a_payer(self, tmp_path):
        """The same file for `acme, beta` and for `acme` would load it twice for Acme: RR520."""
        text = f'table mue "cms/{JULY}" for payers acme, beta\ntable mue "cms/{JULY}" for payer acme\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(ruleset(tmp_path, text), cache_dir=None)
        (error,) = caught.value.errors
        assert (error.code, error.span.line) == ("RR520", 2)
        assert error.message == (f"`cms/{JULY}` is loaded by two `table mue` statements for professional claims "
                                 "of payer acme")

    def test_two_versions_of_one_date_for_one_payer(self, tmp_path):
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}" effective 2026-07-01 for payer acme\n'
                f'table mue "cms/{JULY}" for payer acme\n')
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(ruleset(tmp_path, text), cache_dir=None)
        (error,) = caught.value.errors
        assert (error.code, error.span.line, error.message) == (
            "RR513", 3, "two mue tables for professional claims of payer acme take effect on the same date, "
                        "2026-07-01")

    def test_a_table_of_every_payer_takes_no_payer_clause(self, tmp_path):
        text = 'table hcpcs "cms/HCPC2026_JUL_ANWEB.csv" for payer acme\n'
        files = {"HCPC2026_JUL_ANWEB.csv": "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,ACT EFF DT,"
                                           "TERM DT,ACTION CD\nG0279,00100,3,X,X,20150101,20150101,,N\n"}
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        (error,) = caught.value.errors
        assert (error.code, error.span.column, error.message) == (
            "RR501", 52, "a `hcpcs` table serves every payer; drop `for payer`")

    def test_a_payer_one_letter_from_another(self, tmp_path):
        """A table statement's payer counts among the names RR269 compares."""
        text = f'table mue "cms/{JULY}" for payer acmee\n'
        more = 'limits acme.mue\n  for payer acme\n  reference "r"\n  limit 70450 max 1 mai 1\nend\n'
        root = ruleset(tmp_path, text)
        (root / "acme.rr").write_text(more, encoding="utf-8")
        rules = radrules.load(root, cache_dir=None)
        assert [(w.code, w.span.file) for w in rules.warnings] == [("RR269", "ncci/tables.rr")]


class TestPayersListBeginsLate:
    """RR532: a payer's own versions that begin after versions without `for payer` judge its earlier dates by
    its oldest, which other tables judge for every other payer."""

    def test_a_late_version_alone_judges_the_payers_earlier_dates(self, tmp_path):
        """The review's repro: Acme names only the October file from October 2. Its September claims are judged
        by the October file (no limit hit), Medicare's by July's; no warning said so. Now RR532 at Acme's
        statement, naming the July version it leaves, and RR531 at its date (its start now matters)."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{OCTOBER}" for payer acme effective 2026-10-02\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR532", 3), ("RR531", 3)]
        warning = rules.warnings[0]
        assert warning.message == (
            "the mue versions `for payer acme` (professional claims) begin on 2026-10-02, so this one also judges "
            "the payer's claims before it, which a version without `for payer` judges otherwise")
        assert f"ncci/tables.rr:1 ({JULY}, from 2026-07-01) no longer judges" in warning.help
        assert "name it `for payer acme` too" in warning.help
        assert "name the versions it uses before it `for payer` too (RR532)" in rules.warnings[1].help

    def test_every_left_out_version_named_once_for_payers_sharing_a_list(self, tmp_path):
        april = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
        text = (f'table mue "cms/{april}"\ntable mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{OCTOBER}" for payers acme, "blue plan"\n')
        files = {april: MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        (warning,) = rules.warnings
        assert (warning.code, warning.span.line) == ("RR532", 4)
        assert "the payers' claims before it, which 2 versions without `for payer` judge otherwise" in warning.message
        assert (f"ncci/tables.rr:1 ({april}, from 2026-04-01); ncci/tables.rr:2 ({JULY}, from 2026-07-01) no "
                "longer judge the payers' claims; name them `for payers acme, \"blue plan\"` too (every version they "
                "use, from their oldest)") in warning.help

    def test_several_payers_late(self, tmp_path):
        """RR532 and RR531 at a `for payers acme, beta` statement speak of the payers, not of one payer."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{OCTOBER}" for payers acme, beta effective 2026-10-02\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR532", 3), ("RR531", 3)]
        assert "name it `for payers acme, beta` too (every version they use, from their oldest)" in (
            rules.warnings[0].help)
        assert rules.warnings[1].help.endswith(
            "if the payers adopt this version from 2026-10-02, name the versions they use before it `for payer` too "
            "(RR532) and allow the warning here with the reason (`# allow RR531: ...`)")

    def test_once_at_a_statement_two_payers_lists_begin_with(self, tmp_path):
        """The review's repro: Acme's and Beta's lists differ (Acme has the October file of its own) but begin with
        one `for payers acme, beta` statement, which was RR532 twice, `for payer acme` and `for payer beta`. Now
        one warning naming both."""
        april = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
        text = (f'table mue "cms/{april}"\ntable mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{JULY}" for payers acme, beta\ntable mue "cms/{OCTOBER}" for payer acme\n'
                f'table mue "cms/{OCTOBER}" for payer beta\n')
        files = {april: MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        (warning,) = rules.warnings
        assert (warning.code, warning.span.line) == ("RR532", 4)
        assert warning.message == (
            "the mue versions `for payers acme, beta` (professional claims) begin on 2026-07-01, so this one also "
            "judges the payers' claims before it, which a version without `for payer` judges otherwise")
        assert "name it `for payers acme, beta` too" in warning.help

    def test_allowed_with_a_reason(self, tmp_path):
        text = (f'table mue "cms/{JULY}"\n# allow RR532: Acme joined in October\n'
                f'table mue "cms/{OCTOBER}" for payer acme\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [w.code for w in rules.warnings] == []
        assert [w.code for w in rules.allowed] == ["RR532"]

    @pytest.mark.parametrize("comment", ["# allow RR532: Acme joined in October\n{statement}\n",
                                         "{statement}  # allow RR532: Acme joined in October\n"])
    def test_allowed_it_takes_rr531_at_its_date(self, tmp_path, comment):
        """The brief's repro: with RR532 allowed (Acme's October file right for its earlier dates too), RR531 was
        still given at its late date, which then moves no day (the oldest judges the dates before it): a second
        code to allow. Now RR532 allowed is all."""
        statement = f'table mue "cms/{OCTOBER}" for payer acme effective 2026-10-02'
        text = f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n' + comment.format(statement=statement)
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [w.code for w in rules.warnings] == []
        assert [w.code for w in rules.allowed] == ["RR532"]
        assert limit_hit(rules, "acme", "2026-09-01") == limit_hit(rules, "acme", "2026-10-01") == []

    @pytest.mark.parametrize("comment", ["# allow RR532\n{statement}\n", "{statement}  # allow RR532:\n",
                                         "{statement}  # allow RR532\n"])
    def test_a_comment_without_a_reason_allows_nothing_not_even_rr531(self, tmp_path, comment):
        """The final read's repro: `# allow RR532` without a reason (RR271: it allows nothing) left RR532 given
        but took RR531 away, as if RR532 were allowed."""
        statement = f'table mue "cms/{OCTOBER}" for payer acme effective 2026-10-02'
        text = f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n' + comment.format(statement=statement)
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert sorted(w.code for w in rules.warnings) == ["RR271", "RR531", "RR532"]
        assert [w.code for w in rules.allowed] == []

    def test_allowed_it_still_checks_the_date_for_a_payer_it_follows(self, tmp_path):
        """RR532 allowed for Acme, whose list begins with the statement, but Beta's July comes before it: its date
        moves Beta's October 1, so RR531, as at a later version."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JULY}" for payer beta\n'
                f'# allow RR532: Acme joined in October\n'
                f'table mue "cms/{OCTOBER}" for payers acme, beta effective 2026-10-02\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR531", 5)]
        assert rules.warnings[0].help.endswith("if the payers adopt this version from 2026-10-02, allow the warning "
                                               "here with the reason (`# allow RR531: ...`)")
        assert [w.code for w in rules.allowed] == ["RR532"]

    def test_a_wrong_comment_reported_once(self, tmp_path):
        """Whether RR532 is allowed is read before the allow pass, which alone reports a wrong comment."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n# allow RR532, RR999: Acme joined in October\n'
                f'table mue "cms/{OCTOBER}" for payer acme effective 2026-10-02\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR270", 3)]
        assert [w.code for w in rules.allowed] == ["RR532"]

    @pytest.mark.parametrize("earlier, late", [("beta", "acme"), ("acme", "beta")])
    def test_rr531_at_one_payers_oldest_and_anothers_later(self, tmp_path, earlier, late):
        """A `for payers acme, beta` statement that begins one payer's list (RR532) and follows the other's July:
        its RR531 help was that of the list checked first, by payer name (for Acme's: name the versions both payers
        use before it; for Beta's: no word of RR532). Now alike either way, naming the payer whose list it begins."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JULY}" for payer {earlier}\n'
                f'table mue "cms/{OCTOBER}" for payers acme, beta effective 2026-10-02\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR532", 4), ("RR531", 4)]
        assert rules.warnings[1].help.endswith(
            f"if the payers adopt this version from 2026-10-02, name the versions payer {late} uses before it `for "
            f"payer {late}` too (RR532) and allow the warning here with the reason (`# allow RR531: ...`)")

    @pytest.mark.parametrize("text", [
        LATE,  # every version from the oldest
        f'table mue "cms/{OCTOBER}"\ntable mue "cms/{OCTOBER}" for payer acme effective 2026-10-02\n',  # one table
        f'table mue "cms/{OCTOBER}"\ntable mue "cms/{JULY}" for payer acme\n'
        f'table mue "cms/{OCTOBER}" for payer acme\n',  # the payer's begins first
        f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{OCTOBER}" for payer acme\n',  # none without it
    ])
    def test_no_warning_where_no_date_changes_version(self, tmp_path, text):
        """No RR532 (nor RR531 at the payer's oldest) where the versions without `for payer` judge no date
        before the payer's list begins by another table."""
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [w.code for w in rules.warnings] == []



class TestPayersListEndsEarly:
    """RR533, RR532's mirror: a payer's own versions that end before versions without `for payer` go on judge its
    later dates by its newest, which other tables judge for every other payer."""

    def test_a_payers_newest_judges_the_dates_of_a_later_version(self, tmp_path):
        """The brief's repro: the October file was added to the statements without `for payer`, not to Acme's.
        Acme's October claims are judged by the July file, silently; now RR533 at Acme's July statement."""
        text = f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JULY}" for payer acme\n'
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert limit_hit(rules, "acme", "2026-10-01") == [f"{JULY}:2"]  # what the warning is about
        assert limit_hit(rules, "medicare", "2026-10-01") == []
        (warning,) = rules.warnings
        assert (warning.code, warning.span.line) == ("RR533", 3)
        assert warning.message == (
            "the mue versions `for payer acme` (professional claims) end with this one, from 2026-07-01, so it also "
            "judges the payer's claims from 2026-10-01 on, which a later version without `for payer` judges "
            "otherwise")
        assert (f"ncci/tables.rr:2 ({OCTOBER}, from 2026-10-01) never judges the payer's claims; name it `for "
                "payer acme` too (a payer that adopts a version late: with its own `effective` date)") in warning.help
        assert "allow the warning here with the reason (`# allow RR533: ...`)" in warning.help

    def test_every_later_version_named_for_payers_sharing_a_list(self, tmp_path):
        january = "MCR_MUE_PractitionerServices_Eff_01-01-2027.csv"
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{january}"\n'
                f'table mue "cms/{JULY}" for payers acme, "blue plan"\n')
        files = {january: MUE_HEADER + "71046,4,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        (warning,) = rules.warnings
        assert (warning.code, warning.span.line) == ("RR533", 4)
        assert ("the payers' claims from 2026-10-01 on, which 2 later versions without `for payer` judge "
                "otherwise") in warning.message
        assert (f"ncci/tables.rr:2 ({OCTOBER}, from 2026-10-01); ncci/tables.rr:3 ({january}, from 2027-01-01) "
                "never judge the payers' claims; name them `for payers acme, \"blue plan\"` too") in warning.help
        assert "if the payers stay on this version, allow the warning here" in warning.help

    def test_once_at_a_statement_two_payers_lists_end_with(self, tmp_path):
        """RR533 at a `for payers acme, beta` statement Acme's and Beta's lists (which differ before it) end with:
        one warning naming both, not one a payer."""
        april = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{april}" for payer acme\ntable mue "cms/{JULY}" for payers acme, beta\n')
        files = {april: MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR533", 4)]
        assert rules.warnings[0].message.startswith("the mue versions `for payers acme, beta` (professional claims) "
                                                    "end with this one")

    def test_one_version_of_its_own_between_others(self, tmp_path):
        """A payer whose one version starts after the first without `for payer` and ends before the last: RR532
        and RR533 at its statement."""
        april = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
        text = (f'table mue "cms/{april}"\ntable mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{JULY}" for payer acme\n')
        files = {april: MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR532", 4), ("RR533", 4)]

    def test_allowed_with_a_reason(self, tmp_path):
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'# allow RR533: Acme stays on the July limits until its contract is renewed\n'
                f'table mue "cms/{JULY}" for payer acme\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert [w.code for w in rules.warnings] == []
        assert [w.code for w in rules.allowed] == ["RR533"]

    @pytest.mark.parametrize("text", [
        LATE,  # the same newest table, from a later date
        f'table mue "cms/{JULY}"\ntable mue "cms/{JULY}" for payer acme effective 2026-07-15\n',  # the same table
        f'table mue "cms/{JULY}"\ntable mue "cms/{JULY}" for payer acme\n'
        f'table mue "cms/{OCTOBER}" for payer acme\n',  # the payer's goes on after
        f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JULY}" for payer acme\n'
        f'table mue "cms/{PLAN}" for payer acme\n',  # the payer's own newest, from the same date
        f'table mue "cms/{JULY}" for payer acme\n',  # none without it
        f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{OCTOBER}" for payer beta\n',
    ])
    def test_no_warning_where_no_later_date_changes_version(self, tmp_path, text):
        """No RR533 where the versions without `for payer` judge no date after the payer's newest begins by
        another table."""
        files = {PLAN: MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        assert [w.code for w in rules.warnings] == []


class TestPayersListSkips:
    """RR534: a payer's own versions that skip a version without `for payer` between two of them: the payer's version
    before the gap judges its dates, which another table judges for every other payer."""

    def test_a_quarter_left_out_in_the_middle(self, tmp_path):
        """The brief's repro: July, October and January without `for payer`, Acme's July and January. Acme's
        November claims were judged by the July file, silently (RR532 and RR533 look at the ends only); now RR534 at
        Acme's July statement, naming the October version."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JANUARY}"\n'
                f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{JANUARY}" for payer acme\n')
        rules = radrules.load(ruleset(tmp_path, text, files=QUARTERS), cache_dir=None)
        assert limit_hit(rules, "acme", "2026-11-02") == [f"{JULY}:2"]  # what the warning is about
        assert limit_hit(rules, "medicare", "2026-11-02") == []
        (warning,) = rules.warnings
        assert (warning.code, warning.span.line) == ("RR534", 4)
        assert warning.message == (
            "the mue versions `for payer acme` (professional claims) go on from this one, from 2026-07-01, to the "
            "next on 2027-01-01, so it also judges the payer's claims from 2026-10-01 to 2026-12-31, which a version "
            "without `for payer` judges otherwise")
        assert (f"ncci/tables.rr:2 ({OCTOBER}, from 2026-10-01) never judges the payer's claims; name it `for payer "
                "acme` too, from its date") in warning.help
        assert warning.help.endswith("if the payer skips that version, allow the warning here with the reason "
                                     "(`# allow RR534: ...`)")

    def test_every_skipped_version_named_once_for_payers_sharing_a_list(self, tmp_path):
        """Two versions skipped after one `for payers acme, beta` statement, and each payer's own January: one
        warning naming both payers and both versions."""
        text = (f'table mue "cms/{APRIL}"\ntable mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{JANUARY}"\ntable mue "cms/{APRIL}" for payers acme, beta\n'
                f'table mue "cms/{JANUARY}" for payer acme\ntable mue "cms/{PLAN}" for payer beta '
                'effective 2027-01-01\n')
        rules = radrules.load(ruleset(tmp_path, text, files=QUARTERS), cache_dir=None)
        (warning,) = rules.warnings
        assert (warning.code, warning.span.line) == ("RR534", 5)
        assert warning.message.startswith("the mue versions `for payers acme, beta` (professional claims) go on "
                                          "from this one, from 2026-04-01, to the next on 2027-01-01, so it also "
                                          "judges the payers' claims from 2026-07-01 to 2026-12-31, which 2 versions")
        assert (f"ncci/tables.rr:2 ({JULY}, from 2026-07-01); ncci/tables.rr:3 ({OCTOBER}, from 2026-10-01) never "
                "judge the payers' claims; name them `for payers acme, beta` too, from their dates") in warning.help
        assert "if the payers skip those versions, allow the warning here" in warning.help

    def test_dates_end_where_the_skipped_version_stops_judging(self, tmp_path):
        """The final read's repro: Acme's January file adopted late (February 1) after its July: the October
        version it skips judges up to December 31 (January is the shared January's, the late adoption no gap);
        the warning said to January 31."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JANUARY}"\n'
                f'table mue "cms/{JULY}" for payer acme\n# allow RR531: Acme adopts January late\n'
                f'table mue "cms/{JANUARY}" for payer acme effective 2027-02-01\n')
        rules = radrules.load(ruleset(tmp_path, text, files=QUARTERS), cache_dir=None)
        (warning,) = rules.warnings
        assert warning.code == "RR534"
        assert ("to the next on 2027-02-01, so it also judges the payer's claims from 2026-10-01 to 2026-12-31, "
                "which a version without `for payer` judges otherwise") in warning.message

    def test_one_day_skipped(self, tmp_path):
        """A payer's next version a day after the version it skips: that day."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JULY}" for payer acme\n'
                f'# allow RR531: Acme takes its plan file from October 2\n'
                f'table mue "cms/{PLAN}" for payer acme effective 2026-10-02\n')
        rules = radrules.load(ruleset(tmp_path, text, files=QUARTERS), cache_dir=None)
        (warning,) = rules.warnings
        assert "so it also judges the payer's claims on 2026-10-01, which a version" in warning.message

    def test_allowed_with_a_reason(self, tmp_path):
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JANUARY}"\n'
                '# allow RR534: Acme kept the July limits through December\n'
                f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{JANUARY}" for payer acme\n')
        rules = radrules.load(ruleset(tmp_path, text, files=QUARTERS), cache_dir=None)
        assert [w.code for w in rules.warnings] == []
        assert [w.code for w in rules.allowed] == ["RR534"]

    @pytest.mark.parametrize("text", [
        # every version, October adopted late (its shared date falls between Acme's July and October)
        f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JANUARY}"\n'
        f'table mue "cms/{JULY}" for payer acme\n# allow RR531: late\n'
        f'table mue "cms/{OCTOBER}" for payer acme effective 2026-10-02\ntable mue "cms/{JANUARY}" for payer acme\n',
        # a plan's own file from the October date: no date is left to the July file
        f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JANUARY}"\n'
        f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{PLAN}" for payer acme\n'
        f'table mue "cms/{JANUARY}" for payer acme\n',
        # another claim type: Acme's institutional July and January; the October version between is professional
        f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JANUARY}"\n'
        f'table mue "cms/{OPPS_JULY}" for institutional claims\n'
        f'table mue "cms/{OPPS_JANUARY}" for institutional claims\n'
        f'table mue "cms/{OPPS_JULY}" for institutional claims for payer acme\n'
        f'table mue "cms/{OPPS_JANUARY}" for institutional claims for payer acme\n',
        # another kind: Acme's own add-on versions against MUE versions
        f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\ntable mue "cms/{JANUARY}"\n'
        f'table addon "cms/{AOC_JULY}" for payer acme\ntable addon "cms/{AOC_JANUARY}" for payer acme\n',
    ])
    def test_no_warning_where_no_date_in_the_middle_changes_version(self, tmp_path, text):
        """(The last two lists skip October, which no version of theirs gives: RR535, test_tables_versions.py.)"""
        rules = radrules.load(ruleset(tmp_path, text, files=QUARTERS), cache_dir=None)
        assert [w.code for w in rules.warnings if w.code != "RR535"] == []


class TestChecksComputedOnce:
    def test_each_payers_list_compared_once(self, tmp_path, monkeypatch):
        """A final read found RR532 and RR533 computed twice a payer's list (once to gather the payers of each
        warning, once to say it); now once, and the warnings as before."""
        from radrules.compiler import versions

        calls = []
        for name in ("_left_out", "_left_after"):
            original = getattr(versions, name)
            monkeypatch.setattr(versions, name, lambda shared, own, name=name, original=original: (
                calls.append(name), original(shared, own))[1])
        april = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
        text = (f'table mue "cms/{april}"\ntable mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{JULY}" for payer beta\n')
        files = {april: MUE_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR532", 4), ("RR533", 4), ("RR532", 5),
                                                                   ("RR533", 5)]
        assert sorted(calls) == ["_left_after"] * 2 + ["_left_out"] * 2  # two payers' lists


class TestStandIns:
    def test_a_stand_in_left_out_for_the_payers_a_table_serves(self, tmp_path):
        """An `unless table mue` block is left out where a table serves: for Acme, whose table it is, not for
        the other payers."""
        text = (f'table mue "cms/{JULY}" for payer acme\n'
                'limits our.mue\n  unless table mue\n  reference "r"\n  limit 71046 max 1 mai 1\nend\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        hits = rules.evaluate({"payer": "medicare", "lines": [{"code": "71046", "units": 2, "date": "2026-08-01"}]})
        assert [f.rule for f in hits.findings] == ["our.mue"]
        assert limit_hit(rules, "acme", "2026-08-01", units=2) == []
        assert rules.replaced() == frozenset()

    def test_a_stand_in_replaced_by_a_table_for_each_of_its_payers(self, tmp_path):
        """A block `for payers acme, beta` beside a table `for payer acme` and one `for payer beta` is left out
        for both: it is replaced (no tests asked of it), though no one table serves both payers."""
        from radrules.testing.coverage import rule_sources

        text = (f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{OCTOBER}" for payer beta\n'
                'limits plan.mue\n  unless table mue\n  for payers acme, beta\n  for professional claims\n'
                '  reference "r"\n  limit 71046 max 1 mai 1\nend\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        assert limit_hit(rules, "acme", "2026-08-01", units=2) == []
        assert rules.replaced() == frozenset({"plan.mue"})
        assert "plan.mue" not in rule_sources(rules)

    def test_a_stand_in_for_both_claim_types_still_serves_institutional_claims(self, tmp_path):
        """The same without `for professional claims`: the professional tables leave its institutional claims to
        it, so it is not replaced."""
        text = (f'table mue "cms/{JULY}" for payer acme\ntable mue "cms/{OCTOBER}" for payer beta\n'
                'limits plan.mue\n  unless table mue\n  for payers acme, beta\n'
                '  reference "r"\n  limit 71046 max 1 mai 1\nend\n')
        rules = radrules.load(ruleset(tmp_path, text), cache_dir=None)
        result = rules.evaluate({"payer": "beta", "type": "institutional",
                                 "lines": [{"code": "71046", "units": 2, "date": "2026-08-01"}]})
        assert [f.rule for f in result.findings] == ["plan.mue"]
        assert rules.replaced() == frozenset()


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "radrules", "check", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60)


class TestCheckListing:
    def test_each_payers_versions_listed_apart(self, tmp_path):
        root = ruleset(tmp_path, LATE)
        done = check("--cache-dir", str(tmp_path / "cache"), str(root))
        assert done.returncode == 0, done.stderr
        listed = [line.strip().split(": ")[0] for line in done.stdout.splitlines() if line.startswith("  mue")]
        assert listed == [
            "mue, professional claims, every payer but acme, 2026-07-01 to 2026-09-30 (and earlier dates)",
            "mue, professional claims, every payer but acme, 2026-10-01 on",
            "mue, professional claims, payer acme, 2026-07-01 to 2026-10-01 (and earlier dates)",
            "mue, professional claims, payer acme, 2026-10-02 on",
        ]
        assert "payers named: acme" in done.stdout

    def test_payers_listed_as_words(self, tmp_path):
        """Several payers read as one list (`acme, beta and gamma`), not as items of the line's list; the JSON
        summary keeps them as a list."""
        text = (f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'
                f'table mue "cms/{JULY}" for payers acme, beta, gamma\n'
                f'table mue "cms/{OCTOBER}" for payers acme, beta, gamma\n')
        root = ruleset(tmp_path, text)
        done = check("--cache-dir", str(tmp_path / "cache"), str(root))
        assert done.returncode == 0, done.stderr
        listed = [line.strip().split(": ")[0] for line in done.stdout.splitlines() if line.startswith("  mue")]
        assert listed == [
            "mue, professional claims, every payer but acme, beta and gamma, 2026-07-01 to 2026-09-30 "
            "(and earlier dates)",
            "mue, professional claims, every payer but acme, beta and gamma, 2026-10-01 on",
            "mue, professional claims, payers acme, beta and gamma, 2026-07-01 to 2026-09-30 (and earlier dates)",
            "mue, professional claims, payers acme, beta and gamma, 2026-10-01 on",
        ]
        done = check("--cache-dir", str(tmp_path / "cache"), "--format", "json", str(root))
        versions = json.loads(done.stdout)["summary"]["table_versions"]
        assert [(v.get("payers"), v.get("payers_but")) for v in versions] == (
            [(None, ["acme", "beta", "gamma"])] * 2 + [(["acme", "beta", "gamma"], [])] * 2)
        assert table_line(dict(versions[0], payers_but=["acme", "beta"])).startswith(
            "mue, professional claims, every payer but acme and beta, ")

    def test_explain_says_whose_table_it_is(self, tmp_path):
        """`explain`'s reason a table rule was not considered reads the versions of the claim's payer: Acme has
        an institutional MUE table only, other payers none."""
        opps = "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv"
        text = f'table mue "cms/{opps}" for institutional claims for payer acme\n'
        files = {opps: OPPS_HEADER + "71046,1,1 Line Edit,Nature of Service/Procedure\n"}
        rules = radrules.load(ruleset(tmp_path, text, files=files), cache_dir=None)
        claim = {"payer": "acme", "lines": [{"code": "71046", "date": "2026-08-01"}]}
        gone = rules.evaluate(claim, explain=True).explanation.not_considered
        assert gone["ncci.mue.unpublished"] == "its table serves institutional claims, not professional"
        gone = rules.evaluate(dict(claim, payer="medicare"), explain=True).explanation.not_considered
        assert "ncci.mue.unpublished" not in gone or "serves" not in gone["ncci.mue.unpublished"]


class TestDiff:
    def test_a_payers_own_versions_compared_apart(self, tmp_path):
        """`radrules diff` of the ruleset before and after Acme's late adoption: Acme's versions are compared
        with what judged its claims before (the versions of every payer), labelled with its name; the others'
        are unchanged."""
        from radrules.diff import diff_rulesets

        before = radrules.load(ruleset(tmp_path / "old", f'table mue "cms/{JULY}"\ntable mue "cms/{OCTOBER}"\n'),
                               cache_dir=None)
        after = radrules.load(ruleset(tmp_path / "new", LATE), cache_dir=None)
        found = diff_rulesets(before, after)
        assert [(t.label, t.start, t.changed) for t in found.tables] == [
            ("practitioner MUE table of payer acme", "2026-10-01", 1)]
        assert [change.key for change in found.changes] == ["practitioner MUE table of payer acme"]
