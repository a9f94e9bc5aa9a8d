"""Shared state of one compilation: the source files and the diagnostics found."""

from __future__ import annotations

import datetime as dt

from ..claim_values import payer_key
from ..errors import Diagnostic, text_lines
from ..syntax import SourceFile, Span, Token


class Context:
    """Collects diagnostics; every pass reports here and never raises."""

    def __init__(self, sources: list[SourceFile]):
        self.sources = {source.name: source for source in sources}
        self._lines: dict[str, list[str]] = {}
        self.diagnostics: list[Diagnostic] = []

    def source_line(self, span: Span | None) -> str | None:
        if span is None or span.file not in self.sources:
            return None
        lines = self.lines(span.file)
        return lines[span.line - 1] if 0 < span.line <= len(lines) else None

    def lines(self, file: str) -> list[str]:
        """The lines of a source file (made once)."""
        lines = self._lines.get(file)
        if lines is None:
            lines = self._lines[file] = text_lines(self.sources[file].text)
        return lines

    def error(self, code: str, message: str, span: Span | None, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, self.source_line(span), help, "error"))

    def warning(self, code: str, message: str, span: Span | None, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, self.source_line(span), help, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    # ------------------------------------------------------------ literals

    def date(self, token: Token) -> int | None:
        """A DATE token as an ordinal, or None after reporting a bad calendar date."""
        try:
            return dt.date.fromisoformat(token.text).toordinal()
        except ValueError:
            from ..tables.common import calendar_problem

            found = calendar_problem(token.text, julian=False)
            self.error("RR218", f"`{token.text}` is not a calendar date", token.span,
                       help=f"`{token.text}` {found[1]}" if found
                       else "dates are written YYYY-MM-DD, e.g. `2026-07-01`")
            return None

    def date_window(self, effective) -> tuple[int | None, int | None, bool]:
        """(start, end, ok) of an ``effective`` clause; ``None`` ends are open."""
        if effective is None:
            return None, None, True
        start = self.date(effective.start)
        end = self.date(effective.end) if effective.end is not None else None
        ok = start is not None and (effective.end is None or end is not None)
        if ok and end is not None and end < start:
            self.error(
                "RR219", f"`{effective.end.text}` is before `{effective.start.text}`", effective.end.span,
                help="the window runs from the first date through the second, both included",
            )
            ok = False
        return start, end, ok

    def integer(self, token: Token, what: str, allowed: tuple[int, ...] | None = None,
                minimum: int = 0) -> int | None:
        text = token.text
        if not (text.isascii() and text.isdigit()):
            self.error("RR220", f"{what} must be a whole number, not `{text}`", token.span,
                       help="write digits only, without a sign, a point or a separator")
            return None
        if len(text.lstrip("0")) > 15:  # past any count, limit or number of days a rule means
            self.error("RR220", f"{what} must be under 10^15", token.span,
                       help="no count of units or limit comes near this: is a digit repeated?")
            return None
        value = int(text)
        if allowed is not None and value not in allowed:
            listed = ", ".join(str(a) for a in allowed)
            self.error("RR220", f"{what} must be one of {listed}, not `{text}`", token.span,
                       help=f"write one of {listed}")
            return None
        if value < minimum:
            self.error("RR220", f"{what} must be at least {minimum}", token.span,
                       help=f"write {minimum} or more")
            return None
        return value


def source_of(span: Span) -> str:
    """``file:line``, as findings show where a rule was written."""
    return f"{span.file}:{span.line}"


def payers_named(tokens) -> frozenset | None:
    """The payers a `for payer` list names (its tokens), as claims' payers are compared (:func:`payer_key`);
    None for no list: every payer."""
    return frozenset(payer_key(token.text) for token in tokens) or None
