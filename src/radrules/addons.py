"""The add-on code stage of :func:`radrules.evaluator.evaluate` (domain.md §3): an add-on line is paid only
with a primary of the same practitioner on its date that is paid: a line of the claim, or with a history a paid
line of an earlier claim. It runs last, as it needs to know which primaries the other stages denied; ``explain``
judges the add-ons the same way (:func:`judge_edits`) and quotes its messages."""

from __future__ import annotations

from .conditions import same_practitioner
from .evaluation import Evaluation, LineView, last_day, meeting_days, meeting_lines
from .model import format_date, from_table, lines_text, primaries_text
from .result import Finding


class AddonEdit:
    """One add-on line judged by one add-on edit (``rows``: its rows in force, of one block), and the verdict;
    ``every``: the add-on code's rows of the line's date, those not in force too (a denial's message reads the
    edits that have ended)."""

    __slots__ = ("line", "rows", "every", "primaries", "paid", "earlier", "refused", "unsupported", "failed")

    def __init__(self, line: LineView, rows: list, every):
        self.line = line
        self.rows = rows
        self.every = every
        self.primaries = ()  # the numbers of the claim's lines it accepts as primaries (its practitioner's, its date)
        self.paid = ()  # those of them paid (not denied)
        self.earlier = None  # the paid lines of earlier claims it accepts as primaries (looked for when needed)
        self.refused = ()  # when it failed: its primaries denied
        self.unsupported = ()  # when it failed: its primaries not denied, but add-on lines without a paid primary
        self.failed = False

    @property
    def related(self) -> tuple:
        """The primaries a failed edit names (a finding's ``related_lines``)."""
        return tuple(sorted((*self.refused, *self.unsupported)))


def judge_addons(ev: Evaluation, lookup, findings: list) -> None:
    """An add-on line is paid only if a line on its date is an acceptable, paid primary under each of the
    add-on's edits in force that day, one that is no add-on line or is an add-on line paid the same way, or with
    a history if a paid line of an earlier claim is (domain.md §3)."""
    addon_codes = lookup.addon_codes
    if addon_codes.isdisjoint(ev.codes):
        return
    edits = addon_edits_of(ev, lookup)
    if not edits:
        return
    denied = {n for f in findings if f.severity == "deny" for n in f.lines}
    for edit in judge_edits(ev, lookup, edits, denied):
        line, rows = edit.line, edit.rows
        row = rows[0]
        info = row.block.info
        findings.append(Finding(
            rule=info.id,
            kind=info.kind,
            severity=info.severity,
            lines=(line.number,),
            related_lines=edit.related,
            codes=(line.code,),
            carc=info.carc,
            rarc=info.rarc,
            message=addon_message(ev, edit),
            reference=info.reference,
            source=row.source,
        ))


def addon_edits_of(ev: Evaluation, lookup) -> list:
    """An :class:`AddonEdit` for each add-on line of the claim and each of its edits in force on its date."""
    addon_codes = lookup.addon_codes
    edits = []
    for line in ev.lines:
        if line.code in addon_codes:
            day = line.day
            every = lookup.addon_rows(line.code, day)
            rows = [row for row in every if row.active_on(day)]
            if rows:
                if rows[0].block is rows[-1].block:  # one block (rows of a block come together): one edit
                    edits.append(AddonEdit(line, rows, every))
                else:
                    edits.extend(AddonEdit(line, edit, every) for edit in addon_edits(rows))
    return edits


def addon_edits(rows: list) -> list[list]:
    """An add-on code's rows in force, by block: each block's rows are one edit, which a primary that one of
    them accepts satisfies (a table version is one block; two blocks of one level are two edits)."""
    edits: dict = {}
    for row in rows:
        edits.setdefault(id(row.block), []).append(row)
    return list(edits.values())


def judge_edits(ev: Evaluation, lookup, edits: list, denied: set) -> list:
    """Judge ``edits`` (:func:`addon_edits_of`) given the lines other findings deny (``denied``, to which the lines
    of the add-on edits failed with ``deny`` are added); the edits that failed, in the order they failed.

    An add-on line is paid only if it traces back, through paid lines, to a paid primary that is no add-on line
    (or with a history, a paid line of an earlier claim): first, as the denials go, an edit whose primaries are all
    denied fails (an add-on denied is no primary for another either: 11046 for 11047), until no more are; then
    the add-ons that count only on other add-ons are paid from the supported ones up (the least fixed point):
    those left are a loop of add-ons each counting on another (37185 and 37186 listing each other), and fail."""
    history = ev.history
    chained = False  # whether a primary of some edit is a line of an add-on code (else no second pass)
    for edit in edits:
        edit.primaries, of_addons = _primaries(ev, lookup, edit.line, edit.rows)
        chained = chained or of_addons
    failed = []
    open_ = edits
    while open_:
        count = len(denied)
        still = []
        for edit in open_:
            paid = [n for n in edit.primaries if n not in denied]
            if paid or (history and _earlier(ev, lookup, edit)):
                edit.paid = paid
                still.append(edit)
            else:
                edit.refused = [n for n in edit.primaries if n in denied]
                _fail(edit, denied, failed)
        open_ = still
        if len(denied) == count:
            break
    if not open_ or not chained:  # (most claims: each add-on's primaries are lines of no add-on code)
        return failed
    addon_lines = {edit.line.number for edit in edits}
    waiting = [edit for edit in open_ if addon_lines.issuperset(edit.paid)
               and not (history and _earlier(ev, lookup, edit))]
    if not waiting:  # (most claims: each add-on's primary is a line of no add-on code)
        return failed
    # An add-on line is grounded, a primary for another add-on, when it is not denied and one of its edits has a
    # primary that is no add-on line (or one paid on an earlier claim) or is grounded itself: the least fixed
    # point, from the edits supported outright up. An edit of which no primary is grounded fails, whether it
    # denies or warns; a line its failure denies is grounded no more, so the point is found again.
    waiting_edits = set(map(id, waiting))
    while True:
        grounded = {edit.line.number for edit in open_ if id(edit) not in waiting_edits} - denied
        left = [edit for edit in waiting if not edit.failed]
        while True:
            unsupported = []
            for edit in left:
                if any(n in grounded for n in edit.paid):
                    if edit.line.number not in denied:
                        grounded.add(edit.line.number)
                else:
                    unsupported.append(edit)
            if len(unsupported) == len(left):
                break
            left = unsupported
        if not left:
            break
        for edit in left:  # every primary a denied line, or an add-on line that traces back to none
            edit.refused = [n for n in edit.primaries if n in denied]
            edit.unsupported = edit.paid
            edit.paid = ()
        for edit in left:
            _fail(edit, denied, failed)
    for edit in open_:  # (a supported edit's paid primaries: not the lines denied since)
        if not edit.failed:
            edit.paid = [n for n in edit.paid if n not in denied]
    return failed


def _denies(edit: AddonEdit) -> bool:
    return edit.rows[0].block.info.severity == "deny"


def _fail(edit: AddonEdit, denied: set, failed: list) -> None:
    edit.failed = True
    failed.append(edit)
    if _denies(edit):
        denied.add(edit.line.number)


def _primaries(ev: Evaluation, lookup, line: LineView, rows: list) -> tuple[list, bool]:
    """The numbers of the claim's lines that one of ``rows`` (an edit) accepts as a primary of ``line``: of its
    practitioner, on its date (the first day they share); and whether one of them bills an add-on code."""
    is_addon = lookup.is_addon
    if ev.spans:
        found = [other for other, day in meeting_days(ev, line)
                 if other is not line and same_practitioner(line, other)
                 and any(row.accepts(other.code, day, is_addon) for row in rows)]
    else:
        found = []
        for other in ev.by_day[line.day]:
            if other is line or not same_practitioner(line, other):
                continue
            if any(row.accepts(other.code, other.day, is_addon) for row in rows):
                found.append(other)
    if not found:
        return [], False
    addon_codes = lookup.addon_codes
    return [other.number for other in found], any(other.code in addon_codes for other in found)


def _earlier(ev: Evaluation, lookup, edit: AddonEdit) -> list:
    """The paid lines of earlier claims that the edit accepts as the add-on line's primary: of the claim's type
    (or of none given), its practitioner, on its date (a paid line is read on its own date); not those of a Part A
    bill for a table's edit, which does not judge them. Looked for once, when an edit needs them."""
    found = edit.earlier
    if found is None:
        line, rows = edit.line, edit.rows
        first, last = line.day, last_day(line)
        table = from_table(rows[0])
        found = edit.earlier = [
            service for service in ev.provider_history()
            if first <= service.day <= last and same_practitioner(line, service)
            and not (service.part_a and table)
            and any(row.accepts(service.code, service.day, lookup.is_addon) for row in rows)]
    return found


def earlier_text(services) -> str:
    """``primary 36247 paid on an earlier claim``: the paid lines of earlier claims an add-on line counts on."""
    codes = list(dict.fromkeys(service.code for service in services))
    label = "primary" if len(codes) == 1 else "primaries"
    return f"{label} {', '.join(codes)} paid on an earlier claim"


def addon_message(ev: Evaluation, edit: AddonEdit) -> str:
    """The message of an add-on line's denial by one edit: its primaries on ``refused`` are denied, those on
    ``unsupported`` are add-on lines without a paid primary of their own, or it has none (explain's trace quotes
    it)."""
    line, rows, refused, unsupported = edit.line, edit.rows, edit.refused, edit.unsupported
    if refused or unsupported:
        parts = [f"its {primaries_text(refused)} denied"] if refused else []
        if unsupported:
            parts.append(f"its primary on {lines_text(unsupported)} is itself an add-on code without a paid primary"
                         if len(unsupported) == 1 else
                         f"its primaries on {lines_text(unsupported)} are themselves add-on codes without a paid "
                         "primary")
        why = "; ".join(parts)
    elif any(r.primaries is None for r in rows):
        why = f"no primary service on {line.date.isoformat()}"
    else:
        primaries = set().union(*(r.primaries_on(line.day) for r in rows))
        listed = sorted(primaries)
        shown = ", ".join(listed[:5]) + (", ..." if len(listed) > 5 else "")
        if listed:
            others = _primaries_of_others(ev, line, primaries)
            whose = " of its rendering provider" if others else ""
            ended = ended_primaries(ev, edit)
            why = f"no primary ({shown}){whose} on {line.date.isoformat()}" + (_ended_text(ended) if ended else "")
            if others:
                why += f": {others} another practitioner's"
            elsewhere = _primaries_of_other_dates(ev, line, primaries)
            if elsewhere:
                why += f"{'; ' if others else ': '}{elsewhere}"
        else:
            why = f"no listed primary counts on {line.date.isoformat()} (their deletion dates have passed)"
    return f"{line.code} is an add-on code (type {rows[0].aoc_type}): {why}"


def _primaries_of_other_dates(ev: Evaluation, line: LineView, listed: set) -> str:
    """``line 1 (77067) is dated 2026-07-13``: the claim's lines of the add-on's practitioner that bill one of its
    primaries ``listed`` on no day of the add-on's (an add-on goes with a primary of its date, domain.md §3; a
    date keyed wrong on one of the two lines is the usual cause, and the message said only "no primary (77067) on
    2026-07-14" beside a 77067 of the claim); "" if none do."""
    if listed.isdisjoint(ev.codes) or (len(ev.by_day) == 1 and not ev.spans):  # (most claims: no such line)
        return ""
    meeting = set(map(id, meeting_lines(ev, line)))
    found = [other for other in ev.lines
             if id(other) not in meeting and other.code in listed and same_practitioner(line, other)]
    if not found:
        return ""

    def dated(other) -> str:
        end = other.line.end_date
        return other.date.isoformat() + (f" to {end.isoformat()}" if end is not None and end != other.date else "")

    if len(found) == 1:
        return f"line {found[0].number} ({found[0].code}) is dated {dated(found[0])}"
    return "lines " + ", ".join(f"{other.number} ({other.code}, {dated(other)})" for other in found) + \
        " are of other dates"


def _primaries_of_others(ev: Evaluation, line: LineView, listed: set) -> str:
    """``line 1 (77067) is``: the lines of the add-on's date that bill one of its primaries ``listed`` as another
    practitioner's (an add-on goes with a primary of its own practitioner, domain.md §3), and with a history the
    paid lines of earlier claims that do (``77067 paid on an earlier claim``); "" if none do."""
    found = [f"{other.number} ({other.code})" for other in meeting_lines(ev, line)
             if other is not line and other.code in listed and not same_practitioner(line, other)]
    label = "line" if len(found) == 1 else "lines"
    parts = [f"{label} " + ", ".join(found)] if found else []
    count = len(found)
    if ev.history:
        first, last = line.day, last_day(line)
        codes = list(dict.fromkeys(service.code for service in ev.provider_history()
                                   if service.code in listed and first <= service.day <= last
                                   and not same_practitioner(line, service)))
        if codes:
            parts.append(f"{', '.join(codes)} paid on an earlier claim")
            count += len(codes)
    if not parts:
        return ""
    return " and ".join(parts) + (" is" if count == 1 else " are")


def ended_primaries(ev: Evaluation, edit: AddonEdit) -> list:
    """(line, the last date its code counted, the source of the row that lists it) of each line of the add-on's
    date (and practitioner) whose code the edit listed as a primary until a date before it: the primary's own
    deletion date, or the end of an edit of the add-on code that listed it (CMS ends a row and adds one when it
    changes an add-on's primaries). Only for a denial's message and explain."""
    line, rows, every = edit.line, edit.rows, edit.every
    spans = ev.spans
    found = []
    others = []  # (line, the first day it shares with the add-on's) of the lines of its date and practitioner
    for other in meeting_lines(ev, line):
        if other is not line and same_practitioner(line, other):
            day = max(line.day, other.day) if spans else line.day
            others.append((other, day))
            for row in rows:
                end = row.primary_ended(other.code, day)
                if end is not None:
                    found.append((other, end, row))
    if len(every) > len(rows):  # the rows not in force on the add-on's date that have ended: the edit's block's,
        # and those of a block with no row of the code in force, an edit that ended (a rule file that ends a
        # block's row and adds its successor in another block), not another edit in force (its primaries are not
        # the denying edit's)
        block = rows[0].block
        in_force = {id(row.block) for row in every if row.active_on(line.day)}
        for row in every:
            if (row.end is not None and row.end < line.day and row.primaries is not None
                    and (row.block is block or id(row.block) not in in_force)):
                for other, day in others:
                    code = other.code
                    if code in row.primaries and code != row.code:
                        found.append((other, min(row.end, row.primary_ended(code, day) or row.end), row))
    if not found:
        return found
    if len(found) > 1:  # of a line listed by two rows, the row it counted under last
        last = {}
        for other, end, row in found:
            if other.number not in last or end > last[other.number][1]:
                last[other.number] = other, end, row
        found = list(last.values())
    return [(other, end, (row.primary_sources or {}).get(other.code, row.source)) for other, end, row in found]


def _ended_text(ended: list) -> str:
    """`` (36000 counted through 2025-12-31)``: the codes of :func:`ended_primaries` and their last dates."""
    last: dict = {}
    for other, end, _ in ended:
        last[other.code] = max(end, last.get(other.code, end))
    return " (" + ", ".join(f"{code} counted through {format_date(end)}" for code, end in sorted(last.items())) + ")"


__all__ = ["AddonEdit", "judge_addons", "addon_edits_of", "addon_edits", "judge_edits", "addon_message", "earlier_text",
           "ended_primaries"]
