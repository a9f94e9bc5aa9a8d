"""Find, read and parse rule files; follow ``include``; cache compiled rulesets.

A ruleset is a folder of ``*.rr`` files (searched recursively) or one file,
plus everything they include. Includes are relative to the including file
and may never leave the ruleset folder (for one file, that file's folder).
Compiled rulesets are cached in-process by a hash of every file's name and
content, so loading the same rules twice compiles once.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Iterable

import attrs
import cachetools

from . import _resources, tables
from ._resources import display_path, is_rule_file, resolved
from .compiler import compile_ruleset
from .errors import Diagnostic, RuleError, lf_line_ends, line_of, shortened
from .parser import fingerprint, parse_rules
from .ruleset import Ruleset
from .syntax import Include, SourceFile, Span, Table
from .tables import default_cache_dir, forget_recent

_CACHE: cachetools.LRUCache = cachetools.LRUCache(maxsize=16)
_PARSED: cachetools.LRUCache = cachetools.LRUCache(maxsize=512)
_CACHE_LOCK = threading.Lock()
_COMPILING: dict = {}  # key -> [its lock, the threads that hold or wait for it] (under _CACHE_LOCK)


def _parse(text: str, display: str, cache_dir: Path | None = None):
    """parse_rules with an in-process cache keyed by file name and content, and the disk cache of ``cache_dir``
    (keyed by those and the parser's :func:`~radrules.parser.fingerprint` too): reading a parse back takes about
    a fifth of the time of parsing, and a load whose files all come from there never builds the parser
    (docs/performance.md, "Loading")."""
    key = _hash([(display, text)])
    with _CACHE_LOCK:
        cached = _PARSED.get(key)
    if cached is None:
        code = fingerprint() if cache_dir else None
        if code is not None:
            # (the syntax classes' fields are in the parser's fingerprint; the cache file's own, in STORED_LAYOUT)
            on_disk = hashlib.sha256(f"{code}\0{tables.STORED_LAYOUT}\0{key}".encode()).hexdigest()
            found = tables.on_disk(tables.PARSED_KIND, on_disk, cache_dir, lambda: _parsed(text, display))
            cached = found["source"], found["diagnostics"]
        else:
            cached = parse_rules(text, display)
        with _CACHE_LOCK:
            _PARSED[key] = cached
    return cached[0], list(cached[1])


def _parsed(text: str, display: str) -> dict:
    source, diagnostics = parse_rules(text, display)
    return {"source": source, "diagnostics": tuple(diagnostics)}


def clear_memory_cache() -> None:
    """Empty the in-process caches, so that a ruleset dropped is freed with its tables (a service that swaps
    to a new quarter's ruleset; docs/tables.md). The disk cache stays; tables a ruleset still holds stay
    shared by the next load of the same files."""
    with _CACHE_LOCK:
        _CACHE.clear()
        _PARSED.clear()
    forget_recent()


#: ``load``'s default ``cache_dir`` (typed Any, so that the parameter's type is what a caller may give).
_DEFAULT: Any = object()


def load(path: str | os.PathLike[str] | None = None, *more: str | os.PathLike[str], bundled: bool | None = None,
         cache_dir: str | os.PathLike[str] | None = _DEFAULT, extra: Iterable[tuple[str, str]] = ()) -> Ruleset:
    """Compile a rule file or a folder of rule files; with no path, the bundled rulesets.

    Several paths (``load("cms-tables", "payer-rules")``), and the bundled
    rulesets with ``bundled=True``, compile as one ruleset, as if their files
    sat in one folder: a payer's own rules and CMS tables can stand beside the
    bundled rules without a copy of them. Each keeps its own sandbox: its
    ``include`` and ``table`` paths must stay inside its own folder.
    ``bundled`` is True when no path is given, else False.

    ``cache_dir``: where compiled CMS tables are cached on disk (default:
    ``RADRULES_CACHE_DIR`` or the user cache directory; ``None`` or an empty text: no disk cache). ``Path("")``
    is not empty: pathlib makes it ``Path(".")``, the working folder, as ``"."`` is here and in
    ``RADRULES_CACHE_DIR``.
    ``extra``: more rule text, as ``(name, text)`` pairs, compiled as further
    files of the ruleset (rule tests add test-only rules this way); ``include``
    and ``table`` are not available in it.
    """
    if cache_dir is _DEFAULT:
        cache_dir = default_cache_dir()
    elif cache_dir is not None:
        # An empty path is no disk cache, as an empty RADRULES_CACHE_DIR is (not the working directory).
        cache_dir = Path(cache_dir) if str(cache_dir).strip() else None
    extra = tuple(extra)
    for item in extra:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(f"load(): `extra` holds (name, text) pairs, not {type(item).__name__}")
        require_texts("load", **dict(zip(("name", "text"), item)))
    paths = (path, *more) if path is not None or more else ()
    if any(given is None for given in paths):
        raise TypeError("load() takes paths; give bundled=True for the bundled rulesets beside them")
    if bundled is None:
        bundled = not paths
    layers, problems = [], []
    if bundled:
        root = _resources.bundled_rulesets()
        layers.append(_Layer(root.resolve(), root, "radrules", "the bundled rulesets", bundled=True))
    for given in paths:
        found = _layer(given)
        if isinstance(found, Diagnostic):
            problems.append(found)
        elif all(found.start.resolve() != layer.start.resolve() for layer in layers):  # a path given twice: once
            layers.append(found)
    if problems:  # every path that names nothing, at once
        raise RuleError(problems)
    if not layers:
        raise RuleError([Diagnostic("RR401", "no rules to load: give a path, or bundled=True")])
    with _collector_paused():
        return _load_tree(layers, cache_dir, extra)


_PAUSES = [0, False]  # loads under way, whether the cycle collector was on when the first began
_PAUSE_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    """A process forked while another thread loaded rules gets none of the loads under way: their locks start
    anew, and the cycle collector they paused is on again if it was on before they began."""
    global _PAUSE_LOCK, _CACHE_LOCK
    _PAUSE_LOCK, _CACHE_LOCK = threading.Lock(), threading.Lock()
    _COMPILING.clear()
    if _PAUSES[0]:
        _PAUSES[0] = 0
        if _PAUSES[1]:
            gc.enable()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _compiled_once(key: str, build) -> Ruleset:
    """The cached ruleset of ``key``, else the one ``build()`` compiles, cached. One thread compiles a key at a
    time: the others that load the same files wait, then find it in the cache, so that every thread gets the same
    object (docs/api.md)."""
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        entry = _COMPILING.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            with _CACHE_LOCK:
                cached = _CACHE.get(key)  # compiled by another thread while this one waited
            if cached is None:
                cached = build()
                with _CACHE_LOCK:
                    _CACHE[key] = cached
            return cached
    finally:
        with _CACHE_LOCK:
            entry[1] -= 1
            if entry[1] == 0 and _COMPILING.get(key) is entry:
                del _COMPILING[key]


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while rules load (on again after the last of loads in several threads, if it
    was on before). A load makes hundreds of thousands of objects that live on (the syntax trees, the compiled
    rules and views), and each full collection walks all of them again: a third of the time of loading a
    megabyte of rule files went to it (docs/performance.md, "Loading"). Lark's trees and the rest of what a load
    drops hold no cycles and are freed as it goes; any cycle left is collected once the collector is on again."""
    with _PAUSE_LOCK:
        if _PAUSES[0] == 0:
            _PAUSES[1] = gc.isenabled()
            gc.disable()
        _PAUSES[0] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _PAUSES[1]:
                gc.enable()


@attrs.frozen
class _Layer:
    """One folder or file given to :func:`load`: its sandbox ``root`` (resolved), where its walk starts, its name
    (a part of the ruleset's) and how messages name it."""

    root: Path
    start: Path
    name: str
    shown: str
    bundled: bool = False


def _layer(path) -> _Layer | Diagnostic:
    """The layer of a path given to :func:`load`, or the RR401 that says why there is none."""
    if not os.fspath(path):  # Path("") is the working directory; an empty path names nothing
        return Diagnostic("RR401", "no rule file or folder: the path is empty")
    path = Path(path)
    try:
        is_dir = path.is_dir()
        is_file = not is_dir and path.is_file()
    except OSError as problem:  # a name too long, a folder on the way that can't be entered
        return Diagnostic("RR401", f"can't read `{shortened(str(path), 200)}`: {problem.strerror}")
    shown = f"`{shortened(path.as_posix(), 200)}`"
    if is_dir:
        root = path.resolve()
        return _Layer(root, path, root.name, shown)
    if is_file:
        return _Layer(path.parent.resolve(), path, path.stem, shown)
    if os.path.exists(path):  # (through a link, say)
        return Diagnostic("RR401", f"`{shortened(path.as_posix(), 200)}` is not a rule file or folder (a pipe or a "
                                   "device)")
    return Diagnostic("RR401", f"no rule file or folder at `{shortened(path.as_posix(), 200)}`")


def require_texts(function: str, **given) -> None:
    """TypeError naming the argument of ``function`` that is not a str (rules read as text, a file's name)."""
    for argument, value in given.items():
        if not isinstance(value, str):
            raise TypeError(f"{function}(): `{argument}` must be a str, not {type(value).__name__}")


def loads(text: str, name: str = "<string>") -> Ruleset:
    """Compile rules given as a string (``include`` is not available); a leading byte order mark is dropped, as in
    a file."""
    require_texts("loads", text=text, name=name)
    text = without_mark(text)

    def build() -> Ruleset:
        with _collector_paused():
            source, diagnostics = _parse_text(text, name)
            return compile_ruleset([source], name, diagnostics)

    return _compiled_once(_hash([(name, text)]), build)


def without_mark(text: str) -> str:
    """``text`` without a leading byte order mark (U+FEFF), which Windows editors write and a rule file may
    start with: text given to ``loads`` or ``format_rules`` is read as a file is."""
    return text[1:] if text.startswith("\ufeff") else text


def _parse_text(text: str, name: str):
    """Parse rules given as text, where ``include`` is not available (RR405)."""
    source, diagnostics = _parse(text, name)
    for statement in source.statements:
        if isinstance(statement, Include):
            diagnostics.append(Diagnostic(
                "RR405", "`include` needs rules loaded from a file", statement.span,
                _line(text, statement.span.line), help="use radrules.load(path) for rules that include others",
            ))
    return source, diagnostics


def _line(text: str, number: int) -> str | None:
    return line_of(text, number)


def _hash(named_texts) -> str:
    """A content key of named texts; lengths keep it unambiguous (no two lists of texts hash alike by a NUL)."""
    digest = hashlib.sha256()
    for name, text in named_texts:
        for part in (name, text):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(b"%d\0" % len(data) + data)
    return digest.hexdigest()


def rule_files(folder: Path) -> list[Path]:
    """The ``.rr`` files a folder's ruleset holds, sorted by their real paths: in it and its sub-folders, names
    starting with `.` left out, each file once however many links lead to it (see :func:`files_under`)."""
    return files_under(Path(folder).resolve())[0]


def files_under(root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The real paths of the ``.rr`` files in ``root`` (resolved) and its sub-folders, sorted, and the problems
    of the links among them. A link to a folder inside ``root`` is followed (a folder already searched, as a
    link back up is, is not searched again); one to a folder outside it is RR402, as a link to a file outside
    it is; a loop of links is RR401, a link to nothing too. Names starting with `.` are left out, as the walk
    finds them. Loading and `radrules fmt` find rule files by this one walk."""
    base = root.parent
    found: set[Path] = set()
    problems: list[Diagnostic] = []
    searched = {root}
    pending = [root]  # real paths: a file's real path is its folder's and its name, unless it is a link
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:  # a folder that can't be read holds nothing to load
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                is_link, is_dir = entry.is_symlink(), entry.is_dir()
            except OSError:  # a loop of links (resolved below), a folder that can't be entered
                is_link, is_dir = True, False
            if not is_link:
                if is_dir:
                    searched.add(path)
                    pending.append(path)
                elif is_rule_file(entry.name):
                    found.add(path)
                continue
            if not is_dir and not is_rule_file(entry.name):
                continue
            try:
                target = resolved(path)
            except (OSError, RuntimeError):  # a loop of links
                problems.append(Diagnostic("RR401", f"`{display_path(path, base)}` is a loop of links", None, None,
                                           "a ruleset reads rule files, not links that point at each other"))
                continue
            what = "a folder" if is_dir else "a file"
            if not is_dir and not target.exists():
                problems.append(Diagnostic("RR401", f"`{display_path(path, base)}` is a link to nothing", None, None,
                                           "the file it pointed at was moved or removed: remove the link or "
                                           "put the file back"))
            elif not target.is_relative_to(root):
                problems.append(Diagnostic(
                    "RR402", f"`{display_path(path, base)}` links to {what} outside the ruleset folder", None, None,
                    f"a ruleset reads only files inside its folder: copy the {what[2:]} in instead of linking it"))
            elif not is_dir:
                found.add(target)
            elif target not in searched:
                searched.add(target)
                pending.append(target)
    return sorted(found), problems


def _entry_files(layer: _Layer) -> tuple[list[Path], list[Diagnostic]]:
    """The rule files a layer starts from, by their real paths: every ``.rr`` file of its folder (names starting
    with `.` skipped), or its one file; and the problems of links among them."""
    if not layer.start.is_dir():
        target = layer.start.resolve()
        if not target.is_relative_to(layer.root):  # a link to a file elsewhere: its folder is not the ruleset's
            return [], [Diagnostic(
                "RR402", f"`{layer.start.name}` links to a file outside the ruleset folder", None, None,
                "a ruleset reads only files inside its folder (the loaded file's): copy the file in instead of "
                "linking it")]
        return [target], []
    entry, problems = files_under(layer.root)  # a folder's layer starts at its root
    if problems:  # nothing of this path is read; the other paths still are, so that all problems show
        return [], problems
    if not entry:
        return [], [Diagnostic("RR401", f"no `.rr` files in `{layer.start}`")]
    return entry, problems


def _load_tree(layers: list[_Layer], cache_dir, extra: tuple = ()):
    """Read, parse and compile the rule files of ``layers`` (and what they include) as one ruleset."""
    texts: dict[Path, str] = {}
    diagnostics: list[Diagnostic] = []
    sources: dict[Path, SourceFile] = {}
    includes: dict[Path, list[tuple[Path, Include]]] = {}
    roots: dict[str, Path] = {}  # display name -> the folder its file's paths must stay in
    owner: dict[Path, int] = {}  # rule file -> the layer that reached it first
    named: dict[str, int] = {}  # display name -> the layer of the file of that name
    clashes: dict[tuple, list] = {}  # (kind, layer, layer) -> the files two layers both reach, or both name
    entries = []
    for layer in layers:
        entry, found = _entry_files(layer)
        diagnostics.extend(found)
        entries.append(entry)
    for index, (layer, entry) in enumerate(zip(layers, entries)):
        root = layer.root
        base = root.parent
        queue = list(entry)
        while queue:
            path = queue.pop(0)
            if path in owner:
                first = owner[path]
                if layers[first].root != root:  # one file in two sandboxes: a folder given inside another
                    names = (display_path(path, layers[first].root.parent), display_path(path, base))
                    clashes.setdefault(("overlap", first, index), []).append(max(names, key=len))
                continue
            owner[path] = index
            display = display_path(path, base)
            if display in named:  # another layer's file of the same name: a finding's source would name either
                clashes.setdefault(("name", named[display], index), []).append(display)
                continue
            named[display] = index
            try:
                text = _read_rule_file(path, root)
            except _NotAFile:
                diagnostics.append(Diagnostic("RR401", f"`{display}` is not a rule file (a folder, a pipe or a device)",
                                              help="a ruleset reads regular files ending in `.rr`"))
                continue
            except _resources.TooLarge as problem:
                diagnostics.append(Diagnostic(
                    "RR401", f"`{display}` {_resources.too_large_words('a rule file', problem.size, problem.limit)}",
                    help="is it a rule file? one this large is not written by hand: split it into files of a folder"))
                continue
            except UnicodeDecodeError as problem:
                diagnostics.append(Diagnostic("RR404", f"`{display}` is not UTF-8 text (byte {problem.start})",
                                              help="save the file as UTF-8 (rule files are UTF-8 text)"))
                continue
            except OSError as problem:
                diagnostics.append(Diagnostic("RR401", f"can't read `{display}`: {problem.strerror}"))
                continue
            texts[path] = text
            roots[display] = root
            source, found = _parse(text, display, cache_dir)
            sources[path] = source
            diagnostics.extend(found)
            includes[path] = []
            for statement in source.statements:
                if not isinstance(statement, Include):
                    continue
                target = _resolve_include(path, statement, root, text, diagnostics)
                if target is not None:
                    includes[path].append((target, statement))
                    queue.append(target)
    twice = [_twice(kind, files, layers[first].shown, layers[second].shown)
             for (kind, first, second), files in clashes.items()]
    copies = _bundled_copies(layers, owner, texts)
    if twice or copies:  # what follows from these (every rule defined twice) would bury them
        raise RuleError(twice + copies)
    diagnostics.extend(_include_cycles(includes, texts))
    extra_sources = []
    for extra_name, extra_text in extra:
        source, found = _parse_text(extra_text, extra_name)
        extra_sources.append(source)
        diagnostics.extend(found)

    name = "+".join(layer.name for layer in layers)
    # Rulesets that read CMS tables are not cached whole: a table file may change
    # under the same rule text. The tables have their own content-keyed caches.
    # The ruleset's name is part of the key: the same files loaded as a folder
    # and as a file (or as the bundled rules) compile to rulesets of other names.
    paths = {source.name: path for path, source in sources.items()}
    has_tables = any(isinstance(st, Table) for source in sources.values() for st in source.statements)
    if has_tables or diagnostics:  # (diagnostics: compiling reports them, with the compiler's own)
        return compile_ruleset(list(sources.values()) + extra_sources, name, diagnostics, paths=paths, roots=roots,
                               cache_dir=cache_dir)
    key = _hash([("<ruleset name>", name)] + [("<root>", str(layer.root)) for layer in layers]
                + [(display_path(p, layers[owner[p]].root.parent), texts[p]) for p in sorted(texts)]
                + [("\0extra " + extra_name, extra_text) for extra_name, extra_text in extra])
    return _compiled_once(key, lambda: compile_ruleset(list(sources.values()) + extra_sources, name, diagnostics,
                                                       paths=paths, roots=roots, cache_dir=cache_dir))


def _twice(kind: str, files: list, first: str, second: str) -> Diagnostic:
    """RR406, once for two paths given: rule files that both reach (a folder inside another), or files of one
    name in both."""
    more = len(files) - 1
    if kind == "overlap":
        return Diagnostic("RR406", f"`{files[0]}` is loaded from both {first} and {second}"
                          + (f" (and {more} more file{'s' if more > 1 else ''})" if more else ""), None, None,
                          "give each rule folder once: a folder inside another is loaded with it")
    return Diagnostic("RR406", f"two rule files are named `{files[0]}`, in {first} and {second}"
                      + (f" (and {more} more name{'s' if more > 1 else ''})" if more else ""), None, None,
                      "rename one of the folders or files: a file's name must say which file a rule was written in")


def _bundled_copies(layers: list, owner: dict, texts: dict) -> list[Diagnostic]:
    """RR406 for a path given beside the bundled rulesets that holds copies of their files (a copy of
    `rulesets/`): every rule of it would be defined twice."""
    if not any(layer.bundled for layer in layers):
        return []
    bundled = {texts[path] for path, index in owner.items() if layers[index].bundled and path in texts}
    found: dict[int, list] = {}
    for path, index in owner.items():
        if not layers[index].bundled and texts.get(path) in bundled:
            found.setdefault(index, []).append(display_path(path, layers[index].root.parent))
    return [Diagnostic("RR406", f"{layers[index].shown} holds copies of the bundled rule files (`{files[0]}`"
                       + (f" and {len(files) - 1} more" if len(files) > 1 else "") + ")", None, None,
                       "each rule file is loaded once: take the copies out of this folder (edit a rule in a "
                       "file of your own with another id), or load a whole copy of `rulesets/` without the bundled "
                       "rulesets (no `--bundled`, no `bundled=True`)") for index, files in found.items()]


class _NotAFile(Exception):
    """A path in a ruleset that names a folder, a pipe or a device rather than a regular file."""


def _read_rule_file(path: Path, root: Path) -> str:
    """A rule file's text, read only if it is a regular file (a named pipe would wait for a writer forever) of at
    most :data:`~radrules._resources.MAX_TEXT_BYTES` (else :class:`~radrules._resources.TooLarge`), with LF line
    ends. It is opened inside its ruleset folder ``root`` (:func:`~radrules._resources.open_inside`): a link put in
    its place, or in a folder's, after it was found is an OSError, not a read of a file outside."""
    stream = _resources.open_inside(root, path)
    if stream is None:
        raise _NotAFile(path)
    with stream:
        return lf_line_ends(_resources.read_at_most(stream).decode("utf-8-sig"))


def _resolve_include(path: Path, statement: Include, root: Path, text: str, diagnostics: list) -> Path | None:
    span: Span = statement.path.span
    try:
        target = resolved(path.parent / statement.path.text)
        target.is_file()
    except (OSError, RuntimeError, ValueError):  # a NUL, a name too long, a loop of links
        diagnostics.append(Diagnostic(
            "RR401", f"`{statement.path.text}` is not a path to a rule file", span, _line(text, span.line),
            help="paths are relative to the including file's folder, without control characters or link loops",
        ))
        return None
    if not target.is_relative_to(root):
        diagnostics.append(Diagnostic(
            "RR402", f"`{statement.path.text}` is outside the ruleset folder", span, _line(text, span.line),
            help="rule files may include only files inside their ruleset folder",
        ))
        return None
    if target.exists() and not target.is_file():
        diagnostics.append(Diagnostic(
            "RR401", f"`{statement.path.text}` is not a rule file (a folder, a pipe or a device)", span,
            _line(text, span.line), help="`include` names a rule file, which is a regular file",
        ))
        return None
    if not target.is_file():
        diagnostics.append(Diagnostic(
            "RR401", f"no rule file `{statement.path.text}`", span, _line(text, span.line),
            help="paths are relative to the including file's folder",
        ))
        return None
    return target


#: The most files an include cycle's message names: of a longer cycle, the first and last few, and how many between
#: (a cycle through thousands of files was a line of tens of kilobytes).
CYCLE_NAMES_SHOWN = 10


def _cycle_text(names: list[str]) -> str:
    """An include cycle as `a.rr -> b.rr -> a.rr`; one of more than CYCLE_NAMES_SHOWN files with those between
    its first and last few left out, counted."""
    if len(names) <= CYCLE_NAMES_SHOWN:
        return " -> ".join(names)
    half = CYCLE_NAMES_SHOWN // 2
    return " -> ".join(names[:half] + [f"({len(names) - 2 * half:,} more files)"] + names[-half:])


#: At most this many include cycles are reported, the last saying how many more statements close one (files
#: that all include each other close one with nearly every statement, each naming the whole cycle).
MAX_CYCLES_SHOWN = 20


def _include_cycles(includes: dict, texts: dict) -> list[Diagnostic]:
    """One diagnostic per include statement that closes a cycle (at most MAX_CYCLES_SHOWN)."""
    found = []
    more = 0
    state: dict[Path, int] = {}  # 1 = on the stack, 2 = done
    stack: list[Path] = []
    # Depth first without recursion (a chain of a thousand includes must not exhaust Python's stack):
    # each frame is a file and the iterator over its includes.
    for start in includes:
        if start in state:
            continue
        state[start] = 1
        stack.append(start)
        frames = [(start, iter(includes.get(start, ())))]
        while frames:
            path, pending = frames[-1]
            for target, statement in pending:
                if state.get(target) == 1:
                    if len(found) == MAX_CYCLES_SHOWN:
                        more += 1
                        continue
                    cycle = stack[stack.index(target):] + [target]
                    shown = _cycle_text([p.name for p in cycle])
                    span = statement.path.span
                    found.append(Diagnostic(
                        "RR403", f"include cycle: {shown}", span, _line(texts[path], span.line),
                        help="a file may not include itself, directly or through others",
                    ))
                elif target not in state:
                    state[target] = 1
                    stack.append(target)
                    frames.append((target, iter(includes.get(target, ()))))
                    break
            else:
                frames.pop()
                stack.pop()
                state[path] = 2
    if more:
        last = found[-1]
        found[-1] = Diagnostic(last.code, f"{last.message} (and {more:,} more include statements close cycles)",
                               last.span, last.source_line, last.help, last.severity)
    return found
