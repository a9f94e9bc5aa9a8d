"""Compare the CMS tables of two rulesets, row by row, in one linear pass.

Tables are compared version against version: for each kind and claim type,
every date on which either ruleset brings in a version starts a period, and
the version OLD has in force then is compared with the one NEW has in force
(as evaluation picks them). Two versions with the same content hash are equal
without reading a row.

A PTP table keeps its rows sorted by (column 1, column 2) in compact arrays
(``tables/store.py``). Two tables are merged on that order; a column-1 code
whose slice is identical in both (compared as whole arrays, at C speed, after
translating code ranks) costs no Python-level work per row, so comparing two
nearly identical national tables of 2.6 million rows is linear and reads only
the slices that differ. Only counts and the first ``limit`` example rows are
kept.
"""

from __future__ import annotations

import datetime as dt
from array import array
from pathlib import Path
from typing import Any

import attrs

from ..tables import TABLE_RULES, last_day, payers_text, serving
from ..tables.store import PtpTable, in_force
from ..tables.timeline import bind_addon
from ..validity import DIAGNOSIS, PROCEDURE
from . import describe as d

#: Table kind -> (family, rule id, row kind of ``describe.ROW_FIELDS``).
TABLE_FAMILIES = {
    "ptp": ("ptp", TABLE_RULES["ptp"][0], "pair"),
    "mue": ("mue", TABLE_RULES["mue"][0], "limit"),
    "addon": ("addon", TABLE_RULES["addon"][0], "addon"),
    "pctc": ("properties", None, "pctc"),
    "hcpcs": ("coding", PROCEDURE, "hcpcs"),
    "icd10cm": ("coding", DIAGNOSIS, "icd10cm"),
}
_CLAIM_WORDS = {"professional": "practitioner", "institutional": "hospital outpatient"}
_KIND_WORDS = {"ptp": "PTP", "mue": "MUE", "addon": "add-on code"}
_ALL_CLAIMS = {"pctc": "MPFS PC/TC table", "hcpcs": "HCPCS Level II code set", "icd10cm": "ICD-10-CM code set"}


def table_label(kind: str, claim_type: str, payers: tuple | None = None) -> str:
    """``practitioner PTP table``, ``MPFS PC/TC table``, ``ICD-10-CM code set``; ``practitioner MUE table of
    payer acme`` for the versions of a payer's own (`for payer`)."""
    if kind in _ALL_CLAIMS:
        return _ALL_CLAIMS[kind]
    whose = f" of {payers_text(payers)}" if payers else ""
    return f"{_CLAIM_WORDS.get(claim_type, claim_type)} {_KIND_WORDS[kind]} table{whose}"


@attrs.frozen
class RowChange:
    """One table row (or one key's rows) added, removed or changed."""

    change: str  # "added", "removed" or "changed"
    key: str  # "74176 with 74150", "77067"
    old: dict | None
    new: dict | None
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "key": self.key, "old": self.old, "new": self.new,
                "details": list(self.details)}


@attrs.frozen
class TableDiff:
    """How one table version of NEW differs from the one OLD has in force on the same dates."""

    kind: str  # ptp, mue, addon, pctc, hcpcs or icd10cm
    claim_type: str
    family: str
    rule: str | None
    start: str  # ISO date from which these two versions are the ones in force
    old_files: tuple[str, ...]
    new_files: tuple[str, ...]
    old_rows: int  # rows compared: PTP rows, MUE codes, add-on edits, PC/TC codes, code-set codes
    new_rows: int
    added: int
    removed: int
    changed: int
    examples: tuple[RowChange, ...]
    # The latest date on which one of these changes takes effect (ISO): the first day a row added, removed or
    # changed judges claims otherwise (a changed deletion date: the day after the earlier one), or the start of
    # a version that replaces an earlier one; None if every change holds on every date. Claims dated before
    # it can't show that change (`diff --shift-days`).
    latest_effective: str | None = None
    earlier_dates: bool = False  # the two versions also judge the dates before ``start`` (the first of their kind)
    payers: tuple | None = None  # the payers whose own versions (`for payer`) these are; None: every other payer's

    @property
    def label(self) -> str:
        return table_label(self.kind, self.claim_type, self.payers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "claim_type": self.claim_type, "family": self.family, "rule": self.rule,
            "start": self.start, "old_files": list(self.old_files), "new_files": list(self.new_files),
            "old_rows": self.old_rows, "new_rows": self.new_rows, "added": self.added, "removed": self.removed,
            "changed": self.changed, "examples": [example.to_dict() for example in self.examples],
            "latest_effective": self.latest_effective, "earlier_dates": self.earlier_dates,
            "payers": list(self.payers) if self.payers is not None else None,
        }


class _Counter:
    """Counts of a comparison and its first ``limit`` examples."""

    def __init__(self, kind: str, limit: int):
        self.row_kind = kind
        self.limit = limit
        self.added = self.removed = self.changed = 0
        self.examples: list[RowChange] = []
        self.dated = kind in ("pair", "limit", "addon")  # row values that start with the row's start date
        self.latest = 0  # the latest first day of a row change (ordinal; :func:`_first_day_apart`)

    def compare(self, key: tuple, before: list, after: list) -> None:
        """Count the rows of one key (a code pair, a code) that differ: ``before`` and ``after``, its row values in
        each table, are not the same rows. Another counter (compiler/corrections.py) reads them its own way."""
        self.rows(" with ".join(key), *d.match_rows(before, after))

    def rows(self, key: str, added, removed, changed) -> None:
        self.added += len(added)
        self.removed += len(removed)
        self.changed += len(changed)
        if self.dated:
            days = [value[0] or 0 for value in (*added, *removed)]
            days.extend(_first_day_apart(before, after, self.row_kind) for before, after in changed)
            # (the day after 9999-12-31: a change no claim can show, left out)
            self.latest = max(self.latest, max((day for day in days if day <= _LAST_DAY), default=0))
        if len(self.examples) >= self.limit:
            return
        kind = self.row_kind
        for value in removed:
            self._example(RowChange("removed", key, d.row_fields(kind, value), None, (d.row_text(kind, value),)))
        for value in added:
            self._example(RowChange("added", key, None, d.row_fields(kind, value), (d.row_text(kind, value),)))
        for before, after in changed:
            self._example(RowChange("changed", key, d.row_fields(kind, before), d.row_fields(kind, after),
                                    tuple(d.row_details(kind, before, after))))

    def _example(self, change: RowChange) -> None:
        if len(self.examples) < self.limit:
            self.examples.append(change)


_LAST_DAY = dt.date.max.toordinal()


def _first_day_apart(before: tuple, after: tuple, kind: str = "pair") -> int:
    """The first day on which a row changed from ``before`` to ``after`` (start, end, then the rest, as
    ``describe.ROW_FIELDS[kind]`` lists them) judges claims otherwise: a new start from the earlier start, a new
    deletion date (of the row, or of an add-on edit's primary) from the day after the earlier one (CMS deletes
    an edit so), other fields from the day both are in force (0: no date)."""
    days = []
    if before[0] != after[0]:
        days.append(min(before[0] or 0, after[0] or 0))
    ends = [(before[1], after[1])]
    rest_before, rest_after = before[2:], after[2:]
    if kind == "addon":  # (start, end, type, primaries, primary ends): a primary's end is a deletion date too
        old_ends, new_ends = dict(before[4] or ()), dict(after[4] or ())
        ends += [(old_ends.get(code), new_ends.get(code)) for code in old_ends.keys() | new_ends.keys()]
        rest_before, rest_after = before[2:4], after[2:4]
    for old_end, new_end in ends:
        if old_end != new_end:
            days.append(min(end for end in (old_end, new_end) if end is not None) + 1)
    if rest_before != rest_after:
        days.append(max(before[0] or 0, after[0] or 0))
    return min(days) if days else 0


def diff_tables(old_tables, new_tables, limit: int) -> tuple[list[TableDiff], list[tuple]]:
    """(table diffs, version changes) between the loaded tables of two rulesets.

    A version change is (kind, claim type, payers, old versions, new versions),
    each a tuple of (ISO start, file names), when the versions' dates or files
    differ. The versions compared are those that judge one payer's claims
    (``tables.serving``): those without `for payer` (payers None), and each
    payer's own in either ruleset (payers: the payers with the same versions).
    """
    diffs: list[TableDiff] = []
    versions: list[tuple] = []
    groups = sorted({(t.kind, t.claim_type) for t in (*old_tables, *new_tables)},
                    key=lambda g: (list(TABLE_FAMILIES).index(g[0]), g[1]))
    for kind, claim_type in groups:
        scopes: dict = {}  # (ids of the old versions, of the new) -> (payers, old, new)
        named = sorted({payer for t in (*old_tables, *new_tables) if (t.kind, t.claim_type) == (kind, claim_type)
                        for payer in (t.payers or ())})
        for payer in [None] + named:
            old = serving(list(old_tables), kind, claim_type, payer)
            new = serving(list(new_tables), kind, claim_type, payer)
            if payer is not None and not any(t.payers for t in (*old, *new)):
                continue  # the payer has no versions of its own: judged as every other payer
            found = scopes.setdefault((tuple(map(id, old)), tuple(map(id, new))), ([] if payer else None, old, new))
            if payer is not None:
                found[0].append(payer)
        for payers, old, new in scopes.values():
            payers = tuple(payers) if payers is not None else None
            old_versions, new_versions = _versions(old), _versions(new)
            if old_versions != new_versions:
                versions.append((kind, claim_type, payers, old_versions, new_versions))
            seen = set()
            starts = sorted({t.start for t in old} | {t.start for t in new})
            for start in starts:
                before, after = _in_force(old, start), _in_force(new, start)
                pair = (before.table.key if before else None, after.table.key if after else None)
                if pair[0] == pair[1] or pair in seen:
                    continue
                seen.add(pair)
                # The first versions are also read before their start (evaluation reads the earliest then).
                diffs.append(attrs.evolve(_compare(kind, claim_type, start, before, after, limit, start > starts[0]),
                                          payers=payers))
    return diffs, versions


def _versions(loaded: list) -> tuple:
    return tuple((dt.date.fromordinal(t.start).isoformat(), tuple(Path(f).name for f in t.files)) for t in loaded)


def _in_force(loaded: list, day: int):
    """The version evaluation reads on ``day`` (the earliest before every version), or None; an
    ICD-10-CM version only within its fiscal year, as evaluation reads it (tables.last_day)."""
    if not loaded:
        return None
    index = in_force([t.start for t in loaded], day)
    if loaded[index].kind == "icd10cm":
        last = last_day("icd10cm", loaded, index)
        if day < loaded[index].start or (last is not None and day > last):
            return None
    return loaded[index]


def _compare(kind: str, claim_type: str, start: int, before, after, limit: int, from_start: bool) -> TableDiff:
    """``from_start``: the two versions are read from ``start`` on only (not the first of their kind)."""
    family, rule, row_kind = TABLE_FAMILIES[kind]
    counter = _Counter(row_kind, limit)
    old_table = before.table if before else None
    new_table = after.table if after else None
    if kind == "ptp":
        diff_ptp(old_table, new_table, counter)
        sizes = [len(table) if table is not None else 0 for table in (old_table, new_table)]
    else:
        keyed = [keyed_rows(kind, old_table), keyed_rows(kind, new_table)]
        diff_keyed(*keyed, counter)
        sizes = [sum(map(len, rows.values())) for rows in keyed]
    return TableDiff(
        kind=kind, claim_type=claim_type, family=family, rule=rule,
        start=dt.date.fromordinal(start).isoformat(),
        old_files=tuple(Path(f).name for f in before.files) if before else (),
        new_files=tuple(Path(f).name for f in after.files) if after else (),
        old_rows=sizes[0],
        new_rows=sizes[1],
        added=counter.added, removed=counter.removed, changed=counter.changed, examples=tuple(counter.examples),
        latest_effective=_latest_effective(counter, start if from_start else None),
        earlier_dates=not from_start,
    )


def _latest_effective(counter: _Counter, start: int | None) -> str | None:
    """The latest date on which a change counted takes effect: a row's (:func:`_first_day_apart`), or the
    versions' ``start``."""
    if not (counter.added or counter.changed or counter.removed):
        return None
    latest = max(counter.latest, start or 0)
    return dt.date.fromordinal(latest).isoformat() if latest > 1 else None


# ---------------------------------------------------------------- tables keyed by code


def keyed_rows(kind: str, table) -> dict:
    """{code: [row values]} of an MUE, add-on, PC/TC or code-set table (rule-file row form where there is one)."""
    if table is None:
        return {}
    if kind == "mue":
        return {code: [(None, None, value, mai, reason or None) for value, mai, reason, _source in rows]
                for code, rows in table.entries.items()}
    if kind == "addon":
        return {code: [d.addon_value(edit) for edit in bind_addon(code, rows, None)]
                for code, rows in table.entries.items()}
    if kind == "hcpcs":
        return {code: [(start, end)] for code, (start, end, _source) in table.entries.items()}
    if kind == "icd10cm":
        return {code: [(billable,)] for code, (billable, _source) in table.entries.items()}
    pctc, bilateral = table.entries.get("pctc", {}), table.entries.get("bilateral", {})
    return {code: [(pctc.get(code), bilateral.get(code))] for code in pctc.keys() | bilateral.keys()}


def diff_keyed(old: dict, new: dict, counter: _Counter) -> None:
    """Compare two {code: [row values]} maps, codes in sorted order."""
    for code in sorted(old.keys() | new.keys()):
        before, after = old.get(code, []), new.get(code, [])
        if before != after:
            counter.compare((code,), before, after)


# ---------------------------------------------------------------- PTP


def diff_ptp(old: PtpTable | None, new: PtpTable | None, counter: _Counter) -> None:
    """Merge two PTP tables on (column 1, column 2); compare the rows of each pair."""
    if old is None or new is None:
        table, side = (new, "added") if old is None else (old, "removed")
        _whole_table(table, side, counter)
        return
    # Old ranks (and rationale numbers) in new's numbering, so equal slices compare equal as arrays.
    # A code the new table lacks gets a rank no row has: -1, or 65,535 in a two-byte column (never a rank there)
    missing = -1 if new.col2.typecode == "i" else (1 << 16) - 1
    translate = (None if old.codes == new.codes
                 else array(new.col2.typecode, (new.rank.get(code, missing) for code in old.codes)))
    days = None if (old.start.typecode, old.day_base) == (new.start.typecode, new.day_base) else _absolute
    reasons = {text: i for i, text in enumerate(new.rationales)}
    reason_map = (None if old.rationales == new.rationales
                  else array("i", (reasons.get(text, -1) for text in old.rationales)))
    for column1 in sorted(old.col1.keys() | new.col1.keys()):
        old_span, new_span = old.col1.get(column1), new.col1.get(column1)
        if old_span is None or new_span is None:
            table, span, side = (new, new_span, "added") if old_span is None else (old, old_span, "removed")
            for column2, values in _pairs(table, column1, *span):
                counter.compare((column1, column2), [] if side == "added" else values,
                                values if side == "added" else [])
            continue
        (lo, hi), (lo2, hi2) = old_span, new_span
        before = _columns(old, lo, hi, translate, reason_map, days)
        after = _columns(new, lo2, hi2, None, None, days)
        if before == after:
            continue
        _diff_slice(old, new, column1, lo, lo2, before, after, counter)


def _diff_slice(old: PtpTable, new: PtpTable, column1: str, lo: int, lo2: int, before: tuple, after: tuple,
                counter: _Counter) -> None:
    """Merge one column-1 slice of each table: skip common runs of rows, compare the pairs that differ.

    Rows the two slices share are skipped a run at a time (``_common_run``),
    so the work done in Python grows with the number of differences.
    """
    n, m = len(before[0]), len(after[0])
    first, second = before[0], after[0]
    i = j = 0
    while i < n or j < m:
        k = _common_run(before, after, i, j, min(n - i, m - j))
        # Stop at the start of a column-2 code's rows, so a pair is always compared whole.
        while k > 0 and ((i + k < n and first[i + k] == first[i + k - 1])
                         or (j + k < m and second[j + k] == second[j + k - 1])):
            k -= 1
        i += k
        j += k
        if i >= n and j >= m:
            break
        code_before = old.codes[old.col2[lo + i]] if i < n else None
        code_after = new.codes[new.col2[lo2 + j]] if j < m else None
        code = min(c for c in (code_before, code_after) if c is not None)
        values_before, values_after = [], []
        if code_before == code:
            values_before, i = _run(old, lo, i, n)
        if code_after == code:
            values_after, j = _run(new, lo2, j, m)
        if values_before == values_after or sorted(values_before, key=repr) == sorted(values_after, key=repr):
            continue
        counter.compare((column1, code), values_before, values_after)


def _run(table: PtpTable, lo: int, i: int, n: int) -> tuple[list, int]:
    """The row values of the column-2 code at slice position ``i``, and the position after them."""
    col2 = table.col2
    second = col2[lo + i]
    values = []
    while i < n and col2[lo + i] == second:
        values.append(_values(table, lo + i))
        i += 1
    return values, i


def _values(table: PtpTable, i: int) -> tuple:
    """What a diff compares of row ``i``: its dates (ordinals; None for no deletion), indicator and rationale."""
    return (*table.dates_at(i), table.indicator[i], table.rationales[table.rationale[i]] or None)


def _common_run(a: tuple, b: tuple, i: int, j: int, limit: int) -> int:
    """How many rows from ``a[i:]`` and ``b[j:]`` are identical: galloping, then bisection, on whole arrays."""

    def same(k: int) -> bool:
        return all(x[i:i + k] == y[j:j + k] for x, y in zip(a, b))

    if limit == 0 or not same(1):
        return 0
    good, step = 1, 2
    while step <= limit and same(step):
        good, step = step, step * 2
    bad = min(step, limit + 1)  # the smallest length known (or assumed) not to match
    while bad - good > 1:
        middle = (good + bad) // 2
        if same(middle):
            good = middle
        else:
            bad = middle
    return good


def _columns(table: PtpTable, lo: int, hi: int, translate, reason_map, days) -> tuple:
    """One column-1 slice as arrays (column 2, start, end, indicator, rationale), in the other table's numbering
    (``days``: how to make the dates comparable when the two tables keep them differently, else None)."""
    second = table.col2[lo:hi]
    if translate is not None:
        second = array(translate.typecode, map(translate.__getitem__, second))
    reasons = table.rationale[lo:hi]
    if reason_map is not None:
        # -1 (a text the other table lacks) equals no index; 'i', since tables may hold past 65,536 texts
        reasons = array("i", map(reason_map.__getitem__, reasons))
    start, end = table.start[lo:hi], table.end[lo:hi]
    if days is not None:
        start, end = days(table, start, end)
    return (second, start, end, table.indicator[lo:hi], reasons)


def _absolute(table: PtpTable, start: array, end: array) -> tuple[array, array]:
    """Date columns as ordinals (0 for no deletion date)."""
    base = table.day_base
    return array("i", [day + base for day in start]), array("i", [day + base if day else 0 for day in end])


def _pairs(table: PtpTable, column1: str, lo: int, hi: int):
    """(column 2 code, [row values]) of one column-1 slice, in column-2 order."""
    codes, col2 = table.codes, table.col2
    i = lo
    while i < hi:
        second = col2[i]
        values = []
        while i < hi and col2[i] == second:
            values.append(_values(table, i))
            i += 1
        yield codes[second], values


def _whole_table(table: PtpTable, side: str, counter: _Counter) -> None:
    """A table only one ruleset has: every row added (or removed); examples from the first rows."""
    counter.latest = max(counter.latest, table.latest_start)
    if side == "added":
        counter.added += len(table)
    else:
        counter.removed += len(table)
    shown = _Counter(counter.row_kind, counter.limit)
    for column1, (lo, hi) in table.col1.items():
        if len(shown.examples) >= counter.limit:
            break
        for column2, values in _pairs(table, column1, lo, hi):
            shown.rows(f"{column1} with {column2}", values if side == "added" else [],
                       values if side == "removed" else [], [])
            if len(shown.examples) >= counter.limit:
                break
    counter.examples.extend(shown.examples[:counter.limit - len(counter.examples)])
