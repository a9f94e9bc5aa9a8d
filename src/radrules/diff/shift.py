"""Claims dated later (or earlier) for an impact run: ``diff --shift-days N``.

Historical claims are dated before a new quarter's table rows take effect,
so they can't show what those rows do. Moving every date of a claim by the
same number of days (its lines, the date it was received, its statement
period, the patient's birth date, its authorization records) and the
patient's earlier lines with them keeps everything the rules compare the
same, apart from the table rows and rule windows in force.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ..claim import Claim, mark_checked
from ..errors import ClaimError
from ..history import lines_of


def shift_claim(claim: Claim, days: int) -> Claim:
    """``claim`` with every date moved by ``days``; ClaimError if a date would leave the calendar."""
    delta = dt.timedelta(days=days)

    def move(date: dt.date | None, path: str) -> dt.date | None:
        if date is None:
            return None
        try:
            return date + delta
        except OverflowError:
            raise ClaimError(path, f"out of the calendar when moved by {days} days") from None

    lines = tuple(attrs.evolve(line, date=move(line.date, f"lines[{i}].date"),
                               end_date=move(line.end_date, f"lines[{i}].end_date"))
                  for i, line in enumerate(claim.lines))
    patient = attrs.evolve(claim.patient, birth_date=move(claim.patient.birth_date, "patient.birth_date"))
    records = claim.authorizations
    if records is not None:
        records = tuple(attrs.evolve(record, start=move(record.start, f"authorizations[{i}].start"),
                                     end=move(record.end, f"authorizations[{i}].end"))
                        for i, record in enumerate(records))
    moved = attrs.evolve(claim, lines=lines, patient=patient, received=move(claim.received, "received"),
                         authorizations=records, statement_from=move(claim.statement_from, "statement_from"),
                         statement_through=move(claim.statement_through, "statement_through"))
    return mark_checked(moved) if claim._checked else moved  # the same claim, checked as it was


class ShiftedHistory:
    """The earlier lines of ``history`` (a list of lines or a :class:`~radrules.History`), dated ``days``
    later, as the claims of the run are."""

    def __init__(self, history, days: int):
        self.history = history
        self.delta = dt.timedelta(days=days)

    def lookup(self, patient_id: str | None, start: dt.date | None, end: dt.date, payer: str | None = None) -> list:
        delta = self.delta
        earlier = lines_of(self.history, patient_id, start - delta if start is not None else None, end - delta,
                           payer)
        return [_moved_line(line, delta) for line in earlier]


def _moved_line(line, delta: dt.timedelta):
    moved = attrs.evolve(line, date=line.date + delta,
                         end_date=line.end_date + delta if line.end_date is not None else None)
    object.__setattr__(moved, "_checked", True)  # lines_of checked it
    return moved
