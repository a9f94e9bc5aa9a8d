"""Syntax trees to an immutable, indexed :class:`~radrules.ruleset.Ruleset`.

The compiler is an ordered list of named passes (:data:`PASSES`). Each pass
reads and fills a :class:`Compilation`, reports problems to the shared
context, and never raises; after the last pass, any error raises one
:class:`~radrules.errors.RuleError` holding every diagnostic.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

import attrs

from .. import _resources
from .. import model as m
from .. import syntax as s
from .._resources import display_path
from ..claim import CLAIM_TYPES, payer_key
from ..codes import is_digits
from ..errors import Diagnostic, RuleError, edit_distance, suggestion
from ..model import listed
from .allow import allow_warnings
from .blocks import BlockCompiler
from .conditions import ConditionCompiler, payer_values
from .context import Context, payers_named, source_of
from .dated import warn_uncovered_dates
from .index import MAX_INDEX_ENTRIES, build_views, index_size, select
from .rows import warn_row_conflicts
from .sets import SetTable
from .versions import check_versions, loaded_twice

#: Code properties every ruleset has (filled by `property` lines or MPFS tables).
KNOWN_PROPERTIES = ("pctc", "bilateral")


class Compilation:
    """What the passes build up."""

    def __init__(self, ctx: Context, sources: list[s.SourceFile], paths: dict | None = None, roots=None,
                 cache_dir=None):
        self.ctx = ctx
        self.sources = sources
        self.paths = paths or {}  # display name -> real path of each rule file
        self.roots = roots or {}  # display name -> the ruleset folder of each rule file (tables stay inside)
        self.cache_dir = cache_dir
        self.loaded_tables: list = []
        self.headers: list[s.Header] = []
        self.set_defs: dict[str, s.SetDef] = {}
        self.blocks: list[s.Block] = []
        self.settings_syntax: list[s.Setting] = []
        self.property_syntax: list[s.PropertyDef] = []
        self.tables: list[s.Table] = []
        self.sets: SetTable | None = None
        self.settings: dict = {}
        self.properties: dict[str, dict[str, str]] = {name: {} for name in KNOWN_PROPERTIES}
        self.rules: list = []
        self.rows: list = []
        self.disables: list = []
        self.disable_spans: list = []  # (Disable, the span of its row)
        self.row_spans: dict = {}  # id(row) -> the span of its row (the rows live as long as the compilation)
        self.rule_disables: list = []  # s.DisableRule statements
        self.payers: set[str] = set()  # the payers `for payer` clauses and statements name: views of their own
        self.compared_payers: set[str] = set()  # the payers rules' conditions compare `claim.payer` with (no views)
        self.views: dict = {}
        self.served: dict | None = None  # table kind -> {payers or None: the claim types `table` statements serve}
        self.allowed: list = []  # the warnings `allow` comments take out (compiler/allow.py)


def collect(comp: Compilation) -> None:
    """Gather statements; report duplicate set names and rule ids."""
    ids: dict[str, s.Span] = {}
    for source in comp.sources:
        header_seen = None
        for statement in source.statements:
            if isinstance(statement, s.Header):
                if header_seen is not None:
                    comp.ctx.error("RR305", "a file has one `ruleset` header", statement.span,
                                   help=f"the first is at line {header_seen.line}")
                header_seen = statement.span
                comp.headers.append(statement)
            elif isinstance(statement, s.SetDef):
                name = statement.name.text
                if name in comp.set_defs:
                    first = comp.set_defs[name].name.span
                    comp.ctx.error("RR301", f"set `{name}` is defined twice", statement.name.span,
                                   help=f"the first definition is at {first}")
                else:
                    comp.set_defs[name] = statement
            elif isinstance(statement, (s.Rule, s.PairsBlock, s.LimitsBlock, s.AddonsBlock)):
                rule_id = statement.rule_id.text
                if rule_id in ids:
                    comp.ctx.error("RR302", f"rule id `{rule_id}` is used twice", statement.rule_id.span,
                                   help=f"the first is at {ids[rule_id]}; rule ids must be unique and stable")
                else:
                    ids[rule_id] = statement.rule_id.span
                comp.blocks.append(statement)
            elif isinstance(statement, s.Setting):
                comp.settings_syntax.append(statement)
            elif isinstance(statement, s.PropertyDef):
                comp.property_syntax.append(statement)
            elif isinstance(statement, s.Table):
                comp.tables.append(statement)
            elif isinstance(statement, s.DisableRule):
                comp.rule_disables.append(statement)
            # Include statements were followed by the loader.


def resolve_sets(comp: Compilation) -> None:
    """Resolve every named set (expanding ranges, following references)."""
    comp.sets = SetTable(comp.ctx, comp.set_defs)
    comp.sets.resolve_all()


def check_settings(comp: Compilation) -> None:
    for setting in comp.settings_syntax:
        name = setting.name.text
        if name not in m.SETTINGS:
            comp.ctx.error("RR217", f"unknown setting `{name}`", setting.name.span,
                           help=suggestion(name, m.SETTINGS) or "settings: " + ", ".join(m.SETTINGS))
            continue
        value = setting.value.text
        if value not in m.SETTINGS[name]:
            comp.ctx.error("RR217", f"`{value}` is not a value of `{name}`", setting.value.span,
                           help=suggestion(value, m.SETTINGS[name]) or "values: " + ", ".join(m.SETTINGS[name]))
            continue
        payers = [payer_key(p.text) for p in setting.payers] or [None]
        for payer in payers:
            key = (name, payer)
            if key in comp.settings:
                comp.ctx.error("RR306", f"setting `{name}` is given twice" + (f" for payer `{payer}`" if payer else ""),
                               setting.span, help="keep the one you mean: a setting is given once for each payer")
                continue
            comp.settings[key] = value
            if payer:
                comp.payers.add(payer)


def build_properties(comp: Compilation) -> None:
    """``property NAME = VALUE for CODES``: one value per code and property.

    Stand-ins (``unless table KIND``) are checked like the other lines, but
    give a value only to the codes no other line gives one, and none when
    the ruleset loads a table of their kind (a loaded table decides then).
    """
    plain = [d for d in comp.property_syntax if d.unless is None]
    stand_ins = [d for d in comp.property_syntax if d.unless is not None]
    _set_properties(comp, plain, comp.properties)
    fallback: dict = {}
    for definition, codes in _set_properties(comp, stand_ins, fallback):
        if served_claim_types(comp, definition.unless) != ():
            continue  # a table of that kind is loaded (or the kind is unknown: reported)
        table = comp.properties.setdefault(definition.name.text, {})
        for code in codes:
            table.setdefault(code, definition.value.text)


def _set_properties(comp: Compilation, definitions: list, properties: dict) -> list:
    """Set the values of ``definitions`` in ``properties`` (name -> code -> value), reporting a code given two
    values (RR303); the (definition, its codes) of each line that could be read."""
    from .conditions import LINE_FIELDS

    given: dict = {}  # property name -> [(definition, its codes, the code it stopped at)]: where a value was set
    read = []
    for definition in definitions:
        name = definition.name.text
        if name in LINE_FIELDS:  # `line.units` reads the line's units: such a property could never be read
            comp.ctx.error("RR307", f"`{name}` is a field of every line, so a property of that name could never be "
                           "read", definition.name.span, help=f"name the property otherwise, e.g. `{name}_policy`")
            continue
        resolved = comp.sets.evaluate(definition.codes, "codes")
        if resolved is None:
            continue
        # each code of a property is an entry of its own: counted with the members the sets build (RR253)
        if not comp.sets.spend(len(resolved.values), definition.name.span):
            continue
        table = properties.setdefault(name, {})
        value = definition.value.text
        stopped = None
        for code in sorted(resolved.values):
            if code in table and table[code] != value:
                # the definition that set this code: it lists it with that value, and had not stopped before it
                first = next(d for d, codes, stop in given.get(name, ()) if code in codes
                             and d.value.text == table[code] and (stop is None or code < stop))
                comp.ctx.error(
                    "RR303", f"property `{name}` of {code} is set to `{table[code]}` and to `{value}`",
                    definition.value.span, help=f"the first value is set at {source_of(first.span)}",
                )
                stopped = code
                break
            table[code] = value
        given.setdefault(name, []).append((definition, resolved.values, stopped))
        read.append((definition, resolved.values))
    return read


def served_claim_types(comp: Compilation, clause: s.UnlessTable) -> tuple | None:
    """Whose claims the ruleset's ``table`` statements of the kind ``unless table KIND`` names serve: (payers,
    claim types) for the statements without `for payer` (payers None) and for each list of payers a statement
    names, () if none has that kind; None after RR501 for a kind that is no table kind."""
    if not _known_table_kind(comp, clause.kind):
        return None
    if comp.served is None:  # kind -> {payers: claim types}, from the `table` statements (read once)
        comp.served = {}
        for statement in comp.tables:
            payers = payers_named(statement.payers)
            served = comp.served.setdefault(statement.kind.text, {})
            served.setdefault(payers, set()).update(_claim_types_of(statement))
    served = comp.served.get(clause.kind.text, {})
    return tuple((payers, frozenset(claim_types)) for payers, claim_types in sorted(
        served.items(), key=lambda item: (item[0] is not None, sorted(item[0] or ()))))


def _claim_types_of(statement: s.Table) -> tuple:
    """The claim types a `table` statement serves: every one for a code-set or PC/TC table, else its `for`
    (professional without it)."""
    from .. import tables

    if statement.kind.text in tables.ALL_CLAIMS:
        return CLAIM_TYPES
    return (statement.claim_type.text if statement.claim_type is not None else "professional",)


def _known_table_kind(comp: Compilation, token: s.Token) -> bool:
    """Whether ``token`` names a table kind; RR501 if not."""
    from .. import tables

    if token.text in tables.KINDS:
        return True
    if token.text.lower() in tables.KINDS:
        help = f"did you mean `{token.text.lower()}`? table kinds are written in lower case"
    else:
        help = suggestion(token.text, tables.KINDS) or "table kinds: " + ", ".join(tables.KINDS)
    comp.ctx.error("RR501", f"unknown table kind `{token.text}`", token.span, help=help)
    return False


#: How RR501 names the tables that serve every claim.
_ALL_CLAIMS_WORDS = {"pctc": "MPFS file (its PC/TC and bilateral indicators)", "hcpcs": "HCPCS code file",
                     "icd10cm": "ICD-10-CM code file"}


def load_tables(comp: Compilation) -> None:
    """Read every ``table`` statement's CMS files (through the table caches)."""
    from .. import tables
    from ..tables.mue import LABELS as MUE_LABELS

    seen: dict = {}
    files_loaded: dict = {}  # (kind, claim type, real path) -> the statement and path token that loads it
    reported: set = set()  # the diagnostics of the tables read so far
    unwritable: list = []  # RR530 of each table a cache folder that can't be written kept out: one warning of all
    unwritable_at = None  # where that warning goes: where the first table's was
    for statement in comp.tables:
        kind = statement.kind.text
        if not _known_table_kind(comp, statement.kind):
            continue
        claim_type = statement.claim_type.text if statement.claim_type else "professional"
        if kind in tables.ALL_CLAIMS and statement.claim_type is not None:
            comp.ctx.error("RR501", f"a `{kind}` table serves every claim; drop `for ... claims`",
                           statement.claim_type.span,
                           help=f"CMS publishes one {_ALL_CLAIMS_WORDS.get(kind, kind)} for every setting: write "
                                f"`table {kind} \"...\"` alone, and it serves professional and institutional claims")
            continue
        if kind in tables.ALL_CLAIMS and statement.payers:
            first, last = statement.payers[0].span, statement.payers[-1].span
            comp.ctx.error("RR501", f"a `{kind}` table serves every payer; drop `for payer`",
                           s.Span(first.file, first.line, first.column, last.end_line, last.end_column),
                           help=f"the {_ALL_CLAIMS_WORDS.get(kind, kind)} is one for every payer; `for payer` "
                                "chooses the versions of a `ptp`, `mue` or `addon` table")
            continue
        payers = payers_named(statement.payers)
        if statement.effective is not None and statement.effective.end is not None:
            comp.ctx.error("RR512", "a table version takes effect on one date and stays in force until a later "
                           "version", statement.effective.end.span, help="write `effective YYYY-MM-DD` alone")
            continue
        rule_file = comp.paths.get(statement.span.file)
        root = comp.roots.get(statement.span.file)
        if rule_file is None or root is None:
            comp.ctx.error("RR504", "tables need rules loaded from a file", statement.span,
                           help="use radrules.load(path) for rules that name tables")
            continue
        found = _table_parts(comp, statement, rule_file, root)
        if found is None:
            continue
        parts, origins = found
        if loaded_twice(comp, statement, claim_type, payers, parts, origins, files_loaded):
            continue
        table, diagnostics, origin = tables.read_table(kind, parts, comp.cache_dir)
        # Each problem once: a file two statements load (the add-on file for both claim types) gives its own
        # again, from the cache or read again, and a cache that can't be written is said once, not once per table.
        for diagnostic in (_at_statement(comp, d, parts, origins) for d in diagnostics):
            if isinstance(diagnostic, tables.UnwritableFolder):
                unwritable.append(diagnostic)
                if unwritable_at is None:
                    unwritable_at = len(comp.ctx.diagnostics)
            elif diagnostic not in reported:
                reported.add(diagnostic)
                comp.ctx.diagnostics.append(diagnostic)
        if table is None:
            continue
        if kind == "mue" and _other_setting(comp, claim_type, parts, origins, table.part_types, MUE_LABELS):
            continue
        if kind == "ptp":
            _ptp_named_for_the_other_setting(comp, claim_type, parts, origins)
        if statement.effective is not None:
            start = comp.ctx.date(statement.effective.start)
            if start is None:
                continue
        else:
            start = tables.default_effective(kind, table, [path.name for _, path in parts])
            if start is None:
                first_day = "its fiscal year (October 1)" if kind == "icd10cm" else "its quarter"
                comp.ctx.error("RR512", "can't tell when this table takes effect", statement.span,
                               help=f"add `effective YYYY-MM-DD` (the first day of {first_day})")
                continue
        key = (kind, claim_type, start)
        # (the where and payers of) an earlier version of this kind, claim type and date judging some of its claims
        clash = next(((where, scope) for where, scope in seen.get(key, ()) if overlapping(scope, payers)), None)
        if clash is not None:
            served = "" if kind in tables.ALL_CLAIMS else f" for {claim_type} claims"
            if payers is not None:
                served += f" of {tables.payers_text(payers & clash[1])}"
            variants = kind == "pctc" and any(_MPFS_VARIANT.search(path.name) for _, path in parts)
            comp.ctx.error("RR513", f"two {kind} tables{served} take effect on the same date, "
                           f"{m.format_date(start)}",
                           statement.span, help=f"the other is at {clash[0]}; " + (
                               _VARIANT_HELP if variants else "list the parts of one table in one statement, "
                               "separated by commas, or give each quarterly version the date it takes effect "
                               "(`effective YYYY-MM-DD`)"))
            continue
        seen.setdefault(key, []).append((source_of(statement.span), payers))
        if payers is not None:
            comp.payers.update(payers)
        comp.loaded_tables.append(tables.Loaded(
            kind=kind, claim_type=claim_type, table=table, start=start,
            files=tuple(display for display, _ in parts), source=source_of(statement.span), from_cache=origin,
            statement=statement, payers=payers,
        ))
    if unwritable:
        comp.ctx.diagnostics[unwritable_at:unwritable_at] = tables.unwritable_folders(unwritable)


def overlapping(payers: frozenset | None, other: frozenset | None) -> bool:
    """Whether two `table` statements' payers (None: no `for payer`) have claims that one list of versions
    judges: both without `for payer`, or naming a payer in common. A payer's own versions replace those
    without `for payer` for it, so a statement with and one without never share a list."""
    if payers is None or other is None:
        return payers is other
    return bool(payers & other)


def _at_statement(comp: Compilation, diagnostic: Diagnostic, parts: list, origins: list) -> Diagnostic:
    """A problem of a whole table file (no line of it to show: no header, no rows, a workbook that is none, a
    file of another kind) placed at the path of the statement that gives the file, so that it reads like any
    other error: file:line:col, the line, a caret."""
    if diagnostic.span is not None or diagnostic.code in ("RR519", "RR530"):  # a count of more problems; the cache
        return diagnostic
    token = next((origin[0] for (display, _), origin in zip(parts, origins) if f"`{display}`" in diagnostic.message),
                 origins[0][0])
    return attrs.evolve(diagnostic, span=token.span, source_line=comp.ctx.source_line(token.span))


def _table_parts(comp: Compilation, statement: s.Table, rule_file, root):
    """(display, path) of every file a table statement names (folders: every file in them), and for each the
    path token that names it and whether it is a file of that folder; None after reporting a problem."""
    from pathlib import Path

    root = Path(root)
    base = root.parent
    parts = []
    origins = []
    given: dict = {}  # each file's real path -> its index in parts
    for token in statement.paths:
        if not token.text.strip():  # it would name the rule file's own folder
            comp.ctx.error("RR502", "the path is empty", token.span,
                           help="write the table file's path, relative to the rule file's folder "
                                "(`cms/ccipra-v322r0-f1.TXT`), or the folder of its parts")
            return None
        try:
            target = _resources.resolved(Path(rule_file).parent / token.text)
            target.is_dir()
        except (OSError, RuntimeError, ValueError):  # a NUL, a name too long, a loop of links
            comp.ctx.error("RR502", f"`{token.text}` is not a path to a table file", token.span,
                           help="paths are relative to the rule file's folder, without control characters or "
                                "link loops")
            return None
        if not target.is_relative_to(root):
            written = Path(os.path.normpath(Path(rule_file).parent.resolve() / token.text))
            if written.is_relative_to(root):  # inside as written: a link to a file elsewhere
                what = "folder" if target.is_dir() else "file"
                comp.ctx.error("RR503", f"`{token.text}` links to a {what} outside the ruleset folder", token.span,
                               help="tables must sit inside the ruleset folder: copy the file in instead of linking "
                                    "it")
            else:
                comp.ctx.error("RR503", f"`{token.text}` is outside the ruleset folder", token.span,
                               help="tables must sit inside the ruleset folder (a sub-folder such as `cms/` is usual)")
            return None
        in_folder = target.is_dir()
        if in_folder:
            entries = sorted(p for p in target.iterdir() if not p.name.startswith("."))
            dangling = next((p for p in entries if p.is_symlink() and not p.exists()), None)
            if dangling is not None:  # a part that is missing: the table would load without it
                comp.ctx.error("RR502", f"`{dangling.name}` in the folder `{token.text}` links to a file that does "
                               "not exist", token.span, help="restore the file the link names, or remove the link")
                return None
            other = next((p for p in entries if not p.is_file()), None)
            if other is not None:  # a folder, a pipe or a device among the parts: never passed over in silence
                comp.ctx.error("RR502", f"`{other.name}` in the folder `{token.text}` is not a file (a folder, a "
                               "pipe or a device)", token.span,
                               help="a table folder holds the table's files only: move anything else out")
                return None
            files = [p for p in entries if p.is_file()]
            if not files:
                comp.ctx.error("RR502", f"the folder `{token.text}` has no files", token.span)
                return None
            outside = next((p for p in files if not p.resolve().is_relative_to(root)), None)
            if outside is not None:  # a link in the folder to a file elsewhere
                comp.ctx.error("RR503", f"`{outside.name}` in the folder `{token.text}` links to a file outside the "
                               "ruleset folder", token.span,
                               help="tables must sit inside the ruleset folder: copy the file in instead of linking it")
                return None
            twice = _same_file_twice(files)
            if twice:
                comp.ctx.error("RR520", f"the folder `{token.text}` holds `{twice[0]}` and `{twice[1]}`, one file "
                               "in two formats", token.span,
                               help="keep one format of each file in the folder (CMS archives carry several)")
                return None
        elif target.is_file():
            files = [target]
        elif target.exists():  # a pipe would make the read wait for a writer forever
            comp.ctx.error("RR502", f"`{token.text}` is not a file (a pipe or a device)", token.span,
                           help="a table statement names the table's files, or the folder of its parts")
            return None
        else:
            comp.ctx.error("RR502", f"no table file `{token.text}`", token.span,
                           help=_other_case(target) or "paths are relative to the rule file's folder")
            return None
        for file in files:
            first = given.setdefault(file.resolve(), len(parts))
            if first != len(parts):  # its rows would be read twice: a PTP pair twice, an MUE code listed twice
                named = origins[first][0]
                by = "" if named.text == token.text else f" (by `{named.text}` and by `{token.text}`)"
                comp.ctx.error("RR520", f"the statement gives `{parts[first][0]}` twice{by}", token.span,
                               help="name each file of a table once: a folder already gives every file in it")
                return None
            parts.append((display_path(file, base), file))
            origins.append((token, in_folder))
    if _two_tables(comp, statement.kind.text, parts, origins) or _part_missing(comp, parts, origins):
        return None
    return parts, origins


#: A part of a table CMS splits in files: `ccipra-v322r0-f3.TXT` is part 3 of `ccipra-v322r0`; so is a copy of it
#: (`ccipra-v322r0-f3 (1).TXT`, `ccipra-v322r0-f3.TXT.bak`).
_PART_NAME = re.compile(r"(.+?)-f([0-9]{1,2})(?![0-9])(.*)", re.IGNORECASE)


def _part_missing(comp: Compilation, parts: list, origins: list) -> bool:
    """RR520 if the numbered parts a statement gives of one table skip a number (f1, f2 and f4; or f2 alone):
    the missing part's rows would be left out without a word (a last part missing can't be told); or if two
    files are one part (a browser's `(1)` copy, a `.bak`): its rows would be read twice."""
    numbers: dict = {}
    for index, (_, path) in enumerate(parts):
        match = _PART_NAME.fullmatch(path.name)
        if not match:
            continue
        given = numbers.setdefault(match.group(1).lower(), {})
        number = int(match.group(2))
        if number in given:
            first = parts[given[number]][1].name
            comp.ctx.error("RR520", f"`{first}` and `{path.name}` are both part f{number} of "
                           f"`{match.group(1)}`: its rows would be read twice", origins[index][0].span,
                           help="keep one file per part (a copy a browser or an editor made, `(1)` or `.bak`, "
                                "goes out of the folder)")
            return True
        given[number] = index
    for stem, given in numbers.items():
        missing = [n for n in range(1, max(given) + 1) if n not in given]
        if not missing:
            continue
        token = origins[given[max(given)]][0]
        stem_shown = _PART_NAME.fullmatch(parts[given[min(given)]][1].name).group(1)
        comp.ctx.error("RR520", f"the statement gives part{'s' if len(given) > 1 else ''} "
                       f"{listed(['f%d' % n for n in sorted(given)])} of `{stem_shown}`, not "
                       f"{listed(['f%d' % n for n in missing], 'or')}: that part's rows would be missing",
                       token.span, help="CMS publishes a table in parts (`-f1` … `-f4`): give every part in one "
                       "statement, separated by commas, or the folder that holds them")
        return True
    return False


def _two_tables(comp: Compilation, kind: str, parts: list, origins: list) -> bool:
    """RR520 if the names of the files of one statement (a folder's, or those it lists) say they are not one
    table: two versions (``ccipra-v321r0-f1`` and ``ccipra-v322r0-f1``, ``Eff_04-01-2026`` and
    ``Eff_07-01-2026``), where an edit the later version deleted would still apply from the earlier one's row;
    or two settings of PTP files (``ccipra-…`` and ``ccioph-…``), where the hospital edits would judge
    professional claims. Whether it did."""
    from .. import tables

    if kind == "pctc" and _two_variants(comp, parts, origins):
        return True
    first: dict = {}  # setting the name says (or None) -> (its version, display, name, token) of its first file
    for (display, path), (token, in_folder) in zip(parts, origins):
        version = tables.version_in_name(kind, path.name)
        setting = tables.setting_in_name(kind, path.name)
        # (An MUE file's header says its setting, which RR514 checks file by file.)
        other_setting = next((said for said in first if None not in (said, setting) and said != setting), None)
        if other_setting is not None and kind == "ptp":
            earlier = first[other_setting]
            what = (f"files of the {tables.PTP_LABELS[other_setting]} and of the {tables.PTP_LABELS[setting]} "
                    f"{kind} table")
            help = (f"give each setting's files a `table {kind}` statement of their own, the hospital one "
                    "`for institutional claims`")
        elif (clash := _other_version(first, setting, version)) is not None:
            earlier = clash
            what = f"two versions of the {kind} table ({earlier[0]} and {version})"
            help = ("the parts of one table are files of one version: load each version with a `table` "
                    "statement of its own and the date it takes effect (`effective YYYY-MM-DD`)")
        else:
            if setting not in first or first[setting][0] is None:
                first[setting] = (version, display, path.name, token)
            continue
        _, other_display, other_name, other_token = earlier
        where = _two_files(token, in_folder, other_token, (other_display, other_name), (display, path.name))
        comp.ctx.error("RR520", f"{where}, {what}", token.span, help=help)
        return True
    return False


def _two_files(token, in_folder: bool, other_token, other: tuple, this: tuple) -> str:
    """How an RR520 names two files of a statement, each (display, name): by name in the folder ``token``
    names (both its files), else by path."""
    if in_folder and other_token is token:
        return f"the folder `{token.text}` holds `{other[1]}` and `{this[1]}`"
    return f"the statement names `{other[0]}` and `{this[0]}`"


#: The variant of an MPFS file since 2026: `PPRRVU2026_Jul_QPP.csv`, `PPRRVU2026_Jul_nonQPP.csv`.
_MPFS_VARIANT = re.compile(r"(?<![a-z])(non)?qpp(?![a-z])", re.IGNORECASE)
_VARIANT_HELP = ("CMS publishes each MPFS release in two variants since 2026, one for qualifying APM participants "
                 "(QPP) and one for the rest (nonQPP); radrules reads their PC/TC and bilateral indicators: load one "
                 "of them")


def _two_variants(comp: Compilation, parts: list, origins: list) -> bool:
    """RR520 if a statement's MPFS files are both variants of a release (QPP and nonQPP): read as one table,
    every code is listed twice (an RR511 per code). Whether they were."""
    seen: dict = {}
    for (display, path), (token, in_folder) in zip(parts, origins):
        match = _MPFS_VARIANT.search(path.name)
        if match is None:
            continue
        variant = "nonQPP" if match.group(1) else "QPP"
        other = next((found for said, found in seen.items() if said != variant), None)
        if other is None:
            seen.setdefault(variant, (display, path.name, token))
            continue
        other_display, other_name, other_token = other
        where = _two_files(token, in_folder, other_token, (other_display, other_name), (display, path.name))
        comp.ctx.error("RR520", f"{where}, the QPP and nonQPP variants of one MPFS release", token.span,
                       help=_VARIANT_HELP)
        return True
    return False


def _other_version(first: dict, setting: str | None, version: str | None):
    """The first file of :func:`_two_tables`'s ``first`` whose version differs from ``version``, among the files
    of ``setting``: a file whose name says no setting is compared with every setting's, and they with it."""
    if version is None:
        return None
    return next((found for said, found in first.items()
                 if (said == setting or None in (said, setting)) and found[0] not in (None, version)), None)


def _and_more(count: int) -> str:
    """`` (and 2 more files of the folder)`` after the file a message names, if there are others."""
    return f" (and {count} more file{'s' if count > 1 else ''} of the folder)" if count else ""


def _other_setting(comp: Compilation, claim_type: str, parts: list, origins: list, part_types: tuple,
                   labels: dict) -> bool:
    """Report RR514 for the parts of an MUE table whose header names the setting of another claim type than
    the statement's, at the path that names them (a folder's file is named in the message); whether any did."""
    wrong: dict = {}
    for (display, _), (token, in_folder), named in zip(parts, origins, part_types):
        if named is not None and named != claim_type:
            wrong.setdefault(id(token), []).append((token, in_folder, display, named))
    mixed = claim_type in part_types
    for found in wrong.values():
        token, in_folder, display, named = found[0]
        more = _and_more(len(found) - 1)
        what = f"`{display}`{more} is" if in_folder else "this is"
        if named == "dme":  # no claim type of radrules is a DME supplier's
            comp.ctx.error("RR514", f"{what} the DME MUE table, for DME supplier claims, which radrules does not "
                           "judge", token.span, help="load the practitioner MUE table for professional claims and the "
                           "outpatient hospital one `for institutional claims`; leave the DME table out")
            continue
        hint = ("the parts of one table are files of one setting: give the " + labels[named] + " files a `table` "
                "statement of their own" + (", `for institutional claims`" if named == "institutional" else "")
                if mixed else "practitioner tables serve professional claims; outpatient hospital tables serve "
                              "`for institutional claims`")
        comp.ctx.error("RR514", f"{what} the {labels[named]} MUE table, but the statement serves {claim_type} "
                       "claims", token.span, help=hint)
    return bool(wrong)


def _ptp_named_for_the_other_setting(comp: Compilation, claim_type: str, parts: list, origins: list) -> None:
    """Warn (RR517) at each path naming PTP files whose name says the other setting than the statement's: a
    ``ccioph-…`` file without ``for institutional claims`` or a ``ccipra-…`` file with it. A name that says
    neither gives no warning."""
    from .. import tables

    wrong: dict = {}
    for (display, path), (token, in_folder) in zip(parts, origins):
        said = tables.setting_in_name("ptp", path.name)
        if said is not None and said != claim_type:
            wrong.setdefault(id(token), []).append((token, in_folder, display, path.name, said))
    for found in wrong.values():
        token, in_folder, display, name, said = found[0]
        more = _and_more(len(found) - 1)
        comp.ctx.warning(
            "RR517", f"`{display if in_folder else name}`{more} is named as the {tables.PTP_LABELS[said]} PTP table, "
            f"but the statement serves {claim_type} claims", token.span,
            help="practitioner files (`ccipra-…`) serve professional claims; hospital outpatient files "
                 "(`ccioph-…`) serve `for institutional claims`")


def _other_case(target) -> str | None:
    """``did you mean `ccipra-v322r0-f1.TXT`?`` for a missing file whose folder holds one of that name in another
    case (file names are told apart by case on most systems)."""
    try:
        names = [path.name for path in target.parent.iterdir()] if target.parent.is_dir() else []
    except OSError:
        return None
    same = [name for name in names if name.lower() == target.name.lower()]
    if not same:
        return None
    return f"did you mean `{same[0]}`? file names are told apart by case"


def _same_file_twice(files: list) -> tuple | None:
    """Two files of a folder that differ only in their suffix (``f1.TXT``, ``f1.xlsx``), if any."""
    seen: dict = {}
    for file in files:
        other = seen.setdefault(file.stem.lower(), file.name)
        if other != file.name:
            return other, file.name
    return None


def compile_blocks(comp: Compilation) -> None:
    """Check every rule and edit block; build rules and rows."""
    conditions = ConditionCompiler(comp.ctx, comp.sets, comp.properties)
    compiler = BlockCompiler(comp.ctx, comp.sets, conditions, lambda clause: served_claim_types(comp, clause))
    for block in comp.blocks:
        if isinstance(block, s.Rule):
            rule = compiler.rule(block)
            if rule is not None:
                comp.rules.append(rule)
                if rule.scope.payers:
                    comp.payers.update(rule.scope.payers)
                comp.compared_payers.update(payer_key(token.text) for clause in block.clauses
                                            if isinstance(clause, (s.When, s.GroupWhen))
                                            for token in payer_values(clause.condition))
            continue
        if isinstance(block, s.PairsBlock):
            rows, disables = compiler.pairs(block)
        elif isinstance(block, s.LimitsBlock):
            rows, disables = compiler.limits(block)
        else:
            rows, disables = compiler.addons(block)
        comp.rows.extend(rows)
        comp.disables.extend(disables)
        for item in list(rows[:1]) + list(disables[:1]):
            scope = item.block.scope if hasattr(item, "block") else item.scope
            if scope.payers:
                comp.payers.update(scope.payers)
    comp.disable_spans = compiler.disable_spans
    comp.row_spans = {id(row): span for row, span in compiler.row_spans}


def disable_rules(comp: Compilation) -> None:
    """Leave rules out where a ``disable rule`` statement says: for its payers and claim types."""
    positions = {rule.info.id: n for n, rule in enumerate(comp.rules)}
    blocks = {block.rule_id.text for block in comp.blocks if not isinstance(block, s.Rule)}  # bad rows too
    failed = {block.rule_id.text for block in comp.blocks if isinstance(block, s.Rule)} - set(positions)
    broken = comp.ctx.has_errors  # before these statements': a statement that did not parse may hold the rule
    for statement in comp.rule_disables:
        rule_id = statement.rule_id.text
        where = statement.rule_id.span
        if rule_id in failed or (rule_id not in positions and rule_id not in blocks and broken):
            continue  # a rule with errors of its own (or a statement that did not parse): they are reported
        if rule_id not in positions:
            if rule_id in blocks:
                comp.ctx.error("RR308", f"`{rule_id}` is an edit block, not a rule", where,
                               help=f"leave its rows out with {_disable_rows(comp, rule_id)} in a block for the "
                                    "payer")
            elif rule_id.startswith("ncci."):
                comp.ctx.error("RR308", f"`{rule_id}` is the edits of a CMS table, not a rule", where,
                               help=f"leave a table row out with {_TABLE_DISABLES.get(rule_id, _ANY_DISABLE)} "
                                    "for the payer")
            elif _built_in(rule_id):
                comp.ctx.error("RR308", f"`{rule_id}` is a built-in check, not a rule", where,
                               help="the format and code-set checks can't be left out: they say the claim is "
                                    "malformed, for every payer")
            else:
                comp.ctx.error("RR308", f"no rule `{rule_id}` to disable", where, help=suggestion(rule_id, positions)
                               or _bundled_hint(rule_id) or "name the rule by its id, as findings do")
            continue
        if statement.reference is None:
            comp.ctx.warning("RR260", f"`disable rule {rule_id}` has no `reference`", where,
                             help="say why the rule is left out (the payer's policy, section)")
        payers = payers_named(statement.payers)
        claim_types = frozenset([statement.claim_type.text]) if statement.claim_type is not None else None
        rule = comp.rules[positions[rule_id]]
        idle = _outside(rule.scope.payers, payers, "payer") or _outside(rule.scope.claim_types, claim_types,
                                                                       "claim type")
        if idle:
            comp.ctx.warning("RR263", f"`disable rule {rule_id}` disables nothing: the rule {idle}", where,
                             help="check the payers and claim types, or the rule id")
        exclusion = m.Exclusion(payers, claim_types, source_of(statement.span))
        scope = attrs.evolve(rule.scope, excluded=rule.scope.excluded + (exclusion,))
        comp.rules[positions[rule_id]] = attrs.evolve(rule, scope=scope)
        if payers:
            comp.payers.update(payers)


def check_payer_names(comp: Compilation) -> None:
    """RR269 for a payer name one edit from another the ruleset names (`acmee` beside `acme`): a block for it
    never applies to the claims of the other, and a test of `claim.payer` with it is never true for them
    (`claim.payer is not acmee` holds for `acme`'s claims). Names that differ in their digits only (`plan1`,
    `plan2`) are taken as two payers."""
    order = {source.name: index for index, source in enumerate(comp.sources)}

    def position(span: s.Span) -> tuple:
        return order.get(span.file, len(order)), span.line, span.column

    uses: dict = {}  # payer -> [the span of its first use, how many places name it, whether that use is a test]
    for token, tested in _payer_tokens(comp):
        use = uses.setdefault(payer_key(token.text), [token.span, 0, tested])
        use[1] += 1
        if position(token.span) < position(use[0]):
            use[0], use[2] = token.span, tested
    names = sorted(uses, key=len)
    for i, name in enumerate(names):
        for other in names[i + 1:]:
            if len(other) > len(name) + 1:
                break
            if not _one_edit_apart(name, other):
                continue
            # the warning is at the name used less (the later one, if as often): the likelier misspelling
            odd, common = sorted((name, other), key=lambda payer: (
                uses[payer][1], tuple(-n for n in position(uses[payer][0]))))
            count = uses[common][1]
            more = f" and {count - 1} more place{'s' if count > 2 else ''}" if count > 1 else ""
            never = (f"on claims of `{common}`, `claim.payer` is never `{odd}`" if uses[odd][2] else
                     f"rules and blocks for `{odd}` never apply to claims of `{common}`")
            comp.ctx.warning(
                "RR269", f"payer `{odd}` is one letter from payer `{common}`, named at {source_of(uses[common][0])}"
                f"{more}", uses[odd][0],
                help=f"payers are told apart by their whole name (without case): {never}; if it is a misspelling, "
                     f"write `{common}`")


def _payer_tokens(comp: Compilation):
    """Every payer name written in a `for payer` clause, a test of `claim.payer` in a `when` or `group` condition,
    a setting,
    a `disable rule` or a `table` statement: (its token, whether it is in a condition)."""
    for block in comp.blocks:
        for clause in block.clauses:
            if isinstance(clause, s.ForPayer):
                yield from ((token, False) for token in clause.payers)
            elif isinstance(clause, (s.When, s.GroupWhen)):
                yield from ((token, True) for token in payer_values(clause.condition))
    for statement in comp.settings_syntax + comp.rule_disables + comp.tables:
        yield from ((token, False) for token in statement.payers)


def _one_edit_apart(first: str, second: str) -> bool:
    """Whether two payer names are one edit apart (a letter added, left out, changed or two swapped), other than
    in their digits only (`plan1`, `plan2`, `plan12`: numbered plans)."""
    if _DIGITS.sub("", first) == _DIGITS.sub("", second):
        return False
    return edit_distance(first, second, 1) == 1


_DIGITS = re.compile(r"[0-9]")


#: The `disable` rows that leave out a row of each CMS table's edits (`disable rule ncci.ptp` is RR308).
_TABLE_DISABLES = {"ncci.ptp": "`disable pair` rows in a `pairs` block",
                   "ncci.mue": "`disable limit` rows in a `limits` block",
                   "ncci.addon": "`disable addon` rows in an `addons` block"}
_ANY_DISABLE = "`disable pair`, `disable limit` or `disable addon` rows in a block"
_BLOCK_DISABLES = {s.PairsBlock: "`disable pair` rows", s.LimitsBlock: "`disable limit` rows",
                   s.AddonsBlock: "`disable addon` rows"}


def _disable_rows(comp: Compilation, rule_id: str) -> str:
    """The `disable` rows that leave out the rows of edit block ``rule_id`` (any kind's, if blocks of several kinds
    share the id)."""
    kinds = {type(block) for block in comp.blocks if not isinstance(block, s.Rule) and block.rule_id.text == rule_id}
    return _BLOCK_DISABLES[next(iter(kinds))] if len(kinds) == 1 else _ANY_DISABLE


def _built_in(rule_id: str) -> bool:
    from ..checks import FORMAT_RULES

    return rule_id in FORMAT_RULES or rule_id.startswith("codes.")


def _bundled_hint(rule_id: str) -> str | None:
    """A hint for a `disable rule` of a bundled rule's id in rules loaded without it."""
    import re

    from .._resources import bundled_rulesets

    try:
        for path in bundled_rulesets().rglob("*.rr"):
            if re.search(rf"^rule\s+{re.escape(rule_id)}\b", path.read_text(encoding="utf-8"), re.MULTILINE):
                return ("it is a rule of the bundled rulesets: load this file with them, `radrules.load(PATH, "
                        "bundled=True)`, `--bundled` on the command line or `rules bundled, PATH` in a rule test "
                        "(docs/language.md, `disable rule`)")
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _outside(applies: frozenset | None, left_out: frozenset | None, what: str) -> str | None:
    """How a rule that ``applies`` to some payers (claim types) misses every one a ``disable rule`` leaves it out
    for, if it does: ``applies to payer medicare only``."""
    if applies is None or left_out is None or applies & left_out:
        return None
    return f"applies to {what} {', '.join(sorted(applies))} only"


def build_indexes(comp: Compilation) -> None:
    """File rules by code and modifier, rows by key, for every payer and claim type."""
    if comp.ctx.has_errors:
        return
    grouped_rows = rows_by_key(comp.rows)
    grouped_disables = disables_by_key(comp.disables)
    _warn_idle_disables(comp, grouped_rows)
    warn_row_conflicts(comp, grouped_rows, grouped_disables)
    warn_uncovered_dates(comp, grouped_rows, grouped_disables)
    size, widest, keys = index_size(comp.rules, grouped_rows, comp.payers)
    if size > MAX_INDEX_ENTRIES:
        file, _, line = (widest.info.source or "").rpartition(":") if widest is not None else ("", "", "")
        span = s.Span(file, int(line), 1, int(line), 5) if is_digits(line) else None
        comp.ctx.error(
            "RR255", f"the rules' indexes would hold {size:,} entries (at most {MAX_INDEX_ENTRIES:,}): "
            f"{len(comp.payers)} payers, each with views of its own, {len(widest.index_codes) if widest else 0:,} "
            f"codes in the widest rule, {keys:,} row keys in all views",
            span, help="a rule for every code needs no code condition; rules and rows for many payers are "
                       "filed again for each: one rule with `claim.payer in [...]` is filed once")
        return
    comp.views = build_views(comp.rules, grouped_rows, grouped_disables,
                             comp.payers, comp.settings, comp.properties, comp.loaded_tables)


#: For each kind of `disable` row: its block's word, the table kind and how messages name the table, what a key is.
_DISABLE_WORDS = {"pair": ("pairs", "ptp", "PTP", "pair"), "limit": ("limits", "mue", "MUE", "code"),
                  "addon": ("addons", "addon", "add-on code", "code")}


def _warn_idle_disables(comp: Compilation, grouped_rows: dict) -> None:
    """RR263 for a ``disable`` row that changes no view: for every payer and claim type it applies to, no
    rule-file row it removes and no table loaded for that claim type has its key (or a more specific block's rows
    keep the key). Most often a code is mistyped, or the table of the block's claim type is not loaded."""
    views = [(payer, claim_type) for payer in sorted(comp.payers) + [None] for claim_type in CLAIM_TYPES]
    for disable, span in comp.disable_spans:
        rows = grouped_rows.get((disable.kind, disable.key), ())
        kept = None  # a more specific block's row that keeps the key where the disable applies
        useful = False
        for payer, claim_type in views:
            if not disable.scope.applies_to(payer, claim_type):
                continue
            left = select(rows, (disable,), payer, claim_type)
            if left:
                kept = kept or left[0]
            elif select(rows, (), payer, claim_type) is not None or _table_has(comp, disable, payer, claim_type):
                useful = True
                break
        if not useful:
            message, help = _idle_disable(comp, disable, kept)
            comp.ctx.warning("RR263", message, span, help=help)


def _table_has(comp: Compilation, disable, payer: str | None, claim_type: str) -> bool:
    """Whether a table loaded for ``claim_type`` and the claims of ``payer`` has the key of ``disable`` (in any
    version)."""
    from .. import tables

    kind = _DISABLE_WORDS[disable.kind][1]
    return any(tables.key_rows(loaded, disable.key)
               for loaded in tables.serving(comp.loaded_tables, kind, claim_type, payer))


def _idle_disable(comp: Compilation, disable, kept) -> tuple[str, str]:
    """The message and help of RR263 for a ``disable`` row that changes nothing."""
    from .. import tables

    block_word, kind, label, noun = _DISABLE_WORDS[disable.kind]
    what = f"`disable {disable.kind} {' with '.join(disable.key)}` disables nothing"
    if kept is not None:
        return (f"{what}: the rows of `{kept.block.info.id}` ({kept.source}) keep this {noun} wherever it applies",
                "a `disable` removes the rows of its own block's level and less specific ones, not a payer's own "
                "rows: write it in that block, or remove the rows")
    claim_types = sorted(disable.scope.claim_types or CLAIM_TYPES)
    served = {loaded.claim_type for loaded in comp.loaded_tables if loaded.kind == kind}
    missing = [claim_type for claim_type in claim_types if claim_type not in served]
    if disable.scope.claim_types is not None and missing == claim_types:
        claims = f"{claim_types[0]} claims"
        elsewhere = next((loaded for loaded in comp.loaded_tables if loaded.kind == kind
                          and loaded.claim_type not in claim_types and tables.key_rows(loaded, disable.key)), None)
        has = (f"; the {label} table for {elsewhere.claim_type} claims has this {noun}, but it does not judge "
               f"{claims}" if elsewhere is not None else "")
        return (f"{what}: no {label} table for {claims} is loaded, and no `{block_word}` row for them has this "
                f"{noun}", f"load the table for {claims} (`table {kind} \"...\" for {claims}`) with these rules, or "
                f"check the block's `for {claims}`{has}")
    claims = f" for {claim_types[0]} claims" if len(claim_types) == 1 else ""
    help = ("check the codes (column 1 `with` column 2), or load the table the row is in" if disable.kind == "pair"
            else "check the code, or load the table the row is in")
    reversed_row = _reversed_table_row(comp, disable, claim_types) if disable.kind == "pair" else None
    if reversed_row is not None:
        first, second = disable.key[1], disable.key[0]
        help = (f"the PTP table has the pair the other way round, `{first} with {second}` ({reversed_row.source}): "
                f"column 1 comes first, so write `disable pair {first} with {second}`")
    return f"{what}: no `{block_word}` row and no {label} table loaded{claims} has this {noun}", help


def _reversed_table_row(comp: Compilation, disable, claim_types: list):
    """A row of ``B with A`` in a PTP table loaded for one of ``claim_types``, for ``disable pair A with B``."""
    from .. import tables

    reverse = (disable.key[1], disable.key[0])
    return next((row for loaded in comp.loaded_tables if loaded.kind == "ptp" and loaded.claim_type in claim_types
                 for row in tables.key_rows(loaded, reverse)), None)


def row_key(row) -> tuple:
    if hasattr(row, "column1"):
        return ("pair", (row.column1, row.column2))
    if hasattr(row, "max_units"):
        return ("limit", (row.code,))
    return ("addon", (row.code,))


def rows_by_key(rows) -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row_key(row)].append(row)
    return {key: tuple(value) for key, value in grouped.items()}


def disables_by_key(disables) -> dict:
    grouped = defaultdict(list)
    for disable in disables:
        grouped[(disable.kind, disable.key)].append(disable)
    return {key: tuple(value) for key, value in grouped.items()}


#: The compiler passes, in order.
PASSES = (
    ("collect", collect),
    ("resolve sets", resolve_sets),
    ("check settings", check_settings),
    ("build properties", build_properties),
    ("load tables", load_tables),
    ("check table versions", check_versions),
    ("compile blocks", compile_blocks),
    ("disable rules", disable_rules),
    ("check payer names", check_payer_names),
    ("build indexes", build_indexes),
    ("allow warnings", allow_warnings),
)


def compile_ruleset(sources: list[s.SourceFile], name: str, diagnostics: list[Diagnostic] = (),
                    paths: dict | None = None, roots: dict | None = None, cache_dir=None):
    """Run every pass; return a Ruleset or raise RuleError with all diagnostics.

    ``diagnostics`` are problems found before compiling (syntax, includes);
    the passes still run on what did parse, so one run reports everything.
    """
    from ..ruleset import Ruleset

    ctx = Context(sources)
    ctx.diagnostics.extend(diagnostics)
    comp = Compilation(ctx, sources, paths, roots, cache_dir)
    for _name, run in PASSES:
        run(comp)
    order = {source.name: index for index, source in enumerate(sources)}
    # By file, then position; diagnostics about no position (a file as a whole,
    # a count of problems not shown) keep their order after the others.
    ctx.diagnostics.sort(key=lambda d: (
        (0, order.get(d.span.file, len(order)), d.span.line, d.span.column) if d.span else (1, 0, 0, 0)
    ))
    if ctx.has_errors:
        raise RuleError(ctx.diagnostics)
    versions = tuple((h.name.text, h.version.text) for h in comp.headers)
    return Ruleset(
        name=name,
        versions=versions,
        files=tuple(source.name for source in sources),
        rules=tuple(comp.rules),
        rows=tuple(comp.rows),
        disables=tuple(comp.disables),
        payers=frozenset(comp.payers),
        compared_payers=frozenset(comp.compared_payers),
        settings=dict(comp.settings),
        properties=comp.properties,
        views=comp.views,
        tables=tuple(comp.loaded_tables),
        warnings=tuple(d for d in ctx.diagnostics if not d.is_error),
        allowed=tuple(comp.allowed),
    )
