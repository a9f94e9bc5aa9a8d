"""Checks of rule-file rows against each other: rows of one key that another row or a `disable` of the same level
makes dead on some dates, without changing what the rows mean (docs/language.md, "Which rows win").

Rows are compared only within their key, and only where their blocks meet: a payer and claim type that both
apply to.
"""

from __future__ import annotations

import datetime as dt

from ..claim import CLAIM_TYPES
from ..model import listed, payer_clause, window_text

#: How many rows a message names (more are counted).
_NAMED = 2
#: PTP modifier indicators from the strictest: a row of 0 denies whatever the modifiers, one of 9 never.
_STRICTNESS = {0: 0, 1: 1, 9: 2}


def warn_row_conflicts(comp, grouped_rows: dict, grouped_disables: dict) -> None:
    """The warnings of this module, after the blocks are compiled without errors."""
    views = [(payer, claim_type) for payer in sorted(comp.payers) + [None] for claim_type in CLAIM_TYPES]
    _warn_disabled_at_their_level(comp, grouped_rows, views)
    _warn_overlapping_rows(comp, grouped_rows, views)
    _warn_reversed_pairs(comp, grouped_rows, grouped_disables)


def _meet(first, second, views) -> bool:
    """Whether the scopes ``first`` and ``second`` both apply to some payer and claim type."""
    return any(first.applies_to(payer, claim_type) and second.applies_to(payer, claim_type)
               for payer, claim_type in views)


def _warn_disabled_at_their_level(comp, grouped_rows: dict, views) -> None:
    """RR267 at a ``disable`` that takes off rows of its key written at its own level (with ``for payer`` or not,
    with ``for ... claims`` or not) in a block that serves a payer and claim type it serves, its own block or
    another (``for payers acme, beta`` and ``for payer acme`` meet), on dates both are in force on: those rows
    never apply where and when the disable does."""
    for disable, span in comp.disable_spans:
        level = disable.scope.level
        dead = [row for row in grouped_rows.get((disable.kind, disable.key), ())
                if row.block.scope.level == level and _meet(row.block.scope, disable.scope, views)
                and _overlap(row, disable.scope) is not None]
        if not dead:
            continue
        rows = _rows_text(dead)
        one = len(dead) == 1
        payers = disable.scope.payers
        # a block of more payers than the rows' (`for payers acme, beta` against acme's own row): beta may want it
        keep = ("move the `disable` to a block of the payers that want the key without an edit (or drop it)"
                if payers is not None and any(not payers <= row.block.scope.payers for row in dead)
                else "drop the `disable`")
        # the mirror case (`for payers acme, beta` rows against acme's disable): dropping the rows takes beta's edit
        others = sorted(set().union(*(row.block.scope.payers for row in dead)) - payers) if payers is not None else []
        them = "the row" if one else "the rows"
        if not others:
            drop = f", drop {them}"
        else:
            # only the rows of blocks that serve those other payers move; a row of the disable's payers alone goes
            own = [row for row in dead if row.block.scope.payers <= payers]
            shared = [row for row in dead if not row.block.scope.payers <= payers]
            if own:
                gone, moved = f"drop {_rows_text(own)} and ", _rows_text(shared)
                dropping = "it" if len(shared) == 1 else "them"
            else:
                gone, moved, dropping = "", them, them
            drop = (f" for the `disable`'s payers only, {gone}move {moved} to a block of the other payers "
                    f"(`{payer_clause(others)}`: dropping {dropping} would take their edit too), or allow the warning "
                    "(`# allow RR267: ...`) if the `disable`'s payers are meant to opt out")
        # dated rows or a dated `disable`: the dates they share, where the rows never apply (else every date)
        windows = _merged([_overlap(row, disable.scope) for row in dead])
        dated = windows != [(None, None)]
        texts = [window_text(start, end) for start, end in windows]
        when = (", on " if " through " in texts[0] else ", ") + listed(texts)
        theirs = "the row's" if one else "the rows'"
        if disable.scope.start is not None or disable.scope.end is not None:
            apart = f"; or end {theirs} dates before the `disable`'s, or the `disable`'s after {theirs}"
        else:  # (a `disable` of every date: only dates of its own, in its block, can set it apart)
            apart = f"; or give the `disable`'s block `effective` dates apart from {theirs}"
        apart += ": a row and a `disable` on dates apart each hold on their own dates"
        comp.ctx.warning(
            "RR267", f"`disable {disable.kind} {' with '.join(disable.key)}` removes {rows}, written at the same "
            f"level{when if dated else ''}", span,
            help="a `disable` takes off the rows of its key in every block of its own level that serves a payer "
                 "and claim type it serves (a level: with `for payer`, of one payer or several, or without; with "
                 f"`for ... claims` or without), so {'that row never applies' if one else 'those rows never apply'}"
                 f" where the `disable` does. A row already replaces the table's rows of its key: to keep {them}, "
                 f"{keep}; to leave the key without an edit{drop}{apart if dated else ''}")


def _merged(windows: list) -> list:
    """Date windows ((start, end), None: open) joined where they overlap or touch, in date order: the dates the rows
    of RR267 share with their `disable` (rows of a gap between them name no date in it)."""
    spans = sorted((FIRST_DAY if start is None else start, LAST_DAY if end is None else end)
                   for start, end in windows)
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(None if start == FIRST_DAY else start, None if end == LAST_DAY else end) for start, end in merged]


def _rows_text(rows: list) -> str:
    """``the row of `acme.mue` at m.rr:4``, ``the rows of `a` and `b` at m.rr:4 and m.rr:9``: rows in a message."""
    blocks = list(dict.fromkeys(f"`{row.block.info.id}`" for row in rows))
    where = [row.source for row in rows]
    if len(rows) == 1:
        return f"the row of {blocks[0]} at {where[0]}"
    return f"the rows of {listed(blocks)} at {listed(where[:_NAMED], more=len(where) - _NAMED)}"


def _warn_overlapping_rows(comp, grouped_rows: dict, views) -> None:
    """RR309 at a ``limit`` or ``pair`` row in force on some date with an earlier row of its key and level that
    gives another edit (another limit or MAI, another modifier indicator), for a payer and claim type both
    apply to: of limits the first in file order counts, of pairs the strictest row decides."""
    for (kind, key), rows in grouped_rows.items():
        if kind == "addon" or len(rows) < 2:
            continue
        for j, later in enumerate(rows):
            if any(_same(earlier, later) for earlier in rows[:j]):
                continue  # a repeat (RR304 in one block): the first of them is told
            for earlier in rows[:j]:
                dates = _overlap(earlier, later)
                if (dates is None or _edit(earlier) == _edit(later)
                        or earlier.block.scope.level != later.block.scope.level
                        or not _meet(earlier.block.scope, later.block.scope, views)):
                    continue
                when = window_text(*dates)
                when = "on every date" if not when else when if " through " not in when else f"on {when}"
                both = f"`{_row_text(later)}` here and `{_row_text(earlier)}` at {earlier.source} are both in force"
                span = comp.row_spans[id(later)]
                if kind == "limit":
                    comp.ctx.warning(
                        "RR309", f"{both} {when}: that row counts, the first in file order",
                        span, help="of the rows of one code at one level (the same `for payer` and "
                        "`for ... claims`), the first in force on a date counts: end one row's dates before the "
                        "other's start, or remove one")
                else:
                    strict = min((earlier, later), key=lambda row: _STRICTNESS[row.indicator])
                    which = "the row here" if strict is later else "that row"
                    comp.ctx.warning(
                        "RR309", f"{both} {when}: {which}, with modifier {strict.indicator}, decides",
                        span, help="every row of one pair at one level (the same `for payer` and "
                        "`for ... claims`) in force on a date is checked, so the strictest decides: end one row's "
                        "dates before the other's start, or remove one")
                break


def _warn_reversed_pairs(comp, grouped_rows: dict, grouped_disables: dict) -> None:
    """RR268 at the first ``pair A with B`` row of a block when, for a payer and claim type the block applies to, a
    PTP table loaded for that claim type has ``B with A`` (an edit: modifier indicator 0 or 1) and not ``A with B``,
    and no rule-file row or `disable` of ``B with A`` applies to that payer and claim type: the row replaces the
    table's rows of its own pair only, so the table's edit the other way round stays. A lookup or two per pair and
    table, never a pass over a table."""
    from .. import tables

    ptp = [loaded for loaded in comp.loaded_tables if loaded.kind == "ptp"]
    if not ptp:
        return
    payers = sorted(comp.payers) + [None]
    found_for: dict = {}  # (pair, the ids of the versions looked in) -> the table row the other way round, if any
    for (kind, key), rows in grouped_rows.items():
        if kind != "pair":
            continue
        reverse = (key[1], key[0])
        handled = [row.block.scope for row in grouped_rows.get(("pair", reverse), ())]
        handled += [disable.scope for disable in grouped_disables.get(("pair", reverse), ())]
        told = set()
        for row in rows:
            scope = row.block.scope
            if row.block.info.id in told:
                continue
            found = None
            for claim_type in (c for c in CLAIM_TYPES if scope.claim_types is None or c in scope.claim_types):
                for payer in (sorted(scope.payers) if scope.payers is not None else payers):
                    if not scope.applies_to(payer, claim_type) or any(
                            other.applies_to(payer, claim_type) for other in handled):
                        continue
                    versions = tables.serving(ptp, "ptp", claim_type, payer)  # the payer's, else every payer's
                    looked = (key, tuple(map(id, versions)))
                    if looked not in found_for:
                        found_for[looked] = _reverse_edit(tables, versions, key)
                    found = found_for[looked]
                    if found is not None:
                        break
                if found is not None:
                    break
            if found is None:
                continue
            told.add(row.block.info.id)
            after = ("so a claim of both codes can have both lines denied" if row.indicator != 9
                     else "this row does not take it off")
            comp.ctx.warning(
                "RR268", f"`pair {key[0]} with {key[1]}` is the PTP table's pair the other way round: the table's "
                f"row `{reverse[0]} with {reverse[1]}` ({found.source}) stays in force beside it, {after}",
                comp.row_spans[id(row)],
                help=f"a row replaces the table's rows of its own pair only, column 1 first: to "
                f"change the table's edit, write `pair {reverse[0]} with {reverse[1]} ...`; to keep this row's edit "
                f"alone, add `disable pair {reverse[0]} with {reverse[1]}` to the block")


def _reverse_edit(tables, loaded_tables: list, key: tuple):
    """The first row of ``key`` the other way round that is an edit (indicator 0 or 1) in one of ``loaded_tables``
    that has no row of ``key`` itself, if any."""
    for loaded in loaded_tables:
        edits = [row for row in tables.key_rows(loaded, (key[1], key[0])) if row.indicator != 9]
        if edits and not tables.key_rows(loaded, key):
            return edits[0]
    return None


#: The first and last date ordinals: the open ends of a window.
FIRST_DAY, LAST_DAY = 0, dt.date.max.toordinal()


def row_window(row) -> tuple[int, int]:
    """The dates a row is in force, open ends as the first and last ordinals (a pair row without dates starts on
    day 1)."""
    start = row.start if row.start is not None and row.start > 1 else FIRST_DAY
    return start, row.end if row.end is not None else LAST_DAY


def _same(first, second) -> bool:
    """Whether two rows of a key give the same edit on the same dates at the same level."""
    return (_edit(first) == _edit(second) and row_window(first) == row_window(second)
            and first.block.scope.level == second.block.scope.level)


def _overlap(first, second) -> tuple | None:
    """(start, end) of the dates both rows are in force on (None: open), or None if they share none."""
    start = max(row_window(first)[0], row_window(second)[0])
    end = min(row_window(first)[1], row_window(second)[1])
    if start > end:
        return None
    return (start if start != FIRST_DAY else None), (end if end != LAST_DAY else None)


def _edit(row) -> tuple:
    """What a limit or pair row says besides its dates."""
    return (row.indicator,) if hasattr(row, "indicator") else (row.max_units, row.mai)


def _row_text(row) -> str:
    """A limit or pair row as written, without its dates."""
    if hasattr(row, "indicator"):
        return f"pair {row.column1} with {row.column2} modifier {row.indicator}"
    return f"limit {row.code} max {row.max_units} mai {row.mai}"
