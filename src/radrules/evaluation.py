"""Per-call state of an evaluation: a claim's lines prepared for rules (:class:`LineView`), paid earlier lines
(:class:`HistoryView`) and :class:`Evaluation`, which the stages of :mod:`radrules.evaluator` read.

A line with a date span is on every day of its span. Most claims have none:
:class:`Evaluation` tells once per claim (``spans``), and only a claim with a
span takes the stages' span paths, which judge the days of
:meth:`Evaluation.span_days`.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
from decimal import Context, localcontext
from operator import attrgetter

from .claim import Claim, frequency_of
from .codes import WELL_FORMED_DIAGNOSES, normalize_diagnosis
from .history import lines_of
from .money import decimal
from .model import PART_A_BILLS, View

_EMPTY = ()
_NO_MODIFIERS = frozenset()
_LINE_NUMBERS = tuple(tuple(range(1, count + 1)) for count in range(100))
_CODE = attrgetter("code")  # set(map(_CODE, lines)) is quicker than a set comprehension
_NUMBER = attrgetter("number")


#: A claim's diagnoses -> the same normalised (:func:`normalized`; claims repeat a few diagnosis lists).
_NORMALIZED: dict = {}
#: How many lists :data:`_NORMALIZED` holds at most (a full one starts again), each of at most
#: :data:`NORMALIZED_LENGTH` well-formed diagnoses: a claim's list of any size, or with a member id among its
#: diagnoses, holds no memory after it (an ``lru_cache`` kept 4,096 lists as they came, 600 MB of 50 KB diagnoses).
NORMALIZED_LISTS = 4096
NORMALIZED_LENGTH = 25


def normalized(diagnoses: tuple) -> tuple:
    """A claim's diagnoses normalised, remembered (:data:`_NORMALIZED`)."""
    found = _NORMALIZED.get(diagnoses)
    if found is None:
        found = tuple([normalize_diagnosis(d) for d in diagnoses])
        if len(diagnoses) <= NORMALIZED_LENGTH and (WELL_FORMED_DIAGNOSES[0].issuperset(diagnoses)
                                                    or WELL_FORMED_DIAGNOSES[1].issuperset(diagnoses)):
            if len(_NORMALIZED) >= NORMALIZED_LISTS:
                _NORMALIZED.clear()
            _NORMALIZED[diagnoses] = found
    return found


class LineView:
    """One claim line prepared for evaluation (1-based ``number``).

    The attributes rules read on every line are copied; the rest are read
    from the claim line when asked. A line view holds no reference to its
    :class:`Evaluation`, so an evaluation is freed as soon as it ends, not by
    the cycle collector.
    """

    __slots__ = ("number", "line", "code", "modifiers", "modset", "units", "date", "day", "end_day",
                 "provider", "practitioner", "pos", "_dx", "_diagnoses", "_institutional")

    def __init__(self, number: int, line, place: str | None, diagnoses: tuple, institutional: bool = False):
        """``place``: the claim's place of service; ``diagnoses``: the claim's diagnoses; ``institutional``: a
        line without pointers has them all (UB-04 lines carry no pointers), and its provider is the claim's
        billing provider, which :class:`Evaluation` sets (None: unknown)."""
        self.number = number
        self.line = line
        self.code = line.code
        modifiers = self.modifiers = line.modifiers
        self.modset = frozenset(modifiers) if modifiers else _NO_MODIFIERS
        self.units = line.units
        date = self.date = line.date
        self.day = date.toordinal()
        end = line.end_date
        self.end_day = end.toordinal() if end is not None else None
        # The provider the CMS-style edits compare lines by (same_provider): the rendering provider, but the
        # billing one on an institutional claim, which the hospital bills as one provider (domain.md §1.6), and on
        # a professional claim whose payer takes a group as one provider: the Evaluation sets it then. The
        # practitioner (same_practitioner) is the rendering provider whatever the payer's setting: an add-on goes
        # with a primary of the same practitioner (domain.md §3); the hospital on an institutional claim.
        self.provider = self.practitioner = None if institutional else line.rendering_npi
        self.pos = line.place_of_service or place  # the line's, else the claim's
        self._diagnoses = diagnoses
        self._institutional = institutional

    @property
    def dxset(self) -> frozenset:
        """The (normalised) diagnoses this line points to (made when first asked)."""
        try:
            return self._dx
        except AttributeError:
            diagnoses = _NORMALIZED.get(self._diagnoses)  # (most claims: a lookup, no call)
            if diagnoses is None:
                diagnoses = normalized(self._diagnoses)
            count = len(diagnoses)
            pointers = self.line.diagnosis_pointers
            if not pointers and self._institutional:
                self._dx = frozenset(diagnoses)
            else:
                self._dx = frozenset([diagnoses[p - 1] for p in pointers if p <= count])
            return self._dx

    @property
    def claim_type(self) -> str:
        """The type of this line's claim, as a paid line (:class:`HistoryView`) gives its own."""
        return "institutional" if self._institutional else "professional"

    @property
    def rendering_npi(self):
        return self.line.rendering_npi

    @property
    def first_modifier(self):
        return self.modifiers[0] if self.modifiers else None

    @property
    def charge(self):
        return self.line.charge

    @property
    def revenue_code(self):
        return self.line.revenue_code

    def billed_units(self) -> int | float:
        """Units per day: a date span divides the units, rounded to nearest (§2.1)."""
        if self.end_day is None or self.end_day <= self.day:
            return self.units
        return units_a_day(self.units, self.end_day - self.day + 1)


def units_a_day(units, days: int) -> int:
    """A span's units a day: divided by its days, rounded to the nearest whole number, a half up (§2.1)."""
    return int(units / days + 0.5)


def units_total(lines) -> int | float:
    """The units a day of ``lines`` added up. Fractions are added as the decimals they were written as (the
    shortest text of each float), not as binary fractions, which make 0.3 + 249.4 + 0.3 mL 250.00000000000003,
    over a limit of 250; 125 + 125.0000000004 stays over it, as one line of 250.0000000004 is."""
    return units_added([line.billed_units() for line in lines])


def units_added(values: list) -> int | float:
    """Units (numbers) added up as :func:`units_total` adds them (`claim units of`)."""
    total = sum(values)
    if total.__class__ is not float:
        return total
    return _decimal_sum(values)


def _decimal_sum(values: list) -> float:
    """Numbers added as the decimals they were written as (:func:`units_total`)."""
    with localcontext(_UNITS_CONTEXT):  # not the caller's context (a precision of 3 would round 250.5 to 250)
        return float(sum(map(decimal, values)))


#: Enough digits for any sum of units as written (a float has at most 17 significant digits).
_UNITS_CONTEXT = Context(prec=60)


class HistoryView:
    """A paid line of an earlier claim, seen like a claim line (it has no line number)."""

    __slots__ = ("number", "code", "modifiers", "modset", "units", "date", "day", "end_day", "rendering_npi",
                 "provider", "practitioner", "claim_type", "part_a", "span_end", "as_billed")

    def __init__(self, line, by_billing: bool = False, institutional: bool = False):
        """``by_billing``: the claim evaluated compares its lines with the paid lines of its provider history by
        billing provider, whatever their rendering provider (:attr:`Evaluation.by_billing`; see
        :meth:`Evaluation.provider_history`); ``institutional``: it is a hospital's claim, whose practitioner
        is the hospital too."""
        self.number = None
        self.claim_type = line.claim_type  # of the earlier claim; None: not given
        self.code = line.code
        self.modifiers = line.modifiers
        self.modset = frozenset(line.modifiers)
        self.units = line.units
        self.date = line.date
        self.day = line.date.toordinal()
        self.end_day = None
        self.rendering_npi = line.rendering_npi
        self.provider = line.billing_npi if by_billing else line.rendering_npi
        self.practitioner = line.billing_npi if institutional else line.rendering_npi
        # Paid on a Part A bill: the PTP and MUE tables do not judge it, nor count it against a line they judge.
        bill = line.bill_type
        self.part_a = bill is not None and bill[:2] in PART_A_BILLS
        # The last day of the paid line's span (an ordinal), None for one day: paid_days puts the line on the days
        # of its span that matter, each with its units a day; this view, with all its units on its first day, is
        # what frequency limits count (`end_day` stays None: a view is on one day).
        end = line.end_date
        self.span_end = end.toordinal() if end is not None and end > line.date else None
        # (first day, units) of the paid line as billed, which a view of a day of its span keeps: `with the same
        # units` compares the line as billed, not its units a day on one day of its span (an exact duplicate of a
        # paid span is a line of its first day and all its units, as a paid line was read before spans).
        self.as_billed = (self.day, line.units)

    def billed_units(self):
        return self.units

    def on_day(self, day: int, units) -> HistoryView:
        """This paid line of a span as seen on ``day``, with ``units`` (its units a day)."""
        seen = copy.copy(self)
        seen.day, seen.date, seen.units, seen.span_end = day, dt.date.fromordinal(day), units, None
        return seen


def paid_days(paid: tuple, days) -> tuple:
    """The paid lines ``paid`` (:func:`paid_history`) by day, as the edits of a date read them (PTP, MAI 2/3 sums,
    add-on primaries, `on the same date`): a line with a span is on its first day and on each of ``days`` (the
    days the claim's lines are judged on: :meth:`Evaluation.set_history`) within its span, with its units a day,
    divided and rounded as a claim line's (§2.1). Those are the days it can meet a line of the claim on: two
    lines that meet share the later one's first day, and a date's sum of units is largest on a day a line starts
    or a limit changes (as for the claim's spans). So a long paid span costs no more than a short one."""
    days = sorted(days)
    out = []
    for service in paid:
        end = service.span_end
        if end is None:
            out.append(service)
            continue
        first = service.day
        units = units_a_day(service.units, end - first + 1)
        out.append(service.on_day(first, units))
        out.extend(service.on_day(day, units)
                   for day in days[bisect.bisect_right(days, first):bisect.bisect_right(days, end)])
    out.sort(key=lambda service: service.day)
    return tuple(out)


def authorization_statuses(claim: Claim, lines) -> tuple | None:
    """The authorization status of each line (domain.md §7.1), None without records.

    A line (all the days of a span) must fall within a record's dates. Units
    are counted per record and code: the lines are taken by date (claim order
    within a date), each using units of the record in force that ends first
    (then: fewest units left, earliest start, and so on by content, never by
    the records' order) and has units of its code left; the lines past an
    authorized count are `over_units`. Every line of the code counts, also
    one the payer's rules exempt (they can't tell the records which).
    """
    records = claim.authorizations
    if records is None:
        return None
    if not claim.prior_auth:
        return ("no_number",) * len(lines)
    numbers = set(claim.prior_auth)
    by_code: dict = {}  # code -> the claim's numbers' records that authorize it
    for record in records:
        if record.number in numbers:
            for code in record.codes:
                by_code.setdefault(code, []).append(record)
    if not by_code:  # (every record has a code)
        return ("unknown_number",) * len(lines)
    out = [""] * len(lines)
    left: dict = {}  # (id of the record, code) -> units left

    def units_left(record, code):
        return left.get((id(record), code), record.units)

    def preference(record, code):
        units = units_left(record, code)
        return (record.end, units is None, units or 0, record.start, record.number, sorted(record.codes))

    for position, line in sorted(enumerate(lines), key=lambda item: item[1].day):
        covering = by_code.get(line.code)
        if not covering:
            out[position] = "other_code"
            continue
        end = line.line.end_date or line.date
        first, last = min(line.date, end), max(line.date, end)  # a reversed span (format.end_date) as a span
        in_force = [record for record in covering if record.start <= first and last <= record.end]
        if not in_force:
            out[position] = "out_of_dates"
            continue
        code = line.code
        out[position] = "over_units"
        for record in sorted(in_force, key=lambda record: preference(record, code)):
            units = units_left(record, code)
            if units is None or units >= line.units:
                if units is not None:
                    with localcontext(_UNITS_CONTEXT):  # (as units_total)
                        left[(id(record), code)] = float(decimal(units) - decimal(line.units))
                out[position] = "valid"
                break
    return tuple(out)


def last_day(line) -> int:
    """The last day of a line: its span's last, else its date (also for a span that ends before it starts)."""
    return line.end_day if line.end_day is not None and line.end_day > line.day else line.day


def meeting_days(ev, line) -> list:
    """(other line, the first day it shares with ``line``) for each line of ``ev`` that shares a day with ``line``
    (``line`` too), in claim order: two lines meet iff the later one starts within the earlier."""
    first, last = line.day, last_day(line)
    return [(other, max(first, other.day)) for other in ev.lines if other.day <= last and first <= last_day(other)]


def meeting_lines(ev, line) -> list:
    """The lines of ``ev`` that share a day with ``line`` (``line`` too), as the add-on edits see them: those of its
    date, or with a date span those of :func:`meeting_days`."""
    return [other for other, _ in meeting_days(ev, line)] if ev.spans else ev.lines_on(line.day)


def paid_history(claim: Claim, history, by_billing: bool) -> tuple:
    """The paid lines of the patient's earlier claims up to the claim's last date (a span's last day), by date:
    those of the claim's payer or of none named, when the claim names one (member ids are the payer's).

    A replacement (frequency 7), or a reopening (Q, CR 8581), is judged without the lines of the claim it
    replaces (:func:`replaced_claim`); a void (8) without any: it asks for no payment, so no earlier claim makes
    its lines duplicates or too many. ``by_billing``: a paid line's provider is its billing provider
    (:attr:`Evaluation.by_billing`), else its rendering provider.
    """
    last = last_service_date(claim)
    institutional = claim.type == "institutional"
    payer = claim.payer.lower() if claim.payer else None  # as Evaluation.payer: a checked claim's, spaces made one
    found = lines_of(history, claim.patient.id, None, last, payer)
    frequency = frequency_of(claim)
    if frequency == "8":
        return ()  # (the history read all the same: a bad line is an error whatever the claim)
    if frequency == "7" or frequency == "Q":  # a replacement, or a reopening (corrects a claim adjudicated)
        replaced = replaced_claim(claim)
        paid = [HistoryView(line, by_billing, institutional) for line in found
                if line.status == "paid" and (replaced is None or line.claim != replaced)]
    else:
        paid = [HistoryView(line, by_billing, institutional) for line in found if line.status == "paid"]
    paid.sort(key=lambda line: line.day)
    return tuple(paid)


def last_service_date(claim: Claim) -> dt.date:
    """The claim's last date of service: of any line (one of a revenue code alone too), its span's last day."""
    return max(line.end_date if line.end_date is not None and line.end_date > line.date else line.date
               for line in claim.lines)


def replaced_claim(claim: Claim) -> str | None:
    """The id that the history lines of the claim a replacement replaces carry as their ``claim``: the claim's
    ``replaces`` (the payer's claim control number of the original, 837 REF*F8), else its own id (a hospital
    sends its replacement with the patient control number of the original, CLM01); None: neither is given."""
    return claim.replaces if claim.replaces is not None else claim.id


class Evaluation:
    """Per-call state: the claim prepared for rules. Never shared between calls."""

    __slots__ = ("claim", "view", "claim_id", "claim_type", "payer", "place_of_service", "prior_auth", "received",
                 "line_count", "birth_date", "birth", "sex", "_diagnoses", "lines", "codes", "all_lines",
                 "by_day", "lookup", "history", "paid_lines", "_prior", "_authorization", "_provider_history", "spans",
                 "_span_days", "uncoded", "by_billing", "hidden", "_covering", "_units")

    def __init__(self, claim: Claim, view: View):
        self.claim = claim
        self.view = view
        self.hidden = None  # the claim's malformed values not to be shown ({value: kind}), once the format checks ran
        self.claim_id = claim.id
        self.claim_type = claim.type
        self.payer = claim.payer.lower() if claim.payer else None
        self.place_of_service = claim.place_of_service
        self.prior_auth = claim.prior_auth or None
        received = claim.received
        self.received = received.toordinal() if received is not None else None
        self.line_count = len(claim.lines)
        patient = claim.patient
        birth = patient.birth_date
        self.birth_date = birth
        self.birth = birth.toordinal() if birth is not None else None
        self.sex = patient.sex
        self._diagnoses = None
        lines = []
        by_day: dict[int, list] = {}
        place, diagnoses = claim.place_of_service, claim.diagnoses
        institutional = claim.type == "institutional"
        spans = False
        for number, line in enumerate(claim.lines, 1):
            view_ = LineView(number, line, place, diagnoses, institutional)
            lines.append(view_)
            group = by_day.get(view_.day)
            if group is None:
                by_day[view_.day] = [view_]
            else:
                group.append(view_)
            if view_.end_day is not None and view_.end_day > view_.day:
                spans = True
        # Whether the edits that compare one provider's lines take the billing provider as every line's (and
        # compare paid lines by theirs, paid_history): on an institutional claim (the hospital bills them all;
        # without its NPI, every line's is unknown), and on a professional claim that names its billing provider
        # for a payer whose edits take a group's radiologists as one provider (setting `same_provider = billing`).
        self.by_billing = by_billing = institutional or (
            claim.billing_npi is not None and view.same_provider == "billing")
        if by_billing and claim.billing_npi is not None:
            for view_ in lines:
                view_.provider = claim.billing_npi
                if institutional:
                    view_.practitioner = claim.billing_npi
        # Whether a line spans days: then the stages that pair or sum lines by date judge the days of
        # span_days(), where a line is on every day of its span; else the lines of by_day (most claims).
        self.spans = spans
        self.lines = lines
        self.codes = codes = set(map(_CODE, lines))  # the claim's procedure codes
        count = len(lines)  # the line numbers, for findings on the whole claim:
        self.all_lines = _LINE_NUMBERS[count] if count < len(_LINE_NUMBERS) else tuple(range(1, count + 1))
        self.by_day = by_day
        # The lines of an institutional claim that give a revenue code alone (code None): no rule or table that
        # needs a code judges them, so they are set apart, keeping their numbers; most claims have none.
        self.uncoded = _EMPTY
        if None in codes:
            self._set_apart_uncoded()
        self.history = _EMPTY  # paid lines of earlier claims (HistoryView), by date, a span on its days (paid_days)
        self.paid_lines = _EMPTY  # the same, a view a line: what frequency limits count
        self._prior = None

    def set_history(self, paid: tuple) -> None:
        """The paid lines of earlier claims (:func:`paid_history`): :attr:`paid_lines` as they are, and
        :attr:`history` with each span on the days it can meet the claim's lines on (:func:`paid_days`), the
        days :meth:`span_days` judges: the lines' first days, and within a line's span the days another paid line
        is on and the days what judges the two changes (a table version, a rule-file row's dates, the dates of a
        PTP row of the paid code and a code of the claim). So a paid span has at most a view a line of the claim
        and a view a day of the claim's spans, however long it is and however many paid lines there are."""
        self.paid_lines = paid
        spans = [service for service in paid if service.span_end is not None]
        if not spans:
            self.history = paid
            return
        days = set(self.by_day)
        ranges = [(line.day, last_day(line)) for line in self.lines if last_day(line) > line.day]
        if ranges:  # (a claim without a span is judged on its lines' days alone)
            lookup = self.view.lookup
            codes = self.codes.union(service.code for service in spans)
            row_days = lookup.ptp_row_days(codes, min(first for first, _ in ranges), max(last for _, last in ranges))
            changes = sorted(set(lookup.change_days()).union(row_days, [service.day for service in paid]))
            for first, last in ranges:  # (within a claim line's span only: no other day is judged)
                days.update(changes[bisect.bisect_right(changes, first):bisect.bisect_right(changes, last)])
        self.history = paid_days(paid, days)

    def _set_apart_uncoded(self) -> None:
        """Take the lines without a procedure code out of :attr:`lines`, :attr:`by_day` and :attr:`codes` into
        :attr:`uncoded` (the format checks of their dates and NPIs read them there)."""
        self.uncoded = tuple([line for line in self.lines if line.code is None])
        self.lines = [line for line in self.lines if line.code is not None]
        self.codes.discard(None)
        by_day: dict[int, list] = {}
        for line in self.lines:
            by_day.setdefault(line.day, []).append(line)
        self.by_day = by_day
        self.spans = any(line.end_day is not None and line.end_day > line.day for line in self.lines)

    def every_line(self) -> list:
        """The views of every line in claim order, those of a revenue code alone (:attr:`uncoded`) too."""
        return self.lines if not self.uncoded else sorted([*self.lines, *self.uncoded], key=_NUMBER)

    def line_of(self, number: int) -> LineView:
        """The view of the claim's line ``number`` (1-based), of :attr:`lines` or :attr:`uncoded`."""
        return self.every_line()[number - 1]

    def provider_history(self) -> tuple:
        """The paid earlier lines that can be this claim's provider's: those of claims of its type, or of no type
        given. The hospital's institutional claim and the radiologist's professional one bill one service, a
        component each, as two providers; the patient's history as a whole (frequency limits) is
        :attr:`history`."""
        try:
            return self._provider_history
        except AttributeError:  # made when first asked (a rule may ask on every line), after `history` is set
            claim_type = self.claim_type
            found = self._provider_history = tuple([service for service in self.history
                                                    if service.claim_type in (None, claim_type)])
            return found

    def authorization_of(self, line) -> str | None:
        """What the claim's authorization records say of ``line`` (one of ``AUTHORIZATION_STATUSES``), or None
        (unknown) when the claim carries no records or ``line`` is no line of this claim."""
        if self.claim.authorizations is None or line.number is None:  # most claims: no records, nothing to make
            return None
        try:
            statuses = self._authorization
        except AttributeError:  # made when a rule first asks: by line number
            statuses = self._authorization = dict(zip(
                [line.number for line in self.lines], authorization_statuses(self.claim, self.lines)))
        return statuses[line.number]

    def prior_services(self) -> tuple:
        """Paid earlier services and this claim's lines, for frequency limits (callers keep those before a date)."""
        if self._prior is None:
            self._prior = tuple(self.paid_lines) + tuple(self.lines)
        return self._prior

    def normalized_diagnoses(self) -> tuple:
        return normalized(self.claim.diagnoses)

    @property
    def diagnoses(self) -> frozenset:
        if self._diagnoses is None:
            self._diagnoses = frozenset(self.normalized_diagnoses())
        return self._diagnoses

    @property
    def bill_type(self) -> str | None:
        """The claim's type of bill (read by few rules: looked up when asked)."""
        return self.claim.bill_type

    @property
    def frequency(self) -> str | None:
        """The claim frequency code, else the last character of the type of bill (read by few rules)."""
        return frequency_of(self.claim)

    @property
    def statement_from(self) -> int | None:
        """The first day of an institutional claim's statement period (read by few rules: looked up when asked)."""
        day = self.claim.statement_from
        return day.toordinal() if day is not None else None

    @property
    def statement_through(self) -> int | None:
        """The last day of an institutional claim's statement period, its "Through" date."""
        day = self.claim.statement_through
        return day.toordinal() if day is not None else None

    @property
    def replaces(self) -> str | None:
        """The number of the claim a replacement or void replaces (rules test only whether it is given)."""
        return self.claim.replaces

    @property
    def last_date(self) -> int:
        """The claim's last date of service (:func:`last_service_date`; read by few rules: worked out when asked)."""
        return last_service_date(self.claim).toordinal()

    @property
    def condition_codes(self) -> frozenset:
        """The claim's condition codes (read by few rules: made when asked)."""
        return frozenset(self.claim.condition_codes)

    @property
    def revenue_codes(self) -> frozenset:
        """The revenue codes of the claim's lines, those of a revenue code alone too (read by few rules: made when
        asked)."""
        return frozenset(line.revenue_code for line in self.claim.lines if line.revenue_code is not None)

    @property
    def first_date(self) -> dt.date:
        """The claim's first date of service (of any line, also one without a procedure code)."""
        return min(line.date for line in self.claim.lines)

    def lines_on(self, day: int):
        return self.by_day.get(day, _EMPTY)

    def lines_covering(self, day: int):
        """The lines on ``day``: those dated that day, and on a claim with a date span (:attr:`spans`) those whose
        span covers it, in claim order. A line's first day is a day of :meth:`span_days`, whose groups are kept by
        day when first asked here; another day is looked for among the lines."""
        if not self.spans:
            return self.by_day.get(day, _EMPTY)
        try:
            covering = self._covering
        except AttributeError:
            covering = self._covering = {found[0]: found[1] for found in self.span_days()}
        group = covering.get(day)
        if group is None:
            group = [line for line in self.lines if line.day <= day <= last_day(line)]
        return group

    def span_days(self) -> list:
        """For a claim with a date span (:attr:`spans`): (day, the lines on it, those of them that start that day,
        the code pairs to judge again), by day, for the days to judge.

        A line is on every day of its span. Two spans meet iff the later one starts inside the
        earlier, and what lines meet on a day they also meet on the last start day before it, so
        the days are the lines' first days (and the paid earlier lines' days), and the days inside
        a span on which a table version, the dates of a PTP row of two of the claim's codes, or a
        rule-file row's dates begin or end (then the day judges as every day until the next does).
        A long span adds no days of its own. Two lines that meet are paired on the first day they
        share, and again only when what decides them changes: the pairs to judge are those with a
        line that starts that day, and those of the code pairs (column 1, column 2) whose PTP rows
        begin or end that day; every pair (None) on a day a PTP table version starts.
        """
        try:
            return self._span_days
        except AttributeError:  # made when first asked, after `history` is set
            pass
        lines = self.lines
        ranges = [(line.day, last_day(line)) for line in lines]
        days = {line.day for line in lines}
        days.update(service.day for service in self.history)
        lookup = self.view.lookup
        spanned = [(first, last) for first, last in ranges if last > first]
        row_days = lookup.ptp_row_days(self.codes, min(first for first, _ in spanned),
                                       max(last for _, last in spanned))
        starts = set(lookup.ptp_starts())
        changes = sorted(set(lookup.change_days()).union(row_days))
        changed = set()
        for first, last in spanned:
            changed.update(changes[bisect.bisect_right(changes, first):bisect.bisect_right(changes, last)])
        found = []
        unchanged = frozenset()
        for day in sorted(days | changed):
            group = [line for line, (first, last) in zip(lines, ranges) if first <= day <= last]
            if group:
                fresh = [line for line in group if line.day == day]
                if day not in changed:
                    found.append((day, group, fresh, unchanged))
                else:
                    found.append((day, group, fresh, None if day in starts else row_days.get(day, unchanged)))
        self._span_days = found
        return found

    def age_on(self, date: dt.date) -> int | None:
        birth = self.birth_date
        if birth is None:
            return None
        return date.year - birth.year - ((date.month, date.day) < (birth.month, birth.day))

    def ptp_edit_between(self, a: LineView | None, b: LineView | None) -> bool:
        if a is None or b is None:
            return False
        day = a.day  # (a line with a date span: its first day, as for every pair rule)
        for first, second in ((a, b), (b, a)):
            for row in self.lookup.pair_rows(first.code, second.code, day):
                if row.indicator != 9 and row.active_on(day):
                    return True
        return False
