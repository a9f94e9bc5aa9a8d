"""Helpers shared by the subcommands: loading rules, reading claim files."""

from __future__ import annotations

import json
import sys
from typing import Iterator

from ..errors import RuleError


def add_rules_option(parser) -> None:
    parser.add_argument(
        "--rules", metavar="PATH",
        help="a rule file or a folder of rule files (default: the bundled rulesets)",
    )


def load_rules(path: str | None):
    """The ruleset, or None after printing its diagnostics to stderr."""
    from .. import load

    try:
        ruleset = load(path)
    except RuleError as error:
        print(str(error), file=sys.stderr)
        return None
    return ruleset


class InputError(Exception):
    """The claims file can't be read as JSON or JSON Lines."""


def read_claims(source: str) -> Iterator[tuple[int, object]]:
    """(1-based position, claim dict) for a JSON object, a JSON array, or JSON Lines."""
    if source == "-":
        text = sys.stdin.read()
        name = "<stdin>"
    else:
        try:
            with open(source, encoding="utf-8-sig") as handle:
                text = handle.read()
        except OSError as problem:
            raise InputError(f"can't read `{source}`: {problem.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"`{source}` is not UTF-8 text") from None
        name = source
    stripped = text.strip()
    if not stripped:
        return
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as first_problem:
        # JSON Lines: one claim per non-empty line.
        position = 0
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as problem:
                if position == 0:
                    raise InputError(f"{name}: not JSON: {first_problem.msg} at line {first_problem.lineno}, "
                                     f"column {first_problem.colno}") from None
                raise InputError(f"{name}:{number}: not JSON: {problem.msg} at column {problem.colno}") from None
            position += 1
            yield position, item
        return
    if isinstance(data, list):
        for position, item in enumerate(data, 1):
            yield position, item
    else:
        yield 1, data
