"""The MPFS relative value file (``PPRRVU…``): PC/TC and bilateral indicators, domain.md §8.4.

CSV: five preamble lines, then five stacked caption rows whose last begins
``HCPCS,MOD,DESCRIPTION``; column names are the captions joined top-down
(``PCTC IND``, ``BILAT SURG``): of that row and of the rows right above it
with two captions or more, up to five (a preamble line holds one field or
none, and is not read into the names). Columns are found by name, since their
positions move between years; a caption worded otherwise (``PC/TC IND``,
``BILATERAL SURG``) is known by its words. Every published layout has both
indicators, so a file without one (or with two columns for one) is refused:
without its bilateral column ``modifier.bilateral.invalid`` would be off.
The description column (AMA text) is never kept; the columns read are
taken as written (a value with white space around it is refused, as in PTP
files). The fixed-width ``.txt`` layout is read by position (HCPCS 1-5,
modifier 6-7, PC/TC 103, bilateral 117; RVU26A record layout, [V2]); the lines before the records
are skipped: those that begin ``HDR`` (CMS's header lines, a title or the AMA notice, whatever their length) and
short ones; a record-length line that is neither is read as a record, and reported if it is none.

A code's indicator is read from its global row (no modifier), else from its
26/TC rows; the properties ``pctc`` and ``bilateral`` carry them. Rows are
keyed by (HCPCS, MOD), as the file is (domain.md §4): a second row for one
key is an error (RR511), in any part of the table. The PC/TC indicator is
the same on a code's global, 26 and TC rows (§4, [V2] from the record
layout): a row that gives another than the code's first row is a warning
(RR518), not an error, since a secondary source says so and the meaning
stays clear (the global row's is read); a file that disagreed would
otherwise turn off every PC/TC check.
"""

from __future__ import annotations

import io
import re

from .. import codes
from .common import (Problems, code_hint, csv_records, first_line, last_line, padded, padding_hint, read_part, shown,
                     text_line_hint)
from .kinds import not_a_part
from .store import RawTable

_PCTC = set("0123456789")
_BILATERAL = set("01239")
_CAPTION = re.compile(r'^"?HCPCS"?\s*,\s*"?MOD"?\s*,', re.IGNORECASE)


def _stacked(rows: list[list[str]]) -> list[list[str]]:
    """The caption rows among ``rows`` (the last five records, the ``HCPCS,MOD,...`` row last): that row and the
    rows right above it with two captions or more. A row above them with one field or none (a title, a notice,
    `RELEASED 06/30/2026`, a blank line) is the preamble: its text would be read into a column's name (a title in
    the first column made the `HCPCS` column `RELEASED 12/2014 HCPCS`, and the file was refused) in a file of
    fewer than five caption rows."""
    stacked = [rows[-1]]
    for row in reversed(rows[:-1]):
        if sum(1 for field in row if field.strip()) < 2:
            break
        stacked.insert(0, row)
    return stacked


def _caption(rows: list[list[str]], index: int) -> str:
    return " ".join(row[index].strip() for row in rows if index < len(row) and row[index].strip())


def load_mpfs(parts: list[tuple[str, str, bytes]], key: str):
    """Read MPFS RVU files; returns (RawTable or None, diagnostics).

    Entries: code -> ((pctc, bilateral, modifier, "file:row"), ...).
    """
    entries: dict = {}
    keyed = _Rows(entries)
    diagnostics = []
    for display, file_name, data in parts:
        problems, text = read_part(display, data, (30, _caption_row))
        if file_name.lower().endswith(".txt") and not _has_caption_row(text):
            _fixed_width(text, file_name, problems, keyed, len(parts) > 1)
        else:
            _csv(text, file_name, problems, keyed, len(parts) > 1)
        diagnostics.extend(problems.finish())
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    values = {"pctc": {}, "bilateral": {}}
    for code, rows in entries.items():
        chosen = next((row for row in rows if row[2] == ""), rows[0])
        values["pctc"][code] = chosen[0]
        if chosen[1] is not None:
            values["bilateral"][code] = chosen[1]
    return RawTable(key=key, files=tuple(name for _, name, _ in parts), entries=values), diagnostics


class _Rows:
    """The rows of a table's parts: each (HCPCS, MOD) once, its PC/TC indicator checked against the code's
    first row."""

    def __init__(self, entries: dict):
        self.entries = entries
        self.where: dict = {}  # (code, modifier) -> "display:row" of its row

    def add(self, code: str, modifier: str, pctc: str, bilateral, problems: Problems, file_name: str,
            row: int) -> tuple | None:
        """Keep a row that reads, or say what is wrong with it: (code, message, the field at fault, help,
        severity)."""
        key = (code, modifier)
        if key in self.where:
            return ("RR511", f"{_keyed(code, modifier)} has a second row (the first is at {self.where[key]})",
                    "code", "an MPFS file has one row per code and modifier (none, 26, TC, 53)", "error")
        self.where[key] = f"{problems.display}:{row}"
        kept = self.entries.setdefault(code, [])
        kept.append((pctc, bilateral, modifier, f"{file_name}:{row}"))
        first_pctc, _, first_modifier, _ = kept[0]
        if first_pctc != pctc:
            return ("RR518", f"`{pctc}` is the PC/TC indicator of {_keyed(code, modifier)}, but its row "
                    f"{_modifier(first_modifier)} (at {self.where[(code, first_modifier)]}) gives `{first_pctc}`",
                    "pctc", "a code's global, 26 and TC rows carry one PC/TC indicator (domain.md §4); radrules "
                    "reads the row without a modifier: is the file damaged?", "warning")
        return None


def _modifier(modifier: str) -> str:
    return f"with modifier {modifier}" if modifier else "without a modifier"


def _keyed(code: str, modifier: str) -> str:
    return f"{code} {_modifier(modifier)}"


def _caption_row(fields: list[str]) -> bool:
    """Whether a row is the caption row (``HCPCS,MOD,...``), for a workbook's search."""
    return len(fields) >= 2 and fields[0].strip().upper() == "HCPCS" and fields[1].strip().upper() == "MOD"


def _has_caption_row(text: str) -> bool:
    """Whether a ``.txt`` is a CSV export after all: a line of its first 30 begins ``HCPCS,MOD``.

    The fixed-width layout has no caption row, and its description (positions
    8-57) may hold commas, so a comma alone does not make a file CSV.
    """
    for line in io.StringIO(text, newline="").readlines()[:30]:
        if _CAPTION.match(line):
            return True
    return False


def _csv(text: str, file_name: str, problems: Problems, keyed: _Rows, several: bool) -> None:
    recent: list[list[str]] = []
    columns = None
    rows_read = end_line = 0
    end_raw = ""
    for first, last, fields, raw in csv_records(text):
        end_line, end_raw = last, raw  # the file's last record, when the loop ends
        if fields is None:
            problems.unreadable(fields, first, last, raw)
            return
        if columns is None:
            recent = (recent + [fields])[-5:]
            if _caption_row(fields):
                stacked = _stacked(recent)
                width = max(len(row) for row in stacked)
                names = [_caption(stacked, i) for i in range(width)]
                while width and not names[width - 1]:  # empty captions at the end: a row may leave them out
                    width -= 1
                columns = _columns(names, problems, first, raw, fields)
                if columns is None:
                    return
                typed = {columns[role]: ("RR507" if role == "code" else "RR509", _TYPED[role], False)
                         for role in _WANTED}
            elif first > 30:
                problems.add("RR505", f"`{problems.display}` has no `HCPCS,MOD,...` caption row in its first 30 "
                             "lines: is it an MPFS relative value file (PPRRVU)?", None)
                return
            continue
        if not any(f.strip() for f in fields):
            continue
        if problems.unreadable(fields, first, last, raw):
            continue
        rows_read += 1
        # A row has a field for each caption column (a spreadsheet's export pads it with empty ones): one with
        # fewer is cut short, one with more holds a comma outside quotes, and its columns are not the captions'.
        if len(fields) < width or any(f.strip() for f in fields[width:]):
            problems.add("RR506", f"an MPFS row has {width} fields, as its caption rows; this one has {len(fields)}",
                         first, raw, 1, len(first_line(raw)),
                         help="a row has a field for each column of the captions, empty or not: is it cut short, or "
                              "does a value (a description) hold a comma outside quotes?")
            continue
        if problems.typed and problems.typed_cell(first, raw, fields, typed):
            continue

        def value(role):
            """A field as written: CMS's codes and values have no white space around them (as PTP codes)."""
            index = columns.get(role)
            return fields[index] if index is not None and index < len(fields) else ""

        def complain(code, message, role, name, good, article="a"):
            text = value(role)
            if role == "code":
                help = code_hint(text) or text_line_hint(fields, columns["code"], "an MPFS")
            else:
                help = padding_hint(text, name, article) if padded(text) and good(text.strip()) else None
            problems.csv_field(code, message, first, raw, fields, columns[role], max(len(text), 1), help=help)

        code, modifier, pctc, bilateral = value("code"), value("modifier"), value("pctc"), value("bilateral")
        # A bad row is one error, at its first bad field.
        if not codes.is_procedure_code(code) or padded(code):
            complain("RR507", f"{shown(code)} is not a procedure code", "code", "code", codes.is_procedure_code)
        elif padded(modifier):
            complain("RR509", f"{shown(modifier)} is not a modifier", "modifier", "modifier", lambda held: True)
        elif pctc not in _PCTC:
            complain("RR509", f"{shown(pctc)} is not a PC/TC indicator (0-9)", "pctc", "indicator",
                     _PCTC.__contains__, "an")
        elif bilateral not in _BILATERAL:
            complain("RR509", f"{shown(bilateral)} is not a bilateral surgery indicator (0, 1, 2, 3 or 9)",
                     "bilateral", "indicator", _BILATERAL.__contains__, "an")
        else:
            problem = keyed.add(code, modifier, pctc, bilateral, problems, file_name, first)
            if problem is not None:
                diagnostic, message, field, hint, severity = problem
                problems.csv_field(diagnostic, message, first, raw, fields, columns[field], help=hint,
                                   severity=severity)
    if rows_read and end_raw.strip() and not end_raw.endswith(("\n", "\r")) and not problems.has_errors:
        problems.cut_short(end_line, last_line(end_raw))  # CMS ends every line, the last one too
    if problems.has_errors:
        return
    if columns is None and several:  # a README beside the parts, say
        message, hint = not_a_part("pctc", problems.display, "it has no `HCPCS,MOD,...` caption row")
        problems.add("RR505", message, None, help=hint)
    elif columns is None:
        problems.add("RR505", f"`{problems.display}` has no `HCPCS,MOD,...` caption row: is it an MPFS relative "
                     "value file (PPRRVU)?", None)
    elif rows_read == 0 and not problems.has_errors:
        problems.add("RR505", f"`{problems.display}` has its caption rows and no records", None,
                     help="an MPFS relative value file has a row per code after its captions; was it cut short?")


#: The columns radrules reads, by their published caption (domain.md §8.4).
_WANTED = {"code": "HCPCS", "modifier": "MOD", "pctc": "PCTC IND", "bilateral": "BILAT SURG"}
_PUBLISHED = "`HCPCS`, `MOD`, `PCTC IND` and `BILAT SURG`"
_LABELS = {"code": "HCPCS code", "modifier": "modifier", "pctc": "PC/TC indicator",
           "bilateral": "bilateral surgery indicator"}
#: What each column holds, for a workbook's cells in a date or time format (Problems.typed_cell).
_TYPED = {"code": "a procedure code", "modifier": "a modifier", "pctc": "a PC/TC indicator",
          "bilateral": "a bilateral surgery indicator"}


def _role(name: str) -> str | None:
    """Which column a caption (the stacked rows joined) names: ``HCPCS`` and ``MOD`` exactly; the PC/TC
    indicator by ``PCTC`` (or ``PC/TC``), the bilateral surgery indicator by ``BILAT`` or ``BILATERAL``,
    whatever else the caption says (``PCTC IND``, ``PC/TC INDICATOR``, ``BILAT SURG``, ``BILATERAL SURGERY
    IND``)."""
    words = re.findall(r"[0-9a-z]+", name.lower())
    if words == ["hcpcs"]:
        return "code"
    if words == ["mod"]:
        return "modifier"
    if "pctc" in words or any(words[i:i + 2] == ["pc", "tc"] for i in range(len(words))):
        return "pctc"
    if "bilat" in words or "bilateral" in words:
        return "bilateral"
    return None


def _columns(names: list[str], problems: Problems, row: int, raw: str, fields: list[str]) -> dict | None:
    """Where each column of ``_WANTED`` is among the caption names; None after reporting one missing, or one
    named by two columns (either could be the one CMS means)."""
    columns: dict = {}
    for index, name in enumerate(names):
        role = _role(name)
        if role is None:
            continue
        if role in columns:
            problems.csv_field("RR505", f"`{name}` (field {index + 1}) is a second column for the {_LABELS[role]} "
                               f"(the first is `{names[columns[role]]}`, field {columns[role] + 1})", row, raw,
                               fields, index, help=f"radrules reads one column for each of {_PUBLISHED}: is this "
                                                   "a PPRRVU file of another layout?")
            return None
        columns[role] = index
    missing = [_WANTED[role] for role in _WANTED if role not in columns]
    if missing:
        # Without the bilateral column `modifier.bilateral.invalid` would be off without a word (every PPRRVU
        # layout has it: CSV `BILAT SURG`, fixed width position 117).
        problems.add("RR505", "the MPFS header has no column " + ", ".join(f"`{m}`" for m in missing), row, raw,
                     help=f"the captions of an MPFS relative value file (PPRRVU) name {_PUBLISHED} (each read "
                          "top-down over the stacked caption rows): is this the PPRRVU file, in its published layout?")
        return None
    return columns


def _fixed_width(text: str, file_name: str, problems: Problems, keyed: _Rows, several: bool) -> None:
    problems.lines_end_at_cr = False  # records are split at line feeds
    read = 0
    started = False
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        code = line[0:5]
        if not started:
            if line.startswith("HDR") or len(line) < 117 and not codes.is_procedure_code(code):
                # A header line before the records: `HDR` and a title or notice, of any length (padded to the
                # record's length, or an AMA notice longer than a record), or a short title line (a record is 117
                # characters at least). No procedure code begins `HDR`.
                continue
            started = True
        if not codes.is_procedure_code(code):
            problems.add("RR507", f"{shown(code)} is not a procedure code (positions 1-5)", number, line, 1, 5)
            continue
        if len(line) < 117:
            problems.add("RR506", f"a fixed-width MPFS record has at least 117 characters; this one has {len(line)}",
                         number, line, 1, len(line),
                         help="the bilateral indicator is in position 117 (PC/TC in 103): was the line cut short, "
                              "or its trailing blanks trimmed? Take the file again, or its CSV version")
            continue
        pctc, bilateral, modifier = line[102], line[116], line[5:7].strip()
        if pctc not in _PCTC:
            problems.add("RR509", f"`{pctc}` at position 103 is not a PC/TC indicator", number, line, 103, 1)
            continue
        if bilateral not in _BILATERAL:
            problems.add("RR509", f"`{bilateral}` at position 117 is not a bilateral indicator", number, line, 117, 1)
            continue
        problem = keyed.add(code, modifier, pctc, bilateral, problems, file_name, number)
        if problem is not None:
            diagnostic, message, field, hint, severity = problem
            column, width = (103, 1) if field == "pctc" else (1, 5)  # PC/TC at position 103, HCPCS at 1-5
            problems.add(diagnostic, message, number, line, column, width, hint, severity)
        read += 1
    if read and lines[-1].strip() and not problems.has_errors:  # the last record has no line ending
        problems.cut_short(len(lines), lines[-1].rstrip("\r"))
    if read == 0 and not problems.has_errors and several:  # a README beside the parts, say
        message, hint = not_a_part("pctc", problems.display, "it has no MPFS records")
        problems.add("RR505", message, None, help=hint)
    elif read == 0 and not problems.has_errors:
        problems.add("RR505", f"`{problems.display}` has no MPFS records", None)
