"""RR266: dated rule-file rows that take the edit of a less specific block or a CMS table off the dates they do
not cover; and the rows RR265's hint writes for a dated `disable` (:func:`dated_disable_rows`).

Rows written in rule files replace the rows of their key that less specific blocks write, and every table row of
it, on every date: the choice is made per key, not per date (docs/language.md). Rows with `effective` dates
therefore leave the dates before, after or between them without an edit of their key, also where the rows they
replace are in force. Only the keys rule files write are looked up in the tables.
"""

from __future__ import annotations

import datetime as dt

from .. import tables
from ..claim import CLAIM_TYPES
from ..model import format_date, listed, window_text
from .index import select

#: The first and last date ordinals: the open ends of a window.
FIRST_DAY, LAST_DAY = 0, dt.date.max.toordinal()
#: For each kind of row: the table kind and how messages name the table.
_TABLES = {"pair": ("ptp", "PTP"), "limit": ("mue", "MUE"), "addon": ("addon", "add-on code")}
#: How many rows a message names (more are counted).
_NAMED = 2


def warn_uncovered_dates(comp, grouped_rows: dict, grouped_disables: dict) -> None:
    """RR266 at the first rule-file row of a key that a payer and claim type use, when those rows leave dates
    without an edit on which the rows they replace are in force: those of the next less specific blocks that
    have the key, or without such blocks, those of a table loaded for the claim type and the payer (its oldest
    version also on the dates before it takes effect). Claim types told the same are told in one warning."""
    payers = sorted(comp.payers) + [None]
    said: dict = {}  # (span, message before and after the claim types, help) -> the claim types
    for (kind, key), rows in grouped_rows.items():
        if all(row_window(row) == (FIRST_DAY, LAST_DAY) for row in rows):
            continue  # rows without dates cover every date
        table_kind, label = _TABLES[kind]
        disables = grouped_disables.get((kind, key), ())
        scoped = [row.block.scope.payers for row in rows]
        users = payers
        if None not in scoped:  # blocks that all name their payers: the other payers' views have none of the rows
            named = set().union(*scoped)
            users = [payer for payer in payers if payer in named]
        for claim_type in CLAIM_TYPES:
            in_force: dict = {}  # the key's table rows and the dates each is in force, once for each list of versions
            for payer in users:
                chosen = select(rows, disables, payer, claim_type)
                gaps = _uncovered(chosen) if chosen else ()
                if not gaps:
                    continue
                level = chosen[0].block.scope.level
                below = select([row for row in rows if row.block.scope.level < level], disables, payer, claim_type)
                if below is None:
                    versions = tables.serving(comp.loaded_tables, table_kind, claim_type, payer)
                    if not versions:
                        continue
                    ids = tuple(map(id, versions))
                    if ids not in in_force:
                        in_force[ids] = _in_force(versions, table_kind, key)
                    replaced = in_force[ids]
                else:
                    replaced = [(*row_window(row), row) for row in below if getattr(row, "indicator", None) != 9]
                left = [(max(lo, start), min(hi, end), row) for lo, hi in gaps
                        for start, end, row in replaced if max(lo, start) <= min(hi, end)]
                if not left:
                    continue
                told = _uncovered_message(kind, key, chosen, label if below is None else None,
                                          sorted(left, key=_by_date))
                said.setdefault((comp.row_spans[id(chosen[0])], *told), []).append(claim_type)
    for (span, before, after, help), claim_types in said.items():
        claims = " and ".join(dict.fromkeys(claim_types))
        comp.ctx.warning("RR266", f"{before}{claims} claims{after}", span, help=help)


def warn_dated_disables(comp, pending: list, grouped_rows: dict) -> None:
    """RR265 for each block with `effective` dates and `disable` rows (``pending``: its id, the span of its
    `effective`, its disables): a disable takes its key off on every date. Its help writes, where it can, what
    stops the tables' edits from the block's dates instead (:func:`dated_disable_rows`); not when a less specific
    block has rows of a disabled key (``grouped_rows``: the rule-file rows by kind and key), which the rows written
    would replace on the other dates too."""
    for rule_id, span, disables in pending:
        count = len(disables)
        help = ("write the `disable` rows in a block without `effective`; a disable can't be dated (the choice of "
                "rows is made per key, not per date)")
        level = disables[0].scope.level
        if any(row.block.scope.level < level for d in disables for row in grouped_rows.get((d.kind, d.key), ())):
            help += ("; a less specific block has rows of a key disabled here, which rows written here would replace "
                     "on the other dates too: write there the rows the key should have on those dates")
        else:
            found = dated_disable_rows(comp.loaded_tables, disables)
            if found is None:
                help += ("; the tables' rows of a key differ between the block's payers, so each payer's rows for the "
                         "other dates go in a block of its own")
            elif found:
                help = ("a disable can't be dated (the choice of rows is made per key, not per date): to take the "
                        f"tables' edit off only on these dates, {_where(disables[0].scope, found)} (rule-file rows "
                        "replace the tables' rows of their key on every date, so the key has no edit on the dates "
                        "they leave; RR266 says so there, and `# allow RR266: ...` keeps it quiet); to take it off on "
                        "every date, drop `effective`")
        comp.ctx.warning("RR265", f"`{rule_id}`'s `effective` dates do not limit its `disable` "
                         f"row{'s' if count > 1 else ''}: a disable takes its key off on every date of service",
                         span, help=help)


#: How many rows RR265's hint writes out (more are counted: RR266 at the rows written names the dates still left).
_ROWS_SHOWN = 6


def dated_disable_rows(loaded_tables: list, disables: list) -> dict | None:
    """For RR265: {claim type: (rows, disables)} for each claim type the block of ``disables`` serves whose tables
    have a disabled key: the rule-file rows that keep the tables' edits on the dates outside the block's, and the
    disables of the keys whose tables have rows in force only on the block's dates (to be kept, undated). Written
    instead of the disables in a block without `effective`, the rows replace the tables' rows of their keys on
    every date, so the keys have no edit on the block's dates. None when the tables' rows of a key differ between
    the payers the block serves (a payer's own versions): no one block of rows keeps them all."""
    scope = disables[0].scope  # the block's, with its dates
    first = scope.start if scope.start is not None and scope.start > 1 else FIRST_DAY
    last = scope.end if scope.end is not None else LAST_DAY
    payers = sorted(scope.payers) if scope.payers else [
        *sorted({payer for t in loaded_tables if t.payers for payer in t.payers}), None]
    found: dict = {}
    for disable in disables:
        table_kind = _TABLES[disable.kind][0]
        for claim_type in sorted(scope.claim_types) if scope.claim_types else CLAIM_TYPES:
            said = None
            for payer in payers:
                versions = tables.serving(loaded_tables, table_kind, claim_type, payer)
                in_force = _in_force(versions, table_kind, disable.key) if versions else []
                kept = [(a, b, row) for lo, hi, row in in_force
                        for a, b in ((lo, min(hi, first - 1)), (max(lo, last + 1), hi)) if a <= b]
                written = [_row_text(disable.kind, disable.key, row, a, b) for a, b, row in _merged(disable.kind, kept)]
                outcome = (written, bool(in_force) and not written)
                if said is not None and outcome != said:
                    return None
                said = outcome
            written, keep = said
            if written or keep:
                rows, kept_disables = found.setdefault(claim_type, ([], []))
                rows.extend(written)
                if keep:
                    kept_disables.append(f"disable {disable.kind} {' with '.join(disable.key)}")
    return found


def _where(scope, found: dict) -> str:
    """What RR265's hint says to write, and in which blocks: one without `effective` and `for` the block's payers
    when every claim type it serves gets the same, else one for each claim type; at most :data:`_ROWS_SHOWN` rows
    written out."""
    payers = ""
    if scope.payers:
        names = sorted(scope.payers)
        payers = f"for payer{'s' if len(names) > 1 else ''} {', '.join(names)}"
    served = sorted(scope.claim_types) if scope.claim_types else list(CLAIM_TYPES)
    outcomes = [found.get(claim_type, ([], [])) for claim_type in served]
    if len(served) > 1 and all(outcome == outcomes[0] for outcome in outcomes):
        groups = [(payers, outcomes[0])]
    else:
        groups = [(f"{payers} for {claim_type} claims".strip(), found[claim_type]) for claim_type in served
                  if claim_type in found]
    said, shown = [], 0
    for clauses, (rows, keeps) in groups:
        block = f"in a block `{clauses}` without `effective`" if clauses else "in a block without `effective`"
        take = rows[:max(_ROWS_SHOWN - shown, 0)]
        shown += len(take)
        parts = []
        if rows:
            text = listed([f"`{row}`" for row in take]) if take else ""
            more = len(rows) - len(take)
            if more:
                text += (" and " if take else "") + f"{more} more row{'s' if more > 1 else ''} of the tables"
            parts.append(f"write {text} instead of the `disable` rows")
        if keeps:
            parts.append(f"keep {listed([f'`{text}`' for text in keeps])} (the tables have its edit only on these "
                         "dates)")
        said.append(f"{block}: {' and '.join(parts)}")
    return "; ".join(said)


def _by_date(found: tuple) -> tuple:
    return found[0], found[1]


def row_window(row) -> tuple[int, int]:
    """The dates a row is in force, open ends as the first and last ordinals (a pair row without dates starts on
    day 1)."""
    start = row.start if row.start is not None and row.start > 1 else FIRST_DAY
    return start, row.end if row.end is not None else LAST_DAY


def _uncovered(rows) -> list[tuple[int, int]]:
    """The windows of dates none of ``rows`` is in force on."""
    gaps = []
    following = FIRST_DAY  # the first date the rows seen so far leave uncovered
    for start, end in sorted(map(row_window, rows)):
        if start > following:
            gaps.append((following, start - 1))
        following = max(following, end + 1)
    if following <= LAST_DAY:
        gaps.append((following, LAST_DAY))
    return gaps


def _in_force(versions: list, kind: str, key: tuple) -> list[tuple]:
    """(first date, last date, row) of every row of ``key`` in ``versions`` (the tables of ``kind`` loaded for a
    claim type and payer, oldest first), over the dates its version judges (an add-on row until its last primary
    is deleted): the oldest version also judges every earlier date, as evaluation does. A PTP row with modifier
    indicator 9 is no edit: it never applies."""
    found = []
    for i, loaded in enumerate(versions):
        judged = tables.last_day(kind, versions, i)
        first, last = (loaded.start if i else FIRST_DAY), (judged if judged is not None else LAST_DAY)
        for row in tables.key_rows(loaded, key):
            if getattr(row, "indicator", None) == 9:
                continue
            start, end = row_window(row)
            ends = getattr(row, "primary_ends", None)
            if ends and len(ends) == len(row.primaries):
                end = min(end, max(ends.values()))  # an add-on row whose primaries are all deleted is no edit
            if max(first, start) <= min(last, end):
                found.append((max(first, start), min(last, end), row))
    return found


def _uncovered_message(kind: str, key: tuple, chosen, table: str | None, left: list) -> tuple[str, str, str]:
    """The message of RR266 before and after the claim types it is about, and its help: the dates left without
    an edit (``left``: first date, last date, replaced row, in date order) and the rows of the ``table`` (None:
    of less specific blocks) that the rule-file rows ``chosen`` replace on them."""
    written = f"{kind} {' with '.join(key)}"
    sources = list(dict.fromkeys(row.source for _, _, row in left))
    replaced = " and ".join(sources[:_NAMED]) + (f" and {len(sources) - _NAMED} more" if len(sources) > _NAMED else "")
    whose = f"the {table} table's" if table else "the rule-file"
    before = (f"`{written}` here{_other_rows(chosen)} {'replaces' if len(chosen) == 1 else 'replace'} {whose} "
              f"{'row' if len(sources) == 1 else 'rows'} {replaced} on every date: ")
    after = f" dated {_dates(left)} are left without an edit of this {'pair' if kind == 'pair' else 'code'}"
    examples = [f"`{_row_text(kind, key, row, start, end)}`" for start, end, row in _merged(kind, left)]
    whom = ("its row" if table else "that row") if len(examples) == 1 else ("its rows" if table else "those rows")
    rows = f"{whom} into the block too ({listed(examples)})"
    if table:
        help = (f"a rule-file row replaces the table's rows of its key on every date (the choice is made per key, "
                f"not per date): to keep the table's edit on those dates, write {rows}; to replace it on every "
                f"date, drop `effective`")
    else:
        help = (f"a block's rows replace the rows of their key in less specific blocks on every date (the choice is "
                f"made per key, not per date): to keep their edit on those dates, write {rows}; to replace them on "
                f"every date, drop `effective`")
    return before, after, help


def _other_rows(chosen) -> str:
    """`` and at lines 6 and 7``: where the rows of ``chosen`` after the first are, by line in its file."""
    here = chosen[0].source.rpartition(":")[0]
    lines, elsewhere = [], []
    for row in chosen[1:]:
        file, _, line = row.source.rpartition(":")
        if file == here:
            lines.append(line)
        else:
            elsewhere.append(row.source)
    places = ([f"line{'s' if len(lines) > 1 else ''} {listed(lines)}"] if lines else []) + elsewhere
    return f" and at {listed(places)}" if places else ""


def _merged(kind: str, left: list) -> list[tuple]:
    """(first date, last date, row) of the rows a hint writes: one for each run of windows of ``left`` that
    touch and give the same edit (a table's versions side by side repeat their rows), in date order; an add-on
    row's window is cut where a primary stops counting, so each row written lists the primaries of its dates."""
    runs: list = []
    for start, end, row in sorted(_cut_at_primary_ends(kind, left), key=_by_date):
        content = _content(kind, row, start)
        run = next((run for run in runs if run[3] == content and start <= run[1] + 1), None)
        if run is None:
            runs.append([start, end, row, content])
        else:
            run[1] = max(run[1], end)
    return [(start, end, row) for start, end, row, _ in runs]


def _cut_at_primary_ends(kind: str, left: list) -> list[tuple]:
    """``left`` with each add-on row's window cut after each date on which one of its primaries is deleted."""
    if kind != "addon":
        return left
    found = []
    for start, end, row in left:
        cuts = sorted({day + 1 for day in (row.primary_ends or {}).values() if start < day + 1 <= end})
        for cut in cuts:
            found.append((start, cut - 1, row))
            start = cut
        found.append((start, end, row))
    return found


def _content(kind: str, row, start: int) -> tuple:
    """What a row's text in a hint from ``start`` says besides its dates."""
    if kind == "pair":
        return (row.indicator,)
    if kind == "limit":
        return row.max_units, row.mai
    return row.aoc_type, _primaries(row, start)


def _primaries(row, start: int) -> frozenset | None:
    """An add-on row's primaries that still count on ``start`` (None: any)."""
    return None if row.primaries is None else row.primaries_on(start)


def _dates(left: list) -> str:
    """``until 2026-12-31 and from 2028-01-01``: the windows of ``left`` (in date order), joined."""
    merged: list = []
    for start, end, _ in left:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return listed([window_text(start if start != FIRST_DAY else None, end if end != LAST_DAY else None)
                    for start, end in merged])


def _row_text(kind: str, key: tuple, row, start: int, end: int) -> str:
    """The rule-file row that gives ``row``'s edit from ``start`` (the first date: 0001-01-01) through ``end``, as
    it is written (every primary listed, so the hint's row can be copied)."""
    dates = format_date(max(start, 1)) + (f" through {format_date(end)}" if end != LAST_DAY else "")
    if kind == "pair":
        return f"pair {key[0]} with {key[1]} modifier {row.indicator} effective {dates}"
    if kind == "limit":
        return f"limit {key[0]} max {row.max_units} mai {row.mai} effective {dates}"
    primaries = sorted(_primaries(row, start) or ())
    written = ", ".join(primaries)
    return f"addon {key[0]} type {row.aoc_type}{' primaries ' + written if primaries else ''} effective {dates}"
