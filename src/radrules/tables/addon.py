"""The NCCI add-on code (AOC) edit file, domain.md §3 and §8.3.

CMS publishes it as a fixed-width text file (positions unverified, [U]) and
as an Excel workbook; radrules reads the CSV export of the workbook (or the
workbook itself with ``radrules[xlsx]``). Columns are found by name,
normalised as a public loader does (``primary_code``, ``add_on_code``,
``aoc_edit_type``, ``aoc_del_dt``, ``primary_code_del_dt``,
``aoc_edit_eff_dt``, ``aoc_edit_del_dt``; a ``_julian`` suffix is dropped).
Dates may be ``YYYYMMDD`` or Julian ``YYYYDDD`` (both seen, [U]).
Primary code ``CCCCC`` means contractor-defined primaries (type 2).
"""

from __future__ import annotations

from .. import codes
from .common import DateReader, csv_records, header_columns, read_part, shown
from .store import RawTable

COLUMNS = {
    "add_on_code": ("add_on_code", "addon_code", "aoc", "aoc_code"),
    "primary_code": ("primary_code", "primary"),
    "aoc_edit_type": ("aoc_edit_type", "edit_type", "type"),
    "aoc_del_dt": ("aoc_del_dt", "aoc_deletion_date"),
    "primary_code_del_dt": ("primary_code_del_dt", "primary_deletion_date"),
    "aoc_edit_eff_dt": ("aoc_edit_eff_dt", "aoc_edit_effective_date", "effective_date"),
    "aoc_edit_del_dt": ("aoc_edit_del_dt", "aoc_edit_deletion_date", "deletion_date"),
}
REQUIRED = ("add_on_code", "primary_code", "aoc_edit_type")
CONTRACTOR = "CCCCC"
_NO_DATE = ("", "*", "0", "00000000", "99999999", "9999999")


def load_addon(parts: list[tuple[str, str, bytes]], key: str):
    """Read AOC files; returns (RawTable or None, diagnostics).

    Entries: add-on code -> tuple of (type, primary or None, edit start, edit end,
    add-on end, primary end, "file:row"), one per row.
    """
    entries: dict = {}
    diagnostics = []
    dates = DateReader()
    latest = None
    for display, file_name, data in parts:
        problems, text = read_part(display, data)
        positions = None
        rows_read = 0
        for first, last, fields, raw in csv_records(text):
            if fields is None:
                problems.unreadable(fields, first, last, raw)
                break
            if positions is None:
                found = header_columns(fields, COLUMNS)
                if all(column in found for column in REQUIRED):
                    positions = found
                elif first > 20:
                    problems.add("RR505", f"`{display}` has no header with `Add-on Code`, `Primary Code` and `AOC "
                                 "Edit Type` in its first 20 lines: is it the CMS add-on code file (CSV export)?", None)
                    break
                continue
            if not any(f.strip() for f in fields):
                continue
            if problems.unreadable(fields, first, last, raw):
                continue
            rows_read += 1

            def get(column):
                index = positions.get(column)
                return fields[index].strip() if index is not None and index < len(fields) else ""

            def complain(code, message, column):
                problems.csv_field(code, message, first, raw, fields, positions[column])

            addon, primary, kind = get("add_on_code"), get("primary_code"), get("aoc_edit_type")
            ok = True
            if not codes.is_procedure_code(addon):
                complain("RR507", f"{shown(addon)} is not a procedure code (add-on code)", "add_on_code")
                ok = False
            if kind not in ("1", "2", "3"):
                complain("RR509", f"{shown(kind)} is not an add-on edit type (1, 2 or 3)", "aoc_edit_type")
                ok = False
            if primary == CONTRACTOR:
                primary_code = None
            elif codes.is_procedure_code(primary):
                primary_code = primary
            else:
                complain("RR507", f"{shown(primary)} is not a procedure code (primary code; `CCCCC` for "
                         "contractor-defined)", "primary_code")
                ok = False
                primary_code = None
            if ok and kind == "1" and primary_code is None:
                complain("RR509", "a type 1 add-on edit lists its primary code, not `CCCCC`", "primary_code")
                ok = False
            values = {}
            for column in ("aoc_edit_eff_dt", "aoc_edit_del_dt", "aoc_del_dt", "primary_code_del_dt"):
                text = get(column)
                if text in _NO_DATE:
                    values[column] = None
                    continue
                value = dates(text)
                if value is None:
                    complain("RR508", f"{shown(text)} is not a date (YYYYMMDD or Julian YYYYDDD)", column)
                    ok = False
                values[column] = value
            start, end = values["aoc_edit_eff_dt"], values["aoc_edit_del_dt"]
            if ok and start is not None and end is not None and end < start:
                complain("RR510", "the edit's deletion date is before its effective date", "aoc_edit_del_dt")
                ok = False
            if not ok:
                continue
            if start is not None and (latest is None or start > latest):
                latest = start
            entries.setdefault(addon, []).append((
                int(kind), primary_code, start, end, values["aoc_del_dt"], values["primary_code_del_dt"],
                f"{file_name}:{first}",
            ))
        if positions is None and not problems.has_errors:
            problems.add("RR505", f"`{display}` has no add-on code header", None)
        elif positions is not None and rows_read == 0 and not problems.has_errors:
            problems.add("RR505", f"`{display}` has a header and no rows", None,
                         help="an add-on code file has a row per add-on code and primary; was it cut short?")
        diagnostics.extend(problems.finish())
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    frozen = {code: tuple(rows) for code, rows in entries.items()}
    return RawTable(key=key, files=tuple(name for _, name, _ in parts), entries=frozen, latest_start=latest), diagnostics
