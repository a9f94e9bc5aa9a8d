"""What the table loaders share: problem reports, dates, CSV records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from ..codes import is_digits, is_procedure_code
from ..errors import MAX_PER_FILE, Diagnostic, not_shown
from ..syntax import Span
from .workbook import is_workbook, read_workbook

#: At most this many problems are reported per table file, as per rule file; the rest are counted (RR519).
MAX_PROBLEMS = MAX_PER_FILE


def first_line(text: str) -> str:
    """A row or record up to its first line break (a lone CR ends a line too, as the csv module counts)."""
    return io.StringIO(text, newline="").readline().rstrip("\r\n")


def last_line(raw: str) -> str:
    """A record's last line (a record may span lines: a quoted line break), as the csv module counts lines,
    without its line ending."""
    lines = io.StringIO(raw, newline="").readlines()
    return lines[-1].rstrip("\r\n") if lines else ""


def shown(value: str) -> str:
    """A field's value as a message shows it: quoted, or "an empty field"."""
    return f"`{value}`" if value else "an empty field"


def padded(value: str) -> bool:
    """Whether a field has white space around its value (or holds white space only)."""
    return value != value.strip()


def code_hint(code: str) -> str | None:
    """The hint of a procedure code refused for the white space around it or for its lower-case letters (`0001a`);
    None for another that is no code (the hint of RR507 says what codes look like)."""
    held = code.strip()
    if held != code and is_procedure_code(held):
        return padding_hint(code, "code")
    if held != held.upper() and is_procedure_code(held.upper()):
        return (f"procedure codes are written in capitals, as CMS's files write them (`{held.upper()}`): is the row "
                "damaged, or was the file changed?")
    if len(held) < 5 and held.isdigit() and is_procedure_code(held.zfill(5)):
        return (f"is it `{held.zfill(5)}` without its leading zero, as a spreadsheet program writes a code it "
                "took for a number? Take CMS's file again, or import it with the code columns as text")
    return None


def text_line_hint(fields: list[str], index: int, kind: str) -> str | None:
    """The hint of a code refused in field ``index`` of a line that holds text in its first field and nothing in
    the others (a notice, an `End of file` line added after the rows), in a file of ``kind`` (`an MUE`); None for
    another line, whose code's hint is RR507's own. The PTP loader says the same of its rows."""
    if index != 0 or not fields or " " not in fields[0].strip() or any(field.strip() for field in fields[1:]):
        return None
    return (f"this line is text, not a row (a notice or an `End of file` line?): after its header, {kind} file "
            "holds rows only; take the file as CMS publishes it")


def padding_hint(value: str, name: str, article: str = "a") -> str:
    """The hint of a field refused for the white space around it, ``name`` what it holds (`code`, `unit limit`).

    CMS's files have none around their fields' values (domain.md §8): a file that has it was changed, or exported
    by a tool that pads its cells, and the loaders refuse it as the PTP loader always did.
    """
    held = value.strip()
    where = (f"the {name} has white space around it (`{held}` is {article} {name}): a CMS file's fields have none"
             if held else "the field holds only white space: a CMS file leaves an empty field empty")
    return f"{where}, so the file was changed, or exported by a tool that pads its cells; take CMS's file again"


#: The hint of a table problem whose loader gives none (a rule error always has one; so does a table's): one for
#: each code the loaders raise (tests/test_tables.py checks).
DEFAULT_HELP = {
    "RR502": "paths are relative to the rule file's folder; is the file there, and readable?",
    "RR505": "is this the CMS file the `table` statement's kind names, in its published layout?",
    "RR506": "a row has the fields of its file's layout: is it cut short, or the file of another layout?",
    "RR507": "procedure codes have 5 characters (5 digits, 4 digits and a letter, or a letter and 4 digits): is "
             "the row damaged, or the file of another layout?",
    "RR508": "dates in CMS files are written YYYYMMDD",
    "RR509": "the column holds only the values CMS publishes for it: is the row damaged?",
    "RR510": "a row ends on or after the day it begins: correct the row, or take CMS's corrected file",
    "RR511": "a table lists each code once: is a part loaded twice, or the file put together from two releases?",
    "RR514": "practitioner tables serve professional claims; outpatient hospital tables serve `for institutional "
             "claims`",
    "RR515": "the order file's codes are 3 to 7 characters without a dot, in positions 7-13",
    "RR516": "a continuation record comes right after its code's first record: is the file cut or sorted?",
    "RR517": "CMS names each setting's files for their setting: is the file renamed, or another setting's?",
    "RR518": "take the file again from CMS: one edited by hand, or put together from two releases, shows these",
    "RR519": "fix the ones above first; a table is used only when every row reads",
    "RR520": "give the table as the text, CSV or .xlsx file CMS publishes, unpacked",
    "RR521": "CMS ends every line of its files: is the file still being copied, or was the download cut off?",
    "RR526": "an add-on code has one edit type on a day: is the row damaged, or the file put together from two "
             "releases?",
    "RR528": "a code is never its own primary: is the row damaged?",
    "RR530": "point RADRULES_CACHE_DIR (on the command line `--cache-dir`, in code `load(cache_dir=...)`) at a "
             "folder you can write; an empty one turns the disk cache off, without this warning",
}


class Problems:
    """Diagnostics for one table file, rendered like rule errors (file:row:col)."""

    def __init__(self, display: str, workbook: bool = False):
        self.display = display
        self.diagnostics: list[Diagnostic] = []
        self.hidden = 0
        self.hidden_errors = 0  # of those hidden: a table with only warnings hidden is still used
        self._warnings_shown = 0  # of self.diagnostics
        # A workbook's problems also name the cell (the line shown is the sheet row as CSV).
        self.workbook = workbook
        # A workbook's cells in a date or time format: sheet row -> {column: ("date", "1900-01-01"), ...}.
        self.typed: dict = {}
        # How the file's lines are counted: as the csv module counts them (a lone CR ends a line), or
        # at line feeds only (the loaders that split lines: a lone CR is then a character of the row).
        self.lines_end_at_cr = True

    def add(self, code: str, message: str, row: int | None = None, line: str | None = None,
            column: int = 1, width: int = 1, help: str | None = None, severity: str = "error") -> None:
        if len(self.diagnostics) >= MAX_PROBLEMS:
            # An error takes the place of the last warning shown: the problems that refuse the table are seen.
            # Once no warning is shown, a file of millions of bad rows costs a count for each past the limit.
            if severity != "error" or not self._warnings_shown:
                self.hidden += 1
                self.hidden_errors += severity == "error"
                return
            shown_warning = next(i for i in range(len(self.diagnostics) - 1, -1, -1)
                                 if not self.diagnostics[i].is_error)
            del self.diagnostics[shown_warning]
            self._warnings_shown -= 1
            self.hidden += 1
        self._warnings_shown += severity != "error"
        source = None
        if line is not None:
            # A CSV record may span lines (a quoted line break): show its first line, the caret kept on it.
            source = first_line(line) if self.lines_end_at_cr else line.split("\n", 1)[0].rstrip("\r")
            column = min(column, len(source) + 1)
            width = min(width, len(source) + 1 - column)
        span = Span(self.display, row, column, row, column + max(width, 1)) if row else None
        self.diagnostics.append(Diagnostic(code, message, span, source, help or DEFAULT_HELP.get(code), severity))

    def field(self, code: str, message: str, row: int, line: str, fields: list[str], index: int,
              separator: str = "\t", help: str | None = None, severity: str = "error") -> None:
        """A problem in field ``index`` (0-based) of a delimited row: the caret marks that field."""
        if separator == ",":  # a CSV line: its fields may be quoted
            column = csv_field_column(line, index)
        else:
            column = 1 + sum(len(f) + len(separator) for f in fields[:index])
        width = len(fields[index]) if index < len(fields) else 1
        self.add(code, message, row, line, column, width, self._with_cell(help or DEFAULT_HELP.get(code), row, index),
                 severity)

    def csv_field(self, code: str, message: str, row: int, raw: str, fields: list[str], index: int,
                  width: int | None = None, help: str | None = None, severity: str = "error") -> None:
        """A problem in field ``index`` (0-based) of a CSV record: the caret marks that field (or ``width``)."""
        if width is None:
            width = len(fields[index]) if index < len(fields) else 1
        # A field after a quoted line break is on a later line of the record: that line is shown, and named.
        below, column, line = csv_field_place(raw, index)
        self.add(code, message, row + below, line, column, width,
                 self._with_cell(help or DEFAULT_HELP.get(code), row, index), severity)

    def cut_short(self, number: int, line: str) -> None:
        """Warn (RR521) of a file whose last line, ``number`` (``line``), has no line ending: CMS ends every line
        of its files, the last one too, so the file was most likely cut short (a copy still running, a download
        cut off) and its last rows are missing; the last row may read as a row all the same."""
        self.add("RR521", f"`{self.display}` ends in the middle of a line (line {number} has no line ending): it may "
                 "be cut short, its last rows missing", number, line[:200], 1, 1, severity="warning",
                 help="CMS ends every line of its files: is the file still being copied, or was the download cut "
                      "off? Take it again (a file written by hand may just lack the last line break: add it)")

    def typed_cell(self, row: int, line: str, fields: list[str], read: dict) -> bool:
        """Report a workbook row's first cell in a date or time format where its column can't take it, and say so
        (True): a date outside a date column, a time anywhere.

        ``read``: 0-based column -> (code, what the column holds: ``a unit limit``, whether it holds dates), for
        the columns the loader reads. A number formatted as a date by mistake reads as one (a unit limit of 1 as
        ``19000101``), which a number column would take without a word. The row is one line (a workbook's
        line breaks read as spaces), its fields separated by commas.
        """
        cells = self.typed.get(row)
        if not cells:
            return False
        for index in sorted(cells):
            if index not in read:
                continue
            code, what, dates = read[index]
            kind, value = cells[index]
            if kind == "date" and dates:
                continue
            if kind == "date":
                how = "a date, so its number reads as a day (1 as 1900-01-01)"
            else:
                how = "a date or a time, and a number under 1 (0 too) so formatted reads as a time of day"
            fix = "write the date" if dates else "give it the General format"
            self.field(code, f"the cell holds a {kind}, {value}, not {what}", row, line, fields, index, ",",
                       help=f"it is formatted as {how}: {fix}, or take CMS's workbook again")
            return True
        return False

    def unreadable(self, fields, first: int, last: int, raw: str, swallowed=None) -> bool:
        """Report a data record that can't be right, and say so (True).

        ``fields`` None: the csv module could not read it (a field larger than it
        allows: a quoted one left open, or, if the line has no quote, a line
        far longer than a row). A record over several lines (a line break inside a
        quoted field): a quote without its closing quote makes the rows after
        it one field, so a table's rows are one line each. ``swallowed`` (a
        line -> bool), if given, says which continuation lines would be rows:
        a record whose continuation lines are none of them is accepted.
        """
        if fields is None:
            line = first_line(raw)
            if not _OPENING_QUOTE.search(line):  # no quoted field: an unquoted one past the csv module's limit
                self.add("RR506", f"this line is far longer than any table row: {len(line):,} characters", first,
                         line, 1, len(line), help="a table row is one line of a few hundred characters at most: "
                         "is this the CMS file, with its line breaks (a file whose line ends were lost reads so)?")
                return True
            long = next((m for m in _QUOTED.finditer(line) if m.end() - m.start() > csv.field_size_limit()), None)
            if long is not None:  # its quotes close on its line: it is too long, not left open
                self.add("RR506", f"a quoted field of {long.end() - long.start() - 2:,} characters, far longer than "
                         "any table field", first, raw, long.start() + 1, long.end() - long.start(),
                         help=f"radrules reads fields of up to {csv.field_size_limit():,} characters, and a "
                              "table's are short (a rationale is a few words): is the file damaged, or not the CMS "
                              "file?")
                return True
            self.add("RR506", "this record can't be read as CSV: a quoted field runs on for too long", first, raw,
                     1, len(line), help="a quote (`\"`) opens a field here without closing it")
            return True
        if last == first:
            return False
        continued = io.StringIO(raw, newline="").readlines()[1:]
        if swallowed is not None and not any(swallowed(line) for line in continued):
            return False
        index = next((i for i, field in enumerate(fields) if "\n" in field or "\r" in field), 0)
        quote = csv_field_column(raw, index) - 1  # the caret on the quote, before the value
        self.add("RR506", f"a quoted field runs from this line over {last - first} more line"
                 f"{'s' if last - first != 1 else ''}, holding the rows written there", first, raw,
                 max(quote, 1), 1,
                 help="a quote (`\"`) opens a field here without closing it; " + (
                     "a table row is one line" if swallowed is None else
                     "the lines after it that read as rows are inside that field"))
        return True

    def _with_cell(self, help: str | None, row: int, index: int) -> str | None:
        """A hint that names the cell of a workbook's field before the loader's own hint (or its code's)."""
        cell = self._cell(row, index)
        return f"{cell}; {help}" if cell and help else help or cell

    def _cell(self, row: int, index: int) -> str | None:
        """``cell C3`` for field ``index`` of a workbook's ``row``; None for a text file."""
        if not self.workbook:
            return None
        letters = ""
        index += 1
        while index:
            index, rest = divmod(index - 1, 26)
            letters = chr(ord("A") + rest) + letters
        return f"cell {letters}{row} of the first sheet"

    def finish(self) -> list[Diagnostic]:
        if self.hidden:
            refused = self.has_errors
            if self.hidden_errors:
                help = "fix the ones above first; a table is used only when every row reads"
            elif refused:
                help = "they are warnings; the errors above refuse the table"
            else:
                help = "they are warnings, as those above: the table is used"
            self.diagnostics.append(not_shown("RR519", self.display, self.hidden, self.hidden_errors, help))
        return self.diagnostics

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics) or self.hidden_errors > 0


class DateReader:
    """Parse CMS dates with a cache: by ``parse``, :func:`parse_date` (``YYYYMMDD``, Julian ``YYYYDDD``,
    ``MM/DD/YYYY``, ISO) or :func:`parse_digits_date` (the first two)."""

    def __init__(self, parse=None):
        self.cache: dict[str, int | None] = {}
        self.parse = parse or parse_date

    def __call__(self, text: str) -> int | None:
        """The ordinal of ``text``, or None if it is not a date."""
        cached = self.cache.get(text, False)
        if cached is not False:
            return cached
        value = self.parse(text)
        self.cache[text] = value
        return value


def not_a_calendar_date(text: str, julian: bool = True) -> str | None:
    """For a date written in a shape :func:`parse_date` reads (``YYYYMMDD``, Julian ``YYYYDDD`` if ``julian``,
    ``MM/DD/YYYY``, ``YYYY-MM-DD``) that names no day of the calendar, a hint saying why; None otherwise (a
    text of another shape is not a date at all, and its loader says what is expected)."""
    text = text.strip()
    found = calendar_problem(text, julian)
    if found is None:
        return None
    shape, why = found
    return f"read as {shape}, `{text}` {why}: is the row damaged?"


def calendar_problem(text: str, julian: bool = True) -> tuple[str, str] | None:
    """(the shape ``text`` is read in, why it names no day: ``is day 30 of February 2026, which has 28 days``)
    for a date of a shape :func:`not_a_calendar_date` reads; None for a real day or another shape."""
    if len(text) == 7 and is_digits(text) and julian:
        year, month, day, shape = text[:4], None, text[4:], "Julian YYYYDDD"
    elif len(text) == 8 and is_digits(text):
        year, month, day, shape = text[:4], text[4:6], text[6:], "YYYYMMDD"
    elif re.match(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$", text):
        month, day, year = text.split("/")
        shape = "MM/DD/YYYY"
    elif re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text):
        year, month, day, shape = text[:4], text[5:7], text[8:], "YYYY-MM-DD"
    else:
        return None
    year, day = int(year), int(day)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not year:
        why = "is in year 0, and years start at 1"
    elif month is None:
        days = 366 if leap else 365
        if 1 <= day <= days:
            return None
        why = f"is day {day} of {year}, which has {days} days"
    elif not 1 <= int(month) <= 12:
        why = f"is in month {int(month)}, and months are 1 to 12"
    else:
        name, days = _MONTHS[int(month) - 1]
        days += int(month) == 2 and leap
        if 1 <= day <= days:
            return None
        why = f"is day {day} of {name} {year}, which has {days} days"
    return shape, why


_MONTHS = (("January", 31), ("February", 28), ("March", 31), ("April", 30), ("May", 31), ("June", 30),
           ("July", 31), ("August", 31), ("September", 30), ("October", 31), ("November", 30), ("December", 31))


def parse_date(text: str) -> int | None:
    text = text.strip()
    try:
        if len(text) == 8 and is_digits(text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).toordinal()
        if len(text) == 7 and is_digits(text):  # Julian YYYYDDD
            year, day = int(text[:4]), int(text[4:])
            if not 1 <= day <= 366:
                return None
            value = dt.date(year, 1, 1).toordinal() + day - 1
            return value if dt.date.fromordinal(value).year == year else None
        match = re.match(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$", text)
        if match:
            month, day, year = map(int, match.groups())
            return dt.date(year, month, day).toordinal()
        if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text):
            return dt.date.fromisoformat(text).toordinal()
    except ValueError:
        return None
    return None


#: RR508's help for a PTP or add-on code date with separators (:func:`parse_digits_date` refuses it).
WRITTEN_DATE_HELP = ("CMS writes these dates as digits alone (YYYYMMDD; an add-on code file also Julian YYYYDDD); "
                     "`7/1/2016`, `2016-07-01` or `01.07.2016` was written by a spreadsheet program, and a day-first "
                     "one writes 1 July `1/7/2016`, so such a date is not read: take CMS's file again, or import it "
                     "with the date columns as text")


def written_date(text: str) -> bool:
    """Whether a date field holds a date written with separators (`/`, `-`, `.`), as spreadsheets write them."""
    return any(mark in text for mark in "/-.")


def parse_digits_date(text: str) -> int | None:
    """A date of the PTP and add-on code files: ``YYYYMMDD`` or Julian ``YYYYDDD``, digits alone. Not
    ``MM/DD/YYYY``, which a spreadsheet writes and a day-first one would write ``1/7/2016`` for 1 July (read as
    January 7, half a year early), nor white space around it."""
    if len(text) not in (7, 8) or not is_digits(text):
        return None
    return parse_date(text)


#: The most lines a table file may have, of every kind but PTP (:data:`MAX_PTP_LINES`): far past any CMS publishes
#: (an MUE table has about 15,000, the ICD-10-CM order file about 100,000), so that a file of millions of tiny lines
#: is refused before it is split: each line costs about 60 bytes of memory, and one of 64 MiB of `ab` lines took
#: 1.9 GB and 35 seconds to be found all wrong.
MAX_TABLE_LINES = 1 << 20
#: The most lines a PTP file may have: a national part has about 650,000, a CSV export of a whole table about 2.6
#: million.
MAX_PTP_LINES = 1 << 23


def read_part(display: str, data, header=None, max_lines: int = MAX_TABLE_LINES) -> tuple[Problems, str]:
    """One table file's text, and the :class:`Problems` to report its rows with.

    CMS files are Latin-1 (UTF-8 or UTF-16 with a BOM is accepted too: a file with a UTF-8 BOM that is not UTF-8
    is an error, RR505, and no text); ``data`` is
    bytes or a path. A workbook (``.xlsx``, known by its name or its bytes)
    reads as the CSV export of its first sheet (:mod:`radrules.tables.workbook`),
    its problems name the cell, and its cells in a date or time format are kept
    (``Problems.typed``, see :meth:`Problems.typed_cell`); one that can't be read raises
    :class:`~radrules.tables.workbook.WorkbookError`. ``header``: (lines, test), where the loader looks for its
    header, so that a workbook without one is read no further (:func:`~radrules.tables.workbook.read_workbook`).
    """
    path = None
    if not isinstance(data, (bytes, bytearray)):
        path = data
        data = data.read_bytes()
    if is_workbook(data, path.name if path is not None else display):
        text, typed = read_workbook(data, path, header)
        problems = Problems(display, workbook=True)
        problems.typed = typed
        return problems, text
    # (a file of no more bytes than ``max_lines`` can't have more lines: not counted. CR alone ends an old Mac's)
    lines = max(data.count(b"\n"), data.count(b"\r")) if len(data) > max_lines else 0
    if lines > max_lines:  # refused before it is split into lines (``max_lines`` is the limit of the caller's kind)
        problems = Problems(display)
        problems.add("RR505", f"`{display}` has {lines:,} lines, more than any table file of its kind (radrules reads "
                     f"at most {max_lines:,})", help="is it the CMS file the `table` statement's kind names, and not "
                     "damaged? a national PTP part has about 650,000 lines, an MUE table about 15,000")
        return problems, ""
    if data.startswith(_UTF8_MARK):
        try:
            return Problems(display), _without_end_mark(data[len(_UTF8_MARK):].decode("utf-8"))
        except UnicodeDecodeError as error:  # read with replacement characters, its free text would change
            problems = Problems(display)
            _not_utf8(problems, data[len(_UTF8_MARK):], error.start)
            return problems, ""
    return Problems(display), _without_end_mark(decode(data))


_UTF8_MARK = b"\xef\xbb\xbf"


def _without_end_mark(text: str) -> str:
    """``text`` without a Ctrl-Z (0x1A) as its last character: the end-of-file mark that DOS tools (`copy /a`,
    old editors) append, which is no row (a Ctrl-Z anywhere else stays, and is a row's problem)."""
    return text[:-1] if text.endswith("\x1a") else text


def _not_utf8(problems: Problems, data: bytes, at: int) -> None:
    """RR505 at the first byte, ``at``, of a file with a UTF-8 byte order mark that is not UTF-8 (a Latin-1 `é`)."""
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    line = data[start:end if end >= 0 else len(data)].decode("utf-8", errors="replace").rstrip("\r")
    column = len(data[start:at].decode("utf-8")) + 1
    problems.add("RR505", f"the file starts with a UTF-8 byte order mark, but byte `0x{data[at]:02X}` here is not "
                 "UTF-8", data.count(b"\n", 0, at) + 1, line, column, 1,
                 help="read otherwise, its text would change: save the file in one encoding (CMS's files are "
                      "Latin-1, without a mark), or take CMS's file again")


def decode(data: bytes) -> str:
    """A table file's text: Latin-1, as CMS publishes, or UTF-8 or UTF-16 after its byte order mark (UTF-16 is
    what Excel saves as "Unicode Text"), or UTF-16 without the mark, told by its NUL bytes. Bytes not of the
    encoding read as replacement characters (:func:`read_part` refuses a file with a UTF-8 mark that is not
    UTF-8)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    encoding = utf16_encoding(data)
    if encoding is not None:  # the mark (not in the text) or the NULs of Latin letters say the byte order
        return data.decode(encoding, errors="replace")
    return data.decode("latin-1")


def utf16_encoding(data: bytes) -> str | None:
    """The UTF-16 codec that reads ``data``: "utf-16" after a byte order mark, "utf-16-le" or "utf-16-be" for
    UTF-16 saved without it (Latin-1 would read a NUL between every letter); None for other text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return _utf16_order(data[:256])


def _utf16_order(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" if ``head`` reads as UTF-16 text of Latin letters without a byte order mark
    (every other byte NUL, the rest not), else None. A CMS file has no NUL, so Latin-1 text never reads so."""
    if len(head) < 4:
        return None
    head = head[:len(head) // 2 * 2]
    even, odd = head[0::2], head[1::2]
    if not odd.strip(b"\0") and even.count(0) == 0:
        return "utf-16-le"
    if not even.strip(b"\0") and odd.count(0) == 0:
        return "utf-16-be"
    return None


#: A quote that opens a CSV field: at the start of the line or after a comma (blanks between allowed); a quote
#: inside a field (`5" film`) opens nothing.
_OPENING_QUOTE = re.compile(r'(?:^|,)[ \t]*"')
#: A quoted CSV field whose closing quote is on its line (`""` is a quote inside it).
_QUOTED = re.compile(r'(?:^|(?<=,))"(?:[^"]|"")*"(?=,|$)')


def csv_records(text: str):
    """(first line number, last line number, fields, raw text) for each CSV record.

    A record the csv module can't read (a field over its size limit: a quote
    left open, or a line far longer than a row) comes with ``fields`` None and ends the records: see
    :meth:`Problems.unreadable`.

    Quoted fields may hold line breaks (the MUE header does), so records are
    read with the csv module, never by splitting lines. Lines are counted as
    the csv module counts them (a lone carriage return ends a line too).
    """
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a field over the csv module's size limit: an unclosed quote, or a huge line
            yield previous + 1, previous + 1, None, lines[previous] if previous < len(lines) else ""
            return
        last = reader.line_num
        raw = "".join(lines[previous:last])
        yield previous + 1, last, fields, raw
        previous = last


def normalize_header(text: str) -> str:
    """``"HCPCS/\\nCPT Code"`` -> ``hcpcs_cpt_code``; ``AOC Edit Eff Dt (Julian)`` -> ``aoc_edit_eff_dt``."""
    name = re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")
    return re.sub(r"_julian$", "", name)


def header_columns(fields: list[str], columns: dict) -> dict:
    """Where each column of ``columns`` (name -> accepted header spellings) is in a header record."""
    names = [normalize_header(f) for f in fields]
    found = {}
    for column, aliases in columns.items():
        for alias in aliases:
            if alias in names:
                found[column] = names.index(alias)
                break
    return found


def csv_field_place(raw: str, index: int) -> tuple[int, int, str]:
    """Where field ``index``'s value starts in a CSV record that may span lines (a quoted line break): how many
    lines below the record's first, the 1-based column on that line (after the field's quote, if quoted), and
    the line. Lines end as the csv module ends them. A field the record lacks is past its first line's end."""
    lines = io.StringIO(raw, newline="").readlines() or [""]
    starts = [(0, 0)]  # (line, offset) where each field starts
    quoted = False
    for number, line in enumerate(lines):
        at = 0
        while at < len(line):
            char = line[at]
            if quoted:
                if char == '"':
                    if line[at + 1:at + 2] == '"':
                        at += 1  # an escaped quote
                    else:
                        quoted = False
            elif char == '"' and starts[-1] == (number, at):
                quoted = True
            elif char == ",":
                starts.append((number, at + 1))
            at += 1
    if index >= len(starts):
        line = first_line(raw)
        return 0, len(line) + 1, line
    number, start = starts[index]
    line = lines[number].rstrip("\r\n")
    return number, start + 1 + (line[start:start + 1] == '"'), line


def csv_field_column(raw: str, index: int) -> int:
    """The 1-based column where field ``index``'s value starts on a record's first line (after its quote, if
    quoted), as :func:`csv_field_place` finds it; past the line's end if the field is not on it."""
    below, column, _ = csv_field_place(raw, index)
    return column if below == 0 else len(first_line(raw)) + 1
