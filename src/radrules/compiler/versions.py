"""Checks across the `table` statements of one kind and claim type: the versions loaded side by side (those
that judge one payer's claims: a payer's own, `for payer`, or those of the statements without it).

A file two statements load (RR520) is refused before it is read. Once the
tables are loaded, warnings: an `effective` date before the one the file
name says (RR523; a later one is a payer adopting the version late), versions
whose order by date is not the order their names give (RR524), PTP rows that
take effect only once the next version judges (RR525), one version loaded
by two statements (RR527), and the newest PTP or add-on version judging an
earlier one's dates otherwise (RR529, in corrections.py), and a payer's own
versions (`for payer`) that begin after (RR532), end before (RR533) or skip
(RR534) those without it: their oldest, newest or the one before the gap
judges the payer's dates the others judge by another table; a quarter no version of a quarterly kind takes
effect in, between two (RR535), and one quarterly kind's newest version a quarter or more older than another's
(RR536), a version beside others dated by its newest rows alone (RR537), and a PTP or MUE version holding the
same rows as an earlier one under other names (RR538). Each but RR529 and
RR538 reads what the statements say and what the loaders recorded (a table's
newest rows), never the rows again; RR538 compares two versions' rows only
when their sizes agree.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path, PurePosixPath

from .. import syntax as s
from ..model import format_date, payer_clause
from .context import source_of
from .corrections import check_corrections


def loaded_twice(comp, statement: s.Table, claim_type: str, payers, parts: list, origins: list,
                 given: dict) -> bool:
    """RR520 if a file of ``parts`` (display, path; ``origins``: the path token naming each) is one an earlier
    `table` statement of the same kind and claim type loads, directly or through a folder, for claims of the
    same payers (``payers``: the statement's, None without `for payer`): two versions would hold its rows.
    ``given``: (kind, claim type, real path) -> [(the statement, token, payers) of each statement that gives
    the file], filled with these files. The same file for professional and institutional claims is allowed
    (CMS's one add-on file serves both), and so is one for two payers' versions, or one payer's and every other
    payer's. Whether it was."""
    from .. import tables
    from .loading import overlapping  # (here: loading.py imports this module)

    kind = statement.kind.text
    keys = [(kind, claim_type, path.resolve()) for _, path in parts]
    for key, (display, path), (token, _) in zip(keys, parts, origins):
        clash = next((found for found in given.get(key, ()) if overlapping(found[2], payers)), None)
        if clash is None:
            continue
        other, other_token, _ = clash
        served = "" if kind in tables.ALL_CLAIMS else f" for {claim_type} claims"
        if payers is not None:
            served += f" of {tables.payers_text(payers & clash[2])}"
        by = "" if other_token.text == token.text else f" (by `{other_token.text}`)"
        written = _as_written(comp, statement, path, display)
        comp.ctx.error("RR520", f"`{written}` is loaded by two `table {kind}` statements{served}", token.span,
                       help=f"the other is at {source_of(other.span)}{by}; a file is part of one version of a table: "
                            "load each version once, with a `table` statement of its own and the date it takes "
                            "effect")
        return True
    for key, (token, _) in zip(keys, origins):
        given.setdefault(key, []).append((statement, token, payers))
    return False


def _as_written(comp, statement: s.Table, path, display: str) -> str:
    """A file of a `table` statement named as the statement's paths are written, from the rule file's folder
    (``cms/2026q3/ccipra-v322r0-f1.TXT``), as the message names the folder or file that loads it; ``display`` if
    the rule file is not known."""
    import os

    rule_file = comp.paths.get(statement.span.file)
    if rule_file is None:
        return display
    return PurePosixPath(*Path(os.path.relpath(path, Path(rule_file).parent)).parts).as_posix()


def check_versions(comp) -> None:
    """RR523, RR524, RR525, RR527, RR529 and RR531 for the loaded tables (see the module's docstring), comparing
    the versions that judge one payer's claims (``tables.payer_scopes``): a payer's versions of its own (`for
    payer`) with each other, those without `for payer` with each other; RR532, RR533 and RR534 where a payer's
    own begin after, end before or skip those without `for payer`. A warning two lists of versions give alike is
    given once; an RR532, RR533 or RR534 at a statement several payers' lists share, once for those payers."""
    from .. import tables

    dated_before_name = set()
    for loaded in comp.loaded_tables:
        if loaded.statement.effective is not None and _named_date(comp, loaded):
            dated_before_name.add(id(loaded))
    before = len(comp.ctx.diagnostics)
    for lists in tables.payer_scopes(comp.loaded_tables).values():
        shared = next((versions for payers, versions in lists if payers is None), [])
        left = _left_by_statement(shared, lists)
        _quarter_starts(comp, lists, left, dated_before_name)
        for index, (_, versions) in enumerate(lists):
            for warn, loaded, versions_left, payers, first in left.values():
                if first == index:  # said where the first list that gives it is checked
                    warn(comp, sorted(payers), loaded, versions_left)
            named = [(loaded, found) for loaded in versions if (found := file_named_version(loaded)) is not None]
            _out_of_order(comp, named)
            _loaded_again(comp, named)
            _same_rows(comp, versions)
            _skipped_quarters(comp, versions, shared if versions is not shared else [])
            _dated_by_rows(comp, versions)
            if versions[0].kind == "ptp":
                _rows_after_next(comp, versions)
            if versions[0].kind in ("ptp", "addon") and len(versions) > 1:
                check_corrections(comp, versions)
    _kinds_behind(comp)
    found = comp.ctx.diagnostics[before:]
    comp.ctx.diagnostics[before:] = list(dict.fromkeys(found))


def _left_by_statement(shared: list, lists: list) -> dict:
    """The RR532, RR533 and RR534 the payers' lists of ``lists`` give, each computed once: (code, id of the payer's
    version warned at, ids of the versions without `for payer` it leaves, for RR534 the day after the last it
    judges wrongly) -> (the function that gives the warning, that version, the versions left, the payers, the index in
    ``lists`` of the first list that gives it), in the order the lists give them. Lists that differ but share the
    statement warned at and the versions left out give one warning, naming the payers of them all (a `for payers
    acme, beta` statement both payers' lists begin with)."""
    found: dict = {}
    for index, (payers, versions) in enumerate(lists):
        if payers is None:
            continue
        given = [("RR532", _warn_left_out, versions[0], _left_out(shared, versions), None)]
        given += [("RR534", partial(_warn_skipped, following=following, until=until), loaded, skipped, until)
                  for loaded, following, skipped, until in _skipped(shared, versions)]
        given.append(("RR533", _warn_left_after, versions[-1], _left_after(shared, versions), None))
        for code, warn, loaded, left, until in given:
            if left:
                key = (code, id(loaded), tuple(map(id, left)), until)
                found.setdefault(key, (warn, loaded, left, [], index))[3].extend(payers)
    return found


def _left_out(shared: list, own: list) -> list:
    """The versions without `for payer` (``shared``, oldest first) that judge dates before a payer's own
    versions (``own``) begin, with another table than the payer's oldest, which now judges those dates: the
    dates a payer adopting a version late leaves to the wrong version, unless it names the earlier ones too."""
    first = own[0]
    return [loaded for loaded in shared if loaded.start < first.start and loaded.table is not first.table]


def _warn_left_out(comp, payers: list, first, left_out: list) -> None:
    """RR532 at the statement of a payer's oldest own version (``first``) when versions without `for payer` judge
    its earlier dates by other tables (:func:`_left_out`)."""
    clause, served, whom, one, listed = _left_words(payers, first, left_out)
    comp.ctx.warning(
        "RR532", f"the {first.kind} versions `{clause}`{served} begin on {format_date(first.start)}, so this one "
                 f"also judges {whom} claims before it, which {'a version' if one else f'{len(left_out)} versions'} "
                 f"without `for payer` judge{'s' if one else ''} otherwise", first.statement.span,
        help=f"a payer's own versions replace those without `for payer` on every date, and its oldest judges the "
             f"dates before it: {listed} no longer judge{'s' if one else ''} {whom} claims; name "
             f"{'it' if one else 'them'} `{clause}` too (every version {_they(payers, 'uses')}, from "
             f"{'its' if len(payers) == 1 else 'their'} oldest), or, if this version is right for those dates, "
             f"allow the warning here with the reason (`# allow RR532: ...`)")


def _left_words(payers: list, loaded, left: list) -> tuple:
    """What RR532 and RR533 say of a payer's version ``loaded`` and the versions without `for payer` it leaves
    out (``left``): the payers' clause, the claim type served, whose claims, whether one is left, and the list."""
    from .. import tables

    served = "" if loaded.kind in tables.ALL_CLAIMS else f" ({loaded.claim_type} claims)"
    listed = "; ".join(f"{other.source} ({', '.join(_names(other))}, from {format_date(other.start)})"
                       for other in left)
    return (payer_clause(payers), served, "the payer's" if len(payers) == 1 else "the payers'", len(left) == 1,
            listed)


def _left_after(shared: list, own: list) -> list:
    """The versions without `for payer` (``shared``, oldest first) that start after a payer's newest own version
    (``own[-1]``), with another table, when the payer's list ends before theirs (its newest is neither their
    newest's table nor as new): the dates the payer's newest goes on judging, as the other versions go on."""
    last = own[-1]
    if not shared or last.table is shared[-1].table or last.start >= shared[-1].start:
        return []
    return [loaded for loaded in shared if loaded.start > last.start and loaded.table is not last.table]


def _warn_left_after(comp, payers: list, last, left_after: list) -> None:
    """RR533 at the statement of a payer's newest own version (``last``) when versions without `for payer` go on
    after it with other tables (:func:`_left_after`): RR532's mirror."""
    clause, served, whom, one, listed = _left_words(payers, last, left_after)
    comp.ctx.warning(
        "RR533", f"the {last.kind} versions `{clause}`{served} end with this one, from {format_date(last.start)}, "
                 f"so it also judges {whom} claims from {format_date(left_after[0].start)} on, which "
                 f"{'a later version' if one else f'{len(left_after)} later versions'} without `for payer` "
                 f"judge{'s' if one else ''} otherwise", last.statement.span,
        help=f"a payer's own versions replace those without `for payer` on every date, and its newest judges every "
             f"date after it: {listed} never judge{'s' if one else ''} {whom} claims; name "
             f"{'it' if one else 'them'} `{clause}` too (a payer that adopts a version late: with its own "
             f"`effective` date), or, if {_the_payer(payers, 'stays')} on this version, allow the warning here "
             f"with the reason (`# allow RR533: ...`)")


def _skipped(shared: list, own: list) -> list:
    """(version, the payer's next, skipped, until) for each of a payer's own versions (``own``, oldest first) after
    which versions without `for payer` (``shared``) take effect before the payer's next, with another table than
    either (not the next adopted late): the versions the payer's list skips, whose dates it judges up to ``until``
    (excluded): the payer's next version, or the version without `for payer` after the last skipped, if earlier
    (the next adopted late: its own file judges those days for everyone else)."""
    found = []
    for loaded, following in zip(own, own[1:]):
        skipped = [other for other in shared if loaded.start < other.start < following.start
                   and other.table is not loaded.table and other.table is not following.table]
        if skipped:
            until = min([following.start, *(other.start for other in shared if other.start > skipped[-1].start)])
            found.append((loaded, following, skipped, until))
    return found


def _warn_skipped(comp, payers: list, loaded, skipped: list, following, until: int) -> None:
    """RR534 at the statement of a payer's own version when versions without `for payer` take effect with other
    tables before the payer's next (``following``; :func:`_skipped`): a gap in the payer's list, where RR532 and
    RR533 are at its ends."""
    clause, served, whom, one, listed = _left_words(payers, loaded, skipped)
    first, last = skipped[0].start, until - 1
    days = f"on {format_date(first)}" if first == last else f"from {format_date(first)} to {format_date(last)}"
    comp.ctx.warning(
        "RR534", f"the {loaded.kind} versions `{clause}`{served} go on from this one, from "
                 f"{format_date(loaded.start)}, to the next on {format_date(following.start)}, so it also judges "
                 f"{whom} claims {days}, which {'a version' if one else f'{len(skipped)} versions'} without `for "
                 f"payer` judge{'s' if one else ''} otherwise", loaded.statement.span,
        help=f"a payer's own versions replace those without `for payer` on every date, and each judges the dates up "
             f"to the next: {listed} never judge{'s' if one else ''} {whom} claims; name {'it' if one else 'them'} "
             f"`{clause}` too, from {'its date' if one else 'their dates'} (a payer that adopts a version late: "
             f"with its own `effective` date), or, if {_the_payer(payers, 'skips')} "
             f"{'that version' if one else 'those versions'}, allow the warning here with the reason "
             f"(`# allow RR534: ...`)")


def _the_payer(payers, verb: str) -> str:
    """``the payer adopts`` / ``the payers adopt``: the payers of a statement or warning, and a verb."""
    return f"the payer {verb}" if len(payers) == 1 else f"the payers {verb[:-1]}"


def _they(payers, verb: str) -> str:
    """``it uses`` / ``they use``."""
    return f"it {verb}" if len(payers) == 1 else f"they {verb[:-1]}"


def _names(loaded) -> list:
    return [PurePosixPath(display).name for display in loaded.files]


#: The kinds of table CMS publishes every quarter, each version taking effect on a quarter's first day.
QUARTERLY = ("ptp", "mue", "addon")


def quarter_of(day: int) -> int:
    """The quarter a date (an ordinal) is in, counted from year 0: consecutive quarters are consecutive numbers."""
    date = dt.date.fromordinal(day)
    return date.year * 4 + (date.month - 1) // 3


def quarter_first(quarter: int) -> dt.date:
    """The first day of a quarter numbered as :func:`quarter_of` numbers them."""
    return dt.date(quarter // 4, quarter % 4 * 3 + 1, 1)


def _skipped_quarters(comp, versions: list, shared: list) -> None:
    """RR535 at a quarterly version (oldest first in ``versions``, one list that judges some payers' claims)
    whose next takes effect a quarter or more after the quarter following its own: no file of the quarters
    between is loaded, so this version judges their dates with its edits (a quarter's statements forgotten in an
    update; a MUE row has no dates of its own, so its limit is simply last quarter's). A payer's own list
    (``shared``: the versions without `for payer`) that skips a version of the shared one is RR534 there."""
    if versions[0].kind not in QUARTERLY:
        return
    for index, (loaded, following) in enumerate(zip(versions, versions[1:])):
        if not (_dated(loaded) and _dated(following)) \
                or any(loaded.start < other.start < following.start for other in shared):
            continue
        first, last = quarter_of(loaded.start) + 1, quarter_of(following.start) - 1
        if first > last:
            continue
        low, high = quarter_first(first), quarter_first(last + 1) - dt.timedelta(1)
        days = f"{low.isoformat()} to {high.isoformat()}"
        quarters = "quarter" if first == last else f"{last - first + 1} quarters"
        misdated = _dated_later(versions[index + 1:], low.toordinal(), high.toordinal())
        if misdated is None:
            said = ""
            fix = (f"load the files of the {quarters} between with `table {loaded.kind}` statements of their own "
                   f"(and their dates)")
        else:
            other, label, day, by_rows = misdated
            said = (f": {label} ({other.source}), "
                    + (f"whose newest rows take effect on {format_date(day)}" if by_rows
                       else f"which is named for {format_date(day)}"))
            if by_rows:  # a quarter that only deleted edits has the quarter before's newest rows
                fix = (f"if {label} is that quarter's version, write `effective {format_date(day)}` at "
                       f"{other.source}; if not (a version that only deletes edits has the quarter before's newest "
                       f"rows), load the files of the {quarters} between with `table ptp` statements of their own")
            else:
                fix = (f"{label} is given a later date than its name: write `effective {format_date(day)}` at "
                       f"{other.source}, or leave `effective` out to take the name's date")
        comp.ctx.warning(
            "RR535", f"no {loaded.kind} version{_served(loaded)} takes effect in the {quarters} {days}: this one, "
                     f"from {format_date(loaded.start)}, judges {'its' if first == last else 'their'} dates up to the "
                     f"next, on {format_date(following.start)}{said}",
            loaded.statement.span,
            help=f"CMS publishes the {loaded.kind} edits every quarter, each quarter's file with its own changes: "
                 f"{fix}, or, if this version is meant to judge {days} (a payer that skips a quarter), allow "
                 f"the warning here with the reason (`# allow RR535: ...`)")


def _dated_later(later: list, low: int, high: int) -> tuple | None:
    """(version, its label, the date, whether the date is its newest rows') of the first version of ``later`` given
    an `effective` date after the date its file name gives (a PTP version: its newest rows') when that date is
    within ``low`` to ``high``, the quarters RR535 finds no version in: the quarter's file loaded, from a later
    quarter's date. None if there is none."""
    for other in later:
        if other.statement.effective is None:
            continue
        if other.kind == "ptp":
            day, by_rows = other.table.latest_start, True
            label = (file_named_version(other) or (None, f"`{_names(other)[0]}`"))[1]
        else:
            day, name = _name_date(other)
            if day is None:
                continue
            by_rows, label = False, f"`{name}`"
        if low <= day <= high and day < other.start:
            return other, label, day, by_rows
    return None


def _dated(loaded) -> bool:
    """Whether a version's date is stated, by its `effective` clause or its file name: a PTP or add-on file's
    dated by its newest rows alone (a small hand-made file's rows need not say its quarter) is not compared."""
    from .. import tables

    return tables.dated_by(loaded) != "rows"


def _dated_by_rows(comp, versions: list) -> None:
    """RR537 at each version of ``versions`` (one list, oldest first, of two or more) that takes its date from its
    newest rows: no `effective`, no date in its file names. Beside another version, that date decides which dates of
    service each judges, and a file's newest row need not be its quarter's first day (an add-on file of a quarter
    that added no edit: the version before's)."""
    if len(versions) < 2:
        return
    for loaded in versions:
        if _dated(loaded):
            continue
        comp.ctx.warning(
            "RR537", f"this {loaded.kind} version takes its date, {format_date(loaded.start)}, from its newest rows: "
                     f"its statement has no `effective` and its file names give no date",
            loaded.statement.span,
            help=f"beside other {loaded.kind} versions, its date decides which dates of service it judges, and a "
                 f"file's newest row need not start its quarter: write `effective` with the first day of the "
                 f"quarter CMS published it for")


def _served(loaded) -> str:
    """`` for institutional claims``, `` for payer acme``: what the versions of ``loaded``'s list judge."""
    from .. import tables

    words = []
    if loaded.kind not in tables.ALL_CLAIMS and loaded.claim_type == "institutional":
        words.append("institutional claims")
    if loaded.payers:
        words.append(tables.payers_text(loaded.payers))
    return f" for {' and '.join(words)}" if words else ""


def _kinds_behind(comp) -> None:
    """RR536 at the newest version of a quarterly kind (PTP, MUE, add-on edits: CMS publishes them together each
    quarter) that takes effect a quarter or more before the newest of another such kind for the same claims (of
    the claim type, and the payers: those without `for payer` with each other): an update that loaded one kind's
    new quarter and forgot another's."""
    from .. import tables

    newest: dict = {}  # (claim type, payers) -> [newest version of each kind]
    for (kind, claim_type), lists in tables.payer_scopes(comp.loaded_tables).items():
        if kind not in QUARTERLY:
            continue
        for payers, versions in lists:  # (every quarterly kind has a claim type)
            newest.setdefault((claim_type, tuple(payers) if payers is not None else None), []).append(versions[-1])
    for (claim_type, payers), latest in newest.items():
        latest = [loaded for loaded in latest if _dated(loaded)]
        if len({loaded.kind for loaded in latest}) < 2:
            continue
        ahead = max(latest, key=lambda loaded: loaded.start)
        for loaded in latest:
            behind = quarter_of(ahead.start) - quarter_of(loaded.start)
            if behind < 1:
                continue
            quarters = "a quarter" if behind == 1 else f"{behind} quarters"
            whom = f"{claim_type} claims" + (f" of {tables.payers_text(payers)}" if payers else "")
            comp.ctx.warning(
                "RR536", f"the newest {loaded.kind} version for {whom} takes effect on {format_date(loaded.start)}, "
                         f"{quarters} before the newest {ahead.kind} version ({format_date(ahead.start)})",
                loaded.statement.span,
                help=f"CMS publishes the PTP, MUE and add-on edits together each quarter, and the newest version "
                     f"judges every date after it: from {format_date(ahead.start)} on, the {ahead.kind} edits are "
                     f"that quarter's and the {loaded.kind} edits this older one's; load the {loaded.kind} file of "
                     f"the same quarter with a `table {loaded.kind}` statement of its own, or, if this version is "
                     f"still the newest CMS published, allow the warning here with the reason "
                     f"(`# allow RR536: ...`)")


def _quarter_starts(comp, lists: list, left: dict, dated_before_name: set) -> None:
    """RR531 (:func:`_quarter_start`) at each version of ``lists`` with an `effective` date (but those of
    ``dated_before_name``, RR523) after another in one of them. The oldest of a list judges the dates before it
    too, so its date moves no day, but for a payer's oldest that is RR532 (``left``, :func:`_left_by_statement`):
    its date says where the payer's versions leave the others, until RR532 is allowed there (the oldest is right
    for the dates before it). Once a statement, for every list it is in, whatever their order."""
    from .allow import allowed_at

    begin_late = {id(loaded): payers for (code, *_), (_, loaded, _, payers, _) in left.items() if code == "RR532"}
    later = {id(loaded) for _, versions in lists for loaded in versions[1:]}
    checked = set()
    for _, versions in lists:
        for loaded in versions:
            if id(loaded) in checked or loaded.statement.effective is None or id(loaded) in dated_before_name:
                continue
            checked.add(id(loaded))
            oldest = begin_late.get(id(loaded))
            if oldest is not None and allowed_at(comp, "RR532", loaded.statement.span):
                oldest = None
            if oldest is not None or id(loaded) in later:
                _quarter_start(comp, loaded, sorted(oldest) if oldest else None)


def _quarter_start(comp, loaded, oldest: list | None = None) -> None:
    """RR531 if a quarterly table's `effective` date, after a version before it (or the first of the payers'
    ``oldest`` own versions, after versions without `for payer`, RR532), is not the first day of a quarter: CMS's
    versions take effect on January, April, July and October 1, so another date is a typo (a day off judges that
    day by the version before) or a payer adopting the version late, which takes `for payer` and allows the
    warning with its reason."""
    from .. import tables

    written = loaded.statement.effective.start
    day = dt.date.fromordinal(loaded.start)
    if loaded.kind not in QUARTERLY or (day.day == 1 and day.month in (1, 4, 7, 10)):
        return
    quarter = quarter_of(loaded.start)
    first, following = quarter_first(quarter), quarter_first(quarter + 1)
    allow = "allow the warning here with the reason (`# allow RR531: ...`)"
    payers = loaded.statement.payers
    if not loaded.statement.payers:
        late = (f"if every payer takes this version from {written.text} (a correction of CMS's taken from a date "
                f"on, RR529), {allow}; if one payer adopts it late, give that payer its own versions with `for "
                f"payer` (every one it uses, from its oldest: this statement serves every payer) and allow the "
                f"warning at its statement")
    elif oldest:  # the oldest of some payers' lists: of each, or of those named
        whose = (f"{_they(payers, 'uses')} before it `for payer`" if set(oldest) == loaded.payers else
                 f"{tables.payers_text(oldest)} {'uses' if len(oldest) == 1 else 'use'} before it "
                 f"`{payer_clause(oldest)}`")
        late = (f"if {_the_payer(payers, 'adopts')} this version from {written.text}, name the versions {whose} too "
                f"(RR532) and {allow}")
    else:
        late = f"if {_the_payer(payers, 'adopts')} this version from {written.text}, {allow}"
    comp.ctx.warning(
        "RR531", f"this {loaded.kind} version takes effect on {written.text}, not on the first day of a quarter",
        written.span,
        help=f"CMS's {loaded.kind} versions take effect on January, April, July and October 1, and the version "
             f"before judges the dates up to the one given: a day off is a day judged by the wrong edits (did you mean "
             f"{first.isoformat()} or {following.isoformat()}?); {late}")


def _name_date(loaded) -> tuple:
    """(the date, the name) of the first of a version's file names that gives a date, or (None, None)."""
    from .. import tables

    return next(((day, name) for name in _names(loaded)
                 if (day := tables.effective_from_names(loaded.kind, [name])) is not None), (None, None))


def _named_date(comp, loaded) -> bool:
    """RR523 if the statement's `effective` date is before the date its file name says the version takes effect:
    it would judge dates before the quarter it was published for. A later date is no warning: a payer may adopt
    a version late. For an ICD-10-CM order file, a date outside the fiscal year the name says: a version judges
    only the dates of the fiscal year it takes effect in, so one dated later judges the next year's. True if it
    warned."""
    from .. import tables

    kind = loaded.kind
    named, name = _name_date(loaded)
    if named is None:
        return False
    written = loaded.statement.effective.start
    if kind == "icd10cm":  # a mid-year update takes effect within the fiscal year its name says
        end = tables.fiscal_year_end(named)
        if named <= loaded.start <= end:
            return False
        year = dt.date.fromordinal(end).year
        said = (f"{'before' if loaded.start < named else 'after'} fiscal year {year} ({format_date(named)} to "
                f"{format_date(end)}), which `{name}` is named for")
        help = (f"an ICD-10-CM order file's name gives the fiscal year CMS published it for, and a version judges "
                f"only the dates of the fiscal year it takes effect in: write a date within fiscal year {year} (a "
                f"mid-year update or a late adoption), or leave `effective` out to load it from {format_date(named)}")
    elif loaded.start >= named:  # on the name's date, or adopted late
        return False
    else:
        # a later date on a statement without `for payer` moves the version for every payer: a payer's to give
        shared = not loaded.statement.payers and kind not in tables.ALL_CLAIMS
        said = f"before {format_date(named)}, the date `{name}` is named for"
        help = (f"a CMS file's name gives the quarter it was published for, and a version takes effect on its first "
                f"day (or later, adopted late), never before: write `effective {format_date(named)}`"
                + (", " if shared else " or a later date, ") + "or leave `effective` out to take the name's date"
                + ("; a payer that adopts the version later takes its own versions with `for payer` and the later "
                   "date, every one it uses from its oldest (this statement serves every payer)" if shared else ""))
    comp.ctx.warning("RR523", f"this {kind} version takes effect on {written.text}, {said}", written.span,
                     help=help)
    return True


def file_named_version(loaded) -> tuple | None:
    """(order, label) of the version a table's file names give: a PTP table's ``v322r0`` (version 32.2,
    revision 0), another's date it takes effect; None if they give none."""
    from .. import tables

    for name in _names(loaded):
        found = tables.named_version(loaded.kind, name)
        if found is not None:
            order, label = found
            return order, (label if loaded.kind == "ptp" else f"`{name}`")
    return None


def _out_of_order(comp, named: list) -> None:
    """RR524 at each version of ``named`` ((loaded, (order, label)) of the versions whose file names give one,
    oldest first by start) that judges later dates than the version before it, though its names say it is the
    earlier version."""
    for (earlier, (order_a, label_a)), (later, (order_b, label_b)) in zip(named, named[1:]):
        if order_b >= order_a:
            continue
        kind = later.kind
        if kind == "ptp":
            why = f"a PTP file's name gives its version, {label_b} before {label_a}"
        else:
            why = "a file name gives the quarter it was published for, and the version takes effect on its first day"
        comp.ctx.warning("RR524", f"this {kind} version, {label_b}, judges from {format_date(later.start)}, after "
                         f"{label_a} ({earlier.source}), a later version that judges from "
                         f"{format_date(earlier.start)}", later.statement.span,
                         help=f"a later version judges later dates: check the `effective` dates of the two statements "
                              f"({why})")


def _loaded_again(comp, named: list) -> None:
    """RR527 at each version of ``named`` (as for :func:`_out_of_order`) whose file names give the version an
    earlier statement's give: one version (copies of its files) loaded twice, for two spans of dates."""
    first: dict = {}  # order -> (loaded, label) of the first version of that order
    for loaded, (order, label) in named:
        if order not in first:
            first[order] = (loaded, label)
            continue
        earlier, label_a = first[order]
        kind = loaded.kind
        same = "the same version" if label_a == label else f"the same version, {label_a},"
        if kind == "ptp":
            why = "a PTP file's name gives its version"
        else:
            why = "a CMS file's name gives the quarter it was published for"
        comp.ctx.warning("RR527", f"this {kind} version, {label}, judges from {format_date(loaded.start)}, but "
                         f"{earlier.source} loads {same} from {format_date(earlier.start)}", loaded.statement.span,
                         help=f"{why}, and a version is loaded once, from the date it takes effect: is one of the "
                              "two a copy of the other, or a file of another quarter named wrong?")


#: The kinds whose every quarter's file has rows of its own: CMS adds and ends PTP pairs and changes MUE values each
#: quarter. (An add-on file of a quarter that added no edit holds the quarter before's rows, and the fee schedule's
#: PC/TC indicators seldom change: the same rows twice is no sign of a mistake there.)
CHANGED_EACH_QUARTER = ("ptp", "mue")


def _same_rows(comp, versions: list) -> None:
    """RR538 at each PTP or MUE version of ``versions`` (one list, oldest first) that holds the same rows, read from
    the same lines, as an earlier one under other names: one quarter's files copied and renamed for the next (the
    copy's name gives another version or date, so RR527 does not see it; one whose name gives the same is RR527's)."""
    if len(versions) < 2 or versions[0].kind not in CHANGED_EACH_QUARTER:
        return
    from ..tables.store import same_rows

    for i, loaded in enumerate(versions):
        named = file_named_version(loaded)
        earlier = next((other for other in versions[:i] if same_rows(other.table, loaded.table)), None)
        if earlier is None or (named is not None and file_named_version(earlier) == named):
            continue
        kind = loaded.kind
        comp.ctx.warning(
            "RR538", f"this {kind} version, from {format_date(loaded.start)}, holds the same rows as the one "
                     f"{earlier.source} loads from {format_date(earlier.start)}", loaded.statement.span,
            help=f"CMS publishes the {kind} edits every quarter, each quarter's file with its own changes, so a "
                 f"version with the same rows as another is most likely a copy of that one's files under new names: "
                 f"load the files CMS published for {format_date(loaded.start)}; if these are truly its rows, allow "
                 f"the warning here with the reason (`# allow RR538: ...`)")


def _rows_after_next(comp, versions: list) -> None:
    """RR525 at each PTP version (oldest first by start) with rows effective on or after the date the next
    version starts: they never judge a claim. The first such row is found among the rows the loader recorded
    (:attr:`radrules.tables.store.PtpTable.rises`)."""
    for loaded, following in zip(versions, versions[1:]):
        table = loaded.table
        if table.latest_start < following.start:
            continue
        _, part, row = table.first_row_from(following.start)
        comp.ctx.warning(
            "RR525", f"this ptp version's rows effective from {format_date(following.start)} on never judge a claim "
            f"(the first: `{loaded.files[part]}:{row}`): the next version ({following.source}) judges from that "
            "date", loaded.statement.span, help="a version judges from its start until the next one starts, and a "
            f"quarterly PTP file adds its new edits on the first day of its quarter: its newest rows take effect on "
            f"{format_date(table.latest_start)}; check the `effective` dates of the two statements")
