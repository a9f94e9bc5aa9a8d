"""Quarterly versions of a table loaded side by side: a file two statements load (RR520), an `effective` date
other than the file name's (RR523), versions out of order (RR524), rows after the next version's start (RR525)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path, PurePath

import pytest

import radrules
from radrules import tables
from radrules.tables import reading

from test_tables import DATA, claim, fired, make_ruleset

PTP_HEADER = ("Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
              "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\r\n")
V321 = ("radiology-ptp-v321r0-f1.TXT",)
V322 = ("radiology-ptp-v322r0-f1.TXT", "radiology-ptp-v322r0-f2.TXT")
MUE_APRIL = "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
MUE_JULY = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"


def quarters(tmp_path: Path, text: str, rule_files: dict | None = None) -> Path:
    """A ruleset whose `cms/q2` holds the v321 test table and `cms/q3` the two parts of v322, with ``text`` as
    main.rr (and ``rule_files``: more rule files, name -> text)."""
    root = make_ruleset(tmp_path, text)
    for folder, names in (("q2", V321), ("q3", V322)):
        (root / "cms" / folder).mkdir()
        for name in names:
            shutil.copy(DATA / name, root / "cms" / folder / name)
    for name, more in (rule_files or {}).items():
        (root / name).write_text(more, encoding="utf-8")
    return root


def errors(root: Path) -> list:
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(root, cache_dir=None)
    return caught.value.errors


def warned(rules, code: str) -> list:
    return [w for w in rules.warnings if w.code == code]


class TestFileLoadedTwice:
    def test_a_version_and_one_of_its_files_as_another_version(self, tmp_path):
        """The folder of v322 from July and its part f1 alone from April loaded without a word: from April to
        June the f2 rows were missing. Now RR520 at the path of the second statement, naming the first."""
        root = quarters(tmp_path, 'table ptp "cms/q3" effective 2026-07-01\n'
                                  'table ptp "cms/q3/radiology-ptp-v322r0-f1.TXT" effective 2026-04-01\n')
        (error,) = errors(root)
        assert (error.code, error.span.line, error.span.column) == ("RR520", 2, 11)
        assert error.message == ("`cms/q3/radiology-ptp-v322r0-f1.TXT` is loaded by two `table ptp` statements "
                                 "for professional claims")  # named from the rule file, as `cms/q3` is
        assert error.help.startswith("the other is at rules/main.rr:1 (by `cms/q3`); a file is part of one version")

    def test_across_rule_files(self, tmp_path):
        """A file a statement of another rule file of the ruleset loads is the same error."""
        root = quarters(tmp_path, 'table ptp "cms/q3" effective 2026-07-01\n',
                        {"more.rr": 'table ptp "cms/q3/./radiology-ptp-v322r0-f1.TXT" effective 2026-04-01\n'})
        (error,) = errors(root)
        assert (error.code, error.span.file, error.span.line) == ("RR520", "rules/more.rr", 1)
        assert error.help.startswith("the other is at rules/main.rr:1 (by `cms/q3`)")

    def test_a_table_of_every_claim(self, tmp_path):
        """A PC/TC file at two dates: the message says no claim type (the table serves every claim)."""
        root = make_ruleset(tmp_path, 'table pctc "cms/PPRRVU26_JUL.csv"\n'
                                      'table pctc "cms/PPRRVU26_JUL.csv" effective 2026-10-01\n',
                            DATA / "PPRRVU26_JUL.csv")
        (error,) = errors(root)
        assert (error.code, error.message) == ("RR520", "`cms/PPRRVU26_JUL.csv` is loaded by two `table pctc` "
                                                        "statements")
        assert error.help.startswith("the other is at rules/main.rr:1; ")

    def test_the_add_on_file_for_both_claim_types_loads(self, tmp_path):
        """CMS's one add-on file, given for professional and for institutional claims, stays allowed."""
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n'
                                      'table addon "cms/aoc_v2026q3.csv" for institutional claims\n',
                            DATA / "aoc_v2026q3.csv")
        rules = radrules.load(root, cache_dir=None)
        assert sorted(t.claim_type for t in rules.tables) == ["institutional", "professional"]
        assert rules.warnings == ()


class TestEffectiveDateOfTheName:
    @pytest.mark.parametrize("kind, name, written, named", [
        ("mue", MUE_JULY, "2026-03-01", "2026-07-01"),
        ("addon", "aoc_v2026q3.csv", "2026-04-01", "2026-07-01"),
        ("pctc", "PPRRVU26_JUL.csv", "2026-01-01", "2026-07-01"),
        ("hcpcs", "HCPC2026_JUL_ANWEB.csv", "2026-06-30", "2026-07-01"),
    ])
    def test_a_date_before_the_names_is_a_warning(self, tmp_path, kind, name, written, named):
        """The July MUE file `effective 2026-03-01` judged from March without a word; now RR523 at the date."""
        text = f'table {kind} "cms/{name}" effective {written}\n'
        rules = radrules.load(make_ruleset(tmp_path, text, DATA / name), cache_dir=None)
        (warning,) = rules.warnings
        assert (warning.code, warning.span.line, warning.span.column) == ("RR523", 1, text.index(written) + 1)
        assert warning.message == f"this {kind} version takes effect on {written}, before {named}, the date `{name}` " \
                                  "is named for"
        assert warning.help.startswith("a CMS file's name gives the quarter it was published for")
        # a later date on a statement without `for payer` moves the version for every payer; pctc and hcpcs
        # tables serve every payer alike
        payers = kind in ("mue", "addon")
        assert f"write `effective {named}`{',' if payers else ' or a later date,'} or leave" in warning.help
        assert ("a payer that adopts the version later takes its own versions with `for payer`" in warning.help) \
            is payers
        (tmp_path / "rules" / "main.rr").write_text(text.replace(written, named), encoding="utf-8")
        assert radrules.load(tmp_path / "rules", cache_dir=None).warnings == ()

    def test_a_payers_version_before_the_names_date(self, tmp_path):
        """`for payer`: the later date is the payer's to give."""
        text = f'table mue "cms/{MUE_JULY}" for payer acme effective 2026-03-01\n'
        (warning,) = radrules.load(make_ruleset(tmp_path, text, DATA / MUE_JULY), cache_dir=None).warnings
        assert warning.code == "RR523"
        assert "write `effective 2026-07-01` or a later date, or leave `effective` out" in warning.help
        assert "`for payer`" not in warning.help

    @pytest.mark.parametrize("kind, name, written", [
        ("mue", MUE_JULY, "2026-08-01"),
        ("addon", "aoc_v2026q3.csv", "2026-10-01"),
        ("pctc", "PPRRVU26_JUL.csv", "2027-01-01"),
        ("hcpcs", "HCPC2026_JUL_ANWEB.csv", "2026-07-02"),
    ])
    def test_a_date_after_the_names_is_a_late_adoption(self, tmp_path, kind, name, written):
        """A payer adopting the July MUE file a month late (`effective 2026-08-01`) was RR523, with no way to
        silence it; as a PTP version a quarter late, it is the payer's choice: no warning (RR531, below, is for
        a version after another)."""
        text = f'table {kind} "cms/{name}" effective {written}\n'
        rules = radrules.load(make_ruleset(tmp_path, text, DATA / name), cache_dir=None)
        assert rules.warnings == ()
        assert rules.tables[0].start == dt.date.fromisoformat(written).toordinal()

    @pytest.mark.parametrize("written, warns", [("2025-10-01", None), ("2026-04-01", None), ("2026-09-30", None),
                                                ("2026-10-01", "after"), ("2025-07-01", "before")])
    def test_an_icd10cm_update_within_its_fiscal_year_is_no_warning(self, tmp_path, written, warns):
        """An order file's name gives a fiscal year: a mid-year update (or a late adoption) takes effect within it.
        A version judges only the dates of the fiscal year it takes effect in, so one dated after it judges the
        next year's dates: a warning, as one dated before it."""
        text = f'table icd10cm "cms/icd10cm_order_2026.txt" effective {written}\n'
        rules = radrules.load(make_ruleset(tmp_path, text, DATA / "icd10cm_order_2026.txt"), cache_dir=None)
        assert [w.message for w in warned(rules, "RR523")] == (
            [f"this icd10cm version takes effect on {written}, {warns} fiscal year 2026 (2025-10-01 to 2026-09-30), "
             "which `icd10cm_order_2026.txt` is named for"] if warns else [])

    def test_a_ptp_file_name_gives_no_date(self, tmp_path):
        rules = radrules.load(quarters(tmp_path, 'table ptp "cms/q3" effective 2026-10-01\n'), cache_dir=None)
        assert rules.warnings == ()


class TestQuarterStart:
    """RR531: a quarterly table's `effective` date that is not the first day of a quarter."""

    def test_a_ptp_version_a_day_off(self, tmp_path):
        """A QA engineer's October PTP file `effective 2026-10-02` loaded without a word (check --strict passed),
        and the July version judged October 1, where the deleted edit kept denying. Now RR531 at the date."""
        root = quarters(tmp_path, 'table ptp "cms/q2" effective 2026-04-01\n'
                                  'table ptp "cms/q3" effective 2026-07-02\n')
        rules = radrules.load(root, cache_dir=None)
        (warning,) = warned(rules, "RR531")
        assert (warning.span.line, warning.span.column) == (2, 30)
        # the day off: v321 judges July 1, where v322's pair added from July 1 counts as a correction
        assert [w.code for w in rules.warnings] == ["RR529", "RR531"]
        assert warning.message == "this ptp version takes effect on 2026-07-02, not on the first day of a quarter"
        assert "did you mean 2026-07-01 or 2026-10-01?" in warning.help
        # the statement serves every payer: a payer adopting the version late takes `for payer`
        assert warning.help.endswith(
            "if every payer takes this version from 2026-07-02 (a correction of CMS's taken from a date on, RR529), "
            "allow the warning here with the reason (`# allow RR531: ...`); if one payer adopts it late, give that "
            "payer its own versions with `for payer` (every one it uses, from its oldest: this statement serves every "
            "payer) and allow the warning at its statement")

    def test_a_payers_version_a_day_off(self, tmp_path):
        root = quarters(tmp_path, 'table ptp "cms/q2" effective 2026-04-01 for payer acme\n'
                                  'table ptp "cms/q3" effective 2026-07-02 for payer acme\n')
        (warning,) = warned(radrules.load(root, cache_dir=None), "RR531")
        assert warning.help.endswith("if the payer adopts this version from 2026-07-02, allow the warning here with "
                                     "the reason (`# allow RR531: ...`)")

    def test_a_payer_adopting_a_version_late_allows_it(self, tmp_path):
        root = quarters(tmp_path, 'table ptp "cms/q2" effective 2026-04-01\n'
                                  '# allow RR531: Acme adopts each PTP version a month late\n'
                                  'table ptp "cms/q3" effective 2026-08-01\n')
        rules = radrules.load(root, cache_dir=None)
        assert [w.code for w in rules.allowed] == ["RR531"]
        assert [w.code for w in rules.warnings] == ["RR529"]  # v321 judges July, which v322 corrects

    @pytest.mark.parametrize("kind, name", [("mue", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"),
                                            ("addon", "aoc_v2026q3.csv")])
    def test_other_quarterly_tables(self, tmp_path, kind, name):
        """Only a version after another: the oldest also judges the dates before it, so its date moves none. (The
        April version then judges the quarters up to a date after October 1 too: RR535.)"""
        for written, warns, skips in (("2026-07-01", False, False), ("2027-01-01", False, True),
                                      ("2026-12-31", True, True), ("2026-07-02", True, False)):
            text = f'table {kind} "cms/{name}" effective {written}\n'
            rules = radrules.load(make_ruleset(tmp_path, text, DATA / name), cache_dir=None)
            assert rules.warnings == (), written
            root = tmp_path / "two"
            older = name.replace("07-01", "04-01").replace("q3", "q2")  # the April version's name
            (root / "cms").mkdir(parents=True, exist_ok=True)
            # April's MUE file has a code fewer (the same rows twice would be RR538)
            april = (DATA / name).read_bytes().replace(b"76376,0,2 Date of Service Edit: Policy,CMS Policy\n", b"")
            (root / "cms" / older).write_bytes(april)
            (root / "cms" / name).write_bytes((DATA / name).read_bytes())
            (root / "main.rr").write_text(f'table {kind} "cms/{older}"\n'
                                          f'table {kind} "cms/{name}" effective {written}\n')
            rules = radrules.load(root, cache_dir=None)
            assert sorted(w.code for w in rules.warnings) == ["RR531"] * warns + ["RR535"] * skips, written

    def test_not_for_tables_published_otherwise(self, tmp_path):
        """The MPFS file has mid-quarter releases; a date before the name's is RR523, not RR531 as well."""
        name = "PPRRVU26_JUL.csv"
        rules = radrules.load(make_ruleset(tmp_path, f'table pctc "cms/{name}" effective 2026-08-15\n', DATA / name),
                              cache_dir=None)
        assert rules.warnings == ()
        name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        root = tmp_path / "two"
        for folder in ("april", "july"):
            (root / "cms" / folder).mkdir(parents=True)
            (root / "cms" / folder / name).write_bytes((DATA / name).read_bytes())
        (root / "main.rr").write_text(f'table mue "cms/april/{name}" effective 2026-04-01\n'
                                      f'table mue "cms/july/{name}" effective 2026-03-02\n')
        assert "RR531" not in [w.code for w in radrules.load(root, cache_dir=None).warnings]


class TestVersionsOutOfOrder:
    def test_ptp_versions_dated_the_wrong_way_round(self, tmp_path):
        """v321 from July and v322 from April loaded without a word (the review's reproduction): v322's new pair
        never fired, and the edit it deleted kept denying from July. Now RR524 at v321 and RR525 at v322."""
        root = quarters(tmp_path, 'table ptp "cms/q2" effective 2026-07-01\n'
                                  'table ptp "cms/q3" effective 2026-04-01\n')
        rules = radrules.load(root, cache_dir=None)
        (order,) = warned(rules, "RR524")
        assert (order.span.line, order.span.column) == (1, 1)
        assert order.message == ("this ptp version, v321r0, judges from 2026-07-01, after v322r0 (rules/main.rr:2), "
                                 "a later version that judges from 2026-04-01")
        assert "v321r0 before v322r0" in order.help
        (late,) = warned(rules, "RR525")
        assert late.span.line == 2
        assert [w.code for w in rules.warnings] == ["RR524", "RR525"]
        # what they warn of: the pair v322 added, effective 2026-07-01, never fires
        assert not fired(rules.evaluate(claim(("70470", "2026-08-03"), ("70450", "2026-08-03"))), "ncci.ptp")

    def test_dated_in_order_no_warning(self, tmp_path):
        root = quarters(tmp_path, 'table ptp "cms/q2" effective 2026-04-01\n'
                                  'table ptp "cms/q3" effective 2026-07-01\n')
        rules = radrules.load(root, cache_dir=None)
        assert rules.warnings == ()
        assert fired(rules.evaluate(claim(("70470", "2026-08-03"), ("70450", "2026-08-03"))), "ncci.ptp")

    def test_a_revision_is_later_than_its_version(self, tmp_path):
        """v322r1 revises v322r0: dated before it, it is out of order."""
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r1-f1.TXT" effective 2026-07-01\n'
                                      'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-10-01\n')
        for name in ("ccipra-v322r0-f1.TXT", "ccipra-v322r1-f1.TXT"):
            (root / "cms" / name).write_bytes((PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1"))
        (warning,) = warned(radrules.load(root, cache_dir=None), "RR524")  # (and RR538: the same rows)
        assert (warning.code, warning.span.line) == ("RR524", 2)
        assert warning.message.startswith("this ptp version, v322r0, judges from 2026-10-01, after v322r1")

    def test_mue_versions_by_the_dates_their_names_give(self, tmp_path):
        """The July MUE file `effective 2026-03-01` before the April one: RR523 at its date and RR524 at the
        April file, which judges after it."""
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_APRIL}"\ntable mue "cms/{MUE_JULY}" effective 2026-03-01\n',
                            DATA / MUE_APRIL, DATA / MUE_JULY)
        rules = radrules.load(root, cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR524", 1), ("RR523", 2)]
        assert rules.warnings[0].message == (
            f"this mue version, `{MUE_APRIL}`, judges from 2026-04-01, after `{MUE_JULY}` (rules/main.rr:2), a later "
            "version that judges from 2026-03-01")

    def test_other_claim_types_are_other_versions(self, tmp_path):
        """The practitioner v322 and the hospital v321 of one quarter (domain.md §8.1) are no two versions."""
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n'
                                      'table ptp "cms/ccioph-v321r0-f1.TXT" for institutional claims '
                                      'effective 2026-10-01\n')
        for name in ("ccipra-v322r0-f1.TXT", "ccioph-v321r0-f1.TXT"):
            (root / "cms" / name).write_bytes((PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1"))
        assert radrules.load(root, cache_dir=None).warnings == ()


class TestOneVersionLoadedTwice:
    def test_a_copy_of_a_ptp_version_for_the_next_quarter(self, tmp_path):
        """v322r0 from `cms/q3` for July and a copy of it in `cms/copy` for October loaded without a word (RR520
        compares paths, RR524 versions in order): v322 judged the quarter v323 should. Now RR527 at the copy."""
        root = quarters(tmp_path, 'table ptp "cms/q3" effective 2026-07-01\n'
                                  'table ptp "cms/copy" effective 2026-10-01\n')
        shutil.copytree(root / "cms" / "q3", root / "cms" / "copy")
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line, warning.span.column) == ("RR527", 2, 1)
        assert warning.message == ("this ptp version, v322r0, judges from 2026-10-01, but rules/main.rr:1 loads the "
                                   "same version from 2026-07-01")
        assert warning.help.startswith("a PTP file's name gives its version, and a version is loaded once")

    def test_files_named_for_one_quarter(self, tmp_path):
        """For other kinds, the date the names give: two add-on files named for July 2026, the second under
        another name, are one quarter's version."""
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n'
                                      'table addon "cms/old/AOC_V2026Q3_copy.csv" effective 2026-10-01\n',
                            DATA / "aoc_v2026q3.csv")
        (root / "cms" / "old").mkdir()
        shutil.copy(DATA / "aoc_v2026q3.csv", root / "cms" / "old" / "AOC_V2026Q3_copy.csv")
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line) == ("RR527", 2)
        assert warning.message == ("this addon version, `AOC_V2026Q3_copy.csv`, judges from 2026-10-01, but "
                                   "rules/main.rr:1 loads the same version, `aoc_v2026q3.csv`, from 2026-07-01")
        assert warning.help.startswith("a CMS file's name gives the quarter it was published for, and a version is")

    def test_a_version_for_each_claim_type_is_no_warning(self, tmp_path):
        """The add-on file for professional and institutional claims is one version of each table."""
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n'
                                      'table addon "cms/aoc_v2026q3.csv" for institutional claims '
                                      'effective 2026-10-01\n', DATA / "aoc_v2026q3.csv")
        assert radrules.load(root, cache_dir=None).warnings == ()


class TestRowsAfterTheNextVersion:
    def test_a_quarter_dated_a_quarter_early(self, tmp_path):
        """v322 (its new pair effective 2026-07-01) from April, the next version from July: RR525 names the row
        and the next version's start."""
        root = quarters(tmp_path, 'table ptp "cms/q3" effective 2026-04-01\n'
                                  'table ptp "cms/q4" effective 2026-07-01\n')
        (root / "cms" / "q4").mkdir()
        (root / "cms" / "q4" / "ccipra-v323r0-f1.TXT").write_bytes(
            (PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1"))
        # (v323, a one-row file, also deletes every other pair retroactively: RR529)
        (warning,) = warned(radrules.load(root, cache_dir=None), "RR525")
        assert (warning.code, warning.span.line, warning.span.column) == ("RR525", 1, 1)
        assert warning.message == ("this ptp version's rows effective from 2026-07-01 on never judge a claim (the "
                                   "first: `rules/cms/q3/radiology-ptp-v322r0-f1.TXT:7`): the next version "
                                   "(rules/main.rr:2) judges from that date")
        assert "its newest rows take effect on 2026-07-01" in warning.help

    @pytest.mark.parametrize("next_start, row", [("2026-07-01", 4), ("2026-10-01", 5), ("2027-01-01", None)])
    def test_the_first_row_on_or_after_the_next_start(self, tmp_path, next_start, row):
        """The row named is the first in file order effective on or after the next version's start (not the
        first new row, nor the newest): recorded as the file is read, kept in the cached table."""
        rows = ["74176\t74150\t\t20110101\t*\t0\tx", "70470\t70450\t\t20260701\t*\t1\tx",
                "71046\t71045\t\t20261001\t*\t1\tx", "77067\t77065\t\t20260701\t*\t1\tx"]
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-04-01\n'
                                      f'table ptp "cms/ccipra-v323r0-f1.TXT" effective {next_start}\n')
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_bytes((PTP_HEADER + "\r\n".join(rows) + "\r\n").encode("latin-1"))
        (root / "cms" / "ccipra-v323r0-f1.TXT").write_bytes((PTP_HEADER + rows[0] + "\r\n").encode("latin-1"))
        cache = tmp_path / "cache"
        for read_from in ("", "disk"):
            reading._MEMORY.clear()
            rules = radrules.load(root, cache_dir=cache)
            assert {t.from_cache for t in rules.tables} == {read_from}
            found = [w.message.split("(the first: ")[1].split(")")[0] for w in warned(rules, "RR525")]
            assert found == ([f"`rules/cms/ccipra-v322r0-f1.TXT:{row}`"] if row else [])


class TestNamedVersion:
    @pytest.mark.parametrize("kind, name, expected", [
        ("ptp", "ccipra-v322r1-f1.TXT", ((322, 1), "v322r1")),
        ("ptp", "CCIPRA-V40R12-F1.TXT", ((40, 12), "v40r12")),
        ("mue", MUE_JULY, (dt.date(2026, 7, 1).toordinal(), "2026-07-01")),
        ("ptp", "aoc_v2026q3.csv", None),
        ("ptp", "radiology-ptp.TXT", None),
    ])
    def test_order_and_label(self, kind, name, expected):
        """A PTP version is ordered by its numbers (v40 before v322), another kind's by the date its name gives;
        a file of another kind gives none."""
        assert tables.named_version(kind, name) == expected


AOC_HEADER = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del Dt,Primary Code Del Dt,"
              "AOC Edit Eff Dt,AOC Edit Del Dt\r\n")
#: The v321 rows of the tests below (April), each a pair the July file may correct.
APRIL = ["74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one code",
         "70470\t70450\t\t20150101\t*\t0\tMisuse of column two code with column one code",
         "71046\t71045\t\t20180101\t*\t1\tMutually exclusive procedures",
         "77067\t77065\t\t20170101\t*\t1\tStandards of medical/surgical practice"]


def side_by_side(tmp_path: Path, april: list, july: list, more: dict | None = None) -> Path:
    """A ruleset loading ``april`` (PTP rows) as v321 from 2026-04-01 and ``july`` as v322 from 2026-07-01
    (and ``more``: further versions, name -> (rows, effective date))."""
    versions = {"ccipra-v321r0-f1.TXT": (april, "2026-04-01"), "ccipra-v322r0-f1.TXT": (july, "2026-07-01"),
                **(more or {})}
    root = make_ruleset(tmp_path, "".join(f'table ptp "cms/{name}" effective {day}\n'
                                          for name, (_, day) in versions.items()))
    for name, (rows, _) in versions.items():
        (root / "cms" / name).write_bytes((PTP_HEADER + "".join(row + "\r\n" for row in rows)).encode("latin-1"))
    return root


class TestCorrectionsOfEarlierDates:
    """RR529: a later file's rows correct dates an earlier version loaded beside it judges (domain.md §1.1-§1.3);
    the earlier version judged them as published without a word."""

    def test_a_retroactive_deletion_and_an_indicator_made_1(self, tmp_path):
        """74176/74150 deleted retroactively (indicator 9, deletion = effective date) and 70470/70450 made
        indicator 1 in the July file: a claim of May stays denied by v321's rows. RR529 at the July statement
        counts the pairs and names both rows of each."""
        july = ["74176\t74150\t\t20110101\t20110101\t9\tMisuse of column two code with column one code",
                "70470\t70450\t\t20150101\t*\t1\tMisuse of column two code with column one code", *APRIL[2:]]
        rules = radrules.load(side_by_side(tmp_path, APRIL, july), cache_dir=None)
        (warning,) = rules.warnings
        assert (warning.code, warning.severity, warning.span.line, warning.span.column) == ("RR529", "warning", 2, 1)
        assert warning.message == (
            "v322r0 corrects 2 pairs on dates that v321r0 (rules/main.rr:1) judges (through 2026-06-30): "
            "70470 with 70450 indicator 0 -> 1 from 2015-01-01 (v321r0: rules/cms/ccipra-v321r0-f1.TXT:4; "
            "v322r0: rules/cms/ccipra-v322r0-f1.TXT:4); 74176 with 74150 deleted retroactively from 2011-01-01 "
            "(v321r0: rules/cms/ccipra-v321r0-f1.TXT:3; v322r0: rules/cms/ccipra-v322r0-f1.TXT:3)")
        assert warning.help.startswith("v321r0 judges its dates as it was published, without these corrections: "
                                       "to judge every date by them, load only the newest PTP version")
        may = rules.evaluate(claim(("74176", "2026-05-11"), ("74150", "2026-05-11")))
        assert [f.rule for f in may.findings] == ["ncci.ptp"]  # as published: what the warning is about

    def test_a_deletion_date_inside_the_earlier_quarter_and_a_row_added_from_it(self, tmp_path):
        """A deletion date of 2026-05-15 ends the edit within April's quarter, and a row effective 2026-04-01
        in the July file adds an edit from April: both correct dates v321 judges."""
        july = [APRIL[0].replace("\t*\t", "\t20260515\t"), *APRIL[1:],
                "72193\t72192\t\t20260401\t*\t0\tMisuse of column two code with column one code"]
        (warning,) = radrules.load(side_by_side(tmp_path, APRIL, july), cache_dir=None).warnings
        assert warning.code == "RR529"
        assert ("72193 with 72192 added from 2026-04-01 (v321r0: no row; v322r0: rules/cms/ccipra-v322r0-f1.TXT:7)"
                in warning.message)
        assert "74176 with 74150 deleted retroactively from 2026-05-16 (" in warning.message

    def test_pairs_with_no_row_in_the_newer_file_point_to_a_missing_part(self, tmp_path):
        """A PTP file keeps every deleted edit with its deletion date (domain.md §1.1): pairs the July file has no
        row of at all were not deleted but left out (a reviewer's July files lacked their last part, and the
        warning called 9,128 such pairs deleted retroactively, its help pointing to loading July alone)."""
        july = [APRIL[0].replace("\t*\t0\t", "\t20110101\t9\t"), *APRIL[1:2]]  # 71046/71045, 77067/77065 gone
        (warning,) = radrules.load(side_by_side(tmp_path, APRIL, july), cache_dir=None).warnings
        assert warning.message.startswith(
            "v322r0 corrects 3 pairs on dates that v321r0 (rules/main.rr:1) judges (through 2026-06-30), 2 of them "
            "with no row at all in it (a part missing?): ")
        assert "71046 with 71045 has no row in v322r0 (v321r0: rules/cms/ccipra-v321r0-f1.TXT:5)" in warning.message
        assert warning.help.startswith("a PTP file keeps every deleted edit, with its deletion date, so a pair "
                                       "v321r0 has and v322r0 has no row of points to a part of v322r0 left out")
        july = july[1:]  # each pair corrected is gone
        (warning,) = radrules.load(side_by_side(tmp_path / "b", APRIL, july), cache_dir=None).warnings
        assert ", each with no row at all in it (a part missing?): " in warning.message

    def test_a_normal_quarter_is_no_correction(self, tmp_path):
        """What a quarterly file does to the dates before it changes nothing: edits added from its first day,
        an edit deleted on the last day of the quarter before (the deletion date is the last day it applies,
        domain.md §1.2), a pair deleted retroactively that was never in force before its quarter, a new
        rationale text. No RR529."""
        july = [APRIL[0].replace("\t*\t", "\t20260630\t"), APRIL[1].replace("Misuse of column two code with "
                                                                             "column one code", "New text"),
                *APRIL[2:], "72193\t72192\t\t20260701\t*\t0\tMisuse of column two code with column one code",
                "72194\t72192\t\t20260701\t20260701\t9\tMisuse of column two code with column one code"]
        assert radrules.load(side_by_side(tmp_path, APRIL, july), cache_dir=None).warnings == ()
        # the same rows in both files: none either (the copy is RR538's)
        assert [w.code for w in radrules.load(side_by_side(tmp_path / "b", APRIL, APRIL), cache_dir=None).warnings
                ] == ["RR538"]

    def test_each_earlier_version_is_compared_with_the_newest(self, tmp_path):
        """October's file deletes 77067/77065 from 2026-04-01: the dates v321 judges (April to June) and those
        v322 judges (July to September) are both corrected; each is a warning at October's statement naming
        the version that judges them (compared with its neighbour v322 only, v321 would have no warning of
        it). July's correction of 74176/74150, which October keeps, is said against v321 once, there: the
        newest version is what the choices of the warning's hint are between."""
        july = [APRIL[0].replace("\t*\t0\t", "\t20110101\t9\t"), *APRIL[1:]]
        october = [july[0], *APRIL[1:3], APRIL[3].replace("\t*\t", "\t20260331\t")]
        root = side_by_side(tmp_path, APRIL, july, {"ccipra-v323r0-f1.TXT": (october, "2026-10-01")})
        warnings = radrules.load(root, cache_dir=None).warnings
        assert [(w.code, w.span.line) for w in warnings] == [("RR529", 3), ("RR529", 3)]
        assert warnings[0].message.startswith("v323r0 corrects 2 pairs on dates that v321r0 (rules/main.rr:1) "
                                              "judges (through 2026-06-30): 74176 with 74150 deleted")
        assert warnings[1].message.startswith(
            "v323r0 corrects 1 pair on dates that v322r0 (rules/main.rr:2) judges (2026-07-01 to 2026-09-30): "
            "77067 with 77065 deleted retroactively from 2026-07-01")

    def test_add_on_edits_corrected(self, tmp_path):
        """The add-on file's rows carry their dates too: a primary deleted retroactively, an edit deleted
        from a date within April's quarter."""
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q2.csv"\ntable addon "cms/aoc_v2026q3.csv"\n')
        april = "77067,77063,1,,,,20170101,\r\n77066,77063,1,,,,20170101,\r\n77065,G0279,1,,,,20150101,\r\n"
        july = ("77067,77063,1,,,,20170101,\r\n77066,77063,1,,,20170101,20170101,\r\n"
                "77065,G0279,1,,,,20150101,20260531\r\n")
        (root / "cms" / "aoc_v2026q2.csv").write_text(AOC_HEADER + april, encoding="latin-1")
        (root / "cms" / "aoc_v2026q3.csv").write_text(AOC_HEADER + july, encoding="latin-1")
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert warning.code == "RR529"
        assert warning.message.startswith(
            "`aoc_v2026q3.csv` corrects 2 add-on codes on dates that `aoc_v2026q2.csv` (rules/main.rr:1) judges "
            "(through 2026-06-30): 77063 primary 77066 deleted retroactively from 2017-01-02 (`aoc_v2026q2.csv`: "
            "rules/cms/aoc_v2026q2.csv:2, rules/cms/aoc_v2026q2.csv:3; `aoc_v2026q3.csv`: "
            "rules/cms/aoc_v2026q3.csv:2, rules/cms/aoc_v2026q3.csv:3); G0279 deleted retroactively from 2026-06-01")
        # a normal quarter: an edit deleted on the quarter's eve
        (root / "cms" / "aoc_v2026q3.csv").write_text(
            AOC_HEADER + april.replace("20150101,", "20150101,20260630"), encoding="latin-1")
        assert radrules.load(root, cache_dir=None).warnings == ()

    def test_the_comparison_is_kept_in_the_table_cache(self, tmp_path, monkeypatch):
        """Two national tables take about a second to compare: a load that reads them from the disk cache reads
        the comparison there too (keyed by both tables' content and the dates), and says the same."""
        from radrules.compiler import corrections

        july = [APRIL[0].replace("\t*\t0\t", "\t20110101\t9\t"), *APRIL[1:]]
        root, cache = side_by_side(tmp_path, APRIL, july), tmp_path / "cache"
        first = radrules.load(root, cache_dir=cache).warnings
        assert [w.code for w in first] == ["RR529"]
        assert len(list(cache.glob("ptp-*.pickle"))) == 3  # two tables and the comparison
        reading._MEMORY.clear()
        reading._RESULTS.clear()
        radrules.clear_memory_cache()
        monkeypatch.setattr(corrections, "corrected", lambda *args: pytest.fail("compared again"))
        again = radrules.load(root, cache_dir=cache)
        assert {t.from_cache for t in again.tables} == {"disk"}
        assert [w.render() for w in again.warnings] == [w.render() for w in first]
        # other dates compared: another key
        (root / "main.rr").write_text('table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-04-01\n'
                                      'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-08-01\n')
        monkeypatch.undo()
        assert "(through 2026-07-31)" in radrules.load(root, cache_dir=cache).warnings[0].message

    def test_a_cache_folder_that_is_not_private_holds_no_comparison(self, tmp_path):
        """The tables passed over a cache folder others can write in (RR530), but the comparison was still
        written there (and the folder pruned)."""
        july = [APRIL[0].replace("\t*\t0\t", "\t20110101\t9\t"), *APRIL[1:]]
        root, cache = side_by_side(tmp_path, APRIL, july), tmp_path / "shared"
        cache.mkdir()
        cache.chmod(0o777)
        reading._RESULTS.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert sorted({w.code for w in rules.warnings}) == ["RR529", "RR530"]
        assert list(cache.iterdir()) == []


class TestQuarterLeftOut:
    """RR535: a whole quarter between two versions of a quarterly kind in which none takes effect (an update's
    statements forgotten), judged by the version before it; RR536: one kind's newest version a quarter or more
    older than another's (the new quarter's PTP files loaded, its MUE file forgotten)."""

    @staticmethod
    def mue(tmp_path, *statements: str, name: str = "rules") -> Path:
        """A ruleset with the April MUE test file under the names the statements give, each with a row of its own
        (the same rows twice are RR538)."""
        root = make_ruleset(tmp_path, "\n".join(statements) + "\n", name=name)
        for index, statement in enumerate(statements):
            for file in re_files(statement):
                hospital = "OutpatientHospital" in file
                rows = (DATA / ("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" if hospital else MUE_APRIL)
                        ).read_text()
                (root / "cms" / file).write_text(f"{rows}7{index:04d},1,3 Date of Service Edit: Clinical,Anatomic "
                                                 "Consideration\n")
        return root

    def test_a_quarter_between_two_versions(self, tmp_path):
        """The April and October files: the April limits judge July to September, told at the April statement."""
        root = self.mue(tmp_path, f'table mue "cms/{MUE_APRIL}"',
                        'table mue "cms/MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"')
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line) == ("RR535", 1)
        assert warning.message == ("no mue version takes effect in the quarter 2026-07-01 to 2026-09-30: this one, "
                                   "from 2026-04-01, judges its dates up to the next, on 2026-10-01")
        assert warning.help.endswith("allow the warning here with the reason (`# allow RR535: ...`)")

    def test_the_quarters_file_loaded_from_a_later_date(self, tmp_path):
        """The July file is loaded, given the next quarter's date: the warning names it and its name's date, not
        a file to load (it said to load the files of a quarter whose file was there)."""
        root = self.mue(tmp_path, f'table mue "cms/{MUE_APRIL}"', f'table mue "cms/{MUE_JULY}" effective 2026-10-01')
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line) == ("RR535", 1)
        assert warning.message == ("no mue version takes effect in the quarter 2026-07-01 to 2026-09-30: this one, "
                                   "from 2026-04-01, judges its dates up to the next, on 2026-10-01: "
                                   f"`{MUE_JULY}` (rules/main.rr:2), which is named for 2026-07-01")
        assert "write `effective 2026-07-01` at rules/main.rr:2, or leave `effective` out" in warning.help
        assert "load the files of the quarter between" not in warning.help

    def test_a_ptp_version_whose_rows_begin_in_the_quarter_left_out(self, tmp_path):
        """v322's newest rows take effect on 2026-07-01 and it is given 2026-10-01: the warning says so."""
        root = quarters(tmp_path, 'table ptp "cms/q2" effective 2026-04-01\n'
                                  'table ptp "cms/q3" effective 2026-10-01\n')
        (warning,) = warned(radrules.load(root, cache_dir=None), "RR535")
        assert warning.message.endswith("judges its dates up to the next, on 2026-10-01: v322r0 (rules/main.rr:2), "
                                        "whose newest rows take effect on 2026-07-01")
        assert "if v322r0 is that quarter's version, write `effective 2026-07-01` at rules/main.rr:2; if not" in \
            warning.help

    def test_two_quarters_and_the_claim_type_named(self, tmp_path):
        root = self.mue(tmp_path, 'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_04-01-2026.csv" for '
                                  'institutional claims',
                        'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_01-01-2027.csv" for institutional claims')
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert warning.message.startswith("no mue version for institutional claims takes effect in the 2 quarters "
                                          "2026-07-01 to 2026-12-31: this one")

    @pytest.mark.parametrize("statements", [
        # consecutive quarters
        (f'table mue "cms/{MUE_APRIL}"', f'table mue "cms/{MUE_JULY}"'),
        # a version adopted late, within the next quarter (RR531 allowed)
        (f'table mue "cms/{MUE_APRIL}"', f'# allow RR531: adopted late\ntable mue "cms/{MUE_JULY}" effective '
                                         '2026-09-15'),
        # the other claim type's versions are their own list
        (f'table mue "cms/{MUE_APRIL}"', 'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_10-01-2026.csv" '
                                         'for institutional claims'),
    ])
    def test_no_quarter_left_out(self, tmp_path, statements):
        assert radrules.load(self.mue(tmp_path, *statements), cache_dir=None).warnings == ()

    def test_allowed_with_a_reason(self, tmp_path):
        root = self.mue(tmp_path, "# allow RR535: the plan updates its limits twice a year",
                        f'table mue "cms/{MUE_APRIL}"',
                        'table mue "cms/MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"')
        rules = radrules.load(root, cache_dir=None)
        assert (rules.warnings, [w.code for w in rules.allowed]) == ((), ["RR535"])

    def test_versions_dated_by_their_rows_are_not_compared(self, tmp_path):
        """A PTP file without `effective` takes its newest row's date, which a small file's rows need not make its
        quarter's: no RR535 or RR536 from such a date."""
        root = quarters(tmp_path, f'table ptp "cms/q2"\ntable ptp "cms/q3"\ntable mue "cms/{MUE_APRIL}"\n'
                                  'table mue "cms/MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"\n')
        shutil.copy(DATA / MUE_APRIL, root / "cms" / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv")
        shutil.copy(DATA / MUE_APRIL, root / "cms" / MUE_APRIL)
        codes = [w.code for w in radrules.load(root, cache_dir=None).warnings]
        assert codes.count("RR535") == 1 and "RR536" not in codes  # (the MUE files' July: their names give dates)

    def test_one_kind_left_at_the_older_quarter(self, tmp_path):
        """July and October PTP files, the July MUE file alone: the October claims get October's pairs and July's
        limits. RR536 at the MUE statement; with October's MUE file, none."""
        text = (f'table ptp "cms/q2" effective 2026-07-01\ntable ptp "cms/q3" effective 2026-10-01\n'
                f'table mue "cms/{MUE_JULY}"\n')
        root = quarters(tmp_path, text)
        shutil.copy(DATA / MUE_JULY, root / "cms" / MUE_JULY)
        (warning,) = [w for w in radrules.load(root, cache_dir=None).warnings if w.code != "RR529"]
        assert (warning.code, warning.span.line) == ("RR536", 3)
        assert warning.message == ("the newest mue version for professional claims takes effect on 2026-07-01, a "
                                   "quarter before the newest ptp version (2026-10-01)")
        october = "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
        (root / "cms" / october).write_text((DATA / MUE_JULY).read_text().replace("76376,0,", "76376,1,"))
        (root / "main.rr").write_text(text + f'table mue "cms/{october}"\n')
        assert [w.code for w in radrules.load(root, cache_dir=None).warnings] == ["RR529"]  # (v322 corrects v321)

    def test_kinds_compared_per_claim_type(self, tmp_path):
        """Hospital tables a quarter behind the practitioner tables are not compared with them; the hospital add-on
        version is."""
        text = ('table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" for institutional claims\n'
                'table mue "cms/MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"\n')
        root = self.mue(tmp_path, *text.strip().split("\n"))
        assert radrules.load(root, cache_dir=None).warnings == ()
        shutil.copy(DATA / "aoc_v2026q3.csv", root / "cms" / "aoc_v2026q4.csv")
        (root / "main.rr").write_text(text + 'table addon "cms/aoc_v2026q4.csv" for institutional claims\n')
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line) == ("RR536", 1)
        assert warning.message.startswith("the newest mue version for institutional claims takes effect on "
                                          "2026-07-01, a quarter before the newest addon version (2026-10-01)")


def re_files(statement: str) -> list:
    import re

    return [PurePath(found).name for found in re.findall(r'"cms/([^"]+)"', statement)]


class TestDatedByRows:
    """RR537: a PTP or add-on version beside others whose date comes from its newest rows alone (no `effective`,
    no date in its names); `check` says which versions are so dated (a quarterly update engineer's finding: two
    add-on files named `aoc_edits.csv` were dated 2017-01-01 and 2025-10-01 without a word)."""

    HEADER = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del Dt (Julian),"
              "Primary Code Del Dt (Julian),AOC Edit Eff Dt (Julian),AOC Edit Del Dt (Julian)\n")

    def ruleset(self, tmp_path, text: str) -> Path:
        root = make_ruleset(tmp_path, text)
        for quarter, rows in (("q2", "77067,77063,1,,,,2017001,\n"),
                              ("q3", "77067,77063,1,,,,2017001,\n77066,G0279,1,,,,2026182,\n")):
            (root / "cms" / quarter).mkdir()
            (root / "cms" / quarter / "aoc_edits.csv").write_text(self.HEADER + rows)
        return root

    def test_two_add_on_versions_dated_by_their_rows(self, tmp_path):
        root = self.ruleset(tmp_path, 'table addon "cms/q2/aoc_edits.csv"\ntable addon "cms/q3/aoc_edits.csv"\n')
        rules = radrules.load(root, cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR537", 1), ("RR537", 2)]
        assert rules.warnings[0].message == (
            "this addon version takes its date, 2017-01-01, from its newest rows: its statement has no `effective` "
            "and its file names give no date")
        assert [v["dated_by"] for v in rules.describe()["table_versions"]] == ["rows", "rows"]

    @pytest.mark.parametrize("text", [
        'table addon "cms/q3/aoc_edits.csv"\n',  # alone: it judges every date
        'table addon "cms/q2/aoc_edits.csv" effective 2026-04-01\ntable addon "cms/q3/aoc_edits.csv" effective '
        '2026-07-01\n',
    ])
    def test_alone_or_dated_no_warning(self, tmp_path, text):
        rules = radrules.load(self.ruleset(tmp_path, text), cache_dir=None)
        assert rules.warnings == ()
        assert {v["dated_by"] for v in rules.describe()["table_versions"]} == (
            {"rows"} if "effective" not in text else {"effective"})

    def test_check_says_so(self, tmp_path):
        from radrules.cli.check_command import table_line

        rules = radrules.load(self.ruleset(tmp_path, 'table addon "cms/q3/aoc_edits.csv"\n'), cache_dir=None)
        (version,) = rules.describe()["table_versions"]
        assert "2026-07-01 on (and earlier dates) (the date of its newest rows: no `effective`, no date in its " \
               "names): 2 codes" in table_line(version)


class TestSameRowsUnderOtherNames:
    """RR538: a PTP or MUE version holding the same rows, from the same lines, as an earlier one under other names
    (last quarter's MUE file copied and renamed for this one loaded without a word: RR527 reads only the names)."""

    def test_an_mue_file_renamed_for_the_next_quarter(self, tmp_path):
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_APRIL}"\ntable mue "cms/{MUE_JULY}"\n', DATA / MUE_APRIL)
        shutil.copy(DATA / MUE_APRIL, root / "cms" / MUE_JULY)
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line, warning.span.column) == ("RR538", 2, 1)
        assert warning.message == ("this mue version, from 2026-07-01, holds the same rows as the one rules/main.rr:1 "
                                   "loads from 2026-04-01")
        assert "load the files CMS published for 2026-07-01" in warning.help

    def test_ptp_parts_renamed_for_the_next_version(self, tmp_path):
        """v322's two parts copied as v323's, for October; from the cache as from the files."""
        root = quarters(tmp_path, 'table ptp "cms/q3" effective 2026-07-01\ntable ptp "cms/q4" effective 2026-10-01\n')
        (root / "cms" / "q4").mkdir()
        for name in V322:
            shutil.copy(root / "cms" / "q3" / name, root / "cms" / "q4" / name.replace("v322", "v323"))
        for cache in (None, tmp_path / "cache", tmp_path / "cache"):  # none, then written, then read
            assert [(w.code, w.span.line) for w in radrules.load(root, cache_dir=cache).warnings] == [("RR538", 2)]

    def test_one_row_changed_is_no_warning(self, tmp_path):
        """A row's value, or a line more, makes another version."""
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_APRIL}"\ntable mue "cms/{MUE_JULY}"\n', DATA / MUE_APRIL)
        april = (DATA / MUE_APRIL).read_text()
        line = next(line for line in april.splitlines() if line.startswith("7"))
        code, value, rest = line.split(",", 2)
        for july in (april.replace(line, f"{code},{int(value) + 1},{rest}"), april.replace(line, f"\n{line}")):
            (root / "cms" / MUE_JULY).write_text(july)
            assert radrules.load(root, cache_dir=None).warnings == ()

    def test_not_for_add_on_and_pctc_files(self, tmp_path):
        """An add-on file of a quarter that added no edit holds the rows of the quarter before, and PC/TC
        indicators seldom change."""
        for older, newer in (("aoc_v2026q3.csv", "aoc_v2026q4.csv"), ("PPRRVU26_JUL.csv", "PPRRVU26_OCT.csv")):
            kind = "addon" if older.startswith("aoc") else "pctc"
            root = make_ruleset(tmp_path / kind, f'table {kind} "cms/{older}"\ntable {kind} "cms/{newer}"\n',
                                DATA / older)
            shutil.copy(DATA / older, root / "cms" / newer)
            assert [w.code for w in radrules.load(root, cache_dir=None).warnings if w.code == "RR538"] == []

    def test_allowed_with_a_reason(self, tmp_path):
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_APRIL}"\n# allow RR538: the payer kept April\'s limits\n'
                                      f'table mue "cms/{MUE_JULY}"\n', DATA / MUE_APRIL)
        shutil.copy(DATA / MUE_APRIL, root / "cms" / MUE_JULY)
        rules = radrules.load(root, cache_dir=None)
        assert (rules.warnings, [w.code for w in rules.allowed]) == ((), ["RR538"])
