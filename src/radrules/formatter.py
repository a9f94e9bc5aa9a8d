"""The canonical layout of rule files: ``format_rules(text) -> text``.

The formatter reads the concrete parse tree (every keyword, comma and
parenthesis, with positions) and the comments the grammar ignores, and
writes the file in the layout docs/language.md ("Canonical layout")
describes. It never changes what the rules mean: the syntax tree of the
result, without positions, is the syntax tree of the input (with a block's
clauses in canonical order and the header first), and ``format_rules``
checks that before it returns. Formatting is idempotent.

How comments are kept: each comment belongs to the line-level unit it sits
in or before (a statement, a block's first line, a clause, a row, ``end``).
A comment on a line of its own stays on a line of its own before its unit;
a comment at the end of a line stays at the end of the line that ends with
the same token. A comment inside a unit moves to the next line break of the
canonical layout (in a condition, the end of the part it is in, or above
the line of the operator it follows; in a code list, the end of the line);
where a unit is one line, the first such comment goes to the end of the
line and any others above it. Each comment lands where the next run puts
it again, which is what makes formatting idempotent.
"""

from __future__ import annotations

import functools
import threading

import attrs
from lark import Lark, Tree
from lark.lexer import Token as LarkToken

from . import _resources
from . import syntax as s
from .errors import RuleError, text_lines
from .parser import MAX_DEPTH, too_deep, parse_rules
from .tree_builder import unquote

__all__ = ["FormattingError", "format_rules", "WIDTH"]

#: Lines are wrapped at this many columns (comments at the end of a line do not count).
WIDTH = 100
#: How deep the layout tree may nest (RR106). It keeps every parenthesis and a group per chain, so a condition
#: nests about twice as deep here as in the syntax tree (MAX_DEPTH); the layout recurses a few frames a level.
LAYOUT_DEPTH = 2 * MAX_DEPTH
_INDENT = 2  # clauses and rows in a block
_HANG = 4  # a code list that starts on the line after `=` (or `for`)

_BLOCKS = ("rule", "pairs_block", "limits_block", "addons_block")
_CLAUSE_ORDER = {
    "kind_clause": 0, "for_payer": 1, "for_type": 2, "unless_table": 3, "effective": 4, "effective_through": 4,
    "when": 5, "then": 6, "once_per_line": 7, "once_per_claim": 7, "across_providers": 8, "carc": 9, "rarc": 10,
    "group_when": 11, "reference": 12, "severity": 13,
}
_SYNTAX_CLAUSE_ORDER = {kind: order for order, kind in enumerate(s.CLAUSE_WORDS)}  # the canonical order
_INDICATOR_WORDS = {"0": "not allowed", "1": "allowed", "9": "not applicable"}
_FIELD_LIKE = ("field", "date_offset", "among")


def format_rules(text: str, name: str = "<string>") -> str:
    """``text`` (one rule file) in the canonical layout, comments kept.

    Raises :class:`~radrules.RuleError`, with the usual diagnostics, if the
    text does not parse; a file that parses but does not compile (an unknown
    set, say) is formatted like any other.
    """
    from .loader import require_texts, without_mark

    require_texts("format_rules", text=text, name=name)
    text = without_mark(text)  # (the canonical layout has none)
    before, diagnostics = parse_rules(text, name)
    if diagnostics:
        raise RuleError(diagnostics)
    tree, comments = _parse_concrete(text)
    # The layout keeps every parenthesis the syntax tree folds away: a condition can nest deeper here, and
    # the layout recurses, so it is held to the parser's limit (RR106) too.
    deep = too_deep(tree, name, text_lines(text), LAYOUT_DEPTH)
    if deep:
        raise RuleError(deep)
    result = _Formatter(_Source(tree, comments)).format(tree)
    after, diagnostics = parse_rules(result, name)
    if diagnostics or meaning(after) != meaning(before):  # pragma: no cover - a formatter bug
        raise FormattingError(f"{name}: formatting would change the rules (a bug in radrules fmt; please report it)")
    return result


class FormattingError(RuntimeError):
    """The canonical layout would change what a file's rules mean: a bug in the formatter, caught before it
    can write anything."""


def meaning(source: s.SourceFile) -> tuple:
    """What formatting keeps of a parsed file: its statements without spans.

    A block's clauses are taken in canonical order and a lone header first,
    since the formatter moves them there (neither order means anything).
    """
    statements = list(source.statements)
    headers = [st for st in statements if isinstance(st, s.Header)]
    if len(headers) == 1:
        statements.remove(headers[0])
        statements.insert(0, headers[0])
    shaped = []
    for statement in statements:
        if isinstance(statement, (s.Rule, s.PairsBlock, s.LimitsBlock, s.AddonsBlock)):
            clauses = sorted(statement.clauses, key=lambda c: _SYNTAX_CLAUSE_ORDER[type(c)])
            statement = attrs.evolve(statement, clauses=tuple(clauses))
        shaped.append(s.without_spans(statement))
    return tuple(shaped)


# ---------------------------------------------------------------- concrete parse

_CAPTURED = threading.local()


def _capture_comment(token: LarkToken) -> LarkToken:
    _CAPTURED.comments.append(token)
    return token


@functools.lru_cache(maxsize=1)
def _layout_parser() -> Lark:
    """The grammar's parser keeping every token and reporting comments (built once).

    A separate parser from ``grammar.rule_parser()``, which stays lean for
    loading rules: this one keeps punctuation and keywords in the tree.
    """
    return Lark(
        _resources.grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
        keep_all_tokens=True, maybe_placeholders=False, lexer_callbacks={"COMMENT": _capture_comment},
    )


def _parse_concrete(text: str) -> tuple[Tree, list[LarkToken]]:
    _CAPTURED.comments = []
    try:
        tree = _layout_parser().parse(text)
        return tree, list(_CAPTURED.comments)
    finally:
        _CAPTURED.comments = []


@attrs.frozen
class _Comment:
    text: str
    trailing: bool  # a token stands before it on its line
    blank: bool  # a blank line right before it


class _Source:
    """The tokens of a file in order, and the comments in each gap between two tokens."""

    def __init__(self, tree: Tree, comments: list[LarkToken]):
        self.tokens: list[LarkToken] = sorted(
            tree.scan_values(lambda v: isinstance(v, LarkToken)), key=lambda t: t.start_pos)
        self.index = {token.start_pos: i for i, token in enumerate(self.tokens)}
        self._gaps: list[list[_Comment]] = [[] for _ in range(len(self.tokens) + 1)]
        self.tok_blank = [False] * len(self.tokens)
        items = sorted([(t.start_pos, 1, t) for t in self.tokens] + [(c.start_pos, 0, c) for c in comments],
                       key=lambda item: item[0])
        seen = 0  # tokens seen so far
        previous = None  # (end line, is a token)
        for _, is_token, item in items:
            blank = previous is not None and item.line - previous[0] >= 2
            if is_token:
                self.tok_blank[seen] = blank
                seen += 1
                previous = (item.end_line, True)
            else:
                trailing = previous is not None and previous[1] and previous[0] == item.line
                self._gaps[seen].append(_Comment(str(item).rstrip(), trailing, blank))
                previous = (item.line, False)
        self.skip: dict[int, int] = {}  # token index -> leading comments printed elsewhere

    def gap(self, i: int) -> list[_Comment]:
        """Comments between token ``i`` and token ``i + 1`` (``i = -1``: before the first)."""
        return self._gaps[i + 1]

    def lead(self, i: int) -> list[_Comment]:
        """Comments on lines of their own right before token ``i``."""
        found = [c for c in self.gap(i - 1) if not c.trailing]
        return found[self.skip.get(i, 0):]

    def trailing(self, i: int) -> _Comment | None:
        """The comment at the end of the line that token ``i`` ends."""
        return next((c for c in self.gap(i) if c.trailing), None)

    def between(self, a: int, b: int) -> list[_Comment]:
        """Every comment between token ``a`` and token ``b``."""
        return [c for i in range(a, b) for c in self.gap(i)]

    def first_blank(self, i: int) -> bool:
        """Whether the author left a blank line before token ``i`` and its leading comments."""
        lead = self.lead(i)
        return lead[0].blank if lead else self.tok_blank[i]


# ---------------------------------------------------------------- layout pieces


@attrs.define
class _Line:
    """One output line under construction: its column, text, and last source token."""

    indent: int
    text: str
    last: int = -1
    lead: int = -1  # comments from the line's first token up to this one go above the line

    @property
    def end(self) -> int:
        return self.indent + len(self.text)


@attrs.frozen
class _Atom:
    """Text the formatter writes in place of some source tokens."""

    text: str
    first: int = -1
    last: int = -1


def _append(frag: list[_Line], more: list[_Line], sep: str) -> None:
    """Continue ``frag``'s last line with ``more``'s first line; add the others."""
    tail, head = frag[-1], more[0]
    if head.text:
        tail.text = tail.text + sep + head.text if tail.text else head.text
    tail.last = max(tail.last, head.last)
    frag.extend(more[1:])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _leaves(node) -> list[LarkToken]:
    return list(node.scan_values(lambda v: isinstance(v, LarkToken))) if isinstance(node, Tree) else [node]


def _end_leaf(node, side: int) -> LarkToken | None:
    """``_leaves(node)[side]`` for side 0 or -1, without visiting the whole tree (layout asks often)."""
    if isinstance(node, LarkToken):
        return node
    if not isinstance(node, Tree):
        return None
    for child in (node.children if side == 0 else reversed(node.children)):
        found = _end_leaf(child, side)
        if found is not None:
            return found
    return None


class _Formatter:
    def __init__(self, src: _Source):
        self.src = src
        self.out: list[tuple] = []  # ("code", indent, text, comment) | ("comment", indent, text) | ("blank",)
        self._inline = 0  # > 0 while a chain is tried on one line

    # ------------------------------------------------------------ tokens

    def idx(self, token: LarkToken) -> int:
        return self.src.index[token.start_pos]

    def first(self, node) -> int:
        if isinstance(node, _Atom):
            return node.first
        return self.idx(node if isinstance(node, LarkToken) else _end_leaf(node, 0))

    def last(self, node) -> int:
        if isinstance(node, _Atom):
            return node.last
        return self.idx(node if isinstance(node, LarkToken) else _end_leaf(node, -1))

    def atom(self, text: str, *tokens: LarkToken) -> _Atom:
        indexes = [self.idx(t) for t in tokens]
        return _Atom(text, min(indexes, default=-1), max(indexes, default=-1))

    @staticmethod
    def text(token: LarkToken) -> str:
        if token.type == "STRING":
            return _quote(unquote(token))
        return " ".join(token.split()) if token.type == "WORKDAY" else str(token)  # (`to a workday`: one token)

    # ------------------------------------------------------------ generic layout

    def lay(self, node, col: int) -> list[_Line]:
        """``node`` laid out from column ``col``: its first line continues the caller's."""
        if isinstance(node, _Atom):
            return [_Line(col, node.text, node.last)]
        if isinstance(node, LarkToken):
            return [_Line(col, self.text(node), self.idx(node))]
        special = getattr(self, f"_lay_{node.data}", None)
        if special is not None:
            return special(node, col)
        words = getattr(self, f"_words_{node.data}", None)
        return self.seq(words(node) if words else node.children, col)

    def seq(self, items, col: int) -> list[_Line]:
        """Items one after the other, a space apart (none inside brackets, before commas, around dots)."""
        frag = [_Line(col, "")]
        previous = None
        for item in items:
            sep = "" if previous is None else self._sep(self._edge(previous, -1), self._edge(item, 0))
            _append(frag, self.lay(item, frag[-1].end + len(sep)), sep)
            previous = item
        return frag

    def _edge(self, node, side: int) -> str:
        if isinstance(node, _Atom):
            return node.text
        return str(_end_leaf(node, side))

    @staticmethod
    def _sep(before: str, after: str) -> str:
        if before in ("(", "[", ".") or after in (")", "]", ",", "."):
            return ""
        return " "

    # ------------------------------------------------------------ words: canonical spellings

    def _words_table(self, node):
        """`for payer`, then `for ... claims`, then `effective`, whichever came first (every order parses)."""
        order = {"for_payer": 1, "for_type": 2, "effective": 3, "effective_through": 3}
        return sorted(node.children, key=lambda c: order.get(c.data, 0) if isinstance(c, Tree) else 0)

    def _words_is_(self, node):
        left, word, right = node.children
        return [left, self.atom("=" if self._field_like(right) else "is", word), right]

    def _words_is_not(self, node):
        left, is_, not_, right = node.children
        return [left, self.atom("!=" if self._field_like(right) else "is not", is_, not_), right]

    def _words_compare(self, node):
        left, op, right = node.children
        if str(op) in ("=", "!=") and self._keyword_after_is(right):
            return node.children  # `= missing` compares with a name: `is missing` would be a presence test
        if str(op) == "=":
            return self._words_is_(node)
        if str(op) == "!=":
            return [left, self.atom("!=" if self._field_like(right) else "is not", op), right]
        return node.children

    @staticmethod
    def _keyword_after_is(operand) -> bool:
        """Whether ``operand`` is a lone word that means something else after ``is``: missing, present, not."""
        leaves = _leaves(operand) if isinstance(operand, Tree) else [operand]
        return len(leaves) == 1 and str(leaves[0]) in ("missing", "present", "not")

    def _words_is_present(self, node):
        operand, *words = node.children
        return [operand, self.atom("is present", *words)]

    @staticmethod
    def _field_like(operand) -> bool:
        return isinstance(operand, Tree) and operand.data in _FIELD_LIKE

    def _words_for_payer(self, node):
        for_, word, *payers = node.children
        several = any(isinstance(p, LarkToken) and str(p) == "," for p in payers)
        return [for_, self.atom("payers" if several else "payer", word), *payers]

    def _words_for_type(self, node):
        for_, claim_type, *claims = node.children
        return [for_, claim_type, self.atom("claims", *claims)]

    def _words_same_property(self, node):
        with_, *words = node.children
        at = next(i for i, word in enumerate(words) if isinstance(word, LarkToken) and word.type == "NAME")
        return [with_, self.atom("the same", *words[:at]), *words[at:]]  # the NAME, then `among SET` if written

    def _words_same_date(self, node):
        on, *words = node.children
        return [on, self.atom("the same date", *words)]

    def _words_indicator_word(self, node):
        (word,) = node.children
        return [self.atom(_INDICATOR_WORDS.get(str(word), str(word)), word)]

    def _words_indicator_allowed(self, node):
        return [self.atom("allowed", *node.children)]

    def _words_indicator_not_allowed(self, node):
        return [self.atom("not allowed", *node.children)]

    def _words_indicator_not_applicable(self, node):
        return [self.atom("not applicable", *node.children)]

    # ------------------------------------------------------------ conditions

    def _lay_when(self, node, col: int) -> list[_Line]:
        word, condition = node.children
        frag = [_Line(col, "when", self.idx(word))]
        start = col + len("when ")
        if isinstance(condition, Tree) and condition.data in ("or_", "and_"):
            _append(frag, self._chain(condition, start, force=True), " ")
        else:
            _append(frag, self.lay(condition, start), " ")
        return frag

    def _lay_or_(self, node, col: int) -> list[_Line]:
        return self._chain(node, col, force=False)

    _lay_and_ = _lay_or_

    def _chain(self, node: Tree, col: int, force: bool) -> list[_Line]:
        """``a and b and c`` (or ``or``): on one line if it fits, else one part per line.

        The operators stand at the start of the lines, right-aligned so every
        part starts in column ``col``. A comment between two parts breaks the
        chain there; one right after an operator goes above its line.
        """
        parts, operators = [], []

        def flatten(item):  # a chain's children alternate: part, operator, part, ...
            if isinstance(item, Tree) and item.data == node.data:
                children = item.children
                flatten(children[0])
                for word, right in zip(children[1::2], children[2::2]):
                    operators.append(word)
                    flatten(right)
            else:
                parts.append(item)

        flatten(node)
        if not force and not self.src.between(self.first(node), self.first(parts[-1])):
            items = [parts[0]]
            for word, part in zip(operators, parts[1:]):
                items += [word, part]
            if node.data == "or_":
                items = [[_Atom("("), x, _Atom(")")] if isinstance(x, Tree) and x.data == "and_" else [x]
                         for x in items]
                items = [x for group in items for x in group]
            self._inline += 1
            try:
                inline = self.seq(items, col)
            finally:
                self._inline -= 1
            if len(inline) == 1 and inline[0].end <= WIDTH:
                return inline
        if self._inline:
            # Within a caller's try at one line: this chain does not fit on one, so neither does the
            # caller's, whatever this chain's lines would be. Laying them out would repeat at every level.
            return [_Line(col, ""), _Line(col, "")]
        frag = self._chain_part(parts[0], col)
        for word, part in zip(operators, parts[1:]):
            indent = max(col - len(word) - 1, 0)
            line = [_Line(indent, str(word), self.idx(word), lead=self.first(part))]
            _append(line, self._chain_part(part, indent + len(word) + 1), " ")
            frag.extend(line)
        return frag

    def _chain_part(self, part, col: int) -> list[_Line]:
        """One part of a chain; an ``and`` chain inside an ``or`` gets parentheses."""
        if isinstance(part, Tree) and part.data == "and_":
            return self.seq([_Atom("("), part, _Atom(")")], col)
        return self.lay(part, col)

    # ------------------------------------------------------------ code lists

    def _lay_set_expr(self, node, col: int, hang: int | None = None) -> list[_Line]:
        """A code list: ``a, b, c [except d, e]``.

        Items keep the author's lines: a line break between two items stays
        (also before ``except``); a line longer than WIDTH is wrapped. Lines
        after the first start under the first item, or at ``hang`` when the
        list started on the line after its keyword.
        """
        atoms: list[_Atom] = []
        breakable: list[bool] = []  # may a line break before atoms[k]?
        authored: list[bool] = []  # did the author break the line there?
        for child in node.children:
            if isinstance(child, LarkToken):  # `except`
                atoms.append(self.atom(str(child), child))
                breakable.append(True)
                authored.append(child.line > self.src.tokens[atoms[-2].first].end_line)
                continue
            for n, token in enumerate(_leaves(child)):
                if str(token) == "," and token.type != "STRING":
                    previous = atoms[-1]
                    atoms[-1] = _Atom(previous.text + ",", previous.first, self.idx(token))
                    continue
                after_except = n == 0 and len(atoms) > 0
                author = bool(atoms) and token.line > self.src.tokens[atoms[-1].first].end_line
                atoms.append(self.atom(self.text(token), token))
                breakable.append(bool(atoms[:-1]) and not after_except)
                authored.append(author and not after_except)
        frag = [_Line(col, "")]
        if hang is not None:
            frag.append(_Line(hang, ""))
        for atom, may_break, author_break in zip(atoms, breakable, authored):
            line = frag[-1]
            if not line.text:
                line.text, line.last = atom.text, atom.last
            elif may_break and (author_break or line.end + 1 + len(atom.text) > WIDTH):
                frag.append(_Line(col if hang is None else hang, atom.text, atom.last))
            else:
                line.text += " " + atom.text
                line.last = atom.last
        return frag

    _lay_set_expr_except = _lay_set_expr

    def _hangs(self, keyword: LarkToken, expr: Tree) -> bool:
        """Whether the author started a code list on the line after its keyword."""
        return _end_leaf(expr, 0).line > keyword.line

    # ------------------------------------------------------------ statements

    def _lay_set_def(self, node, col: int, head_width: int = 0) -> list[_Line]:
        kind, name, equals, expr = node.children
        head = f"{kind} {name}".ljust(head_width)
        frag = [_Line(col, f"{head} =", self.idx(equals))]
        hang = col + _HANG if self._hangs(equals, expr) else None
        _append(frag, self._lay_set_expr(expr, frag[-1].end + 1, hang), " ")
        return frag

    def _lay_property_def(self, node, col: int) -> list[_Line]:
        children = list(node.children)
        unless = children.pop() if isinstance(children[-1], Tree) and children[-1].data == "unless_table" else None
        *head, for_, expr = children
        frag = self.seq([*head, for_], col)
        hang = col + _HANG if self._hangs(for_, expr) else None
        _append(frag, self._lay_set_expr(expr, frag[-1].end + 1, hang), " ")
        if unless is not None:  # after the codes; on a line of its own when they take several
            tail = self.lay(unless, frag[-1].end + 1)
            if len(frag) == 1 and tail[0].end <= WIDTH:
                _append(frag, tail, " ")
            else:
                frag.extend(self.lay(unless, col + _HANG))
        return frag

    # ------------------------------------------------------------ output

    def format(self, tree: Tree) -> str:
        src = self.src
        statements = list(tree.children)
        headers = [k for k, st in enumerate(statements) if st.data == "header"]
        gap_before_first = False
        if len(headers) == 1 and headers[0] > 0:
            gap_before_first = self._preamble(statements[0])
            statements.insert(0, statements.pop(headers[0]))
        gaps = []
        for k, statement in enumerate(statements):
            if k == 0:
                gaps.append(gap_before_first)
            elif self._blockish(statements[k - 1]) or self._blockish(statement):
                gaps.append(True)
            else:
                gaps.append(src.first_blank(self.first(statement)))
        widths = self._set_head_widths(statements, gaps)
        for k, statement in enumerate(statements):
            if statement.data in _BLOCKS:
                self._block(statement, gaps[k])
            elif statement.data == "set_def":
                frag = self._lay_set_def(statement, 0, widths[k])
                self._emit(frag, self.first(statement), self.last(statement), gaps[k], top=True)
            else:
                frag = self.lay(statement, 0)
                self._emit(frag, self.first(statement), self.last(statement), gaps[k], top=True)
        end = [c for c in src.gap(len(src.tokens) - 1) if not c.trailing]
        for n, comment in enumerate(end):
            if n == 0 and statements:
                blank = comment.blank or self._blockish(statements[-1])
            else:
                blank = comment.blank and n > 0
            if blank:
                self.out.append(("blank",))
            self.out.append(("comment", 0, comment.text))
        return self._render()

    @staticmethod
    def _blockish(statement: Tree) -> bool:
        return statement.data in _BLOCKS or statement.data == "header"

    def _preamble(self, first: Tree) -> bool:
        """Print the file's opening comments (those a blank line parts from the first statement).

        Called when the header moves to the top: these comments stay above it.
        """
        index = self.first(first)
        lead = self.src.lead(index)
        cut = 0
        for n in range(len(lead)):
            after = lead[n + 1].blank if n + 1 < len(lead) else self.src.tok_blank[index]
            if after:
                cut = n + 1
        for n, comment in enumerate(lead[:cut]):
            if n and comment.blank:
                self.out.append(("blank",))
            self.out.append(("comment", 0, comment.text))
        self.src.skip[index] = cut
        return cut > 0

    def _set_head_widths(self, statements, gaps) -> list[int]:
        """Consecutive set definitions of one kind align their `=`."""
        widths = [0] * len(statements)
        run: list[int] = []

        def close():
            width = max((len(f"{statements[k].children[0]} {statements[k].children[1]}") for k in run), default=0)
            for k in run:
                widths[k] = width
            run.clear()

        for k, statement in enumerate(statements):
            if statement.data != "set_def":
                close()
                continue
            # A comment inside a definition that goes above it when laid out would part the run the
            # next time: it parts the run now too (formatting a formatted file changes nothing). One
            # that goes to the end of a line does not.
            first = self.first(statement)
            joins = (run and str(statements[run[-1]].children[0]) == str(statement.children[0])
                     and not gaps[k] and not self.src.lead(first) and not self._comment_above(statement))
            if not joins:
                close()
            run.append(k)
        close()
        return widths

    def _comment_above(self, statement: Tree) -> bool:
        """Whether laying out a set definition puts one of its inner comments above its first line."""
        first, last = self.first(statement), self.last(statement)
        if not self.src.between(first, last):
            return False
        saved, self.out = self.out, []
        try:
            self._emit(self._lay_set_def(statement, 0), first, last, False, top=True)
            return self.out[0][0] == "comment"
        finally:
            self.out = saved

    def _block(self, node: Tree, gap: bool) -> None:
        children = node.children
        keyword, rule_id, *rest = children
        head = [keyword, rule_id]
        if rest and isinstance(rest[0], LarkToken) and rest[0].type == "STRING":
            head.append(rest.pop(0))
        end = rest.pop()
        clauses = sorted((c for c in rest if c.data in _CLAUSE_ORDER), key=lambda c: _CLAUSE_ORDER[c.data])
        rows = [c for c in rest if c.data not in _CLAUSE_ORDER]
        self._emit(self.seq(head, 0), self.first(head[0]), self.last(head[-1]), gap, top=True)
        for n, unit in enumerate(clauses + rows):
            index = self.first(unit)
            lead = self.src.lead(index)
            if n == 0:
                blank = False
            elif n >= len(clauses):
                blank = self.src.first_blank(index)
            else:
                blank = bool(lead) and lead[0].blank
            self._emit(self.lay(unit, _INDENT), index, self.last(unit), blank)
        lead = self.src.lead(self.idx(end))
        blank = bool(lead) and lead[0].blank and bool(clauses or rows)
        self._emit([_Line(0, "end", self.idx(end))], self.idx(end), self.idx(end), blank, lead_indent=_INDENT)

    def _emit(self, frag: list[_Line], first: int, last: int, gap: bool, top: bool = False,
              lead_indent: int | None = None) -> None:
        """Write one unit's lines with its comments (see the module docstring)."""
        src, out = self.src, self.out
        if gap:
            out.append(("blank",))
        lead = src.lead(first)
        for n, comment in enumerate(lead):
            if n and comment.blank:
                out.append(("blank",))
            out.append(("comment", frag[0].indent if lead_indent is None else lead_indent, comment.text))
        if lead and top and src.tok_blank[first]:
            out.append(("blank",))
        start = first
        for k, line in enumerate(frag):
            if k and line.lead > start:
                out.extend(("comment", line.indent, c.text) for c in src.between(start, line.lead))
                start = line.lead
            final = k == len(frag) - 1
            end = last if final else max(line.last, start - 1)
            natural = src.trailing(end)
            found = src.between(start, end) + ([] if final else [c for c in src.gap(end) if c is not natural])
            slot = natural or next((c for c in found if c.trailing), None)
            moved = [c for c in found if c is not slot]
            if final:
                out.extend(("comment", line.indent, c.text) for c in moved)
            out.append(("code", line.indent, line.text, slot.text if slot else None))
            if not final:
                out.extend(("comment", frag[k + 1].indent, c.text) for c in moved)
            start = end + 1

    def _render(self) -> str:
        lines: list[tuple] = []
        for entry in self.out:
            if entry[0] == "blank" and (not lines or lines[-1][0] == "blank"):
                continue
            lines.append(entry)
        while lines and lines[-1][0] == "blank":
            lines.pop()
        texts = []
        run: list[int] = []  # consecutive code lines: their trailing comments line up

        def close():
            widths = [len(texts[k]) for k in run if len(texts[k]) <= WIDTH]
            column = max(widths, default=0) + 2
            for k in run:
                texts[k] = texts[k].ljust(column) + lines[k][3] if len(texts[k]) <= WIDTH \
                    else f"{texts[k]}  {lines[k][3]}"
            run.clear()

        for k, entry in enumerate(lines):
            if entry[0] == "code":
                texts.append((" " * entry[1] + entry[2]).rstrip())
                if entry[3] is not None:
                    run.append(k)
                    continue
            else:
                texts.append("" if entry[0] == "blank" else " " * entry[1] + entry[2])
            close()
        close()
        return "\n".join(texts) + "\n" if texts else ""
