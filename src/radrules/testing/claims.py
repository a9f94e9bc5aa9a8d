"""The claim of a test, as a :class:`~radrules.Claim`, or a diagnostic saying why not.

Every claim goes through :meth:`radrules.Claim.from_dict`, so a test claim
is held to the same shape as a real one; a :class:`~radrules.ClaimError`
becomes an RR613 diagnostic pointing at the value the test wrote. JSON
claims (inline or from a file) are read here too. Diagnostics never show a
claim's values beyond what the test file itself holds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .. import _resources
from ..claim import Claim
from ..errors import ClaimError, Diagnostic, json_problem, json_value
from ..syntax import Span
from .model import ClaimSpec, TestFile


def build_claim(spec: ClaimSpec, test_file: TestFile) -> tuple[Claim | None, Diagnostic | None]:
    """The claim of a test, or the diagnostic that explains why there is none."""
    if spec.kind == "compact":
        return _from_dict(spec.data, spec, test_file, spec.spans)
    if spec.kind == "json":
        return _from_json(spec, test_file)
    return _from_file(spec, test_file)


def _diagnostic(code: str, message: str, span: Span, test_file: TestFile, help: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, span, test_file.source_line(span.line), help)


def _from_dict(data, spec: ClaimSpec, test_file: TestFile, spans: dict) -> tuple[Claim | None, Diagnostic | None]:
    try:
        return Claim.from_dict(data), None
    except ClaimError as error:
        span = _span_of(error.path, spans) or spec.span
        if spec.kind != "compact":  # no place per field: point at the claim line
            span = Span(span.file, spec.span.line, spec.span.column, spec.span.line,
                        spec.span.column + len("claim"))
        help = _CLAIM_HELP.get(error.problem)
        if spec.kind == "compact" and error.path.startswith("authorizations["):
            field = re.sub(r"^authorizations\[[0-9]+\]\.?", "", error.path)
            help = _RECORD_HELP.get((field, error.problem)) or help or \
                "authorization records are `NUMBER CODE[, CODE...] DATE [through DATE] [xUNITS]`"
        return None, _diagnostic("RR613", f"bad claim: {error}", span, test_file,
                                 help=help or "docs/claim-format.md gives the claim's shape")


_CLAIM_HELP = {
    "expected a date as YYYY-MM-DD": "write dates as YYYY-MM-DD, such as `2026-04-06`",
    "expected `F`, `M` or `U`": "write the patient's sex as `F`, `M` or `U`: `patient F born 1971-11-02`",
    "expected a positive number": "a line bills at least `x1` (units are written after `x`, such as `x2`)",
    "expected a positive whole number": "diagnosis pointers count from 1: `dx 1,2` points to the first two",
}


#: Help for a check of an `authorizations` record line that says more than the claim's own (_CLAIM_HELP).
_RECORD_HELP = {
    ("units", "expected a positive number"):
        "a record authorizes at least `x1` of each code; leave the units out for any number",
    ("end", "expected a date on or after `start`"):
        "the last date is on or after the first: `2026-04-01 through 2026-06-30`",
}


def _span_of(path: str, spans: dict) -> Span | None:
    """Where the value at ``path`` was written, else where its nearest parent was."""
    while path:
        if path in spans:
            return spans[path]
        shorter = re.sub(r"(\.[a-z_]+|\[[0-9]+\])$", "", path)
        if shorter == path:
            break
        path = shorter
    return None


def _from_json(spec: ClaimSpec, test_file: TestFile) -> tuple[Claim | None, Diagnostic | None]:
    token = spec.text
    try:
        data = json_value(token.text)
    except json.JSONDecodeError as problem:
        # JSON's line and column are those of the block's inside, which starts 3 columns after its `"""`.
        line = token.span.line + problem.lineno - 1
        column = problem.colno + (token.span.column + 2 if problem.lineno == 1 else 0)
        span = Span(test_file.name, line, column, line, column + 1)
        return None, _diagnostic("RR614", f"the claim is not JSON: {problem.msg}", span, test_file,
                                 help="a JSON claim is one object in the shape of docs/claim-format.md")
    return _from_dict(data, spec, test_file, {})


def _from_file(spec: ClaimSpec, test_file: TestFile) -> tuple[Claim | None, Diagnostic | None]:
    token = spec.file
    folder = Path(test_file.folder).resolve()
    try:
        target = _resources.resolved(folder / token.text)
    except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL, a name too long
        return None, _diagnostic("RR615", f"`{token.text}` is not a path to a claim file", token.span, test_file,
                                 help="paths are relative to the test file's folder, without control characters "
                                      "or link loops")
    if not target.is_relative_to(folder):
        return None, _diagnostic("RR615", f"`{token.text}` is outside the test file's folder", token.span,
                                 test_file, help="claim files sit in the test file's folder or below it")
    if not target.is_file():
        return None, _diagnostic("RR615", f"no claim file `{token.text}`", token.span, test_file,
                                 help="paths are relative to the test file's folder")
    try:
        stream = _resources.open_inside(folder, target)  # a link or a named pipe put in its place is not followed
        if stream is None:
            raise OSError(f"{target} is not a regular file")
        with stream:
            text = _resources.read_at_most(stream).decode("utf-8-sig")
    except _resources.TooLarge as problem:
        return None, _diagnostic("RR615", f"`{token.text}` "
                                 f"{_resources.too_large_words('a claim file of a test', problem.size, problem.limit)}",
                                 token.span, test_file, help="a test's claim file holds the few claims tests use")
    except (OSError, UnicodeDecodeError):
        return None, _diagnostic("RR615", f"can't read `{token.text}` as UTF-8 text", token.span, test_file)
    claims, problem = _read_claims(text)
    if problem is not None:
        return None, _diagnostic("RR614", f"`{token.text}` is not JSON: {problem}", token.span, test_file,
                                 help="a claim file holds one claim, a JSON array of claims, or JSON Lines")
    if spec.claim_id is not None:
        wanted = spec.claim_id.text.strip()  # ids are trimmed, as Claim.from_dict trims them
        found = [c for c in claims if isinstance(c, dict) and c.get("id") is not None
                 and str(c.get("id")).strip() == wanted]
        if not found:  # (the caret shows the id: a message names no claim's id)
            return None, _diagnostic("RR616", f"no claim of this id in `{token.text}`", spec.claim_id.span,
                                     test_file, help=f"the file holds {_count(len(claims))}")
        if len(found) > 1:  # which one the test means is not said: never pick one silently
            return None, _diagnostic("RR616", f"{_count(len(found))} of this id in `{token.text}`",
                                     spec.claim_id.span, test_file,
                                     help="give the claims of the file ids of their own")
        data = found[0]
    elif len(claims) != 1:
        return None, _diagnostic("RR616", f"`{token.text}` holds {_count(len(claims))}", token.span, test_file,
                                 help=f'pick one by its id: `claim file "{token.text}" id "..."`')
    else:
        data = claims[0]
    return _from_dict(data, spec, test_file, {})


def _count(number: int) -> str:
    return f"{number} claim" + ("" if number == 1 else "s")


def _read_claims(text: str) -> tuple[list, str | None]:
    """The claims of a file (a JSON object, a JSON array, or JSON Lines), or what is wrong."""
    try:
        data = json_value(text)
    except json.JSONDecodeError as first:
        claims = []
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                claims.append(json_value(line))
            except json.JSONDecodeError:
                return [], json_problem(first)
        return claims, None
    return (data if isinstance(data, list) else [data]), None
