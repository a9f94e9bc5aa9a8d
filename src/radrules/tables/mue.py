"""The MUE tables (``MCR_MUE_…Services_Eff_MM-DD-YYYY.csv``), domain.md §8.2.

CSV, Latin-1. Record 1 is a quoted, multi-line AMA notice; the header's
first field (``"HCPCS/\\nCPT Code"``) holds a line break; column 3 holds the
MAI digit and its label in one field (``2 Date of Service Edit: Policy``):
the label must be the digit's (case and the white space between words
aside), or be left out. One row per code, of four fields (the rationale's
may be empty; three under a header of three columns, code, values and MAI,
the layout before the rationale column, as remembered); codes and values
with white space around them are refused, as in PTP files. The table's effective date is in the file name only.
The table's setting (practitioner, outpatient hospital, DME) is read from
the words of the column 2 header (``Practitioner Services MUE Values``),
else from the file name (``…_OutpatientHospitalServices_…``): the compiler
refuses a file of another setting than its statement's (RR514).
"""

from __future__ import annotations

import csv
import re

from .. import codes
from .common import (code_hint, csv_records, first_line, last_line, normalize_header, padded, padding_hint, read_part,
                     shown, text_line_hint)
from .kinds import not_a_part
from .store import RawTable

#: Words that name a table's setting, in the column 2 header (`Outpatient Hospital Services MUE Values`) or
#: the file name (`MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv`) -> the claim type it serves.
SETTING_WORDS = {"practitioner": "professional", "practitioners": "professional", "physician": "professional",
                 "outpatient": "institutional", "hospital": "institutional", "facility": "institutional",
                 "dme": "dme", "dmepos": "dme", "supplier": "dme"}
#: How messages name the table of each claim type.
LABELS = {"professional": "practitioner", "institutional": "outpatient hospital", "dme": "DME"}
_HEADER = ("`HCPCS/CPT Code`, `Practitioner Services MUE Values` (or the outpatient hospital or DME table's), "
           "`MUE Adjudication Indicator`, `MUE Rationale`")
#: The first words of an MAI field, as a row's shape is told (a rationale's own lines don't begin so).
_MAI = re.compile(r"^([123])(?:\s|$)")
#: The MAI labels CMS publishes (domain.md §2.2).
MAI_LABELS = {1: "1 Line Edit", 2: "2 Date of Service Edit: Policy", 3: "3 Date of Service Edit: Clinical"}
#: An MAI field, its white space left out and in lower case -> the MAI: a published label, or its digit alone.
#: A workbook row's columns, for its cells in a date or time format (Problems.typed_cell): none holds dates.
_TYPED = {0: ("RR507", "a procedure code", False), 1: ("RR509", "a unit limit", False),
          2: ("RR509", "an MUE adjudication indicator", False), 3: ("RR509", "a rationale", False)}
_MAI_TEXTS = {**{"".join(label.lower().split()): mai for mai, label in MAI_LABELS.items()},
              **{str(mai): mai for mai in MAI_LABELS}}


def _settings(words: list[str]) -> list[str]:
    """The claim types whose settings ``words`` name, in the order of ``LABELS``."""
    named = {SETTING_WORDS[w] for w in words if w in SETTING_WORDS}
    return [claim_type for claim_type in LABELS if claim_type in named]


def setting_of_name(file_name: str) -> str | None:
    """The claim type a file's name gives (``…_PractitionerServices_…``, ``…_OutpatientHospitalServices_…``,
    ``…_DME…``), if it names one setting only; None otherwise."""
    stem = file_name.rsplit(".", 1)[0]
    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", stem)]
    named = _settings(words)
    return named[0] if len(named) == 1 else None


def _header_row(fields: list[str]) -> bool:
    """Whether a row is the header (a tab-separated one too, which is an error), for a workbook's search."""
    return bool(fields) and (_is_code_header(fields[0]) or _is_code_header(fields[0].split("\t")[0]))


def load_mue(parts: list[tuple[str, str, bytes]], key: str):
    """Read MUE files; returns (RawTable or None, diagnostics).

    Entries: code -> ((max units, MAI, rationale, "file:row"),). The claim
    type each part's header (else its file name) names is kept (``part_types``): the compiler
    refuses a part of the other setting than its statement's (RR514).
    """
    entries: dict = {}
    where: dict = {}
    settings: dict = {}  # code -> the claim type named by the header of the part that gave its row
    diagnostics = []
    part_types: list = [None] * len(parts)
    for index, (display, file_name, data) in enumerate(parts):
        problems, text = read_part(display, data, (200, _header_row))
        header_found = False
        width = 4  # a row's fields: 3 under a header without the rationale column (_without_rationale)
        rows_read = end_line = 0
        end_raw = ""
        for first, last, fields, raw in csv_records(text):
            end_line, end_raw = last, raw  # the file's last record, when the loop ends
            if fields is None:
                problems.unreadable(fields, first, last, raw)
                break
            if not header_found:
                if fields and not _is_code_header(fields[0]) and _is_code_header(fields[0].split("\t")[0]):
                    # the header, its fields separated by tabs: the csv module reads it as one field
                    problems.add("RR505", f"`{display}` is tab-separated: an MUE table's fields are separated by "
                                 "commas", first, raw, 1, len(first_line(raw)),
                                 help="CMS publishes the MUE table as CSV (and .xlsx): take that file, or save this "
                                      "one as CSV")
                    break
                if fields and _is_code_header(fields[0]):
                    header_found = True
                    if _without_rationale(fields):
                        width = 3
                    elif len(fields) < 4:
                        problems.add("RR505", "the MUE header needs code, value, MAI and rationale columns", first,
                                     raw, help=f"the header is {_HEADER}: is this a CMS MUE file?")
                        break
                    named = _settings(re.findall(r"[0-9a-z]+", fields[1].lower()))
                    if len(named) > 1:
                        problems.csv_field("RR505", f"`{' '.join(fields[1].split())}` names the "
                                           f"{' and the '.join(LABELS[n] for n in named)} settings: can't tell "
                                           "whose table this is", first, raw, fields, 1,
                                           help="the second column is `Practitioner Services MUE Values`, "
                                                "`Outpatient Hospital Services MUE Values` or `DME Supplier "
                                                "Services MUE Values`: correct it, or take CMS's file again")
                        break
                    by_name = setting_of_name(file_name)
                    if named and by_name is not None and by_name != named[0]:  # a file renamed, or mislabelled
                        problems.csv_field("RR517", f"`{file_name}` is named as the {LABELS[by_name]} MUE table, but "
                                           f"its header says {LABELS[named[0]]}: the header decides", first, raw,
                                           fields, 1, help="CMS names each setting's MUE file for its setting "
                                           "(`…_PractitionerServices_…`, `…_OutpatientHospitalServices_…`): "
                                           "take the file again, or correct its name", severity="warning")
                    part_types[index] = named[0] if named else by_name
                elif first > 200:
                    problems.add("RR505", f"`{display}` has no `HCPCS/CPT Code` header in its first 200 lines: is it "
                                 "a CMS MUE file?", None)
                    break
                continue
            if not any(f.strip() for f in fields):
                continue
            # A rationale may hold a line break (as the header's caption does); a line that begins like a row is a
            # row swallowed by a quote left open.
            if problems.unreadable(fields, first, last, raw, _begins_row):
                continue
            rows_read += 1
            # The rationale is a column of every table whose header names it (domain.md §8.2): a row without its
            # field is cut short. The field may be empty, and empty fields past it (an export's trailing commas) are
            # no error.
            if len(fields) < width or any(f.strip() for f in fields[width:]):
                layout = " (its header has no rationale column)" if width < 4 else ""
                fields_are = ("the code, its unit limit, the MAI and the rationale (its field may be empty)"
                              if width == 4 else "the code, its unit limit and the MAI, as its header")
                problems.add("RR506", f"an MUE row has {width} fields{layout}; this one has {len(fields)}", first, raw,
                             1, len(raw.rstrip()),
                             help=f"a row is {fields_are}, separated by commas: is the row cut short, does a value "
                                  "hold a comma outside quotes, or is the line not a row (a note or an `End of file` "
                                  "line added to the file)?")
                continue
            if problems.typed and problems.typed_cell(first, raw, fields, _TYPED):
                continue
            # Codes and values are read as written: CMS's have no white space around them (as PTP codes).
            code, value, mai_text = fields[0], fields[1], fields[2]
            reason = fields[3].strip() if width > 3 else ""
            if "\n" in reason or "\r" in reason:  # a cell's line break: one line in messages
                reason = " ".join(reason.split())
            # A bad row is one error, at its first bad field (a line that is no row would give one per field).
            if not codes.is_procedure_code(code) or padded(code):
                problems.csv_field("RR507", f"{shown(code)} is not a procedure code", first, raw, fields, 0,
                                   help=code_hint(code) or text_line_hint(fields, 0, "an MUE"))
                continue
            if not codes.is_digits(value) or padded(value):
                help = (padding_hint(value, "unit limit") if codes.is_digits(value.strip()) else "a unit limit is a "
                        "whole number of units, in digits only (no sign, no decimals): is the row damaged?")
                problems.csv_field("RR509", f"{shown(value)} is not a unit limit (a whole number, 0 or more)", first,
                                   raw, fields, 1, help=help)
                continue
            if len(value.lstrip("0")) > 15:  # past any limit; int() would refuse one of over 4,300 digits
                problems.csv_field("RR509", f"a unit limit of {len(value):,} digits is not under 10^15", first, raw,
                                   fields, 1, help="CMS's unit limits are a few digits long: is the row damaged?")
                continue
            mai = _mai(mai_text, problems, first, raw, fields)
            if mai is None:
                continue
            if code in entries:
                setting = settings[code]
                if None in (setting, part_types[index]) or setting == part_types[index]:
                    problems.add("RR511", f"{code} has a second row (the first is at {where[code]})", first, raw, 1,
                                 len(code), help="an MUE table has one row per code")
                # else: parts of two settings, which the compiler refuses (RR514): a code of both is no mistake
                continue
            source = f"{file_name}:{first}"
            where[code] = f"{display}:{first}"
            settings[code] = part_types[index]
            entries[code] = ((int(value), mai, reason, source),)
        cut_short = end_raw.strip() and not end_raw.endswith(("\n", "\r"))  # CMS ends every line, the last too
        if rows_read and cut_short and not problems.has_errors:
            problems.cut_short(end_line, last_line(end_raw))
        if not header_found and not problems.has_errors and len(parts) > 1:  # a README beside the parts, say
            message, hint = not_a_part("mue", display, "it has no `HCPCS/CPT Code` header")
            problems.add("RR505", message, None, help=hint)
        elif not header_found and not problems.has_errors:
            problems.add("RR505", f"`{display}` has no `HCPCS/CPT Code` header; is it a CMS MUE file?", None)
        elif header_found and rows_read == 0 and not problems.has_errors:
            problems.add("RR505", f"`{display}` has a header and no rows", None,
                         help="an MUE file has a row per code after its header; was it cut short?")
        diagnostics.extend(problems.finish())
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return RawTable(key=key, files=tuple(name for _, name, _ in parts), entries=entries,
                    part_types=tuple(part_types)), diagnostics


def _without_rationale(fields: list[str]) -> bool:
    """Whether a header names three columns, the code, its MUE values and the MUE adjudication indicator, and no
    rationale: the layout before CMS added the `MUE Rationale` column (as remembered, not verified here). Its
    rows have three fields; the rationale is only shown in messages."""
    named = [" ".join(field.lower().split()) for field in fields]
    while named and not named[-1]:
        named.pop()
    return len(named) == 3 and "adjudication" in named[2] and not any("rationale" in name for name in named)


def _is_code_header(text: str) -> bool:
    """Whether a field is the header of the code column (``"HCPCS/\nCPT Code"``)."""
    return normalize_header(text) in ("hcpcs_cpt_code", "hcpcs_cpt", "hcpcs")


def _mai(text: str, problems, row: int, raw: str, fields: list[str]) -> int | None:
    """The MAI an MUE row's field gives: its digit and published label (compared without regard to case or the
    white space between words) or its digit alone; None after reporting a field that gives none."""
    mai = _MAI_TEXTS.get(text) or _MAI_TEXTS.get("".join(text.lower().split()))
    if mai is not None and not padded(text):
        return mai
    match = _MAI.match(text.strip())
    if mai is not None:
        message, help = "is not an MUE adjudication indicator (1, 2 or 3)", padding_hint(text, "MAI", "an")
    elif match is None:
        message = "is not an MUE adjudication indicator (1, 2 or 3)"
        help = ("the field starts with the indicator's digit, then its label: `1 Line Edit`, `2 Date of Service "
                "Edit: Policy` or `3 Date of Service Edit: Clinical`; is the row damaged?")
    else:
        digit = int(match.group(1))
        label = " ".join(text.split()[1:])
        other = next((number for number, published in MAI_LABELS.items()
                      if "".join(published.lower().split()[1:]) == "".join(label.lower().split())), None)
        if other is not None:
            message = f"is not an MUE adjudication indicator: `{label}` is the label of MAI {other}, not {digit}"
            help = (f"MAI {digit} is `{MAI_LABELS[digit]}`, MAI {other} `{MAI_LABELS[other]}`: is the digit or the "
                    "label damaged?")
        else:
            message = f"is not an MUE adjudication indicator: `{label}` is not an MAI label"
            help = (f"MAI {digit} is written `{MAI_LABELS[digit]}` (or `{digit}` alone), as CMS publishes it: is "
                    "the row damaged?")
    problems.csv_field("RR509", f"{shown(text)} {message}", row, raw, fields, 2, help=help)
    return None


def _begins_row(line: str) -> bool:
    """Whether a line reads as an MUE row: a procedure code, a unit limit and an MAI; a rationale's own lines
    don't."""
    try:
        fields = next(csv.reader([line.rstrip("\r\n")]), [])
    except csv.Error:
        return False
    return (len(fields) >= 3 and codes.is_procedure_code(fields[0].strip()) and codes.is_digits(fields[1].strip())
            and _MAI.match(fields[2].strip()) is not None)
