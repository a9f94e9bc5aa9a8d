"""Which CMS file a table file looks like, told from its first lines (and from its name when they don't say).

A `table` statement names a kind; a file of another kind among its files (a
CMS download unpacked into one folder holds the PTP parts, the MUE table,
the add-on code file and the MPFS file side by side) would be read row by
row in the wrong layout, giving a row error per line. :func:`foreign_parts`
finds those files first, so each gives one error saying what it looks like.

A file is taken for another kind only on that kind's header (``MUE
Adjudication Indicator``, ``Add-on Code`` beside ``Primary Code``, the MPFS
caption row ``HCPCS,MOD,DESCRIPTION``, ...), never when it shows its own
kind's, and on its name only when its lines show no kind at all: a damaged
file of the right kind is read, and reported row by row, as before.
"""

from __future__ import annotations

import re

from .common import decode, utf16_encoding
from .workbook import is_workbook

#: The kinds of table a `table` statement names.
KINDS = ("ptp", "mue", "addon", "pctc", "hcpcs", "icd10cm")
#: How a message names a file of each kind ("looks like an MUE table").
NAMES = {"ptp": "a PTP file", "mue": "an MUE table", "addon": "an add-on code file",
         "pctc": "an MPFS relative value file", "hcpcs": "a HCPCS file", "icd10cm": "an ICD-10-CM order file"}
#: The kind's short name, for "not a PTP part".
SHORT = {"ptp": "a PTP", "mue": "an MUE", "addon": "an add-on code", "pctc": "an MPFS", "hcpcs": "a HCPCS",
         "icd10cm": "an ICD-10-CM"}

#: What :func:`looks_like` says of a file that is not text (NUL bytes, and not UTF-16).
BINARY = "binary"
#: What the first bytes of a file are read for (the MUE notice and the MPFS captions are a few kB).
HEAD_BYTES = 1 << 16
HEAD_LINES = 60

_SEP = r"[\t,]"
# Each kind's header, as CMS publishes it (domain.md §8): a file showing one is that kind.
_HEADERS = {
    "ptp": re.compile(r"^\W*column ?1(?:/|\W+)column ?2", re.IGNORECASE | re.MULTILINE),
    "mue": re.compile(r"mue adjudication indicator|services mue values", re.IGNORECASE),
    "addon": re.compile(r"^(?=.*\badd[- _]?on[ _]code\b)(?=.*\b(?:primary[ _]code|aoc[ _]edit[ _]type)\b)",
                        re.IGNORECASE | re.MULTILINE),
    "pctc": re.compile(r"^\W*hcpcs\W*" + _SEP + r"\W*mod\W*" + _SEP + r"\W*description\b"
                       r"|physician fee schedule relative value", re.IGNORECASE | re.MULTILINE),
    "hcpcs": re.compile(r"^\W*hcpc\W*" + _SEP + r"(?=.*\badd dt\b)(?=.*\bterm dt\b)", re.IGNORECASE | re.MULTILINE),
}
# Rows only one kind has: PTP rows (two codes, a date, a deletion date or `*`, an indicator) and ICD-10-CM
# order records (order number, a blank, a code starting with a letter, a billable flag).
_ROWS = {
    "ptp": re.compile(r'^"?\w{5}"?([\t,])"?\w{5}"?\1"?\*?"?\1"?\d{8}"?\1"?(?:\d{8}|\*)"?\1"?[019]"?\1', re.MULTILINE),
    "icd10cm": re.compile(r"^\d{5} [A-Z][0-9][0-9A-Z]{0,5} +[01] ", re.MULTILINE),
}
#: The names CMS gives each kind's files (domain.md §8): the clue when the lines show no kind.
_NAMES = {
    "ptp": re.compile(r"^(?:ccipra|ccioph)-", re.IGNORECASE),
    "mue": re.compile(r"^mcr_mue_", re.IGNORECASE),
    "addon": re.compile(r"^aoc_v?[0-9]{4}q[1-4]", re.IGNORECASE),
    "pctc": re.compile(r"^pprrvu|^rvu[0-9]{2}[a-d]", re.IGNORECASE),
    "hcpcs": re.compile(r"^hcpc[0-9]{4}", re.IGNORECASE),
    "icd10cm": re.compile(r"^icd10cm_order", re.IGNORECASE),
}


def kinds_shown(head: str) -> list[str]:
    """The kinds whose header or rows the first lines of a file show."""
    lines = head.split("\n", HEAD_LINES)[:HEAD_LINES]
    text = "\n".join(line.rstrip("\r") for line in lines)
    shown = [kind for kind, header in _HEADERS.items() if header.search(text)]
    for kind, row in _ROWS.items():
        if kind not in shown and len(row.findall(text)) >= 2:
            shown.append(kind)
    return shown


def kind_named(name: str) -> str | None:
    """The kind a CMS file name says, if it says one."""
    return next((kind for kind, pattern in _NAMES.items() if pattern.search(name)), None)


def looks_like(kind: str, name: str, head: bytes) -> str | None:
    """The other kind a file named as ``kind`` looks like, or None (it looks like ``kind``, or like nothing)."""
    if is_workbook(head, name):
        return None  # read by the loader (its first sheet); too slow to read twice
    if b"\0" in head and utf16_encoding(head) is None:
        return BINARY  # not text: said before the whole file is read (it may be gigabytes)
    shown = kinds_shown(decode(head))
    if kind in shown:
        return None
    named = kind_named(name)
    if shown:
        return named if named in shown else shown[0]
    return named if named is not None and named != kind else None


def foreign_parts(kind: str, parts, opener=None) -> list[tuple[str, str]]:
    """(display path, kind) of each of a table's parts that looks like a file of another kind.

    ``parts`` holds (display path, real path); only the first bytes of each are read, opened by ``opener``
    (a path -> a binary stream; default: ``open(path, "rb")``).
    """
    found = []
    for display, path in parts:
        with (opener(path) if opener is not None else open(path, "rb")) as handle:
            head = handle.read(HEAD_BYTES)
        other = looks_like(kind, path.name, head)
        if other is not None:
            found.append((display, other))
    return found


def not_a_part(kind: str, display: str, why: str) -> tuple[str, str]:
    """The message and hint of RR505 for a file among a table's several files that holds no table of ``kind``
    (``why``: `it has no PTP rows`), such as a README beside the parts: as for a file of another kind, the hint
    is that a table's files are its parts only, not the layout of a part."""
    return (f"`{display}` is not {SHORT[kind]} part: {why}",
            f"the files of a `table {kind}` statement (or of its folder) are the parts of one {kind} table only: move "
            "this file out")


def describe(kind: str, display: str, other: str, several: bool) -> tuple[str, str]:
    """The message and hint of RR505 for a file of kind ``other`` named in a `table KIND` statement."""
    if other == BINARY:
        return (f"`{display}` is not a text file: it holds NUL bytes",
                "a table file is CMS's text file (.TXT or .csv) or its .xlsx workbook: is this one damaged, still "
                "being copied, or an archive not yet unpacked?")
    if several:
        return (f"`{display}` looks like {NAMES[other]}, not {SHORT[kind]} part",
                f"the files of a `table {kind}` statement (or of its folder) are the parts of one {kind} table only: "
                f"move this file out, and load it with a `table {other}` statement of its own")
    return (f"`{display}` looks like {NAMES[other]}, not {NAMES[kind]}",
            f"load it with `table {other}`, or name {NAMES[kind]} here")
