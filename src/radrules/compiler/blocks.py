"""Compile ``rule``, ``pairs``, ``limits`` and ``addons`` blocks into model objects."""

from __future__ import annotations

import re

from .. import codes
from .. import conditions as c
from .. import model as m
from .. import syntax as s
from ..condition_values import FiredValues, reads_values
from ..errors import suggestion
from ..result import KINDS
from .analysis import index_keys, never_true, pair_keys, place_keys
from .conditions import ConditionCompiler
from .context import Context, payers_named, source_of
from .sets import SetTable

TARGETS = ("line", "other", "both", "claim")
#: Defaults of each edit block: kind, CARC, RARCs (domain.md §9).
BLOCK_DEFAULTS = {
    s.PairsBlock: ("ptp", "CO-97", ("M80",)),
    s.LimitsBlock: ("mue", "CO-151", ("N362",)),
    s.AddonsBlock: ("addon", "CO-107", ("N122",)),
}
#: The clauses of pair rules only, with the help of RR252 in another rule.
_PAIR_CLAUSES = (
    (s.OncePerLine, "it is for a rule that reads `other.`; a rule on one line, or on the claim, gives at most one "
                    "finding a line already"),
    (s.AcrossProviders, "it pairs two lines of different providers, for a rule that reads `other.`; a rule on one "
                        "line, or on the claim, sees every line already (`claim also has`)"),
)
_RULE_CLAUSES = (s.KindClause, s.ForPayer, s.ForType, s.UnlessTable, s.Effective, s.When, s.Then, s.OncePerLine,
                 s.OncePerClaim, s.AcrossProviders, s.Carc, s.Rarc, s.GroupWhen, s.Reference)

_BLOCK_CLAUSES = (s.ForPayer, s.ForType, s.UnlessTable, s.Effective, s.Carc, s.Rarc, s.Reference, s.SeverityClause)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: Fields a message may not show: identifiers are protected data.
_PROTECTED = {"claim.id", "claim.prior_auth", "line.rendering_npi", "other.rendering_npi", "patient.birth_date"}


class BlockCompiler:
    def __init__(self, ctx: Context, sets: SetTable, conditions: ConditionCompiler, served):
        self.ctx = ctx
        self.sets = sets
        self.conditions = conditions
        self.served = served  # `unless table KIND` -> (payers, claim types) the ruleset's tables of that kind serve
        self.disable_spans: list = []  # (Disable, the span of its row), for the check that it disables a row
        self.row_spans: list = []  # (PairEdit, UnitLimit or AddonEdit, the span of its row), for RR309 and RR268

    # ------------------------------------------------------------ clauses

    def _clauses(self, block, allowed) -> dict:
        """The block's clauses by type; repeated or misplaced ones reported."""
        found: dict = {}
        what = {s.Rule: "a `rule`", s.PairsBlock: "a `pairs` block", s.LimitsBlock: "a `limits` block",
                s.AddonsBlock: "an `addons` block"}[type(block)]
        for clause in block.clauses:
            word = s.CLAUSE_WORDS[type(clause)]
            if not isinstance(clause, allowed):
                help = None
                if isinstance(clause, s.SeverityClause):
                    help = "a rule's severity is the word after `then`"
                elif isinstance(clause, (s.When, s.Then)):
                    help = "edit blocks list rows; write conditions in a `rule`"
                elif isinstance(clause, (s.OncePerLine, s.AcrossProviders)):
                    help = f"`{word}` is for a `rule` that compares two lines (reads `other.`)"
                elif isinstance(clause, s.OncePerClaim):
                    help = "`once per claim` is for a `rule` on one line that acts on the claim"
                elif isinstance(clause, s.GroupWhen):
                    help = ("an edit block's findings take the group of its `carc`: a PTP or MUE denial is a coding "
                            "denial, whose liability no modifier moves (domain.md §1.1, §2.1)")
                self.ctx.error("RR252", f"`{word}` is not allowed in {what}", clause.span, help=help)
                continue
            if type(clause) in found:
                first = found[type(clause)].span
                self.ctx.error("RR251", f"`{word}` is given twice", clause.span,
                               help=f"the first is at line {first.line}")
                continue
            found[type(clause)] = clause
        return found

    def _scope(self, clauses: dict) -> m.Scope | None:
        payers = None
        if s.ForPayer in clauses:
            payers = payers_named(clauses[s.ForPayer].payers)
        claim_types = None
        if s.ForType in clauses:
            claim_types = frozenset([clauses[s.ForType].claim_type.text])
        start, end, ok = self.ctx.date_window(clauses.get(s.Effective))
        if not ok:
            return None
        # `for payer` is more specific than `for ... claims`, both together more than either
        level = {(False, False): m.LEVEL_RULES, (False, True): m.LEVEL_TYPE, (True, False): m.LEVEL_PAYER,
                 (True, True): m.LEVEL_PAYER_TYPE}[(payers is not None, claim_types is not None)]
        excluded = ()
        if s.UnlessTable in clauses:  # a stand-in for a CMS table: left out where a loaded one serves
            clause = clauses[s.UnlessTable]
            served = self.served(clause)
            if served is None:
                return None
            excluded = tuple(m.Exclusion(payers, claim_types, source_of(clause.span), table=clause.kind.text)
                             for payers, claim_types in served)
        return m.Scope(payers, claim_types, start, end, level, excluded)

    def _remittance(self, clauses: dict, default_carc, default_rarc, block: str | None = None):
        """(carc, rarc, ok) of a rule's or block's clauses (``block``: `pairs`, `limits` or `addons`)."""
        carc = default_carc
        rarc = default_rarc
        ok = True
        if s.Carc in clauses:
            token = clauses[s.Carc].code
            if not codes.CARC.match(token.text):
                self.ctx.error("RR215", f"`{token.text}` is not a claim adjustment reason code", token.span,
                               help="write a group code and a reason, e.g. `CO-97`, `OA-18`, `PR-204`")
                ok = False
            else:
                self._group_fits(token, block)
            carc = token.text
        if s.Rarc in clauses:
            rarc = []
            for token in clauses[s.Rarc].codes:
                if not codes.RARC.match(token.text):
                    self.ctx.error("RR215", f"`{token.text}` is not a remittance advice remark code", token.span,
                                   help="remark codes look like `M80`, `N362`, `MA130`")
                    ok = False
                rarc.append(token.text)
            rarc = tuple(rarc)
        return carc, rarc, ok

    def _group_fits(self, token: s.Token, block: str | None) -> None:
        """RR275 for a group code that can't go with its reason or its block (domain.md §9): CARC 18 (an exact
        duplicate) with another group than OA, and a PTP or MUE denial (`pairs`, `limits`) as the patient's, PR:
        a coding denial no notice moves to the patient (§1.1, §2.1)."""
        group, _, reason = token.text.partition("-")
        if reason == "18" and group != "OA":
            self.ctx.warning("RR275", f"`{token.text}`: reason 18, an exact duplicate, goes with group OA",
                             token.span, help="write `OA-18` (domain.md §9)")
        elif group == "PR" and block in ("pairs", "limits"):
            what = "a PTP" if block == "pairs" else "an MUE"
            self.ctx.warning("RR275", f"`{token.text}` in a `{block}` block: {what} denial is the provider's, "
                                      f"never the patient's", token.span,
                             help=f"write `CO-{reason}`: the patient may not be billed for {what} denial, even "
                                  f"with an ABN (domain.md §{'1.1' if block == 'pairs' else '2.1'})")

    @staticmethod
    def _reference(clauses: dict) -> str | None:
        return clauses[s.Reference].text.text if s.Reference in clauses else None

    # ------------------------------------------------------------ rule

    def rule(self, rule: s.Rule) -> m.GeneralRule | None:
        clauses = self._clauses(rule, _RULE_CLAUSES)
        ok = True
        for required in (s.When, s.Then):
            if required not in clauses:
                self.ctx.error("RR250", f"rule `{rule.rule_id.text}` has no `{s.CLAUSE_WORDS[required]}`",
                               rule.rule_id.span,
                               help="a rule needs `when <condition>` and `then <severity> <target> \"message\"`")
                ok = False
        kind = "policy"
        if s.KindClause in clauses:
            token = clauses[s.KindClause].kind
            if token.text not in KINDS:
                self.ctx.error("RR216", f"unknown kind `{token.text}`", token.span,
                               help=suggestion(token.text, KINDS) or "kinds: " + ", ".join(KINDS))
                ok = False
            kind = token.text
        scope = self._scope(clauses)
        carc, rarc, remittance_ok = self._remittance(clauses, None, ())
        ok = ok and scope is not None and remittance_ok
        # Every part is checked even after an error in another, so that one run reports them all.
        if s.Then not in clauses:
            if s.When in clauses:
                self.conditions.condition(clauses[s.When].condition)
            return None
        then = clauses[s.Then]
        target = then.target.text
        if target not in TARGETS:
            self.ctx.error("RR216", f"unknown target `{target}`", then.target.span,
                           help=suggestion(target, TARGETS) or "the target is `line`, `other`, `both` or `claim`")
            ok = False
        condition = roots = None
        if s.When in clauses:
            condition, roots = self.conditions.condition(clauses[s.When].condition)
        message_roots: set[str] = set()
        values_at: list[s.Span] = []
        template = self._template(then.message, message_roots, condition, values_at)
        if condition is None or template is None or target not in TARGETS:
            return None
        roots |= message_roots
        per_claim = s.OncePerClaim in clauses
        shape = self._shape(rule, target, roots, then, clauses[s.When], per_claim)
        if shape not in (None, "line") and values_at:
            self.ctx.error("RR211", "`{values}` is for a rule that judges one line", values_at[0],
                           help="it names what the counts, intervals and unit sums of a line's condition came to; "
                                "a rule that compares two lines or judges the claim has no one line to name them for")
            ok = False
        if per_claim and shape is not None and (shape != "line" or target != "claim"):
            self.ctx.error("RR252", "`once per claim` is not allowed in a rule that does not act on the claim from "
                                    "one line", clauses[s.OncePerClaim].span,
                           help="it is for a rule that reads `line.` and acts on the claim (`then deny claim`); "
                                "any other rule gives at most one finding a line or a claim already")
            ok = False
        for pair_clause, help in _PAIR_CLAUSES:
            if pair_clause in clauses and shape not in (None, "pair"):
                self.ctx.error("RR252", f"`{s.CLAUSE_WORDS[pair_clause]}` is not allowed in a rule that does not "
                                        "compare two lines", clauses[pair_clause].span, help=help)
                ok = False
        once = s.OncePerLine in clauses
        across = s.AcrossProviders in clauses
        group_when = self._group_when(clauses, shape, carc) if s.GroupWhen in clauses else None
        if group_when is False:
            ok = False
        if shape is None or not ok:
            return None
        info = m.RuleInfo(
            id=rule.rule_id.text,
            kind=kind,
            severity=then.severity.text,
            carc=carc,
            rarc=rarc,
            reference=self._reference(clauses),
            title=rule.title.text if rule.title else None,
            source=source_of(rule.span),
        )
        codes_key = modifiers_key = other_codes = None
        same_code = False
        if shape in ("line", "pair"):
            codes_key, modifiers_key = index_keys(condition)
        if shape == "pair":
            other_codes, same_code = pair_keys(condition)
        if s.Reference not in clauses:
            self.ctx.warning("RR260", f"rule `{info.id}` has no `reference`", rule.rule_id.span,
                             help="say where the rule comes from (policy, manual, section)")
        if rarc and not carc:
            self._remarks_alone(f"rule `{info.id}`", clauses)
        elif info.severity == "deny" and not carc:
            self.ctx.warning("RR261", f"rule `{info.id}` denies without a `carc`", then.severity.span,
                             help="say why the payer denies, e.g. `carc CO-16` (domain.md §9 lists the usual "
                                  "codes)")
        needs_history = any(isinstance(part, c.HistorySame) for part in c.conjuncts(condition))
        places_key = place_keys(condition) if shape == "line" else None
        never = never_true(condition, codes_key, modifiers_key, places_key, scope, shape)
        if never:
            why, help = never
            self.ctx.warning("RR264", f"rule `{info.id}` can never fire: {why}", clauses[s.When].span, help=help)
        needs_authorization = shape == "line" and any(map(_reads_authorization, c.conjuncts(condition)))
        return m.GeneralRule(info, scope, shape, target, condition, template, codes_key, modifiers_key,
                             other_codes, same_code, needs_history, places_key, needs_authorization, once,
                             group_when, across)

    def _group_when(self, clauses: dict, shape: str | None, carc: str | None):
        """(group, compiled condition) of a `group GROUP when CONDITION` clause, None if the rule's shape is not
        known (an error said so), or False after an error. The condition reads what the rule's may: a rule on
        the claim no line, a rule on one line no `other`."""
        clause = clauses[s.GroupWhen]
        group = clause.group.text
        condition, roots = self.conditions.condition(clause.condition)
        ok = condition is not None
        if group not in codes.CARC_GROUPS:
            upper = group.upper()
            self.ctx.error("RR215", f"`{group}` is not a claim adjustment group code", clause.group.span,
                           help=f"group codes are written in capitals: `{upper}`" if upper in codes.CARC_GROUPS else
                           "the groups are " + ", ".join(f"`{code}`" for code in codes.CARC_GROUPS) +
                           " (`PR`: the patient is liable)")
            ok = False
        if carc is None:
            self.ctx.error("RR252", "`group` is not allowed in a rule without a `carc`", clause.span,
                           help="`group` changes the group of the rule's `carc` when its condition holds: give "
                                "the `carc` (as `carc CO-50`)")
            ok = False
        elif ok and group == carc.split("-")[0]:
            self.ctx.error("RR252", f"`group {group}` is the group the `carc` has already ({carc})",
                           clause.group.span, help="name the group the finding takes when the condition holds, "
                                                   "as `group PR` beside `carc CO-50`")
            ok = False
        if shape is None or roots is None:
            return None if ok else False
        if "other" in roots and shape != "pair":
            self.ctx.error("RR214", "the condition of `group` reads `other` in a rule that does not compare two "
                                    "lines", clause.span, help="read `line.` fields there, as the rule's does")
            ok = False
        if "line" in roots and shape == "claim":
            implicit = None if _reads_line_field(clause.condition) else _reads_line_by(clause.condition)
            what = f"uses {implicit[0]}, which is asked of each line," if implicit else "reads `line`"
            self.ctx.error("RR214", f"the condition of `group` {what} in a rule that acts on the claim",
                           implicit[1] if implicit else clause.span,
                           help="read `claim.` and `patient.` fields there, as the rule's does")
            ok = False
        return (group, condition) if ok else False

    def _shape(self, rule: s.Rule, target: str, roots: set[str], then: s.Then, when: s.When,
               per_claim: bool = False) -> str | None:
        if "other" in roots:
            if target == "claim":
                self.ctx.error("RR214", "a rule that compares two lines must act on `line`, `other` or `both`",
                               then.target.span)
                return None
            return "pair"
        if target in ("other", "both"):
            self.ctx.error("RR214", f"`{target}` needs a rule that compares two lines", then.target.span,
                           help="read the second line as `other.<field>` in the condition")
            return None
        if target == "claim":
            if "line" in roots:
                if per_claim:  # a rule on each line, whose first finding acts on the claim
                    return "line"
                implicit = None if _reads_line_field(when.condition) else _reads_line_by(when.condition)
                if implicit is not None:  # no `line.` field: a test that reads each line's date or codes
                    self.ctx.error("RR214", f"a rule that acts on the claim can't use {implicit[0]}, which is asked "
                                            f"of each line (its date, its code)", implicit[1],
                                   help="act on `line` to judge each line, or add `once per claim` to act on the "
                                        "claim from the first line that meets it")
                    return None
                self.ctx.error("RR214", "a rule that acts on the claim can't read `line`", when.span,
                               help="act on `line` to judge each line, or drop the `line.` fields; to act on the "
                                    "claim from the first line that meets it, add `once per claim`")
                return None
            return "claim"
        return "line"

    def _template(self, token: s.Token, roots: set[str], condition, values_at: list) -> m.Template | None:
        """The compiled message; ``condition`` (None after an error in it) is what `{values}` names the values
        of. The records its placeholders read are added to ``roots``, the spans of its `{values}` to
        ``values_at``."""
        text = token.text
        parts: list = []
        position = 0
        ok = True
        for match in _PLACEHOLDER.finditer(text):
            if match.start() > position:
                parts.append(text[position: match.start()])
            position = match.end()
            inner = match.group(1).strip()
            span = self._inner_span(token, match)
            if inner == "values":
                if condition is not None and not reads_values(condition):
                    self.ctx.error("RR211", "`{values}` names what a condition's counts, intervals and unit sums came "
                                            "to, and this rule's condition has none", span,
                                   help="it is for `history count of`, `days/months/years since last` and "
                                        "`claim units of` comparisons; name a field instead, e.g. `{line.units}`")
                    ok = False
                values_at.append(span)
                parts.append((FiredValues(condition), "values"))
                continue
            if "." not in inner:
                self.ctx.error("RR211", f"unknown placeholder `{{{inner}}}`", span,
                               help="placeholders name a field, e.g. `{line.code}`, or are `{values}`")
                ok = False
                continue
            root, name = inner.split(".", 1)
            computed = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*[-+*/<>=]", name)
            if computed:  # `{line.date + 12 months}`: a message shows a field; it computes nothing
                self.ctx.error("RR204", f"`{{{inner}}}` is not a field of `{root}`", span,
                               help=f"a placeholder shows one field's value, as `{{{root}.{computed.group(1)}}}`; "
                                    f"a message computes nothing (a date shift or a sum belongs in the condition)")
                ok = False
                continue
            if inner in _PROTECTED:
                self.ctx.error("RR212", f"`{inner}` is protected data and can't appear in a message", span,
                               help="messages may show codes, dates, units and numbers, never who the patient is")
                ok = False
                continue
            field = s.Field(s.Token(root, span), s.Token(name, span), span)
            saved = set(self.conditions.roots)
            operand = self.conditions.field(field)
            self.conditions.roots = saved
            if operand is None:
                ok = False
                continue
            if operand.type == "identifier":
                self.ctx.error("RR212", f"`{inner}` is protected data and can't appear in a message", span,
                               help="messages may show codes, dates, units and numbers, never who the patient is")
                ok = False
                continue
            roots.add(root)
            # (the patient's age is shown as "90 or older" past 89: render_value)
            parts.append((operand.node, "age" if type(operand.node) is c.PatientAge else operand.type))
        if position < len(text):
            parts.append(text[position:])
        return m.Template(tuple(parts)) if ok else None

    def _inner_span(self, token: s.Token, match) -> s.Span:
        """The span of a placeholder inside a quoted message (same line)."""
        line = self.ctx.source_line(token.span) or ""
        raw = match.group(0)
        start = line.find(raw, token.span.column - 1)
        if start < 0:
            return token.span
        return s.Span(token.span.file, token.span.line, start + 1, token.span.line, start + 1 + len(raw))

    # ------------------------------------------------------------ edit blocks

    def _block_info(self, block) -> tuple[m.BlockInfo, m.Scope] | None:
        clauses = self._clauses(block, _BLOCK_CLAUSES)
        kind, default_carc, default_rarc = BLOCK_DEFAULTS[type(block)]
        severity = clauses[s.SeverityClause].severity.text if s.SeverityClause in clauses else "deny"
        if severity in ("warn", "info"):  # a line that stays paid carries no adjustment codes unless told
            default_carc, default_rarc = None, ()
        if s.Carc in clauses:  # the default remark codes go with the default reason only
            default_rarc = ()
        scope = self._scope(clauses)
        carc, rarc, ok = self._remittance(clauses, default_carc, default_rarc,
                                          {s.PairsBlock: "pairs", s.LimitsBlock: "limits"}.get(type(block), "addons"))
        if scope is None or not ok:
            return None
        info = m.RuleInfo(
            id=block.rule_id.text,
            kind=kind,
            severity=severity,
            carc=carc,
            rarc=rarc,
            reference=self._reference(clauses),
            title=block.title.text if block.title else None,
            source=source_of(block.span),
        )
        if s.Reference not in clauses:
            self.ctx.warning("RR260", f"`{info.id}` has no `reference`", block.rule_id.span,
                             help="say where the edits come from (policy, manual, section)")
        if rarc and not carc:  # a `warn` or `info` block that gives remark codes only
            self._remarks_alone(f"`{info.id}`", clauses)
        return m.BlockInfo(info, scope), scope

    def _remarks_alone(self, what: str, clauses: dict) -> None:
        """RR261 for remark codes without a reason code, in a rule or an edit block."""
        self.ctx.warning("RR261", f"{what} has remark codes but no `carc`", clauses[s.Rarc].span,
                         help="a remittance carries remark codes with an adjustment reason: add `carc`, "
                              "e.g. `carc CO-16`")

    def _procedure_code(self, token: s.Token) -> str | None:
        if codes.is_procedure_code(token.text):
            return token.text
        self.ctx.error("RR203", f"`{token.text}` is not a valid procedure code", token.span,
                       help="procedure codes have 5 characters: 5 digits, 4 digits and a letter, "
                            "or a letter and 4 digits")
        return None

    def _row_window(self, row_effective, scope: m.Scope):
        if row_effective is None:
            return scope.start, scope.end, True
        return self.ctx.date_window(row_effective)

    def pairs(self, block: s.PairsBlock):
        """(rows, disables) of a ``pairs`` block."""
        made = self._block_info(block)
        if made is None:
            for row in block.rows:
                self._check_pair_codes(row)
            return [], []
        info, scope = made
        rows, disables, seen = [], [], {}
        for row in block.rows:
            pair = self._check_pair_codes(row)
            if isinstance(row, s.DisablePair):
                if pair:
                    self._disable(m.Disable(pair, "pair", scope, source_of(row.span), info), row.span, disables)
                continue
            indicator = self.ctx.integer(row.indicator, "the modifier indicator", allowed=(0, 1, 9))
            start, end, ok = self._row_window(row.effective, scope)
            if not pair or indicator is None or not ok:
                continue
            key = (pair, start, end, indicator)
            if key in seen:
                self.ctx.warning("RR304", f"pair {pair[0]} with {pair[1]} is listed twice with the same dates",
                                 row.span, help=f"the first is at line {seen[key]}")
            seen[key] = row.span.line
            rows.append(m.PairEdit(
                column1=pair[0], column2=pair[1], indicator=indicator,
                start=start if start is not None else 1, end=end,
                rationale=row.rationale.text if row.rationale else None,
                source=source_of(row.span), block=info,
            ))
            self.row_spans.append((rows[-1], row.span))
        return rows, disables

    def _disable(self, disable: m.Disable, span: s.Span, disables: list) -> None:
        """Add a block's ``disable`` row; RR304 if the block has it already."""
        first = next((d for d in disables if d.key == disable.key), None)
        if first is not None:
            self.ctx.warning("RR304", f"`disable {disable.kind} {' with '.join(disable.key)}` is listed twice",
                             span, help=f"the first is at line {first.source.rpartition(':')[2]}")
        disables.append(disable)
        self.disable_spans.append((disable, span))

    def _check_pair_codes(self, row) -> tuple[str, str] | None:
        first = self._procedure_code(row.column1)
        second = self._procedure_code(row.column2)
        if first is None or second is None:
            return None
        if first == second:
            self.ctx.error("RR220", f"{first} can't be paired with itself", row.column2.span,
                           help=f"a pair names two codes, column 1 `with` column 2; to limit the units of {first} "
                                f"on one date, write `limit {first} max UNITS mai 2` in a `limits` block")
            return None
        return first, second

    def limits(self, block: s.LimitsBlock):
        made = self._block_info(block)
        rows, disables = [], []
        for row in block.rows:
            code = self._procedure_code(row.code)
            if made is None or code is None:
                continue
            info, scope = made
            if isinstance(row, s.DisableLimit):
                self._disable(m.Disable((code,), "limit", scope, source_of(row.span), info), row.span, disables)
                continue
            max_units = self.ctx.integer(row.max_units, "the unit limit")
            mai = self.ctx.integer(row.mai, "the MUE adjudication indicator (MAI)", allowed=(1, 2, 3))
            start, end, ok = self._row_window(row.effective, scope)
            if max_units is None or mai is None or not ok:
                continue
            rows.append(m.UnitLimit(
                code=code, max_units=max_units, mai=mai, start=start, end=end,
                rationale=row.rationale.text if row.rationale else None,
                source=source_of(row.span), block=info,
            ))
            self.row_spans.append((rows[-1], row.span))
        return rows, disables

    def addons(self, block: s.AddonsBlock):
        """(rows, disables) of an ``addons`` block."""
        made = self._block_info(block)
        rows, disables = [], []
        for row in block.rows:
            if isinstance(row, s.DisableAddon):
                disable = self._disable_addon(row, made)
                if disable is not None:
                    self._disable(disable, row.span, disables)
                continue
            code = self._procedure_code(row.code)
            aoc_type = self.ctx.integer(row.aoc_type, "the add-on code type", allowed=(1, 2, 3))
            primaries = None
            if row.primaries is not None:
                resolved = self.sets.evaluate(row.primaries, "codes")
                if resolved is None:
                    continue
                primaries = resolved.values
            elif aoc_type == 1:
                self.ctx.error("RR220", f"type 1 add-on code {row.code.text} needs `primaries`", row.aoc_type.span,
                               help="type 1 add-on codes are paid only with one of their listed primary codes")
                continue
            if made is None or code is None or aoc_type is None:
                continue
            info, scope = made
            start, end, ok = self._row_window(row.effective, scope)
            if not ok:
                continue
            if primaries is not None and code in primaries:
                self.ctx.error("RR220", f"{code} can't be its own primary", row.code.span)
                continue
            rows.append(m.AddonEdit(
                code=code, aoc_type=aoc_type, primaries=primaries, start=start, end=end,
                source=source_of(row.span), block=info,
            ))
            self.row_spans.append((rows[-1], row.span))
        return rows, disables

    def _disable_addon(self, row: s.DisableAddon, made) -> m.Disable | None:
        """``disable addon CODE``: the add-on edit of the code, all its primaries, left out for the block's payers
        and claim type. ``with PRIMARY`` is refused: leaving one primary out would deny more, not less."""
        code = self._procedure_code(row.code)
        if row.primary is not None:
            self._procedure_code(row.primary)
            self.ctx.error("RR220", f"an add-on edit is disabled whole: `disable addon {row.code.text}` takes no "
                           "`with`", row.primary.span,
                           help=f"to change the primaries {row.code.text} is paid with, give it a row of its own "
                                f"(`addon {row.code.text} type TYPE primaries SET`): it replaces the table's rows "
                                "of the code")
            return None
        if made is None or code is None:
            return None
        info, scope = made
        return m.Disable((code,), "addon", scope, source_of(row.span), info)


def _reads_authorization(part) -> bool:
    """Whether ``part`` (a conjunct) is unknown, so never true, when the line's authorization is: a comparison
    or a list test of `line.authorization`, negated or not (`is missing` is true then, and is not one)."""
    if isinstance(part, c.Not):
        return _reads_authorization(part.part)
    operand = part.operand if isinstance(part, c.InSet) else part.left if isinstance(part, c.Compare) else None
    return type(operand) is c.LineAuthorization and operand.role == 0


def _reads_line_field(condition) -> bool:
    return any(isinstance(node, s.Field) and node.root.text == "line" for node in s.nodes(condition))


def _reads_line_by(condition) -> tuple[str, s.Span] | None:
    """(the words of the first test that reads each line without a `line.` field, its span), or None."""
    for node in s.nodes(condition):
        if isinstance(node, (s.HistoryHas, s.HistorySame)):
            return "`history has`", node.span
        if isinstance(node, s.HistoryCount):
            return "`history count`", node.span
        if isinstance(node, s.SinceLast):
            return f"`{node.unit.text} since last`", node.span
        if isinstance(node, s.ClaimUnits) and (node.same_date or node.same_property is not None):
            words = "on the same date" if node.same_date else "with the same ..."
            return f"`claim units of ... {words}`", node.span
        if isinstance(node, s.AlsoHas) and (node.same_date or node.earlier or node.same_property is not None):
            words = ("on the same date" if node.same_date else "on an earlier line" if node.earlier else
                     "with the same ...")
            return f"`claim also has ... {words}`", node.span
    return None
