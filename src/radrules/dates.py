"""Date arithmetic of the rule language: ``line.date + 12 months`` and ``... to a workday``.

Dates are ``int`` ordinals (as everywhere on the evaluation path). :func:`shift_ordinal`
moves one by calendar months and days, and with ``workday`` on to the next federal
workday (:func:`next_workday`, :func:`federal_holidays`). The condition nodes of
:mod:`radrules.conditions` call it (``DateShift``, a history ``Window``), and so do the
closures :mod:`radrules.fastpath` builds from them. All three keep their answers
(``functools.lru_cache``).
"""

from __future__ import annotations

import datetime as dt
import functools


@functools.lru_cache(maxsize=4096)
def shift_ordinal(ordinal: int, months: int, days: int, workday: bool = False) -> int | None:
    """Move a date ordinal by calendar months (day clamped to month end) and days, then, with ``workday``, on to
    the next federal workday (:func:`next_workday`); None when that leaves the calendar (before year 1 or after
    9999: a claim dated 9999-12-31 plus 12 months)."""
    if months:
        day = dt.date.fromordinal(ordinal)
        index = day.year * 12 + day.month - 1 + months
        year, month = divmod(index, 12)
        month += 1
        if not 1 <= year <= 9999:
            return None
        last = 31 if month == 12 else (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day
        ordinal = dt.date(year, month, min(day.day, last)).toordinal()
    ordinal += days
    if not 1 <= ordinal <= _LAST_DAY:
        return None
    return next_workday(ordinal) if workday else ordinal


_LAST_DAY = dt.date.max.toordinal()


@functools.lru_cache(maxsize=4096)
def next_workday(ordinal: int) -> int | None:
    """The date ordinal itself if it is a federal workday, else the next one: not a Saturday, a Sunday or a
    federal holiday as observed (:func:`federal_holidays`); None past the calendar's end."""
    while ordinal <= _LAST_DAY:
        day = dt.date.fromordinal(ordinal)
        if day.weekday() < 5 and ordinal not in federal_holidays(day.year):
            return ordinal
        ordinal += 1
    return None


@functools.lru_cache(maxsize=256)
def federal_holidays(year: int) -> frozenset:
    """The ordinals of the legal public holidays of 5 U.S.C. 6103(a) in ``year``, on the days federal employees
    observe them (6103(b), Executive Order 11582): one on a Saturday is observed the Friday before, one on a Sunday
    the Monday after. New Year's Day of the next year observed on December 31 counts in this year. The holidays
    are those of each year's law (Monday holidays from 1971, Veterans Day in October 1971-1977, King's birthday from
    1986, Juneteenth from 2021). Days closed by an executive order of their own (a day of mourning, a Christmas Eve)
    are not known here."""
    def weekday_in(month: int, weekday: int, nth: int) -> dt.date:  # nth 1-4, or -1 for the last
        if nth > 0:
            first = dt.date(year, month, 1)
            return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
        last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)

    fixed = [(1, 1), (7, 4), (12, 25)] + ([(6, 19)] if year >= 2021 else [])  # Juneteenth from 2021
    days = [weekday_in(9, 0, 1), weekday_in(11, 3, 4)]  # Labor Day, Thanksgiving
    if year >= 1971:  # the Uniform Monday Holiday Act: Washington's Birthday, Memorial Day, Columbus Day on Mondays
        days += [weekday_in(2, 0, 3), weekday_in(5, 0, -1), weekday_in(10, 0, 2)]
    else:
        fixed += [(2, 22), (5, 30), (10, 12)]
    if 1971 <= year <= 1977:  # Veterans Day on the fourth Monday of October, those years
        days.append(weekday_in(10, 0, 4))
    else:
        fixed.append((11, 11))
    if year >= 1986:  # the birthday of Martin Luther King, Jr., from 1986
        days.append(weekday_in(1, 0, 3))
    for month, day_of_month in fixed:
        day = dt.date(year, month, day_of_month)
        days.append(day - dt.timedelta(days=1) if day.weekday() == 5 else
                    day + dt.timedelta(days=1) if day.weekday() == 6 else day)
    if year < 9999 and dt.date(year + 1, 1, 1).weekday() == 5:
        days.append(dt.date(year, 12, 31))  # the next New Year's Day, a Saturday
    return frozenset(day.toordinal() for day in days if day.year == year)
