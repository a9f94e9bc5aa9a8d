"""The ruleset's ``table`` statements: the ``load tables`` pass, and whose claims each table kind serves.

:func:`load_tables` reads the CMS files every ``table`` statement names
(through the table caches) into the compilation's ``loaded_tables``,
after checking the statement and its paths: the table kind (RR501), the
files inside the ruleset folder (RR502, RR503), one table's parts and
nothing else (RR520), the setting a file's header or name says (RR514,
RR517) and the date each version takes effect (RR512, RR513).
:func:`served_claim_types` tells ``unless table KIND`` clauses (``property``
stand-ins, rules) whose claims the statements of a kind serve.
:func:`overlapping` says whether two statements' payers share a list of
versions (versions.py asks it too).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .. import _resources, tables
from .. import model as m
from .. import syntax as s
from .._resources import display_path
from ..claim import CLAIM_TYPES
from ..errors import Diagnostic, suggestion
from ..model import listed
from .context import payers_named, source_of
from .versions import loaded_twice

if TYPE_CHECKING:  # for the annotations only: the package imports this module
    from . import Compilation


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
    if statement.kind.text in tables.ALL_CLAIMS:
        return CLAIM_TYPES
    return (statement.claim_type.text if statement.claim_type is not None else "professional",)


def _known_table_kind(comp: Compilation, token: s.Token) -> bool:
    """Whether ``token`` names a table kind; RR501 if not."""
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
        table, diagnostics, origin = tables.read_table(kind, parts, comp.cache_dir, Path(root))
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
        names = [path.name for _, path in parts]
        clash = next(((where, scope, others) for where, scope, others in seen.get(key, ())
                      if overlapping(scope, payers)), None)
        if clash is not None:
            served = "" if kind in tables.ALL_CLAIMS else f" for {claim_type} claims"
            if payers is not None:
                served += f" of {tables.payers_text(payers & clash[1])}"
            variants = kind == "pctc" and any(_MPFS_VARIANT.search(name) for name in names)
            revised = _revision(clash[2], names) if kind == "ptp" else _named_alike(kind, clash[2], names)
            comp.ctx.error("RR513", f"two {kind} tables{served} take effect on the same date, "
                           f"{m.format_date(start)}",
                           statement.span, help=f"the other is at {clash[0]}; " + (
                               _VARIANT_HELP if variants else revised or "list the parts of one table in one "
                               "statement, separated by commas, or give each quarterly version the date it takes "
                               "effect (`effective YYYY-MM-DD`)"))
            continue
        seen.setdefault(key, []).append((source_of(statement.span), payers, names))
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
            help = (kind == "ptp" and _revision([clash[2]], [path.name])) or (
                "the parts of one table are files of one version: load each version with a `table` statement of "
                "its own and the date it takes effect (`effective YYYY-MM-DD`)")
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


def _revision(earlier: list, later: list) -> str | None:
    """The help of RR513 and RR520 for PTP files of two revisions of one version (`v322r0` and `v322r1`: CMS's
    corrected release of the quarter, which replaces the first), given the names of each; None for others."""
    def found(names):
        return sorted(filter(None, (tables.named_version("ptp", name) for name in names)))

    olds = found(earlier)
    for (version, revision), label in found(later):
        other = next((((v, r), text) for (v, r), text in olds if v == version and r != revision), None)
        if other is not None:
            old, new = sorted([other, ((version, revision), label)])
            return (f"`{new[1]}` is a corrected release of `{old[1]}`: it replaces the files of that quarter; put "
                    f"them in place of the old ones and keep one statement (to judge claims as before the "
                    f"correction, load a copy of the old folder apart)")
    return None


def _named_alike(kind: str, earlier: list, later: list) -> str | None:
    """The help of RR513 for two statements whose files' names give one date (two MUE files named
    `Eff_07-01-2026`): one quarter's file loaded twice, not the parts of one table; None for others."""
    named = tables.effective_from_names(kind, earlier)
    if named is None or named != tables.effective_from_names(kind, later):
        return None
    return (f"both load a file named for {m.format_date(named)}, one quarter's file twice: is one of them a copy of "
            f"the other, or a file of another quarter named wrong? Load each quarter's file once, with the date it "
            f"takes effect")


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
