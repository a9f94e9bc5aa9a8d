"""Authorization records read from a file and given to the claims they concern (``--authorizations``).

A payer's utilization management system exports its prior-authorization
records; ``radrules eval --authorizations FILE`` gives each claim the records
of the authorization numbers it carries (claim-format.md, "Authorization
records"). A claim whose numbers have no record gets an empty list: the file
is the payer's whole set, so an unknown number is `unknown_number`.
"""

from __future__ import annotations

import json
import os

import attrs

from .claim import Claim, _read_authorizations, mark_checked
from .errors import ClaimError, InputError, json_value


class AuthorizationFile:
    """The records of a JSON Lines file (one record a line, as in a claim's ``authorizations``), by number."""

    def __init__(self, source):
        self._by_number: dict[str, list] = {}
        name = str(source)
        try:
            if not os.fspath(source):
                raise InputError(None, "no authorization file: the path is empty")
            with open(source, encoding="utf-8") as handle:
                for number, text in enumerate(handle, 1):
                    if text.strip():
                        self._add(text, name, number)
        except OSError as problem:  # missing, a folder, a name too long, a read error
            raise InputError(name, f"can't read the file: {problem.strerror or problem}") from None
        except UnicodeDecodeError:
            raise InputError(name, "not UTF-8 text") from None

    def _add(self, text: str, name: str, number: int) -> None:
        where = f"line {number}"
        try:
            data = json_value(text.rstrip("\r\n"))
        except json.JSONDecodeError as problem:
            raise InputError(name, f"not JSON: {problem.msg} at column {problem.colno}", path=where) from None
        if not isinstance(data, dict):
            raise InputError(name, "expected an object", path=where)
        try:
            (record,) = _read_authorizations([data])
        except ClaimError as error:
            field = error.path.removeprefix("authorizations[0]").lstrip(".") or "record"
            raise InputError(name, f"{field}: {error.problem}", path=where) from None
        self._by_number.setdefault(record.number, []).append(record)

    def attach(self, claim: Claim) -> Claim:
        """``claim`` with the records of its numbers (a claim that gives records of its own keeps them)."""
        if claim.authorizations is not None:
            return claim
        records = tuple(record for number in dict.fromkeys(claim.prior_auth)
                        for record in self._by_number.get(number, ()))
        given = attrs.evolve(claim, authorizations=records)
        return mark_checked(given) if claim._checked else given  # the records were checked as read

    def __len__(self) -> int:
        return sum(len(records) for records in self._by_number.values())


def read_authorizations(path) -> AuthorizationFile:
    """An :class:`AuthorizationFile` from a JSON Lines file; InputError names the file and line of a bad record."""
    return AuthorizationFile(path)
