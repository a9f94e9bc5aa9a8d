"""RR529: the newest PTP or add-on version loaded corrects dates that an earlier version loaded beside it judges.

A PTP file, and the add-on file, is a complete replacement whose rows carry
their own dates (domain.md §1.1-§1.2), and a later file may correct earlier
dates: a pair deleted retroactively (indicator 9, or a deletion date inside
an earlier quarter), an indicator changed on a row in force before the new
quarter, a row added with an effective date before it. Loaded side by side,
an earlier version still judges its own dates as it was published. Each
earlier version is compared with the newest on the dates the earlier one
judges: ``diff.tables`` finds the keys whose rows differ at all (in one pass
that skips the runs of rows both tables share), and here only the keys whose
rows judge some of those dates otherwise are counted. A normal quarter
(rows added from its first day, edits deleted on the last day of the quarter
before) changes none.

Comparing two national tables takes about a second, so the result is kept in
the table caches, keyed by both versions' content and the dates compared
(``tables.remembered``): a warm load reads it.
"""

from __future__ import annotations

import datetime as dt

from ..model import format_date

#: Bump when what :func:`corrected` finds changes, so that results kept in the cache are not used.
COMPARISON = "2"
#: How many corrected keys the warning shows (it counts them all).
SHOWN = 3
_KIND_WORDS = {"ptp": ("pair", "pairs"), "addon": ("add-on code", "add-on codes")}
_KIND_NAMES = {"ptp": "PTP", "addon": "add-on"}


def check_corrections(comp, versions: list) -> None:
    """RR529 at the newest of ``versions`` (one kind and claim type, oldest first) for each earlier version whose
    dates it judges otherwise."""
    from .. import tables

    newest = versions[-1]
    for i, earlier in enumerate(versions[:-1]):
        if earlier.table.key == newest.table.key:  # the same content (RR527): nothing to compare
            continue
        first, last = (earlier.start if i else 1), versions[i + 1].start - 1
        key = f"corrections-{COMPARISON}\0{earlier.table.key}\0{newest.table.key}\0{first}\0{last}"
        found = tables.remembered(earlier.kind, key, comp.cache_dir,
                                  lambda: corrected(earlier.kind, earlier.table, newest.table, first, last))
        if found["count"]:
            _warn(comp, earlier, newest, first, last, found)


def corrected(kind: str, old, new, first: int, last: int) -> dict:
    """{"count": keys whose rows in ``new`` judge some date from ``first`` to ``last`` otherwise than those in
    ``old``, "examples": the first few (key, the change, old rows, new rows)}: rows as (part, row) for a PTP
    table, ``file:row`` for an add-on table."""
    from ..diff.tables import diff_keyed, diff_ptp, keyed_rows

    counter = _Corrections(kind, first, last)
    if kind == "ptp":
        diff_ptp(old, new, counter)
    else:
        diff_keyed(keyed_rows(kind, old), keyed_rows(kind, new), counter)
    examples = []
    for key, change in counter.examples:
        if kind == "ptp":
            rows = [[(row.source_part, row.source_row) for row in table.rows(*key, None)] for table in (old, new)]
        else:
            rows = [[row[-1] for row in table.entries.get(key[0], ())] for table in (old, new)]
        examples.append((key, change, *map(tuple, rows)))
    return {"count": counter.count, "gone": counter.gone, "examples": tuple(examples)}


class _Corrections:
    """Counts the keys ``diff.tables`` finds whose rows judge some date from ``first`` to ``last`` otherwise."""

    def __init__(self, kind: str, first: int, last: int):
        self.kind, self.first, self.last = kind, first, last
        self.count = 0
        self.gone = 0  # PTP pairs of those with no row at all in the newer table
        self.examples: list = []  # (key, change)

    def compare(self, key: tuple, before: list, after: list) -> None:
        change = first_change(self.kind, before, after, self.first, self.last)
        if change is None:
            return
        self.count += 1
        if self.kind == "ptp" and not after:
            self.gone += 1
        if len(self.examples) < SHOWN:
            self.examples.append((key, change))


def judged(kind: str, values, day: int):
    """What the rows of one key (row values as ``diff.describe.ROW_FIELDS`` lists them) decide on ``day``: for
    a PTP pair the lowest modifier indicator of its rows in force (0 denies whatever the modifiers, 1 unless
    one bypasses; indicator 9 never applies), for an add-on code whether any primary counts and the primaries
    listed; None if no row is in force."""
    if kind == "ptp":
        return min((value[2] for value in values
                    if value[2] != 9 and value[0] <= day and (value[1] is None or day <= value[1])), default=None)
    edits = [value for value in values if (value[0] is None or value[0] <= day) and (value[1] is None
                                                                                      or day <= value[1])]
    if not edits:
        return None
    listed = set()
    for _start, _end, _type, primaries, ends in edits:
        if primaries is None:
            return "any"
        ended = dict(ends or ())
        listed.update(code for code in primaries if ended.get(code) is None or day <= ended[code])
    return frozenset(listed)


def first_change(kind: str, before: list, after: list, first: int, last: int) -> tuple | None:
    """(the first day from ``first`` to ``last`` on which the rows ``after`` judge otherwise than ``before``,
    what they decide on it before, after), or None: the rows judge those dates alike."""
    for day in _days(kind, before, after, first, last):
        old, new = judged(kind, before, day), judged(kind, after, day)
        if old != new:
            return day, old, new
    return None


def change_on(kind: str, before: list, after: list, first: int, day: int) -> tuple | None:
    """(the first day from ``first`` of the run of days through ``day`` that the rows ``after`` judge as they
    judge ``day``, otherwise than ``before``; what they decide before, after), or None if both judge ``day``
    alike."""
    old, new = judged(kind, before, day), judged(kind, after, day)
    if old == new:
        return None
    since = day
    for other in reversed(_days(kind, before, after, first, day)):
        if other < day and (judged(kind, before, other), judged(kind, after, other)) != (old, new):
            break
        since = min(since, other)
    return since, old, new


def _days(kind: str, before: list, after: list, first: int, last: int) -> list:
    """The days from ``first`` to ``last`` on which the rows of one key may judge otherwise than the day
    before: ``first`` and the days a row begins or ends, sorted."""
    days = {first}
    for value in (*before, *after):
        days.add(value[0] or first)
        if value[1] is not None:
            days.add(value[1] + 1)
        if kind == "addon":
            days.update(end + 1 for _code, end in value[4] or ())
    return sorted(day for day in days if first <= day <= last)


def change_text(kind: str, change: tuple) -> str:
    """``deleted retroactively from 2026-04-01``, ``indicator 0 -> 1 from 2026-04-01``, ``added from ...``."""
    day, old, new = change
    when = format_date(day)
    if new is None:
        return f"deleted retroactively from {when}"
    if old is None:
        return f"added from {when}"
    if kind == "ptp":
        return f"indicator {old} -> {new} from {when}"
    if "any" in (old, new):
        counted = {True: "any primary", False: "listed primaries only"}
        return f"{counted[old == 'any']} -> {counted[new == 'any']} from {when}"
    gained, lost = sorted(new - old), sorted(old - new)
    parts = ([f"primary {', '.join(gained)} added"] if gained else []) + (
        [f"primary {', '.join(lost)} deleted"] if lost else [])
    return f"{' and '.join(parts)} retroactively from {when}"


def _warn(comp, earlier, newest, first: int, last: int, found: dict) -> None:
    kind = earlier.kind
    one, many = _KIND_WORDS[kind]
    count = found["count"]
    dates = f"{format_date(first)} to {format_date(last)}" if first > 1 else f"through {format_date(last)}"
    shown = "; ".join(_example(kind, earlier, newest, example) for example in found["examples"])
    more = f"; and {count - len(found['examples']):,} more" if count > len(found["examples"]) else ""
    label, old = version_label(newest), version_label(earlier)
    name = _KIND_NAMES[kind]
    gone = found.get("gone", 0)
    missing = ""
    said = f"{label} corrects {count:,} {one if count == 1 else many} on dates that {old} ({earlier.source}) " \
           f"judges ({dates})"
    if gone:  # CMS never drops a PTP row: a deleted edit stays, with its deletion date (domain.md §1.1)
        said += f", {'each' if gone == count else f'{gone:,} of them'} with no row at all in it (a part missing?)"
        missing = (f"a PTP file keeps every deleted edit, with its deletion date, so a pair {old} has and {label} "
                   f"has no row of points to a part of {label} left out: check that each part (`-f1` to `-f4`) "
                   f"is loaded before taking such pairs for corrections. ")
    comp.ctx.warning(
        "RR529", f"{said}: {shown}{more}", newest.statement.span,
        help=f"{missing}{old} judges its dates as it was published, without these corrections: to judge every date by "
             f"them, load only the newest {name} version (its rows carry their dates, so it judges the dates "
             f"before it too; MUE files carry none: keep those side by side); to take them from some date on, "
             f"give this statement that date as `effective` (after {format_date(earlier.start)}) and drop the "
             f"versions it then replaces; to judge each date as published (to reproduce past adjudications), keep "
             f"the versions as they are")


def _example(kind: str, earlier, newest, example: tuple) -> str:
    """``74176 with 74150 deleted retroactively from 2026-04-01 (v321r0: cms/q2/a.TXT:9; v322r0: cms/q3/b.TXT:7)``."""
    key, change, old_rows, new_rows = example
    rows = [_rows(kind, loaded, found) for loaded, found in ((earlier, old_rows), (newest, new_rows))]
    if kind == "ptp" and not new_rows:  # no row at all, not a row deleted: see the help of _warn
        return f"{' with '.join(key)} has no row in {version_label(newest)} ({version_label(earlier)}: {rows[0]})"
    return (f"{' with '.join(key)} {change_text(kind, change)} ({version_label(earlier)}: {rows[0] or 'no row'}; "
            f"{version_label(newest)}: {rows[1] or 'no row'})")


def _rows(kind: str, loaded, rows: tuple) -> str:
    """The rows of one key in a loaded table, named by the paths its statement gives (the first two)."""
    if kind == "ptp":
        named = [f"{loaded.files[part]}:{row}" for part, row in rows]
    else:
        displays = dict(zip(loaded.table.files, loaded.files))
        named = []
        for source in rows:
            name, _, row = source.rpartition(":")
            named.append(f"{displays.get(name, name)}:{row}")
    return ", ".join(named[:2]) + (f" and {len(named) - 2} more" if len(named) > 2 else "")


def version_label(loaded) -> str:
    """``v323r0``, or the add-on file's quarter, or the statement's place."""
    from .versions import file_named_version

    found = file_named_version(loaded)
    if found is not None:
        return found[1]
    return f"the version from {dt.date.fromordinal(loaded.start).isoformat()}"
