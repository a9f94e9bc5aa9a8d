"""CMS tables: loaders on the published layouts, row errors, dates, versions, caches, overrides."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import random
import re
import shutil
import types
from pathlib import Path

import pytest

import radrules
from radrules.tables.common import WRITTEN_DATE_HELP
from radrules.tables.reading import content_key

DATA = Path(__file__).parent / "data" / "cms"
SPECIMENS = DATA / "specimens"


def make_ruleset(tmp_path: Path, text: str, *files: Path, name: str = "rules") -> Path:
    """A ruleset folder holding ``text`` as ``main.rr`` and ``files`` under ``cms/``."""
    root = tmp_path / name
    (root / "cms").mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy(file, root / "cms" / file.name)
    (root / "main.rr").write_text(text, encoding="utf-8")
    return root


def claim(*lines, claim_type="professional", payer="medicare", **extra) -> dict:
    out = {"id": "T-1", "type": claim_type, "payer": payer, "diagnoses": ["R10.9"], "lines": []}
    for code, date, *rest in lines:
        line = {"code": code, "units": 1, "date": date, "diagnosis_pointers": [1]}
        for item in rest:
            line.update(item)
        out["lines"].append(line)
    out.update(extra)
    return out


def fired(result, rule_id: str) -> list[tuple]:
    return [(f.lines, f.related_lines) for f in result.findings if f.rule == rule_id]


def only_error(root: Path):
    """The one error loading ``root`` gives (it must raise a RuleError of exactly one error)."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(root, cache_dir=None)
    (error,) = caught.value.errors
    return error


class TestPtpLoader:
    def test_specimen_rows_read(self, tmp_path):
        """The real PTP specimen loads: six preamble lines skipped, every data row kept."""
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', SPECIMENS / "ccipra-v322r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        (loaded,) = rules.tables
        assert len(loaded.table) == 19
        assert loaded.start == dt.date(2024, 10, 1).toordinal()  # the latest effective date of its rows

    def test_specimen_rows_fire_with_row_source(self, tmp_path):
        """An active specimen row denies the column 2 line and names its file and row."""
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', SPECIMENS / "ccipra-v322r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        result = rules.evaluate(claim(("0001U", "2026-03-02"), ("0030U", "2026-03-02")))
        (finding,) = [f for f in result.findings if f.rule == "ncci.ptp"]
        assert finding.lines == (2,) and finding.related_lines == (1,)
        assert finding.source == "ccipra-v322r0-f1.TXT:20"
        assert finding.carc == "CO-97" and finding.rarc == ("M80",)
        assert "practitioner table" in finding.reference

    def test_indicator_nine_row_never_fires(self, tmp_path):
        """Specimen rows with indicator 9 (deleted on their effective date) never fire."""
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', SPECIMENS / "ccipra-v322r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        result = rules.evaluate(claim(("0001A", "2022-01-01"), ("90473", "2022-01-01")))
        assert fired(result, "ncci.ptp") == []

    def test_csv_export_reads_like_the_text_file(self, tmp_path):
        """A comma-separated export with quoted rationales and a one-line header is accepted."""
        root = make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-export.csv" effective 2026-07-01\n',
                            DATA / "radiology-ptp-export.csv")
        rules = radrules.load(root, cache_dir=None)
        result = rules.evaluate(claim(("74176", "2026-08-03"), ("74150", "2026-08-03", {"modifiers": ["59"]})))
        assert fired(result, "ncci.ptp") == [((2,), (1,))]  # indicator 0: 59 does not bypass

    def test_folder_of_parts_is_one_table(self, tmp_path):
        """A folder path loads every part of a split table as one version."""
        root = tmp_path / "rules"
        (root / "cms" / "q3").mkdir(parents=True)
        for part in ("radiology-ptp-v322r0-f1.TXT", "radiology-ptp-v322r0-f2.TXT"):
            shutil.copy(DATA / part, root / "cms" / "q3" / part)
        (root / "main.rr").write_text('table ptp "cms/q3"\n')
        rules = radrules.load(root, cache_dir=None)
        (loaded,) = rules.tables
        assert len(loaded.files) == 2 and len(loaded.table) == 7

    def test_same_key_on_several_rows_is_kept(self, tmp_path):
        """Two rows of one pair (an indicator-9 row and an active one) both load; the active one fires."""
        root = make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n',
                            DATA / "radiology-ptp-v321r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        table = rules.tables[0].table
        block = rules.view_for("medicare", "professional").ptp_tables.blocks[0]
        assert [row.indicator for row in table.rows("74177", "74160", block)] == [1, 9]
        result = rules.evaluate(claim(("74177", "2026-05-04"), ("74160", "2026-05-04")))
        assert fired(result, "ncci.ptp") == [((2,), (1,))]


class TestPtpWithoutRationale:
    """A PTP file whose header names six columns, `Column 1` to `Modifier`, and no `PTP Edit Rationale` (the
    layout before the rationale column, as remembered: not verified here) has rows of six fields. Each was
    refused as a row of 7 fields cut short, so the whole file was: 50 RR506 errors and a count."""

    HEADER = ["CPT only copyright 2011 American Medical Association.  All rights reserved.\t\t\t\t\t",
              "Column1/Column2 Edits\t\t\t\t\t",
              "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier",
              "\t\tprior to 1996\tDate\tDate\t0=not allowed", "\t\t\t\t*=no data\t1=allowed",
              "\t\t\t\t\t9=not applicable"]
    ROWS = ["74176\t74150\t\t20110101\t*\t0", "70470\t70450\t\t20100101\t20111231\t1",
            "74177\t74160\t*\t19960101\t*\t1"]

    def _load(self, tmp_path, lines: list[str]):
        (tmp_path / "src").mkdir(exist_ok=True)
        path = tmp_path / "src" / "ccipra-v180r0-f1.txt"
        path.write_bytes("".join(line + "\r\n" for line in lines).encode("latin-1"))
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v180r0-f1.txt" effective 2012-01-01\n', path)
        return radrules.load(root, cache_dir=None)

    def test_rows_of_six_fields_read_and_fire_by_their_dates(self, tmp_path):
        """Each row is read, with its dates and indicator, and fires as a row of the current layout would."""
        rules = self._load(tmp_path, self.HEADER + self.ROWS)
        assert len(rules.tables[0].table) == 3
        deny = rules.evaluate(claim(("74176", "2012-03-01"), ("74150", "2012-03-01", {"modifiers": ["59"]})))
        (finding,) = [f for f in deny.findings if f.rule == "ncci.ptp"]
        assert (finding.lines, finding.source) == ((2,), "ccipra-v180r0-f1.txt:7")
        last_day = rules.evaluate(claim(("70470", "2011-12-31"), ("70450", "2011-12-31")))
        after = rules.evaluate(claim(("70470", "2012-01-01"), ("70450", "2012-01-01")))
        assert fired(last_day, "ncci.ptp") == [((2,), (1,))] and fired(after, "ncci.ptp") == []

    def test_a_row_of_seven_fields_is_an_error_there(self, tmp_path):
        """A row with a seventh field in such a file is not of its layout: RR506, naming the layout."""
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, self.HEADER + self.ROWS[:1] + [self.ROWS[1] + "\tMutually exclusive procedures"])
        (error,) = caught.value.errors
        assert (error.code, error.span.line) == ("RR506", 8)
        assert error.message == "a PTP row has 6 fields (its header has no rationale column); this one has 7"

    def test_a_row_of_six_fields_under_the_current_header_is_still_an_error(self, tmp_path):
        """Under a header that names the rationale column, a row of six fields is cut short, as before."""
        header = self.HEADER[:2] + [self.HEADER[2] + "\tPTP Edit Rationale"] + self.HEADER[3:]
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, header + [self.ROWS[0] + "\tMutually exclusive procedures", self.ROWS[1]])
        (error,) = caught.value.errors
        assert (error.code, error.span.line, error.message) == ("RR506", 8, "a PTP row has 7 fields; this one has 6")


class TestPtpIndicatorNineDates:
    """An indicator 9 row never applies, whatever its dates (domain.md §1.2): one whose deletion date is before its
    effective date is RR510 as a warning, and the table is used. It refused the whole file, as for a row of
    indicator 0 or 1 (still an error: the edit's dates are in doubt)."""

    HEADER = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"

    def _load(self, tmp_path, rows: str):
        (tmp_path / "src").mkdir(exist_ok=True)
        path = tmp_path / "src" / "ccipra-v322r0-f1.TXT"
        path.write_bytes((self.HEADER + rows).encode("latin-1"))
        return radrules.load(make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n',
                                          path), cache_dir=None)

    def test_an_indicator_nine_row_warns_and_the_table_loads(self, tmp_path):
        rules = self._load(tmp_path, "74176\t74150\t\t20110101\t*\t0\tx\r\n"
                                     "72193\t72192\t\t20100401\t20100331\t9\tx\r\n")
        (warning,) = rules.warnings
        assert (warning.code, warning.severity, warning.span.line, warning.span.column) == ("RR510", "warning", 3, 23)
        assert len(rules.tables[0].table) == 2
        for day in ("2010-03-31", "2010-04-01", "2026-08-03"):
            result = rules.evaluate(claim(("72193", day), ("72192", day)))
            assert fired(result, "ncci.ptp") == []
        result = rules.evaluate(claim(("74176", "2026-08-03"), ("74150", "2026-08-03")))
        assert fired(result, "ncci.ptp") == [((2,), (1,))]

    @pytest.mark.parametrize("indicator", ["0", "1"])
    def test_another_indicator_is_still_an_error(self, tmp_path, indicator):
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, f"72193\t72192\t\t20100401\t20100331\t{indicator}\tx\r\n")
        (error,) = caught.value.errors
        assert (error.code, error.severity, error.span.line) == ("RR510", "error", 2)

    def test_an_indicator_nine_row_in_doubt_does_not_date_the_version(self, tmp_path):
        """A version without an `effective` date takes the newest effective date of its rows (RR537): not that
        of an indicator 9 row whose dates are in the wrong order, which would put off the version's edits."""
        (tmp_path / "src").mkdir()
        old, new = tmp_path / "src" / "ptp-old.TXT", tmp_path / "src" / "ptp-new.TXT"
        old.write_bytes((self.HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1"))
        new.write_bytes((self.HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n70470\t70450\t\t20260701\t*\t0\tx\r\n"
                         "72193\t72192\t\t20260901\t20260731\t9\tx\r\n").encode("latin-1"))
        rules = radrules.load(make_ruleset(tmp_path, 'table ptp "cms/ptp-old.TXT"\ntable ptp "cms/ptp-new.TXT"\n',
                                           old, new), cache_dir=None)
        assert [loaded.start for loaded in rules.tables] == [dt.date(2011, 1, 1).toordinal(),
                                                             dt.date(2026, 7, 1).toordinal()]
        result = rules.evaluate(claim(("70470", "2026-08-03"), ("70450", "2026-08-03")))
        assert fired(result, "ncci.ptp") == [((2,), (1,))]


class TestPtpQuotedHeader:
    """A header whose cells are quoted and wrapped over lines (as a spreadsheet exports a wrapped header) is
    one header, in a CSV export and in tab-separated text alike."""

    ROW = "74176{0}74150{0}{0}20110101{0}*{0}0{0}Misuse of column two code with column one code\r\n"

    def _load(self, tmp_path, name: str, text: str):
        (tmp_path / "src").mkdir(exist_ok=True)
        (tmp_path / "src" / name).write_bytes(text.encode("latin-1"))
        root = make_ruleset(tmp_path, f'table ptp "cms/{name}" effective 2026-07-01\n', tmp_path / "src" / name)
        return radrules.load(root, cache_dir=None)

    def test_csv_header_with_line_breaks_in_quoted_cells(self, tmp_path):
        """`"*=in existence\nprior to 1996"` and `"Effective\nDate"` are header cells, not two rows of 2 and 4
        fields; the row after the header reads and fires."""
        text = ('Column 1,Column 2,"*=in existence\r\nprior to 1996","Effective\r\nDate",Deletion Date,Modifier,'
                'PTP Edit Rationale\r\n' + self.ROW.format(","))
        rules = self._load(tmp_path, "ptp.csv", text)
        assert len(rules.tables[0].table) == 1
        result = rules.evaluate(claim(("74176", "2026-08-03"), ("74150", "2026-08-03")))
        assert fired(result, "ncci.ptp") == [((2,), (1,))]
        assert [f.source for f in result.findings if f.rule == "ncci.ptp"] == ["ptp.csv:4"]

    def test_tab_separated_header_with_quoted_wrapped_cells(self, tmp_path):
        """Excel's tab-separated export of the wrapped header (each cell quoted, over several lines), after the
        copyright line: the header is one record, and rows are counted by their lines in the file."""
        text = ("CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t\r\n"
                'Column 1\tColumn 2\t"*=in existence\r\nprior to 1996"\t"Effective\r\nDate"\t"Deletion\r\nDate\r\n'
                '*=no data"\t"Modifier\r\n0=not allowed\r\n1=allowed\r\n9=not applicable"\tPTP Edit Rationale\r\n'
                + self.ROW.format("\t") + "74177\t7415\t\t20110101\t*\t0\tx\r\n")
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, "ccipra-v322r0-f1.TXT", text)
        (error,) = caught.value.errors
        assert (error.code, error.span.line, error.span.column) == ("RR507", 11, 7)

    def test_the_hint_names_the_files_separator(self, tmp_path):
        """A row of a CSV export with a field missing: the hint says commas, not tabs."""
        text = 'Column 1,Column 2,"*=in existence\nprior to 1996",Effective Date,Deletion Date,Modifier,Rationale\n'
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, "ptp.csv", text + "74176,74150,,20110101,*,0\n")
        (error,) = caught.value.errors
        assert (error.code, error.span.line, error.help) == ("RR506", 3, "fields are separated by commas")

    def test_a_quote_left_open_in_the_preamble_takes_no_row(self, tmp_path):
        """A quote that opens a field in the copyright line and never closes: the line is read alone, and the rows
        after the header are all read."""
        text = ('"CPT only copyright 2025\t\t\t\t\t\t\r\n' + PTP_HEADER + self.ROW.format("\t")
                + "71046\t71045\t\t20180101\t*\t1\tMutually exclusive procedures\r\n")
        rules = self._load(tmp_path, "ccipra-v322r0-f1.TXT", text)
        assert len(rules.tables[0].table) == 2


class TestEncodings:
    """Files that start with a byte order mark are read in the encoding it names."""

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig",
                                          "utf-16-le no mark", "utf-16-be no mark"])
    @pytest.mark.parametrize("kind, name", [("ptp", "radiology-ptp-v322r0-f1.TXT"),
                                            ("mue", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")])
    def test_a_unicode_text_export_reads_like_the_latin1_file(self, tmp_path, encoding, kind, name):
        """Excel's "Unicode Text" (UTF-16 with its mark, either byte order) loads the same rows as the CMS file;
        so does UTF-16 that a tool saved without the mark (told by the NUL byte beside each letter)."""
        text = (DATA / name).read_bytes().decode("latin-1")
        mark = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(encoding, "")
        encoding = encoding.removesuffix(" no mark")
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / name).write_bytes((mark + text).encode(encoding))
        root = make_ruleset(tmp_path, f'table {kind} "cms/{name}" effective 2026-07-01\n', tmp_path / "src" / name)
        (loaded,) = radrules.load(root, cache_dir=None).tables
        (original,) = radrules.load(make_ruleset(tmp_path, f'table {kind} "cms/{name}" effective 2026-07-01\n',
                                                 DATA / name, name="latin1"), cache_dir=None).tables
        if kind == "ptp":
            columns = ("codes", "col1", "col2", "start", "end", "indicator", "rationale", "row", "rationales")
            assert [getattr(loaded.table, c) for c in columns] == [getattr(original.table, c) for c in columns]
        else:
            assert loaded.table.entries == original.table.entries


    @pytest.mark.parametrize("kind, name, after", [("ptp", "radiology-ptp-v322r0-f1.TXT", "code"),
                                                   ("mue", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "CMS"),
                                                   ("addon", "aoc_v2026q3.csv", "Contractor"),
                                                   ("pctc", "PPRRVU26_JUL.csv", "REDACTED"),
                                                   ("hcpcs", "HCPC2026_JUL_ANWEB.csv", "REDACTED")])
    def test_a_utf8_mark_on_bytes_that_are_not_utf8_is_an_error_at_the_row(self, tmp_path, kind, name, after):
        """A file with a UTF-8 byte order mark and a Latin-1 `é` in the free text of its last line is refused there
        (read with a replacement character in its place, a rationale changed without a word); as UTF-8 it
        loads."""
        lines = (DATA / name).read_bytes().decode("latin-1").splitlines(keepends=True)
        last = lines[-1].rstrip("\r\n")
        column = last.rindex(after) + len(after) + 1
        lines[-1] = last[:column - 1] + "é" + last[column - 1:] + "\r\n"
        text = "".join(lines)
        root = make_ruleset(tmp_path, f'table {kind} "cms/{name}"\n')
        (root / "cms" / name).write_bytes(b"\xef\xbb\xbf" + text.encode("latin-1"))
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column) == ("RR505", len(lines), column)
        assert error.message == "the file starts with a UTF-8 byte order mark, but byte `0xE9` here is not UTF-8"
        assert error.source_line == last[:column - 1] + "\ufffd" + last[column - 1:]
        (root / "cms" / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        assert radrules.load(root, cache_dir=None).tables


class TestPtpSizes:
    """Tables past the sizes CMS publishes load all the same (the compact columns widen)."""

    def test_more_than_256_parts(self, tmp_path):
        """A folder of 257 parts loads; a row of the last part fires and names it."""
        root = make_ruleset(tmp_path, 'table ptp "cms/parts" effective 2026-04-01\n')
        (root / "cms" / "parts").mkdir()
        for index in range(257):
            row = f"{10000 + index:05d}\t71045\t\t20180101\t*\t0\tx\r\n"
            (root / "cms" / "parts" / f"ccipra-f{index:03d}.TXT").write_text(PTP_HEADER + row, encoding="latin-1")
        rules = radrules.load(root, cache_dir=None)
        result = rules.evaluate(claim(("10256", "2026-08-01"), ("71045", "2026-08-01")))
        assert [f.source for f in result.findings if f.rule == "ncci.ptp"] == ["ccipra-f256.TXT:2"]

    def test_more_than_65536_rationale_texts(self, tmp_path):
        """65,537 different rationale texts load; the last row keeps its own."""
        rows = "".join(f"{10000 + i // 10:05d}\t{40000 + i % 10:05d}\t\t20180101\t*\t0\treason {i}\r\n"
                       for i in range(65_537))
        (tmp_path / "src").mkdir()
        path = tmp_path / "src" / "ccipra-v322r0-f1.TXT"
        path.write_text(PTP_HEADER + rows, encoding="latin-1")
        rules = radrules.load(make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', path), cache_dir=None)
        result = rules.evaluate(claim(("16553", "2026-08-01"), ("40006", "2026-08-01")))
        (finding,) = [f for f in result.findings if f.rule == "ncci.ptp"]
        assert finding.reference.endswith("; reason 65536")


    def test_more_than_256_rationale_texts_and_65535_codes(self, tmp_path):
        """Past 256 rationale texts and 65,534 codes the columns widen: the last rows keep their own texts and
        codes."""
        rows = "".join(f"{2 * i:05d}\t{2 * i + 1:05d}\t\t20180101\t*\t0\treason {i % 300}\r\n"
                       for i in range(33_000))
        (tmp_path / "src").mkdir()
        path = tmp_path / "src" / "ccipra-v322r0-f1.TXT"
        path.write_text(PTP_HEADER + rows, encoding="latin-1")
        rules = radrules.load(make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', path), cache_dir=None)
        table = rules.tables[0].table
        assert (table.col2.typecode, table.rationale.typecode) == ("i", "H")
        result = rules.evaluate(claim(("65998", "2026-08-01"), ("65999", "2026-08-01")))
        (finding,) = [f for f in result.findings if f.rule == "ncci.ptp"]
        assert finding.reference.endswith("; reason 299")  # row 32,999: 32,999 % 300

    @pytest.mark.parametrize("deletion, typecode", [("20251231", "H"), ("22501231", "i")])
    def test_dates_kept_in_two_bytes_or_as_ordinals(self, tmp_path, deletion, typecode):
        """A table's dates are kept as days after its first (two bytes), or as ordinals when they span more than
        two bytes hold: either way a row applies from its effective date to its deletion date."""
        rows = ("70010\t70020\t*\t19960101\t*\t0\tx\r\n"
                f"71046\t71045\t\t20180101\t{deletion}\t0\tx\r\n")
        (tmp_path / "src").mkdir()
        path = tmp_path / "src" / "ccipra-v322r0-f1.TXT"
        path.write_text(PTP_HEADER + rows, encoding="latin-1")
        rules = radrules.load(make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', path), cache_dir=None)
        table = rules.tables[0].table
        assert table.start.typecode == typecode
        last = dt.date(int(deletion[:4]), int(deletion[4:6]), int(deletion[6:]))
        windows = {("70010", "70020"): (dt.date(1996, 1, 1), dt.date.max),
                   ("71046", "71045"): (dt.date(2018, 1, 1), last)}
        for day in [dt.date(1995, 12, 31), dt.date(1996, 1, 1), dt.date(2017, 12, 31), dt.date(2018, 1, 1), last,
                    last + dt.timedelta(days=1)]:
            for (first, second), (begin, end) in windows.items():
                result = rules.evaluate(claim((first, day.isoformat()), (second, day.isoformat())))
                assert bool(fired(result, "ncci.ptp")) is (begin <= day <= end), (first, day)


class TestPtpDates:
    TEXT = 'table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n'

    @pytest.fixture
    def rules(self, tmp_path):
        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        return radrules.load(root, cache_dir=None)

    @pytest.mark.parametrize("date, fires", [
        ("2017-12-31", False),  # the day before the effective date
        ("2018-01-01", True),   # the effective date
        ("2026-11-30", True),   # open-ended (`*`)
    ])
    def test_effective_date_is_inclusive(self, rules, date, fires):
        """71046/71045 applies from its effective date 2018-01-01 on, not the day before."""
        result = rules.evaluate(claim(("71046", date), ("71045", date)))
        assert bool(fired(result, "ncci.ptp")) is fires

    @pytest.mark.parametrize("date, fires", [
        ("2025-12-30", True),
        ("2025-12-31", True),   # the deletion date itself: the last day the edit applies
        ("2026-01-01", False),  # the day after
    ])
    def test_deletion_date_is_the_last_day(self, rules, date, fires):
        """74176/72192, deleted 2025-12-31, still applies on that day and not after."""
        result = rules.evaluate(claim(("74176", date), ("72192", date)))
        assert bool(fired(result, "ncci.ptp")) is fires


class TestVersions:
    TEXT = ('table ptp "cms/radiology-ptp-v321r0-f1.TXT" effective 2026-04-01\n'
            'table ptp "cms/radiology-ptp-v322r0-f1.TXT", "cms/radiology-ptp-v322r0-f2.TXT" effective 2026-07-01\n'
            'table mue "cms/MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"\n'
            'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n')
    FILES = ("radiology-ptp-v321r0-f1.TXT", "radiology-ptp-v322r0-f1.TXT", "radiology-ptp-v322r0-f2.TXT",
             "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")

    @pytest.fixture
    def rules(self, tmp_path):
        root = make_ruleset(tmp_path, self.TEXT, *(DATA / f for f in self.FILES))
        return radrules.load(root, cache_dir=None)

    @pytest.mark.parametrize("date, fires", [("2026-06-30", False), ("2026-07-01", True)])
    def test_pair_added_in_later_quarter(self, rules, date, fires):
        """70470/70450 exists only in the Q3 version, so it judges lines from 2026-07-01 on."""
        result = rules.evaluate(claim(("70470", date), ("70450", date)))
        assert bool(fired(result, "ncci.ptp")) is fires

    def test_finding_names_the_version_that_judged_it(self, rules):
        """The source of a Q3 finding is a row of a Q3 part."""
        result = rules.evaluate(claim(("70470", "2026-08-01"), ("70450", "2026-08-01")))
        (finding,) = [f for f in result.findings if f.rule == "ncci.ptp"]
        assert finding.source.startswith("radiology-ptp-v322r0-f")

    @pytest.mark.parametrize("date, denied", [("2026-06-30", True), ("2026-07-01", False)])
    def test_mue_version_by_date_of_service(self, rules, date, denied):
        """74177 allows 1 unit a day until June 2026 and 2 from the July table on."""
        result = rules.evaluate(claim(("74177", date, {"units": 2})))
        assert bool(fired(result, "ncci.mue")) is denied

    def test_mue_versions_take_effect_from_file_names(self, rules):
        """MUE tables take effect on the date in their file names."""
        starts = sorted(t.start for t in rules.tables if t.kind == "mue")
        assert starts == [dt.date(2026, 4, 1).toordinal(), dt.date(2026, 7, 1).toordinal()]

    def test_check_lists_each_version_with_the_dates_it_judges(self, tmp_path, capsys, monkeypatch):
        """`radrules check` shows every version, oldest first, until the day before the next one starts,
        and where it was read from."""
        from radrules.tables import reading
        from radrules.cli import main

        root = make_ruleset(tmp_path, self.TEXT, *(DATA / f for f in self.FILES))
        monkeypatch.setenv("RADRULES_CACHE_DIR", str(tmp_path / "cache"))
        reading._MEMORY.clear()  # other tests loaded these files
        assert main(["check", str(root)]) == 0
        listed = capsys.readouterr().out.splitlines()[1:]
        assert listed[0] == "tables, by the dates of service each version judges:"
        assert [line.split(":")[0].strip() for line in listed[1:]] == [
            "mue, professional claims, 2026-04-01 to 2026-06-30 (and earlier dates)",
            "mue, professional claims, 2026-07-01 on",
            "ptp, professional claims, 2026-04-01 to 2026-06-30 (and earlier dates)",
            "ptp, professional claims, 2026-07-01 on",
        ]
        assert listed[4].endswith("rows from 2 files: radiology-ptp-v322r0-f1.TXT, radiology-ptp-v322r0-f2.TXT, "
                                  "read from the files (rules/main.rr:2)")
        assert main(["check", str(root)]) == 0  # again, in the same process
        assert capsys.readouterr().out.splitlines()[5].endswith("read from the memory cache (rules/main.rr:2)")
        (second_ptp,) = [v for v in radrules.load(root, cache_dir=None).describe()["table_versions"]
                         if v["kind"] == "ptp" and v["until"] is None]
        rows = [line for f in self.FILES[1:3] for line in (DATA / f).read_text(encoding="latin-1").splitlines()
                if re.match(r"\w{5}\t\w{5}\t", line)]  # a data row starts with its two codes
        assert second_ptp["size"] == len(rows) == 7


class TestMueWithoutRationale:
    """An MUE file whose header names three columns, code, MUE values and MAI, and no `MUE Rationale` (the layout
    before the rationale column, as remembered: not verified here) has rows of three fields. It was refused at its
    header: "the MUE header needs code, value, MAI and rationale columns"."""

    NAME = "MCR_MUE_PractitionerServices_Eff_01-01-2014.csv"
    NOTICE = '"A copyright notice of our own,\nover two lines.",,\n'
    HEADER = '"HCPCS/\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator\n'

    def _load(self, tmp_path, rows: str, header: str = HEADER):
        (tmp_path / "src").mkdir(exist_ok=True)
        (tmp_path / "src" / self.NAME).write_bytes((self.NOTICE + header + rows).encode("latin-1"))
        return radrules.load(make_ruleset(tmp_path, f'table mue "cms/{self.NAME}"\n', tmp_path / "src" / self.NAME),
                             cache_dir=None)

    def test_rows_of_three_fields_read_and_limit(self, tmp_path):
        """Each row's limit and MAI are read: a line edit and a date-of-service edit fire as they would."""
        rules = self._load(tmp_path, "71046,2,1 Line Edit\n74177,1,2 Date of Service Edit: Policy\n")
        line = rules.evaluate(claim(("71046", "2014-03-03", {"units": 3})))
        day = rules.evaluate(claim(("74177", "2014-03-03"), ("74177", "2014-03-03", {"modifiers": ["76"]})))
        within = rules.evaluate(claim(("71046", "2014-03-03", {"units": 2})))
        assert fired(line, "ncci.mue") == [((1,), ())] and fired(within, "ncci.mue") == []
        assert [f.lines for f in day.findings if f.rule == "ncci.mue"] == [(1, 2)]
        assert [f.source for f in line.findings if f.rule == "ncci.mue"] == [f"{self.NAME}:5"]

    def test_a_row_of_four_fields_is_an_error_there(self, tmp_path):
        """A row with a fourth field in such a file is not of its layout: RR506, naming the layout."""
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, "71046,2,1 Line Edit\n74177,1,2 Date of Service Edit: Policy,Anatomic\n")
        (error,) = caught.value.errors
        assert (error.code, error.span.line) == ("RR506", 6)
        assert error.message == "an MUE row has 3 fields (its header has no rationale column); this one has 4"


class TestMueLoader:
    def test_a_file_named_for_another_setting_than_its_header_is_a_warning(self, tmp_path):
        """The header decides an MUE table's setting; a name that says another is RR517 at the header's setting.
        A name and header that agree say nothing."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n')
        shutil.copy(DATA / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv",
                    root / "cms" / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        with pytest.raises(radrules.RuleError) as caught:  # a hospital table for professional claims: RR514 too
            radrules.load(root, cache_dir=None)
        assert sorted(d.code for d in caught.value.diagnostics) == ["RR514", "RR517"]
        agree = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" '
                                       'for institutional claims\n',
                             DATA / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", name="agree")
        assert radrules.load(agree, cache_dir=None).warnings == ()

    def test_specimen_header_with_line_break(self, tmp_path):
        """The MUE specimen's multi-line notice and split header read; MAI comes from the label's digit."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n',
                            SPECIMENS / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        rules = radrules.load(root, cache_dir=None)
        (loaded,) = rules.tables
        assert len(loaded.table) == 7
        assert loaded.table.entries["0001U"][0][:3] == (1, 2, "Code Descriptor / CPT Instruction")
        assert loaded.table.entries["0002M"][0][1] == 3

    def test_bound_table_has_one_undated_row_per_code(self, tmp_path):
        """What evaluation reads of an MUE table: one row per code, without dates (the evaluator
        takes that row as the one in force without a date check)."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n',
                            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        view = radrules.load(root, cache_dir=None).view_for(None, "professional")
        (bound,) = view.mue_tables.tables
        assert bound and all(len(rows) == 1 and rows[0].start is None and rows[0].end is None
                             for rows in bound.values())

    def test_mai_one_denies_the_line_alone(self, tmp_path):
        """71046 (MAI 1, limit 2): a 3-unit line is denied whole; 2 lines of 2 units each pass."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n',
                            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        rules = radrules.load(root, cache_dir=None)
        one = rules.evaluate(claim(("71046", "2026-08-01", {"units": 3})))
        two = rules.evaluate(claim(("71046", "2026-08-01", {"units": 2}),
                                   ("71046", "2026-08-01", {"units": 2, "modifiers": ["76"]})))
        assert fired(one, "ncci.mue") == [((1,), ())]
        assert fired(two, "ncci.mue") == []

    def test_mai_two_sums_lines_of_the_date(self, tmp_path):
        """77067 (MAI 2, limit 1): two lines on one date, whatever their modifiers, are both denied."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n',
                            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        rules = radrules.load(root, cache_dir=None)
        result = rules.evaluate(claim(("77067", "2026-08-01"), ("77067", "2026-08-01", {"modifiers": ["76"]}),
                                      ("77067", "2026-08-02")))
        assert fired(result, "ncci.mue") == [((1, 2), ())]

    def test_mue_zero_denies_any_units(self, tmp_path):
        """An MUE of 0 means not payable in the setting: one unit is denied."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n',
                            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        result = radrules.load(root, cache_dir=None).evaluate(claim(("76376", "2026-08-01")))
        (finding,) = [f for f in result.findings if f.rule == "ncci.mue"]
        assert "not payable" in finding.message

    def test_unlisted_code_is_informational(self, tmp_path):
        """A code missing from a loaded MUE table gets an info finding, and the claim still passes."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n',
                            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        result = radrules.load(root, cache_dir=None).evaluate(claim(("70450", "2026-08-01")))
        assert [(f.rule, f.severity) for f in result.findings] == [("ncci.mue.unpublished", "info")]
        assert result.passed

    @pytest.mark.parametrize("code", ["W123456789", "7045", "704500"])
    def test_a_malformed_code_gets_no_unpublished_note(self, tmp_path, code):
        """A malformed code (a member id in the code field, a digit short) is format.code's denial; that no MUE
        table lists it says nothing more, so it gets no `unpublished` note, from evaluate or explain, on a date or
        a span (it used to, and quoted a member id). Explain says why no note came."""
        root = make_ruleset(tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n',
                            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        rules = radrules.load(root, cache_dir=None)
        for line in ({"code": code, "date": "2026-08-01"},
                     {"code": code, "date": "2026-08-01", "end_date": "2026-08-03"}):
            result = rules.evaluate({"lines": [line]}, explain=True)
            assert [f.rule for f in result.findings] == ["format.code"]
            assert [s.rule for s in result.explanation.steps if s.rule == "ncci.mue.unpublished"] == []
            assert result.explanation.not_considered["ncci.mue.unpublished"] == (
                "the table in force lists every code of the claim (a malformed code is format.code's: no table "
                "lists it)")
            assert "W123456789" not in json.dumps(result.to_dict())

    def test_outpatient_table_serves_institutional_claims_only(self, tmp_path):
        """`for institutional claims` loads the hospital MUE table; professional claims don't see it."""
        root = make_ruleset(
            tmp_path,
            'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" for institutional claims\n',
            DATA / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv")
        rules = radrules.load(root, cache_dir=None)
        hospital = rules.evaluate(claim(("74177", "2026-08-01", {"units": 2}), claim_type="institutional"))
        practice = rules.evaluate(claim(("74177", "2026-08-01", {"units": 2})))
        assert fired(hospital, "ncci.mue") == [((1,), ())]
        assert fired(practice, "ncci.mue") == []

    def test_wrong_table_for_the_claim_type_is_an_error(self, tmp_path):
        """A practitioner MUE file named for institutional claims is refused (RR514)."""
        root = make_ruleset(
            tmp_path, 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv" for institutional claims\n',
            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        assert [d.code for d in caught.value.errors] == ["RR514"]

    @pytest.mark.parametrize("claim_type", ["", " for institutional claims"])
    def test_the_dme_table_is_refused_as_a_table_no_claim_is_judged_by(self, tmp_path, claim_type):
        """The DME MUE table is for DME supplier claims: RR514 says radrules does not judge them, whatever the
        statement's claim type (the message offered the other claim type, where it was refused too)."""
        name = "MCR_MUE_DMESupplierServices_Eff_07-01-2026.csv"
        data = MUE_HEADER.replace("Practitioner Services", "DME Supplier Services") + "E0100,1,2 Date of Service Edit: Policy,x\r\n"
        root = make_ruleset(tmp_path, f'table mue "cms/{name}"{claim_type}\n')
        (root / "cms" / name).write_bytes(data.encode("latin-1"))
        error = only_error(root)
        assert error.code == "RR514" and error.message == ("this is the DME MUE table, for DME supplier claims, which "
                                                           "radrules does not judge")
        assert "leave the DME table out" in error.help

    @pytest.mark.parametrize("hospital_first", [True, False], ids=["hospital first", "practitioner first"])
    def test_parts_of_two_settings_are_an_error_at_the_other_settings_path(self, tmp_path, hospital_first):
        """A practitioner and an outpatient hospital part in one professional table is RR514 at the hospital
        file's path, whatever their order (hospital rows served professional claims when it came first)."""
        hospital, practitioner = ("cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv",
                                  "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        paths = [hospital, practitioner] if hospital_first else [practitioner, hospital]
        text = "table mue " + ", ".join(f'"{p}"' for p in paths) + "\n"
        root = make_ruleset(tmp_path, text, DATA / Path(hospital).name, DATA / Path(practitioner).name)
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column) == ("RR514", 1, text.index(f'"{hospital}"') + 1)
        assert error.message == ("this is the outpatient hospital MUE table, but the statement serves professional "
                                 "claims")
        assert "the parts of one table are files of one setting" in error.help

    def test_a_folder_of_the_other_setting_is_named_by_its_file(self, tmp_path):
        """A folder's part whose header names the other setting is named in the message (the caret can only be on
        the folder's path)."""
        root = make_ruleset(tmp_path, 'table mue "cms/mue" for institutional claims\n')
        (root / "cms" / "mue").mkdir()
        shutil.copy(DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", root / "cms" / "mue")
        error = only_error(root)
        assert (error.code, error.span.column) == ("RR514", 11)
        assert error.message == ("`rules/cms/mue/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv` is the practitioner "
                                 "MUE table, but the statement serves institutional claims")


    @staticmethod
    def _mue_file(tmp_path, name: str, column_2: str) -> Path:
        (tmp_path / "src").mkdir(exist_ok=True)
        path = tmp_path / "src" / name
        path.write_text(f"HCPCS/CPT Code,{column_2},MUE Adjudication Indicator,MUE Rationale\n"
                        "74177,1,2 Date of Service Edit: Policy,Anatomic Consideration\n", encoding="latin-1")
        return path

    @pytest.mark.parametrize("name, column_2", [
        ("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", "Outpatient Hospital MUE Values"),
        ("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", "MUE Values"),
        ("mue-july.csv", "Hospital Outpatient Services MUE"),
        ("mue-july.csv", "Facility Outpatient Hospital Services MUE Values"),
        ("outpatient-hospital-mue.csv", "Units"),
    ], ids=["header worded otherwise", "file name", "words in another order", "long header", "a name of words"])
    def test_the_setting_is_read_from_the_header_words_or_else_the_file_name(self, tmp_path, name, column_2):
        """A hospital table is known by its header's words, or, when the header names no setting, by its file
        name: loaded for professional claims it is RR514 (`Outpatient Hospital MUE Values` matched no header
        spelling, and hospital limits were applied to professional claims)."""
        path = self._mue_file(tmp_path, name, column_2)
        text = f'table mue "cms/{name}"'
        root = make_ruleset(tmp_path, text + " effective 2026-07-01\n", path)
        error = only_error(root)
        assert (error.code, error.message) == ("RR514", "this is the outpatient hospital MUE table, but the "
                                                        "statement serves professional claims")
        (root / "main.rr").write_text(text + " for institutional claims effective 2026-07-01\n", encoding="utf-8")
        rules = radrules.load(root, cache_dir=None)
        hospital = rules.evaluate(claim(("74177", "2026-08-03", {"units": 2}), claim_type="institutional"))
        assert fired(hospital, "ncci.mue") == [((1,), ())]

    @pytest.mark.parametrize("name, column_2, claim_type", [
        ("MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "MUE Values", "institutional"),
        ("MCR_MUE_DMESupplierServices_Eff_07-01-2026.csv", "MUE Values", "professional"),
        ("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", "Practitioner MUE", "institutional"),
    ], ids=["practitioner file name", "DME file name", "the header wins"])
    def test_a_file_named_for_another_setting_is_refused(self, tmp_path, name, column_2, claim_type):
        path = self._mue_file(tmp_path, name, column_2)
        suffix = " for institutional claims" if claim_type == "institutional" else ""
        root = make_ruleset(tmp_path, f'table mue "cms/{name}"{suffix}\n', path)
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        assert [d.code for d in caught.value.errors] == ["RR514"]

    def test_a_table_that_names_no_setting_serves_its_statement(self, tmp_path):
        """Neither header nor file name names a setting: the statement's claim type is taken."""
        path = self._mue_file(tmp_path, "mue-july.csv", "MUE Values")
        rules = radrules.load(make_ruleset(tmp_path, 'table mue "cms/mue-july.csv" effective 2026-07-01\n', path),
                              cache_dir=None)
        assert fired(rules.evaluate(claim(("74177", "2026-08-03", {"units": 2}))), "ncci.mue") == [((1,), ())]

    def test_a_header_that_names_two_settings_is_an_error(self, tmp_path):
        """`Practitioner and Outpatient Hospital MUE Values` can't say whose table it is: RR505 at the field."""
        path = self._mue_file(tmp_path, "mue-july.csv", "Practitioner and Outpatient Hospital MUE Values")
        root = make_ruleset(tmp_path, 'table mue "cms/mue-july.csv" effective 2026-07-01\n', path)
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column) == ("RR505", 1, 16)
        assert error.message == ("`Practitioner and Outpatient Hospital MUE Values` names the practitioner and the "
                                 "outpatient hospital settings: can't tell whose table this is")
        assert "`Outpatient Hospital Services MUE Values`" in error.help


class TestHospitalPtp:
    def test_hospital_rows_fire_only_on_institutional_claims(self, tmp_path):
        """A pair only in the hospital table never fires on a professional claim, and vice versa (§10.2)."""
        text = ('table ptp "cms/radiology-ccioph-v322r0-f1.TXT" for institutional claims\n'
                'table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n')
        root = make_ruleset(tmp_path, text, DATA / "radiology-ccioph-v322r0-f1.TXT",
                            DATA / "radiology-ptp-v321r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        us = (("76700", "2026-08-01"), ("76705", "2026-08-01"))
        cxr = (("71046", "2026-08-01"), ("71045", "2026-08-01"))
        assert fired(rules.evaluate(claim(*us, claim_type="institutional")), "ncci.ptp") == [((2,), (1,))]
        assert fired(rules.evaluate(claim(*us)), "ncci.ptp") == []
        assert fired(rules.evaluate(claim(*cxr, claim_type="institutional")), "ncci.ptp") == []
        assert fired(rules.evaluate(claim(*cxr)), "ncci.ptp") == [((2,), (1,))]


    @pytest.mark.parametrize("statement, warned", [
        ('table ptp "cms/ccioph-v322r0-f1.TXT"\n', "`ccioph-v322r0-f1.TXT` is named as the hospital outpatient PTP "
                                                   "table, but the statement serves professional claims"),
        ('table ptp "cms/ccipra-v322r0-f1.TXT" for institutional claims\n', "`ccipra-v322r0-f1.TXT` is named as the "
         "practitioner PTP table, but the statement serves institutional claims"),
        ('table ptp "cms/ccioph-v322r0-f1.TXT" for institutional claims\n', None),
        ('table ptp "cms/ccipra-v322r0-f1.TXT"\n', None),
        ('table ptp "cms/radiology-ptp-v322r0-f1.TXT" for institutional claims\n', None),
    ], ids=["hospital file, professional", "practitioner file, institutional", "hospital", "practitioner", "neither"])
    def test_a_file_named_for_the_other_setting_is_warned_of(self, tmp_path, statement, warned):
        """A `ccioph` file serving professional claims, or a `ccipra` file institutional ones, is RR517 at its path
        (it judged the other claim type's claims without a word); a name that says neither gives no warning."""
        name = statement.split('"')[1].split("/")[1]
        (tmp_path / "src").mkdir()
        shutil.copy(DATA / "radiology-ccioph-v322r0-f1.TXT", tmp_path / "src" / name)
        rules = radrules.load(make_ruleset(tmp_path, statement, tmp_path / "src" / name), cache_dir=None)
        assert [(w.code, w.severity, w.span.column, w.message) for w in rules.warnings] == (
            [("RR517", "warning", 11, warned)] if warned else [])

    def test_a_folder_of_the_other_setting_is_warned_of_by_file_name(self, tmp_path):
        """For a folder, the warning names the first file whose name says the other setting, and counts the rest."""
        root = make_ruleset(tmp_path, 'table ptp "cms/ptp"\n')
        (root / "cms" / "ptp").mkdir()
        for part in (1, 2):
            shutil.copy(DATA / "radiology-ccioph-v322r0-f1.TXT", root / "cms" / "ptp" / f"ccioph-v322r0-f{part}.TXT")
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.column) == ("RR517", 11)
        assert warning.message == ("`rules/cms/ptp/ccioph-v322r0-f1.TXT` (and 1 more file of the folder) is named as "
                                   "the hospital outpatient PTP table, but the statement serves professional claims")


class TestAddonLoader:
    TEXT = 'table addon "cms/aoc_v2026q3.csv"\n'

    @pytest.fixture
    def rules(self, tmp_path):
        return radrules.load(make_ruleset(tmp_path, self.TEXT, DATA / "aoc_v2026q3.csv"), cache_dir=None)

    def test_effective_from_file_name(self, rules):
        """aoc_v2026q3 takes effect on 2026-07-01."""
        assert rules.tables[0].start == dt.date(2026, 7, 1).toordinal()

    def test_type_one_needs_a_listed_primary(self, rules):
        """77063 alone is denied; with 77067 on the date it is paid."""
        alone = rules.evaluate(claim(("77063", "2026-08-01")))
        paired = rules.evaluate(claim(("77067", "2026-08-01"), ("77063", "2026-08-01")))
        assert fired(alone, "ncci.addon") == [((1,), ())]
        assert fired(paired, "ncci.addon") == []

    def test_primary_deleted_before_the_date_does_not_count(self, rules):
        """G0202 was a primary of 77063 until its Julian deletion date 2016366 (2016-12-31)."""
        before = rules.evaluate(claim(("G0202", "2016-12-31"), ("77063", "2016-12-31")))
        after = rules.evaluate(claim(("G0202", "2017-01-03"), ("77063", "2017-01-03")))
        assert fired(before, "ncci.addon") == []
        assert fired(after, "ncci.addon") == [((2,), ())]
        (finding,) = [f for f in after.findings if f.rule == "ncci.addon"]
        assert finding.message.endswith("no primary (77067) on 2017-01-03 (G0202 counted through 2016-12-31)")

    def test_a_primary_of_an_edit_that_ended_is_named_with_its_last_date(self, tmp_path):
        """CMS changes an add-on's primaries by ending a row (`AOC Edit Del Dt`) and adding one: 36000 counts for
        76937 through 2025-12-31, 36410 from 2026. A denial of 2026 names 36000's last date, as it does a primary's
        own deletion date (it said only "no primary (36410)", with 36000 billed)."""
        (tmp_path / "src").mkdir()
        aoc = tmp_path / "src" / "aoc_v2026q1.csv"
        aoc.write_text(AOC_HEADER + "36000,76937,1,,,,2010001,2025365\n36410,76937,1,,,,2026001,\n",
                       encoding="latin-1")
        rules = radrules.load(make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q1.csv"\n', aoc), cache_dir=None)
        assert fired(rules.evaluate(claim(("36000", "2025-12-31"), ("76937", "2025-12-31"))), "ncci.addon") == []
        result = rules.evaluate(claim(("36000", "2026-01-02"), ("76937", "2026-01-02")))
        (finding,) = [f for f in result.findings if f.rule == "ncci.addon"]
        assert finding.lines == (2,)
        assert finding.message.endswith("no primary (36410) on 2026-01-02 (36000 counted through 2025-12-31)")
        explained = rules.evaluate(claim(("36000", "2026-01-02"), ("76937", "2026-01-02")), explain=True)
        (step,) = [s for s in explained.explanation.steps if s.rule == "ncci.addon" and s.outcome == "fired"]
        assert step.detail.endswith("(36000 counted through 2025-12-31); line 1's 36000 is listed at "
                                    "aoc_v2026q1.csv:2")
        other = rules.evaluate(claim(("71250", "2026-01-02"), ("76937", "2026-01-02")))
        (finding,) = [f for f in other.findings if f.rule == "ncci.addon"]
        assert finding.message.endswith("no primary (36410) on 2026-01-02")

    def test_a_rule_files_ended_edit_is_not_named_by_the_tables_denial(self, tmp_path):
        """A payer's rule-file edit of an add-on that ended is not the CMS edit's past: the table's denial does not
        name its primaries as ones that counted (a code's add-on rows of a date are the rule files' or else the
        table version's, never both, so an ended rule-file block is never beside a table's edit)."""
        (tmp_path / "src").mkdir()
        aoc = tmp_path / "src" / "aoc_v2026q1.csv"
        aoc.write_text(AOC_HEADER + "36410,76937,1,,,,2026001,\n", encoding="latin-1")
        text = ('table addon "cms/aoc_v2026q1.csv"\n'
                'addons p.addon "a payer\'s own, until 2025"\n  for payer medicare\n  reference "test"\n'
                '  addon 76937 type 1 primaries 36000 effective 2010-01-01 through 2025-12-31\nend\n')
        rules = radrules.load(make_ruleset(tmp_path, text, aoc), cache_dir=None)
        result = rules.evaluate(claim(("36000", "2026-01-02"), ("76937", "2026-01-02")))
        assert [(f.rule, f.message.endswith("no primary (36410) on 2026-01-02")) for f in result.findings
                if f.kind == "addon"] == [("ncci.addon", True)]

    def test_contractor_defined_primary_takes_any_other_service(self, rules):
        """Type 2 (`CCCCC`): any line that is not an add-on code on the date is a primary."""
        alone = rules.evaluate(claim(("76377", "2026-08-01")))
        with_study = rules.evaluate(claim(("71275", "2026-08-01"), ("76377", "2026-08-01")))
        assert fired(alone, "ncci.addon") == [((1,), ())]
        assert fired(with_study, "ncci.addon") == []


class TestAddonHeaderNamedOtherwise:
    """A header with two of `Add-on Code`, `Primary Code` and `AOC Edit Type`, the third named otherwise, is that
    header: RR505 at it, naming the column. It was passed over as a preamble line, and the file refused as one
    with "no add-on code header", at the `table` statement."""

    def _error(self, tmp_path, header: str):
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "aoc_v2026q3.csv").write_text(header + "\n77063,77067,1,2017001\n", encoding="latin-1")
        return only_error(make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n',
                                       tmp_path / "src" / "aoc_v2026q3.csv"))

    @pytest.mark.parametrize("header, missing", [
        ("Add-on Code,Primary Code(s),AOC Edit Type,AOC Edit Eff Dt", "Primary Code"),
        ("Add-on Code,Primary Code,Edit Kind,AOC Edit Eff Dt", "AOC Edit Type"),
    ])
    def test_the_missing_column_is_named_at_the_header(self, tmp_path, header, missing):
        error = self._error(tmp_path, header)
        assert (error.code, error.span.file, error.span.line) == ("RR505", "rules/cms/aoc_v2026q3.csv", 1)
        assert error.message == f"this header has no `{missing}` column"
        assert f"is the `{missing}` column named otherwise here" in error.help

    def test_a_file_without_a_header_names_the_columns(self, tmp_path):
        """A file with no header at all: the error at the statement says which columns the header names."""
        error = self._error(tmp_path, "Code,Other,Type,Date")
        assert error.message == "`rules/cms/aoc_v2026q3.csv` has no add-on code header"
        assert "`Add-on Code`, `Primary Code` and `AOC Edit Type`" in error.help


class TestPctcLoader:
    RULE = """
rule t.pctc "26 only where the indicator allows"
  when line.modifiers has 26 and line.pctc not in [1, 6, 8]
  then deny line "26 not valid on {line.code} (PC/TC {line.pctc})"
  carc CO-4
  reference "test"
end
"""

    @pytest.mark.parametrize("file_name", ["PPRRVU26_JUL.csv", "PPRRVU26_JUL.txt"])
    def test_indicators_become_properties(self, tmp_path, file_name):
        """The CSV (stacked captions) and fixed-width layouts both give `line.pctc`."""
        root = make_ruleset(tmp_path, f'table pctc "cms/{file_name}"\n' + self.RULE, DATA / file_name)
        rules = radrules.load(root, cache_dir=None)
        denied = rules.evaluate(claim(("99213", "2026-08-01", {"modifiers": ["26"]})))
        allowed = rules.evaluate(claim(("74177", "2026-08-01", {"modifiers": ["26"]})))
        unknown = rules.evaluate(claim(("70450", "2026-08-01", {"modifiers": ["26"]})))
        assert [f.message for f in denied.findings] == ["26 not valid on 99213 (PC/TC 0)"]
        assert allowed.findings == () and unknown.findings == ()

    def test_specimen_reads(self, tmp_path):
        """The real PPRRVU specimen's five preamble lines and stacked captions read."""
        root = make_ruleset(tmp_path, 'table pctc "cms/PPRRVU2026_Jul_nonQPP.csv"\n',
                            SPECIMENS / "PPRRVU2026_Jul_nonQPP.csv")
        rules = radrules.load(root, cache_dir=None)
        (loaded,) = rules.tables
        assert loaded.table.entries["pctc"] == {"0001F": "9", "00100": "9", "00102": "9"}
        assert loaded.start == dt.date(2026, 7, 1).toordinal()

    @pytest.mark.parametrize("old, new", [(",BILAT,", ",BILATERAL,"), (",PROC,SURG,", ",PROC,SURGERY IND,"),
                                          (",PCTC,", ",PC/TC,")],
                             ids=["BILATERAL SURG", "BILAT SURGERY IND", "PC/TC IND"])
    def test_a_caption_worded_otherwise_is_read(self, tmp_path, old, new):
        """A bilateral caption `BILATERAL SURG` (or a PC/TC caption `PC/TC IND`) is that column: the file loaded
        without bilateral indicators, and `modifier.bilateral.invalid` was off without a word."""
        text = (DATA / "PPRRVU26_JUL.csv").read_text(encoding="latin-1")
        assert text.count(old) == 1
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "PPRRVU26_JUL.csv").write_text(text.replace(old, new), encoding="latin-1")
        root = make_ruleset(tmp_path, 'table pctc "cms/PPRRVU26_JUL.csv"\n', tmp_path / "src" / "PPRRVU26_JUL.csv")
        entries = radrules.load(root, cache_dir=None).tables[0].table.entries
        assert entries["bilateral"]["74177"] == "0" and entries["pctc"]["74177"] == "1"
        assert len(entries["bilateral"]) == len(entries["pctc"]) == 6

    @pytest.mark.parametrize("old, new, message", [
        (",BILAT,", ",,", "the MPFS header has no column `BILAT SURG`"),
        (",BILAT,", ",BILAT,", None),
        (",CO-,", ",BILAT,", "`BILAT SURG` (field 22) is a second column for the bilateral surgery indicator "
                             "(the first is `BILAT SURG`, field 20)"),
    ], ids=["missing", "control", "twice"])
    def test_a_file_without_one_bilateral_column_is_an_error(self, tmp_path, old, new, message):
        """Without its `BILAT SURG` column (or with two) the file is RR505 at the caption row, with a hint
        naming the column; it loaded without bilateral indicators."""
        text = (DATA / "PPRRVU26_JUL.csv").read_text(encoding="latin-1").replace(old, new)
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "PPRRVU26_JUL.csv").write_text(text, encoding="latin-1")
        root = make_ruleset(tmp_path, 'table pctc "cms/PPRRVU26_JUL.csv"\n', tmp_path / "src" / "PPRRVU26_JUL.csv")
        if message is None:
            assert radrules.load(root, cache_dir=None).tables[0].table.entries["bilateral"]
            return
        error = only_error(root)
        assert (error.code, error.span.line, error.message) == ("RR505", 10, message)
        assert "`BILAT SURG`" in error.help

    @pytest.mark.parametrize("captions", [
        [",,,NOT,", ",,,USED,", ",,,NON-FAC,FAC", ",,,PCTC,BILAT", "HCPCS,MOD,DESCRIPTION,IND,SURG"],
        [",,,NON-FAC,FAC", ",,,PCTC,BILAT", "HCPCS,MOD,DESCRIPTION,IND,SURG"],
        [",,,PCTC,BILAT", "HCPCS,MOD,DESCRIPTION,IND,SURG"],
    ], ids=["five caption rows", "three", "two"])
    def test_a_preamble_line_above_fewer_caption_rows_is_not_a_caption(self, tmp_path, captions):
        """Captions are joined over the rows right above `HCPCS,MOD,...` that hold two captions or more: with fewer
        than five caption rows, a title or release line in the first column was read into the `HCPCS` caption
        (`RELEASED 12/2014 HCPCS`), and the file was refused (RR505, no column `HCPCS`)."""
        preamble = ["A FEE SCHEDULE FILE OF OUR OWN,,,,", ",,,,", "RELEASED 12/2014,,,,"]
        text = "\n".join(preamble + captions + ["74177,,X,1,0", "93010,,X,2,0"]) + "\n"
        rules = self._load(tmp_path, {"PPRRVU15_JAN.csv": text}, 'table pctc "cms/PPRRVU15_JAN.csv"\n')
        assert rules.tables[0].table.entries["pctc"] == {"74177": "1", "93010": "2"}
        assert rules.tables[0].table.entries["bilateral"] == {"74177": "0", "93010": "0"}

    def test_summary_counts_codes(self, tmp_path):
        """`radrules check` counts the codes of a PC/TC table, not its two indicator maps."""
        root = make_ruleset(tmp_path, 'table pctc "cms/PPRRVU26_JUL.csv"\n', DATA / "PPRRVU26_JUL.csv")
        (loaded,) = (rules := radrules.load(root, cache_dir=None)).tables
        codes = len(loaded.table.entries["pctc"])
        assert codes == 6
        assert rules.describe()["tables"] == {"pctc_table_codes": codes}
        (version,) = rules.describe()["table_versions"]
        assert (version["claim_type"], version["size"], version["counts"]) == (None, codes, "codes")

    CAPTIONS = "HCPCS,MOD,DESCRIPTION,PCTC IND,BILAT SURG\n"

    def _load(self, tmp_path, files: dict, statement: str = 'table pctc "cms/PPRRVU26_JUL.csv"\n'):
        (tmp_path / "src").mkdir()
        for name, text in files.items():
            (tmp_path / "src" / name).write_text(text, encoding="latin-1")
        return radrules.load(make_ruleset(tmp_path, statement, *(tmp_path / "src" / n for n in files)),
                             cache_dir=None)

    @pytest.mark.parametrize("modifier", ["", "26"])
    def test_a_second_row_for_a_code_and_modifier_is_an_error(self, tmp_path, modifier):
        """Two rows of one HCPCS and MOD are RR511 at the second (the first was read, whatever the second said)."""
        rows = f"74177,{modifier},X,1,0\n74177,TC,X,1,0\n74177,{modifier},X,2,0\n"
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, {"PPRRVU26_JUL.csv": self.CAPTIONS + rows})
        (error,) = caught.value.errors
        assert (error.code, error.span.line, error.span.column, error.span.end_column) == ("RR511", 4, 1, 6)
        assert error.message == (f"74177 {'with modifier 26' if modifier else 'without a modifier'} has a second row "
                                 "(the first is at rules/cms/PPRRVU26_JUL.csv:2)")

    def test_a_second_fixed_width_record_or_one_in_another_part_is_an_error(self, tmp_path):
        """The fixed-width layout and a table's other parts are checked too."""
        record = "74177" + " " * 97 + "1" + " " * 13 + "0"
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, {"PPRRVU26_JUL.txt": f"{record}\n{record[:102]}2{record[103:]}\n",
                                  "PPRRVU26_JUL.csv": self.CAPTIONS + "74177,,X,1,0\n"},
                       'table pctc "cms/PPRRVU26_JUL.txt", "cms/PPRRVU26_JUL.csv"\n')
        assert [(e.code, e.span.file, e.span.line, e.message[-29:]) for e in caught.value.errors] == [
            ("RR511", "rules/cms/PPRRVU26_JUL.txt", 2, "rules/cms/PPRRVU26_JUL.txt:1)"),
            ("RR511", "rules/cms/PPRRVU26_JUL.csv", 2, "rules/cms/PPRRVU26_JUL.txt:1)")]

    @pytest.mark.parametrize("global_first", [True, False], ids=["global first", "26 first"])
    def test_indicators_that_disagree_are_a_warning_and_the_global_row_is_read(self, tmp_path, global_first):
        """A 26 row whose PC/TC indicator is not the global row's loads with RR518 at its field; the global row's
        indicator is the code's, whichever comes first (domain.md §4: one indicator on the three rows)."""
        rows = ["74177,,X,1,0\n", "74177,26,X,2,0\n"]
        rules = self._load(tmp_path, {"PPRRVU26_JUL.csv": self.CAPTIONS + "".join(rows if global_first
                                                                                  else rows[::-1])})
        assert rules.tables[0].table.entries["pctc"] == {"74177": "1"}
        (warning,) = rules.warnings
        assert (warning.code, warning.severity, warning.span.line) == ("RR518", "warning", 3)
        assert warning.span.column == (12 if global_first else 10)

    def test_more_warnings_than_shown_leave_the_table_in_use(self, tmp_path):
        """Past 50 problems the rest are counted; when they are all warnings, so is the count, and the table loads
        (the count was an error, which refused the table)."""
        rows = "".join(f"7{i:04d},,X,1,0\n7{i:04d},26,X,2,0\n" for i in range(60))
        rules = self._load(tmp_path, {"PPRRVU26_JUL.csv": self.CAPTIONS + rows})
        assert len(rules.tables[0].table.entries["pctc"]) == 60
        assert [w.code for w in rules.warnings] == ["RR518"] * 50 + ["RR519"]
        assert rules.warnings[-1].message == "10 more problems in `rules/cms/PPRRVU26_JUL.csv` not shown"

    def test_an_error_past_50_warnings_is_shown(self, tmp_path):
        """An error after 50 warnings takes the last warning's place: the problem that refuses the table is
        shown (it was only counted, under a help that said to fix "the ones above", all warnings)."""
        rows = "".join(f"7{i:04d},,X,1,0\n7{i:04d},26,X,2,0\n" for i in range(60)) + "74177,,X,1,0\n74177,,X,1,0\n"
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, {"PPRRVU26_JUL.csv": self.CAPTIONS + rows})
        assert [(d.code, d.span.line) for d in caught.value.errors] == [("RR511", 123)]
        last = caught.value.diagnostics[-1]  # the count of what is not shown says the table is refused
        assert (last.code, last.severity, last.help) == ("RR519", "warning",
                                                         "they are warnings; the errors above refuse the table")

    def test_rule_file_values_win_over_the_table(self, tmp_path):
        """`property pctc = ...` in a rule file overrides the MPFS table for that code."""
        root = make_ruleset(tmp_path, 'table pctc "cms/PPRRVU26_JUL.csv"\nproperty pctc = 1 for 99213\n' + self.RULE,
                            DATA / "PPRRVU26_JUL.csv")
        result = radrules.load(root, cache_dir=None).evaluate(claim(("99213", "2026-08-01", {"modifiers": ["26"]})))
        assert result.findings == ()


class TestRowErrors:
    def _errors(self, tmp_path, statement, file_name):
        root = make_ruleset(tmp_path, statement, DATA / file_name)
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        return caught.value

    def test_every_bad_ptp_row_is_reported(self, tmp_path):
        """Each of the seven bad rows gets its own error with file, row and the column of the bad field."""
        error = self._errors(tmp_path, 'table ptp "cms/bad-ptp.TXT"\n', "bad-ptp.TXT")
        found = [(d.code, d.span.line, d.span.column) for d in error.errors]
        assert found == [("RR507", 7, 7), ("RR508", 8, 14), ("RR510", 9, 23), ("RR509", 10, 25), ("RR506", 11, 1),
                         ("RR509", 12, 13), ("RR508", 13, 14)]
        rendered = error.errors[0].render()
        assert rendered.splitlines()[0] == "rules/cms/bad-ptp.TXT:7:7: error[RR507]: `7415` is not a procedure code " \
                                           "(column 2)"
        assert rendered.splitlines()[2].endswith("      ^^^^")

    @staticmethod
    def _only_error(tmp_path, data: str):
        """The one error of a PTP file holding ``data``."""
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "ccipra-v322r0-f1.TXT").write_bytes(data.encode("latin-1"))
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', tmp_path / "src" / "ccipra-v322r0-f1.TXT")
        return only_error(root)

    @pytest.mark.parametrize("line, code", [
        ("End of file\t\t\t\t\t\t", "RR507"),
        ("CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t", "RR507"),
        ("End of file", "RR506"),
        ('"End of file",,,,,,', "RR507"),
    ], ids=["padded footer", "padded copyright", "bare footer", "CSV footer"])
    def test_a_line_of_text_among_the_rows_is_one_error(self, tmp_path, line, code):
        """A notice or an `End of file` line after the rows is one error saying the line is text, not one error
        for each of its empty columns."""
        separator = "," if line.startswith('"') else "\t"
        row = separator.join(["74176", "74150", "", "20110101", "*", "0", "x"])
        data = PTP_HEADER.replace("\t", separator) + row + "\r\n" + line + "\r\n"
        error = self._only_error(tmp_path, data)
        assert (error.code, error.span.line, error.span.column) == (code, 3, 1 + (separator == ","))
        assert error.help.startswith("this line is text, not a row")

    @pytest.mark.parametrize("effective, deletion, column", [
        ("7/1/2016", "*", 14), ("1/7/2016", "*", 14), ("1/1/2011", "*", 14), ("2016183 ", "*", 14),
        (" 2016183", "*", 14), ("20160701", "1/1/2030", 23), ("20160701", "2030-01-01", 23),
    ], ids=["M/D/YYYY", "day first", "short", "Julian padded after", "Julian padded before", "deletion M/D/YYYY",
            "deletion ISO"])
    def test_ptp_dates_are_yyyymmdd_only(self, tmp_path, effective, deletion, column):
        """A PTP date of any other shape is RR508, also when it has eight characters: `7/1/2016` after a
        spreadsheet's round trip, or `1/7/2016` from a day-first one (1 July), which was read as January 7 and
        denied half a year early; a Julian date padded to eight. The caret is on the damaged field."""
        data = PTP_HEADER + f"74176\t74150\t\t{effective}\t{deletion}\t0\tx\r\n"
        error = self._only_error(tmp_path, data)
        assert (error.code, error.span.line, error.span.column) == ("RR508", 2, column)
        what = "an effective date (YYYYMMDD)" if column == 14 else "a deletion date (YYYYMMDD, or `*` for none)"
        assert error.message.endswith(f"is not {what}")
        written = any(mark in effective + deletion for mark in "/-.")
        assert (error.help is not None and error.help.startswith("CMS writes these dates as digits alone")) == written

    @pytest.mark.parametrize("date", ["0/1/2016", "2/30/2017", "2016-02-30", "01.07.2016"])
    def test_a_ptp_date_with_separators_is_not_read_as_a_calendar_date(self, tmp_path, date):
        """A damaged date with separators is refused for its shape, not asked whether it is a real day (a
        maintainer's read: `2/30/2017` said "read as MM/DD/YYYY, day 30 of February", and once mended to
        `2/28/2017` was refused all the same)."""
        error = self._only_error(tmp_path, PTP_HEADER + f"74176\t74150\t\t{date}\t*\t0\tx\r\n")
        assert error.message == f"`{date}` is not an effective date (YYYYMMDD)"
        assert error.help.startswith("CMS writes these dates as digits alone")

    def test_a_row_with_several_bad_fields_is_one_error_at_the_first(self, tmp_path):
        """A row with a bad code, dates and indicator is one error, at its first bad field (with the code's hint)."""
        data = PTP_HEADER + "74176\t7415\t\t2011\tx\t7\tx\r\n"
        error = self._only_error(tmp_path, data)
        assert (error.code, error.span.line, error.span.column) == ("RR507", 2, 7)
        assert error.help == ("is it `07415` without its leading zero, as a spreadsheet program writes a code it took "
                              "for a number? Take CMS's file again, or import it with the code columns as text")

    MUE = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"

    @pytest.mark.parametrize("kind, name, row, found", [
        ("mue", MUE, ",,,note: end of file", ("RR507", 1, "an empty field is not a procedure code")),
        ("mue", MUE, "0009U,x,9 Date of Service Edit: Clinical,Nature of Analyte",
         ("RR509", 7, "`x` is not a unit limit (a whole number, 0 or more)")),
        ("pctc", "PPRRVU26_JUL.csv", "70450,,REDACTED",
         ("RR506", 1, "an MPFS row has 32 fields, as its caption rows; this one has 3")),
        ("pctc", "PPRRVU26_JUL.csv", "70450,,REDACTED,A,,1.00,1.00,,0.50,,0.05,2.05,1.55,x,XXX,0.00,0.00,0.00,4,y,0,"
         "0,0,9,,33.4009,09,0,88,0.00,0.00,0.00", ("RR509", 52, "`x` is not a PC/TC indicator (0-9)")),
        ("pctc", "PPRRVU26_JUL.csv", "70450,,REDACTED,A,,1.00,1.00,,0.50,,0.05,2.05,1.55,1,XXX,0.00,0.00,0.00,4,0,0,"
         "0,0,9,,33.4009,09,0,88,0.00,0.00,0.00,,", None),  # empty fields past the captions': no error
        ("pctc", "PPRRVU26_JUL.csv", "70450,,REDACTED,A,,1.00,1.00,,0.50,,0.05,2.05,1.55,1,XXX,0.00,0.00,0.00,4,0,0,"
         "0,0,9,,33.4009,09,0,88,0.00,0.00,0.00,x",
         ("RR506", 1, "an MPFS row has 32 fields, as its caption rows; this one has 33")),
        ("addon", "aoc_v2026q3.csv", "7706,7706x,4,,,,2025366,2O26",
         ("RR507", 1, "`7706` is not a procedure code (primary code; `CCCCC` for contractor-defined)")),
        ("addon", "aoc_v2026q3.csv", "77067,77063,1,,2025366,,2O26,",
         ("RR508", 16, "`2025366` is not a calendar date (the add-on code's deletion date)")),
        ("hcpcs", "HCPC2026_JUL_ANWEB.csv", "G0279,00100,3,x,x,,,2026013x,20261301,2026,N",
         ("RR508", 21, "`2026013x` is not a date (ADD DT, YYYYMMDD)")),
    ], ids=["mue footer", "mue limit and MAI", "mpfs cut short", "mpfs two indicators", "mpfs empty fields past",
            "mpfs comma outside quotes", "addon codes and dates", "addon dates", "hcpcs dates"])
    def test_a_row_with_several_bad_fields_is_one_error_in_every_loader(self, tmp_path, kind, name, row, found):
        """As in a PTP file: a row is one error, at its first bad field (in the order of the file's columns), and
        a row with too few fields (or more that are not empty) is RR506, saying how many it has (an MUE row gave
        an error for each bad field, an MPFS row cut short two "empty field" errors at one column)."""
        data = (DATA / name).read_bytes().decode("latin-1")
        root = make_ruleset(tmp_path, f'table {kind} "cms/{name}"\n')
        (root / "cms" / name).write_bytes((data + row + "\r\n").encode("latin-1"))
        if found is None:
            assert radrules.load(root, cache_dir=None).warnings == ()
            return
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column, error.message) == (
            found[0], data.count("\n") + 1, found[1], found[2])

    @pytest.mark.parametrize("kind, name, row, help", [
        ("ptp", "ccipra-v322r0-f1.TXT", "0001a\t0591T\t\t20220101\t20231231\t1\tx", "`0001A`"),
        ("mue", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "7417a,1,2 Date of Service Edit: Policy,x",
         "`7417A`"),
        ("addon", "aoc_v2026q3.csv", "77067,g0279,1,,,,2015001,", "`G0279`"),
        ("pctc", "PPRRVU26_JUL.csv", "g0279,,REDACTED,A,,1.00,1.00,,0.50,,0.05,2.05,1.55,1,XXX,0.00,0.00,0.00,4,0,0,"
         "0,0,9,,33.4009,09,0,88,0.00,0.00,0.00", "`G0279`"),
    ])
    def test_a_code_in_lower_case_is_told_codes_are_in_capitals(self, tmp_path, kind, name, row, help):
        """`0001a` is no code because of its case: the hint says so (it listed the shapes of a code, which
        `0001a` has)."""
        header = {"ptp": PTP_HEADER, "mue": MUE_HEADER, "addon": AOC_HEADER}.get(kind)
        data = header if header is not None else (DATA / name).read_text(encoding="latin-1")
        root = make_ruleset(tmp_path, f'table {kind} "cms/{name}"\n')
        (root / "cms" / name).write_bytes((data + row + "\r\n").encode("latin-1"))
        error = only_error(root)
        assert error.code == "RR507"
        assert error.help == (f"procedure codes are written in capitals, as CMS's files write them ({help}): is the "
                              "row damaged, or was the file changed?")

    def test_a_closed_quoted_field_too_long_to_read_is_said_to_be_too_long(self, tmp_path):
        """A quoted field of 200,000 characters, its quotes closed, is too long, with the caret on it; the hint said
        the quote was never closed. A quote left open still says so."""
        name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        root = make_ruleset(tmp_path, f'table mue "cms/{name}"\n')
        row = '74177,1,2 Date of Service Edit: Policy,"' + "Y" * 200_000 + '"'
        (root / "cms" / name).write_text(MUE_HEADER + row + "\r\n74178,1,1 Line Edit,x\r\n", encoding="latin-1")
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column) == ("RR506", 4, 40)
        assert error.message == "a quoted field of 200,000 characters, far longer than any table field"
        assert error.help.startswith("radrules reads fields of up to 131,072 characters, and a table's are short")
        (root / "cms" / name).write_text(MUE_HEADER + row[:-1] + "\r\n74178,1,1 Line Edit,x\r\n", encoding="latin-1")
        error = only_error(root)
        assert error.help == 'a quote (`"`) opens a field here without closing it'

    def test_a_tab_separated_mue_table_is_said_to_be_so(self, tmp_path):
        """An MUE table saved with tabs between its fields is told so at its header (it had "no `HCPCS/CPT Code`
        header", which it has): CMS publishes it as CSV (domain.md §8.2)."""
        name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        data = (SPECIMENS / name).read_bytes().replace(b",", b"\t")
        root = make_ruleset(tmp_path, f'table mue "cms/{name}"\n')
        (root / "cms" / name).write_bytes(data)
        error = only_error(root)
        assert (error.code, error.span.line) == ("RR505", 8)
        assert error.message == f"`rules/cms/{name}` is tab-separated: an MUE table's fields are separated by commas"
        assert error.help == "CMS publishes the MUE table as CSV (and .xlsx): take that file, or save this one as CSV"

    @pytest.mark.parametrize("fields, column, message, help", [
        (("74176", "74152", "", "20260230", "*", "0"), 14, "`20260230` is not a calendar date (effective date)",
         "read as YYYYMMDD, `20260230` is day 30 of February 2026, which has 28 days: is the row damaged?"),
        (("74176", "74152", "", "20110101", "20251301", "0"), 23, "`20251301` is not a calendar date (deletion date)",
         "read as YYYYMMDD, `20251301` is in month 13, and months are 1 to 12: is the row damaged?"),
        (("74176", "74152", "", "2011-01-01", "*", "0"), 14, "`2011-01-01` is not an effective date (YYYYMMDD)",
         WRITTEN_DATE_HELP),
        (("74176", "74176", "", "20110101", "*", "1"), 7, "74176 is paired with itself",
         "an edit pairs two different codes, column 1 and column 2: is the row damaged?"),
        (("74176", "74152", "X", "20110101", "*", "1"), 13,
         "`X` in the 'in existence prior to 1996' field (expected `*` or nothing)",
         "the field is `*` for an edit in existence before 1996, else empty: is the row damaged?"),
    ], ids=["effective date", "deletion date", "ISO date", "same code", "existence marker"])
    def test_each_ptp_row_error_has_a_hint_that_fits(self, tmp_path, fields, column, message, help):
        """A date in the YYYYMMDD shape that no calendar has is "not a calendar date" (it was "not an effective
        date (YYYYMMDD)" with a hint to write YYYYMMDD); a code paired with itself is not told that codes have 5
        characters."""
        error = self._only_error(tmp_path, PTP_HEADER + "\t".join(fields + ("x",)) + "\r\n")
        assert (error.span.column, error.message, error.help) == (column, message, help)

    @pytest.mark.parametrize("value, message, help", [
        ("1.5", "`1.5` is not a unit limit (a whole number, 0 or more)",
         "a unit limit is a whole number of units, in digits only (no sign, no decimals): is the row damaged?"),
        ("-1", "`-1` is not a unit limit (a whole number, 0 or more)",
         "a unit limit is a whole number of units, in digits only (no sign, no decimals): is the row damaged?"),
        ("9" * 16, "a unit limit of 16 digits is not under 10^15",
         "CMS's unit limits are a few digits long: is the row damaged?"),
    ])
    def test_a_bad_unit_limit_is_not_called_an_indicator(self, tmp_path, value, message, help):
        """A unit limit's hint is about unit limits (it was "an indicator is one of the values CMS publishes")."""
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n')
        (root / "cms" / MUE_NAME).write_text(MUE_HEADER + f"74177,{value},2 Date of Service Edit: Policy,x\r\n")
        error = only_error(root)
        assert (error.code, error.message, error.help) == ("RR509", message, help)

    @pytest.mark.parametrize("row, message, help", [
        ("77065,G0279,1,,,,2025366,", "`2025366` is not a calendar date (the edit's effective date)",
         "read as Julian YYYYDDD, `2025366` is day 366 of 2025, which has 365 days: is the row damaged?"),
        ("77065,G0279,1,,,20260230,2015001,", "`20260230` is not a calendar date (the primary code's deletion date)",
         "read as YYYYMMDD, `20260230` is day 30 of February 2026, which has 28 days: is the row damaged?"),
        ("CCCCC,G0279,1,,,,2015001,", "a type 1 add-on edit lists its primary code, not `CCCCC`",
         "`CCCCC` (primaries the contractor defines) is for type 2 edits: is the primary code or the edit type "
         "damaged?"),
    ])
    def test_each_addon_row_error_has_a_hint_that_fits(self, tmp_path, row, message, help):
        """A date that no calendar has is "not a calendar date" (its hint said dates are YYYYMMDD or YYYYDDD);
        `CCCCC` on a type 1 edit is not told about indicators."""
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n')
        (root / "cms" / "aoc_v2026q3.csv").write_text(AOC_HEADER + row + "\n")
        error = only_error(root)
        assert (error.message, error.help) == (message, help)

    @pytest.mark.parametrize("statement, file_name", [('table ptp "cms/bad-ptp.TXT"\n', "bad-ptp.TXT"),
                                                      ('table mue "cms/bad-mue.csv" effective 2026-07-01\n',
                                                       "bad-mue.csv"),
                                                      ('table addon "cms/bad-aoc.csv"\n', "bad-aoc.csv")])
    def test_every_bad_row_has_a_hint(self, tmp_path, statement, file_name):
        """A bad row is reported as a rule error is: place, the row, a caret, and a hint (a loader's own, or the
        one its code has)."""
        error = self._errors(tmp_path, statement, file_name)
        assert error.errors and all(d.help for d in error.errors)
        assert all(d.span is not None and d.source_line is not None for d in error.errors)

    def test_bad_mue_rows_and_duplicate_codes(self, tmp_path):
        """Non-numeric limits, unknown MAI, bad codes and a second row for one code are errors."""
        error = self._errors(tmp_path, 'table mue "cms/bad-mue.csv" effective 2026-07-01\n', "bad-mue.csv")
        assert [(d.code, d.span.line) for d in error.errors] == [
            ("RR509", 6), ("RR509", 7), ("RR507", 8), ("RR511", 10)]

    def test_a_limit_of_thousands_of_digits_is_a_row_error(self, tmp_path):
        """A unit limit of 5,000 digits is RR509, without its digits in the message (int() raised ValueError)."""
        (tmp_path / "x").mkdir()
        path = tmp_path / "x" / "mue.csv"
        path.write_text("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
                        f"74177,{'9' * 5000},2 Date of Service Edit: Policy,Anatomic\n", encoding="latin-1")
        root = make_ruleset(tmp_path, 'table mue "cms/mue.csv" effective 2026-07-01\n', path)
        error = only_error(root)
        assert (error.code, error.message) == ("RR509", "a unit limit of 5,000 digits is not under 10^15")
        assert (error.span.line, error.span.column) == (2, 7)

    def test_empty_field_is_named_as_such(self, tmp_path):
        """A required field left empty reads "an empty field is not ...", not an empty quote."""
        (tmp_path / "x").mkdir()
        path = tmp_path / "x" / "mue.csv"
        path.write_text("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
                        "74177,,2 Date of Service Edit: Policy,Anatomic\n", encoding="latin-1")
        root = make_ruleset(tmp_path, 'table mue "cms/mue.csv" effective 2026-07-01\n', path)
        error = only_error(root)
        assert error.message == "an empty field is not a unit limit (a whole number, 0 or more)"
        assert (error.span.line, error.span.column) == (2, 7)

    def test_bad_addon_rows(self, tmp_path):
        """An unknown edit type, `CCCCC` on a type 1 edit and an impossible Julian date are errors."""
        error = self._errors(tmp_path, 'table addon "cms/bad-aoc.csv"\n', "bad-aoc.csv")
        assert [(d.code, d.span.line) for d in error.errors] == [("RR509", 2), ("RR509", 3), ("RR508", 4)]

    def test_nothing_is_loaded_after_an_error(self, tmp_path):
        """A table with a bad row is not used at all (no partial state)."""
        root = make_ruleset(tmp_path, 'table ptp "cms/bad-ptp.TXT"\n', DATA / "bad-ptp.TXT")
        cache = tmp_path / "cache"
        with pytest.raises(radrules.RuleError):
            radrules.load(root, cache_dir=cache)
        assert not cache.exists() or not any(cache.iterdir())

    def test_statement_errors(self, tmp_path):
        """Unknown kinds, missing files, paths outside the folder and doubled versions are reported together."""
        (tmp_path / "outside.TXT").write_text("x")
        text = ('table ptpp "cms/radiology-ptp-v321r0-f1.TXT"\n'
                'table ptp "cms/missing.TXT"\n'
                'table ptp "../outside.TXT"\n'
                'table ptp "cms/radiology-ptp-v321r0-f1.TXT" effective 2026-04-01\n'
                'table ptp "cms/radiology-ptp-v322r0-f1.TXT" effective 2026-04-01\n')
        root = make_ruleset(tmp_path, text, DATA / "radiology-ptp-v321r0-f1.TXT", DATA / "radiology-ptp-v322r0-f1.TXT")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        assert [d.code for d in caught.value.errors] == ["RR501", "RR502", "RR503", "RR513"]
        assert "did you mean `ptp`?" in caught.value.errors[0].render()

    @pytest.mark.parametrize("kind", ["PTP", "Ptp"])
    def test_a_kind_in_capitals_is_named_in_lower_case(self, kind):
        """`table PTP` (and `unless table PTP`) is RR501 suggesting `ptp` (it was RR103 "expected a name")."""
        text = (f'table {kind} "cms/ccipra-v321r0-f1.TXT"\n'
                f'rule a.b\n  unless table {kind}\n  when line.units > 1\n  then info line "x"\n  reference "r"\nend\n')
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="t.rr")
        assert [(d.code, d.message, d.span.line, d.help) for d in caught.value.errors] == [
            ("RR501", f"unknown table kind `{kind}`", line, "did you mean `ptp`? table kinds are written in lower case")
            for line in (1, 3)]

    def test_a_link_in_a_table_folder_to_a_file_outside_is_refused(self, tmp_path):
        """A table folder's files must be inside the ruleset folder too: a link to a file elsewhere is an error,
        a link to a file inside is read."""
        outside = tmp_path / "elsewhere.TXT"
        outside.write_bytes((DATA / "radiology-ptp-v322r0-f1.TXT").read_bytes())
        root = make_ruleset(tmp_path, 'table ptp "cms"\n', DATA / "radiology-ptp-v321r0-f1.TXT")
        (root / "cms" / "radiology-ptp-v321r0-f2.TXT").symlink_to(outside)
        error = only_error(root)
        assert (error.code, error.span.line) == ("RR503", 1)
        assert error.message == ("`radiology-ptp-v321r0-f2.TXT` in the folder `cms` links to a file outside the "
                                 "ruleset folder")
        (root / "cms" / "radiology-ptp-v321r0-f2.TXT").unlink()
        (root / "kept.TXT").write_bytes(outside.read_bytes())
        (root / "cms" / "radiology-ptp-v321r0-f2.TXT").symlink_to(root / "kept.TXT")
        (loaded,) = radrules.load(root, cache_dir=None).tables
        assert len(loaded.files) == 2

    @pytest.mark.parametrize("path, message", [
        ("cms/linked.TXT", "`cms/linked.TXT` links to a file outside the ruleset folder"),
        ("../elsewhere.TXT", "`../elsewhere.TXT` is outside the ruleset folder"),
    ], ids=["a link", "a path out"])
    def test_a_table_path_that_links_outside_says_it_links(self, tmp_path, path, message):
        """A path written inside the folder that is a link to a file elsewhere says so, with the hint to copy the
        file in (it said the path was outside the folder, which as written it is not); a path out says that."""
        outside = tmp_path / "elsewhere.TXT"
        outside.write_bytes((DATA / "radiology-ptp-v322r0-f1.TXT").read_bytes())
        root = make_ruleset(tmp_path, f'table ptp "{path}"\n')
        (root / "cms" / "linked.TXT").symlink_to(outside)
        error = only_error(root)
        assert (error.code, error.message) == ("RR503", message)
        assert ("copy the file in" in error.help) == (path == "cms/linked.TXT")

    def test_the_two_variants_of_an_mpfs_release_are_one_error(self, tmp_path):
        """A folder holding `PPRRVU2026_Jul_QPP.csv` and `..._nonQPP.csv` is one RR520 naming both and saying to
        load one (it was 50 RR511s, a code listed twice each, and RR519); as two statements, RR513 says the same
        and no longer calls a table of every claim one "for professional claims"."""
        root = make_ruleset(tmp_path, 'table pctc "cms"\n')
        for variant in ("QPP", "nonQPP"):
            shutil.copy(DATA / "PPRRVU26_JUL.csv", root / "cms" / f"PPRRVU2026_Jul_{variant}.csv")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        (error,) = caught.value.errors
        assert error.code == "RR520" and error.message == (
            "the folder `cms` holds `PPRRVU2026_Jul_QPP.csv` and `PPRRVU2026_Jul_nonQPP.csv`, the QPP and nonQPP "
            "variants of one MPFS release")
        assert error.help.endswith("load one of them")
        (root / "main.rr").write_text('table pctc "cms/PPRRVU2026_Jul_nonQPP.csv"\n'
                                      'table pctc "cms/PPRRVU2026_Jul_QPP.csv"\n', encoding="utf-8")
        error = only_error(root)
        assert (error.code, error.message) == ("RR513", "two pctc tables take effect on the same date, 2026-07-01")
        assert error.help.endswith("load one of them")
        (root / "main.rr").write_text('table pctc "cms/PPRRVU2026_Jul_nonQPP.csv"\n', encoding="utf-8")
        assert [t.kind for t in radrules.load(root, cache_dir=None).tables] == ["pctc"]

    def test_two_files_named_for_one_quarter_are_not_called_parts(self, tmp_path):
        """Two MUE files both named for October 1, in two folders: RR513's help said to list the parts of one
        table in one statement, which reads every code twice (an RR511 a code); it says the quarter's file is
        loaded twice."""
        name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        root = make_ruleset(tmp_path, f'table mue "cms/a/{name}"\ntable mue "cms/b/{name}"\n')
        for folder in ("a", "b"):
            (root / "cms" / folder).mkdir()
            shutil.copy(DATA / name, root / "cms" / folder / name)
        error = only_error(root)
        assert (error.code, error.span.line) == ("RR513", 2)
        assert error.help == ("the other is at rules/main.rr:1; both load a file named for 2026-07-01, one quarter's "
                              "file twice: is one of them a copy of the other, or a file of another quarter named "
                              "wrong? Load each quarter's file once, with the date it takes effect")

    def test_two_revisions_of_one_ptp_version_are_told_apart_from_two_quarters(self, tmp_path):
        """`v322r0` and `v322r1` loaded with one date: RR513's help says r1 is the corrected release that replaces
        r0's files (a payer's data engineer could not tell from the docs what to do with it); two versions of
        other numbers keep the general help."""
        row = "74176\t74150\t\t20110101\t*\t0\tx\r\n"
        root = make_ruleset(tmp_path, "")
        for name in ("ccipra-v322r0-f1.TXT", "ccipra-v322r1-f1.TXT", "ccipra-v321r0-f1.TXT"):
            (root / "cms" / name).write_text(PTP_HEADER + row, encoding="latin-1")
        (root / "main.rr").write_text('table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n'
                                      'table ptp "cms/ccipra-v322r1-f1.TXT" effective 2026-07-01\n')
        error = only_error(root)
        assert (error.code, error.span.line) == ("RR513", 2)
        assert error.help == ("the other is at rules/main.rr:1; `v322r1` is a corrected release of `v322r0`: it "
                              "replaces the files of that quarter; put them in place of the old ones and keep one "
                              "statement (to judge claims as before the correction, load a copy of the old folder "
                              "apart)")
        (root / "main.rr").write_text('table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-07-01\n'
                                      'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n')
        assert only_error(root).help.endswith("give each quarterly version the date it takes effect "
                                              "(`effective YYYY-MM-DD`)")
        # r1's files dropped beside r0's in the table's folder (a maintainer's read: RR520 said to load each version
        # with a statement and a date of its own, which the docs warn against for a revision)
        (root / "cms" / "ccipra-v321r0-f1.TXT").unlink()
        (root / "main.rr").write_text('table ptp "cms" effective 2026-07-01\n')
        error = only_error(root)
        assert error.code == "RR520" and error.help.startswith("`v322r1` is a corrected release of `v322r0`")

    @pytest.mark.parametrize("kind, name", [("mue", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"),
                                            ("ptp", "ccipra-v322r0-f1.TXT")])
    def test_a_file_of_nul_bytes_is_no_text_said_from_its_first_bytes(self, tmp_path, monkeypatch, kind, name):
        """A file of NUL bytes (damaged, or a copy not yet written) is one RR505 saying it is not text, told from
        its first 64 kB before the rest is read (a 2 GB one took 3.9 GB and 20 s, then said a quote was left
        open)."""
        from radrules.tables import kinds

        root = make_ruleset(tmp_path, f'table {kind} "cms/{name}" effective 2026-07-01\n')
        (root / "cms" / name).write_bytes(bytes(kinds.HEAD_BYTES * 4))
        reads = []
        monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or b"")
        error = only_error(root)
        assert (error.code, error.message) == ("RR505", f"`rules/cms/{name}` is not a text file: it holds NUL bytes")
        assert reads == []  # the whole file was never read

    def test_tables_need_a_rule_file(self):
        """Rules given as a string can't name tables (their paths have no folder)."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads('table ptp "cms/x.TXT"\n')
        assert [d.code for d in caught.value.errors] == ["RR504"]


AOC_HEADER = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del Dt (Julian),"
              "Primary Code Del Dt (Julian),AOC Edit Eff Dt (Julian),AOC Edit Del Dt (Julian)\n")


class TestTableFolders:
    def test_a_dangling_link_in_a_table_folder_is_an_error(self, tmp_path):
        """A folder part that links to a missing file is RR502: the table would load without that part."""
        root = make_ruleset(tmp_path, 'table ptp "cms/parts" effective 2026-04-01\n')
        (root / "cms" / "parts").mkdir()
        shutil.copy(DATA / "radiology-ptp-v322r0-f1.TXT", root / "cms" / "parts" / "ccipra-v322r0-f1.TXT")
        (root / "cms" / "parts" / "ccipra-v322r0-f2.TXT").symlink_to(root / "cms" / "parts" / "f2.TXT.new")
        with pytest.raises(radrules.RuleError, match=r"error\[RR502\]: `ccipra-v322r0-f2.TXT` in the folder "
                                                     r"`cms/parts` links to a file that does not exist"):
            radrules.load(root, cache_dir=None)


    @pytest.mark.parametrize("what", ["folder", "pipe"])
    def test_a_folder_or_a_pipe_among_a_tables_parts_is_an_error(self, tmp_path, what):
        """A sub-folder or a named pipe in a table folder is RR502, not passed over: the table would load
        without whatever it was meant to hold."""
        import os

        root = make_ruleset(tmp_path, 'table ptp "cms/parts" effective 2026-04-01\n')
        (root / "cms" / "parts").mkdir()
        shutil.copy(DATA / "radiology-ptp-v322r0-f1.TXT", root / "cms" / "parts" / "ccipra-v322r0-f1.TXT")
        odd = root / "cms" / "parts" / "ccipra-v322r0-f2.TXT"
        odd.mkdir() if what == "folder" else os.mkfifo(odd)
        with pytest.raises(radrules.RuleError, match=r"error\[RR502\]: `ccipra-v322r0-f2.TXT` in the folder "
                                                     r"`cms/parts` is not a file \(a folder, a pipe or a device\)"):
            radrules.load(root, cache_dir=None)


    #: An OLE2 file's first bytes, and the name of an Excel 97-2003 workbook's stream in its directory.
    OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    XLS_STREAM = "Workbook".encode("utf-16-le")

    @pytest.mark.parametrize("kind, fixture, stray, data, message, help", [
        ("ptp", "radiology-ptp-v322r0-f1.TXT", "Thumbs.db", OLE + bytes(1000),
         "is not a table file: it is an OLE2 compound file of another program than Excel (Windows' `Thumbs.db` is "
         "one)", "a table's folder holds the table's files only (.TXT, .csv or .xlsx): move it out"),
        ("ptp", "radiology-ptp-v322r0-f1.TXT", "edits.dat", OLE + bytes(500) + XLS_STREAM + bytes(500),
         "is an Excel 97-2003 workbook (.xls), which radrules does not read",
         "open it in a spreadsheet program and save it as .xlsx or as CSV"),
        ("ptp", "radiology-ptp-v322r0-f1.TXT", "README.txt", b"CMS NCCI PTP edits, July 2026\n",
         "is not a PTP part: it has no PTP rows",
         "the files of a `table ptp` statement (or of its folder) are the parts of one ptp table only: move this "
         "file out"),
        ("mue", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "README.txt", b"MUE table, July 2026\n",
         "is not an MUE part: it has no `HCPCS/CPT Code` header",
         "the files of a `table mue` statement (or of its folder) are the parts of one mue table only: move this "
         "file out"),
        ("addon", "aoc_v2026q3.csv", "README.txt", b"Add-on code edits, July 2026\n",
         "is not an add-on code part: it has no add-on code header",
         "the files of a `table addon` statement (or of its folder) are the parts of one addon table only: move "
         "this file out"),
        ("pctc", "PPRRVU26_JUL.csv", "README.txt", b"RVU file, July 2026\n",
         "is not an MPFS part: it has no MPFS records",
         "the files of a `table pctc` statement (or of its folder) are the parts of one pctc table only: move this "
         "file out"),
    ], ids=["Thumbs.db", ".xls by content", "ptp README", "mue README", "addon README", "mpfs README"])
    def test_a_stray_file_in_a_table_folder_is_said_to_be_no_part(self, tmp_path, kind, fixture, stray, data,
                                                                    message, help):
        """Windows' `Thumbs.db` (an OLE2 file, as .xls files are) is no table file, not an .xls workbook to save
        again (an .xls is told by its workbook stream, or its name); a README is not a part of the table (as a
        file of another kind is), not a file without rows with the layout of one as its hint."""
        root = make_ruleset(tmp_path, f'table {kind} "cms/parts"\n')
        (root / "cms" / "parts").mkdir()
        shutil.copy(DATA / fixture, root / "cms" / "parts" / fixture)
        (root / "cms" / "parts" / stray).write_bytes(data)
        error = only_error(root)
        assert (error.message, error.help) == (f"`rules/cms/parts/{stray}` {message}", help)
        (root / "cms" / "parts" / stray).unlink()
        assert radrules.load(root, cache_dir=None).tables

    V321_ROW = "74176\t74150\t\t20110101\t*\t0\tMisuse of column two code with column one code\r\n"
    V322_ROW = "74176\t74150\t\t20110101\t20260630\t0\tMisuse of column two code with column one code\r\n"

    def _two_quarters(self, tmp_path, statement: str, folder: str = "cms/ptp") -> Path:
        root = make_ruleset(tmp_path, statement)
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "ccipra-v321r0-f1.TXT").write_bytes((PTP_HEADER + self.V321_ROW).encode("latin-1"))
        (root / folder / "ccipra-v322r0-f1.TXT").write_bytes((PTP_HEADER + self.V322_ROW).encode("latin-1"))
        return root

    def test_a_folder_holding_two_quarterly_versions_is_an_error(self, tmp_path):
        """A folder holding the v321 and v322 files is RR520 naming both, not one table merged from both (which
        would bring back the pair v322 deleted on 2026-06-30)."""
        root = self._two_quarters(tmp_path, 'table ptp "cms/ptp"\n')
        error = only_error(root)
        assert error.code == "RR520" and (error.span.line, error.span.column) == (1, 11)
        assert error.message == ("the folder `cms/ptp` holds `ccipra-v321r0-f1.TXT` and `ccipra-v322r0-f1.TXT`, two "
                                 "versions of the ptp table (v321r0 and v322r0)")
        assert "`effective YYYY-MM-DD`" in error.help

    def test_two_versions_listed_in_one_statement_are_an_error(self, tmp_path):
        """Files listed one by one are checked too; the caret is on the path of the second version."""
        root = self._two_quarters(tmp_path, 'table ptp "cms/ccipra-v321r0-f1.TXT", "cms/ccipra-v322r0-f1.TXT"\n',
                                  folder="cms")
        error = only_error(root)
        assert error.code == "RR520" and (error.span.line, error.span.column) == (1, 39)
        assert "`rules/cms/ccipra-v321r0-f1.TXT` and `rules/cms/ccipra-v322r0-f1.TXT`" in error.message

    @pytest.mark.parametrize("kind, statement, column, by", [
        ("ptp", 'table ptp "cms/ccipra-v321r0-f1.TXT", "cms/ccipra-v321r0-f1.TXT"\n', 39, ""),
        ("ptp", 'table ptp "cms", "cms/ccipra-v321r0-f1.TXT"\n', 18, " (by `cms` and by `cms/ccipra-v321r0-f1.TXT`)"),
        ("mue", 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", '
                '"cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n', 66, ""),
    ], ids=["ptp file twice", "ptp folder and its file", "mue file twice"])
    def test_a_file_given_twice_in_one_statement_is_one_error(self, tmp_path, kind, statement, column, by):
        """The same file twice (or a folder and a file in it) is one RR520 at the second path: its rows were
        read twice (PTP: each pair doubled, without a word; MUE: an RR511 per code, each naming its own row)."""
        root = make_ruleset(tmp_path, statement)
        (root / "cms").mkdir(exist_ok=True)
        name = "ccipra-v321r0-f1.TXT" if kind == "ptp" else MUE_NAME
        row = "74177,1,2 Date of Service Edit: Policy,A\r\n"
        data = PTP_HEADER + self.V321_ROW if kind == "ptp" else MUE_HEADER + row
        (root / "cms" / name).write_bytes(data.encode("latin-1"))
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column) == ("RR520", 1, column)
        assert error.message == f"the statement gives `rules/cms/{name}` twice{by}"

    @pytest.mark.parametrize("path", ["", "  "])
    def test_an_empty_path_says_so(self, tmp_path, path):
        """`table ptp ""` named the rule file's own folder: an error about `cms` in it, or `main.rr` read as a
        PTP file. Now: the path is empty."""
        root = make_ruleset(tmp_path, f'table ptp "{path}"\n', DATA / "radiology-ptp-v321r0-f1.TXT")
        error = only_error(root)
        assert (error.code, error.message, error.span.column) == ("RR502", "the path is empty", 11)

    @pytest.mark.parametrize("statement, files, column, message", [
        ('table ptp "cms"\n', (1, 2, 4), 11, "the statement gives parts f1, f2 and f4 of `ccipra-v322r0`, not f3"),
        ('table ptp "cms/ccipra-v322r0-f2.TXT"\n', (2,), 11, "the statement gives part f2 of `ccipra-v322r0`, not f1"),
        ('table ptp "cms/ccipra-v322r0-f1.TXT", "cms/ccipra-v322r0-f4.TXT"\n', (1, 4), 39,
         "the statement gives parts f1 and f4 of `ccipra-v322r0`, not f2 or f3"),
    ], ids=["folder without f3", "f2 alone", "f1 and f4"])
    def test_a_part_missing_is_an_error(self, tmp_path, statement, files, column, message):
        """Numbered parts that skip a number: RR520 naming the missing parts (they loaded, without the missing
        part's edits and without a word); every part given, or f1 alone, loads."""
        root = make_ruleset(tmp_path, statement)
        (root / "cms").mkdir(exist_ok=True)
        for number in files:
            (root / "cms" / f"ccipra-v322r0-f{number}.TXT").write_bytes(
                (PTP_HEADER + f"7417{number}\t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1"))
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column) == ("RR520", 1, column)
        assert error.message == message + ": that part's rows would be missing"
        for number in range(1, 5):
            (root / "cms" / f"ccipra-v322r0-f{number}.TXT").write_bytes(
                (PTP_HEADER + f"7417{number}\t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1"))
        (root / "main.rr").write_text('table ptp "cms"\n', encoding="utf-8")
        assert len(radrules.load(root, cache_dir=None).tables[0].table) == 4

    @pytest.mark.parametrize("copy", ["ccipra-v322r0-f1 (1).TXT", "ccipra-v322r0-f1.TXT.bak"])
    def test_a_copy_of_a_part_in_the_folder_is_an_error(self, tmp_path, copy):
        """A browser's `(1)` copy or an editor's `.bak` beside the four parts loaded as a fifth part: the rows
        twice, findings citing the copy. Now RR520 names both files of the part."""
        root = make_ruleset(tmp_path, 'table ptp "cms"\n')
        for number in range(1, 5):
            (root / "cms" / f"ccipra-v322r0-f{number}.TXT").write_bytes(
                (PTP_HEADER + f"7417{number}\t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1"))
        shutil.copy(root / "cms" / "ccipra-v322r0-f1.TXT", root / "cms" / copy)
        error = only_error(root)
        assert error.code == "RR520" and error.message == (
            f"`{sorted(['ccipra-v322r0-f1.TXT', copy])[0]}` and `{sorted(['ccipra-v322r0-f1.TXT', copy])[1]}` are "
            "both part f1 of `ccipra-v322r0`: its rows would be read twice")

    def test_each_version_in_its_own_statement_loads(self, tmp_path):
        """The two versions, each with its own statement, judge their own dates: v322 deleted the pair."""
        root = self._two_quarters(tmp_path, 'table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-04-01\n'
                                            'table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01\n',
                                  folder="cms")
        rules = radrules.load(root, cache_dir=None)
        assert fired(rules.evaluate(claim(("74176", "2026-05-04"), ("74150", "2026-05-04"))), "ncci.ptp")
        assert not fired(rules.evaluate(claim(("74176", "2026-08-03"), ("74150", "2026-08-03"))), "ncci.ptp")

    def test_mue_tables_of_two_dates_in_one_statement_are_an_error(self, tmp_path):
        """The MUE files of April and July in one statement are two versions (dates from their names)."""
        root = make_ruleset(tmp_path, 'table mue "cms"\n', DATA / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv",
                            DATA / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")
        with pytest.raises(radrules.RuleError, match=r"error\[RR520\]: the folder `cms` holds .*, two versions of "
                                                     r"the mue table \(2026-04-01 and 2026-07-01\)"):
            radrules.load(root, cache_dir=None)


    def test_a_version_in_a_name_that_says_no_setting_is_compared_too(self, tmp_path):
        """`radiology-ptp-v322r0-f1.TXT` names no setting: beside `ccipra-v321r0-f1.TXT` it is still a second
        version (RR520), not passed over."""
        root = make_ruleset(tmp_path, 'table ptp "cms"\n')
        (root / "cms" / "ccipra-v321r0-f1.TXT").write_bytes((PTP_HEADER + self.V321_ROW).encode("latin-1"))
        (root / "cms" / "radiology-ptp-v322r0-f1.TXT").write_bytes((PTP_HEADER + self.V322_ROW).encode("latin-1"))
        with pytest.raises(radrules.RuleError, match=r"error\[RR520\]: .*two versions of the ptp table "
                                                     r"\(v321r0 and v322r0\)"):
            radrules.load(root, cache_dir=None)

    @pytest.mark.parametrize("statement", ['table ptp "cms"\n', 'table ptp "cms" for institutional claims\n'])
    def test_files_of_two_settings_are_two_tables_not_two_versions(self, tmp_path, statement):
        """A practitioner v322 file beside a hospital v321 file (the versions of one quarter, domain.md §8.1) is
        RR520 naming the two settings (it said "two versions", whose hint would load the hospital file for
        professional claims; with the same version in both names, the two merged with a warning)."""
        root = make_ruleset(tmp_path, statement)
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_bytes((PTP_HEADER + self.V322_ROW).encode("latin-1"))
        (root / "cms" / "ccioph-v321r0-f1.TXT").write_bytes((PTP_HEADER + self.V321_ROW).encode("latin-1"))
        error = only_error(root)
        assert error.message == ("the folder `cms` holds `ccioph-v321r0-f1.TXT` and `ccipra-v322r0-f1.TXT`, files "
                                 "of the hospital outpatient and of the practitioner ptp table")
        assert "`for institutional claims`" in error.help
        (root / "cms" / "ccioph-v321r0-f1.TXT").rename(root / "cms" / "ccioph-v322r0-f1.TXT")
        with pytest.raises(radrules.RuleError, match="files of the hospital outpatient and of the practitioner"):
            radrules.load(root, cache_dir=None)

class TestOtherKinds:
    """A file of another kind than the statement's is one error saying what it looks like, not a row error per
    line read in the wrong layout."""

    OTHERS = ("aoc_v2026q3.csv", "PPRRVU26_JUL.csv", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv")

    def test_a_ptp_folder_holding_other_cms_files_gives_one_error_for_each(self, tmp_path):
        """`table ptp "cms"` over a folder holding a CMS download (PTP parts, the add-on, MPFS and MUE files):
        one RR505 per other file, naming it and what it looks like."""
        root = make_ruleset(tmp_path, 'table ptp "cms"\n', DATA / "radiology-ptp-v322r0-f1.TXT",
                            DATA / "radiology-ptp-v322r0-f2.TXT", *(DATA / name for name in self.OTHERS))
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        errors = caught.value.errors
        assert [(e.code, e.span.file, e.span.column) for e in errors] == [("RR505", "rules/main.rr", 11)] * 3
        assert sorted(e.message for e in errors) == [
            "`rules/cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv` looks like an MUE table, not a PTP part",
            "`rules/cms/PPRRVU26_JUL.csv` looks like an MPFS relative value file, not a PTP part",
            "`rules/cms/aoc_v2026q3.csv` looks like an add-on code file, not a PTP part",
        ]
        assert "load it with a `table addon` statement of its own" in next(
            e.help for e in errors if "aoc_v2026q3" in e.message)

    @pytest.mark.parametrize("kind, name, looks", [
        ("mue", "PPRRVU26_JUL.csv", "an MPFS relative value file"),
        ("ptp", "PPRRVU26_JUL.csv", "an MPFS relative value file"),
        ("ptp", "PPRRVU26_JUL.txt", "an MPFS relative value file"),  # fixed width: told by its name
        ("ptp", "aoc_v2026q3.csv", "an add-on code file"),
        ("ptp", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "an MUE table"),
        ("mue", "radiology-ptp-v322r0-f1.TXT", "a PTP file"),
        ("addon", "radiology-ptp-export.csv", "a PTP file"),
        ("pctc", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "an MUE table"),
        ("hcpcs", "PPRRVU26_JUL.csv", "an MPFS relative value file"),
        ("icd10cm", "HCPC2026_JUL_ANWEB.csv", "a HCPCS file"),
        ("hcpcs", "icd10cm_order_2026.txt", "an ICD-10-CM order file"),
    ])
    def test_a_file_of_another_kind_is_one_error(self, tmp_path, kind, name, looks):
        """A single file named as the wrong kind: one RR505 saying which kind it looks like."""
        root = make_ruleset(tmp_path, f'table {kind} "cms/{name}" effective 2026-07-01\n', DATA / name)
        error = only_error(root)
        assert error.code == "RR505" and error.message.startswith(f"`rules/cms/{name}` looks like {looks}, not ")

    @pytest.mark.parametrize("kind, path", [
        ("ptp", SPECIMENS / "ccipra-v322r0-f1.TXT"), ("ptp", DATA / "radiology-ptp-export.csv"),
        ("ptp", DATA / "bad-ptp.TXT"), ("mue", SPECIMENS / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"),
        ("mue", DATA / "bad-mue.csv"), ("addon", DATA / "aoc_v2026q3.csv"), ("addon", DATA / "bad-aoc.csv"),
        ("pctc", SPECIMENS / "PPRRVU2026_Jul_nonQPP.csv"), ("pctc", DATA / "PPRRVU26_JUL.txt"),
        ("hcpcs", DATA / "HCPC2026_JUL_ANWEB.txt"), ("hcpcs", DATA / "HCPC2026_JUL_ANWEB.csv"),
        ("icd10cm", DATA / "icd10cm_order_2026.txt"),
    ], ids=lambda value: getattr(value, "name", value))
    def test_each_fixture_looks_like_its_own_kind_only(self, kind, path):
        """Every fixture and specimen is taken for its own kind (read by its loader), and for no other."""
        from radrules.tables import KINDS
        from radrules.tables.kinds import looks_like

        head = path.read_bytes()
        assert looks_like(kind, path.name, head) is None
        assert all(looks_like(other, path.name, head) == kind for other in KINDS if other != kind)


class TestVersionsInUse:
    """What a table version says counts on the dates it is in force, and only then."""

    @pytest.fixture
    def addon_rules(self, tmp_path):
        (tmp_path / "src").mkdir()
        q3 = tmp_path / "src" / "aoc_v2026q3.csv"
        q4 = tmp_path / "src" / "aoc_v2026q4.csv"
        q3.write_text(AOC_HEADER + "CCCCC,76377,2,,,,2010001,\n", encoding="latin-1")
        q4.write_text(AOC_HEADER + "CCCCC,76377,2,,,,2010001,\n74177,76376,1,,,,2026274,\n", encoding="latin-1")
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\ntable addon "cms/aoc_v2026q4.csv"\n', q3, q4)
        return radrules.load(root, cache_dir=None)

    @pytest.mark.parametrize("indexed", [True, False])
    @pytest.mark.parametrize("date, statuses", [("2026-09-30", ("pay", "pay")), ("2026-10-01", ("deny", "deny"))])
    def test_a_code_is_an_add_on_only_where_the_version_in_force_lists_it(self, addon_rules, indexed, date,
                                                                         statuses):
        """76376 becomes an add-on in Q4: on a Q3 date it is a primary for the type 2 add-on 76377; on a Q4
        date it is an add-on without its primary, and no primary for 76377 either."""
        result = addon_rules.evaluate(claim(("76376", date), ("76377", date)), indexed=indexed)
        assert result.statuses == statuses
        assert addon_rules.evaluate(claim(("76376", date), ("76377", date)), explain=True).statuses == statuses

    @pytest.fixture
    def changed_rules(self, tmp_path):
        """A PTP row and an add-on row that CMS changed between quarters without changing their dates: only
        the version in force can tell the quarters apart."""
        (tmp_path / "src").mkdir()
        q2, q3 = tmp_path / "src" / "ptp-v321r0-f1.TXT", tmp_path / "src" / "ptp-v322r0-f1.TXT"
        q2.write_text(PTP_HEADER + "71046\t71045\t\t20180101\t*\t0\tMutually exclusive\r\n", encoding="latin-1")
        q3.write_text(PTP_HEADER + "71046\t71045\t\t20180101\t*\t1\tMutually exclusive\r\n", encoding="latin-1")
        aoc2, aoc3 = tmp_path / "src" / "aoc_v2026q2.csv", tmp_path / "src" / "aoc_v2026q3.csv"
        aoc2.write_text(AOC_HEADER + "74177,76376,1,,,,2010001,\n", encoding="latin-1")
        aoc3.write_text(AOC_HEADER + "CCCCC,76377,2,,,,2010001,\n", encoding="latin-1")  # 76376 is no add-on now
        root = make_ruleset(tmp_path, 'table ptp "cms/ptp-v321r0-f1.TXT" effective 2026-04-01\n'
                                      'table ptp "cms/ptp-v322r0-f1.TXT" effective 2026-07-01\n'
                                      'table addon "cms/aoc_v2026q2.csv"\ntable addon "cms/aoc_v2026q3.csv"\n',
                            q2, q3, aoc2, aoc3)
        return radrules.load(root, cache_dir=None)

    @pytest.mark.parametrize("indexed", [True, False])
    @pytest.mark.parametrize("date, denied", [("2026-06-30", True), ("2026-07-01", False)])
    def test_a_row_changed_without_new_dates_is_read_from_the_version_in_force(self, changed_rules, indexed,
                                                                              date, denied):
        """71046/71045 is indicator 0 in Q2 and 1 in Q3, both effective 2018: 59 bypasses it from July only;
        the finding names the Q2 file's row."""
        result = changed_rules.evaluate(claim(("71046", date), ("71045", date, {"modifiers": ["59"]})),
                                        indexed=indexed)
        found = [f for f in result.findings if f.rule == "ncci.ptp"]
        assert [(f.lines, f.source) for f in found] == ([((2,), "ptp-v321r0-f1.TXT:2")] if denied else [])
        assert changed_rules.evaluate(claim(("71046", date), ("71045", date, {"modifiers": ["59"]})),
                                      explain=True).statuses == result.statuses

    @pytest.mark.parametrize("indexed", [True, False])
    @pytest.mark.parametrize("date, status", [("2026-06-30", "deny"), ("2026-07-01", "pay")])
    def test_an_add_on_dropped_by_a_later_version_is_a_primary_from_then(self, changed_rules, indexed, date,
                                                                        status):
        """76376 is an add-on (effective 2010) in the Q2 file and absent from Q3: alone on a claim it is
        denied in June and paid in July."""
        result = changed_rules.evaluate(claim(("76376", date)), indexed=indexed)
        assert result.statuses == (status,)

    @pytest.mark.parametrize("indexed", [True, False])
    def test_a_disabled_limit_of_a_code_the_table_does_not_list(self, tmp_path, indexed):
        """`disable limit` on a code the MUE table lacks: no limit and no "unpublished" note, by either
        lookup (the scan reported it unpublished)."""
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\nlimits local.mue "x"\n  reference "x"\n'
                                      '  disable limit 70450\nend\n', DATA / MUE_NAME)
        rules = radrules.load(root, cache_dir=None)
        assert rules.evaluate(claim(("70450", "2026-08-03")), indexed=indexed).findings == ()

    def test_explain_names_the_reason_when_a_table_serves_the_claim_type(self, tmp_path):
        """With practitioner and hospital PTP tables, an institutional claim without a pair is "no pair",
        not "its table serves professional claims"."""
        root = make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-v322r0-f1.TXT"\n'
                                      'table ptp "cms/radiology-ccioph-v322r0-f1.TXT" for institutional claims\n',
                            DATA / "radiology-ptp-v322r0-f1.TXT", DATA / "radiology-ccioph-v322r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        data = claim(("76700", "2026-08-03"), ("70450", "2026-08-03"), claim_type="institutional")
        report = rules.evaluate(data, explain=True).explanation.not_considered["ncci.ptp"]
        assert report == "no two lines of one date form a pair of the table for institutional claims"
        # A pair of the practitioner table only: the reason says the other table has it.
        chest = claim(("71046", "2026-08-03"), ("71045", "2026-08-03"), claim_type="institutional")
        assert rules.evaluate(chest, explain=True).explanation.not_considered["ncci.ptp"] == (
            "no two lines of one date form a pair of the table for institutional claims (the table for "
            "professional claims has 71046 with 71045)")
        # A payer's own pair for professional claims is no pair of "the table".
        (root / "pine.rr").write_text('pairs pine.ptp\n  for payer pine\n  for professional claims\n'
                                      '  pair 76700 with 70450 modifier allowed effective 2024-01-01\nend\n')
        pine = radrules.load(root, cache_dir=None).evaluate(dict(data, payer="pine"), explain=True)
        assert pine.explanation.not_considered["ncci.ptp"] == (
            "no two lines of one date form a pair of the table for institutional claims")
        only_practitioner = make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-v322r0-f1.TXT"\n',
                                         DATA / "radiology-ptp-v322r0-f1.TXT", name="practitioner")
        report = radrules.load(only_practitioner, cache_dir=None).evaluate(data, explain=True).explanation.not_considered[
            "ncci.ptp"]
        assert "its table serves professional claims, not institutional" in report

    def test_diff_compares_icd10cm_fiscal_years_as_evaluation_reads_them(self, tmp_path):
        """OLD has FY2021 and FY2022, NEW only FY2022: on FY2021's dates NEW has no code set (a version judges
        its own fiscal year only), so FY2021's codes are removed, not compared with FY2022's."""
        old = make_ruleset(tmp_path, 'table icd10cm "cms/icd10cm_order_2021.txt"\n'
                                     'table icd10cm "cms/icd10cm_order_2022.txt"\n',
                           DATA / "icd10cm_order_2021.txt", DATA / "icd10cm_order_2022.txt", name="old")
        new = make_ruleset(tmp_path, 'table icd10cm "cms/icd10cm_order_2022.txt"\n',
                           DATA / "icd10cm_order_2022.txt", name="new")
        diff = radrules.diff_rulesets(radrules.load(old, cache_dir=None), radrules.load(new, cache_dir=None))
        (table,) = diff.tables
        assert (table.start, table.new_files, table.added, table.changed) == ("2020-10-01", (), 0, 0)
        assert table.removed == table.old_rows > 0


MUE_NAME = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
MUE_HEADER = ('"notice",,,\r\n"HCPCS/\r\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,'
              'MUE Rationale\r\n')
PTP_HEADER = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"


class TestNoRowLost:
    """Rows that could have been lost without a word: each is read, or reported with its file and row."""

    def _load(self, tmp_path, statement: str, name: str, data: bytes, cache_dir=None, folder="rules"):
        (tmp_path / "src").mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
        root = make_ruleset(tmp_path, statement, tmp_path / "src" / name, name=folder)
        return radrules.load(root, cache_dir=cache_dir)

    def _errors(self, tmp_path, statement: str, name: str, data: bytes):
        with pytest.raises(radrules.RuleError) as caught:
            self._load(tmp_path, statement, name, data)
        return caught.value.errors

    @pytest.mark.parametrize("header", [PTP_HEADER, ""], ids=["after the header", "without a header"])
    def test_bad_first_ptp_row_is_an_error_not_preamble(self, tmp_path, header):
        """A mistyped code on the first row is reported, not taken for a preamble line."""
        data = ("CPT only copyright notice\t\t\t\t\t\t\r\n" + header
                + "7046\t71045\t\t20180101\t*\t1\tx\r\n74176\t74150\t\t20110101\t*\t0\ty\r\n")
        (error,) = self._errors(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', "ccipra-v322r0-f1.TXT",
                                data.encode("latin-1"))
        assert (error.code, error.span.line, error.span.column) == ("RR507", 2 + bool(header), 1)
        assert error.message == "`7046` is not a procedure code (column 1)"

    def test_empty_column_1_right_after_the_wrapped_header_is_an_error(self, tmp_path):
        """A row whose column 1 is empty, first after the published six-line preamble, is reported as it is after
        a good row: its code, dates and indicator in their columns make it a row, not a wrapped header line."""
        preamble = (SPECIMENS / "ccipra-v322r0-f1.TXT").read_bytes().split(b"\r\n")[:6]
        data = b"\r\n".join(preamble) + b"\r\n\t74150\t\t20110101\t*\t0\tx\r\n71046\t71045\t\t20180101\t*\t1\tx\r\n"
        (error,) = self._errors(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', "ccipra-v322r0-f1.TXT", data)
        assert (error.code, error.span.line, error.span.column) == ("RR507", 7, 1)
        assert error.message == "an empty field is not a procedure code (column 1)"

    @pytest.mark.parametrize("row, code, column", [
        ("74176\t74150\t\t20110101\t*", "RR506", 1),
        ("ABCDE\t74150\t\t20110101\t*\t0\tx", "RR507", 1),
        ("\t74150\t\t20110101\t*\t0\tx", "RR507", 1),
    ], ids=["cut short", "letters-only code", "empty column 1"])
    def test_damaged_first_row_without_a_header_is_an_error(self, tmp_path, row, code, column):
        """Without a `Column 1` header, a damaged first row is reported, not skipped with only the warning that
        the header is missing."""
        data = f"CPT only copyright notice\t\t\t\t\t\t\r\n{row}\r\n71046\t71045\t\t20180101\t*\t1\tx\r\n"
        (error,) = self._errors(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', "ccipra-v322r0-f1.TXT",
                                data.encode("latin-1"))
        assert (error.code, error.span.line, error.span.column) == (code, 2, column)

    def test_wrapped_ptp_header_lines_are_not_rows(self, tmp_path):
        """The header's wrapped lines (first field empty) stay preamble; the rows after them read."""
        data = (PTP_HEADER + "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\r\n"
                + "74176\t74150\t\t20110101\t*\t0\ty\r\n")
        rules = self._load(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', "ccipra-v322r0-f1.TXT",
                           data.encode("latin-1"))
        assert len(rules.tables[0].table) == 1

    @pytest.mark.parametrize("row, count", [("77067,77063,1", 3), ("77067,77063,1,20170101,,,,,,x", 10)],
                             ids=["cut short", "too long"])
    def test_addon_row_without_the_headers_fields_is_an_error(self, tmp_path, row, count):
        """An add-on row with fewer fields than its header, or more that hold something, is RR506 (its missing
        dates read as none, so it loaded as an edit in force on every date)."""
        data = f"Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt,AOC Edit Del Dt\n{row}\n"
        (error,) = self._errors(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert (error.code, error.span.line, error.span.column) == ("RR506", 2, 1)
        assert error.message == f"an add-on code row has 5 fields, as its header; this one has {count}"
        assert error.help

    def test_addon_row_with_empty_fields_past_its_header_reads(self, tmp_path):
        """Empty fields after the header's last column (an export's trailing commas) are no error."""
        data = b"Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt\n77067,77063,1,20170101,,\n"
        rules = self._load(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data)
        assert list(rules.tables[0].table.entries) == ["77063"]

    def test_addon_date_columns_are_known_by_their_words(self, tmp_path):
        """`AOC Edit Begin Date` and `AOC Edit End Date` are the edit's dates: an edit from 2027 does not apply in
        2026 (the columns were passed over, and the edit applied on every date)."""
        data = (b"Primary Code,Add-on Code,AOC Edit Type,AOC Edit Begin Date,AOC Edit End Date\n"
                b"77067,77063,1,20270101,20271231\n")
        rules = self._load(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data)
        assert fired(rules.evaluate(claim(("77063", "2026-03-02"))), "ncci.addon") == []
        assert fired(rules.evaluate(claim(("77063", "2027-03-01"))), "ncci.addon") == [((1,), ())]
        assert fired(rules.evaluate(claim(("77063", "2028-03-01"))), "ncci.addon") == []

    @pytest.mark.parametrize("end", ["AOC Edit Deleted Date", "AOC Edit Terminated Date", "AOC Edit Expires",
                                     "AOC Edit Delete Date", "AOC Edit Del Dt", "AOC Edit Thru"])
    def test_addon_end_date_is_known_by_any_form_of_its_word(self, tmp_path, end):
        """`Deleted`, `Terminated`, `Expires` say the edit ends as `Del` does: the column was passed over (only
        whole words `del`, `end`, ... counted), and an edit deleted in 2020 still applied in 2026."""
        data = f"Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt,{end}\n77067,77063,1,20150101,20200101\n"
        rules = self._load(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert fired(rules.evaluate(claim(("77063", "2026-08-03"))), "ncci.addon") == []
        assert fired(rules.evaluate(claim(("77063", "2019-08-05"))), "ncci.addon") == [((1,), ())]

    @pytest.mark.parametrize("note", ["(Julian Date)", "(YYYYDDD)", "(CCYYDDD)", "Julian Format", "(Julian)", ""])
    def test_addon_date_column_with_a_format_note_is_read(self, tmp_path, note):
        """`AOC Edit Eff Dt (Julian Date)` is the edit's effective date: a word besides the date words (`Julian
        Date`, `YYYYDDD`, `Format`) made it "not a date", and an edit from 2027 denied claims of 2026."""
        data = (f"Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt {note},AOC Edit Del Dt {note}\n"
                "77067,77063,1,2027001,\n")
        rules = self._load(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert fired(rules.evaluate(claim(("77063", "2026-08-03"))), "ncci.addon") == []
        assert fired(rules.evaluate(claim(("77063", "2027-08-02"))), "ncci.addon") == [((1,), ())]

    @pytest.mark.parametrize("end", ["Deletion Date of AOC Edit", "AOC Edit Del Dt (Julian Date)",
                                     "AOC Edit Deletion Date Julian Format"])
    def test_addon_deletion_date_with_more_words_ends_the_edit(self, tmp_path, end):
        """An edit deleted in 2020 under `Deletion Date of AOC Edit` no longer applies in 2026 (it did: the
        column was passed over)."""
        data = f"Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt,{end}\n77067,77063,1,2015001,2020001\n"
        rules = self._load(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert fired(rules.evaluate(claim(("77063", "2026-08-03"))), "ncci.addon") == []
        assert fired(rules.evaluate(claim(("77063", "2019-08-05"))), "ncci.addon") == [((1,), ())]

    def test_addon_date_columns_with_notes_that_cant_be_told_apart_are_an_error(self, tmp_path):
        """Two effective-date columns, each with a format note, are RR505 at the second, not one of them
        passed over."""
        data = ("Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt (Julian Date),Effective Date (YYYYMMDD)\n"
                "77067,77063,1,2027001,20270101\n")
        (error,) = self._errors(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert (error.code, error.span.line, error.span.column) == ("RR505", 1, 70)
        assert error.message == ("`Effective Date (YYYYMMDD)` is a second column for the edit's effective date "
                                 "(the first is `AOC Edit Eff Dt (Julian Date)`)")

    def test_addon_dates_are_checked_in_the_format_their_header_names(self, tmp_path):
        """A 7-digit date under a `(YYYYMMDD)` header is RR508 (read as Julian, `2027011` is another day than
        a cut-short `2027011x`); under a header that names no format, or Julian, it is a Julian date."""
        data = ("Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt (YYYYMMDD),AOC Edit Del Dt\n"
                "77067,77063,1,2027011,\n77067,77063,1,20280101,x\n")
        first, second = self._errors(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv",
                                     data.encode())
        assert (first.code, first.span.line, first.span.column) == ("RR508", 2, 15)
        assert first.message == "`2027011` is not a date written YYYYMMDD, as its column's header says"
        assert (second.code, second.span.line, second.span.column) == ("RR508", 3, 24)

    @pytest.mark.parametrize("written", ["1/1/2017", "2017-01-01", "01/01/2017", "2/30/2017"])
    def test_addon_dates_are_digits_only(self, tmp_path, written):
        """An add-on code file's dates are YYYYMMDD or Julian YYYYDDD (its header may say which): a date written
        `M/D/YYYY` or ISO, as a spreadsheet writes it, is RR508, not read as a day a day-first export would mean
        otherwise."""
        data = ("Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt (Julian),AOC Edit Del Dt\n"
                f"77067,77063,1,{written},\n")
        error, = self._errors(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert (error.code, error.span.line, error.span.column) == ("RR508", 2, 15)
        assert error.message == f"`{written}` is not a date (YYYYMMDD or Julian YYYYDDD)"
        assert error.help.startswith("CMS writes these dates as digits alone")

    @pytest.mark.parametrize("extra", ["Explanation", "Deleted Flag", "Expected Primary", "Edit Explanation",
                                       "Terminology", "Endpoint", "Delivery", "Export Date"])
    def test_addon_column_that_is_not_a_date_is_not_read_as_one(self, tmp_path, extra):
        """Only a header of date words is a date column: `Explanation` or `Deleted Flag` beside the four dates
        was taken for a second deletion date, and the file refused."""
        data = (f"Primary Code,Add-On Code,AOC Edit Type,AOC Del Dt,Primary Code Del Dt,AOC Edit Eff Dt,"
                f"AOC Edit Del Dt,{extra}\n77067,77063,1,,,20150101,20200101,text\n")
        rules = self._load(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert fired(rules.evaluate(claim(("77063", "2026-08-03"))), "ncci.addon") == []
        assert fired(rules.evaluate(claim(("77063", "2019-08-05"))), "ncci.addon") == [((1,), ())]

    @pytest.mark.parametrize("header, column, message", [
        ("Primary Code,Add-on Code,AOC Edit Type,Primary Code Eff Dt", 40,
         "`Primary Code Eff Dt` looks like a date column, but radrules can't tell which date it gives"),
        ("Primary Code,Add-on Code,AOC Edit Type,Effective Date,AOC Edit Start Dt", 55,
         "`AOC Edit Start Dt` is a second column for the edit's effective date (the first is `Effective Date`)"),
    ], ids=["unknown", "twice"])
    def test_addon_date_column_that_cant_be_told_is_an_error(self, tmp_path, header, column, message):
        """A header column that says it begins or ends but is none of the four dates, or a second column for
        one, is an error at the header: its dates are never passed over."""
        data = f"{header}\n77067,77063,1,20270101{',2' * header.count('Start')}\n"
        (error,) = self._errors(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert (error.code, error.span.line, error.span.column, error.message) == ("RR505", 1, column, message)
        assert "`AOC Edit Eff Dt`" in error.help

    def test_ptp_code_with_white_space_around_it_says_so(self, tmp_path):
        """`74176 ` is refused, as CMS files never pad their codes, with a hint that names the space (it said
        codes have 5 characters, which this one has)."""
        data = (PTP_HEADER + "74176 \t74150\t\t20110101\t*\t0\tx\r\n").encode("latin-1")
        (error,) = self._errors(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', "ccipra-v322r0-f1.TXT", data)
        assert (error.code, error.span.line, error.span.column) == ("RR507", 2, 1)
        assert error.help.startswith("the code has white space around it (`74176` is a code)")

    def test_ptp_file_cut_short_is_warned(self, tmp_path):
        """A last row without its line ending (a copy still running, a download cut off: CMS ends every line) is
        warning RR521 at that row; it loaded without a word. With the line ending, no warning."""
        text = PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tMisuse of column two code\r\n74177\t74160\t\t2011"
        cut = text + "0101\t*\t1\tCPT Man"
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n')
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_bytes(cut.encode("latin-1"))
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.severity, warning.span.line) == ("RR521", "warning", 3)
        assert "it may be cut short" in warning.message
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_bytes((cut + "\r\n").encode("latin-1"))
        assert radrules.load(root, cache_dir=None).warnings == ()
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_bytes((cut + "\r\n\t\t").encode("latin-1"))  # blank: no row cut
        assert radrules.load(root, cache_dir=None).warnings == ()

    @pytest.mark.parametrize("name, header, row", [
        ("ccipra-v322r0-f1.TXT", PTP_HEADER, "74176\t74150\t\t20110101\t*\t0\tMisuse of column two code\r\n"),
        (MUE_NAME, MUE_HEADER, "74177,1,2 Date of Service Edit: Policy,Anatomic Consideration\r\n"),
    ], ids=["ptp", "mue"])
    def test_a_dos_end_of_file_mark_is_no_row(self, tmp_path, name, header, row):
        """A Ctrl-Z (0x1A) after the last line, which DOS tools append, ends the file: the table loads whole, with
        no warning (it was RR506, a row of 1 field shown as a blank). Elsewhere it is still a row's problem."""
        kind = "ptp" if name.endswith(".TXT") else "mue"
        root = make_ruleset(tmp_path, f'table {kind} "cms/{name}"\n')
        (root / "cms" / name).write_bytes((header + row + "\x1a").encode("latin-1"))
        ruleset = radrules.load(root, cache_dir=None)
        assert ruleset.warnings == ()
        assert ruleset.describe()["table_versions"][0]["size"] == 1
        (root / "cms" / name).write_bytes((header + row + "\x1a\r\n" + row).encode("latin-1"))
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        assert caught.value.errors[0].span.line == header.count("\n") + 2

    def test_mue_file_cut_short_is_warned(self, tmp_path):
        """The same for an MUE table, cut inside a row's rationale (its last field)."""
        cut = MUE_HEADER + "74177,1,2 Date of Service Edit: Policy,A\r\n74178,1,2 Date of Service Edit: Policy,Ana"
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n')
        (root / "cms" / MUE_NAME).write_bytes(cut.encode("latin-1"))
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line) == ("RR521", 5)
        (root / "cms" / MUE_NAME).write_bytes((cut + "\r\n").encode("latin-1"))
        assert radrules.load(root, cache_dir=None).warnings == ()
        (root / "cms" / MUE_NAME).write_bytes((cut + "\r\n\r\n,,,").encode("latin-1"))  # the line it names is the last
        (warning,) = radrules.load(root, cache_dir=None).warnings
        assert (warning.span.line, warning.source_line) == (7, ",,,")
        assert "(line 7 has no line ending)" in warning.message

    @pytest.mark.parametrize("kind, fixture, cut", [
        ("pctc", "PPRRVU26_JUL.csv", b"\n85061,,REDACTED,A,,1.00,1.00,,0.50,,0.05,2.05,1.55,8,XXX,0.00,0.00,0.00,4,9,0,"
                                     b"0,0,9,,33.4009,09,0,88,0.00,0.00,0."),
        ("pctc", "PPRRVU26_JUL.txt", b""),  # the last record without its line ending
        ("addon", "aoc_v2026q3.csv", b"\r\n77067,77064,1,,,,2017001,2026063"),  # `20260630` cut: a Julian date
    ])
    def test_mpfs_and_addon_files_cut_short_are_warned(self, tmp_path, kind, fixture, cut):
        """The same for an MPFS file (CSV or fixed width) and an add-on code file: their last row, cut inside, may
        still read, and the rows after it are missing; they loaded without a word."""
        data = (DATA / fixture).read_bytes()
        assert data.endswith(b"\n")
        root = make_ruleset(tmp_path, f'table {kind} "cms/{fixture}"\n')
        written = data.rstrip(b"\r\n") + cut
        (root / "cms" / fixture).write_bytes(written)
        (warning,) = radrules.load(root, cache_dir=None).warnings
        last = written.count(b"\n") + 1
        assert (warning.code, warning.severity, warning.span.line) == ("RR521", "warning", last)
        assert f"(line {last} has no line ending): it may be cut short" in warning.message
        (root / "cms" / fixture).write_bytes(written + b"\r\n")
        assert radrules.load(root, cache_dir=None).warnings == ()

    def test_a_file_larger_than_any_cms_file_is_refused_before_it_is_read(self, tmp_path, monkeypatch):
        """A file past the size of any CMS file of its kind is one RR505 saying its size, and is never read (a
        150 MB one-line CSV took 1.7 GB; a 2 GB file would have taken more than the machine has)."""
        from radrules.tables import reading

        monkeypatch.setitem(reading.MAX_FILE_BYTES, "mue", 100)
        data = (MUE_HEADER + "74177,1,2 Date of Service Edit: Policy,A\r\n").encode("latin-1")
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n')
        (root / "cms" / MUE_NAME).write_bytes(data)
        monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
        error = only_error(root)
        assert error.code == "RR505" and error.message == (
            f"`rules/cms/{MUE_NAME}` is {len(data):,} bytes, larger than an MUE table can be (radrules reads at most "
            "100)")

    def test_ptp_line_far_longer_than_a_row_is_refused_unsplit(self, tmp_path, monkeypatch):
        """A line longer than any PTP row is RR506 saying its length, not split into fields (a line of 600
        million tabs took 5 GB) nor read as a row carrying a huge rationale into every finding."""
        from radrules.tables import ptp

        monkeypatch.setattr(ptp, "MAX_ROW_CHARS", 200)
        line = "74176\t74150\t\t20110101\t*\t0\t" + "A" * 300
        data = (PTP_HEADER + line + "\r\n").encode("latin-1")
        (error,) = self._errors(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', "ccipra-v322r0-f1.TXT", data)
        assert (error.code, error.span.line) == ("RR506", 2)
        assert error.message == f"a line of {len(line):,} characters, far longer than a PTP row"

    @pytest.mark.parametrize("separator", ["\t", ","])
    def test_rows_padded_with_empty_fields_past_the_length_limit_load(self, tmp_path, monkeypatch, separator):
        """A spreadsheet's export pads every row to its widest (a note far to the right of the header): lines past
        the length limit whose excess is empty fields load as before the limit, header and rows."""
        from radrules.tables import ptp

        monkeypatch.setattr(ptp, "MAX_ROW_CHARS", 200)
        header = separator.join(["Column 1", "Column 2", "*=in existence", "Effective", "Deletion", "Modifier",
                                 "PTP Edit Rationale"]) + separator * 300 + "note\r\n"
        row = separator.join(["74176", "74150", "", "20110101", "*", "0", ""]) + separator * 301 + "\r\n"
        name = "ccipra-v322r0-f1.TXT" if separator == "\t" else "ccipra-v322r0-f1.csv"
        root = make_ruleset(tmp_path, f'table ptp "cms/{name}"\n')
        (root / "cms" / name).write_bytes((header + row).encode("latin-1"))
        rules = radrules.load(root, cache_dir=None)
        assert rules.warnings == () and len(rules.tables[0].table) == 1

    def test_a_ptp_file_with_lines_ended_by_cr_alone_loads(self, tmp_path):
        """Lines ended by a carriage return alone (an old Mac's export) were one line: "has no PTP rows"."""
        text = PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n74177\t74150\t\t20110101\t*\t1\tx\r\n"
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n')
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_bytes(text.replace("\r\n", "\r").encode("latin-1"))
        rules = radrules.load(root, cache_dir=None)
        assert rules.warnings == () and len(rules.tables[0].table) == 2

    def test_latin1_superscript_digit_is_not_a_unit_limit(self, tmp_path):
        """Latin-1 byte B2 reads as `²`, which str.isdigit() accepts and int() refuses: an error, no traceback."""
        data = MUE_HEADER.encode("latin-1") + b"74177,\xb2,2 Date of Service Edit: Policy,A\r\n"
        (error,) = self._errors(tmp_path, f'table mue "cms/{MUE_NAME}"\n', MUE_NAME, data)
        assert (error.code, error.span.line, error.span.column) == ("RR509", 4, 7)

    def test_stray_quote_does_not_swallow_the_rows_after_it(self, tmp_path):
        """A quote left open makes the next rows part of one field: an error at the quote, not a lost row."""
        data = (MUE_HEADER + '74178,1,"2 Date of Service Edit: Policy,A\r\n'
                '74179,1,2 Date of Service Edit: Policy,A\r\n').encode("latin-1")
        (error,) = self._errors(tmp_path, f'table mue "cms/{MUE_NAME}"\n', MUE_NAME, data)
        assert (error.code, error.span.line, error.span.column) == ("RR506", 4, 9)
        assert "over 1 more line" in error.message and '"' in error.help

    def test_mue_rationale_may_hold_a_line_break(self, tmp_path):
        """An MUE rationale may span lines (a cell's line break, as the header's caption has): the row loads,
        with the row number of its first line and the rationale on one line; the rows after it are still rows."""
        data = (MUE_HEADER + '74178,1,2 Date of Service Edit: Policy,"Anatomic\r\nConsideration"\r\n'
                '74179,2,2 Date of Service Edit: Policy,A\r\n').encode("latin-1")
        root = tmp_path / "rules"
        (root / "cms").mkdir(parents=True)
        (root / "cms" / MUE_NAME).write_bytes(data)
        (root / "main.rr").write_text(f'table mue "cms/{MUE_NAME}"\n', encoding="utf-8")
        entries = radrules.load(root, cache_dir=None).tables[0].table.entries
        assert entries["74178"] == ((1, 2, "Anatomic Consideration", f"{MUE_NAME}:4"),)
        assert entries["74179"][0][:2] == (2, 2) and entries["74179"][0][3] == f"{MUE_NAME}:6"

    def test_stray_quote_before_a_large_rest_is_an_error(self, tmp_path):
        """When the rest of the file is longer than the csv module takes in one field: an error, no traceback."""
        rows = "".join(f"7{i:04d},1,2 Date of Service Edit: Policy,A\r\n" for i in range(4000))
        data = (MUE_HEADER + '74178,1,"2 Date of Service Edit: Policy,A\r\n' + rows).encode("latin-1")
        assert len(data) > 131072
        (error,) = self._errors(tmp_path, f'table mue "cms/{MUE_NAME}"\n', MUE_NAME, data)
        assert (error.code, error.span.line) == ("RR506", 4)
        assert "can't be read as CSV" in error.message

    def test_hcpcs_description_may_hold_a_line_break(self, tmp_path):
        """A HCPCS export's description may span lines (a cell's line break); a swallowed record may not."""
        header = "HCPC,SEQNUM,RECID,LONG DESCRIPTION,ADD DT,ACT EFF DT,TERM DT\r\n"
        good = header + '70450,00100,3,"first part\r\nsecond part",20000101,20000101,\r\n'
        rules = self._load(tmp_path, 'table hcpcs "cms/HCPC2026_JUL_ANWEB.csv"\n', "HCPC2026_JUL_ANWEB.csv",
                           good.encode("latin-1"))
        assert "70450" in rules.tables[0].table.entries
        bad = header + '70450,00100,3,"first part,20000101,20000101,\r\n70460,00100,3,x,20000101,20000101,\r\n'
        (error,) = self._errors(tmp_path, 'table hcpcs "cms/HCPC2026_JUL_ANWEB.csv"\n', "HCPC2026_JUL_ANWEB.csv",
                                bad.encode("latin-1"))
        assert (error.code, error.span.line) == ("RR506", 2)

    def test_addon_note_may_hold_a_line_break(self, tmp_path):
        """A quoted `Special Instruction Notes` cell over two lines reads (it was RR506, "opens a field here
        without closing it"), and the rows after it keep their line numbers."""
        data = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Edit Eff Dt,AOC Edit Del Dt\r\n"
                '77067,77063,1,"Screening only.\r\nPractitioner only",2017001,\r\n'
                "CCCCC,76377,2,,2010001,\r\n")
        rules = self._load(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        entries = rules.tables[0].table.entries
        assert entries["77063"][0][:3] == (1, "77067", dt.date(2017, 1, 1).toordinal())
        assert entries["77063"][0][-1] == "aoc_v2026q3.csv:2" and entries["76377"][0][-1] == "aoc_v2026q3.csv:4"

    def test_addon_problems_after_a_line_break_name_their_line(self, tmp_path):
        """A bad date after a two-line note is reported on the line it is on, with that line shown; a quote
        left open over a line that reads as a row is RR506 at the quote."""
        data = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Edit Eff Dt,AOC Edit Del Dt\n"
                '77065,G0279,1,"a\nb\nc",2O15001,\n'
                '77066,G0279,1,"open,20150101,\n'
                "77066,G0279,1,,20150101,\n")
        date, quote = self._errors(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv", data.encode())
        assert (date.code, date.span.line, date.span.column, date.source_line) == ("RR508", 4, 4, 'c",2O15001,')
        assert (quote.code, quote.span.line, quote.span.column) == ("RR506", 5, 15)
        assert "read as rows" in quote.help

    @pytest.mark.parametrize("statement, name, data", [
        (f'table mue "cms/{MUE_NAME}"\n', MUE_NAME, MUE_HEADER),
        ('table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv",
         "Add-on Code,Primary Code,AOC Edit Type,AOC Edit Eff Dt\r\n"),
        ('table pctc "cms/PPRRVU26_JUL.csv"\n', "PPRRVU26_JUL.csv", "HCPCS,MOD,DESCRIPTION,PCTC IND,BILAT SURG\r\n"),
    ], ids=["mue", "addon", "pctc"])
    def test_file_with_a_header_and_no_rows_is_an_error(self, tmp_path, statement, name, data):
        """A file cut short after its header would turn every later claim's edits off: an error."""
        (error,) = self._errors(tmp_path, statement, name, data.encode("latin-1"))
        assert error.code == "RR505" and f"`rules/cms/{name}`" in error.message and "no rows" in error.message \
            or "no records" in error.message

    @pytest.mark.parametrize("statement, name", [
        (f'table mue "cms/{MUE_NAME}"\n', MUE_NAME),
        ('table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv"),
        ('table pctc "cms/PPRRVU26_JUL.csv"\n', "PPRRVU26_JUL.csv"),
    ], ids=["mue", "addon", "pctc"])
    def test_file_without_a_header_is_named(self, tmp_path, statement, name):
        """"No header in the first N lines" names the file: the only clue when a statement has several."""
        data = "".join(f"{i}\n" for i in range(300)).encode()
        (error,) = self._errors(tmp_path, statement, name, data)
        assert error.code == "RR505" and error.message.startswith(f"`rules/cms/{name}` has no ")

    def test_fixed_width_mpfs_with_a_comma_in_a_description(self, tmp_path):
        """The fixed-width layout is read by position: a comma in the description does not make it CSV."""
        record = ("71046  " + "CHEST X-RAY, 2 VIEWS".ljust(95) + "1" + " " * 13 + "0")
        assert len(record) == 117 and record[102] == "1" and record[116] == "0"
        rules = self._load(tmp_path, 'table pctc "cms/PPRRVU26_JUL.txt"\n', "PPRRVU26_JUL.txt",
                           (record + "\r\n").encode("latin-1"))
        assert rules.tables[0].table.entries["pctc"] == {"71046": "1"}

    def test_full_length_bad_first_mpfs_record_is_an_error(self, tmp_path):
        """Only a short line before the records is a title; a full-length one with a bad code is reported."""
        record = ("7104   " + "X".ljust(95) + "1" + " " * 13 + "0")
        (error,) = self._errors(tmp_path, 'table pctc "cms/PPRRVU26_JUL.txt"\n', "PPRRVU26_JUL.txt",
                                ("2026 title\r\n" + record + "\r\n").encode("latin-1"))
        assert (error.code, error.span.line) == ("RR507", 2)

    @pytest.mark.parametrize("width", [0, 140], ids=["as written", "padded to 140"])
    def test_fixed_width_mpfs_header_lines_of_any_length_are_skipped(self, tmp_path, width):
        """The fixed-width file's header lines begin `HDR`; one as long as a record (an AMA notice, or a line
        padded to the record's length) is no record: the file was refused, an RR507 at each such line."""
        record = "74177" + " " * 97 + "1" + " " * 13 + "0"
        header = ["HDR      2026 RELATIVE VALUE FILE (A TITLE OF OUR OWN)",
                  "HDR      A NOTICE OF OUR OWN, AS LONG AS THE AMA NOTICE OF THE PUBLISHED FILE, " + "X" * 60]
        assert len(header[1]) > 117
        text = "".join(line.ljust(width) + "\r\n" for line in header) + record + "\r\n"
        rules = self._load(tmp_path, 'table pctc "cms/PPRRVU26_JUL.txt"\n', "PPRRVU26_JUL.txt",
                           text.encode("latin-1"))
        assert rules.tables[0].table.entries["pctc"] == {"74177": "1"}
        assert rules.warnings == ()

    def test_caret_on_the_bad_field_of_a_quoted_csv_export(self, tmp_path):
        """Columns count the quotes of a fully quoted CSV row."""
        data = ('Column 1,Column 2,x,Effective,Deletion,Modifier,Rationale\r\n'
                '"74176","72192","","20110101","2025123","1","CPT Manual"\r\n')
        (error,) = self._errors(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.csv"\n', "ccipra-v322r0-f1.csv",
                                data.encode("latin-1"))
        assert (error.code, error.span.line, error.span.column) == ("RR508", 2, 32)  # the value, after its quote

    def test_warnings_are_given_again_from_the_caches(self, tmp_path):
        """A warning of a table's files is reported on every load, from the files, the disk or memory."""
        from radrules.tables import reading

        data = b"71046\t71045\t\t20180101\t*\t1\tx\r\n"
        cache = tmp_path / "cache"
        seen = []
        for _ in range(3):
            rules = self._load(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', "ccipra-v322r0-f1.TXT", data,
                               cache_dir=cache)
            seen.append((rules.tables[0].from_cache, [(d.code, str(d.span) if d.span else None, d.message)
                                                     for d in rules.warnings]))
            if len(seen) == 1:
                reading._MEMORY.clear()
        assert [origin for origin, _ in seen] == ["", "disk", "memory"]
        assert seen[0][1] and all(warnings == seen[0][1] for _, warnings in seen)
        assert "`rules/cms/ccipra-v322r0-f1.TXT`" in seen[0][1][0][2]

    def test_a_cache_that_cant_be_written_is_one_warning_per_load(self, tmp_path):
        """RR530 once per load, however many tables, on every load (from the files, then from memory, which
        still can't reach the disk); the tables load all the same. A cache that works says nothing."""
        from radrules.tables import reading

        root = tmp_path / "rules"
        (root / "cms").mkdir(parents=True)
        (root / "cms" / "a-v1.TXT").write_bytes(b"71046\t71045\t\t20180101\t*\t1\tx\r\n")
        (root / "cms" / "b-v2.TXT").write_bytes(b"74176\t74150\t\t20180101\t*\t1\tx\r\n")
        (root / "t.rr").write_text('table ptp "cms/a-v1.TXT" effective 2026-01-01\n'
                                   'table ptp "cms/b-v2.TXT" effective 2026-04-01\n', encoding="utf-8")
        blocked = tmp_path / "blocked"
        blocked.write_text("a file where the cache folder would be\n", encoding="utf-8")
        reading._MEMORY.clear()
        for origin in ("", "memory"):
            rules = radrules.load(root, cache_dir=blocked)
            assert [t.from_cache for t in rules.tables] == [origin, origin]
            assert [w.code for w in rules.warnings].count("RR530") == 1
            (warning,) = [w for w in rules.warnings if w.code == "RR530"]
            assert warning.message == (  # the same from memory: it is the next process that reads the files
                f"can't write the table cache in `{blocked}` (a file is in the way of the folder): the 2 tables of "
                "`rules/cms/a-v1.TXT` and `rules/cms/b-v2.TXT` are not kept on disk, so every new process reads them "
                "from their files")
        reading._MEMORY.clear()
        fine = radrules.load(root, cache_dir=tmp_path / "cache")
        assert "RR530" not in [w.code for w in fine.warnings] and len(list((tmp_path / "cache").iterdir())) == 2

    def test_a_cache_folder_put_right_is_written_again_in_the_same_process(self, tmp_path, monkeypatch):
        """A failed write is not tried again at once (each try pickles a whole table), but not for the rest of the
        process either: once the folder is put right and UNWRITABLE_SECONDS have passed, the table is cached
        and the warning, whose reason no longer holds, is gone."""
        import time
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n',
                            DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        cache.write_text("a file where the cache folder would be\n", encoding="utf-8")
        now = [time.monotonic()]
        monkeypatch.setattr(time, "monotonic", lambda: now[0])
        reading._MEMORY.clear()
        assert "RR530" in [w.code for w in radrules.load(root, cache_dir=cache).warnings]
        cache.unlink()
        cache.mkdir(mode=0o700)  # private, whatever the umask
        reading._MEMORY.clear()
        assert "RR530" in [w.code for w in radrules.load(root, cache_dir=cache).warnings]  # not tried yet
        now[0] += diskcache.UNWRITABLE_SECONDS + 1
        reading._MEMORY.clear()
        assert "RR530" not in [w.code for w in radrules.load(root, cache_dir=cache).warnings]
        assert len(list(cache.glob("ptp-*.pickle"))) == 1

    def test_threads_retrying_an_unwritable_folder_at_once_do_not_fail(self, tmp_path, monkeypatch):
        """Threads that find the retry delay over at the same time each try again; none raises (the second to
        take the folder's entry out raised KeyError)."""
        import sys
        import threading
        from radrules.tables import diskcache

        blocked = tmp_path / "blocked"
        blocked.write_text("a file where the cache folder would be\n", encoding="utf-8")
        monkeypatch.setattr(diskcache, "UNWRITABLE_SECONDS", 0)
        problems, failures = [], []

        def store():
            for _ in range(500):
                try:
                    problems.append(diskcache.store_cached(blocked / "ptp-0.pickle", b"x"))
                except Exception as error:  # what the test is for: no exception escapes
                    failures.append(repr(error))

        threads = [threading.Thread(target=store) for _ in range(8)]
        before = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # threads switch often, as they may in a busy process
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(before)
        assert failures == [] and set(problems) == {("a file is in the way of the folder", True)}

    @pytest.mark.parametrize("how", ["a folder", "another user's file"])
    def test_something_in_the_place_of_one_cache_file_keeps_out_that_table_only(self, tmp_path, monkeypatch, how):
        """A folder at one table's cache file name, or another user's file there in a shared sticky folder (which
        can't be replaced: EPERM): RR530 names that file and its table, and the other tables are cached (the
        folder was blamed, and no table was cached in it for five minutes)."""
        import os
        from radrules.tables import diskcache, reading

        ptp = "cms/radiology-ptp-v321r0-f1.TXT"
        root = make_ruleset(tmp_path, f'table ptp "{ptp}"\ntable mue "cms/{MUE_NAME}"\n',
                            DATA / "radiology-ptp-v321r0-f1.TXT", DATA / MUE_NAME)
        cache = tmp_path / "cache"
        entry = cache / f"ptp-{content_key('ptp', [root / ptp])[:32]}.pickle"
        if how == "a folder":
            entry.mkdir(parents=True)
        else:
            replace = os.replace

            def refused(source, target, **in_folders):  # (with in_folders, the names are in the opened folder)
                if Path(target) == entry or (in_folders and target == entry.name):
                    raise PermissionError(1, "Operation not permitted", str(target))
                return replace(source, target, **in_folders)

            monkeypatch.setattr(os, "replace", refused)
        reading._MEMORY.clear()
        for origin in ("", "memory"):
            rules = radrules.load(root, cache_dir=cache)
            assert [t.from_cache for t in rules.tables] == [origin, origin]
            (warning,) = rules.warnings
            why = "a folder is in its place" if how == "a folder" else \
                "what is in its place can't be replaced: Operation not permitted"
            # (true of the load from memory too: it said "is read from its files at every load")
            assert warning.message == (f"can't write `{entry.name}` in the table cache `{cache}` ({why}): the table "
                                       f"of `rules/{ptp}` is not kept on disk, so every new process reads it from its "
                                       "files")
            assert len(list(cache.glob("mue-*.pickle"))) == 1
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert [t.from_cache for t in rules.tables] == ["", "disk"]
        assert diskcache._UNWRITABLE.get(cache) is None

    def test_a_read_only_cache_folder_names_the_tables_read_from_their_files(self, tmp_path, monkeypatch):
        """A private cache folder that can't be written (a read-only copy) and lacks some tables' files: RR530,
        once, names those tables, which every new process reads from their files; the others come from the
        folder (it said "CMS tables are read from their files at every load", as if all were)."""
        import errno
        import tempfile
        from radrules.tables import diskcache, reading

        ptp = "cms/radiology-ptp-v321r0-f1.TXT"
        mue = f"cms/{MUE_NAME}"
        root = make_ruleset(tmp_path, f'table ptp "{ptp}"\ntable mue "{mue}"\n',
                            DATA / "radiology-ptp-v321r0-f1.TXT", DATA / MUE_NAME)
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (cache / f"mue-{content_key('mue', [root / mue])[:32]}.pickle").unlink()

        def read_only(*args, **kwargs):
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(tempfile, "mkstemp", read_only)
        monkeypatch.setattr(diskcache, "_temporary_in", read_only)  # (where the folder is opened: POSIX)
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert [t.from_cache for t in rules.tables] == ["disk", ""]
        (warning,) = rules.warnings
        assert warning.code == "RR530" and warning.message == (
            f"can't write the table cache in `{cache}` (Read-only file system): the table of `rules/{mue}` is not "
            "kept on disk, so every new process reads it from its files")
        for path in cache.glob("*.pickle"):
            path.unlink()
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert [t.from_cache for t in rules.tables] == ["", ""]
        assert [w.message for w in rules.warnings] == [
            f"can't write the table cache in `{cache}` (Read-only file system): the 2 tables of `rules/{ptp}` and "
            f"`rules/{mue}` are not kept on disk, so every new process reads them from their files"]

    def test_cached_warnings_name_the_files_where_they_are_now(self, tmp_path):
        """The same files loaded from another folder: the cached warning names them there."""
        data = b"71046\t71045\t\t20180101\t*\t1\tx\r\n"
        statement = 'table ptp "cms/ccipra-v322r0-f1.TXT"\n'
        first = self._load(tmp_path, statement, "ccipra-v322r0-f1.TXT", data, folder="first")
        second = self._load(tmp_path, statement, "ccipra-v322r0-f1.TXT", data, folder="second")
        assert second.tables[0].from_cache == "memory"
        assert [w.message for w in first.warnings] == ["`first/cms/ccipra-v322r0-f1.TXT` has no `Column 1`/`Column 2` "
                                                       "header; is it a CMS PTP file?"]
        assert [w.message for w in second.warnings] == ["`second/cms/ccipra-v322r0-f1.TXT` has no `Column 1`/"
                                                        "`Column 2` header; is it a CMS PTP file?"]

    # A file of each kind whose loader can warn, giving warnings that name the file in their place, message or hint.
    WARNING_FILES = {
        "ptp": ("ccipra-v322r0-f1.TXT",
                PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tx\r\n74177\t74160\t\t20110101\t*\t1\tx"),
        "mue": ("MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv",
                MUE_HEADER + "74177,1,2 Date of Service Edit: Policy,x"),
        "addon": ("aoc_v2026q3.csv", AOC_HEADER + "77067,77063,1,,,,2017001,\n77067,77063,2,,,,2017001,\n"
                                                  "77063,77063,1,,,,2017001,\n"),
        "pctc": ("PPRRVU26_JUL.csv", "HCPCS,MOD,DESCRIPTION,PCTC IND,BILAT SURG\n74177,,X,1,0\n74177,26,X,2,0\n"),
    }

    @pytest.mark.parametrize("kind", sorted(WARNING_FILES))
    def test_no_cached_warning_names_the_folder_that_first_read_the_files(self, tmp_path, kind):
        """The same files in two rulesets (two payers' folders): the second's warnings, from the memory cache or
        from the disk cache the first wrote, name its own files, in their place and in their text (RR518 and
        RR526 named the row of the first folder's file: only paths written in backticks were renamed)."""
        from radrules.tables import reading

        name, text = self.WARNING_FILES[kind]
        statement = f'table {kind} "cms/{name}"\n'
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        first = self._load(tmp_path, statement, name, text.encode("latin-1"), cache_dir=cache, folder="payer-a")
        second = self._load(tmp_path, statement, name, text.encode("latin-1"), cache_dir=cache, folder="payer-b")
        reading._MEMORY.clear()
        third = radrules.load(tmp_path / "payer-b", cache_dir=cache)
        assert [rules.tables[0].from_cache for rules in (first, second, third)] == ["", "memory", "disk"]

        def said(rules):
            return [f"{w.span and w.span.file}|{w.message}|{w.help}" for w in rules.warnings]

        assert any(f"payer-a/cms/{name}" in warning.message for warning in first.warnings)
        assert all("payer-b" not in text and "\0" not in text for text in said(first))
        for rules in (second, third):
            assert said(rules) == [text.replace("payer-a", "payer-b") for text in said(first)]

    def test_every_kind_whose_loader_warns_is_tried_from_another_folder(self):
        """The test above has a file for each kind whose loader can give a warning."""
        import inspect
        from radrules.tables import reading

        warns = {kind for kind, load in reading._LOADERS.items()
                 if 'severity="warning"' in inspect.getsource(inspect.getmodule(load))
                 or '"warning")' in inspect.getsource(inspect.getmodule(load))}
        assert warns == set(self.WARNING_FILES)

    def test_every_code_a_loader_raises_has_a_default_hint(self):
        """Each RR5xx code written in src/radrules/tables/ has a hint in DEFAULT_HELP, so a problem whose loader
        gives none still has one (RR506 and RR511 had none)."""
        from radrules.tables.common import DEFAULT_HELP

        folder = Path(radrules.__file__).parent / "tables"
        raised = {code for path in folder.glob("*.py") for code in re.findall(r'"(RR5[0-9][0-9])"', path.read_text())}
        assert raised and sorted(raised - set(DEFAULT_HELP)) == []

    @pytest.mark.parametrize("statement, name, data, code, hint", [
        (f'table mue "cms/{MUE_NAME}"\n', MUE_NAME,
         MUE_HEADER + "74177,1\r\n", "RR506", "the MAI and the rationale"),
        (f'table mue "cms/{MUE_NAME}"\n', MUE_NAME,
         MUE_HEADER + "74177,1,2 Date of Service Edit: Policy,x\r\nEnd of file\r\n", "RR506", "`End of file`"),
        ('table pctc "cms/PPRRVU26_JUL.txt"\n', "PPRRVU26_JUL.txt",
         "74177" + " " * 97 + "1" + " " * 13 + "0\n74178" + " " * 97 + "1\n", "RR506", "position 117"),
        ('table hcpcs "cms/HCPC2026_JUL_ANWEB.csv"\n', "HCPC2026_JUL_ANWEB.csv",
         "HCPC,SEQNUM,RECID,ADD DT,ACT EFF DT,TERM DT\n70450,00100,3,20000101,20000101,\n"
         "70450,00200,3,20000101,20000101,\n", "RR511", "continuation records (RECID 4)"),
        ('table icd10cm "cms/icd10cm_order_2026.txt"\n', "icd10cm_order_2026.txt",
         "00001 A00     0 Cholera\n00002 A000\n", "RR506", "position 15"),
    ], ids=["MUE row of 2 fields", "MUE trailer line", "short fixed-width MPFS record", "HCPCS CSV duplicate",
            "short ICD-10-CM record"])
    def test_row_errors_without_a_hint_have_one(self, tmp_path, statement, name, data, code, hint):
        """These problems came without a `help:` line."""
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / name).write_bytes(data.encode("latin-1"))
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(make_ruleset(tmp_path, statement, tmp_path / "src" / name), cache_dir=None)
        (error,) = caught.value.errors
        assert error.code == code and hint in error.help, error.render()

    @pytest.mark.parametrize("statement, name, data, kind", [
        (f'table mue "cms/{MUE_NAME}"\n', MUE_NAME,
         MUE_HEADER + "74177,1,2 Date of Service Edit: Policy,x\r\nEnd of file,,,\r\n", "an MUE"),
        ('table addon "cms/aoc_v2026q3.csv"\n', "aoc_v2026q3.csv",
         "Primary Code,Add-on Code,AOC Edit Type,AOC Edit Eff Dt\r\n77067,77063,1,2017001\r\n"
         "A note of our own on type 2 edits,,,\r\n", "an add-on code"),
        ('table pctc "cms/PPRRVU26_JUL.csv"\n', "PPRRVU26_JUL.csv",
         "HCPCS,MOD,DESCRIPTION,PCTC IND,BILAT SURG\r\n74177,,X,1,0\r\nEnd of file,,,,\r\n", "an MPFS"),
    ], ids=["mue", "addon", "pctc"])
    def test_a_text_line_padded_to_a_row_is_named_so(self, tmp_path, statement, name, data, kind):
        """A footer line after the rows, padded with empty fields by a spreadsheet's export, is RR507 at its
        text with the hint the PTP loader gives such a line, not the hint of a damaged code."""
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / name).write_bytes(data.encode("latin-1"))
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(make_ruleset(tmp_path, statement, tmp_path / "src" / name), cache_dir=None)
        (error,) = caught.value.errors
        last = data.count("\n")  # the footer is the last line
        assert (error.code, error.span.line, error.span.column) == ("RR507", last, 1)
        assert error.help.startswith("this line is text, not a row (a notice or an `End of file` line?): after "
                                     f"its header, {kind} file holds rows only")

    @pytest.mark.parametrize("row, fields", [("74177,1,2 Date of Service Edit: Policy", 3), ("74177,1", 2)])
    def test_an_mue_row_without_its_rationale_field_is_an_error(self, tmp_path, row, fields):
        """A row has the rationale's field, as the published tables do (domain.md §8.2): a 3-field row is a row
        cut short (it was accepted, though the docs say 4)."""
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / MUE_NAME).write_bytes((MUE_HEADER + row + "\r\n").encode("latin-1"))
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n', tmp_path / "src" / MUE_NAME),
                          cache_dir=None)
        (error,) = caught.value.errors
        assert (error.code, error.span.line, error.message) == ("RR506", 4, f"an MUE row has 4 fields; this one "
                                                                            f"has {fields}")

    def test_an_mue_row_with_an_empty_rationale_reads(self, tmp_path):
        """The rationale's field may be empty, and empty fields after it are no error."""
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / MUE_NAME).write_bytes(
            (MUE_HEADER + "74177,1,2 Date of Service Edit: Policy,\r\n74178,1,1 Line Edit,,,\r\n").encode())
        rules = radrules.load(make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n', tmp_path / "src" / MUE_NAME),
                              cache_dir=None)
        assert rules.tables[0].table.entries["74177"][0][:3] == (1, 2, "")
        assert rules.tables[0].table.entries["74178"][0][:3] == (1, 1, "")

    def test_an_mue_header_without_the_mai_column_is_an_error(self, tmp_path):
        """A header of the code and its values alone is no layout radrules reads (one without the rationale
        column alone is read: TestMueWithoutRationale)."""
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / MUE_NAME).write_bytes(
            b"HCPCS/CPT Code,Practitioner Services MUE Values\r\n74177,1\r\n")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n', tmp_path / "src" / MUE_NAME),
                          cache_dir=None)
        (error,) = caught.value.errors
        assert (error.code, error.span.line) == ("RR505", 1) and "`MUE Rationale`" in error.help


class TestOverrides:
    TABLE = 'table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n'

    def test_payer_disables_a_table_row(self, tmp_path):
        """`disable pair` in a payer's block removes the CMS edit for that payer only."""
        text = self.TABLE + """
pairs acme.ptp
  for payer acme
  reference "Acme does not apply this edit"
  disable pair 71046 with 71045
end
"""
        rules = radrules.load(make_ruleset(tmp_path, text, DATA / "radiology-ptp-v321r0-f1.TXT"), cache_dir=None)
        lines = (("71046", "2026-08-01"), ("71045", "2026-08-01"))
        assert fired(rules.evaluate(claim(*lines, payer="acme")), "ncci.ptp") == []
        assert fired(rules.evaluate(claim(*lines, payer="medicare")), "ncci.ptp") == [((2,), (1,))]

    def test_rule_file_row_replaces_table_rows_and_says_so(self, tmp_path):
        """A pair written in a rule file replaces the table's rows for that pair; the source is the rule file."""
        text = self.TABLE + """
pairs local.ptp
  reference "local override: modifier allowed"
  pair 74176 with 74150 modifier allowed effective 2011-01-01
end
"""
        rules = radrules.load(make_ruleset(tmp_path, text, DATA / "radiology-ptp-v321r0-f1.TXT"), cache_dir=None)
        bypassed = rules.evaluate(claim(("74176", "2026-08-01"), ("74150", "2026-08-01", {"modifiers": ["59"]})))
        denied = rules.evaluate(claim(("74176", "2026-08-01"), ("74150", "2026-08-01")))
        assert fired(bypassed, "ncci.ptp") == [] and fired(bypassed, "local.ptp") == []
        (finding,) = denied.findings
        assert finding.rule == "local.ptp" and finding.source == "rules/main.rr:5"

    def test_rows_from_tables_and_rule_files_mix(self, tmp_path):
        """Table rows and rule-file rows for different pairs both fire on one claim."""
        text = self.TABLE + """
pairs local.ptp
  reference "local edit"
  pair 70553 with 70551 modifier not allowed effective 2020-01-01
end
"""
        rules = radrules.load(make_ruleset(tmp_path, text, DATA / "radiology-ptp-v321r0-f1.TXT"), cache_dir=None)
        result = rules.evaluate(claim(("71046", "2026-08-01"), ("71045", "2026-08-01"),
                                      ("70553", "2026-08-01"), ("70551", "2026-08-01")))
        assert {f.rule for f in result.findings} == {"ncci.ptp", "local.ptp"}


class TestCaches:
    TEXT = 'table ptp "cms/radiology-ptp-v321r0-f1.TXT"\n'

    def test_warm_load_from_disk_gives_the_same_table(self, tmp_path):
        """The second load reads the compiled table from the cache directory and evaluates identically."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        first = radrules.load(root, cache_dir=cache)
        assert len(list(cache.glob("ptp-*.pickle"))) == 1
        reading._MEMORY.clear()
        second = radrules.load(root, cache_dir=cache)
        assert second.tables[0].from_cache == "disk"
        probe = claim(("71046", "2026-08-01"), ("71045", "2026-08-01"))
        assert first.evaluate(probe).to_dict() == second.evaluate(probe).to_dict()

    @pytest.mark.parametrize("where", ["no disk cache", "an empty disk cache", "a disk cache of another table"])
    def test_a_cold_load_hashes_each_file_once(self, tmp_path, monkeypatch, where):
        """A table no cache holds is hashed as its loader reads it, not first for a key to look up: each part's
        bytes go through SHA-256 once (twice only beside a cached table of its kind, whose key must be looked
        up), the table is keyed as the files' content key says, and the next process finds it on disk."""
        from radrules.tables import reading

        files = [DATA / "radiology-ptp-v322r0-f1.TXT", DATA / "radiology-ptp-v322r0-f2.TXT"]
        root = make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-v322r0-f1.TXT", '
                            '"cms/radiology-ptp-v322r0-f2.TXT"\n', *files)
        cache = None if where == "no disk cache" else tmp_path / "cache"
        reading._MEMORY.clear()
        if where == "a disk cache of another table":
            radrules.load(make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT", name="other"),
                          cache_dir=cache)
        hashed = []

        class Counted:
            def __init__(self, data=b""):
                self.real = hashlib.sha256(data)
                hashed.append(bytes(data))

            def update(self, data):
                self.real.update(data)
                hashed.append(bytes(data))

            def digest(self):
                return self.real.digest()

            def hexdigest(self):
                return self.real.hexdigest()

        monkeypatch.setattr(reading, "hashlib", types.SimpleNamespace(sha256=Counted))
        rules = radrules.load(root, cache_dir=cache)
        monkeypatch.undo()
        everything = b"".join(hashed)
        once = 2 if where == "a disk cache of another table" else 1
        assert [everything.count(path.read_bytes()) for path in files] == [once, once]
        key = reading.content_key("ptp", [root / "cms" / path.name for path in files])
        assert rules.tables[0].table.key == key
        if cache is not None:
            assert (cache / f"ptp-{key[:32]}.pickle").is_file()
            reading._MEMORY.clear()
            assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "disk"

    def test_stale_cache_is_never_used(self, tmp_path):
        """Changing a table file changes its key: the old cache entry is ignored and the new rows apply."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        path = root / "cms" / "radiology-ptp-v321r0-f1.TXT"
        path.write_bytes(path.read_bytes().replace(b"71046\t71045\t\t20180101\t*\t1",
                                                   b"71046\t71045\t\t20180101\t20181231\t1"))
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert rules.tables[0].from_cache == ""
        result = rules.evaluate(claim(("71046", "2026-08-01"), ("71045", "2026-08-01")))
        assert fired(result, "ncci.ptp") == []

    @pytest.mark.parametrize("how", ["planted by another user", "writable by others", "a link", "a pipe"])
    def test_a_cache_file_anyone_else_could_have_written_is_never_unpickled(self, tmp_path, monkeypatch, how):
        """A pickle runs code when loaded and its checksum is no defence against whoever can write it: a cache
        file is unpickled only if it is a regular file of the user running radrules that no one else can
        write. Here a planted file, valid checksum and all, would write `pwned` when unpickled."""
        import hashlib
        import os
        import pickle
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (entry,) = cache.glob("ptp-*.pickle")
        marker = tmp_path / "pwned"
        payload = pickle.dumps(_Planted(str(marker)))
        planted = diskcache._CACHE_MAGIC + hashlib.sha256(payload).digest() + payload
        entry.unlink()
        if how == "a link":
            (tmp_path / "elsewhere.pickle").write_bytes(planted)
            entry.symlink_to(tmp_path / "elsewhere.pickle")
        elif how == "a pipe":
            os.mkfifo(entry)  # opening it for a read would wait for a writer forever
        else:
            entry.write_bytes(planted)
            entry.chmod(0o666 if how == "writable by others" else 0o600)
        if how == "planted by another user":
            monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert rules.tables[0].from_cache == "" and not marker.exists()
        if how == "writable by others":  # the same file, as radrules writes them (0600), is trusted
            entry.write_bytes(planted)  # (the load above replaced the planted file with a good one)
            entry.chmod(0o600)
            reading._MEMORY.clear()
            radrules.load(root, cache_dir=cache)
            assert marker.exists()  # proof the planted pickle would have run, had it been trusted

    @pytest.mark.parametrize("how", ["writable by all", "sticky, writable by all", "writable by its group",
                                     "a link"])
    def test_a_cache_folder_anyone_else_could_write_in_is_not_used(self, tmp_path, how):
        """A cache file is ours and private, but the folder it is in is not (another user could have put it there,
        or a link leads to a folder whose files others provide): the disk cache is not used for the load, with
        RR530 saying why. Before, only the file was checked and the pickle ran."""
        import hashlib
        import pickle
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        assert cache.stat().st_mode & 0o777 == 0o700  # as radrules makes it
        (entry,) = cache.glob("ptp-*.pickle")
        marker = tmp_path / "pwned"
        payload = pickle.dumps(_Planted(str(marker)))
        entry.write_bytes(diskcache._CACHE_MAGIC + hashlib.sha256(payload).digest() + payload)
        given = cache
        if how == "a link":
            given = tmp_path / "link"
            given.symlink_to(cache)
        else:
            cache.chmod({"writable by all": 0o777, "sticky, writable by all": 0o1777}.get(how, 0o770))
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=given)
        assert rules.tables[0].from_cache == "" and not marker.exists()
        why = {"writable by all": "others can write in it (mode 0777)", "a link": "it is a link (name the folder "
               "it points to)", "sticky, writable by all": "others can write in it (mode 1777)",
               "writable by its group": "others can write in it (mode 0770)"}[how]
        assert [w.message for w in rules.warnings] == [
            f"the table cache `{given}` is not used: {why}, so every new process reads CMS tables from their files"]
        assert entry.read_bytes().endswith(payload)  # nothing written there either
        cache.chmod(0o700)  # made private, the same file is read: proof it would have run
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        assert marker.exists()

    def test_a_cache_folder_is_checked_again_where_its_files_are_opened(self, tmp_path, monkeypatch):
        """A folder made writable by others after the load looked at it is still not read from: the cache file
        is opened in the folder opened and checked itself."""
        import hashlib
        import pickle
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (entry,) = cache.glob("ptp-*.pickle")
        marker = tmp_path / "pwned"
        payload = pickle.dumps(_Planted(str(marker)))
        entry.write_bytes(diskcache._CACHE_MAGIC + hashlib.sha256(payload).digest() + payload)
        cache.chmod(0o777)
        monkeypatch.setattr(reading, "why_not_private", lambda folder: None)  # as if it changed after the look
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "" and not marker.exists()

    def test_a_cache_folder_of_another_user_is_not_used(self):
        """A folder owned by another user is not private, whatever its mode."""
        import os
        from radrules.tables import diskcache

        mine = os.stat_result((0o40700, 0, 0, 2, os.geteuid(), 0, 0, 0, 0, 0))
        theirs = os.stat_result((0o40700, 0, 0, 2, os.geteuid() + 1, 0, 0, 0, 0, 0))
        assert diskcache._unsafe_folder(mine) is None
        assert diskcache._unsafe_folder(theirs) == f"it is owned by another user (user id {os.geteuid() + 1})"

    def test_radrules_makes_its_cache_folder_private_whatever_the_umask(self, tmp_path):
        """Under a umask that lets the group write (0002, usual on some systems) the cache folder radrules makes is
        still 0700, so the next load uses it."""
        import os
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "made" / "cache"
        previous = os.umask(0o002)
        try:
            reading._MEMORY.clear()
            assert not radrules.load(root, cache_dir=cache).warnings
        finally:
            os.umask(previous)
        assert cache.stat().st_mode & 0o777 == 0o700
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "disk"

    def test_a_cache_file_of_a_ptp_table_pickled_with_another_layout_is_read_again(self, tmp_path, monkeypatch):
        """A cache file whose PtpTable state has a field fewer (as a build of another layout pickled it, under the
        same LOADER_VERSION) is passed over and written again: it was read from the disk cache without its
        `rises`, and failed later with AttributeError, outside the cache reader's error handling."""
        import hashlib
        from radrules.tables import diskcache, reading
        from radrules.tables import store

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (entry,) = cache.glob("ptp-*.pickle")
        cached = pickle.loads(entry.read_bytes()[len(diskcache._CACHE_MAGIC) + 32:])
        whole = store.PtpTable.__getstate__
        monkeypatch.setattr(store.PtpTable, "__getstate__", lambda table: whole(table)[:-1])
        body = pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL)
        monkeypatch.undo()
        entry.write_bytes(diskcache._CACHE_MAGIC + hashlib.sha256(body).digest() + body)
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert rules.tables[0].from_cache == "" and rules.tables[0].table.first_row_from(0) is not None
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)  # the file was written again, whole
        assert rules.tables[0].from_cache == "disk" and rules.tables[0].table.first_row_from(0) is not None

    def test_a_cache_file_written_with_other_stored_layouts_is_never_read(self, tmp_path, monkeypatch):
        """The layout of the classes a cache file pickles is part of the key: a build whose classes have other
        fields (another STORED_LAYOUT) reads and writes other cache files."""
        from radrules.tables import diskcache, reading, store

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        with monkeypatch.context() as patched:
            patched.setattr(reading, "STORED_LAYOUT", diskcache.layout([diskcache.Cached, store.RawTable]))
            radrules.load(root, cache_dir=cache)
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == ""
        assert len(list(cache.glob("ptp-*.pickle"))) == 2

    def test_a_cache_file_written_by_another_radrules_version_is_never_read(self, tmp_path, monkeypatch):
        """The radrules version is part of the key, as docs/tables.md says (`a new radrules version reads the
        files again once`): before, only the loader version and the stored layout were."""
        from radrules import _version
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        with monkeypatch.context() as patched:
            patched.setattr(_version, "__version__", "0.0.1")
            radrules.load(root, cache_dir=cache)
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == ""
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "disk"
        assert len(list(cache.glob("ptp-*.pickle"))) == 2

    def test_the_stored_layout_is_that_of_every_class_a_cache_file_pickles(self, tmp_path):
        """STORED_CLASSES, whose fields are in every key, are the radrules classes the cache files of every kind
        (and their warnings) pickle: a class pickled into a cache without being listed would have its fields
        unchecked."""
        from radrules import tables
        from radrules.tables import diskcache, reading

        found = set()

        class Recording(pickle.Unpickler):
            def find_class(self, module, name):
                found.add(f"{module}.{name}")
                return super().find_class(module, name)

        names = ["radiology-ptp-v321r0-f1.TXT", MUE_NAME, "aoc_v2026q3.csv", "PPRRVU26_JUL.csv",
                 "HCPC2026_JUL_ANWEB.txt", "icd10cm_order_2026.txt"]
        kinds = ["ptp", "mue", "addon", "pctc", "hcpcs", "icd10cm"]
        assert sorted(kinds) == sorted(tables.KINDS)
        root = make_ruleset(tmp_path, "".join(f'table {kind} "cms/{name}"\n' for kind, name in zip(kinds, names)),
                            *(DATA / name for name in names))
        (root / "cms" / "PPRRVU26_JUL.csv").write_text("HCPCS,MOD,DESCRIPTION,PCTC IND,BILAT SURG\n74177,,X,1,0\n"
                                                       "74177,26,X,2,0\n", encoding="latin-1")  # RR518
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        assert [w.code for w in radrules.load(root, cache_dir=cache).warnings] == ["RR518"]
        table_files = [entry for entry in cache.glob("*.pickle") if not entry.name.startswith(tables.PARSED_KIND)]
        assert len(table_files) == len(kinds)
        for entry in table_files:
            with open(entry, "rb") as handle:
                handle.seek(len(diskcache._CACHE_MAGIC) + 32)
                Recording(handle).load()
        ours = {name for name in found if name.startswith("radrules.")}
        assert ours == {f"{cls.__module__}.{cls.__qualname__}" for cls in diskcache.STORED_CLASSES}
        # The parsed rule file: the syntax classes, whose fields the parser's fingerprint holds (syntax.py's
        # code), and of the stored classes those a parse holds.
        found.clear()
        (parsed,) = cache.glob(f"{tables.PARSED_KIND}-*.pickle")
        with open(parsed, "rb") as handle:
            handle.seek(len(diskcache._CACHE_MAGIC) + 32)
            Recording(handle).load()
        ours = {name for name in found if name.startswith("radrules.")}
        stored = {f"{cls.__module__}.{cls.__qualname__}" for cls in diskcache.STORED_CLASSES}
        assert {name for name in ours if not name.startswith("radrules.syntax.")} <= stored
        assert "radrules.syntax.SourceFile" in ours

    def test_where_files_have_no_owner_a_regular_cache_file_is_read(self, tmp_path, monkeypatch):
        """Without geteuid (Windows, where fstat calls any writable file writable by all), the owner and mode
        say nothing: a cache file radrules wrote is read (it was refused, so every load was a cold one)."""
        import os
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (entry,) = cache.glob("ptp-*.pickle")
        entry.chmod(0o666)  # as Windows reports a writable file
        monkeypatch.delattr(os, "geteuid")
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "disk"

    def test_damaged_cache_file_is_rebuilt(self, tmp_path):
        """A cache file that doesn't unpickle to the right key is replaced, not trusted."""
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (entry,) = cache.glob("ptp-*.pickle")
        entry.write_bytes(b"not a pickle")
        reading._MEMORY.clear()
        rules = radrules.load(root, cache_dir=cache)
        assert rules.tables[0].from_cache == ""
        key = content_key("ptp", [root / "cms" / "radiology-ptp-v321r0-f1.TXT"])
        assert diskcache.fetch_cached(entry, key).table.key == key

    def test_every_table_a_ruleset_holds_is_shared_however_many(self, tmp_path):
        """Twelve table versions (more than the few kept when no ruleset holds them): a second load shares each
        with the first ruleset, from memory (it read them again, doubling the memory); once no ruleset holds
        them, only the last few loaded stay."""
        import gc
        from radrules.tables import reading

        root = tmp_path / "rules"
        (root / "cms").mkdir(parents=True)
        statements = []
        for month in range(1, 13):
            name = f"mue-{month:02d}.csv"
            (root / "cms" / name).write_bytes((MUE_HEADER + f"74177,{month},2 Date of Service Edit: Policy,A\r\n")
                                              .encode("latin-1"))
            statements.append(f'table mue "cms/{name}" effective 2026-{month:02d}-01\n')
        (root / "main.rr").write_text("".join(statements), encoding="utf-8")
        reading._MEMORY.clear()
        first = radrules.load(root, cache_dir=None)
        second = radrules.load(root, cache_dir=None)
        assert [t.from_cache for t in second.tables] == ["memory"] * 12
        assert all(a.table is b.table for a, b in zip(first.tables, second.tables))
        del first, second
        gc.collect()
        assert len(reading._MEMORY.live) == 8  # the four others are freed

    def test_without_a_home_directory_tables_load_with_a_warning(self, tmp_path, monkeypatch):
        """A user without a home directory (a container run as a bare user id): rules without tables load as
        ever, and tables load from their files with RR530, on every load (it was a RuntimeError at load())."""
        from pathlib import Path as RealPath
        from radrules import tables
        from radrules.tables import reading

        def no_home():
            raise RuntimeError("Could not determine home directory.")

        for variable in ("HOME", "XDG_CACHE_HOME", "RADRULES_CACHE_DIR", "LOCALAPPDATA"):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setattr(RealPath, "home", staticmethod(no_home))
        assert not tables.default_cache_dir()
        assert radrules.load().warnings == ()
        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        reading._MEMORY.clear()
        for origin in ("", "memory"):
            rules = radrules.load(root)
            assert rules.tables[0].from_cache == origin
            (warning,) = rules.warnings
            assert warning.code == "RR530" and warning.message == (
                "there is no user cache directory (no home directory, or a relative one) for the table cache: CMS "
                "tables are not kept on disk, so every new process reads them from their files")
            assert "RADRULES_CACHE_DIR" in warning.help

    @pytest.mark.skipif(os.name == "nt", reason="Windows has LOCALAPPDATA, not XDG_CACHE_HOME")
    def test_a_relative_xdg_cache_home_is_ignored(self, tmp_path, monkeypatch):
        """The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and is ignored (it named a folder in
        whatever the working directory was); an absolute one is used."""
        import sys
        from radrules import tables

        monkeypatch.setattr(sys, "platform", "linux")  # (macOS has its own folder)
        monkeypatch.delenv("RADRULES_CACHE_DIR", raising=False)
        (tmp_path / "home").mkdir()
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.chdir(tmp_path)
        for relative in ("cache", "./cache", "~/cache"):
            monkeypatch.setenv("XDG_CACHE_HOME", relative)
            assert tables.default_cache_dir() == tmp_path / "home" / ".cache" / "radrules"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert tables.default_cache_dir() == tmp_path / "xdg" / "radrules"

    @pytest.mark.skipif(os.name == "nt", reason="Windows has LOCALAPPDATA, not XDG_CACHE_HOME")
    def test_a_home_directory_that_is_not_there_is_none(self, tmp_path, monkeypatch):
        """`HOME=/nonexistent` (a system user's): no default cache folder and RR530 at a load, never a home
        made for the cache (a root process made `/nonexistent/.cache/radrules`); an absolute XDG_CACHE_HOME is
        still used."""
        import sys
        from radrules import tables
        from radrules.tables import reading

        monkeypatch.setattr(sys, "platform", "linux")
        for variable in ("XDG_CACHE_HOME", "RADRULES_CACHE_DIR"):
            monkeypatch.delenv(variable, raising=False)
        home = tmp_path / "nonexistent"
        monkeypatch.setenv("HOME", str(home))
        assert isinstance(tables.default_cache_dir(), tables.NoCacheDir)
        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        reading._MEMORY.clear()
        assert [w.code for w in radrules.load(root).warnings] == ["RR530"]
        assert not home.exists()
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert tables.default_cache_dir() == tmp_path / "xdg" / "radrules"

    @pytest.mark.parametrize("platform", ["win32", "linux", "darwin"])
    def test_a_relative_folder_from_the_environment_is_ignored(self, tmp_path, monkeypatch, platform):
        """As a relative XDG_CACHE_HOME is, a relative LOCALAPPDATA (Windows) is ignored for the home's AppData/Local
        (it was used as given: a folder in whatever the working directory was), and a relative home directory
        (HOME, USERPROFILE) is none: no disk cache (RR530 at a load)."""
        import sys
        from radrules import tables

        monkeypatch.setattr(sys, "platform", platform)  # (not os.name: pathlib would make WindowsPaths)
        monkeypatch.delenv("RADRULES_CACHE_DIR", raising=False)
        homes = [tmp_path / "home"]
        homes[0].mkdir()
        monkeypatch.setattr(Path, "home", classmethod(lambda cls: homes[-1]))  # (HOME, or USERPROFILE on Windows)
        monkeypatch.chdir(tmp_path)
        base = {"win32": ("AppData", "Local"), "linux": (".cache",), "darwin": ("Library", "Caches")}[platform]
        for relative in ("cache", "./cache", "~/cache"):
            monkeypatch.setenv("LOCALAPPDATA", relative)
            monkeypatch.setenv("XDG_CACHE_HOME", relative)
            assert tables.default_cache_dir() == tmp_path.joinpath("home", *base, "radrules")
        homes.append(Path("home"))
        assert isinstance(tables.default_cache_dir(), tables.NoCacheDir)
        monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "local"))
        found = tables.default_cache_dir()  # an absolute one needs no home directory (macOS reads only the home)
        if platform == "darwin":
            assert isinstance(found, tables.NoCacheDir)
        else:
            assert found == tmp_path / "local" / "radrules"

    def test_cache_files_unused_for_long_are_pruned_when_a_new_one_is_written(self, tmp_path):
        """A past quarter's cache file (or an older radrules'), read by no load for CACHE_KEEP_DAYS, is removed
        when the next table is cached, and so is a temporary file a stopped writer left; a file a load read
        lately (from disk, or from memory in a process that loads again) stays, however old it was, and so does
        every file radrules did not name: the folder may be a shared one (`.tmp-` files were removed)."""
        import os
        import time
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (used,) = cache.glob("ptp-*.pickle")
        long_ago = time.time() - (diskcache.CACHE_KEEP_DAYS + 1) * 86400
        past = cache / f"mue-{'0' * 32}.pickle"
        left = cache / ".radrules-tmp-ab_d1234"
        others = [cache / name for name in (f"notes-{'0' * 32}.pickle", ".tmp-notes.txt", ".tmp-abcd1234",
                                            ".radrules-tmp-notes.txt")]
        for path in (past, left, *others, used):
            path.write_bytes(path.read_bytes() if path == used else b"x")
            os.utime(path, (long_ago, long_ago))
        recent = cache / f"addon-{'1' * 32}.pickle"
        recent.write_bytes(b"x")
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "memory"  # marks it used
        assert time.time() - used.stat().st_mtime < 3600
        os.utime(used, (long_ago, long_ago))
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "disk"  # marks it used too
        assert time.time() - used.stat().st_mtime < 3600
        (root / "cms" / "radiology-ptp-v321r0-f1.TXT").write_bytes(
            (DATA / "radiology-ptp-v321r0-f1.TXT").read_bytes() + b"71046\t71047\t\t20180101\t*\t1\tx\r\n")
        reading._MEMORY.clear()
        diskcache._PRUNED.clear()  # (a folder is pruned at most once every PRUNE_SECONDS: as in a new process)
        radrules.load(root, cache_dir=cache)  # new contents: a new cache file, and the pruning
        assert not past.exists() and not left.exists()
        assert used.exists() and recent.exists() and all(path.exists() for path in others)
        assert len(list(cache.glob("ptp-*.pickle"))) == 2

    def test_a_folder_is_pruned_at_most_once_an_hour(self, tmp_path, monkeypatch):
        """Each pruning looks at every file of the folder, and a load writes a cache file per rule file: pruned
        after each write, a first load of 1,000 rule files took seven times as long as without a disk cache."""
        import os
        from radrules.tables import diskcache

        scans = []
        real = os.scandir
        monkeypatch.setattr(diskcache.os, "scandir", lambda folder: scans.append(folder) or real(folder))
        diskcache._PRUNED.clear()
        root = tmp_path / "rules"
        root.mkdir()
        for number in range(30):
            text = (f'rule r.n{number} "Rule {number}"\n  when line.code = 7045{number % 10}\n'
                    '  then deny line "no"\nend\n')
            (root / f"r{number:02d}.rr").write_text(text, encoding="utf-8")
        cache = tmp_path / "cache"
        radrules.load(root, cache_dir=cache)
        # (Path.glob scans too: counted first; the folder is scanned opened, where the system can)
        in_cache = [folder for folder in scans if str(folder) == str(cache) or isinstance(folder, int)]
        assert len(in_cache) == 1 and len(list(cache.glob("rules-*.pickle"))) == 30
        scans.clear()
        monkeypatch.setattr(diskcache, "PRUNE_SECONDS", 0)  # an hour later
        changed = 'rule r.n0 "Rule 0, changed"\n  when line.code = 70459\n  then deny line "no"\nend\n'
        (root / "r00.rr").write_text(changed, encoding="utf-8")
        radrules.load(root, cache_dir=cache)
        assert len([folder for folder in scans if str(folder) == str(cache) or isinstance(folder, int)]) == 1

    def test_a_killed_writers_temporary_file_is_removed_before_the_next_write(self, tmp_path, monkeypatch):
        """Processes killed while writing (out of memory, again and again) leave temporary files as large as the
        table; removed only after a good write, a day old, they filled the disk so that no write was good again.
        A process removes those not written to for TEMPORARY_KEEP_SECONDS before it writes; a writer's file it
        has written to lately stays."""
        import os
        import time
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        cache.mkdir(mode=0o700)
        dead, live = cache / ".radrules-tmp-dead0001", cache / ".radrules-tmp-live0001"
        for path, age in ((dead, diskcache.TEMPORARY_KEEP_SECONDS + 60), (live, 60)):
            path.write_bytes(b"x" * 1000)
            os.utime(path, (time.time() - age, time.time() - age))

        def disk_full(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(diskcache.pickle, "dump", disk_full)
        reading._MEMORY.clear()
        diskcache._PRUNED.clear()  # (as in a new process)
        diskcache._UNWRITABLE.clear()
        loaded = radrules.load(root, cache_dir=cache)
        assert [w.code for w in loaded.warnings] == ["RR530"]  # (this write failed too: the disk stays full)
        assert not dead.exists() and live.exists()
        assert sorted(path.name for path in cache.iterdir()) == [live.name]  # (no new temporary file left)

    @pytest.mark.parametrize("how", ["environment", "argument"])
    def test_no_disk_cache_when_disabled(self, tmp_path, monkeypatch, how):
        """`RADRULES_CACHE_DIR=` (empty), or `cache_dir=""`, turns the disk cache off: no cache file anywhere,
        neither in the user cache directory nor in the working directory."""
        from radrules.tables import reading

        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        monkeypatch.chdir(tmp_path)
        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        reading._MEMORY.clear()
        if how == "environment":
            monkeypatch.setenv("RADRULES_CACHE_DIR", "")
            radrules.load(root)
        else:
            radrules.load(root, cache_dir="")
        assert list(tmp_path.rglob("*.pickle")) == [] and not (tmp_path / "home").exists()

    @pytest.mark.parametrize("hashed", [True, False])
    @pytest.mark.parametrize("memory", [True, False])
    def test_a_file_changed_while_it_loads_is_cached_under_what_was_read(self, tmp_path, monkeypatch, memory,
                                                                         hashed):
        """The file changes between its hash and its read (``hashed``: the disk cache holds another PTP table, so
        the file is hashed to look for its own), or, where no cache can hold it, before the loader reads it: the
        table is keyed by the bytes it was built from, so the first content, back in place, is read again rather
        than served the other rows."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        if hashed:
            radrules.load(make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-v322r0-f1.TXT"\n',
                                       DATA / "radiology-ptp-v322r0-f1.TXT", name="other"), cache_dir=tmp_path / "cache")
        keys = []
        real_key = reading.content_key
        monkeypatch.setattr(reading, "content_key", lambda *args: keys.append(real_key(*args)) or keys[-1])
        path = root / "cms" / "radiology-ptp-v321r0-f1.TXT"
        original = path.read_bytes()
        changed = original.replace(b"71046\t71045\t\t20180101\t*\t1", b"71046\t71045\t\t20180101\t20181231\t1")
        assert changed != original
        real = reading._LOADERS["ptp"]

        def load_after_a_change(parts, key):
            path.write_bytes(changed)
            return real(parts, key)

        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        monkeypatch.setitem(reading._LOADERS, "ptp", load_after_a_change)
        during = radrules.load(root, cache_dir=cache)
        monkeypatch.setitem(reading._LOADERS, "ptp", real)
        assert len(keys) == hashed
        probe = claim(("71046", "2026-08-01"), ("71045", "2026-08-01"))
        assert fired(during.evaluate(probe), "ncci.ptp") == []  # built from the changed bytes
        path.write_bytes(original)
        if not memory:
            reading._MEMORY.clear()  # a new process: only the disk cache
        again = radrules.load(root, cache_dir=cache)
        assert again.tables[0].from_cache == ""
        assert fired(again.evaluate(probe), "ncci.ptp") == [((2,), (1,))]

    def test_a_damaged_cache_entry_is_never_used(self, tmp_path):
        """Every one-bit flip of a cache entry is caught by its checksum: the table is read again from its
        files and evaluates as before (some flips still unpickled and served other rows)."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        good = radrules.load(root, cache_dir=cache)
        (entry,) = cache.glob("ptp-*.pickle")
        original = entry.read_bytes()
        probe = claim(("71046", "2026-08-01"), ("71045", "2026-08-01"), ("74176", "2026-08-01"),
                      ("74150", "2026-08-01"))
        expected = good.evaluate(probe).to_dict()
        for at in range(0, len(original), max(1, len(original) // 400)):
            damaged = bytearray(original)
            damaged[at] ^= 0x01
            entry.write_bytes(bytes(damaged))
            reading._MEMORY.clear()
            rules = radrules.load(root, cache_dir=cache)
            assert rules.tables[0].from_cache == "", at
            assert rules.evaluate(probe).to_dict() == expected, at
            assert entry.read_bytes() == original  # rewritten

    def test_parts_are_not_confused_with_one_file_holding_both(self, tmp_path):
        """A folder of parts a and b, then a alone holding both files' bytes with the separator the old key
        used: the key differs, so the damaged folder is read (here refused: its NUL bytes are no text), not served
        the cached table."""
        from radrules.tables import reading

        data = (DATA / "radiology-ptp-v321r0-f1.TXT").read_bytes()
        root = make_ruleset(tmp_path, 'table ptp "cms/parts" effective 2026-04-01\n')
        (root / "cms" / "parts").mkdir()
        (root / "cms" / "parts" / "a").write_bytes(data)
        (root / "cms" / "parts" / "b").write_bytes(data)
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        (root / "cms" / "parts" / "b").unlink()
        (root / "cms" / "parts" / "a").write_bytes(data + b"\0b\0" + data)
        reading._MEMORY.clear()
        with pytest.raises(radrules.RuleError, match=r"error\[RR505\]: `rules/cms/parts/a` is not a text file"):
            radrules.load(root, cache_dir=cache)

    def test_an_unusable_cache_directory_is_skipped_on_a_memory_hit(self, tmp_path):
        """Read once without a disk cache, then with an unusable one: the memory answers, no crash."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        (tmp_path / "file").write_text("x")
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=None)
        for cache in (str(tmp_path / "a\0b"), tmp_path / ("x" * 300), tmp_path / "file" / "cache"):
            assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "memory"

    def test_an_unusable_cache_directory_is_skipped(self, tmp_path):
        """A cache directory with a NUL or a name too long, or under a file, is no cache: the tables load."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        (tmp_path / "file").write_text("x")
        for cache in (str(tmp_path / "a\0b"), tmp_path / ("x" * 300), tmp_path / "file" / "cache"):
            reading._MEMORY.clear()
            assert len(radrules.load(root, cache_dir=cache).tables[0].table) > 0

    @pytest.mark.parametrize("cached", [False, True])
    def test_a_table_file_that_cant_be_read_is_a_diagnostic(self, tmp_path, monkeypatch, cached):
        """A table file that exists but can't be read (permissions) is RR502 naming it, not a traceback: when the
        loader reads it (no cache can hold it), or when it is hashed to look for it in a cache."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        path = root / "cms" / "radiology-ptp-v321r0-f1.TXT"
        cache = None
        if cached:  # a disk cache holding another PTP table
            other = make_ruleset(tmp_path / "other", 'table ptp "cms/radiology-ptp-v322r0-f1.TXT"\n',
                                 DATA / "radiology-ptp-v322r0-f1.TXT")
            cache = tmp_path / "cache"
            radrules.load(other, cache_dir=cache)

        def refused(*args):
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(reading, "content_key", refused)
        monkeypatch.setattr(reading._Part, "read_bytes", refused)
        reading._MEMORY.clear()
        with pytest.raises(radrules.RuleError) as raised:
            radrules.load(root, cache_dir=cache)
        assert "error[RR502]: can't read `rules/cms/radiology-ptp-v321r0-f1.TXT`: Permission denied" in str(raised.value)

    def test_a_failed_cache_write_leaves_no_file(self, tmp_path, monkeypatch):
        """A cache write that fails (a full disk) is skipped and leaves no temporary file behind."""
        from radrules.tables import diskcache, reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"

        def full(source, target, **in_folders):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(diskcache.os, "replace", full)
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=cache)
        assert list(cache.iterdir()) == []

    def test_a_table_read_without_a_disk_cache_is_stored_when_one_is_given(self, tmp_path):
        """Loaded first with no disk cache, then with one in the same process: the memory cache answers, and the
        disk cache is filled for the next process."""
        from radrules.tables import reading

        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        cache = tmp_path / "cache"
        reading._MEMORY.clear()
        radrules.load(root, cache_dir=None)
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "memory"
        reading._MEMORY.clear()
        assert radrules.load(root, cache_dir=cache).tables[0].from_cache == "disk"

    def test_cached_warnings_name_each_file_once(self, tmp_path):
        """Two statements (for the two claim types) share a file under other names (a, b then b, c): each warning
        names its own file, once (the renames chained: b became c)."""
        data = "71046\t71045\t\t20180101\t*\t1\tx\r\n"  # no header: an RR505 warning per file
        root = make_ruleset(tmp_path, 'table ptp "cms/a/p.TXT", "cms/b/p.TXT" effective 2026-01-01\n'
                                      'table ptp "cms/b/p.TXT", "cms/c/p.TXT" for institutional claims '
                                      'effective 2026-04-01\n')
        for folder in "abc":
            (root / "cms" / folder).mkdir()
            (root / "cms" / folder / "p.TXT").write_text(data, encoding="latin-1")
        rules = radrules.load(root, cache_dir=None)
        named = [re.search(r"cms/(.)/p", w.message).group(1) for w in rules.warnings if w.code == "RR505"]
        assert named == ["a", "b", "b", "c"]

    def test_ruleset_with_tables_pickles(self, tmp_path):
        """A ruleset holding table arrays crosses a pickle boundary and evaluates the same."""
        root = make_ruleset(tmp_path, self.TEXT, DATA / "radiology-ptp-v321r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        copy = pickle.loads(pickle.dumps(rules))
        probe = claim(("74176", "2026-08-01"), ("74150", "2026-08-01"))
        assert copy.evaluate(probe).to_dict() == rules.evaluate(probe).to_dict()


# ---------------------------------------------------------------- against a reference implementation

CODES = ["70450", "70470", "71045", "71046", "72192", "74150", "74176", "74177", "76376", "77067"]
BYPASS = {"59", "XE", "XS", "XP", "XU", "24", "25", "27", "57", "58", "78", "79", "91"}
ANATOMIC = {"LT", "RT"}


MAI_TEXT = {1: "1 Line Edit", 2: "2 Date of Service Edit: Policy", 3: "3 Date of Service Edit: Clinical"}


def _write_random_tables(root: Path, rng: random.Random):
    quarters = [dt.date(y, m, 1) for y in range(2023, 2027) for m in (1, 4, 7, 10)]
    rows = []
    for c1 in CODES:
        for c2 in CODES:
            if c1 == c2 or rng.random() < 0.5:
                continue
            for _ in range(rng.choice((1, 1, 2))):
                start = rng.choice(quarters)
                indicator = rng.choice((0, 1, 1, 9))
                if indicator == 9:
                    end = start
                elif rng.random() < 0.5:
                    later = [q for q in quarters if q > start]
                    end = (rng.choice(later) - dt.timedelta(days=1)) if later else None
                else:
                    end = None
                rows.append((c1, c2, start, end, indicator))
    rows.sort(key=lambda r: (r[0], r[1]))
    preamble = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
    body = "".join(
        f"{c1}\t{c2}\t\t{s:%Y%m%d}\t{e:%Y%m%d}\t{i}\tMutually exclusive procedures\r\n" if e else
        f"{c1}\t{c2}\t\t{s:%Y%m%d}\t*\t{i}\tMutually exclusive procedures\r\n"
        for c1, c2, s, e, i in rows)
    (root / "cms").mkdir(parents=True)
    (root / "cms" / "random-ptp.TXT").write_bytes((preamble + body).encode("latin-1"))
    limits = {code: (rng.randint(0, 3), rng.choice((1, 2, 3))) for code in CODES if rng.random() < 0.8}
    mue = ('"notice",,,\n"HCPCS/\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,'
           'MUE Rationale\n' + "".join(f"{c},{v},{MAI_TEXT[m]},Clinical\n" for c, (v, m) in limits.items()))
    (root / "cms" / "MCR_MUE_PractitionerServices_Eff_01-01-2023.csv").write_bytes(mue.encode("latin-1"))
    (root / "main.rr").write_text('table ptp "cms/random-ptp.TXT" effective 2023-01-01\n'
                                  'table mue "cms/MCR_MUE_PractitionerServices_Eff_01-01-2023.csv"\n')
    return rows, limits


def _days(line) -> list:
    """Every day of a line: its date, or each day of its span."""
    first = dt.date.fromisoformat(line["date"])
    last = dt.date.fromisoformat(line.get("end_date", line["date"]))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _reference(rows, limits, lines):
    """A plain implementation of domain.md §1 and §2, written apart from the engine: every day of every
    line's span is a date of service of the line, judged day by day."""
    ptp = set()
    for i, a in enumerate(lines):
        for j, b in enumerate(lines):
            if i == j:
                continue
            for day in sorted(set(_days(a)) & set(_days(b))):
                for c1, c2, start, end, indicator in rows:
                    if (c1, c2) != (a["code"], b["code"]) or indicator == 9:
                        continue
                    if not (start <= day and (end is None or day <= end)):
                        continue
                    if indicator == 1:
                        mods_a, mods_b = set(a["modifiers"]), set(b["modifiers"])
                        if mods_b & BYPASS or (mods_b & ANATOMIC) - mods_a:
                            continue
                    ptp.add((j + 1, i + 1))

    def per_day(line):  # units divided over the days of a span, rounded to nearest (§2.1)
        return int(line["units"] / len(_days(line)) + 0.5)

    def over(value, numbers):  # a limit of 0: any units break it, also a span's that round to 0 a day
        units = [per_day(lines[n - 1]) for n in numbers]
        return sum(units) > value or (value == 0 and any(lines[n - 1]["units"] > 0 for n in numbers))

    mue = set()
    denied: dict = {}  # code -> the lines a finding of its limit names: a later day's group only with a new one
    for day in sorted({day for line in lines for day in _days(line)}):
        groups: dict = {}
        for number, line in enumerate(lines, 1):
            if line["code"] in limits and day in _days(line):
                value, mai = limits[line["code"]]
                groups.setdefault((line["code"], number if mai == 1 else None), []).append(number)
        for (code, _), numbers in groups.items():
            if over(limits[code][0], numbers) and not set(numbers) <= denied.get(code, set()):
                mue.add(tuple(numbers))
                denied.setdefault(code, set()).update(numbers)
    return ptp, mue


def test_engine_matches_reference_implementation(tmp_path):
    """On thousands of random claims, some with date spans, the engine's PTP and MUE findings equal a plain
    reference implementation."""
    rng = random.Random(20261126)
    rows, limits = _write_random_tables(tmp_path / "rules", rng)
    rules = radrules.load(tmp_path / "rules", cache_dir=None)
    dates = [f"{y}-{m:02d}-{d:02d}" for y in (2023, 2024, 2025, 2026) for m in (1, 3, 4, 6, 7, 9, 10, 12)
             for d in (1, 30)]
    checked = fired_ptp = 0
    for _ in range(3000):
        day = rng.choice(dates)
        lines = []
        for _ in range(rng.randint(1, 6)):
            lines.append({
                "code": rng.choice(CODES),
                "modifiers": rng.sample(["59", "XS", "LT", "RT", "26", "76", "25"], rng.choice((0, 0, 1, 2))),
                "units": rng.choice((1, 1, 2, 3, 6)),
                "date": day if rng.random() < 0.8 else rng.choice(dates),
            })
            if rng.random() < 0.25:  # a span of days, that may cross a quarter (dates are 1st and 30th)
                first = dt.date.fromisoformat(lines[-1]["date"])
                lines[-1]["end_date"] = (first + dt.timedelta(days=rng.randint(1, 4))).isoformat()
        result = rules.evaluate({"id": "R", "diagnoses": [], "lines": lines})
        engine_ptp = {(f.lines[0], f.related_lines[0]) for f in result.findings if f.rule == "ncci.ptp"}
        engine_mue = {f.lines for f in result.findings if f.rule == "ncci.mue"}
        expected_ptp, expected_mue = _reference(rows, limits, lines)
        assert engine_ptp == expected_ptp, lines
        assert engine_mue == expected_mue, lines
        checked += 1
        fired_ptp += bool(expected_ptp)
    assert checked == 3000 and fired_ptp > 300  # the claims really exercise the edits


class TestPartners:
    """A column-1 code's partners: read from the sorted slice at first, a set once the code is common."""

    @pytest.fixture
    def table(self, tmp_path):
        rng = random.Random(7)
        _write_random_tables(tmp_path / "rules", rng)
        rules = radrules.load(tmp_path / "rules", cache_dir=None)
        table = next(t.table for t in rules.tables if t.kind == "ptp")
        table.partner_cache.clear()  # the in-process cache shares the table between loads
        return table

    def test_slice_and_set_answer_alike(self, table, monkeypatch):
        from radrules.tables import store

        monkeypatch.setattr(store, "PARTNERS_PER_SEARCH", 2)  # most codes of this small table start as slices
        asked = CODES + ["99999"]  # and a code the table does not list
        slices = 0
        for code in CODES:
            lo, hi = table.col1.get(code, (0, 0))
            expected = {table.codes[table.col2[i]] for i in range(lo, hi)}
            partners = table.partners(code)
            many = hi - lo > store.PARTNERS_PER_SEARCH  # else a set at once
            assert type(partners) is (store.SlicePartners if many else frozenset)
            slices += many
            for other in asked:
                assert (other in partners) == (other in expected)
            for start in range((hi - lo) // store.PARTNERS_PER_SEARCH):
                group = asked[start % len(asked):][:3]
                assert partners.isdisjoint(group) == expected.isdisjoint(group)
            promoted = table.partners(code)
            assert type(promoted) is frozenset and promoted == frozenset(expected)
        assert slices >= 5

    def test_cache_is_bounded(self, table, monkeypatch):
        from radrules.tables import store

        monkeypatch.setattr(store, "PARTNER_CACHE_CODES", 3)
        for code in CODES + ["99999"]:
            table.partners(code)
            assert len(table.partner_cache) <= 3
        assert table.partners("99999") == frozenset()  # a code with no rows has no partners

    def test_codes_outside_column_1_take_no_entries(self, table, monkeypatch):
        """A code with no column-1 rows is answered from the index: however many a claim brings, the
        partner sets already made stay."""
        from radrules.tables import store

        monkeypatch.setattr(store, "PARTNER_CACHE_CODES", 4)
        listed = [code for code in CODES if code in table.col1][:4]
        kept = {code: table.partners(code) for code in listed}
        for serial in range(1000):
            assert table.partners("%04dU" % serial) == frozenset()
        assert table.partner_cache == kept

    def test_a_full_cache_is_trimmed_while_another_thread_adds(self, table, monkeypatch):
        """Another thread may add a partner set at any switch between bytecodes, which a garbage collection can
        make (its callbacks run Python code). The trim iterated the shared dict, and a key added by then raised
        "dictionary changed size during iteration" (2 in 480,000 claims over 8 threads). Here a collection at
        every allocation adds a key, as that thread would."""
        import gc
        from radrules.tables import store

        monkeypatch.setattr(store, "PARTNER_CACHE_CODES", 4)
        listed = [code for code in CODES if code in table.col1][:5]
        for code in listed[:4]:
            table.partners(code)

        added = []

        def other_thread(phase, info):
            if phase == "start":
                added.append("%04dT" % len(added))
                table.partner_cache[added[-1]] = frozenset()

        threshold = gc.get_threshold()
        gc.callbacks.append(other_thread)
        gc.set_threshold(1)
        try:
            table.partners(listed[4])
        finally:
            gc.set_threshold(*threshold)
            gc.callbacks.remove(other_thread)
        assert added and listed[4] in table.partner_cache and listed[0] not in table.partner_cache

    def test_a_full_cache_keeps_the_later_half(self, table, monkeypatch):
        from radrules.tables import store

        monkeypatch.setattr(store, "PARTNER_CACHE_CODES", 4)
        listed = [code for code in CODES if code in table.col1][:5]
        for code in listed:
            table.partners(code)
        assert list(table.partner_cache) == listed[2:]

    def test_a_count_stepped_past_zero_still_makes_the_set(self, table, monkeypatch):
        """Threads decrement ``searches_left`` unlocked: two can step it from 1 to -1 together, and the
        code must still get its set."""
        from radrules.tables import store

        monkeypatch.setattr(store, "PARTNERS_PER_SEARCH", 2)
        code = max(table.col1, key=lambda code: table.col1[code][1] - table.col1[code][0])
        view = table.partners(code)
        assert type(view) is store.SlicePartners
        view.searches_left = 0  # as if another thread's decrement had come between this one's and its test
        view.isdisjoint(("99999",))
        assert type(table.partners(code)) is frozenset

    def test_pickled_table_starts_with_an_empty_cache(self, table):
        table.partners(CODES[0])
        copy = pickle.loads(pickle.dumps(table))
        assert table.partner_cache and copy.partner_cache == {}
        assert set(copy.col2) == set(table.col2) and copy.col1 == table.col1


def test_row_cache_is_bounded_and_answers_like_the_table(tmp_path, monkeypatch):
    """The indexed lookup remembers a pair's table rows: the same rows the table gives, at most
    ROW_CACHE_PAIRS pairs, and a pickled ruleset starts with an empty cache."""
    from radrules import lookups

    _write_random_tables(tmp_path / "rules", random.Random(7))
    rules = radrules.load(tmp_path / "rules", cache_dir=None)
    monkeypatch.setattr(lookups, "ROW_CACHE_PAIRS", 5)
    view = rules.view_for(None, "professional")
    lookup, tables = view.lookup, view.ptp_tables
    lookup.row_cache.clear()
    found = 0
    for index, table in enumerate(tables.tables):
        for first in CODES:
            for second in CODES:
                expected = table.rows(first, second, tables.blocks[index])
                assert lookup.table_rows(index, first, second) == expected
                assert lookup.table_rows(index, first, second) == expected  # from the cache
                assert len(lookup.row_cache) <= 5
                found += bool(expected)
    assert found > 10 and lookup.row_cache
    copy = pickle.loads(pickle.dumps(rules))
    assert all(item.lookup.row_cache == {} for item in copy.views.values())


class _Planted:
    """A pickle that writes a file when loaded (for the test of planted cache files)."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (_touch, (self.path,))


def _touch(path: str):
    from pathlib import Path as _Path

    _Path(path).write_text("unpickled")
    return None


def test_addon_edits_of_a_code_keep_the_file_order_of_their_rows():
    """An add-on code's edits are in the order of their first rows in the file: row 9 before row 10 (as text,
    `:10` came first, so a finding could name a later row as the edit's first)."""
    from radrules.tables.timeline import bind_addon

    rows = [(1, "77067", 20200101, 20201231, None, None, "aoc.csv:10"),
            (1, "77066", 20210101, None, None, None, "aoc.csv:9")]
    assert [edit.source for edit in bind_addon("77063", rows, None)] == ["aoc.csv:9", "aoc.csv:10"]


class TestProblemsPastTheLimit:
    def test_a_problem_past_the_limit_costs_a_count_not_a_scan(self, monkeypatch):
        """Past 50 errors shown, each further problem is counted without looking at the 50 (3M bad PTP rows cost
        150M `is_error` calls); the counts stay right."""
        from radrules.errors import Diagnostic
        from radrules.tables.common import Problems

        problems = Problems("t.csv")
        for row in range(1, 51):
            problems.add("RR507", "bad", row, "x", severity="error")
        calls = []
        monkeypatch.setattr(Diagnostic, "is_error", property(lambda d: calls.append(1) or d.severity == "error"))
        for row in range(51, 10_051):
            problems.add("RR507", "bad", row, "x", severity="error" if row % 2 else "warning")
        assert len(calls) < 100
        assert (len(problems.diagnostics), problems.hidden, problems.hidden_errors) == (50, 10_000, 5_000)

    def test_errors_still_take_the_place_of_warnings_shown(self):
        """After 50 warnings, 60 errors: the first 50 errors are shown, the 50 warnings and 10 errors counted."""
        from radrules.tables.common import Problems

        problems = Problems("t.csv")
        for row in range(1, 51):
            problems.add("RR518", "odd", row, "x", severity="warning")
        for row in range(51, 111):
            problems.add("RR507", "bad", row, "x")
        assert [d.span.line for d in problems.diagnostics] == list(range(51, 101))
        assert (problems.hidden, problems.hidden_errors) == (60, 10)
        (*_, summary) = problems.finish()
        assert (summary.code, summary.severity, summary.hidden, summary.hidden_errors) == ("RR519", "error", 60, 10)


class TestLineFarLongerThanARow:
    MUE = 'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n'
    HEADER = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"

    @pytest.fixture
    def small_field_limit(self):
        """The csv module's field size limit at 1,000 (of 131,072), so that a line of a few KB is past it."""
        import csv

        before = csv.field_size_limit(1000)
        yield
        csv.field_size_limit(before)

    def _error(self, tmp_path, text: str):
        root = make_ruleset(tmp_path, self.MUE)
        (root / "cms" / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv").write_text(text, encoding="latin-1")
        return only_error(root)

    def test_a_huge_line_without_a_quote_says_so(self, tmp_path, small_field_limit):
        """A line with no quote past the csv module's limit is "far longer than any table row", with its length
        (it said a quote opened a field without closing it); its rendering is a clipped line, not 5,000 `^`."""
        error = self._error(tmp_path, self.HEADER + "74170,1,1 Line Edit,x\n" + "7" * 5000 + "\n")
        assert (error.code, error.span.line) == ("RR506", 3)
        assert error.message == "this line is far longer than any table row: 5,000 characters"
        assert "quote" not in error.help and "line breaks" in error.help
        assert len(error.render()) < 600

    def test_a_quote_inside_a_field_opens_nothing(self, tmp_path, small_field_limit):
        """A quote inside a field (`5" film`) of a huge line opens no field: the line is still said too long."""
        error = self._error(tmp_path, self.HEADER + '74170,1,1 Line Edit,5" film ' + "x" * 5000 + "\n")
        assert error.message.startswith("this line is far longer than any table row")

    def test_an_open_quote_is_still_said_to_be_one(self, tmp_path, small_field_limit):
        """A record whose first line has a quote, past the limit, is still the quote left open."""
        error = self._error(tmp_path, self.HEADER + '74170,1,"9 Line Edit,x\n' + "74171,1,9 Line Edit,x\n" * 100)
        assert error.message == "this record can't be read as CSV: a quoted field runs on for too long"
        assert error.help == "a quote (`\"`) opens a field here without closing it"


class TestFieldsAsPublished:
    """Fields hold what CMS publishes: an MAI's label is its digit's, an add-on code is no primary of itself, one
    add-on code has one edit type at a time, and codes and values have no white space around them."""

    @staticmethod
    def _mue(tmp_path, rows: str):
        root = make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n')
        (root / "cms" / MUE_NAME).write_bytes((MUE_HEADER + rows).encode("latin-1"))
        return root

    @staticmethod
    def _addon(tmp_path, rows: str):
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n')
        (root / "cms" / "aoc_v2026q3.csv").write_text(AOC_HEADER + rows, encoding="latin-1")
        return root

    @pytest.mark.parametrize("mai, expected", [
        ("1 Line Edit", 1), ("2 Date of Service Edit: Policy", 2), ("3 Date of Service Edit: Clinical", 3),
        ("2", 2), ("3 date of service edit:  CLINICAL", 3), ("2 Date of Service Edit:Policy", 2),
    ])
    def test_published_mai_labels_and_bare_digits_read(self, tmp_path, mai, expected):
        """The published labels (case and the white space between words aside) and a bare digit give the MAI."""
        rules = radrules.load(self._mue(tmp_path, f"74177,1,{mai},x\r\n"), cache_dir=None)
        assert rules.tables[0].table.entries["74177"][0][1] == expected

    @pytest.mark.parametrize("mai, message, help", [
        ("1 Date of Service Edit: Policy",
         "`1 Date of Service Edit: Policy` is not an MUE adjudication indicator: `Date of Service Edit: Policy` is "
         "the label of MAI 2, not 1",
         "MAI 1 is `1 Line Edit`, MAI 2 `2 Date of Service Edit: Policy`: is the digit or the label damaged?"),
        ("2 Line Edit", "`2 Line Edit` is not an MUE adjudication indicator: `Line Edit` is the label of MAI 1, not 2",
         "MAI 2 is `2 Date of Service Edit: Policy`, MAI 1 `1 Line Edit`: is the digit or the label damaged?"),
        ("2 garbage words here",
         "`2 garbage words here` is not an MUE adjudication indicator: `garbage words here` is not an MAI label",
         "MAI 2 is written `2 Date of Service Edit: Policy` (or `2` alone), as CMS publishes it: is the row "
         "damaged?"),
    ])
    def test_an_mai_label_that_is_not_its_digits_is_an_error(self, tmp_path, mai, message, help):
        """A label that contradicts its digit, or words that are no label, are RR509 at the field (only the digit
        was read, so `1 Date of Service Edit: Policy` judged lines one by one)."""
        error = only_error(self._mue(tmp_path, f"74177,1,{mai},x\r\n"))
        assert (error.code, error.span.line, error.span.column) == ("RR509", 4, 9)
        assert (error.message, error.help) == (message, help)

    @pytest.mark.parametrize("row, code, column, message, hint", [
        (" 74177 ,1,2,x", "RR507", 1, "` 74177 ` is not a procedure code", "the code has white space around it "
         "(`74177` is a code)"),
        ("74177,\t1 ,2,x", "RR509", 7, "`\t1 ` is not a unit limit (a whole number, 0 or more)",
         "the unit limit has white space around it (`1` is a unit limit)"),
        ("74177,1, 2 Date of Service Edit: Policy,x", "RR509", 9, "` 2 Date of Service Edit: Policy` is not an "
         "MUE adjudication indicator (1, 2 or 3)", "the MAI has white space around it (`2 Date of Service Edit: "
         "Policy` is an MAI)"),
        ('" 74177",1,2,x', "RR507", 2, "` 74177` is not a procedure code", "the code has white space around it "
         "(`74177` is a code)"),
    ], ids=["code", "unit limit", "MAI", "quoted code"])
    def test_mue_fields_with_white_space_around_them_are_errors(self, tmp_path, row, code, column, message, hint):
        """As in a PTP file, a padded code or value is refused: CMS's files have none (the row loaded)."""
        error = only_error(self._mue(tmp_path, row + "\r\n"))
        assert (error.code, error.span.line, error.span.column, error.message) == (code, 4, column, message)
        assert error.help.startswith(hint + ": a CMS file's fields have none")

    def test_an_add_on_code_listed_as_its_own_primary_is_warned_of_and_never_its_own_primary(self, tmp_path):
        """`77063,77063,1` let two 77063 lines count as each other's primary, so both were paid. The row is now
        RR528 (a warning: the file's layout is not verified, and an error would refuse the whole file) and a
        line never counts as the primary of its own code; in a rule file the same row is RR220."""
        rules = radrules.load(self._addon(tmp_path, "77063,77063,1,,,,2017001,\n77067,77063,1,,,,2017001,\n"),
                              cache_dir=None)
        [warning] = rules.warnings
        assert (warning.code, warning.severity, warning.span.line, warning.span.column) == ("RR528", "warning", 2, 1)
        assert warning.message == "77063 is listed as its own primary"

        def denied(*lines):
            claim = {"lines": [{"code": code, "date": "2026-08-03", "modifiers": mods} for code, mods in lines]}
            return {n for f in rules.evaluate(claim).findings if f.severity == "deny" for n in f.lines}

        assert denied(("77063", []), ("77063", ["76"])) == {1, 2}
        assert denied(("77067", []), ("77063", [])) == set()

    @pytest.mark.parametrize("rows", [
        "77067,77063,1,,,,2017001,\n77067,77063,2,,,,2017001,\n",
        "77067,77063,1,,,,2017001,\nCCCCC,77063,2,,,,2010001,2017001\n",
        "77067,77063,3,,,,2017001,\n77066,77063,1,,2026181,,2010001,\n",
    ], ids=["one pair twice", "another primary, one day shared", "up to the add-on code's deletion"])
    def test_rows_of_one_add_on_code_with_two_types_in_force_together_are_a_warning(self, tmp_path, rows):
        """An add-on code has one edit type (domain.md §3): a row of another type in force on a day of an earlier
        row is RR526 at its type, naming that row (a type 2 row makes the type 1 rows' primaries moot). CMS's
        file is not verified never to do it, so both rows are kept."""
        rules = radrules.load(self._addon(tmp_path, rows), cache_dir=None)
        [warning] = rules.warnings
        assert (warning.code, warning.span.line, warning.span.column) == ("RR526", 3, 13)
        assert warning.message.startswith("77063 has edit type ")
        assert warning.message.endswith(" on a row in force on the same days (at rules/cms/aoc_v2026q3.csv:2)")
        assert len(rules.tables[0].table.entries["77063"]) == 2

    def test_two_types_are_warned_once_an_add_on_code(self, tmp_path):
        """Every later row of the other type is the same news: one warning a code."""
        rows = "77067,77063,1,,,,2017001,\nCCCCC,77063,2,,,,2017001,\n77066,77063,3,,,,2017001,\n" \
               "77066,G0279,1,,,,2017001,\n77065,G0279,3,,,,2017001,\n"
        rules = radrules.load(self._addon(tmp_path, rows), cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR526", 3), ("RR526", 6)]

    def test_an_add_on_code_may_change_type_between_dates(self, tmp_path):
        """A type that ends (by its edit's or its add-on code's deletion date) may be followed by another."""
        rows = ("77067,77063,1,,,,2010001,2016366\nCCCCC,77063,2,,,,2017001,\n"
                "77066,G0279,3,,2016366,,2010001,\n77065,G0279,1,,,,2017001,\n77065,G0279,1,,,,2017001,\n")
        rules = radrules.load(self._addon(tmp_path, rows), cache_dir=None)
        assert sorted(rules.tables[0].table.entries) == ["77063", "G0279"]

    def test_addon_fields_with_white_space_around_them_load_without_it(self, tmp_path):
        """Unlike the PTP and MUE loaders, the add-on code loader reads padded fields: its file's layout is not
        verified (domain.md §8.3) and was fixed-width until 2023."""
        rows = "77067,77063 ,1 ,,,, 2017001,\n CCCCC,76377,2,,,,2010001, \n"
        rules = radrules.load(self._addon(tmp_path, rows), cache_dir=None)
        entries = rules.tables[0].table.entries
        assert sorted(entries) == ["76377", "77063"]
        assert [row[:2] for row in entries["77063"]] == [(1, "77067")]
        assert [row[:2] for row in entries["76377"]] == [(2, None)]

    @pytest.mark.parametrize("before, after, code, column, hint", [
        ("74177,,", "74177 ,,", "RR507", 1, "the code has white space around it (`74177` is a code)"),
        ("74177,26,", "74177,26 ,", "RR509", 7, "the modifier has white space around it (`26` is a modifier)"),
        ("74177,,", "74177, ,", "RR509", 7, "the field holds only white space"),
    ], ids=["code", "modifier", "blank modifier"])
    def test_mpfs_fields_with_white_space_around_them_are_errors(self, tmp_path, before, after, code, column,
                                                                 hint):
        """The MPFS CSV loader refuses padding as the PTP and MUE loaders do."""
        text = (DATA / "PPRRVU26_JUL.csv").read_text(encoding="latin-1")
        lines = text.splitlines(keepends=True)
        number = next(n for n, line in enumerate(lines, 1) if line.startswith(before))
        lines[number - 1] = lines[number - 1].replace(before, after, 1)
        root = make_ruleset(tmp_path, 'table pctc "cms/PPRRVU26_JUL.csv"\n')
        (root / "cms" / "PPRRVU26_JUL.csv").write_text("".join(lines), encoding="latin-1")
        error = only_error(root)
        assert (error.code, error.span.line, error.span.column) == (code, number, column)
        assert error.help.startswith(hint)


class TestOneFileForBothClaimTypes:
    """CMS's one add-on file loaded for professional and for institutional claims: what it says is said once."""

    TEXT = 'table addon "cms/aoc_v2026q3.csv"\ntable addon "cms/aoc_v2026q3.csv" for institutional claims\n'

    def _root(self, tmp_path, rows: str) -> Path:
        root = make_ruleset(tmp_path, self.TEXT)
        (root / "cms" / "aoc_v2026q3.csv").write_bytes((AOC_HEADER + rows).encode("latin-1"))
        return root

    def test_two_edit_types_are_warned_once_in_text_json_and_the_counts(self, tmp_path, capsys):
        """The second statement took the table, and its RR526, from the cache: the ruleset held the warning
        twice, so `check` printed it once but counted 2 warnings, and its JSON listed it twice."""
        from radrules.cli import main

        root = self._root(tmp_path, "77067,77063,1,,,,2017001,\nCCCCC,77063,2,,,,2017001,\n")
        rules = radrules.load(root, cache_dir=None)
        assert [(w.code, w.span.line) for w in rules.warnings] == [("RR526", 3)]
        assert main(["check", "--cache-dir", "", str(root)]) == 0
        captured = capsys.readouterr()
        assert captured.out.splitlines()[0].endswith(", 1 warning")
        assert captured.err.count("warning[RR526]") == 1
        assert main(["check", "--cache-dir", "", "--format", "json", str(root)]) == 0
        listed = json.loads(capsys.readouterr().out)["diagnostics"]
        assert [(d["code"], d["line"]) for d in listed] == [("RR526", 3)]

    def test_a_file_cut_short_is_warned_once(self, tmp_path):
        """RR521 the same, for a PTP file whose name says no setting loaded for both claim types."""
        root = make_ruleset(tmp_path, 'table ptp "cms/radiology-ptp-v322r0-f1.TXT"\n'
                                      'table ptp "cms/radiology-ptp-v322r0-f1.TXT" for institutional claims\n')
        text = PTP_HEADER + "74176\t74150\t\t20110101\t*\t0\tMisuse\r\n74177\t74160\t\t20110101\t*\t1\tCPT"
        (root / "cms" / "radiology-ptp-v322r0-f1.TXT").write_bytes(text.encode("latin-1"))
        [warning] = radrules.load(root, cache_dir=None).warnings
        assert (warning.code, warning.span.line) == ("RR521", 3)

    def test_an_error_of_the_file_is_reported_once(self, tmp_path):
        """A table with errors is not cached, so each statement reads it: its error is still given once."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(self._root(tmp_path, "7706,77063,1,,,,2017001,\n"), cache_dir=None)
        assert [(e.code, e.span.line) for e in caught.value.errors] == [("RR507", 2)]


class TestClearMemoryCache:
    def test_a_dropped_ruleset_is_freed_with_its_tables(self, tmp_path):
        """The last tables loaded are kept in memory when no ruleset holds them: a service that swaps to a new
        quarter's ruleset frees the old one's tables with clear_memory_cache (the disk cache stays)."""
        import gc
        import weakref

        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', SPECIMENS / "ccipra-v322r0-f1.TXT")
        rules = radrules.load(root, cache_dir=tmp_path / "cache")
        table = weakref.ref(rules.tables[0].table)
        del rules
        gc.collect()
        assert table() is not None  # kept for a ruleset loaded again
        radrules.clear_memory_cache()
        gc.collect()
        assert table() is None
        again = radrules.load(root, cache_dir=tmp_path / "cache")
        assert len(again.tables[0].table) == 19 and again.tables[0].from_cache == "disk"

    def test_a_table_a_ruleset_holds_is_still_shared(self, tmp_path):
        root = make_ruleset(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n', SPECIMENS / "ccipra-v322r0-f1.TXT")
        rules = radrules.load(root, cache_dir=None)
        radrules.clear_memory_cache()
        assert radrules.load(root, cache_dir=None).tables[0].table is rules.tables[0].table


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="folders have owners and modes on POSIX")
def test_a_cache_folder_swapped_for_a_link_during_a_load_is_not_written_through(tmp_path, monkeypatch):
    """A cache folder replaced by a link after the load checked it (a cache folder in a shared folder such as
    /tmp, raced by another user) is not written in: the pickle and the pruning stay out of the folder the link
    leads to, and RR530 says the cache is not private."""
    from radrules.tables import reading

    root = make_ruleset(tmp_path, f'table mue "cms/{MUE_NAME}"\n', DATA / MUE_NAME)
    cache, elsewhere = tmp_path / "cache", tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    load_mue = reading._LOADERS["mue"]

    def load_then_swap(*args):
        if not cache.is_symlink():  # (the folder holds the parsed rule file, and was checked as private)
            cache.rename(tmp_path / "cache.moved")
            cache.symlink_to(elsewhere, target_is_directory=True)
        return load_mue(*args)

    monkeypatch.setitem(reading._LOADERS, "mue", load_then_swap)
    reading._MEMORY.clear()
    rules = radrules.load(root, cache_dir=cache)
    assert list(elsewhere.iterdir()) == []
    assert [w.message for w in rules.warnings] == [
        f"can't write the table cache in `{cache}` (it is not private: it is a link (name the folder it points "
        f"to)): the table of `rules/cms/{MUE_NAME}` is not kept on disk, so every new process reads it from its "
        "files"]


@pytest.mark.parametrize("kind, name, header", [("mue", MUE_NAME, MUE_HEADER),
                                                 ("ptp", "ccipra-v322r0-f1.TXT", PTP_HEADER)])
def test_a_table_file_of_millions_of_tiny_lines_is_refused_before_it_is_split(tmp_path, monkeypatch, kind, name,
                                                                             header):
    """A table file with more lines than any of its kind (millions of `ab` lines: each costs about 60 bytes once
    split, so 64 MiB of them took 1.9 GB and 35 s to be found all wrong) is one RR505 at the statement."""
    from radrules.tables import ptp

    monkeypatch.setattr(ptp, "MAX_PTP_LINES", 1 << 20)  # (the PTP limit, 8 Mi lines, made small: the file stays small)
    root = tmp_path / "rules"
    (root / "cms").mkdir(parents=True)
    (root / "cms" / name).write_text(header + "ab\n" * (1 << 20), encoding="latin-1")
    (root / "main.rr").write_text(f'table {kind} "cms/{name}"\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(root, cache_dir=None)
    lines = header.count("\n") + (1 << 20)
    assert [(e.code, e.message, e.span.line) for e in caught.value.errors] == [
        ("RR505", f"`rules/cms/{name}` has {lines:,} lines, more than any table file of its kind (radrules reads at "
                  "most 1,048,576)", 1)]
