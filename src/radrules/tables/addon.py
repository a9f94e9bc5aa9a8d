"""The NCCI add-on code (AOC) edit file, domain.md §3 and §8.3.

CMS publishes it as a fixed-width text file (positions unverified, [U]) and
as an Excel workbook; radrules reads the CSV export of the workbook (or the
workbook itself with ``radrules[xlsx]``). Columns are found by name,
normalised as a public loader does (``primary_code``, ``add_on_code``,
``aoc_edit_type``, ``aoc_del_dt``, ``primary_code_del_dt``,
``aoc_edit_eff_dt``, ``aoc_edit_del_dt``; a ``_julian`` suffix is dropped).
The raw spelling of the date columns is unverified ([U]), so a date column
is known by its words: one that says it begins (``_BEGINS``: ``eff``,
``begin``, ...) or ends (``_ENDS``: ``del``, ``deleted``, ``end``, ``term``,
``expires``, ...) is a date column if it also says it holds dates
(``_DATE_NOUNS``: ``dt``, ``date``, a format such as ``julian`` or
``yyyyddd``), whatever notes it carries besides (``AOC Edit Eff Dt (Julian
Date)``, ``Deletion Date of AOC Edit``), or if it has no other words than
date words (``_DATE_HEADER_WORDS``: ``AOC Edit Thru``); ``Deleted Flag`` is
not one. One that begins is the edit's effective date; one that ends is the
primary code's deletion date if it names the primary, the add-on code's if
it names the add-on code and not the edit (``AOC Del Dt``), else the edit's.
A column that says it begins or ends and is none of these (or a second
column for one date) is an error, never passed over: the edits would apply
on dates they don't. Dates may be ``YYYYMMDD`` or Julian ``YYYYDDD`` (both
seen, [U]); in a column whose header says ``YYYYMMDD`` (and not Julian) a
7-digit date is an error, not a Julian one. A row has the header's fields
(more, if they are empty). Primary code ``CCCCC`` means contractor-defined
primaries (type 2). A row whose primary is its add-on code is warned of
(RR220 refuses it in a rule file) and adds nothing: a code never counts as
its own primary. One that gives an add-on code another edit
type than a row in force on a same day (an add-on code has one type, §3) is
warned of and kept. White space around a value is left out: unlike the PTP, MUE
and MPFS files, whose specimens have none, the add-on file's layout is not
verified, and its fixed-width form (to 2023) pads its fields.
"""

from __future__ import annotations

import csv
import re

from .. import codes
from .common import (WRITTEN_DATE_HELP, DateReader, code_hint, csv_records, first_line, header_columns, last_line,
                     not_a_calendar_date, parse_digits_date, read_part, shown, text_line_hint, written_date)
from .kinds import not_a_part
from .store import RawTable

COLUMNS = {
    "add_on_code": ("add_on_code", "addon_code", "aoc", "aoc_code"),
    "primary_code": ("primary_code", "primary"),
    "aoc_edit_type": ("aoc_edit_type", "edit_type", "type"),
}
DATES = ("aoc_edit_eff_dt", "aoc_edit_del_dt", "aoc_del_dt", "primary_code_del_dt")
#: Header words that say a column begins (ends) a window, in the forms CMS-like headers use.
_BEGINS = frozenset({"eff", "effective", "begin", "begins", "beginning", "start", "starts", "starting"})
_ENDS = frozenset({"del", "delete", "deleted", "deletion", "end", "ends", "ending", "ended", "term", "terminated",
                   "termination", "exp", "expires", "expired", "expiration", "expiry", "thru", "through"})
#: The other words a date column's header may hold; a header with any other word (`Deleted Flag`, `Edit
#: Explanation`) is not a date column.
_DATE_HEADER_WORDS = frozenset({"aoc", "add", "on", "addon", "edit", "primary", "code", "dt", "date"})
#: Header words that say a column holds dates; with a word of `_BEGINS` or `_ENDS` they make a date column
#: whatever other words (format notes: `(Julian Date)`, `Julian Format`, `of AOC Edit`) the header has.
_JULIAN = frozenset({"julian", "yyyyddd", "ccyyddd", "yyddd"})
_CALENDAR = frozenset({"yyyymmdd", "ccyymmdd"})
_DATE_NOUNS = frozenset({"dt", "dte", "date", "dates"}) | _JULIAN | _CALENDAR
_DATE_WORDS = {"aoc_edit_eff_dt": "the edit's effective date", "aoc_edit_del_dt": "the edit's deletion date",
               "aoc_del_dt": "the add-on code's deletion date",
               "primary_code_del_dt": "the primary code's deletion date"}
#: What the code columns hold, for a workbook's cells in a date or time format (Problems.typed_cell); a date
#: column takes a date.
_TYPED = {"add_on_code": ("RR507", "a procedure code (add-on code)", False),
          "primary_code": ("RR507", "a procedure code (primary code)", False),
          "aoc_edit_type": ("RR509", "an add-on edit type", False)}
REQUIRED = ("add_on_code", "primary_code", "aoc_edit_type")
#: How messages name each required column.
_HEADER_NAMES = {"add_on_code": "Add-on Code", "primary_code": "Primary Code", "aoc_edit_type": "AOC Edit Type"}
CONTRACTOR = "CCCCC"
#: Whether a field of each code column holds a value it can take (the add-on code file's primary may be `CCCCC`).
_CODE_CHECKS = {"add_on_code": codes.is_procedure_code, "aoc_edit_type": ("1", "2", "3").__contains__,
                "primary_code": lambda primary: primary == CONTRACTOR or codes.is_procedure_code(primary)}
_NO_DATE = ("", "*", "0", "00000000", "99999999", "9999999")


def _header_row(fields: list[str]) -> bool:
    """Whether a row is the header, for a workbook's search."""
    found = header_columns(fields, COLUMNS)
    return all(column in found for column in REQUIRED)


def load_addon(parts: list[tuple[str, str, bytes]], key: str):
    """Read AOC files; returns (RawTable or None, diagnostics).

    Entries: add-on code -> tuple of (type, primary or None, edit start, edit end,
    add-on end, primary end, "file:row"), one per row.
    """
    entries: dict = {}
    types: dict = {}  # for _other_type
    diagnostics = []
    dates = DateReader(parse_digits_date)
    latest = None
    for display, file_name, data in parts:
        problems, text = read_part(display, data, (20, _header_row))
        positions = None
        width = 0
        rows_read = end_line = 0
        end_raw = ""
        for first, last, fields, raw in csv_records(text):
            end_line, end_raw = last, raw  # the file's last record, when the loop ends
            if fields is None:
                problems.unreadable(fields, first, last, raw)
                break
            if positions is None:
                found = header_columns(fields, COLUMNS)
                if all(column in found for column in REQUIRED):
                    columns = _date_columns(fields, found, problems, first, raw)
                    if columns is None:
                        break
                    positions, calendar = columns
                    # The fields checked, in the order of the header's columns (a row's first bad one is its error).
                    code_columns = sorted(REQUIRED, key=positions.__getitem__)
                    date_columns = sorted((c for c in DATES if c in positions), key=positions.__getitem__)
                    typed = {positions[column]: _TYPED.get(column) or ("RR508", _DATE_WORDS[column], True)
                             for column in positions}
                    width = len(fields)
                    while width and not fields[width - 1].strip():
                        width -= 1
                elif len(found) == len(REQUIRED) - 1:
                    # Two of the three: the header, with the third column named otherwise (`Primary Code(s)`). It
                    # was passed over as a line of the preamble, and the file refused with no header found at all.
                    (missing,) = (column for column in REQUIRED if column not in found)
                    problems.add("RR505", f"this header has no `{_HEADER_NAMES[missing]}` column", first, raw, 1,
                                 len(first_line(raw)),
                                 help="an add-on code file's header names `Add-on Code`, `Primary Code` and `AOC Edit "
                                      f"Type` (in any case), one code a row: is the `{_HEADER_NAMES[missing]}` column "
                                      "named otherwise here, or of another layout? Take CMS's file again")
                    break
                elif first > 20:
                    problems.add("RR505", f"`{display}` has no header with `Add-on Code`, `Primary Code` and `AOC "
                                 "Edit Type` in its first 20 lines: is it the CMS add-on code file (CSV export)?", None)
                    break
                continue
            if not any(f.strip() for f in fields):
                continue
            # A cell may hold line breaks (`Special Instruction Notes`, exported from the workbook); a line that
            # begins like a row is a row swallowed by a quote left open.
            if problems.unreadable(fields, first, last, raw, lambda line: _begins_row(line, positions)):
                continue
            rows_read += 1
            if len(fields) < width or any(f.strip() for f in fields[width:]):
                problems.add("RR506", f"an add-on code row has {width} fields, as its header; this one has "
                             f"{len(fields)}", first, raw, 1, len(first_line(raw)),
                             help="a row has a field for each column of the header, empty or not: is it cut short, "
                                  "or does a value hold a comma outside quotes?")
                continue
            if problems.typed and problems.typed_cell(first, raw, fields, typed):
                continue

            def get(column):
                """A field without the white space around it: the layout of CMS's add-on file is not verified
                (domain.md §8.3, it was published fixed-width until 2023), so padding is not taken for damage."""
                index = positions.get(column)
                return fields[index].strip() if index is not None and index < len(fields) else ""

            def complain(code, message, column, help=None, severity="error"):
                problems.csv_field(code, message, first, raw, fields, positions[column], help=help,
                                   severity=severity)

            addon, primary, kind = get("add_on_code"), get("primary_code"), get("aoc_edit_type")
            # A bad row is one error, at its first bad field (in the order of the header's columns).
            bad = next((column for column in code_columns if not _CODE_CHECKS[column](get(column))), None)
            if bad == "add_on_code":
                complain("RR507", f"{shown(addon)} is not a procedure code (add-on code)", "add_on_code",
                         help=code_hint(addon) or text_line_hint(fields, positions["add_on_code"], "an add-on code"))
                continue
            if bad == "aoc_edit_type":
                complain("RR509", f"{shown(kind)} is not an add-on edit type (1, 2 or 3)", "aoc_edit_type")
                continue
            if bad == "primary_code":
                complain("RR507", f"{shown(primary)} is not a procedure code (primary code; `CCCCC` for "
                         "contractor-defined)", "primary_code", help=code_hint(primary) or text_line_hint(fields, positions["primary_code"], "an add-on code"))
                continue
            primary_code = None if primary == CONTRACTOR else primary
            if kind == "1" and primary_code is None:
                complain("RR509", "a type 1 add-on edit lists its primary code, not `CCCCC`", "primary_code",
                         help="`CCCCC` (primaries the contractor defines) is for type 2 edits: is the primary code or "
                              "the edit type damaged?")
                continue
            values = dict.fromkeys(DATES)  # a date the header has no column for is none
            problem = None
            for column in date_columns:
                values[column], problem = _read_date(get(column), column, column in calendar, dates)
                if problem is not None:
                    complain("RR508", problem[0], column, help=problem[1])
                    break
            if problem is not None:
                continue
            start, end = values["aoc_edit_eff_dt"], values["aoc_edit_del_dt"]
            if start is not None and end is not None and end < start:
                complain("RR510", "the edit's deletion date is before its effective date", "aoc_edit_del_dt")
                continue
            if primary_code == addon:
                # In a rule file this row is RR220. Kept here, as the file's layout is not verified (§8.3): a code
                # never counts as its own primary (AddonEdit.accepts), so two lines of it don't pay each other.
                complain("RR528", f"{addon} is listed as its own primary", "primary_code",
                         help="an add-on code is paid with another service, its primary: radrules never counts a line "
                              "of the add-on code as its primary, so the row adds nothing; is it damaged?",
                         severity="warning")
            _other_type(addon, int(kind), start, end, values["aoc_del_dt"], f"{display}:{first}", types, complain)
            if start is not None and (latest is None or start > latest):
                latest = start
            entries.setdefault(addon, []).append((
                int(kind), primary_code, start, end, values["aoc_del_dt"], values["primary_code_del_dt"],
                f"{file_name}:{first}",
            ))
        # A row cut inside its last field may still read (a date `20260630` cut to `2026063` is a Julian date).
        if rows_read and end_raw.strip() and not end_raw.endswith(("\n", "\r")) and not problems.has_errors:
            problems.cut_short(end_line, last_line(end_raw))  # CMS ends every line, the last one too
        if positions is None and not problems.has_errors and len(parts) > 1:  # a README beside the parts, say
            message, hint = not_a_part("addon", display, "it has no add-on code header")
            problems.add("RR505", message, None, help=hint)
        elif positions is None and not problems.has_errors:
            problems.add("RR505", f"`{display}` has no add-on code header", None,
                         help="an add-on code file's header names `Add-on Code`, `Primary Code` and `AOC Edit Type`: "
                              "is this the CMS add-on code file (CSV export)?")
        elif positions is not None and rows_read == 0 and not problems.has_errors:
            problems.add("RR505", f"`{display}` has a header and no rows", None,
                         help="an add-on code file has a row per add-on code and primary; was it cut short?")
        diagnostics.extend(problems.finish())
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    frozen = {code: tuple(rows) for code, rows in entries.items()}
    files = tuple(name for _, name, _ in parts)
    return RawTable(key=key, files=files, entries=frozen, latest_start=latest), diagnostics


def _read_date(text: str, column: str, calendar: bool, dates: DateReader) -> tuple:
    """(the date ``text`` gives or None for none, None), or (None, (message, help)) for a field that gives no date;
    ``calendar``: its column's header says YYYYMMDD."""
    if text in _NO_DATE:
        return None, None
    if calendar and len(text) != 8:  # a Julian date here is a YYYYMMDD date cut short, more likely than a Julian one
        return None, (f"{shown(text)} is not a date written YYYYMMDD, as its column's header says",
                      "write the date as its header says, or name the format the column is in (`(Julian)` for "
                      "YYYYDDD)")
    value = dates(text)
    if value is not None:
        return value, None
    impossible = not_a_calendar_date(text, julian=not calendar) if codes.is_digits(text) else None
    if impossible is not None:
        return None, (f"{shown(text)} is not a calendar date ({_DATE_WORDS[column]})", impossible)
    if written_date(text):
        return None, (f"{shown(text)} is not a date (YYYYMMDD or Julian YYYYDDD)", WRITTEN_DATE_HELP)
    return None, (f"{shown(text)} is not a date (YYYYMMDD or Julian YYYYDDD)",
                  "an add-on code file's dates are YYYYMMDD or Julian YYYYDDD (`2026213` is day 213 of 2026); an "
                  "empty field is none")


def _other_type(addon: str, kind: int, start, end, addon_end, where: str, types: dict, complain) -> None:
    """Warn (RR526), once an add-on code, at a row that gives the code another edit type than a row before it in
    force on some day of its own: domain.md §3 has the type as the add-on code's. Whether CMS's file ever does
    so is not verified (§8.3), so the row is kept: the rows of a day are one edit, which a primary any of them
    accepts satisfies (a type 2 row accepts any primary).

    A row is in force from its edit's effective date through its edit's deletion date or its add-on code's,
    whichever comes first (as the rows are used); a new type may follow the rows of the old one. ``types``:
    add-on code -> {edit type: {(first day, last day): "file:row" of its first row}}, None once warned.
    """
    if addon_end is not None:
        end = addon_end if end is None else min(end, addon_end)
    if start is not None and end is not None and end < start:
        return  # never in force: it contradicts no row
    kinds = types.setdefault(addon, {})
    if kinds is None:
        return
    for other, windows in kinds.items():
        earlier = next((row for (first, last), row in windows.items()
                        if (start is None or last is None or start <= last)
                        and (first is None or end is None or first <= end)), None) if other != kind else None
        if earlier is not None:
            types[addon] = None
            complain("RR526", f"{addon} has edit type {kind} here, but type {other} on a row in force on the same "
                     f"days (at {earlier})", "aoc_edit_type",
                     help="an add-on code has one edit type: 1 (only its listed primaries), 2 (any primary, "
                          "`CCCCC`) or 3 (its listed primaries, or others the contractor accepts); radrules reads "
                          "the rows of a day as one edit, which a primary any of them accepts satisfies: is the row "
                          "damaged, or the file put together from two releases?",
                     severity="warning")
            return
    kinds.setdefault(kind, {}).setdefault((start, end), where)  # a code's rows share a window or a few


def _begins_row(line: str, positions: dict) -> bool:
    """Whether a line reads as a row of the file does: a primary code (or `CCCCC`), an add-on code and an edit
    type where the header puts them; a note's own lines don't."""
    try:
        fields = next(csv.reader([line.rstrip("\r\n")]), [])
    except csv.Error:
        return False

    def get(column):
        index = positions[column]
        return fields[index].strip() if index < len(fields) else ""

    primary = get("primary_code")
    return (codes.is_procedure_code(get("add_on_code")) and get("aoc_edit_type") in ("1", "2", "3")
            and (primary == CONTRACTOR or codes.is_procedure_code(primary)))


def _date_role(header: str) -> tuple[str | None, bool]:
    """Which date a header gives, and whether it says its dates are written YYYYMMDD.

    The role is a column of ``DATES``, "" for a date column that is none of them, None for a column that is
    not a date (see the module docstring).
    """
    words = set(re.findall(r"[0-9a-z]+", header.lower()))
    begins, ends = bool(words & _BEGINS), bool(words & _ENDS)
    if not begins and not ends:
        return None, False
    # A header of date words only (`AOC Edit Thru`) is a date; so is any header that says it begins or ends
    # and says it is a date (`Dt`, `Date`, a format: `AOC Edit Eff Dt (Julian Date)`, `... (YYYYDDD)`),
    # whatever notes it carries besides.
    if not words <= _BEGINS | _ENDS | _DATE_HEADER_WORDS and not words & _DATE_NOUNS:
        return None, False
    written = bool(words & _CALENDAR) and not words & _JULIAN
    if begins == ends:
        return "", written
    if "primary" in words:
        return ("primary_code_del_dt" if ends else ""), written
    names_addon = bool(words & {"aoc", "addon"}) or {"add", "on"} <= words
    if names_addon and "edit" not in words:
        return ("aoc_del_dt" if ends else ""), written
    return ("aoc_edit_del_dt" if ends else "aoc_edit_eff_dt"), written


def _date_columns(fields: list[str], found: dict, problems, row: int, raw: str) -> tuple[dict, set] | None:
    """The header's columns (``found``) with its date columns, and the date columns whose header says they are
    written YYYYMMDD; None after reporting a date column that can't be told, or a date given by two columns."""
    positions = dict(found)
    calendar = set()
    taken = set(found.values())
    for index, field in enumerate(fields):
        if index in taken:
            continue
        role, written = _date_role(field)
        if role is None:
            continue
        if role == "" or role in positions:
            if role:
                message = (f"`{field.strip()}` is a second column for {_DATE_WORDS[role]} (the first is "
                           f"`{fields[positions[role]].strip()}`)")
            else:
                message = f"`{field.strip()}` looks like a date column, but radrules can't tell which date it gives"
            problems.csv_field("RR505", message, row, raw, fields, index,
                               help="the date columns are the edit's effective and deletion dates (`AOC Edit Eff "
                                    "Dt`, `AOC Edit Del Dt`) and the deletion dates of the add-on code (`AOC Del "
                                    "Dt`) and of the primary code (`Primary Code Del Dt`): name each once")
            return None
        positions[role] = index
        if written:
            calendar.add(role)
    return positions, calendar
