"""Authorization records read from a file and given to the claims they concern (``--authorizations``).

A payer's utilization management system exports its prior-authorization
records; ``radrules eval --authorizations FILE`` gives each claim the records
of the authorization numbers it carries (claim-format.md, "Authorization
records"). A claim whose numbers have no record gets an empty list: the file
is the payer's whole set, so an unknown number is `unknown_number`.
"""

from __future__ import annotations

import attrs

from .claim import Claim, mark_checked, read_authorization
from .errors import ClaimError, InputError, json_objects


class AuthorizationFile:
    """The records of a JSON Lines file (one record a line, as in a claim's ``authorizations``), by number."""

    def __init__(self, source):
        self._by_number: dict[str, list] = {}
        for number, data in json_objects(source, "authorization"):
            try:
                record = read_authorization(data, "")
            except ClaimError as error:
                raise InputError(str(source), f"{error.path}: {error.problem}", path=f"line {number}") from None
            self._by_number.setdefault(record.number, []).append(record)

    def attach(self, claim: Claim) -> Claim:
        """``claim`` with the records of its numbers (a claim that gives records of its own keeps them)."""
        if claim.authorizations is not None:
            return claim
        records = tuple(record for number in dict.fromkeys(claim.prior_auth)
                        for record in self._by_number.get(number, ()))
        given = attrs.evolve(claim, authorizations=records)
        return mark_checked(given) if claim._checked else given  # the records were checked as read
