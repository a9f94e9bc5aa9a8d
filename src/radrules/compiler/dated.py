"""RR266: dated rule-file rows that take a CMS table's edit off the dates they do not cover.

Rows written in rule files replace every table row of their key on every
date: the choice is made per key, not per date (docs/language.md). Rows
with `effective` dates therefore leave the dates before, after or between
them without an edit of their key, also where a loaded table has a row of
it in force. Only the keys rule files write are looked up in the tables.
"""

from __future__ import annotations

import datetime as dt

from ..claim import CLAIM_TYPES
from ..model import format_date, window_text
from .index import select

#: The first and last date ordinals: the open ends of a window.
_FIRST, _LAST = 0, dt.date.max.toordinal()
#: For each kind of row: the table kind and how messages name the table.
_TABLES = {"pair": ("ptp", "PTP"), "limit": ("mue", "MUE"), "addon": ("addon", "add-on code")}
#: How many table rows a message names (more are counted), and primaries a hint lists.
_NAMED, _PRIMARIES = 2, 6


def warn_uncovered_dates(comp, grouped_rows: dict, grouped_disables: dict) -> None:
    """RR266 at the first rule-file row of a key that a payer and claim type use, when those rows leave dates
    without an edit on which a table loaded for the claim type has a row of the key in force."""
    if not comp.loaded_tables:
        return
    served = {(loaded.kind, loaded.claim_type) for loaded in comp.loaded_tables}
    payers = sorted(comp.payers) + [None]
    spans = None
    said = set()
    for (kind, key), rows in grouped_rows.items():
        if all(_window(row) == (_FIRST, _LAST) for row in rows):
            continue  # rows without dates cover every date
        table_kind, label = _TABLES[kind]
        for claim_type in CLAIM_TYPES:
            if (table_kind, claim_type) not in served:
                continue
            in_force = None  # the key's table rows and the dates each is in force, looked up once
            for payer in payers:
                chosen = select(rows, grouped_disables.get((kind, key), ()), payer, claim_type)
                gaps = _uncovered(chosen) if chosen else ()
                if not gaps:
                    continue
                if in_force is None:
                    in_force = _in_force(comp.loaded_tables, table_kind, claim_type, key)
                left = [(max(lo, start), min(hi, end), row, loaded) for lo, hi in gaps
                        for start, end, row, loaded in in_force if max(lo, start) <= min(hi, end)]
                if not left:
                    continue
                if spans is None:
                    spans = {id(row): span for row, span in comp.row_spans}
                message, help = _uncovered_message(kind, key, chosen, claim_type, label, sorted(left, key=_by_date))
                span = spans[id(chosen[0])]
                if (span, message) not in said:
                    said.add((span, message))
                    comp.ctx.warning("RR266", message, span, help=help)


def _by_date(found: tuple) -> tuple:
    return found[0], found[1]


def _window(row) -> tuple[int, int]:
    """The dates a row is in force, open ends as the first and last ordinals (a pair row without dates starts on
    day 1)."""
    start = row.start if row.start is not None and row.start > 1 else _FIRST
    return start, row.end if row.end is not None else _LAST


def _uncovered(rows) -> list[tuple[int, int]]:
    """The windows of dates none of ``rows`` is in force on."""
    gaps = []
    following = _FIRST  # the first date the rows seen so far leave uncovered
    for start, end in sorted(map(_window, rows)):
        if start > following:
            gaps.append((following, start - 1))
        following = max(following, end + 1)
    if following <= _LAST:
        gaps.append((following, _LAST))
    return gaps


def _in_force(loaded_tables, kind: str, claim_type: str, key: tuple) -> list[tuple]:
    """(first date, last date, row, table) of every row of ``key`` in the tables of ``kind`` loaded for
    ``claim_type``, over the dates its version judges (the oldest also the earlier dates). A PTP row with
    modifier indicator 9 is no edit: it never applies."""
    from .. import tables

    versions = sorted((loaded for loaded in loaded_tables if loaded.kind == kind and loaded.claim_type == claim_type),
                      key=lambda loaded: loaded.start)
    found = []
    for i, loaded in enumerate(versions):
        judged = tables.last_day(kind, versions, i)
        first, last = (loaded.start if i else _FIRST), (judged if judged is not None else _LAST)
        for row in tables.key_rows(loaded, key):
            if getattr(row, "indicator", None) == 9:
                continue
            start, end = _window(row)
            if max(first, start) <= min(last, end):
                found.append((max(first, start), min(last, end), row, loaded))
    return found


def _uncovered_message(kind: str, key: tuple, chosen, claim_type: str, label: str, left: list) -> tuple[str, str]:
    """The message and help of RR266: the dates left without an edit (``left``: first date, last date, table row,
    table, in date order) and the table rows the rule-file rows ``chosen`` replace on them."""
    written = f"{kind} {' with '.join(key)}"
    here = chosen[0].source.rpartition(":")[0]
    others = [f"line {line}" if file == here else row.source
              for row in chosen[1:] for file, _, line in [row.source.rpartition(":")]]
    rows = f"`{written}` here" + (f" and at {', '.join(others)}" if others else "")
    sources = list(dict.fromkeys(row.source for _, _, row, _ in left))
    replaced = " and ".join(sources[:_NAMED]) + (f" and {len(sources) - _NAMED} more" if len(sources) > _NAMED else "")
    noun = "row" if len(sources) == 1 else "rows"
    verb = "replaces" if not others else "replace"
    message = (f"{rows} {verb} the {label} table's {noun} {replaced} on every date: {claim_type} claims dated "
               f"{_dates(left)} are left without an edit of this {'pair' if kind == 'pair' else 'code'}")
    example = _row_text(kind, key, *_example(left))
    help = (f"a rule-file row replaces the table's rows of its key on every date (the choice is made per key, "
            f"not per date): to keep the table's edit on those dates, write its row into the block too "
            f"(`{example}`); to replace it on every date, drop `effective`")
    return message, help


def _example(left: list) -> tuple:
    """(table row, first date, last date) of the row a hint writes: the latest window left, from its first
    date, or from the date its table takes effect if the window has no first date (the oldest version also
    judges the earlier dates); a date to fill in if that is after the window."""
    for start, end, row, loaded in sorted(left, key=lambda found: (found[1], found[0]), reverse=True):
        if start != _FIRST or loaded.start <= end:
            return row, start if start != _FIRST else loaded.start, end
    _, end, row, _ = left[-1]
    return row, None, end


def _dates(left: list) -> str:
    """``until 2026-12-31 and from 2028-01-01``: the windows of ``left`` (in date order), joined."""
    merged: list = []
    for start, end, _, _ in left:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    texts = [window_text(start if start != _FIRST else None, end if end != _LAST else None) for start, end in merged]
    return ", ".join(texts[:-1]) + " and " + texts[-1] if len(texts) > 1 else texts[0]


def _row_text(kind: str, key: tuple, row, start: int | None, end: int) -> str:
    """The rule-file row that gives a table row's edit from ``start`` (None: a date to fill in) through ``end``
    (a long list of primaries cut short)."""
    dates = (format_date(start) if start is not None else "YYYY-MM-DD") + (
        f" through {format_date(end)}" if end != _LAST else "")
    if kind == "pair":
        return f"pair {key[0]} with {key[1]} modifier {row.indicator} effective {dates}"
    if kind == "limit":
        return f"limit {key[0]} max {row.max_units} mai {row.mai} effective {dates}"
    primaries = sorted(row.primaries or ())
    listed = ", ".join(primaries[:_PRIMARIES]) + (", ..." if len(primaries) > _PRIMARIES else "")
    return f"addon {key[0]} type {row.aoc_type}{' primaries ' + listed if primaries else ''} effective {dates}"
