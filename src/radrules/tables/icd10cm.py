"""The CMS ICD-10-CM order file (``icd10cm_order_2026.txt``), domain.md §8.5.

Fixed width, one code a line, every code of the fiscal year's code set
with its headers (categories and subcategories) [V2]::

    1-5    order number (digits)
    7-13   the code, without its dot, left-aligned
    15     1 billable (a valid code for a claim), 0 a header
    17-76  short description   (never read)
    78-    long description    (never read)

Positions 6, 14 and 16 are blanks. A fiscal year runs from October 1 to
September 30: ``icd10cm_order_2026.txt`` is the FY2026 code set, in force
from 2025-10-01 (the year is read from the file name). Descriptions are
never kept.
"""

from __future__ import annotations

import re

from ..codes import is_digits
from .common import read_part, shown
from .store import RawTable

#: An ICD-10-CM code as the order file writes it: no dot, 3 to 7 characters.
CODE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_MIN_LENGTH = 15  # through the billable flag


def load_icd10cm(parts: list[tuple[str, str, bytes]], key: str):
    """Read ICD-10-CM order files; returns (RawTable or None, diagnostics).

    Entries: code (no dot) -> (billable, "file:row").
    """
    entries: dict = {}
    where: dict = {}
    diagnostics = []
    for display, file_name, data in parts:
        problems, text = read_part(display, data)
        problems.lines_end_at_cr = False  # rows are split at line feeds
        read = 0
        for number, line in enumerate(text.split("\n"), 1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            order = line[0:5]
            if read == 0 and not problems.has_errors and not is_digits(order):
                problems.add("RR505", "this line is not an ICD-10-CM order record (an order number in positions "
                             "1-5): is this the CMS order file (icd10cm_order_YYYY.txt)?", number, line, 1,
                             min(len(line), 5))
                break
            if len(line) < _MIN_LENGTH:
                problems.add("RR506", f"an ICD-10-CM order record has at least {_MIN_LENGTH} characters (order "
                             f"number, code, billable flag); this one has {len(line)}", number, line, 1, len(line),
                             help="the billable flag is in position 15: is the line cut short, or is this not the "
                                  "order file (icd10cm_order_YYYY.txt)?")
                continue
            if not is_digits(order):
                problems.add("RR509", f"`{order}` in positions 1-5 is not an order number", number, line, 1, 5,
                             help="the order number is 5 digits: is the line shifted, or not from the order file "
                                  "(icd10cm_order_YYYY.txt)?")
                continue
            blanks = [position for position in (6, 14, 16) if position <= len(line) and line[position - 1] != " "]
            if blanks:
                problems.add("RR506", f"position {blanks[0]} is not blank: the fields are not where the order file "
                             "has them (order 1-5, code 7-13, billable flag 15)", number, line, blanks[0], 1,
                             help="a code with its dot, or a shifted column, moves the fields")
                continue
            code = line[6:13].rstrip()
            if not CODE.match(code):
                problems.add("RR515", f"{shown(code.strip())} is not an ICD-10-CM code (positions 7-13, no dot)",
                             number, line, 7, 7)
                continue
            flag = line[14]
            if flag not in "01":
                problems.add("RR509", f"`{flag}` in position 15 is not a billable flag (0 header, 1 billable)",
                             number, line, 15, 1)
                continue
            if code in entries:
                problems.add("RR511", f"{code} has a second record (the first is at {where[code]})", number, line, 7,
                             len(code), help="an order file lists each code once")
                continue
            where[code] = f"{display}:{number}"
            entries[code] = (flag == "1", f"{file_name}:{number}")
            read += 1
        if read == 0 and not problems.has_errors:
            problems.add("RR505", f"`{display}` has no ICD-10-CM order records", None)
        diagnostics.extend(problems.finish())
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return RawTable(key=key, files=tuple(name for _, name, _ in parts), entries=entries), diagnostics
