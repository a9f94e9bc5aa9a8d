"""``# allow CODE: reason`` comments: a warning of a rule file allowed where it is (docs/language.md, "Allowing a
warning"; errors.md RR270-RR272).

The grammar drops comments, so they are read here from the lines of the rule files, once every other pass has
reported: a comment at the end of a line a warning points at (any line of its span: `radrules fmt` moves a
comment at the end of a condition's first line to the end of its last part), or alone on the line just above
its first, that names the warning's code takes the warning out of the ruleset's warnings into its allowed
ones. Warnings at a table file's rows, and errors, are never allowed.
"""

from __future__ import annotations

import re

import attrs

from ..errors import COUNT_CODES, ERROR_CODES, RETIRED_CODES, WARNING_CODES, nearest, printable, shortened, text_lines
from ..syntax import Span

#: The warnings about the comments themselves: never allowed (a comment would allow its own problem).
OWN_CODES = ("RR270", "RR271", "RR272")

#: A comment that starts so is an `allow` comment (one that goes on `# allow the payer's ...` is not).
_ALLOW = re.compile(r"#[ \t]*allow[ \t]+(?=[Rr][Rr][0-9])")
#: A code as written in a comment without a colon: letters and digits (`RR269`; `RR26` is read, and refused),
#: and what may part it from the next.
_CODE = re.compile(r"[A-Za-z]*[0-9]\w*")
_BETWEEN = re.compile(r"[ \t]*,?[ \t]*")
#: The words of the codes part, before the colon.
_WORD = re.compile(r"[^\s,]+")


@attrs.frozen
class _Allow:
    """One `allow` comment with a reason: the codes it names that can be allowed, each with its span."""

    span: Span
    codes: tuple  # (code, span)
    alone: bool  # on a line of its own: it allows the warnings of the next line
    reason: str


def allow_warnings(comp) -> None:
    """Move the warnings that `allow` comments name at their lines to ``comp.allowed``; RR270 and RR271 for a
    comment that is wrong, RR272 for one that allows nothing (only after a compilation without errors: one with
    errors stops early, before some warnings are looked for)."""
    ctx = comp.ctx
    allows = []
    for source in ctx.sources.values():
        if "allow" in source.text:
            allows.extend(_read_allows(ctx, source))
    if not allows:
        return
    by_line = _by_line(allows)
    used = set()
    kept = []
    for diagnostic in ctx.diagnostics:
        span = diagnostic.span
        found = [] if diagnostic.is_error or span is None else _allowing(by_line, diagnostic.code, span)
        if found:
            comp.allowed.append(attrs.evolve(diagnostic, reason=found[0].reason))
            used.update((id(allow), diagnostic.code) for allow in found)
        else:
            kept.append(diagnostic)
    ctx.diagnostics[:] = kept
    if ctx.has_errors:
        return
    for allow in allows:
        for code, span in allow.codes:
            if (id(allow), code) not in used:
                where = "the next line" if allow.alone else "this line"
                ctx.warning("RR272", f"`# allow {code}` allows nothing: no {code} warning is at {where}", span,
                            help="remove the comment if the warning is gone; else put it at the end of the line "
                                 "the warning points at, or alone on the line above that")


def allowed_at(comp, code: str, span: Span) -> bool:
    """Whether an `allow` comment would allow a warning ``code`` at ``span``: for a pass whose warning depends on
    whether another is allowed (RR531 at a payer's oldest version, not once its RR532 is), before the last pass
    allows them. Reports nothing: the last pass reports the comments that are wrong."""
    source = comp.ctx.sources.get(span.file)
    if source is None or "allow" not in source.text:
        return False
    return bool(_allowing(_by_line(_read_allows(None, source)), code, span))


def _by_line(allows: list) -> dict:
    """(file, line) -> the `allow` comments that allow the warnings of that line."""
    by_line: dict = {}
    for allow in allows:
        by_line.setdefault((allow.span.file, allow.span.line + allow.alone), []).append(allow)
    return by_line


def _allowing(by_line: dict, code: str, span: Span) -> list:
    """The comments of ``by_line`` that allow a warning ``code`` at ``span``: at the end of any line of it, or alone
    on the line above its first."""
    return [allow for line in range(span.line, max(span.line, span.end_line) + 1)
            for allow in by_line.get((span.file, line), ())
            if (line == span.line or not allow.alone) and any(named == code for named, _ in allow.codes)]


def _read_allows(ctx, source) -> list:
    """The `allow` comments of one rule file that have a reason, after reporting those that are wrong (``ctx``
    None: reporting nothing)."""
    found = []
    for number, line in enumerate(text_lines(source.text), 1):
        if "allow" not in line or "#" not in line:
            continue
        start = _comment_start(line)
        match = _ALLOW.match(line, start) if start is not None else None
        if match is None:
            continue
        comment = line[start:].rstrip()
        whole = Span(source.name, number, start + 1, number, start + len(comment) + 1)
        colon = line.find(":", match.end())
        words = [] if colon < 0 else list(_WORD.finditer(line, match.end(), colon))
        if colon < 0:  # no reason: the codes are those written first (`# allow RR269 acmex is real`)
            at = match.end()
            while (code := _CODE.match(line, at)) is not None:
                words.append(code)
                at = _BETWEEN.match(line, code.end()).end()
        codes = []
        for word in words:
            span = Span(source.name, number, word.start() + 1, number, word.end() + 1)
            code = word.group().upper()
            problem = _unallowed(code, word.group())
            if problem is not None:
                if ctx is not None:
                    ctx.warning("RR270", problem[0], span, help=problem[1])
            elif code not in (known for known, _ in codes):
                codes.append((code, span))
        reason = line[colon + 1:].strip() if colon >= 0 else ""
        if not reason:  # allows nothing: reported once, when ``ctx`` is given
            if ctx is not None:
                named = ", ".join(code for code, _ in codes) or "CODE"
                ctx.warning("RR271", "an `allow` comment needs a reason, after a colon", whole,
                            help=f"say why the warning does not apply here: `# allow {named}: <reason>`; until then "
                                 "it allows nothing")
        elif codes:
            found.append(_Allow(whole, tuple(codes), not line[:start].strip(), reason))
    return found


def _unallowed(code: str, written: str) -> tuple[str, str] | None:
    """(message, help) of RR270 for a code an `allow` comment can't name, or None for a warning's."""
    shown = f"`{shortened(printable(written))}`"
    if code in OWN_CODES:
        return (f"{shown} is about `allow` comments themselves and can't be allowed",
                "correct the comment it points at, or remove it")
    if code in WARNING_CODES:
        return None
    if code in RETIRED_CODES:
        return (f"{shown} is no longer given: {RETIRED_CODES[code]}", "remove it from the comment")
    if code in COUNT_CODES:
        return (f"{shown} counts problems not shown and can't be allowed",
                "the problems it counts are shown once those above are dealt with: allow those that are warnings "
                "where they are")
    if code in ERROR_CODES:
        return (f"{shown} is an error: only warnings can be allowed",
                "an error stops the rules from loading: correct what it points at")
    # Codes differ in a digit or two, so several can be as near: up to three are named, more are no guess.
    near = [f"`{found}`" for found in nearest(code, WARNING_CODES)]
    if not near or len(near) > 3:
        return (f"{shown} is not a radrules code", "write the code a warning shows, such as `RR269`: "
                "docs/errors.md lists them")
    named = near[0] if len(near) == 1 else f"{', '.join(near[:-1])} or {near[-1]}"
    return f"{shown} is not a radrules code", f"did you mean {named}?"


def _comment_start(line: str) -> int | None:
    """Where the comment of a rule-file line starts: its first `#` outside quotes (a quoted text is on one line,
    with `\\"` and `\\\\` escaped), or None."""
    quoted = False
    index = 0
    while index < len(line):
        char = line[index]
        if quoted and char == "\\":
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return index
        index += 1
    return None
