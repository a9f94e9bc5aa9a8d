"""Compiled conditions: small immutable node objects the evaluator calls.

The compiler turns a ``when`` expression into a tree of these nodes. Every
test answers with three-valued logic: ``True``, ``False`` or ``None``
(unknown, because a value it needs is missing: no birth date, no PC/TC
indicator for the code, no receipt date). ``and``/``or``/``not`` follow
Kleene's rules and a rule fires only on ``True``, so missing data never
fails a line (domain.md §10.10), even under ``not``.

Operands (``get``) return runtime values: codes and names as ``str``,
dates as ``int`` ordinals, collections as ``frozenset``, ``None`` if missing.
This module does not import lark.

Two neighbours hold what the nodes are not: :mod:`radrules.dates` the date
arithmetic of ``line.date + 12 months`` and ``to a workday`` (``DateShift``
and a history ``Window`` call it), and :mod:`radrules.condition_reads` what a
tree of these nodes reads (only the line's code and modifiers, one line of a
pair, no code at all), which the compiler and the indexes ask once per rule.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import Any

import attrs

from .dates import shift_ordinal
from .evaluation import last_day, units_added

# ---------------------------------------------------------------- operands


@attrs.frozen
class Const:
    value: Any

    def get(self, ev, line, other):
        return self.value


@attrs.frozen
class LineAttr:
    """An attribute of the current line (role 0) or of the other line (role 1)."""

    attr: str
    role: int = 0
    fetch: Any = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self):
        object.__setattr__(self, "fetch", operator.attrgetter(self.attr))

    def get(self, ev, line, other):
        target = other if self.role else line
        if target is None:
            return None
        return self.fetch(target)

    def __getstate__(self):
        return {"attr": self.attr, "role": self.role}

    def __setstate__(self, state):
        object.__setattr__(self, "attr", state["attr"])
        object.__setattr__(self, "role", state["role"])
        self.__attrs_post_init__()


@attrs.frozen
class ClaimAttr:
    """An attribute of the evaluation state that describes the whole claim."""

    attr: str

    def get(self, ev, line, other):
        return getattr(ev, self.attr)


@attrs.frozen
class PatientAge:
    """Completed years on the line's date (the earliest date at claim level)."""

    role: int = 0

    def get(self, ev, line, other):
        target = other if self.role else line
        return ev.age_on(target.date if target is not None else ev.first_date)


@attrs.frozen
class LinePlace:
    """The line's place of service, else the claim's."""

    role: int = 0

    def get(self, ev, line, other):
        target = other if self.role else line
        if target is None:
            return ev.place_of_service
        return target.pos  # the line's place of service, else the claim's


@attrs.frozen
class LineAuthorization:
    """What the claim's authorization records say of the line (``AUTHORIZATION_STATUSES``); unknown without
    records, and for a line of an earlier claim."""

    role: int = 0

    def get(self, ev, line, other):
        target = other if self.role else line
        if target is None:
            return None
        return ev.authorization_of(target)


@attrs.frozen
class PropertyOf:
    """A code property (``property pctc = 1 for ...`` or a loaded table)."""

    name: str
    role: int = 0

    def get(self, ev, line, other):
        target = other if self.role else line
        if target is None:
            return None
        return ev.view.properties[self.name].get(target.code, target.day)


@attrs.frozen
class Among:
    """A line's modifiers narrowed to a set's members (``line.modifiers among sites``): a frozenset, empty when it
    holds none of them."""

    operand: Any
    values: frozenset

    def get(self, ev, line, other):
        value = self.operand.get(ev, line, other)
        return None if value is None else self.values.intersection(value)


@attrs.frozen
class DateShift:
    """A date operand moved by whole months and days (``line.date + 12 months``); with ``workday``, then on to the
    next federal workday if it falls on a weekend or a federal holiday (``... to a workday``)."""

    inner: Any
    months: int
    days: int
    workday: bool = False

    def get(self, ev, line, other):
        value = self.inner.get(ev, line, other)
        if value is None:
            return None
        return shift_ordinal(value, self.months, self.days, self.workday)




# ---------------------------------------------------------------- tests


@attrs.frozen
class PrefixMatch:
    """Codes starting with ``prefix``, less what ``except`` took out of them
    (``C34* except C34.9*``): listed codes, narrower prefixes, carved prefixes."""

    prefix: str
    except_values: frozenset = frozenset()
    except_prefixes: tuple = ()
    except_carved: tuple = ()

    @property
    def carves(self) -> bool:
        return bool(self.except_values or self.except_prefixes or self.except_carved)

    def matches(self, value: str) -> bool:
        if not value.startswith(self.prefix):
            return False
        if value in self.except_values or (self.except_prefixes and value.startswith(self.except_prefixes)):
            return False
        return not any(m.matches(value) for m in self.except_carved)


_OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@attrs.frozen
class Compare:
    left: Any
    op: str
    right: Any
    text: str = ""
    function: Any = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self):
        object.__setattr__(self, "function", _OPERATORS[self.op])

    def test(self, ev, line, other):
        a = self.left.get(ev, line, other)
        if a is None:
            return None
        b = self.right.get(ev, line, other)
        if b is None:
            return None
        return self.function(a, b)

    def __getstate__(self):
        return {"left": self.left, "op": self.op, "right": self.right, "text": self.text}

    def __setstate__(self, state):
        for key, value in state.items():
            object.__setattr__(self, key, value)
        self.__attrs_post_init__()


@attrs.frozen
class Present:
    """``is present`` (want True) / ``is missing`` (want False); empty lists count as missing."""

    operand: Any
    want: bool
    text: str = ""

    def test(self, ev, line, other):
        value = self.operand.get(ev, line, other)
        present = value is not None and value != () and value != frozenset() and value != ""
        return present is self.want


@attrs.frozen
class InSet:
    operand: Any
    values: frozenset
    prefixes: tuple = ()
    negated: bool = False
    text: str = ""
    carved: tuple = ()  # PrefixMatch

    def test(self, ev, line, other):
        value = self.operand.get(ev, line, other)
        if value is None:
            return None
        found = (value in self.values or (bool(self.prefixes) and value.startswith(self.prefixes))
                 or (bool(self.carved) and any(m.matches(value) for m in self.carved)))
        return found is not self.negated


@attrs.frozen
class Between:
    operand: Any
    low: Any
    high: Any
    text: str = ""

    def test(self, ev, line, other):
        value = self.operand.get(ev, line, other)
        low = self.low.get(ev, line, other)
        high = self.high.get(ev, line, other)
        if value is None or low is None or high is None:
            return None
        return low <= value <= high


@attrs.frozen
class Has:
    """A collection (modifiers, diagnoses) has any / all / none of a set."""

    operand: Any
    quantifier: str
    values: frozenset
    prefixes: tuple = ()
    text: str = ""
    carved: tuple = ()  # PrefixMatch
    # Diagnoses: a member holds the codes under it (`M80.0` holds `M80.08XA`), found by the item's leading
    # parts of these lengths (those of the members: derived from them, so not compared).
    lengths: tuple = attrs.field(default=(), eq=False)

    def test(self, ev, line, other):
        items = self.operand.get(ev, line, other)
        if items is None:
            return None
        values = self.values
        lengths = self.lengths
        if self.quantifier == "all":
            if not values <= items and not (lengths and all(_held(items, value) for value in values)):
                return False
            return (all(any(item.startswith(p) for item in items) for p in self.prefixes)
                    and all(any(m.matches(item) for item in items) for m in self.carved))
        found = not values.isdisjoint(items) or (
            bool(lengths) and any(item[:n] in values for item in items for n in lengths if n < len(item))
        ) or (bool(self.prefixes) and any(item.startswith(self.prefixes) for item in items)
              ) or (bool(self.carved) and any(m.matches(item) for m in self.carved for item in items))
        return found if self.quantifier == "any" else not found


def _held(items, value: str) -> bool:
    """Whether an item is ``value`` or a code under it."""
    return value in items or any(item.startswith(value) for item in items)


@attrs.frozen
class AlsoHas:
    """Another line of the claim bills one of ``values`` (on the same date: dated the line's date, or a span that
    covers it; with the same code property and on a lower line number than this line, if asked)."""

    values: frozenset
    same_date: bool
    same_property: str | None = None
    text: str = ""
    earlier: bool = False
    modifiers: frozenset | None = None  # `with modifier`: lines with one of them (`without`: with none) count
    without: bool = False
    component: str | None = None  # `billing the professional component`: lines that bill it count (bills_component)

    def test(self, ev, line, other):
        if self.same_date and line is not None:
            # another line is on every day of its span (a two-day study covers its second day's tracer); the line
            # judged is read on its first day, as line rules read it
            pool = ev.lines_covering(line.day)
        else:
            pool = ev.lines
        if self.earlier and line is not None:
            pool = [candidate for candidate in pool if candidate.number < line.number]
        if self.modifiers is not None:
            pool = _with_modifiers(pool, self.modifiers, self.without)
        if self.component is not None:
            pool = bills_component(pool, self.component)
        if self.same_property is not None:
            prop = ev.view.properties[self.same_property]
            mine = prop.get(line.code, line.day) if line is not None else None
            if mine is None:
                return None
            for candidate in pool:
                if (candidate is not line and candidate.code in self.values
                        and prop.get(candidate.code, candidate.day) == mine):
                    return True
            return False
        for candidate in pool:
            if candidate is not line and candidate.code in self.values:
                return True
        return False


@attrs.frozen
class ClaimUnits:
    """The units of this claim's lines that bill one of ``values``, the line judged among them (a number): of the
    lines with (``without``: without) one of ``modifiers``, if given; whose code has the judged line's value of
    ``same_property`` (unknown when the judged line's code has none); on the judged line's date (its first day),
    a line with a date span counting its units a day there (its units divided by its days, rounded as the unit
    limits round them), if ``same_date``; else every line with all its units. Every line counts, whatever its
    rendering provider (as ``claim also has``), unless ``same_provider`` (`with the same provider`): then the
    lines of the judged line's provider, compared as pair rules compare two lines (:func:`same_provider`). The
    paid lines of earlier claims do not count."""

    values: frozenset
    same_date: bool = False
    same_property: str | None = None
    modifiers: frozenset | None = None
    without: bool = False
    component: str | None = None  # as AlsoHas's
    same_provider: bool = False

    def get(self, ev, line, other):
        # The sum depends on the line only through its day (`on the same date`), its code's value of the
        # property and its provider: kept for the claim by those, so that a claim of many lines adds its lines up
        # once a day, not once a line (a claim of 999 lines of one code took 133 ms, then 2 ms).
        day = line.day if self.same_date and line is not None else None
        mine = None
        if self.same_property is not None:
            prop = ev.view.properties[self.same_property]
            mine = prop.get(line.code, line.day) if line is not None else None
            if mine is None:
                return None
        try:
            sums = ev._units
        except AttributeError:
            sums = ev._units = {}
        judged = line if self.same_provider else None
        key = (id(self), day, mine, None if judged is None else (judged.provider, judged.practitioner))
        total = sums.get(key)
        if total is None:
            total = sums[key] = self._sum(ev, day, mine, judged)
        return total

    def _sum(self, ev, day, mine, judged=None):
        pool = ev.lines if day is None else ev.lines_covering(day)
        values = self.values
        pool = [candidate for candidate in pool if candidate.code in values]
        if self.modifiers is not None:
            pool = _with_modifiers(pool, self.modifiers, self.without)
        if self.component is not None:
            pool = bills_component(pool, self.component)
        if mine is not None:
            prop = ev.view.properties[self.same_property]
            pool = [candidate for candidate in pool if prop.get(candidate.code, candidate.day) == mine]
        if judged is not None:
            pool = [candidate for candidate in pool if same_provider(judged, candidate)]
        if day is not None:
            return units_added([candidate.billed_units() for candidate in pool])
        return units_added([candidate.units for candidate in pool])


@attrs.frozen
class BillsComponent:
    """The line (``root`` `line`, or the other line of a pair) bills ``component`` of its service
    (:func:`bills_component`)."""

    root: str
    component: str
    text: str = ""

    def test(self, ev, line, other):
        subject = line if self.root == "line" else other
        if subject is None:
            return None
        return bool(bills_component((subject,), self.component))


@attrs.frozen
class PtpEdit:
    """An active PTP row (indicator 0 or 1) links the two lines' codes, either way round."""

    text: str = ""

    def test(self, ev, line, other):
        return ev.ptp_edit_between(line, other)


# ---------------------------------------------------------------- history


@attrs.frozen
class Window:
    """Where earlier services are looked for: ``within`` months/days before the line's
    date, ``since`` a date operand, or earlier claims' services of the line's own date
    (``same_date``); none: any time before."""

    months: int = 0
    days: int = 0
    since: Any = None
    same_date: bool = False  # `on the same date`: earlier claims' services of the line's date (not this claim's)

    def start(self, ev, line, other):
        """The first day of the window (an ordinal), False when it is unknown, None when open."""
        if self.since is not None:
            value = self.since.get(ev, line, other)
            return False if value is None else value
        if self.months or self.days:
            start = shift_ordinal(line.day, -self.months, -self.days)
            return 1 if start is None else start  # a window reaching past year 1 starts there
        return None


def _prior(ev, line, test, other):
    """The days of the paid services before ``line`` (earlier claims and earlier lines of
    this claim) that bill one of ``test.values``, inside ``test.window``, with (or without) ``test.modifiers``;
    None when the window is unknown."""
    services = _prior_services(ev, line, test, other)
    return None if services is None else [service.day for service in services]


def _prior_services(ev, line, test, other):
    """The paid services of :func:`_prior` (lines of earlier claims and of this claim), None as there."""
    day, values, window = line.day, test.values, test.window
    if window is not None and window.same_date:  # this claim's lines of the date: `claim also has`
        found = [service for service in ev.history if service.day == day and service.code in values]
    else:
        start = window.start(ev, line, other) if window is not None else None
        if start is False:
            return None
        found = []
        for service in ev.prior_services():
            if service.day >= day:
                continue
            if service.code in values and (start is None or service.day >= start):
                found.append(service)
    if test.modifiers is not None:
        found = _with_modifiers(found, test.modifiers, test.without)
    if test.component is not None:
        found = bills_component(found, test.component)
    return found


def _with_modifiers(lines, modifiers: frozenset, without: bool) -> list:
    """The lines of ``lines`` that have one of ``modifiers`` (``without``: none of them)."""
    return [line for line in lines if modifiers.isdisjoint(line.modset) is without]


def bills_component(lines, component: str) -> list:
    """The lines of ``lines`` (claim lines or paid ones) that bill the ``component`` of their service (domain.md §4).
    The technical component: a line without 26 (a global or TC line, or a hospital's line, which bills the technical
    part without a modifier). The professional component (the interpretation): a 26 line, or a global line (neither
    26 nor TC) of a professional claim. A paid global line of no type given may be a hospital's study: not known to
    bill the read, it is not counted as one (a read is not refused for data that is missing, domain.md §10.10)."""
    if component == "technical":
        return [line for line in lines if "26" not in line.modset]
    return [line for line in lines if "26" in line.modset
            or ("TC" not in line.modset and line.claim_type == "professional")]


def count_services(services) -> int:
    """How many services (studies) ``services`` (paid lines) bill. Of one code on one date, each line that bills
    the technical component is one study: a global line (neither 26 nor TC), a TC line, or a line of an
    institutional claim without 26 (the hospital's part, domain.md §4). The professional lines (26) are those studies'
    reads: more reads than technical lines count as studies only as far as the technical lines' units go (a
    hospital line of 2 units bills two studies); beyond that they are second readings of one study, which
    Medicare pays only in unusual circumstances, marked 77 (Pub 100-04 ch. 13 §100.1). Without a technical line
    each 26 line is a study. A repeat (76, 77) is another study of the date, counted apart the same way; but a
    26-77 line without a technical line of a repeat is a second reading of the date's study, one of its reads."""
    parts: dict = {}  # (code, day, a repeat's) -> [reads (26), technical lines, their units, 26-77 reads]
    for service in services:
        modset = service.modset
        key = (service.code, service.day, "76" in modset or "77" in modset)
        found = parts.get(key)
        if found is None:
            found = parts[key] = [0, 0, 0, 0]
        if "26" in modset:
            found[0] += 1
            if "77" in modset and "76" not in modset:
                found[3] += 1
        else:  # (a global, TC or institutional line bills the technical part)
            found[1] += 1
            found[2] += service.units
    for (code, day, repeat), found in parts.items():
        base = parts.get((code, day, False)) if repeat and not found[1] and found[3] else None
        if base is not None:  # second readings (26-77) of the date's study: its reads, no studies of their own
            if base[1]:
                base[0] += found[3]
            found[0] -= found[3]
    return sum(max(technical, min(reads, int(units))) if technical else reads
               for reads, technical, units, _ in parts.values())


@attrs.frozen
class HistoryHas:
    values: frozenset
    window: Any = None
    text: str = ""
    modifiers: frozenset | None = None  # as AlsoHas's
    without: bool = False
    component: str | None = None  # as AlsoHas's

    def test(self, ev, line, other):
        days = _prior(ev, line, self, other)
        return None if days is None else bool(days)


@attrs.frozen
class HistoryCount:
    values: frozenset
    window: Any = None
    modifiers: frozenset | None = None  # as AlsoHas's
    without: bool = False
    component: str | None = None  # as AlsoHas's

    def get(self, ev, line, other):
        services = _prior_services(ev, line, self, other)
        return None if services is None else count_services(services)


@attrs.frozen
class SinceLast:
    """Days, calendar months, or completed years from the last paid earlier service to the line."""

    unit: str  # "days", "months" or "years"
    values: frozenset
    modifiers: frozenset | None = None  # as AlsoHas's
    without: bool = False
    component: str | None = None  # as AlsoHas's
    window = None  # (every earlier service, for _prior)

    def get(self, ev, line, other):
        last = self.last(ev, line, other)
        return None if last is None else self.since(last, line)

    def since(self, last: dt.date, line) -> int:
        """The days, calendar months or completed years from ``last`` to ``line``'s date."""
        date = line.date
        if self.unit == "days":
            return line.day - last.toordinal()
        if self.unit == "months":
            return (date.year * 12 + date.month) - (last.year * 12 + last.month)
        return date.year - last.year - ((date.month, date.day) < (last.month, last.day))

    def last(self, ev, line, other) -> dt.date | None:
        """The date of the last earlier service, None when there is none."""
        days = _prior(ev, line, self, other)
        return dt.date.fromordinal(max(days)) if days else None

    def reached(self, last: dt.date, count: int) -> dt.date:
        """The first date that is ``count`` days, months or years (as :meth:`get` counts them) after ``last``: for
        `months since last X < 12` after a service in June 2025, 2026-06-01 (what explain names as the date the
        comparison turns)."""
        if self.unit == "days":
            return last + dt.timedelta(days=count)
        if self.unit == "months":
            months = last.year * 12 + last.month - 1 + count
            return dt.date(months // 12, months % 12 + 1, 1)
        try:  # (completed years: the anniversary, or 1 March after a 29 February)
            return last.replace(year=last.year + count)
        except ValueError:
            return dt.date(last.year + count, 3, 1)


def same_provider(a, b) -> bool:
    """Two lines (or a line and a paid earlier one) compare unless both name a provider and the two differ.
    The provider (``provider``) is the rendering one on a professional claim, the billing one on an institutional
    claim (the hospital bills every line: its lines compare with each other, and with the paid lines of its
    provider history of the same billing provider or of none given), and on a professional claim of a payer with
    `same_provider = billing` that names its billing provider (a group, :attr:`Evaluation.by_billing`). One
    practitioner (the rendering provider) is one provider too, whatever group billed (a paid line of the
    radiologist under another group's billing provider)."""
    return (a.provider is None or b.provider is None or a.provider == b.provider
            or (a.practitioner is not None and a.practitioner == b.practitioner))


def same_practitioner(a, b) -> bool:
    """Two lines of a claim are one practitioner's (an add-on and its primary, domain.md §3): as
    :func:`same_provider`, but by the rendering provider on a professional claim whatever the payer's
    ``same_provider`` setting (a group's radiologists are one provider, not one practitioner)."""
    return a.practitioner is None or b.practitioner is None or a.practitioner == b.practitioner


@attrs.frozen
class HistorySame:
    """A paid line of an earlier claim bills this line's code (on its date, with its modifiers, its units,
    by its provider, as asked; for the provider, lines compare as two lines of one claim do (same_provider):
    a line that names none compares with any, a line of an institutional claim (or of a professional one with
    `same_provider = billing`) with the paid lines of its type whose billing provider is the claim's (or that
    name none, or all of them if the claim names none), and a line of a claim of the other type is another
    provider's; of a claim of its type, as asked; with a modifier or none of them, as asked)."""

    same_date: bool
    same_modifiers: bool
    text: str = ""
    same_units: bool = False
    same_provider: bool = False
    modifiers: frozenset | None = None  # `with modifier`: paid lines with one of them count (`without`: none)
    without: bool = False
    same_type: bool = False  # paid lines of claims said to be of the claim's type (a line of no type given is not)
    among: frozenset | None = None  # with `same_modifiers`: only the modifiers of this set compared

    def test(self, ev, line, other):
        modifiers = self.modifiers
        among = self.among
        mine = line.modset if among is None else among.intersection(line.modset)  # (the modifiers compared)
        claim_type = ev.claim_type if self.same_type else None
        day, last = line.day, last_day(line)
        for service in ev.provider_history() if self.same_provider else ev.history:
            if service.code != line.code:
                continue
            if claim_type is not None and service.claim_type != claim_type:
                continue
            if modifiers is not None and modifiers.isdisjoint(service.modset) is not self.without:
                continue
            if service.day != day if self.same_date else service.day > last:  # (a paid line dated after it, or
                continue                                                       # its span, is no history to it)
            if self.same_modifiers and (service.modset if among is None
                                        else among.intersection(service.modset)) != mine:
                continue
            if self.same_units and service.as_billed != (service.day, line.units):  # (a paid span: as billed)
                continue
            if self.same_provider and not same_provider(service, line):
                continue
            return True
        return False


@attrs.frozen
class And:
    parts: tuple  # cheapest first: the order the parts are tested in
    text: str = ""
    written: tuple = ()  # the same parts in the order the rule writes them (what explain reports by)

    def test(self, ev, line, other):
        result = True
        for part in self.parts:
            answer = part.test(ev, line, other)
            if answer is False:
                return False
            if answer is None:
                result = None
        return result


@attrs.frozen
class Or:
    parts: tuple
    text: str = ""

    def test(self, ev, line, other):
        result = False
        for part in self.parts:
            answer = part.test(ev, line, other)
            if answer is True:
                return True
            if answer is None:
                result = None
        return result


@attrs.frozen
class Not:
    part: Any
    text: str = ""

    def test(self, ev, line, other):
        answer = self.part.test(ev, line, other)
        return None if answer is None else not answer


@attrs.frozen
class Always:
    """The condition of a rule without ``when``-parts that matter (always true)."""

    text: str = ""

    def test(self, ev, line, other):
        return True


def conjuncts(node) -> tuple:
    """The top-level ``and`` parts of a condition (itself if not an ``and``)."""
    return node.parts if isinstance(node, And) else (node,)
