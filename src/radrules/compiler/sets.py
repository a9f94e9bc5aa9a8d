"""Named code sets and set expressions: resolve names, check elements, expand ranges."""

from __future__ import annotations

import attrs

from .. import codes
from .. import syntax as s
from ..conditions import PrefixMatch
from ..errors import suggestion
from .context import Context

#: Set kinds and how one element reads in a message.
SET_KINDS = {
    "codes": "procedure code",
    "diagnoses": "diagnosis code",
    "modifiers": "modifier",
    "places": "place of service",
    "values": "value",
}
MAX_SET_SIZE = 1_000_000

_CODE_HELP = "procedure codes have 5 characters: 5 digits, 4 digits and a letter, or a letter and 4 digits"
_CHECKS = {
    "codes": (codes.is_procedure_code, "RR203", _CODE_HELP),
    "diagnoses": (codes.is_diagnosis, "RR206", "ICD-10-CM codes look like `R10.9` or `Z87891`; end with `*` for a prefix"),
    "modifiers": (codes.is_modifier, "RR205", "modifiers have two letters or digits, e.g. `26`, `TC`, `XS`"),
    "places": (codes.is_place_of_service, "RR207", "places of service have two digits, e.g. `11`, `22`"),
}


@attrs.frozen
class ResolvedSet:
    kind: str
    values: frozenset
    prefixes: tuple = ()
    carved: tuple = ()  # PrefixMatch: prefixes with codes taken out by `except`


class SetTable:
    """The named sets of a ruleset, resolved on demand (cycles reported once)."""

    def __init__(self, ctx: Context, definitions: dict[str, s.SetDef]):
        self.ctx = ctx
        self.definitions = definitions
        self.resolved: dict[str, ResolvedSet | None] = {}
        self._resolving: list[str] = []

    def names(self) -> list[str]:
        return list(self.definitions)

    def resolve_all(self) -> None:
        for name in self.definitions:
            self.named(name)

    def named(self, name: str) -> ResolvedSet | None:
        if name in self.resolved:
            return self.resolved[name]
        definition = self.definitions[name]
        if name in self._resolving:
            cycle = " -> ".join(self._resolving[self._resolving.index(name):] + [name])
            self.ctx.error("RR213", f"set `{name}` is defined in terms of itself ({cycle})", definition.name.span)
            self.resolved[name] = None
            return None
        self._resolving.append(name)
        result = self.evaluate(definition.expr, definition.kind.text)
        self._resolving.pop()
        if name not in self.resolved:
            self.resolved[name] = result
        return self.resolved[name]

    # ------------------------------------------------------------ expressions

    def evaluate(self, expr: s.SetExpr, kind: str) -> ResolvedSet | None:
        """The set ``expr`` stands for, checked as a set of ``kind``; None after errors."""
        included = self._union(expr.items, kind)
        excluded = self._union(expr.excluded, kind)
        if included is None or excluded is None:
            return None
        values, prefixes, carved = included
        drop_values, drop_prefixes, drop_carved = excluded
        if drop_prefixes:
            values = {v for v in values if not v.startswith(drop_prefixes)}
            prefixes = [p for p in prefixes if not p.startswith(drop_prefixes)]
            carved = [m for m in carved if not m.prefix.startswith(drop_prefixes)]
        if drop_carved:
            values = {v for v in values if not any(m.matches(v) for m in drop_carved)}
        values = frozenset(values) - drop_values
        if drop_values or drop_prefixes or drop_carved:
            # What `except` takes out from under a prefix stays with that prefix.
            matches = [_carve(m, excluded) for m in [PrefixMatch(p) for p in prefixes] + list(carved)]
            prefixes = [m.prefix for m in matches if not m.carves]
            carved = [m for m in matches if m.carves]
        if len(values) > MAX_SET_SIZE:
            self.ctx.error("RR253", f"this set has {len(values):,} members; at most {MAX_SET_SIZE:,} are allowed",
                           expr.span)
            return None
        return ResolvedSet(kind, values, tuple(sorted(set(prefixes))), tuple(carved))

    def _union(self, items, kind: str):
        values: set = set()
        prefixes: list = []
        carved: list = []
        ok = True
        for item in items:
            part = self._item(item, kind)
            if part is None:
                ok = False
                continue
            values |= part[0]
            prefixes.extend(part[1])
            carved.extend(part[2] if len(part) > 2 else ())
        return (frozenset(values), tuple(prefixes), tuple(carved)) if ok else None

    def _item(self, item, kind: str):
        token = item.token
        text = token.text
        if isinstance(item, s.SetRef):
            if kind == "values":
                return {text}, ()
            return self._reference(token, kind)
        if isinstance(item, s.SetText):
            if kind == "values":
                return {text}, ()
            self.ctx.error("RR209", f"quoted text can't be a {SET_KINDS[kind]}", token.span,
                           help="write codes without quotes")
            return None
        if isinstance(item, s.SetRange):
            return self._range(token, kind)
        # a word
        if kind == "values":
            return {text}, ()
        if kind == "diagnoses" and text.endswith("*"):
            prefix = codes.normalize_diagnosis(text[:-1])
            if not prefix or not prefix[0].isalpha():
                self.ctx.error("RR206", f"`{text}` is not a diagnosis prefix", token.span,
                               help="a prefix starts with the letter of an ICD-10-CM chapter, e.g. `C34*`")
                return None
            return set(), (prefix,)
        check, code, hint = _CHECKS[kind]
        if not check(text):
            self.ctx.error(code, f"`{text}` is not a valid {SET_KINDS[kind]}", token.span, help=hint)
            return None
        if kind == "diagnoses":
            text = codes.normalize_diagnosis(text)
        return {text}, ()

    def _range(self, token: s.Token, kind: str):
        text = token.text
        if kind == "values":
            self.ctx.error("RR208", "a range is not allowed here", token.span)
            return None
        parts = text.split("-")
        if len(parts) != 2:
            self.ctx.error("RR208", f"`{text}` is not a range", token.span, help="a range is two codes joined by `-`")
            return None
        check, code, hint = _CHECKS[kind]
        for part in parts:
            if not check(part):
                self.ctx.error(code, f"`{part}` is not a valid {SET_KINDS[kind]}", token.span, help=hint)
                return None
        low, high = parts
        if kind == "diagnoses":
            low, high = codes.normalize_diagnosis(low), codes.normalize_diagnosis(high)
        try:
            return set(codes.expand_range(low, high)), ()
        except ValueError as problem:
            self.ctx.error("RR208", f"bad range `{text}`: {problem}", token.span)
            return None

    def _reference(self, token: s.Token, kind: str):
        name = token.text
        if name not in self.definitions:
            help = suggestion(name, self.definitions)
            upper = name.upper()
            if help is None and kind in _CHECKS and _CHECKS[kind][0](upper):
                help = f"codes are written in capitals: `{upper}`"
            self.ctx.error("RR201", f"unknown set `{name}`", token.span, help=help)
            return None
        resolved = self.named(name)
        if resolved is None:
            return None
        if resolved.kind != kind:
            defined = self.definitions[name].kind.text
            self.ctx.error(
                "RR202", f"`{name}` is a set of {defined}, but a set of {kind} is needed here", token.span,
            )
            return None
        return set(resolved.values), resolved.prefixes, resolved.carved


def _carve(match: PrefixMatch, excluded) -> PrefixMatch:
    """``match`` minus the excluded values, prefixes and carved prefixes that fall under it."""
    drop_values, drop_prefixes, drop_carved = excluded
    prefix = match.prefix
    values = frozenset(v for v in drop_values if v.startswith(prefix))
    prefixes = tuple(p for p in drop_prefixes if p.startswith(prefix))
    carved = tuple(m for m in drop_carved if m.prefix.startswith(prefix) or prefix.startswith(m.prefix))
    if not (values or prefixes or carved):
        return match
    return PrefixMatch(prefix, match.except_values | values, match.except_prefixes + prefixes,
                       match.except_carved + carved)
