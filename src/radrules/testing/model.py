"""What a rule test file says: typed nodes with source spans.

``parse.py`` parses the test grammar (``grammars/radrules-test.lark``) and
``tree_builder.py`` builds these from its tree;
``runner.py`` reads them. Every node knows where it was written, so every
problem and every failure points at the exact line of the test file.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from ..errors import Diagnostic, line_of
from ..syntax import Span, Token

#: The extension of rule test files.
TEST_SUFFIX = ".rrt"


def is_test_file(name) -> bool:
    """Whether a file's name (or path) is a rule test file's: it ends in `.rrt`, in any case (as rule files'
    `.rr`, _resources.is_rule_file)."""
    return str(name).lower().endswith(TEST_SUFFIX)


@attrs.frozen
class RulesRef:
    """``rules "PATH", bundled`` (optionally ``with`` inline rule text): the ruleset a test loads.

    ``paths`` are the quoted paths in the order written; ``bundled`` is the
    word ``bundled`` if the line lists it (the bundled rulesets load beside the paths).
    """

    paths: tuple[Token, ...]
    bundled: Token | None
    text: Token | None  # inline rule text, padded so its lines keep their numbers in the test file
    span: Span

    @property
    def items_span(self) -> Span:
        """From the first item of the line to its last: what a problem of the whole list underlines."""
        spans = sorted((token.span for token in (*self.paths, self.bundled) if token is not None),
                       key=lambda span: (span.line, span.column))
        return spans[0].cover(spans[-1])


@attrs.frozen
class ClaimSpec:
    """A claim as written: compact, JSON text, or a JSON file.

    ``kind`` is ``compact``, ``json`` or ``file``. For a compact claim,
    ``data`` is the claim in its JSON shape (with the records of the test's
    ``authorizations`` part as its ``authorizations``) and ``spans`` maps
    each field path (``lines[0].units``, ``authorizations[0].start``) to
    where it was written. For ``json``,
    ``text`` holds the JSON; for ``file``, ``file`` the path token and
    ``claim_id`` the id to pick from a file of several claims.
    """

    kind: str
    span: Span
    data: dict | None = None
    spans: dict = attrs.field(factory=dict)
    text: Token | None = None  # a `json """..."""` claim: the inside of the block, its span the block's
    file: Token | None = None
    claim_id: Token | None = None


@attrs.frozen
class Expectation:
    """One ``expect`` line.

    ``kind``: ``pass``, ``fail``, ``fires`` (``expect RULE ...``), ``silent``
    (``expect no RULE ...``) or ``only`` (``expect only RULE, RULE``).
    """

    kind: str
    span: Span
    rules: tuple[Token, ...] = ()
    lines: tuple[Token, ...] = ()
    severity: Token | None = None
    carc: Token | None = None
    rarc: tuple[Token, ...] | None = None
    message: Token | None = None
    source: Token | None = None  # a finding's source, whole or as its file's name and row

    @property
    def line_numbers(self) -> tuple[int, ...]:
        # a number of more digits than any claim's line count stands as 0, a line no claim has (RR612)
        return tuple(int(token.text) if len(token.text.lstrip("0")) <= 9 else 0 for token in self.lines)

    def describe(self) -> str:
        """The expectation in words, as failure reports show it."""
        if self.kind == "pass":
            return "the claim to pass"
        if self.kind == "fail":
            return "the claim to fail"
        if self.kind == "only":
            return "only " + ", ".join(t.text for t in self.rules) + " to deny or review"
        rule = self.rules[0].text
        where = _on_lines(self.line_numbers)
        if self.kind == "silent":
            return f"no {rule}{where}"
        details = []
        if self.severity is not None:
            details.append(self.severity.text)
        if self.carc is not None:
            details.append(f"carc {self.carc.text}")
        if self.rarc is not None:
            details.append("rarc " + ", ".join(t.text for t in self.rarc))
        if self.message is not None:
            details.append(f'message "{self.message.text}"')
        if self.source is not None:
            details.append(f'source "{self.source.text}"')
        return f"{rule}{where}" + (f" ({', '.join(details)})" if details else "")


def _on_lines(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return ""
    word = "line" if len(numbers) == 1 else "lines"
    return f" on {word} " + ", ".join(str(n) for n in numbers)


@attrs.frozen
class TestCase:
    """A ``test "NAME" ... end`` block: one claim and what to expect of it."""

    __test__ = False  # not a pytest test class

    name: Token
    claim: ClaimSpec
    expectations: tuple[Expectation, ...]
    span: Span
    rules: RulesRef | None = None
    history: tuple = ()  # (history line dict, span) for each `history` line


@attrs.frozen
class TestFile:
    """A parsed test file.

    ``name`` is how it is shown (``rulesets/payers/acme.rrt``), ``folder``
    the folder its relative paths start from, ``text`` its content and
    ``diagnostics`` its syntax errors (the tests that did parse are still in
    ``cases``). ``broken_rules`` are the `rules` lines with such an error (an
    item given twice): their tests don't run, but the runner still checks their
    paths, so that the line reports every problem of its items.
    """

    __test__ = False

    name: str
    folder: Path
    text: str
    cases: tuple[TestCase, ...]
    rules: RulesRef | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    broken_rules: tuple[RulesRef, ...] = ()

    def source_line(self, number: int) -> str | None:
        return line_of(self.text, number)
