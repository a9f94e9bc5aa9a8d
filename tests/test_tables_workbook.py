"""CMS tables given as Excel workbooks (.xlsx, the `xlsx` extra): read like their CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import radrules
from radrules.tables import reading
from radrules.tables.workbook import WorkbookError, workbook_text

from test_tables import DATA, SPECIMENS, claim, fired, make_ruleset


def records(path: Path) -> list[list[str]]:
    """The fields of each record of a tab-separated TXT or CSV fixture."""
    text = path.read_bytes().decode("latin-1")
    if path.suffix.upper() == ".TXT" and "\t" in text:
        return [line.rstrip("\r").split("\t") for line in text.rstrip("\n").split("\n")]
    return list(csv.reader(io.StringIO(text, newline="")))


def typed(field: str, dates: bool = False):
    """A cell as a spreadsheet keeps it: empty as no value, dates and small counts as numbers (dates as dates,
    in a date format, if ``dates``)."""
    if field == "":
        return None
    if dates and field.isdigit() and len(field) == 8 and field[:2] in ("19", "20"):
        return dt.datetime(int(field[:4]), int(field[4:6]), int(field[6:]))
    if field.isdigit() and (len(field) <= 3 or (len(field) == 8 and field[:2] in ("19", "20"))):
        return int(field)
    return field


def save_workbook(rows: list[list], path: Path, before: list[list] = ()) -> Path:
    """A one-sheet workbook of ``rows`` (after the sheets ``before``, when given, a sheet per list)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for number, extra in enumerate(before):
        other = book.create_sheet(f"Notes {number}", 0)  # inserted ahead of the table's sheet
        for row in extra:
            other.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def workbook_of(fixture: Path, folder: Path, name: str | None = None, dates: bool = False) -> Path:
    """The fixture's records as a workbook (typed cells, line breaks kept inside cells; YYYYMMDD dates as dates
    if ``dates``)."""
    rows = [[typed(field, dates) for field in record] for record in records(fixture)]
    return save_workbook(rows, folder / (name or fixture.stem + ".xlsx"))


def load_one(tmp_path: Path, statement: str, *files: Path, name: str = "rules"):
    (loaded,) = radrules.load(make_ruleset(tmp_path, statement, *files, name=name), cache_dir=None).tables
    return loaded


def without_sources(entries: dict) -> dict:
    """Table entries (code -> rows, or one row, ending in "file:row") without the source field."""
    def strip(rows):
        return rows[:-1] if isinstance(rows[-1], str) else tuple(row[:-1] for row in rows)
    return {code: strip(rows) for code, rows in entries.items()}


class TestSameTableAsText:
    """A workbook of a fixture's records loads the same table as the fixture itself."""

    @pytest.mark.parametrize("fixture", [SPECIMENS / "ccipra-v322r0-f1.TXT", DATA / "radiology-ptp-v322r0-f1.TXT",
                                         DATA / "radiology-ptp-export.csv"])
    def test_ptp(self, tmp_path, fixture):
        """Preamble rows, wrapped header cells, `*` markers and numeric dates read as in the text file;
        every row keeps its row number (one sheet row per text line)."""
        effective = " effective 2026-07-01" if fixture.suffix == ".csv" else ""
        text = load_one(tmp_path, f'table ptp "cms/{fixture.name}"{effective}\n', fixture, name="text").table
        book = workbook_of(fixture, tmp_path / "book")
        sheet = load_one(tmp_path, f'table ptp "cms/{book.name}"{effective}\n', book, name="sheet").table
        assert len(sheet) == len(text) > 0
        for column in ("codes", "col1", "col2", "start", "end", "indicator", "rationale", "row", "rationales"):
            assert getattr(sheet, column) == getattr(text, column), column
        assert sheet.files == (book.name,)

    def test_mue_specimen(self, tmp_path):
        """The real MUE specimen, header cell with its line break, MAI as text, values as numbers."""
        fixture = SPECIMENS / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        text = load_one(tmp_path, f'table mue "cms/{fixture.name}"\n', fixture, name="text").table
        book = workbook_of(fixture, tmp_path / "book")
        loaded = load_one(tmp_path, f'table mue "cms/{book.name}"\n', book, name="sheet")
        assert without_sources(loaded.table.entries) == without_sources(text.entries) != {}
        assert loaded.start == dt.date(2026, 7, 1).toordinal()  # from the file name, as for the CSV
        sheet = openpyxl.load_workbook(book).active
        code, rows = next(iter(loaded.table.entries.items()))
        row = int(rows[0][-1].rsplit(":", 1)[1])
        assert rows[0][-1] == f"{book.name}:{row}" and sheet.cell(row, 1).value == code  # the sheet's row

    @pytest.mark.parametrize("fixture", ["aoc_v2026q3.csv", "PPRRVU26_JUL.csv", "HCPC2026_JUL_ANWEB.csv"])
    def test_other_kinds(self, tmp_path, fixture):
        """Add-on (Julian and calendar dates as numbers), PC/TC (stacked captions) and HCPCS exports."""
        kind = {"aoc": "addon", "PPR": "pctc", "HCP": "hcpcs"}[fixture[:3]]
        text = load_one(tmp_path, f'table {kind} "cms/{fixture}"\n', DATA / fixture, name="text").table
        book = workbook_of(DATA / fixture, tmp_path / "book")
        sheet = load_one(tmp_path, f'table {kind} "cms/{book.name}"\n', book, name="sheet").table
        if kind == "pctc":
            assert sheet.entries == text.entries and sheet.entries["pctc"]
        else:
            assert without_sources(sheet.entries) == without_sources(text.entries) != {}


class TestCells:
    def test_cells_read_as_a_csv_export_writes_them(self, tmp_path):
        """Dates as YYYYMMDD, whole numbers without `.0`, zero-padded codes with their zeros, booleans,
        line breaks as spaces, commas quoted, empty rows as empty lines."""
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Code\nnumber", "Effective", "Units", "Flag", "Note"])
        sheet.append([100, dt.datetime(2026, 7, 1), 2.0, True, "a, b"])
        sheet["A2"].number_format = "00000"
        sheet.append([None] * 5)
        sheet.append(["74177", dt.date(2026, 1, 2), 1.5, False, None])
        data = io.BytesIO()
        book.save(data)
        assert workbook_text(data.getvalue()).split("\n") == [
            "Code number,Effective,Units,Flag,Note",
            '00100,20260701,2,TRUE,"a, b"',
            "",
            "74177,20260102,1.5,FALSE,",
            "",
        ]

    def test_rows_past_an_understated_dimension_are_read(self, tmp_path):
        """Some writers understate a sheet's <dimension> range; openpyxl's read-only mode trusts it unless
        told not to. Every row and column the sheet holds is read."""
        rows = [["HCPCS/\nCPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator",
                 "MUE Rationale"], ["71046", 2, "1 Line Edit", "x"], ["74177", 1, "2 Date of Service Edit: Policy", "y"]]
        book = save_workbook(rows, tmp_path / "book" / "MCR_MUE_PractitionerServices_Eff_07-01-2026.xlsx")
        with zipfile.ZipFile(book) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        understated = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', members[sheet])
        assert understated != members[sheet]
        with zipfile.ZipFile(book, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, understated if name == sheet else content)
        text = workbook_text(book.read_bytes())
        assert text.splitlines()[1:] == ["71046,2,1 Line Edit,x", "74177,1,2 Date of Service Edit: Policy,y"]
        loaded = load_one(tmp_path, f'table mue "cms/{book.name}"\n', book)
        assert sorted(loaded.table.entries) == ["71046", "74177"]

    def test_only_the_first_sheet_is_read(self, tmp_path):
        """A workbook's first sheet is the table; later sheets are ignored."""
        path = save_workbook([["notes about the file"]], tmp_path / "x.xlsx",
                             before=[[["Code", "Units"], ["74177", 1]]])
        assert workbook_text(path.read_bytes()) == "Code,Units\n74177,1\n"

    @pytest.mark.parametrize("table_sheet", [True, False], ids=["table on a later sheet", "no sheet has it"])
    def test_a_header_on_a_later_sheet_only_is_named(self, tmp_path, table_sheet):
        """A workbook whose first sheet is a cover page, the table on a later one, is RR520 naming the worksheet
        that has the header: the error was the first sheet's want of one, which reads as a file of another kind."""
        rows = [["Primary Code", "Add-on Code", "AOC Edit Type"], ["77067", "77063", 1]] if table_sheet else \
            [["Some other", "sheet"]]
        book = openpyxl.Workbook()
        book.active.title = "Read Me"
        book.active.append(["A cover page of our own."])
        other = book.create_sheet("AOC Edits")
        for row in rows:
            other.append(row)
        (tmp_path / "src").mkdir()
        book.save(tmp_path / "src" / "aoc_v2026q3.xlsx")
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.xlsx"\n', tmp_path / "src" / "aoc_v2026q3.xlsx")
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(root, cache_dir=None)
        (error,) = caught.value.errors
        if table_sheet:
            assert (error.code, error.message) == ("RR520", "`rules/cms/aoc_v2026q3.xlsx`'s first worksheet, `Read "
                                                             "Me`, has no header; its worksheet `AOC Edits` has one "
                                                             "(row 1)")
            assert "move that worksheet first" in error.help
        else:
            assert (error.code, error.message) == ("RR505", "`rules/cms/aoc_v2026q3.xlsx` has no add-on code header")


@pytest.mark.parametrize("title", ["{oops", "{file.__class__}", "{file}", "{0}"])
def test_a_sheet_title_with_braces_is_quoted_as_it_is(tmp_path, title):
    """A worksheet's title is text from the workbook: one with braces is shown as written in RR520, not read as a
    format string (`{oops` was a ValueError's traceback, `{file.__class__}` showed `<class 'str'>`)."""
    book = openpyxl.Workbook()
    book.active.title = title
    book.active.append(["A cover page of our own."])
    other = book.create_sheet("AOC Edits")
    other.append(["Primary Code", "Add-on Code", "AOC Edit Type"])
    (tmp_path / "src").mkdir()
    book.save(tmp_path / "src" / "aoc_v2026q3.xlsx")
    root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.xlsx"\n', tmp_path / "src" / "aoc_v2026q3.xlsx")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(root, cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR520", f"`rules/cms/aoc_v2026q3.xlsx`'s first worksheet, `{title}`, has no header; its worksheet `AOC "
                  "Edits` has one (row 1)")]


class TestDateCells:
    """A cell in a date or time format is taken in a date column only (and a time nowhere): a number formatted as
    a date by mistake reads as one, a unit limit of 1 as 19000101."""

    @pytest.mark.parametrize("fixture", [DATA / "radiology-ptp-v322r0-f1.TXT", DATA / "aoc_v2026q3.csv",
                                         DATA / "HCPC2026_JUL_ANWEB.csv"])
    def test_dates_read_in_date_columns(self, tmp_path, fixture):
        """Typed dates in the PTP, add-on and HCPCS date columns read as the text file's YYYYMMDD dates."""
        kind = {"rad": "ptp", "aoc": "addon", "HCP": "hcpcs"}[fixture.name[:3]]
        text = load_one(tmp_path, f'table {kind} "cms/{fixture.name}"\n', fixture, name="text").table
        book = workbook_of(fixture, tmp_path / "book", dates=True)
        assert any(isinstance(cell.value, dt.datetime) for row in openpyxl.load_workbook(book).active.iter_rows()
                   for cell in row)
        sheet = load_one(tmp_path, f'table {kind} "cms/{book.name}"\n', book, name="sheet").table
        if kind == "ptp":
            assert (sheet.start, sheet.end, sheet.row) == (text.start, text.end, text.row) and len(sheet)
        else:
            assert without_sources(sheet.entries) == without_sources(text.entries) != {}

    @pytest.mark.parametrize("fixture, column, value, code, message", [
        ("MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "B", 1, "RR509",
         "the cell holds a date, 1900-01-01, not a unit limit"),
        ("MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "B", 0, "RR509",
         "the cell holds a time, 00:00:00, not a unit limit"),
        ("MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "A", 45000, "RR507",
         "the cell holds a date, 2023-03-15, not a procedure code"),
        ("MCR_MUE_PractitionerServices_Eff_07-01-2026.csv", "D", 45000, "RR509",
         "the cell holds a date, 2023-03-15, not a rationale"),
        ("radiology-ptp-v322r0-f1.TXT", "F", 1, "RR509", "the cell holds a date, 1900-01-01, not a modifier indicator"),
        ("radiology-ptp-v322r0-f1.TXT", "D", 0.5, "RR508", "the cell holds a time, 12:00:00, not an effective date"),
        ("aoc_v2026q3.csv", "C", 1, "RR509", "the cell holds a date, 1900-01-01, not an add-on edit type"),
        ("PPRRVU26_JUL.csv", "N", 1, "RR509", "the cell holds a date, 1900-01-01, not a PC/TC indicator"),
        ("PPRRVU26_JUL.csv", "T", 0, "RR509", "the cell holds a time, 00:00:00, not a bilateral surgery indicator"),
        ("HCPC2026_JUL_ANWEB.csv", "C", 7, "RR509",
         "the cell holds a date, 1900-01-07, not a record identification code"),
    ])
    def test_date_or_time_elsewhere_is_an_error_at_its_cell(self, tmp_path, fixture, column, value, code, message):
        """A date or time cell outside a date column is the row's error, at that cell, with a hint saying how
        the cell is formatted."""
        kind = {"MCR": "mue", "rad": "ptp", "aoc": "addon", "PPR": "pctc", "HCP": "hcpcs"}[fixture[:3]]
        book = workbook_of(DATA / fixture, tmp_path / "book")
        workbook = openpyxl.load_workbook(book)
        sheet = workbook.active
        row = 1 + next(i for i, cells in enumerate(sheet.iter_rows(values_only=True))
                       if isinstance(cells[0], str) and re.fullmatch(r"(?=.*[0-9])[0-9A-Z]{5}", cells[0])
                       and (kind != "addon" or cells[2] == 1))
        sheet[f"{column}{row}"] = value
        sheet[f"{column}{row}"].number_format = "h:mm" if isinstance(value, float) else "mm-dd-yy"
        workbook.save(book)
        (error,) = TestErrors()._error(tmp_path, f'table {kind} "cms/{book.name}"\n', book)
        assert (error.code, error.message, error.span.line) == (code, message, row)
        index = ord(column) - ord("A")
        line = error.source_line
        assert line[error.span.column - 1:].startswith(next(csv.reader([line]))[index])
        kind_of = "a date, so its number reads as a day" if "holds a date" in message else "a date or a time"
        assert error.help.startswith(f"cell {column}{row} of the first sheet; it is formatted as {kind_of}")
        assert error.help.endswith(f"{'write the date' if code == 'RR508' else 'give it the General format'}, or "
                                   "take CMS's workbook again")


class TestEvaluation:
    def test_addon_workbook_fires_with_its_row_as_source(self, tmp_path):
        """The add-on workbook denies an add-on without its primary, naming the workbook and sheet row."""
        book = workbook_of(DATA / "aoc_v2026q3.csv", tmp_path / "book", "aoc_v2026q3.xlsx")
        rules = radrules.load(make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.xlsx"\n', book), cache_dir=None)
        assert rules.tables[0].start == dt.date(2026, 7, 1).toordinal()
        result = rules.evaluate(claim(("77063", "2026-08-01")))
        assert fired(result, "ncci.addon") == [((1,), ())]
        (finding,) = [f for f in result.findings if f.rule == "ncci.addon"]
        row = int(finding.source.rsplit(":", 1)[1])
        assert finding.source.startswith("aoc_v2026q3.xlsx:")
        assert openpyxl.load_workbook(book).active.cell(row, 2).value == "77063"  # add-on code column
        assert fired(rules.evaluate(claim(("77067", "2026-08-01"), ("77063", "2026-08-01"))), "ncci.addon") == []

    def test_workbook_table_is_cached_like_a_text_table(self, tmp_path):
        """A second load reads the compiled table from the disk cache, not the workbook."""
        book = workbook_of(DATA / "aoc_v2026q3.csv", tmp_path / "book", "aoc_v2026q3.xlsx")
        root = make_ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.xlsx"\n', book)
        reading._MEMORY.clear()  # other tests loaded this content
        first = radrules.load(root, cache_dir=tmp_path / "cache").tables[0]
        reading._MEMORY.clear()
        second = radrules.load(root, cache_dir=tmp_path / "cache").tables[0]
        assert (first.from_cache, second.from_cache) == ("", "disk")
        assert second.table.entries == first.table.entries


class TestErrors:
    def _error(self, tmp_path, statement: str, *files: Path):
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(make_ruleset(tmp_path, statement, *files), cache_dir=None)
        return caught.value.errors

    def test_bad_cell_names_file_row_column_and_cell(self, tmp_path):
        """A bad value is reported at the sheet row, under the row as CSV, with the cell's name."""
        path = save_workbook([["HCPCS/\nCPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator",
                               "MUE Rationale"],
                              ["74177", 1, "2 Date of Service Edit: Policy", "Anatomic"],
                              ["74176", "two", "3 Date of Service Edit: Clinical", "Clinical, data"]],
                             tmp_path / "x" / "MCR_MUE_PractitionerServices_Eff_07-01-2026.xlsx")
        (error,) = self._error(tmp_path, f'table mue "cms/{path.name}"\n', path)
        assert error.render().splitlines() == [
            f"rules/cms/{path.name}:3:7: error[RR509]: `two` is not a unit limit (a whole number, 0 or more)",
            '    3 | 74176,two,3 Date of Service Edit: Clinical,"Clinical, data"',
            "      |       ^^^",
            "      = help: cell B3 of the first sheet; a unit limit is a whole number of units, in digits only (no sign, "
            "no decimals): is the row damaged?",
        ]

    def test_workbook_under_a_text_name_still_names_the_cell(self, tmp_path):
        """A workbook saved as `.csv` is known by its bytes, and its problems still name the cell."""
        path = save_workbook([["Primary Code", "Add-on Code", "AOC Edit Type", "AOC Edit Eff Dt"],
                              ["74177", "76376", 1, "2O260101"]], tmp_path / "x" / "aoc_v2026q3.csv")
        (error,) = self._error(tmp_path, f'table addon "cms/{path.name}"\n', path)
        assert error.span.line == 2 and error.span.column == 15
        assert error.help.startswith("cell D2 of the first sheet; ")  # then the loader's own hint

    def test_every_bad_ptp_row_is_reported_at_its_sheet_row(self, tmp_path):
        """The bad PTP fixture as a workbook: the same errors, rows and columns as the text file."""
        text_errors = self._error(tmp_path / "a", 'table ptp "cms/bad-ptp.TXT"\n', DATA / "bad-ptp.TXT")
        book = workbook_of(DATA / "bad-ptp.TXT", tmp_path / "book", "bad-ptp.xlsx")
        book_errors = self._error(tmp_path / "b", 'table ptp "cms/bad-ptp.xlsx"\n', book)
        expected = [(d.code, d.span.line, d.span.column) for d in text_errors]
        # Row 11 has six fields in the text file (RR506); a sheet row has every column, so there
        # the seventh cell is empty and its modifier indicator cell (F11) is the error.
        assert expected[4] == ("RR506", 11, 1)
        expected[4] = ("RR509", 11, 25)
        assert [(d.code, d.span.line, d.span.column) for d in book_errors] == expected
        assert book_errors[4].message == "an empty field is not a modifier indicator (0, 1 or 9)"
        # the cell, then the hint: the loader's own, or its code's (a workbook's lost it: only the cell was named)
        assert book_errors[0].help == f"cell B7 of the first sheet; {text_errors[0].help}"
        assert book_errors[4].help == ("cell F11 of the first sheet; the column holds only the values CMS publishes "
                                       "for it: is the row damaged?")

    def _refused(self, tmp_path, name: str, data: bytes) -> str:
        (tmp_path / "x").mkdir(exist_ok=True)
        path = tmp_path / "x" / name
        path.write_bytes(data)
        (error,) = self._error(tmp_path, f'table addon "cms/{name}"\n', path)
        assert error.code == "RR520" and (error.span.file, error.span.column) == ("rules/main.rr", 13)  # the path
        return error.render()

    def test_text_named_as_a_workbook(self, tmp_path):
        rendered = self._refused(tmp_path, "aoc_v2026q3.xlsx", b"Primary Code,Add-on Code\n")
        assert "`rules/cms/aoc_v2026q3.xlsx` is named as an Excel workbook but is not one" in rendered

    def test_zip_archive_that_is_not_a_workbook(self, tmp_path):
        """A CMS download not yet unpacked gets a hint to unpack it."""
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as archive:
            archive.writestr("aoc_v2026q3.csv", "x")
        rendered = self._refused(tmp_path, "aoc_v2026q3.zip", data.getvalue())
        assert "is a zip archive, not a table file" in rendered and "unpack the CMS download" in rendered

    def test_old_excel_format(self, tmp_path):
        rendered = self._refused(tmp_path, "aoc_v2026q3.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
        assert "Excel 97-2003 workbook (.xls)" in rendered and "save it as .xlsx or as CSV" in rendered

    def test_damaged_workbook(self, tmp_path):
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as archive:
            archive.writestr("xl/workbook.xml", "<not a workbook")
        rendered = self._refused(tmp_path, "aoc_v2026q3.xlsx", data.getvalue())
        assert "is a damaged workbook" in rendered

    @pytest.mark.parametrize("damage", [
        lambda xml: xml[:len(xml) // 2],  # cut short: the XML parser fails
        lambda xml: xml.replace(b"<sheetView ", b"<sheetView bogus=\"1\" ", 1),  # openpyxl refuses an attribute
        lambda xml: xml.replace(b' r="A2"', b' r="A2x"', 1),  # a cell reference that is no reference
    ], ids=["cut", "attribute", "reference"])
    def test_damaged_worksheet(self, tmp_path, damage):
        """A workbook whose sheet is damaged is refused like any damaged workbook (its sheet is read lazily)."""
        book = workbook_of(DATA / "aoc_v2026q3.csv", tmp_path / "book", "aoc_v2026q3.xlsx")
        with zipfile.ZipFile(book) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        damaged = damage(members[sheet])
        assert damaged != members[sheet]
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, damaged if name == sheet else content)
        rendered = self._refused(tmp_path, "aoc_v2026q3.xlsx", data.getvalue())
        assert "has a damaged worksheet" in rendered

    def test_workbook_that_unpacks_too_large(self, tmp_path, monkeypatch):
        """A workbook is refused, before it is read, when it would unpack past the bound (a zip bomb)."""
        from radrules.tables import workbook

        book = workbook_of(DATA / "aoc_v2026q3.csv", tmp_path / "book", "aoc_v2026q3.xlsx")
        monkeypatch.setattr(workbook, "MAX_UNPACKED", 1000)
        reading._MEMORY.clear()  # other tests loaded this content
        rendered = self._refused(tmp_path, book.name, book.read_bytes())
        unpacked = sum(member.file_size for member in zipfile.ZipFile(book).infolist())
        assert f"unpacks to {unpacked:,} bytes, more than the 1,000 bytes a workbook may" in rendered

    @pytest.mark.parametrize("bound, message", [
        ("MAX_CELLS", "has more than 1,048,576 rows or 40 cells in its first worksheet, more than any CMS table"),
        ("MAX_ROWS", "has more than 5 rows or 10,000,000 cells in its first worksheet, more than any CMS table"),
        ("MAX_TEXT", "first worksheet comes to more than 100 bytes of text, more than any CMS table"),
    ])
    def test_a_sheet_past_the_bounds_is_refused_as_it_is_read(self, tmp_path, monkeypatch, bound, message):
        """Rows, cells and the CSV text a sheet makes are bounded as its rows are read (a small zip of tiny cells
        took minutes and gigabytes, under the bound on what it unpacks to), with RR520."""
        from radrules.tables import workbook

        book = workbook_of(DATA / "aoc_v2026q3.csv", tmp_path / "book", "aoc_v2026q3.xlsx")
        monkeypatch.setattr(workbook, bound, {"MAX_CELLS": 40, "MAX_ROWS": 5, "MAX_TEXT": 100}[bound])
        reading._MEMORY.clear()  # other tests loaded this content
        assert message in self._refused(tmp_path, book.name, book.read_bytes())

    def test_shared_strings_past_the_bound_are_refused_before_they_are_read(self, tmp_path, monkeypatch):
        """The shared strings, which openpyxl reads whole before any row, are bounded by what they unpack to."""
        from radrules.tables import workbook

        main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        types = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        strings = f'<sst xmlns="{main}">' + "<si><t>77063</t></si>" * 100 + "</sst>"
        members = {
            "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{types}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{types}.worksheet+xml"/>'
            f'<Override PartName="/xl/strings.xml" ContentType="{types}.sharedStrings+xml"/></Types>',
            "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{relations}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{relations}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{relations}/sharedStrings" Target="strings.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v>'
            '</c></row></sheetData></worksheet>',
            "xl/strings.xml": strings,
        }
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        size = len(strings)
        monkeypatch.setattr(workbook, "MAX_SHARED_STRINGS", size - 1)
        rendered = self._refused(tmp_path, "aoc_v2026q3.xlsx", data.getvalue())
        assert f"has shared strings that unpack to {size:,} bytes, more than the {size - 1:,} bytes a workbook may" \
            in rendered
        monkeypatch.setattr(workbook, "MAX_SHARED_STRINGS", size)  # at the bound, read (it has no header)
        path = tmp_path / "x" / "aoc_v2026q3.xlsx"
        assert [e.code for e in self._error(tmp_path, 'table addon "cms/aoc_v2026q3.xlsx"\n', path)] == ["RR505"]

    def test_no_header_in_the_first_lines_reads_no_more_of_the_sheet(self, tmp_path, monkeypatch):
        """An MUE workbook without its header is RR505 once its first 200 lines are read, the rest of the sheet
        unread (here, reading it whole would pass the bound on cells)."""
        from radrules.tables import workbook

        name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.xlsx"
        book = save_workbook([[f"note {n}", "x"] for n in range(1000)], tmp_path / "book" / name)
        monkeypatch.setattr(workbook, "MAX_CELLS", 1000)
        errors = self._error(tmp_path, f'table mue "cms/{name}"\n', book)
        assert [(e.code, e.message) for e in errors] == [
            ("RR505", f"`rules/cms/{name}` has no `HCPCS/CPT Code` header in its first 200 lines: is it a CMS MUE "
                      "file?")]

    def test_without_openpyxl_the_error_says_how_to_install_it(self, tmp_path, monkeypatch):
        """No crash and no silent skip when the `xlsx` extra is not installed."""
        book = workbook_of(DATA / "aoc_v2026q3.csv", tmp_path / "book", "aoc_v2026q3.xlsx")
        monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
        reading._MEMORY.clear()  # other tests loaded this content
        rendered = self._refused(tmp_path, book.name, book.read_bytes())
        assert "is an Excel workbook; reading one needs openpyxl" in rendered
        assert "pip install 'radrules[xlsx]'" in rendered

    def test_folder_holding_one_file_in_two_formats(self, tmp_path):
        """A folder with f1.TXT and f1.xlsx would load every row twice: an error at the statement."""
        book = workbook_of(DATA / "radiology-ptp-v322r0-f1.TXT", tmp_path / "book")
        (error,) = self._error(tmp_path, 'table ptp "cms"\n', DATA / "radiology-ptp-v322r0-f1.TXT", book)
        assert error.code == "RR520" and (error.span.line, error.span.column) == (1, 11)
        assert "holds `radiology-ptp-v322r0-f1.TXT` and `radiology-ptp-v322r0-f1.xlsx`" in error.message

    def test_workbook_error_names_the_part(self, tmp_path):
        """Of a table's several files, the error names the one that is not a workbook."""
        good = workbook_of(DATA / "radiology-ptp-v322r0-f1.TXT", tmp_path / "book", "ptp-f1.xlsx")
        (tmp_path / "bad").mkdir()
        bad = tmp_path / "bad" / "ptp-f2.xlsx"
        bad.write_text("Column 1\tColumn 2\n")
        (error,) = self._error(tmp_path, 'table ptp "cms/ptp-f1.xlsx", "cms/ptp-f2.xlsx" effective 2026-07-01\n',
                               good, bad)
        assert "`rules/cms/ptp-f2.xlsx` is named" in error.message

    def test_workbook_error_class_keeps_its_file(self):
        """WorkbookError carries the file it is about, for the loader to name."""
        with pytest.raises(WorkbookError) as caught:
            workbook_text(b"plain text", Path("a.xlsx"))
        assert caught.value.path == Path("a.xlsx") and "{file}" in caught.value.message
