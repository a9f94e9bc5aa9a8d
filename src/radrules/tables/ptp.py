"""The NCCI PTP edit files (``ccipra-…``, ``ccioph-…``), domain.md §8.1.

Layout: Latin-1, tab-delimited (a CSV export is accepted too), CRLF, a
preamble of tab-padded lines (six in the published files: copyright, title,
and a header wrapped over four lines), then rows of 7 fields::

    Column 1, Column 2, *=in existence prior to 1996, Effective Date,
    Deletion Date (*=no data), Modifier (0/1/9), PTP Edit Rationale

(of 6, without the rationale, in a file whose header names six columns and no
rationale: the layout before CMS added it, as remembered, not verified).

A header whose cells are quoted and hold line breaks (a spreadsheet's export
of the wrapped header) is one record: the preamble is read with its quotes,
rows are one line each. The first data row is detected, not counted: a line
with a row's values in their columns (a code in column 2, a date in column 4
or 5, an indicator in column 6) is a row even if its column 1 is empty or
damaged, and so is reported; the wrapped header lines hold words there.
Every row is validated; a bad row is reported with its file, row and column,
and none is skipped. Rows are never de-duplicated by key: the same pair may
appear on several rows with different dates (§1.1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import operator
import re
from array import array
from itertools import groupby, islice

from .. import codes
from .common import (MAX_PTP_LINES, WRITTEN_DATE_HELP, DateReader, code_hint, not_a_calendar_date, parse_digits_date,
                     read_part, shown, written_date)
from .kinds import not_a_part
from .store import PtpTable

_INDICATORS = {"0": 0, "1": 1, "9": 9}
#: A PTP table keeps its dates as days after this one (1899-12-31) in two bytes, up to 2079-06-05 (CMS's run
#: from 1996); a table with a date outside keeps ordinals.
DAY_BASE = dt.date(1899, 12, 31).toordinal()

_FIELDS = 7
#: A workbook row's columns, for its cells in a date or time format (Problems.typed_cell): dates in 4 and 5 only.
_TYPED = {0: ("RR507", "a procedure code (column 1)", False), 1: ("RR507", "a procedure code (column 2)", False),
          2: ("RR509", "the 'in existence prior to 1996' marker", False), 3: ("RR508", "an effective date", True),
          4: ("RR508", "a deletion date", True), 5: ("RR509", "a modifier indicator", False),
          6: ("RR509", "a rationale", False)}


def _lines(text: str) -> tuple[list[str], str]:
    """The file's lines (split at line feeds, a line keeping its carriage return; at carriage returns in a file
    without a line feed) and its field separator: a tab, or a comma for a CSV export."""
    lines = text.split("\n" if "\n" in text or "\r" not in text else "\r")  # lines ended by CR alone: an old Mac's
    if lines and lines[-1] == "":
        lines.pop()
    sample = next((line for line in lines if line.strip()), "")
    return lines, "\t" if "\t" in text[:20000] or "\t" in sample else ","


#: Longer than any PTP row (about 80 characters; CMS's longest rationale is a few words): a longer line is
#: refused without being split into fields (a line of 600 million tabs took 5 GB), once the empty fields a
#: spreadsheet pads its rows with (a stray cell far to the right) are left out.
MAX_ROW_CHARS = 2000
_TOO_LONG = ("too long",)


def _bounded(line: str, separator: str) -> str | None:
    """``line`` if no longer than a row can be; else without the empty fields it ends with, if that is short
    enough; else None."""
    if len(line) <= MAX_ROW_CHARS:
        return line
    line = line.rstrip(separator + " ")
    return line if len(line) <= MAX_ROW_CHARS else None


def _padded(fields: list) -> list:
    """The fields of a line whose trailing empty fields were left out, with the empty ones a row has."""
    return fields + [""] * (_FIELDS - len(fields)) if len(fields) < _FIELDS else fields


def _rows(lines: list[str], start: int, separator: str):
    """(line number, raw line, fields) for every line from index ``start`` (the first row) on.

    A row is one line: the tab-separated file is split at tabs, quotes and all
    (CMS quotes nothing); a CSV export's quoted fields are read, one line at a
    time. A line the csv module refuses (a stray carriage return, a field
    over its size limit) has fields None.
    """
    if separator == "\t":
        for number, line in enumerate(islice(lines, start, None), start + 1):
            if line.endswith("\r"):
                line = line[:-1]
            if len(line) <= MAX_ROW_CHARS:
                yield number, line, line.split("\t")
                continue
            bounded = _bounded(line, separator)
            yield number, line, _TOO_LONG if bounded is None else _padded(bounded.split("\t"))
        return
    for number, line in enumerate(islice(lines, start, None), start + 1):
        if line.endswith("\r"):
            line = line[:-1]
        bounded = _bounded(line, separator)
        if bounded is None:
            yield number, line, _TOO_LONG
            continue
        try:
            fields = next(csv.reader(io.StringIO(bounded))) if bounded else []
            if bounded is not line:
                fields = _padded(fields)
        except csv.Error:
            fields = None
        yield number, line, fields


#: At most this many lines make one record of the preamble (a header cell wrapped over lines, quoted).
_WRAPPED_LINES = 10


def _preamble(lines: list[str], separator: str):
    """(line number, first line, fields) of each record from the top of the file.

    The preamble is read as a spreadsheet writes it: a quoted field may hold
    line breaks (a header cell wrapped over lines, ``"Effective\nDate"``, as
    Excel exports a wrapped header to CSV or tab-separated text), so such a
    header is one record. A quote never takes in a line that holds a row's
    values, nor more than a few lines: a quote left open is then read as
    part of its line alone. Rows are read by :func:`_rows`, one line each.
    """
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.endswith("\r"):
            line = line[:-1]
        used = 1
        bounded = _bounded(line, separator)
        if bounded is None:  # told by its start (a header with a note far to the right), never split whole
            yield index + 1, line[:MAX_ROW_CHARS], line[:MAX_ROW_CHARS].split(separator)[:_FIELDS]
            index += 1
            continue
        if '"' in bounded:
            fields, used = _quoted_record(lines, index, bounded, separator)
        else:
            fields = bounded.split(separator) if bounded else []
        if bounded is not line and fields:
            fields = _padded(fields)
        yield index + 1, bounded, fields
        index += used


def _quoted_record(lines: list[str], index: int, line: str, separator: str) -> tuple[list[str] | None, int]:
    """(fields or None, lines used) of the record starting at ``lines[index]`` (``line``, which has a quote)."""
    taken = [line]

    def feed():
        yield line + "\n"
        while index + len(taken) < len(lines) and len(taken) < _WRAPPED_LINES:
            following = lines[index + len(taken)]
            if following.endswith("\r"):
                following = following[:-1]
            following = _bounded(following, separator)
            if following is None or _holds_row_values(following.split(separator)):
                return
            taken.append(following)
            yield following + "\n"

    reader = csv.reader(feed(), delimiter=separator)
    try:
        fields = next(reader, [])
    except csv.Error:
        fields = None
    used = max(reader.line_num, 1)
    if used > 1 and "\n".join(taken[:used]).count('"') % 2:  # the quote was not closed: the line alone
        try:
            fields = next(csv.reader([line], delimiter=separator), [])
        except csv.Error:
            fields = None
        used = 1
    return fields, used


def _is_header(fields: list[str]) -> bool:
    """The header line (``Column 1``, ``Column 2``, ...) or the title above it (``Column1/Column2 Edits``)."""
    first = fields[0].strip().lower() if fields else ""
    return first.startswith("column 1") or first.startswith("column1")


def _without_rationale(fields: list[str]) -> bool:
    """Whether a header line names six columns, `Column 1` to `Modifier`, and no `PTP Edit Rationale`: the layout
    of the files before CMS added the rationale column (from memory, not verified here). Its rows have six fields
    and no rationale, which radrules only shows in messages; a file whose header names the rationale column has
    rows of seven. The title line (`Column1/Column2 Edits`) names no columns."""
    named = [field.strip().lower() for field in fields]
    while named and not named[-1]:
        named.pop()
    return (len(named) == _FIELDS - 1 and named[1].replace(" ", "").startswith("column2")
            and not any("rationale" in name for name in named))


#: A value only a row holds in its column: a code (5 letters or digits, one a digit at least) in column 2,
#: a date (6 to 8 digits, perhaps with separators: a damaged one too) in column 4 or 5.
_CODE_SHAPED = re.compile(r"(?=.*\d)[0-9A-Za-z]{5}")
_DATE_SHAPED = re.compile(r"\d[\d/.-]{5,9}")


def _holds_row_values(fields: list[str]) -> bool:
    """Whether a line holds a value in a column where only a row does: a code in column 2, a date in
    column 4 or 5, `*` (no deletion date) in column 5, an indicator (0, 1 or 9) in column 6.

    The lines the header is wrapped over hold words there (``Date``, ``*=no data``, ``0=not allowed``),
    and the copyright and title lines nothing.
    """
    def at(index):
        return fields[index].strip() if index < len(fields) else ""

    return bool(_CODE_SHAPED.fullmatch(at(1)) or _DATE_SHAPED.fullmatch(at(3)) or _DATE_SHAPED.fullmatch(at(4))
                or at(4) == "*" or at(5) in ("0", "1", "9"))


def _starts_rows(fields: list[str] | None, header_seen: bool) -> bool:
    """Whether a line of the preamble is the first row: then it is read as one, and errors are reported.

    A line that holds a row's values in their columns (a code in column 2, a
    date in column 4 or 5, an indicator in column 6) is a row, whatever its
    first field holds: a row with an empty or mistyped column 1, or cut
    short, is reported, never taken for a wrapped header line. After the
    header, the first line with a first field begins the rows too (the
    header's wrapped lines leave it empty). Without a header, a line of six
    fields or more whose first field is a word with a digit (a code, or a
    mistyped one) does. The copyright and title lines are neither.
    """
    if fields is None:  # a line the csv module refuses
        return header_seen
    if _is_header(fields):
        return False
    if _holds_row_values(fields):
        return True
    first = fields[0].strip() if fields else ""
    if not first:
        return False
    if header_seen:
        return True
    return len(fields) >= 6 and " " not in first and any("0" <= c <= "9" for c in first)


#: The hint for a line among the rows that holds text in its first field only (a notice, ``End of file``).
_TEXT_LINE = ("this line is text, not a row (a notice or an `End of file` line?): after its header, a PTP file "
              "holds rows only; take the file as CMS publishes it")


def _text_line(fields: list[str]) -> bool:
    """Whether a line that is no row holds text in its first field and nothing in the others."""
    return bool(fields) and " " in fields[0].strip() and not any(field.strip() for field in fields[1:])


def load_ptp(parts: list[tuple[str, str, bytes]], key: str):
    """Read the parts of one PTP table. ``parts`` holds (display path, file name, bytes).

    Returns (PtpTable or None, diagnostics).
    """
    ids: dict[str, int] = {}
    names: list[str] = []
    rationales: dict[str, int] = {}
    first = array("i")
    second = array("i")
    # Dates as days after DAY_BASE in two bytes, until one doesn't fit: then ordinals (base 0). Rationale numbers
    # in one byte, widened past 256 texts (CMS uses a dozen). 13 bytes a row in all, with the columns below.
    day_base = DAY_BASE
    start = array("H")
    end = array("H")
    indicator = array("b")
    rationale = array("B")
    row_number = array("i")
    part_index = array("B" if len(parts) < 1 << 8 else "i")  # CMS publishes four parts
    dates = DateReader(parse_digits_date)
    diagnostics = []
    is_code = codes.PROCEDURE_CODE.match
    rises = []  # (date, part, row) of each row effective later than every row before it
    newest = 0

    def new_code(code, column, number, line, fields, separator):
        """The id of a code met for the first time, or None after reporting it is not a code."""
        if is_code(code):
            ids[code] = len(names)
            names.append(code)
            return ids[code]
        help = code_hint(code)
        if help is None and column == 0 and _text_line(fields):
            help = _TEXT_LINE
        problems.field("RR507", f"{shown(code)} is not a procedure code (column {column + 1})", number, line, fields,
                       column, separator, help=help)
        return None

    for index, (display, file_name, data) in enumerate(parts):
        problems, text = read_part(display, data, max_lines=MAX_PTP_LINES)
        problems.lines_end_at_cr = False  # rows are split at line feeds
        rows_read = 0
        header_seen = False
        width = _FIELDS  # a row's fields: 6 in a file whose header has no rationale column (_without_rationale)
        lines, separator = _lines(text)
        cut_short = bool(text) and not text.endswith(("\n", "\r"))  # CMS ends every line, the last one too
        del text
        first_row = len(lines)  # no rows
        for number, line, fields in _preamble(lines, separator):
            if _starts_rows(fields, header_seen):
                first_row = number - 1
                break
            if fields and _is_header(fields):
                header_seen = True
                if _without_rationale(fields):
                    width = _FIELDS - 1
            if number > 50:
                problems.add("RR505", "no PTP rows in the first 50 lines: is this a CMS PTP file?", number,
                             line, help="PTP rows start with two 5-character codes")
                first_row = len(lines)
                break
        separated = "fields are separated by tabs" if separator == "\t" else "fields are separated by commas"
        typed = problems.typed  # a workbook's cells in a date or time format (a text file has none)
        for number, line, fields in _rows(lines, first_row, separator):
            if not line.strip():
                continue
            if fields is None:
                problems.add("RR506", "this PTP row can't be read as CSV", number, line, 1, len(line),
                             help="a CSV export has one row per line, without carriage returns inside it")
                continue
            if fields is _TOO_LONG:
                problems.add("RR506", f"a line of {len(line):,} characters, far longer than a PTP row", number,
                             line[:MAX_ROW_CHARS], 1, MAX_ROW_CHARS,
                             help="a PTP row is two codes, two dates, an indicator and a short rationale: is the file "
                                  "damaged, or not a PTP file?")
                continue
            if len(fields) != width:
                if len(fields) > width and not any(f.strip() for f in fields[width:]):
                    fields = fields[:width]
                else:
                    layout = " (its header has no rationale column)" if width < _FIELDS else ""
                    problems.add("RR506", f"a PTP row has {width} fields{layout}; this one has {len(fields)}", number,
                                 line, 1, len(line), help=_TEXT_LINE if _text_line(fields) else separated)
                    continue
            if width < _FIELDS:
                fields = [*fields, ""]  # no rationale
            if typed and problems.typed_cell(number, line, fields, _TYPED):
                continue
            # A bad row is one error, at its first bad field: the row is not read, and a line that is no row at
            # all (a notice, an `End of file` line) would otherwise give an error for each of its columns.
            c1, c2, existed, effective, deletion, modifier, reason = fields
            id1 = ids.get(c1)
            if id1 is None:
                id1 = new_code(c1, 0, number, line, fields, separator)
                if id1 is None:
                    continue
            id2 = ids.get(c2)
            if id2 is None:
                id2 = new_code(c2, 1, number, line, fields, separator)
                if id2 is None:
                    continue
            if c1 == c2:
                problems.field("RR507", f"{c1} is paired with itself", number, line, fields, 1, separator,
                               help="an edit pairs two different codes, column 1 and column 2: is the row damaged?")
                continue
            if existed not in ("", "*"):
                problems.field("RR509", f"`{existed}` in the 'in existence prior to 1996' field (expected `*` or "
                               "nothing)", number, line, fields, 2, separator,
                               help="the field is `*` for an edit in existence before 1996, else empty: is the row "
                                    "damaged?")
                continue
            doubtful = False  # an indicator 9 row's dates in the wrong order: its effective date dates nothing
            begin = dates(effective) if len(effective) == 8 else None
            if begin is None:
                _bad_date(problems, effective, "effective date", f"{shown(effective)} is not an effective date "
                          "(YYYYMMDD)", number, line, fields, 3, separator)
                continue
            if deletion == "*":
                finish = 0
            else:
                finish = dates(deletion) if len(deletion) == 8 else None
                if finish is None:
                    _bad_date(problems, deletion, "deletion date", f"{shown(deletion)} is not a deletion date "
                              "(YYYYMMDD, or `*` for none)", number, line, fields, 4, separator)
                    continue
                if finish < begin and modifier == "9":
                    # An indicator 9 row never applies, whatever its dates (domain.md §1.2-1.3): its dates in the
                    # wrong order refuse nothing. Kept, as every row is; a whole national part was refused for it.
                    problems.field("RR510", f"deletion date {deletion} is before effective date {effective} "
                                   "(an indicator 9 row, which never applies)", number, line, fields, 4, separator,
                                   help="the row is kept and the table used: an indicator 9 row applies on no date "
                                        "whatever its dates; is it damaged? If its indicator should be 0 or 1, take "
                                        "CMS's corrected file", severity="warning")
                    doubtful = True
                elif finish < begin:
                    problems.field("RR510", f"deletion date {deletion} is before effective date {effective}",
                                   number, line, fields, 4, separator)
                    continue
            mark = _INDICATORS.get(modifier)
            if mark is None:
                problems.field("RR509", f"{shown(modifier)} is not a modifier indicator (0, 1 or 9)", number, line,
                               fields, 5, separator)
                continue
            why = rationales.get(reason)
            if why is None:
                why = rationales[reason] = len(rationales)
                if why in (1 << 8, 1 << 16):  # past what the column's bytes hold: widen it
                    rationale = array("H" if why == 1 << 8 else "i", rationale)
            first.append(id1)
            second.append(id2)
            if day_base:
                day, last = begin - day_base, (finish - day_base if finish else 0)
                if not (0 < day <= 0xFFFF and 0 <= last <= 0xFFFF):
                    start, end, day_base = _as_ordinals(start, end, day_base)
                    day, last = begin, finish
            else:
                day, last = begin, finish
            start.append(day)
            end.append(last)
            indicator.append(mark)
            rationale.append(why)
            row_number.append(number)
            part_index.append(index)
            rows_read += 1
            # A version without an `effective` date takes the newest effective date of its rows (RR537); a row
            # whose dates are in doubt, and that applies on no date, does not give it (an indicator 9 row effective
            # 20991001 and deleted 20100331 put off a whole quarter's edits to 2099).
            if begin > newest and not doubtful:
                newest = begin
                rises.append((begin, index, number))
        if cut_short and rows_read and lines[-1].strip() and not problems.has_errors:
            problems.cut_short(len(lines), lines[-1])
        if not problems.has_errors and rows_read == 0 and len(parts) > 1:  # a README beside the parts, say
            message, hint = not_a_part("ptp", display, "it has no PTP rows")
            problems.add("RR505", message, None, help=hint)
        elif not problems.has_errors and rows_read == 0:
            problems.add("RR505", f"`{display}` has no PTP rows", None,
                         help="a PTP file has a header and then rows of 7 fields, separated by tabs (by commas in "
                              "a CSV export)")
        elif not header_seen and not problems.has_errors:
            problems.add("RR505", f"`{display}` has no `Column 1`/`Column 2` header; is it a CMS PTP file?", None,
                         severity="warning")
        diagnostics.extend(problems.finish())
        del lines
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return _build(key, tuple(name for _, name, _ in parts), names, first, second, start, end, indicator, rationale,
                  row_number, part_index, tuple(rationales), tuple(rises), day_base), diagnostics


def _bad_date(problems, text: str, what: str, otherwise: str, number: int, line: str, fields: list[str],
              index: int, separator: str) -> None:
    """RR508 for a date field: `text` is not a calendar date (`20260230`, ``what`` the field), or ``otherwise``
    (it is not written YYYYMMDD)."""
    calendar = not_a_calendar_date(text, julian=False) if len(text) == 8 and codes.is_digits(text) else None
    if calendar is not None:
        problems.field("RR508", f"`{text}` is not a calendar date ({what})", number, line, fields, index, separator,
                       help=calendar)
    else:
        problems.field("RR508", otherwise, number, line, fields, index, separator,
                       help=WRITTEN_DATE_HELP if written_date(text) else None)


def _build(key, files, names, first, second, start, end, indicator, rationale, row_number, part_index, rationales,
           rises, day_base):
    """Sort rows by (column 1, column 2) keeping file order within a pair; index column 1."""
    ordered_codes = sorted(names)
    rank_of = {code: i for i, code in enumerate(ordered_codes)}
    translate = array("i", (rank_of[name] for name in names))
    size = len(ordered_codes) or 1
    keys = [translate[a] * size + translate[b] for a, b in zip(first, second)]
    if not all(map(operator.le, keys, islice(keys, 1, None))):
        order = sorted(range(len(keys)), key=keys.__getitem__)
        keys = [keys[i] for i in order]

        def permute(column):
            return array(column.typecode, map(column.__getitem__, order))

        start, end, indicator, rationale, row_number, part_index = map(
            permute, (start, end, indicator, rationale, row_number, part_index))
    # Code ranks in two bytes while there are fewer than 65,535 codes (diff's translation keeps 65,535 for a code
    # a table lacks).
    col2 = array("H" if size < (1 << 16) - 1 else "i", (k % size for k in keys))
    col1 = {}
    position = 0
    for rank, group in groupby(k // size for k in keys):
        count = sum(1 for _ in group)
        col1[ordered_codes[rank]] = (position, position + count)
        position += count
    return PtpTable(
        key=key, files=files, codes=tuple(ordered_codes), rank=rank_of, col1=col1, col2=col2, start=start, end=end,
        indicator=indicator, rationale=rationale, row=row_number, part=part_index, rationales=rationales,
        latest_start=rises[-1][0] if rises else 0, rises=rises, day_base=day_base,
    )


def _as_ordinals(start: array, end: array, base: int) -> tuple[array, array, int]:
    """Date columns of days after ``base`` as ordinals (``end``'s 0, no deletion date, kept), and base 0: for a
    table with a date two bytes after DAY_BASE don't hold."""
    return array("i", (day + base for day in start)), array("i", (day + base if day else 0 for day in end)), 0
