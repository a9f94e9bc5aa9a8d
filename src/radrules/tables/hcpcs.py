"""The CMS HCPCS Level II file (``HCPC2026_JUL_ANWEB….txt``), domain.md §8.5.

CMS publishes the alpha-numeric HCPCS file each quarter as a fixed-width
text file of 320-character records and as an Excel workbook. The record
layout ([V2]: the CMS record layout document shipped in the zip, 2016 and
2024 editions) is, by 1-based position::

    1-5     HCPC: the code; a modifier record has blanks in 1-3, the modifier in 4-5
    6-10    SEQNUM: sequence number (digits)
    11      RECID: 3 first record of a code, 4 its continuation lines,
            7 first record of a modifier, 8 its continuation lines
    12-91   long description          (never read)
    92-119  short description         (never read)
    269-276 ADD DT: the date the code was added, YYYYMMDD
    277-284 ACT EFF DT: the effective date of the latest action on the code, YYYYMMDD
    285-292 TERM DT: the last date the code may be used, YYYYMMDD, blank if none
    293     ACTION CD                 (not read)

Only the first record of a code carries dates; continuation records hold
more description text and are checked for their place only. The CSV export
of the workbook is read by column name, normalised (``HCPC``, ``RECID``,
``ADD DT``, ``ACT EFF DT``, ``TERM DT``; exact spelling [U]); without a
``RECID`` column every row is a first record.

A code is valid from its ADD DT (ACT EFF DT when ADD DT is blank: the
latest action, a description change say, moves ACT EFF DT but not the date
the code entered the code set) through its TERM DT, both included.
Description columns are never kept.
"""

from __future__ import annotations

import re

from ..codes import is_digits, is_modifier, is_procedure_code
from .common import (DateReader, Problems, code_hint, csv_records, first_line, header_columns, normalize_header,
                     not_a_calendar_date, read_part, shown)
from .store import RawTable

# Codes and modifiers are checked with radrules.codes (CPT shapes too, in case a file lists them).

#: Record identification codes (position 11): records of a code, records of a modifier.
_RECORD_IDS = {"3": "code", "4": "code", "7": "modifier", "8": "modifier"}
_FIRST = ("3", "7")

#: 0-based (start, end) of the fixed-width fields radrules reads.
_FIELDS = {"code": (0, 5), "seqnum": (5, 10), "recid": (10, 11), "add_dt": (268, 276),
           "act_eff_dt": (276, 284), "term_dt": (284, 292)}
_MIN_FIRST = 284  # a first record reaches ACT EFF DT at least

COLUMNS = {
    "hcpc": ("hcpc", "hcpcs", "hcpcs_code", "hcpc_code", "code"),
    "recid": ("recid", "rec_id", "record_id", "ric"),
    "seqnum": ("seqnum", "seq_num", "sequence_number"),
    "add_dt": ("add_dt", "add_date", "added_date"),
    "act_eff_dt": ("act_eff_dt", "act_eff_date", "action_effective_date"),
    "term_dt": ("term_dt", "term_date", "termination_date"),
}
_NAMES = {"add_dt": "ADD DT", "act_eff_dt": "ACT EFF DT", "term_dt": "TERM DT"}
#: What the other columns read hold, for a workbook's cells in a date or time format (Problems.typed_cell).
_TYPED = {"hcpc": ("RR507", "a HCPCS code or modifier", False),
          "recid": ("RR509", "a record identification code", False)}


class _Reader:
    """What the two layouts share: dates, duplicates, continuation records, entries."""

    def __init__(self, file_name: str, problems: Problems, entries: dict, where: dict, dates: DateReader):
        self.file_name = file_name
        self.problems = problems
        self.entries = entries
        self.where = where
        self.dates = dates
        self.current = None  # (record id, code) of the last first record
        self.read = 0

    def record(self, number: int, recid: str, code: str, values: dict, complain) -> None:
        """One record whose code and record id are valid: dates checked, entry kept.

        ``values``: {field: text}; ``complain(code, message, field, help=None)`` reports a problem.
        """
        if recid not in _FIRST:
            if self.current != (str(int(recid) - 1), code):
                kind = "code" if recid == "4" else "modifier"
                complain("RR516", f"a continuation record (RECID {recid}) of {code} follows no first record "
                         f"(RECID {int(recid) - 1}) of that {kind}", "recid")
                return
            self.read += 1
            return
        self.current = (recid, code)
        parsed = {}
        for field in ("add_dt", "act_eff_dt", "term_dt"):  # a bad record is one error, at its first bad date
            text = values.get(field, "").strip()
            if not text:
                parsed[field] = None
                continue
            value = None if is_digits(text) and len(text) != 8 else self.dates(text)
            impossible = not_a_calendar_date(text, julian=False) if value is None else None
            if impossible is not None:
                complain("RR508", f"{shown(text)} is not a calendar date ({_NAMES[field]})", field, help=impossible)
                return
            if value is None:
                complain("RR508", f"{shown(text)} is not a date ({_NAMES[field]}, YYYYMMDD)", field)
                return
            parsed[field] = value
        start = parsed["add_dt"] if parsed["add_dt"] is not None else parsed["act_eff_dt"]
        end = parsed["term_dt"]
        if start is None:
            complain("RR508", f"{code} has no ADD DT and no ACT EFF DT: can't tell from when it is valid", "add_dt",
                     help="a code's first record gives the date it was added (ADD DT) or the date its last action "
                          "took effect (ACT EFF DT): is the record cut short or damaged?")
            return
        if end is not None and end < start:
            field = "add_dt" if parsed["add_dt"] is not None else "act_eff_dt"
            complain("RR510", f"TERM DT {values['term_dt'].strip()} is before {_NAMES[field]} "
                     f"{values[field].strip()}", "term_dt")
            return
        if code in self.entries:
            complain("RR511", f"{code} has a second first record (the first is at {self.where[code]})", "code",
                     help=f"a HCPCS file has one first record (RECID {'3' if recid == '3' else '7'}) per "
                          f"{'code' if recid == '3' else 'modifier'}, in any of a table's parts; more "
                          f"description lines are continuation records (RECID {'4' if recid == '3' else '8'})")
            return
        self.where[code] = f"{self.problems.display}:{number}"
        self.entries[code] = (start, end, f"{self.file_name}:{number}")
        self.read += 1


def load_hcpcs(parts: list[tuple[str, str, bytes]], key: str):
    """Read HCPCS files; returns (RawTable or None, diagnostics).

    Entries: code or modifier -> (first valid date, last valid date or None, "file:row").
    """
    entries: dict = {}
    where: dict = {}
    diagnostics = []
    dates = DateReader()
    for display, file_name, data in parts:
        problems, text = read_part(display, data)
        reader = _Reader(file_name, problems, entries, where, dates)
        if _is_csv(text):
            _csv(text, reader)
        else:
            _fixed_width(text, reader)
        if reader.read == 0 and not problems.has_errors:
            problems.add("RR505", f"`{display}` has no HCPCS records", None,
                         help="a HCPCS file (HCPC…_ANWEB) has one 320-character record per line")
        diagnostics.extend(problems.finish())
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return RawTable(key=key, files=tuple(name for _, name, _ in parts), entries=entries), diagnostics


def _is_csv(text: str) -> bool:
    """A CSV export starts with a header naming the HCPC column; the text file starts with a record."""
    for _first, _last, fields, _raw in csv_records(text[:20000]):
        if fields is None:
            return False
        if any(f.strip() for f in fields):
            return bool(fields) and normalize_header(fields[0]) in COLUMNS["hcpc"] and len(fields) > 1
    return False


def _fixed_width(text: str, reader: _Reader) -> None:
    problems = reader.problems
    problems.lines_end_at_cr = False  # records are split at line feeds
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        recid = line[10:11]
        kind = _RECORD_IDS.get(recid)
        if reader.read == 0 and not problems.has_errors and (kind is None or line[5:10].strip() == ""):
            problems.add("RR505", "this line is not a HCPCS record (code in positions 1-5, record id 3, 4, 7 or 8 "
                         "in position 11): is this the CMS HCPCS file (HCPC…_ANWEB.txt)?", number, line, 1,
                         min(len(line), 11))
            return

        def complain(code, message, field, line=line, number=number, help=None):
            start, end = _FIELDS[field]
            problems.add(code, message, number, line, start + 1, end - start, help)

        if kind is None:
            complain("RR509", f"`{recid}` in position 11 is not a record identification code (3, 4, 7 or 8)",
                     "recid", help="position 11 says what a record is: 3 a code, 4 more of its description, 7 a "
                                   "modifier, 8 more of its description; is the line shifted or damaged?")
            continue
        if kind == "code":
            code = line[0:5]
            if not is_procedure_code(code):
                complain("RR507", f"{shown(code.strip())} is not a HCPCS code (positions 1-5)", "code",
                         help=code_hint(code.strip()))
                continue
        else:
            code = line[3:5]
            if line[0:3].strip() or not is_modifier(code):
                complain("RR507", f"{shown(line[0:5].strip())} is not a modifier (blank positions 1-3, the modifier in "
                         "4-5)", "code", help="a modifier is 2 capital letters or digits (`26`, `TC`): is the line "
                                              "shifted or damaged?")
                continue
        if not is_digits(line[5:10]):
            complain("RR509", f"`{line[5:10]}` in positions 6-10 is not a sequence number", "seqnum",
                     help="the sequence number is 5 digits: is the line shifted or damaged?")
            continue
        if recid in _FIRST and len(line) < _MIN_FIRST:
            problems.add("RR506", f"the first record of a HCPCS code runs to position {_MIN_FIRST} at least "
                         f"(ACT EFF DT); this one has {len(line)} characters", number, line, 1, len(line),
                         help="records are 320 characters; was the file re-wrapped or trimmed?")
            continue
        padded = line.ljust(320)
        values = {field: padded[start:end] for field, (start, end) in _FIELDS.items()}
        reader.record(number, recid, code, values, complain)


def _csv(text: str, reader: _Reader) -> None:
    problems = reader.problems
    positions = None
    for first, last, fields, raw in csv_records(text):
        if fields is None:
            problems.unreadable(fields, first, last, raw)
            return
        if positions is None:
            found = header_columns(fields, COLUMNS)
            if "hcpc" in found:
                missing = [_NAMES[c] for c in ("term_dt",) if c not in found]
                if "add_dt" not in found and "act_eff_dt" not in found:
                    missing.insert(0, "ADD DT")
                if missing:
                    problems.add("RR505", "the HCPCS header has no column " + ", ".join(f"`{m}`" for m in missing),
                                 first, raw, 1, len(first_line(raw)) or 1)
                    return
                positions = found
                typed = {index: _TYPED.get(column) or ("RR508", f"a date ({_NAMES[column]})", True)
                         for column, index in found.items() if column != "seqnum"}
            continue
        if not any(f.strip() for f in fields):
            continue
        # A description may hold line breaks (a workbook cell's, exported); a line that begins
        # like a record is a row swallowed by a quote left open.
        if problems.unreadable(fields, first, last, raw, _begins_record):
            continue
        if problems.typed and problems.typed_cell(first, raw, fields, typed):
            continue

        def get(column, fields=fields):
            index = positions.get(column)
            return fields[index] if index is not None and index < len(fields) else ""

        def complain(code, message, column, fields=fields, raw=raw, first=first, help=None):
            problems.csv_field(code, message, first, raw, fields, positions.get(column, positions["hcpc"]),
                               help=help)

        code = get("hcpc").strip()
        recid = get("recid").strip() if "recid" in positions else ""
        if len(code) == 2:
            ok = is_modifier(code)
            kind = "modifier"
        else:
            ok = is_procedure_code(code)
            kind = "code"
        if not ok:
            complain("RR507", f"{shown(code)} is not a HCPCS code or modifier", "hcpc",
                     help="the column holds a code of 5 characters (`G0279`) or a modifier of 2 (`TC`), in capitals: "
                          "is the row damaged?")
            continue
        if recid:
            if _RECORD_IDS.get(recid) != kind:
                expected = "3 or 4" if kind == "code" else "7 or 8"
                complain("RR509", f"{shown(recid)} is not a record identification code of a {kind} ({expected})",
                         "recid", help=f"a {kind}'s record is {expected[0]}, and {expected[-1]} for more of its "
                                       "description: is the row damaged?")
                continue
        else:
            recid = "3" if kind == "code" else "7"
        values = {column: get(column) for column in ("add_dt", "act_eff_dt", "term_dt")}
        reader.record(first, recid, code, values, complain)
    if positions is None:
        problems.add("RR505", f"`{problems.display}` has no header with `HCPC` and `TERM DT` columns: is it the CMS "
                     "HCPCS file (CSV export of HCPC…_ANWEB.xlsx)?", None)


def _begins_record(line: str) -> bool:
    """Whether a line begins as a record of the CSV export does: a HCPCS code or modifier, then its
    five-digit sequence number (`G0279,00100,`, `TC,00100,`); a description's own lines don't."""
    head, comma, rest = line.partition(",")
    head = head.strip().strip('"')
    return bool(comma) and (is_procedure_code(head) or is_modifier(head)) \
        and bool(re.match(r'\s*"?[0-9]{5}"?,', rest))
