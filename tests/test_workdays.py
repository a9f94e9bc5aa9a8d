"""`to a workday`: a moved date on a weekend or a federal holiday goes on to the next federal workday (Medicare's
filing limit: Pub 100-04 ch. 1 §70)."""

from __future__ import annotations

import datetime as dt

import pytest

import radrules
from radrules.dates import federal_holidays, next_workday
from radrules.formatter import format_rules

RULE = ('rule t.late "late"\n  when claim.received > line.date + 12 months to a workday\n'
        '  then deny line "late"\n  reference "t"\nend\n')


def holidays(year: int) -> list[str]:
    return sorted(dt.date.fromordinal(o).isoformat() for o in federal_holidays(year))


def test_the_holidays_of_a_year_as_federal_employees_observe_them():
    """2021: Juneteenth (Saturday) on Friday the 18th, Independence Day (Sunday) on Monday the 5th, Christmas
    (Saturday) on the 24th, and the next New Year's Day (Saturday) on December 31; 2022 has no January 1."""
    assert holidays(2021) == ["2021-01-01", "2021-01-18", "2021-02-15", "2021-05-31", "2021-06-18", "2021-07-05",
                              "2021-09-06", "2021-10-11", "2021-11-11", "2021-11-25", "2021-12-24", "2021-12-31"]
    assert holidays(2022)[0] == "2022-01-17" and "2022-12-26" in holidays(2022)
    assert "2020-06-19" not in holidays(2020)  # Juneteenth is a holiday from 2021
    assert "1985-01-21" not in holidays(1985) and "1986-01-20" in holidays(1986)  # King's birthday from 1986
    assert "1975-10-27" in holidays(1975) and "1975-11-11" not in holidays(1975)  # Veterans Day in October then
    assert holidays(2026) == ["2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
                              "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"]


@pytest.mark.parametrize("day, workday", [
    ("2026-03-06", "2026-03-06"), ("2026-03-07", "2026-03-09"), ("2026-03-08", "2026-03-09"),
    ("2026-07-03", "2026-07-06"), ("2026-07-04", "2026-07-06"), ("2026-11-26", "2026-11-27"),
    ("2021-12-31", "2022-01-03"), ("2026-12-25", "2026-12-28"),
])
def test_next_workday(day, workday):
    assert dt.date.fromordinal(next_workday(dt.date.fromisoformat(day).toordinal())).isoformat() == workday


def test_the_last_day_of_the_calendar():
    """9999-12-31 is a Friday and no holiday (no New Year's Day of 10000 is observed on it): a workday."""
    assert next_workday(dt.date(9999, 12, 31).toordinal()) == dt.date(9999, 12, 31).toordinal()
    assert next_workday(dt.date(9999, 12, 25).toordinal()) == dt.date(9999, 12, 27).toordinal()  # Saturday, Sunday


@pytest.mark.parametrize("indexed", [True, False])
@pytest.mark.parametrize("received, late", [("2026-03-09", False), ("2026-03-10", True), ("2026-03-06", False)])
def test_a_rule_moves_its_deadline_to_a_workday(indexed, received, late):
    """A service on 2025-03-07: the deadline, Saturday 2026-03-07, is Monday the 9th's."""
    rules = radrules.loads(RULE)
    result = rules.evaluate({"received": received, "lines": [{"code": "71046", "date": "2025-03-07"}]},
                            indexed=indexed)
    assert result.fired() == (("t.late",) if late else ())


def test_without_it_the_deadline_stays_on_the_weekend():
    rules = radrules.loads(RULE.replace(" to a workday", ""))
    assert rules.evaluate({"received": "2026-03-09",
                           "lines": [{"code": "71046", "date": "2025-03-07"}]}).fired() == ("t.late",)


def test_explain_and_fmt_write_it_as_the_rule_does():
    rules = radrules.loads(RULE)
    result = rules.evaluate({"received": "2026-03-09", "lines": [{"code": "71046", "date": "2025-03-07"}]},
                            explain=True)
    assert "`claim.received > line.date + 12 months to a workday` is false" in result.explanation.render()
    assert format_rules(RULE.replace("to a workday", "to   a\tworkday")) == RULE


@pytest.mark.parametrize("condition, code", [
    ("claim.received > line.date to a workday", "RR101"),
    ("claim.received > line.code + 2 days to a workday", "RR209"),
])
def test_it_follows_a_date_moved_by_an_amount(condition, code):
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(RULE.replace("claim.received > line.date + 12 months to a workday", condition))
    assert caught.value.errors[0].code == code


def test_the_fast_closure_answers_as_the_condition_does():
    """`claim.received > line.date + 12 months to a workday` is read by the fast closures (one cached call for
    the shift and the workday): the same answer as the condition's own test on a year of dates."""
    from radrules.evaluation import Evaluation
    from radrules.fastpath import fast_test

    rules = radrules.loads(RULE)
    (rule,) = rules.rules
    fast = fast_test(rule.condition)
    assert fast is not rule.condition.test
    start = dt.date(2025, 1, 1)
    for offset in range(0, 366, 3):
        day = start + dt.timedelta(days=offset)
        for late in (0, 1, 2, 3):
            received = dt.date(day.year + 1, day.month, min(day.day, 28)) + dt.timedelta(days=late)
            claim = radrules.Claim.from_dict({"received": received.isoformat(),
                                              "lines": [{"code": "71046", "date": day.isoformat()}]})
            ev = Evaluation(claim, rules.view_for(None, "professional"))
            (line,) = ev.lines
            assert fast(ev, line, None) == rule.condition.test(ev, line, None), (day, received)
