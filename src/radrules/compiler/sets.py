"""Named code sets and set expressions: resolve names, check elements, expand ranges."""

from __future__ import annotations

import bisect
import os
import re

import attrs

from .. import codes
from .. import syntax as s
from ..claim_values import bill_type_digits
from ..conditions import PrefixMatch
from ..errors import shortened, suggestion
from .context import Context

#: Set kinds and how one element reads in a message.
SET_KINDS = {
    "codes": "procedure code",
    "diagnoses": "diagnosis code",
    "modifiers": "modifier",
    "conditions": "condition code",
    "revenue_codes": "revenue code",
    "bill_types": "type of bill",
    "places": "place of service",
    "values": "value",
}
MAX_SET_SIZE = 1_000_000
#: The members all the sets of a ruleset may build (a set used by name is shared, not built again).
MAX_TOTAL_MEMBERS = 2_000_000
#: How many sets deep a set may be defined through others (sets are resolved recursively).
MAX_SET_DEPTH = 50

_SET_DEFINITION = re.compile(r"(?:codes|diagnoses|modifiers|places)[ \t]+([a-z_][a-z0-9_]*)[ \t]*=")
_CODE_HELP = "procedure codes have 5 characters: 5 digits, 4 digits and a letter, or a letter and 4 digits"
_CHECKS = {
    "codes": (codes.is_procedure_code, "RR203", _CODE_HELP),
    "diagnoses": (codes.is_diagnosis, "RR206",
                  "ICD-10-CM codes look like `R10.9` or `Z87891`; end with `*` for a prefix"),
    "modifiers": (codes.is_modifier, "RR205", "modifiers have two letters or digits, e.g. `26`, `TC`, `XS`"),
    "places": (codes.is_place_of_service, "RR207", "places of service have two digits, e.g. `11`, `22`"),
    "conditions": (codes.is_condition_code, "RR222", "condition codes have two capital letters or digits, e.g. "
                   "`45`, `A1`"),
    "revenue_codes": (codes.is_revenue_code, "RR223", "revenue codes have four digits, e.g. `0255`; `096X` is "
                      "0960-0969"),
    "bill_types": (lambda text: bill_type_digits(text) is not None, "RR210",
                   "write 2 digits and the frequency code, or 4 with a leading 0: `131`, `0131`, `13Q`; `13*` is "
                   "every 13x bill"),
}
#: The kinds of sets no statement names: their members are written in the rule.
_UNNAMED = ("conditions", "revenue_codes", "bill_types")
#: The start of a type of bill and `*` (`13*`, `013*`: every frequency of 13x): 1 or 2 digits after the leading 0.
_BILL_TYPE_START = re.compile(r"0?([1-9][0-9]?)\*")


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
        self.built = 0  # members built so far, against MAX_TOTAL_MEMBERS
        self.over_budget = False  # RR253 for all the sets reported (once)
        self.too_deep = False  # RR254 reported (once)
        self._unparsed: frozenset | None = None

    def names(self) -> list[str]:
        return list(self.definitions)

    def unparsed(self) -> frozenset:
        """The names of the set definitions that did not parse: those a syntax error (RR1xx) is in, read from the
        statement's first line (the nearest line above it that is not indented). Only asked of an unknown set."""
        if self._unparsed is None:
            found = set()
            for diagnostic in self.ctx.diagnostics:
                span = diagnostic.span
                if not diagnostic.code.startswith("RR1") or span is None or span.file not in self.ctx.sources:
                    continue
                lines = self.ctx.lines(span.file)
                for text in reversed(lines[:span.line]):
                    if text[:1].strip() and not text.startswith("#"):
                        definition = _SET_DEFINITION.match(text)
                        if definition:
                            found.add(definition.group(1))
                        break
            self._unparsed = frozenset(found)
        return self._unparsed

    def resolve_all(self) -> None:
        """Resolve every set, after RR254 for the chains of sets more than MAX_SET_DEPTH deep, found from the
        definitions alone: whatever order the sets are written in (resolving in order cached the inner sets of a
        chain written inner first, so only a chain written outer first was too deep), and a set defined through
        MAX_SET_DEPTH others is within it."""
        depths = self._depths()
        deep = [name for name, depth in depths.items() if depth > MAX_SET_DEPTH + 1]
        if deep:
            # the set at the top of the longest chain (the first written, of several)
            longest = max(depths[name] for name in deep)
            first = next(name for name in self.definitions if depths.get(name) == longest)
            self.too_deep = True
            self.ctx.error("RR254", f"set `{first}` is defined through more than {MAX_SET_DEPTH} other sets, "
                           "one inside the next", self.definitions[first].name.span,
                           help="name the codes of the inner sets directly, in fewer steps")
            for name in deep:
                self.resolved[name] = None
        for name in self.definitions:
            self.named(name)

    def _depths(self) -> dict:
        """How many sets long the longest chain of named sets is from each set (1: it names none), a reference
        that closes a cycle counted as none (RR213 reports it), without recursion."""
        references = {}
        for name, definition in self.definitions.items():
            kind = definition.kind.text
            items = () if kind == "values" or kind in _UNNAMED else (*definition.expr.items, *definition.expr.excluded)
            references[name] = [item.token.text for item in items
                                if isinstance(item, s.SetRef) and item.token.text in self.definitions]
        depths: dict = {}
        for root in self.definitions:
            if root in depths:
                continue
            stack, on_path = [(root, iter(references[root]))], {root}
            while stack:
                name, pending = stack[-1]
                child = next(pending, None)
                if child is None:
                    stack.pop()
                    on_path.discard(name)
                    depths[name] = 1 + max((depths.get(r, 0) for r in references[name] if r not in on_path),
                                           default=0)
                elif child not in depths and child not in on_path:
                    stack.append((child, iter(references[child])))
                    on_path.add(child)
        return depths

    def named(self, name: str) -> ResolvedSet | None:
        if name in self.resolved:
            return self.resolved[name]
        definition = self.definitions[name]
        if name in self._resolving:
            cycle = " -> ".join(self._resolving[self._resolving.index(name):] + [name])
            self.ctx.error("RR213", f"set `{name}` is defined in terms of itself ({cycle})", definition.name.span,
                           help="define one of these sets from codes, not from the others")
            self.resolved[name] = None
            return None
        if len(self._resolving) > MAX_SET_DEPTH:  # (a chain resolve_all did not see: a set used in a rule)
            first = self._resolving[0]
            if not self.too_deep:  # one report: the rest of a long chain would repeat it
                self.too_deep = True
                self.ctx.error("RR254", f"set `{first}` is defined through more than {MAX_SET_DEPTH} other sets, "
                               "one inside the next", self.definitions[first].name.span,
                               help="name the codes of the inner sets directly, in fewer steps")
            for pending in self._resolving:
                self.resolved[pending] = None
            self.resolved[name] = None
            return None
        self._resolving.append(name)
        result = self.evaluate(definition.expr, definition.kind.text)
        self._resolving.pop()
        if result is not None and not (result.values or result.prefixes or result.carved):
            self.ctx.warning("RR262", f"set `{name}` is empty", definition.name.span,
                             help="`except` takes out every member: a test `in` it is never true")
        if name not in self.resolved:
            self.resolved[name] = result
        return self.resolved[name]

    # ------------------------------------------------------------ expressions

    def evaluate(self, expr: s.SetExpr, kind: str) -> ResolvedSet | None:
        """The set ``expr`` stands for, checked as a set of ``kind``; None after errors."""
        included = self._union(expr.items, kind)
        excluded = self._union(expr.excluded, kind) if included is not None else None
        if included is None or excluded is None:
            return None
        values, prefixes, carved = included
        drop_values, drop_prefixes, drop_carved = excluded
        if kind == "diagnoses" and drop_values:
            # A diagnosis holds the codes under it (conditions.Has): `except` takes those out with it.
            drop_prefixes = tuple(drop_prefixes) + tuple(sorted(drop_values))
            drop_values = frozenset()
            excluded = (drop_values, drop_prefixes, drop_carved)
        # Looked up by prefix, not scanned per member: thousands of prefixes `except` thousands took minutes.
        under_prefixes = _Prefixes(drop_prefixes)
        under_carved = _Prefixes([m.prefix for m in drop_carved])
        if kind == "diagnoses" and (drop_prefixes or drop_carved):
            # A member part of whose codes `except` takes out (`M80 except M80.08XA`; `A12 except s`, s with holes
            # under A12) is carved as a prefix is; the others stay members, or go whole.
            touched = {v for v in values if under_prefixes.below(v) or under_carved.below(v)
                       or any(drop_carved[i].carves for i in under_carved.above(v))}
            if touched:
                values = frozenset(values - touched)
                prefixes = [*prefixes, *sorted(touched)]
        if drop_prefixes:
            values = frozenset([v for v in values if not under_prefixes.above(v)])
            prefixes = [p for p in prefixes if not under_prefixes.above(p)]
            carved = [m for m in carved if not under_prefixes.above(m.prefix)]
        if drop_carved:
            values = frozenset([v for v in values if not any(drop_carved[i].matches(v) for i in under_carved.above(v))])
        if drop_values:
            values = values - drop_values
        if drop_values or drop_prefixes or drop_carved:
            # What `except` takes out from under a prefix stays with that prefix.
            ordered = sorted(drop_values)
            lookups = (ordered, under_prefixes, under_carved)
            matches = [_carve(m, excluded, lookups) for m in [PrefixMatch(p) for p in prefixes] + list(carved)]
            prefixes = [m.prefix for m in matches if not m.carves]
            carved = [m for m in matches if m.carves]
        return ResolvedSet(kind, values, tuple(sorted(set(prefixes))), tuple(carved))

    def _union(self, items, kind: str):
        """(values, prefixes, carved) of ``items``; None after an error. A set used by name alone is
        shared, not copied; a union that grows past MAX_SET_SIZE stops there (RR253)."""
        values: frozenset | set = frozenset()
        prefixes: list = []
        carved: list = []
        ok = True
        for item in items:
            part = self._item(item, kind)
            if part is None:
                ok = False
                continue
            if not values:
                values = part[0]  # the first part as it is: a named set's frozenset is not copied
            elif part[0]:
                if isinstance(values, frozenset):  # a named set, copied to add to it: its members are built
                    values = set(values)
                    if not self.spend(len(values), item.token.span):
                        return None
                before = len(values)
                values |= part[0]
                # a range was counted when expanded; a named set's members are copied here
                if isinstance(item, s.SetRef) and not self.spend(len(values) - before, item.token.span):
                    return None
            if len(values) > MAX_SET_SIZE:
                self.ctx.error("RR253", f"with this item the set has {len(values):,} members; at most "
                               f"{MAX_SET_SIZE:,} are allowed", item.token.span,
                               help="name the codes by prefix (`C34*`) or in fewer ranges")
                return None
            prefixes.extend(part[1])
            carved.extend(part[2] if len(part) > 2 else ())
        return (frozenset(values), tuple(prefixes), tuple(carved)) if ok else None

    def spend(self, count: int, span) -> bool:
        """Count ``count`` members built; False (RR253, once) when the ruleset's sets pass MAX_TOTAL_MEMBERS."""
        self.built += count
        if self.built <= MAX_TOTAL_MEMBERS:
            return True
        if not self.over_budget:
            self.over_budget = True
            self.ctx.error("RR253", f"the ruleset's sets and properties hold more than {MAX_TOTAL_MEMBERS:,} "
                           "codes in all with this item", span,
                           help="use a named set again by its name rather than writing its codes twice, or name "
                                "codes by prefix (`C34*`)")
        return False

    def _item(self, item, kind: str):
        token = item.token
        text = token.text
        if isinstance(item, s.SetRef):
            if kind == "values":
                return {text}, ()
            if kind in _UNNAMED:  # no statement names a set of condition or revenue codes: they are written out
                _, code, hint = _CHECKS[kind]
                self.ctx.error(code, f"`{text}` is not a valid {SET_KINDS[kind]}", token.span,
                               help=hint + "; they are written in the rule, not named")
                return None
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
        if kind == "revenue_codes" and codes.revenue_category(text) is not None:  # NUBC's `096X`: ten codes
            return set(codes.revenue_category(text)), ()
        if kind == "bill_types" and text.endswith("*"):  # every frequency of a type of bill, as a prefix
            start = _BILL_TYPE_START.fullmatch(text) if text.isascii() else None
            if start is None:
                self.ctx.error("RR210", f"`{shortened(text, 20)}` is not the start of a type of bill", token.span,
                               help="write its first two digits and `*`: `13*` for every 13x bill")
                return None
            return set(), (start.group(1),)
        check, code, hint = _CHECKS[kind]
        if not check(text):
            self.ctx.error(code, f"`{text}` is not a valid {SET_KINDS[kind]}", token.span, help=hint)
            return None
        if kind == "diagnoses":
            text = codes.normalize_diagnosis(text)
        elif kind == "bill_types":
            text = bill_type_digits(text)  # as a claim's: 3 characters, in capitals
        return {text}, ()

    def _range(self, token: s.Token, kind: str):
        text = token.text
        if kind in ("values", "bill_types"):
            self.ctx.error("RR208", "a range is not allowed here", token.span,
                           help="list the values one by one, separated by commas")
            return None
        parts = text.split("-")
        if len(parts) != 2:
            self.ctx.error("RR208", f"`{text}` is not a range", token.span, help="a range is two codes joined by `-`")
            return None
        if kind == "revenue_codes":  # NUBC's `096X-098X`: from the first code of the one to the last of the other
            low, high = parts
            parts = [low[:3] + "0" if codes.revenue_category(low) else low,
                     high[:3] + "9" if codes.revenue_category(high) else high]
        check, code, hint = _CHECKS[kind]
        for part in parts:
            if not check(part):
                self.ctx.error(code, f"`{part}` is not a valid {SET_KINDS[kind]}", token.span, help=hint)
                return None
        low, high = parts
        if kind == "diagnoses":
            low, high = codes.normalize_diagnosis(low), codes.normalize_diagnosis(high)
        try:
            # two categories (`C00-D49`, `O00-O9A`) run in Tabular order; longer ends count through their digits
            expanded = codes.expand_diagnosis_range(low, high) if kind == "diagnoses" else codes.expand_range(low, high)
        except ValueError as problem:
            help = "a range runs from a lower code to a higher one of the same shape, as 70450-70498"
            shared = os.path.commonprefix(parts).rstrip(".")
            # (ends of two shapes, not ends reversed) `M80.00XA-M80.88XS`: the codes under a category
            if kind == "diagnoses" and isinstance(problem, codes.RangeShapeError) and len(shared) >= 3:
                help = f"for every code that starts with {shared}, write a prefix: `{shared}*`"
            elif isinstance(problem, codes.CategoryError):
                known = ", ".join(codes.ALPHANUMERIC_CATEGORIES)
                help = (f"the categories whose third character is a letter are {known}; end the range at one of "
                        "them or at a category of digits, or list the codes")
            self.ctx.error("RR208", f"bad range `{text}`: {problem}", token.span, help=help)
            return None
        if not self.spend(len(expanded), token.span):
            return None
        return set(expanded), ()

    def _reference(self, token: s.Token, kind: str):
        name = token.text
        if name not in self.definitions:
            if name in self.unparsed():
                return None  # its definition has a syntax error, reported: not an unknown set as well
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
                help=f"name a set of {kind} here" + (f", or define one: `{kind} NAME = ...`"
                                                      if kind in ("codes", "diagnoses", "modifiers", "places") else ""),
            )
            return None
        return resolved.values, resolved.prefixes, resolved.carved


def _carve(match: PrefixMatch, excluded, lookups) -> PrefixMatch:
    """``match`` minus the excluded values, prefixes and carved prefixes under it (``lookups``: the values
    sorted, the prefixes and the carved prefixes as `_Prefixes`); each in the order ``excluded`` gives it."""
    _, drop_prefixes, drop_carved = excluded
    ordered, under_prefixes, under_carved = lookups
    prefix = match.prefix
    start = bisect.bisect_left(ordered, prefix)  # the values under the prefix sort together
    end = bisect.bisect_left(ordered, prefix + "\uffff", start)
    values = frozenset(ordered[start:end])
    prefixes = tuple(drop_prefixes[i] for i in sorted(under_prefixes.below(prefix)))
    carved = tuple(drop_carved[i] for i in sorted(set(under_carved.below(prefix)) | set(under_carved.above(prefix))))
    if not (values or prefixes or carved):
        return match
    return PrefixMatch(prefix, match.except_values | values, match.except_prefixes + prefixes,
                       match.except_carved + carved)


class _Prefixes:
    """Strings found by prefix without a scan of them all: the positions of those that start with a
    text (they sort together) and of those a text starts with (one dictionary test per length)."""

    def __init__(self, items):
        self.order = sorted(range(len(items)), key=items.__getitem__)
        self.keys = [items[i] for i in self.order]
        self.at: dict[str, list[int]] = {}
        for position, item in enumerate(items):
            self.at.setdefault(item, []).append(position)
        self.lengths = sorted({len(item) for item in self.at})

    def below(self, text: str) -> list[int]:
        """Positions of the strings that start with ``text``."""
        start = bisect.bisect_left(self.keys, text)
        return self.order[start:bisect.bisect_left(self.keys, text + "\uffff", start)]

    def above(self, text: str) -> list[int]:
        """Positions of the strings ``text`` starts with."""
        return [i for n in self.lengths if n <= len(text) for i in self.at.get(text[:n], ())]
