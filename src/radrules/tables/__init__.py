"""Official CMS tables in their published layouts: PTP, MUE, add-on codes, MPFS PC/TC, code sets.

A rule file names them with ``table KIND "path", ... [for institutional claims]
[effective DATE]``. :func:`read_table` reads one table statement's files,
through two caches keyed by a hash of the files' content (and the radrules
and loader versions): an in-process LRU (cachetools, behind a lock) and a directory of
compiled tables on disk (``RADRULES_CACHE_DIR``, default the user cache
directory). A cached table whose key differs from the files' hash is never
used. :func:`bind` turns a loaded table into what evaluation reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path, PurePosixPath

import attrs
import cachetools

from .. import _resources, _version
from .. import model as m
from ..errors import Diagnostic
from ..syntax import Span
from .addon import load_addon
from .common import DEFAULT_HELP
from .hcpcs import load_hcpcs
from .icd10cm import load_icd10cm
from .kinds import NAMES, describe, foreign_parts, kind_named
from .mpfs import load_mpfs
from .mue import load_mue, setting_of_name
from .ptp import load_ptp
from .store import CodeSets, PtpTable, RawTable, Versions
from .workbook import WorkbookError

#: Bump when a loader's output changes (what its row tuples hold), so old cache files are not used. The fields of
#: the classes a cache file pickles need no bump: their layout is in the key too (STORED_LAYOUT).
LOADER_VERSION = "18"

KINDS = ("ptp", "mue", "addon", "pctc", "hcpcs", "icd10cm")
#: The disk cache's kind of parsed rule files (radrules.loader), beside the tables'.
PARSED_KIND = "rules"
#: Kinds that serve every claim, whatever its type (no `for ... claims`).
ALL_CLAIMS = ("pctc", "hcpcs", "icd10cm")
#: Code-set kinds: every code of a claim is checked against them (radrules.validity).
CODE_SET_KINDS = ("hcpcs", "icd10cm")
_LOADERS = {"ptp": load_ptp, "mue": load_mue, "addon": load_addon, "pctc": load_mpfs, "hcpcs": load_hcpcs,
            "icd10cm": load_icd10cm}
#: Rule id, kind, CARC and RARCs of the findings of each table kind (domain.md §9).
TABLE_RULES = {
    "ptp": ("ncci.ptp", "ptp", "CO-97", ("M80",)),
    "mue": ("ncci.mue", "mue", "CO-151", ("N362",)),
    "addon": ("ncci.addon", "addon", "CO-107", ("N122",)),
}
#: The rows each of those tables holds, by the kind rule files give them (`pair`, `limit`, `addon`).
ROW_KINDS = {"ptp": "pair", "mue": "limit", "addon": "addon"}
_TYPE_WORDS = {"professional": "practitioner", "institutional": "hospital outpatient"}


class _Memory:
    """The in-process table cache. Every table a ruleset still holds is found here, however many there are (a
    year of quarterly versions of each kind and setting is dozens), so that loading the same content again, in
    a second ruleset or a reload, shares it rather than holding it twice; the last few loaded are also kept
    when no ruleset holds them any more, for a ruleset that is dropped and loaded again."""

    def __init__(self, recent: int):
        self.recent: cachetools.LRUCache = cachetools.LRUCache(maxsize=recent)  # key -> Cached
        self.live: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # key -> table a ruleset holds
        self.notes: cachetools.LRUCache = cachetools.LRUCache(maxsize=4096)  # key -> warnings

    def get(self, key: str):
        cached = self.recent.get(key)
        if cached is None:
            table, warnings = self.live.get(key), self.notes.get(key)
            if table is None or warnings is None:
                return None
            cached = self.recent[key] = Cached(table, warnings)
        return cached

    def __setitem__(self, key: str, cached) -> None:
        self.recent[key] = cached
        self.notes[key] = cached.warnings
        try:
            self.live[key] = cached.table
        except TypeError:  # a table that can't be referred to weakly: kept while recent only
            pass

    def holds_files(self, names: tuple) -> bool:
        """Whether a table of the files ``names`` is found here (whatever their content)."""
        return any(cached.table.files == names for cached in self.recent.values()) or any(
            table.files == names for table in self.live.values())

    def clear(self) -> None:
        self.recent.clear()
        self.live.clear()
        self.notes.clear()


_MEMORY = _Memory(recent=8)
_LOCK = threading.Lock()
#: (kind, the files' real paths) -> the lock a thread holds while it reads or looks up that table: threads that
#: load the same files at once (a threaded service loading on its first requests) wait for the first, then find
#: its table in the memory cache, rather than each reading a copy of it (one held by each of their rulesets).
_LOADING: dict = {}


def _after_fork_in_child() -> None:
    """A process forked while another thread loaded a table has that thread's locks, held, and not the thread
    that would let them go: the child starts with new ones (else its next load of that table waits for ever)."""
    global _LOCK
    _LOCK = threading.Lock()
    _LOADING.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def forget_recent() -> None:
    """Drop the tables kept only because they were loaded last (radrules.clear_memory_cache); those a ruleset
    still holds stay shared."""
    with _LOCK:
        _MEMORY.recent.clear()
        _RESULTS.clear()


def default_cache_dir() -> Path | None:
    """``RADRULES_CACHE_DIR`` (empty: no disk cache), else the user cache directory.

    The user cache directory comes from the environment (``XDG_CACHE_HOME``, ``LOCALAPPDATA``, the home directory
    from ``HOME`` or ``USERPROFILE``), where a relative path would be a folder in whatever the working directory is:
    such a value is ignored, as the XDG base directory spec asks of ``XDG_CACHE_HOME``, and a relative home
    directory is none."""
    configured = os.environ.get("RADRULES_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    try:
        if sys.platform == "darwin":
            base = _home() / "Library" / "Caches"
        elif sys.platform == "win32":
            base = _absolute(os.environ.get("LOCALAPPDATA")) or _home() / "AppData" / "Local"
        else:
            base = _absolute(os.environ.get("XDG_CACHE_HOME")) or _home() / ".cache"
    except (RuntimeError, KeyError, OSError):  # no home directory (a container's user without a passwd entry)
        return NoCacheDir()
    return base / "radrules"


def _absolute(folder: str | None) -> Path | None:
    """``folder``, from the environment, if it is an absolute path; else None."""
    return Path(folder) if folder and os.path.isabs(folder) else None


def _home() -> Path:
    """The user's home directory; RuntimeError if there is none, or only a relative path (`HOME=home`)."""
    home = Path.home()
    if not home.is_absolute():
        raise RuntimeError("the home directory is a relative path")
    return home


class NoCacheDir:
    """The default cache directory where there is none to find (no ``HOME``, no home directory for the user, or a
    relative one): no disk cache, and warning RR530 when a table is read, as for a folder that can't be written."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NoCacheDir()"


@attrs.frozen
class Loaded:
    """One table statement's table, with what the statement says about it."""

    kind: str
    claim_type: str
    table: object  # PtpTable or RawTable
    start: int  # in force from this date (ordinal)
    files: tuple  # display paths
    source: str  # where the statement was written
    from_cache: str  # "memory", "disk" or "" (read from the files)
    statement: object = attrs.field(eq=False, repr=False)  # the `table` statement (syntax.Table)
    payers: frozenset | None = None  # `for payer`: the payers whose claims it judges (None: every payer)


def content_key(kind: str, paths: list[Path]) -> str:
    """The hash that keys a table in the caches: the radrules and loader versions, the kind, and each part's name,
    size and SHA-256 (sizes and part digests keep the key unambiguous: two parts never hash like one)."""
    described = []
    for path in paths:
        digest, size = hashlib.sha256(), 0
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        described.append((path.name, size, digest.digest()))
    return _key(kind, described)


def _key(kind: str, parts: list[tuple[str, int, bytes]]) -> str:
    # The radrules version too: a new release reads the files again once, whatever its loaders changed.
    digest = hashlib.sha256(f"radrules-table-{_version.__version__}-{LOADER_VERSION}-{STORED_LAYOUT}-{kind}\0"
                            f"{len(parts)}\0".encode())
    for name, size, part_digest in parts:
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0" + str(size).encode() + b"\0" + part_digest)
    return digest.hexdigest()


class _Part:
    """A table file whose bytes the loader reads once: their digest is taken from that same read, so a table
    is cached under the content it was built from, even if the file changes while it loads."""

    __slots__ = ("path", "name", "size", "digest")

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.size = 0
        self.digest = None

    def read_bytes(self) -> bytes:
        data = self.path.read_bytes()
        self.size, self.digest = len(data), hashlib.sha256(data).digest()
        return data


def read_table(kind: str, parts: list[tuple[str, Path]], cache_dir):
    """(table or None, diagnostics, origin) for one table's files.

    ``parts`` holds (display path, real path). ``origin`` is "memory" or
    "disk" for a cached table, "" for one read from its files. ``cache_dir``: a folder, None (no disk cache)
    or a :class:`NoCacheDir`.
    """
    shared = _not_private(cache_dir) if cache_dir else None
    with _loading(kind, parts):
        table, diagnostics, origin = _read_table(kind, parts, None if shared else cache_dir or None)
    if table is not None and isinstance(cache_dir, NoCacheDir):
        diagnostics = [*diagnostics, _no_disk_cache("there is no user cache directory (no home directory, or a "
                                                    "relative one) for the table cache")]
    if table is not None and shared:
        diagnostics = [*diagnostics, Diagnostic(
            "RR530", f"the table cache `{cache_dir}` is not used: {shared}, so every new process reads CMS tables "
            "from their files", None, None,
            "a cache file is a pickle, which runs code when read: the folder must be yours and writable by you "
            "alone (`chmod 700`), not a link; or point RADRULES_CACHE_DIR (on the command line `--cache-dir`, in "
            "code `load(cache_dir=...)`) at such a folder", severity="warning")]
    return table, diagnostics, origin


def _loading(kind: str, parts: list[tuple[str, Path]]) -> threading.Lock:
    """The lock of :data:`_LOADING` for a table's files (made at first use; a process loads few tables)."""
    try:
        key = (kind, tuple(os.path.realpath(path) for _, path in parts))
    except (OSError, ValueError):  # a path that can't be resolved: read alone, and its error said as before
        return threading.Lock()
    with _LOCK:
        lock = _LOADING.get(key)
        if lock is None:
            lock = _LOADING[key] = threading.Lock()
    return lock


def _not_private(folder: Path) -> str | None:
    """Why the disk cache ``folder`` may hold files that others put there, so that none of it may be unpickled:
    a link (it is followed to wherever it points when read), a folder of another user, or one others can write
    in (group or all; a sticky folder such as `/tmp` too); None for a private folder, or one that is not there
    (radrules makes it, mode 0700) or that can't be looked at (it can't be read either). Checked at every table
    read (one ``lstat``), so that a folder whose mode changes is seen at the next load. Where files have no
    owner and mode (Windows), None: the folder must be private, as the default one is."""
    if not hasattr(os, "geteuid"):
        return None
    try:
        info = os.lstat(folder)
    except (OSError, ValueError):
        return None
    return _unsafe_folder(info)


def _unsafe_folder(info: os.stat_result) -> str | None:
    """:func:`_not_private` from the folder's ``lstat`` (or its ``fstat``, opened)."""
    import stat

    if stat.S_ISLNK(info.st_mode):
        return "it is a link (name the folder it points to)"
    if not stat.S_ISDIR(info.st_mode):
        return None  # a file in the way: writing the cache fails, and says so
    if info.st_uid != os.geteuid():
        return f"it is owned by another user (user id {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others can write in it (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def _read_table(kind: str, parts: list[tuple[str, Path]], cache_dir: Path | None):
    displays = tuple(display for display, _ in parts)
    try:
        sizes = [(display, path.stat().st_size) for display, path in parts]
        too_large = [(display, size) for display, size in sizes if size > MAX_FILE_BYTES[kind]]
        if too_large:  # refused before it is read: its memory would be many times its size
            return None, [_too_large(kind, display, size) for display, size in too_large], ""
        foreign = foreign_parts(kind, parts)
        if foreign:  # a file of another kind: one error for it, not one for each of its lines read as rows
            return None, [_foreign(kind, display, other, len(parts) > 1) for display, other in foreign], ""
        looked_up = _may_be_cached(kind, [path.name for _, path in parts], cache_dir)
        key = content_key(kind, [path for _, path in parts]) if looked_up else None
    except OSError as error:
        return None, [_unreadable(parts, error)], ""
    if key is None:  # no cache holds the table: its files are hashed as the loader reads them, once
        return _read_files(kind, parts, None, cache_dir)
    with _LOCK:
        cached = _MEMORY.get(key)
    cache_file = _cache_file(cache_dir, kind, key)
    if cached is not None:
        warnings = cached.warnings_for(displays)
        if cache_file is not None and not _exists(cache_file):
            # read in this process without a disk cache: the next process has one
            warnings += _unwritable(cache_file, displays, _store(cache_file, cached))
        elif cache_file is not None:
            _mark_used(cache_file)  # a process that loads its tables again keeps their file from being pruned
        return cached.table, warnings, "memory"
    stored = _fetch(cache_file, key) if cache_file is not None else None
    if stored is not None:
        with _LOCK:
            _MEMORY[key] = stored
        return stored.table, stored.warnings_for(displays), "disk"
    return _read_files(kind, parts, key, cache_dir)


def _may_be_cached(kind: str, names: list[str], cache_dir: Path | None) -> bool:
    """Whether a cache may hold the table of files ``names``: the memory holds a table of those names, or the disk
    cache a table of ``kind`` (any: the file name says only the content's hash). If neither does, the files are
    read by the loader alone and hashed as it reads them, rather than hashed once to look for a cached table and
    again as they are read. (Keeping the bytes of the first read for the loader instead would add the files' size
    to a warm load's memory: 180 MB for the national PTP parts, where a warm load peaks at 136 MB.)"""
    names = tuple(names)
    with _LOCK:
        if _MEMORY.holds_files(names):
            return True
    if cache_dir is None:
        return False
    prefix = f"{kind}-"
    try:
        with os.scandir(cache_dir) as entries:
            return any(entry.name.startswith(prefix) and _CACHE_NAME.fullmatch(entry.name) for entry in entries)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # a folder that can't be read (or a name no folder has): looked up as before
        return True


def _read_files(kind: str, parts: list[tuple[str, Path]], key: str | None, cache_dir: Path | None):
    """(table or None, diagnostics, "") read from the files of a table that no cache holds. ``key`` is their
    content key if they were hashed to look for it, else None: then the key is made from the bytes the loader read
    (as it is when a file changed after it was hashed), so that a table is always cached under the content it was
    built from."""
    displays = tuple(display for display, _ in parts)
    sources = [_Part(path) for _, path in parts]
    try:
        # The loader names each part by a stand-in (part_path), put in the place of its path by Cached.warnings_for:
        # the same files are cached once, wherever a ruleset holds them.
        table, diagnostics = _LOADERS[kind]([(part_path(index), source.name, source)
                                             for index, source in enumerate(sources)], key or "")
        for source in sources if table is not None else ():
            if source.digest is None:  # a part the loader did not read: hashed all the same, as the key holds it
                source.read_bytes()
    except WorkbookError as error:
        display = next((display for (display, _), source in zip(parts, sources) if source is error.path),
                       parts[0][0])
        return None, [Diagnostic("RR520", error.message.format(file=display), None, None, error.help)], ""
    except OSError as error:
        return None, [_unreadable(parts, error)], ""
    named = _named(diagnostics, displays)
    if table is None:
        return None, named, ""
    read_key = _key(kind, [(source.name, source.size, source.digest) for source in sources])
    if read_key != key:  # not hashed before, or a file changed after it was hashed: key the table by what was read
        table = attrs.evolve(table, key=read_key)
    cached = Cached(table, tuple(diagnostics))  # warnings only: a table with errors is not kept
    with _LOCK:
        _MEMORY[read_key] = cached
    cache_file = _cache_file(cache_dir, kind, read_key)
    if cache_file is not None:
        named += _unwritable(cache_file, displays, _store(cache_file, cached))
    return table, named, ""


#: Results computed from two loaded tables (compiler/corrections.py), by key.
_RESULTS: cachetools.LRUCache = cachetools.LRUCache(maxsize=256)


def remembered(kind: str, key: str, cache_dir, compute) -> dict:
    """A result computed from loaded tables of ``kind`` (a small dict), kept in memory and in the disk cache
    beside the tables under ``key``, a hash of everything it was computed from (the tables' own keys with
    the loader version, and the rest): ``compute()`` runs only if neither holds it (see :func:`on_disk`)."""
    key = hashlib.sha256(f"radrules-result-{LOADER_VERSION}-{STORED_LAYOUT}-{kind}\0{key}".encode()).hexdigest()
    with _LOCK:
        found = _RESULTS.get(key)
    if found is not None:
        return found
    found = on_disk(kind, key, cache_dir, compute)
    with _LOCK:
        _RESULTS[key] = found
    return found


def on_disk(kind: str, key: str, cache_dir, compute) -> dict:
    """``compute()``'s dict, read from the disk cache file of ``kind`` and ``key`` (a hash of everything it is
    computed from) if there is one, else computed and stored there. On disk it is a RawTable whose entries are
    the dict, with the tables' checks: a file that is damaged, holds another key or may have been written by
    someone else is never read. A cache that can't be written, or that is not private, is passed over (the
    tables' own warning, RR530, says so)."""
    private = cache_dir and not _not_private(cache_dir)  # a folder the tables may not use (RR530) holds nothing
    cache_file = _cache_file(cache_dir if private else None, kind, key)
    stored = _fetch(cache_file, key) if cache_file is not None else None
    if stored is not None and isinstance(stored.table, RawTable):
        return stored.table.entries
    found = compute()
    if cache_file is not None:
        _store(cache_file, Cached(RawTable(key=key, files=(), entries=found), ()))
    return found


def _unwritable(cache_file: Path, displays: tuple, failure: tuple | None) -> list:
    """RR530 if the disk cache could not be written (``failure``, from :func:`_store`), else nothing: for the
    folder, or for the cache file of the table of ``displays`` alone."""
    if failure is None:
        return []
    problem, whole_folder = failure
    if whole_folder:
        return [UnwritableFolder.of(str(cache_file.parent), problem, displays)]
    files = ", ".join(f"`{display}`" for display in displays)
    return [Diagnostic("RR530", f"can't write `{cache_file.name}` in the table cache `{cache_file.parent}` "
                       f"({problem}): the table of {files} is not kept on disk, so every new process reads it from "
                       "its files", None, None,
                       "radrules writes only files of this name in the folder: remove what is in its place, or "
                       "point RADRULES_CACHE_DIR (on the command line `--cache-dir`, in code `load(cache_dir=...)`) "
                       "at a folder of your own", severity="warning")]


@attrs.frozen
class UnwritableFolder(Diagnostic):
    """RR530 for one table read from its files (or from memory) whose cache folder can't be written. A load's
    are one warning (:func:`unwritable_folders`): it names the tables that every new process reads from their
    files, not the others, which a folder that can't be written (a read-only copy) may still give."""

    folder: str = ""
    problem: str = ""
    files: tuple = ()

    @classmethod
    def of(cls, folder: str, problem: str, files: tuple) -> UnwritableFolder:
        one = _folder_warning(folder, problem, files, 1)
        return cls(one.code, one.message, help=one.help, severity=one.severity, folder=folder, problem=problem,
                   files=files)


def unwritable_folders(found: list) -> list:
    """One RR530 for each cache folder (and its problem) among ``found`` (:class:`UnwritableFolder`), naming
    the files of every table it kept out."""
    by_folder: dict = {}
    for diagnostic in found:
        files, tables_ = by_folder.setdefault((diagnostic.folder, diagnostic.problem), ({}, set()))
        files.update(dict.fromkeys(diagnostic.files))
        tables_.add(diagnostic.files)
    return [_folder_warning(folder, problem, tuple(files), len(tables_))
            for (folder, problem), (files, tables_) in by_folder.items()]


#: The most table files an RR530 names (a national PTP table alone has four).
NAMED_FILES = 8


def _folder_warning(folder: str, problem: str, files: tuple, count: int) -> Diagnostic:
    """RR530: the cache folder can't be written, so ``count`` tables (of ``files``) are not kept on disk. Whether
    this load read them from their files or from memory, every new process reads them from their files."""
    named = [f"`{display}`" for display in files[:NAMED_FILES]]
    if len(files) > NAMED_FILES:
        named.append(f"{len(files) - NAMED_FILES} more files")
    listed = m.listed(named)
    which = (f"the table of {listed} is not kept on disk, so every new process reads it from its files" if count == 1
             else f"the {count} tables of {listed} are not kept on disk, so every new process reads them from their "
             "files")
    return Diagnostic("RR530", f"can't write the table cache in `{folder}` ({problem}): {which}", None,
                      None, DEFAULT_HELP["RR530"], severity="warning")


def _no_disk_cache(why: str) -> Diagnostic:
    """RR530: ``why`` there is no disk cache, so that every new process reads the files."""
    return Diagnostic("RR530", f"{why}: CMS tables are not kept on disk, so every new process reads them from their "
                      "files", None, None, DEFAULT_HELP["RR530"], severity="warning")


#: The largest file read for each kind, far past any CMS publishes (a national PTP part is about 55 MB, the
#: MPFS and HCPCS files about 10 MB, an MUE table 1 MB): a larger one is refused before it is read, since
#: reading it takes several times its size in memory.
MAX_FILE_BYTES = {"ptp": 1 << 30, "mue": 1 << 28, "addon": 1 << 28, "pctc": 1 << 28, "hcpcs": 1 << 28,
                  "icd10cm": 1 << 28}


def _too_large(kind: str, display: str, size: int) -> Diagnostic:
    """RR505 for a file larger than any CMS file of its kind."""
    return Diagnostic("RR505", f"`{display}` is {size:,} bytes, larger than {NAMES[kind]} can be (radrules reads "
                      f"at most {MAX_FILE_BYTES[kind]:,})", None, None,
                      "is it the file the `table` statement's kind names, and whole? A national PTP part is about "
                      "55 MB")


def _foreign(kind: str, display: str, other: str, several: bool) -> Diagnostic:
    """RR505 for a file of kind ``other`` among the files of a `table KIND` statement."""
    message, hint = describe(kind, display, other, several)
    return Diagnostic("RR505", message, None, None, hint)


def _cache_file(cache_dir: Path | None, kind: str, key: str) -> Path | None:
    return cache_dir / f"{kind}-{key[:32]}.pickle" if cache_dir else None


def _unreadable(parts: list[tuple[str, Path]], error: OSError) -> Diagnostic:
    """RR502 for a table file that exists but can't be read (permissions, a device error)."""
    display = next((display for display, path in parts if str(path) == error.filename), parts[0][0])
    return Diagnostic("RR502", f"can't read `{display}`: {error.strerror or error}", None, None,
                      "check the file's permissions")


def part_path(index: int) -> str:
    """What a loader is given as the path of part ``index`` of a table: a stand-in that
    :meth:`Cached.warnings_for` replaces with the part's path as the ruleset names it. A diagnostic names a file
    only by it (in its place, message and hint), so that no cached diagnostic, whatever the kind and wherever it
    writes the path, names another ruleset's folder."""
    return f"\0part {index}\0"


_PART_PATH = re.compile("\0part ([0-9]+)\0")


@attrs.frozen
class Cached:
    """A table as the caches keep it, with the warnings its files gave, so that a warm load reports them too."""

    table: object
    warnings: tuple  # Diagnostic, naming each part by part_path(index)

    def warnings_for(self, displays: tuple) -> list:
        """The warnings, naming each part by its path in ``displays`` (the same files may be loaded from
        elsewhere)."""
        return _named(self.warnings, displays)


def _named(diagnostics, displays: tuple) -> list:
    """``diagnostics`` naming each part by its path in ``displays`` where a loader wrote :func:`part_path`."""
    def named(text):
        if text is None or "\0" not in text:
            return text
        return _PART_PATH.sub(lambda match: displays[int(match.group(1))] if int(match.group(1)) < len(displays)
                              else match.group(), text)

    out = []
    for diagnostic in diagnostics:
        span = diagnostic.span
        if span is not None and "\0" in span.file:
            span = attrs.evolve(span, file=named(span.file))
        out.append(attrs.evolve(diagnostic, message=named(diagnostic.message), help=named(diagnostic.help),
                                span=span))
    return out


def layout(classes) -> str:
    """A fingerprint of what instances of ``classes`` pickle: each class's name and the names, in order, of its
    attrs fields (else its slots). A cache file written by a build whose classes have other fields has another
    key, so it is never read as one of this build's (unpickled, its objects would lack a field, or hold one
    value in the place of another)."""
    described = []
    for cls in classes:
        if attrs.has(cls):
            names = [field.name for field in attrs.fields(cls)]
        else:
            names = [slot for base in cls.__mro__ for slot in getattr(base, "__slots__", ())]
        described.append(f"{cls.__module__}.{cls.__qualname__}({','.join(names)})")
    return hashlib.sha256("\n".join(described).encode()).hexdigest()[:16]


#: Every class of radrules a cache file pickles (a test checks that a cache file of each kind holds no other),
#: and the fingerprint of their layout, part of every table's key.
STORED_CLASSES = (Cached, PtpTable, RawTable, Diagnostic, Span)
STORED_LAYOUT = layout(STORED_CLASSES)


#: A disk cache file: this header, the SHA-256 of the pickle that follows, then the pickle.
_CACHE_MAGIC = b"radrules-table-cache\n"


def _exists(cache_file: Path) -> bool:
    try:
        return cache_file.is_file()
    except (OSError, ValueError):  # a folder that can't be entered, a name too long, a NUL
        return False


def _fetch(cache_file: Path, key: str) -> Cached | None:
    """The cached table of ``key`` from the disk cache, or None: a file that is missing, can't be read, is
    damaged (its checksum differs) or holds another key is never used; the table is read again.

    The file is read twice from one open handle, to check it and then to unpickle it, so that the pickle's
    bytes and its objects are never in memory together (cache files are replaced, never written in place).
    """
    try:
        with _open_trusted(cache_file) as handle:
            if handle is None:
                return None
            if handle.read(len(_CACHE_MAGIC)) != _CACHE_MAGIC:
                return None
            expected = handle.read(32)
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
            if digest.digest() != expected:
                return None
            handle.seek(len(_CACHE_MAGIC) + 32)
            stored = pickle.load(handle)
    except Exception:  # unreadable, or checked but written by another version of radrules
        return None
    if not isinstance(stored, Cached) or getattr(stored.table, "key", None) != key:
        return None
    _mark_used(cache_file)
    return stored


def _mark_used(cache_file: Path) -> None:
    """A cache file a load used is not pruned for CACHE_KEEP_DAYS (see _prune): its time is now."""
    try:
        os.utime(cache_file)
    except OSError:
        pass


def _open_trusted(cache_file: Path):
    """The cache file opened for reading if it may be unpickled, else None (as a context manager).

    A pickle runs code when loaded, and its checksum is no defence against someone who can write it: so a
    cache file is read only if it is a regular file (not a link, a pipe or a device, which could also block
    the read) owned by the user running radrules and writable by no one else, as radrules writes it, in a
    folder that is the same (:func:`_unsafe_folder`). Where files have no owner and mode to tell (Windows: no
    ``geteuid``, and ``fstat`` reports any writable file as writable by all), only a regular file is asked
    for, and the cache directory must be private to the user, as the default one (under ``%LOCALAPPDATA%``)
    is.
    """
    import contextlib
    import stat

    if not hasattr(os, "geteuid"):
        stream = _resources.open_regular(cache_file, follow_links=False)
        return contextlib.nullcontext(None) if stream is None else stream
    # The folder is opened and checked again (read_table checked its path), and the file opened in that very
    # folder: a folder put in its place since, or a link, is never read from.
    folder = os.open(cache_file.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW)
    try:
        if _unsafe_folder(os.fstat(folder)) is not None:
            return contextlib.nullcontext(None)
        stream = _resources.open_regular(cache_file.name, follow_links=False, dir_fd=folder)
    finally:
        os.close(folder)
    if stream is None:
        return contextlib.nullcontext(None)
    info = os.fstat(stream.fileno())
    if info.st_uid != os.geteuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        stream.close()
        return contextlib.nullcontext(None)
    return stream


class _Hashing:
    """A file to pickle into that hashes what it writes (the pickle is never whole in memory)."""

    __slots__ = ("out", "digest")

    def __init__(self, out, digest):
        self.out, self.digest = out, digest

    def write(self, data) -> int:
        self.digest.update(data)
        return self.out.write(data)


#: Cache directories a write failed in, and cache files that could not be put in place in a folder that could be
#: written (something else in their place): (why, when). Not tried again for UNWRITABLE_SECONDS (each try pickles
#: a whole table), then tried again: a long-running process caches once the folder is put right.
_UNWRITABLE: dict = {}
UNWRITABLE_SECONDS = 300


def _store(cache_file: Path, payload) -> tuple[str, bool] | None:
    """Write a cache file atomically; a cache that can't be written is skipped, leaving no partial file. Returns
    None when written, else (why, whether the whole folder can't be written): a folder that can't be made or
    written in keeps every table out, while a cache file that can't replace what is in its place (a folder,
    another user's file in a shared folder) keeps out its own table only."""
    now = time.monotonic()
    for blocked, whole_folder in ((cache_file.parent, True), (cache_file, False)):
        failed = _UNWRITABLE.get(blocked)
        if failed is not None:
            if now - failed[1] < UNWRITABLE_SECONDS:
                return failed[0], whole_folder
            _UNWRITABLE.pop(blocked, None)  # (another thread may have taken it out already)
    name = None
    blocked, whole_folder = cache_file.parent, True
    try:
        cache_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, as _not_private asks
        handle, name = tempfile.mkstemp(dir=cache_file.parent, prefix=_TEMPORARY_PREFIX)
        with os.fdopen(handle, "wb") as out:
            out.write(_CACHE_MAGIC + bytes(32))  # the checksum's place, filled once the pickle is written
            digest = hashlib.sha256()
            pickle.dump(payload, _Hashing(out, digest), protocol=pickle.HIGHEST_PROTOCOL)
            out.seek(len(_CACHE_MAGIC))
            out.write(digest.digest())
        blocked, whole_folder = cache_file, False  # the folder takes files: only this name can fail now
        os.replace(name, cache_file)
        name = None
        _prune(cache_file.parent)
    except (OSError, ValueError) as error:
        if not whole_folder:
            problem = ("a folder is in its place" if isinstance(error, IsADirectoryError) else
                       f"what is in its place can't be replaced: {error.strerror or error}")
        elif isinstance(error, (FileExistsError, NotADirectoryError)):
            problem = "a file is in the way of the folder"
        else:
            problem = (error.strerror if isinstance(error, OSError) else None) or str(error) or type(error).__name__
        if len(_UNWRITABLE) < 64:
            _UNWRITABLE[blocked] = (problem, time.monotonic())
        return problem, whole_folder
    finally:
        if name is not None:
            try:
                os.unlink(name)
            except OSError:
                pass


#: A cache file no load has read for this many days is removed when a new one is written (a table version
#: loaded again after that is read from its files once more). Each load that reads a file marks it as used.
CACHE_KEEP_DAYS = 90
_CACHE_NAME = re.compile(r"(?:%s)-[0-9a-f]{32}\.pickle" % "|".join(KINDS + (PARSED_KIND,)))
#: A cache file being written: this prefix and mkstemp's eight random letters, digits or underscores.
_TEMPORARY_PREFIX = ".radrules-tmp-"
_TEMPORARY_NAME = re.compile(re.escape(_TEMPORARY_PREFIX) + r"[a-z0-9_]{8}")


#: A cache folder -> when (time.monotonic) this process last pruned it: at most once every PRUNE_SECONDS, since a
#: load writes a cache file per rule file and each prune looks at every file of the folder (a first load of 1,000
#: rule files took 5.7 s instead of 0.8 s pruning after each).
_PRUNED: dict = {}
PRUNE_SECONDS = 3600


def _prune(folder: Path) -> None:
    """Remove the cache files of ``folder`` unused for CACHE_KEEP_DAYS (the tables of past quarters, and
    those of older radrules versions, which are never read again), and temporary files a process that was
    stopped while writing left there over a day ago; at most once every PRUNE_SECONDS a folder. Only radrules'
    own names are touched."""
    last = _PRUNED.get(folder)
    if last is not None and time.monotonic() - last < PRUNE_SECONDS:
        return
    if len(_PRUNED) >= 64:
        _PRUNED.clear()
    _PRUNED[folder] = time.monotonic()
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if _CACHE_NAME.fullmatch(entry.name):
            age = CACHE_KEEP_DAYS * 86400
        elif _TEMPORARY_NAME.fullmatch(entry.name):
            age = 86400
        else:
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > age:
                os.unlink(entry.path)
        except OSError:
            pass


# ---------------------------------------------------------------- effective dates


_QUARTER_MONTH = {"1": 1, "2": 4, "3": 7, "4": 10}
_RELEASE_MONTH = {"A": 1, "B": 4, "C": 7, "D": 10, "JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
_MONTH_WORD = re.compile(r"JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC")


def effective_from_names(kind: str, names: list[str]) -> int | None:
    """The date a table version takes effect, from its file names, if they say."""
    for name in names:
        upper = name.upper()
        match = re.search(r"EFF_([0-9]{2})-([0-9]{2})-([0-9]{4})", upper)
        if match:
            month, day, year = map(int, match.groups())
            return _ordinal(year, month, day)
        match = re.search(r"(?:^|[^0-9])V?([0-9]{4})Q([1-4])", upper)
        if match and kind == "addon":
            return _ordinal(int(match.group(1)), _QUARTER_MONTH[match.group(2)], 1)
        match = re.search(r"PPRRVU([0-9]{2}|[0-9]{4})_?(JAN|APR|JUL|OCT)", upper) or re.search(
            r"RVU([0-9]{2})([ABCD])", upper)
        if match and kind == "pctc":
            year = int(match.group(1))
            return _ordinal(year + 2000 if year < 100 else year, _RELEASE_MONTH[match.group(2)], 1)
        if kind == "hcpcs":
            match = re.search(r"HCPC([0-9]{4})_?(JAN|APR|JUL|OCT)", upper)
            if match:
                return _ordinal(int(match.group(1)), _RELEASE_MONTH[match.group(2)], 1)
            match = re.search(r"HCPC([0-9]{4})_?CONTR", upper)  # the annual file: in force from January 1
            if match:
                return _ordinal(int(match.group(1)), 1, 1)
        if kind == "icd10cm":
            # icd10cm_order_2026.txt: fiscal year 2026, from 2025-10-01. A name with a month
            # (a mid-year update) says nothing sure: `effective` must give the date.
            match = re.search(r"ICD10CM[^0-9]*?([0-9]{4})(?![0-9])", upper)
            if match:
                rest = upper[:match.start()] + upper[match.start() + 7:match.start(1)] + upper[match.end():]
                if not _MONTH_WORD.search(rest):
                    return _ordinal(int(match.group(1)) - 1, 10, 1)
    return None


#: A PTP file's version in its name: ``ccipra-v322r0-f1.TXT`` is version 32.2, revision 0 (domain.md §8.1).
_PTP_VERSION = re.compile(r"(?:^|[^0-9A-Za-z])(v([0-9]+)r([0-9]+))(?![0-9A-Za-z])", re.IGNORECASE)


def named_version(kind: str, name: str) -> tuple | None:
    """(order, label) of the version a table file's name says it is, or None: a PTP file's (322, 0) and
    ``v322r0`` (version 32.2, revision 0), another kind's date the name says the file takes effect (an ordinal,
    :func:`effective_from_names`) and ``2026-07-01``. Later versions have greater orders. A name of another
    kind's file (``aoc_v2026q3.csv`` in a PTP folder) says no version of this table."""
    if kind_named(name) not in (None, kind):
        return None  # a file of another kind (RR505): its version is not this table's
    if kind == "ptp":
        match = _PTP_VERSION.search(name)
        return ((int(match.group(2)), int(match.group(3))), match.group(1).lower()) if match else None
    start = effective_from_names(kind, [name])
    return (start, m.format_date(start)) if start is not None else None


def version_in_name(kind: str, name: str) -> str | None:
    """The version a table file's name says it is, as a message shows it (``v322r0``, ``2026-07-01``), or None
    (:func:`named_version`)."""
    found = named_version(kind, name)
    return found[1] if found is not None else None


#: The setting a PTP file's name says (``ccipra-v322r0-f1.TXT``: the practitioner table) -> the claim type.
PTP_NAMES = {"ccipra": "professional", "ccioph": "institutional"}
#: How messages name the PTP table of each claim type.
PTP_LABELS = {"professional": "practitioner", "institutional": "hospital outpatient"}


def setting_in_name(kind: str, name: str) -> str | None:
    """The claim type a PTP or MUE file's name says its table serves (``ccioph-…``,
    ``…_OutpatientHospitalServices_…``), or None."""
    if kind == "ptp":
        return next((claim_type for word, claim_type in PTP_NAMES.items() if word in name.lower()), None)
    if kind == "mue":
        return setting_of_name(name)
    return None


def fiscal_year_end(start: int) -> int:
    """The last day (September 30) of the federal fiscal year holding ``start``."""
    day = dt.date.fromordinal(start)
    return dt.date(day.year + (day.month >= 10), 9, 30).toordinal()


def _ordinal(year: int, month: int, day: int) -> int | None:
    try:
        return dt.date(year, month, day).toordinal()
    except ValueError:
        return None


def default_effective(kind: str, table, names: list[str]) -> int | None:
    """File name first; else, for PTP and add-on tables, the latest effective date of their rows
    (each quarterly file adds edits effective on its first day)."""
    named = effective_from_names(kind, names)
    if named is not None:
        return named
    return table.latest_start or None  # an ordinal is never 0


# ---------------------------------------------------------------- binding


def block_for(loaded: Loaded) -> m.BlockInfo:
    rule_id, kind, carc, rarc = TABLE_RULES[loaded.kind]
    label = {"ptp": "NCCI PTP", "mue": "NCCI MUE", "addon": "NCCI add-on code edits"}[loaded.kind]
    whose = f" for {payers_text(loaded.payers)}" if loaded.payers else ""
    reference = (f"{label}, {_TYPE_WORDS[loaded.claim_type]} table{whose} ({_file_names(loaded)}; in force from "
                 f"{dt.date.fromordinal(loaded.start).isoformat()})")
    info = m.RuleInfo(rule_id, kind, "deny", carc, rarc, reference, None, loaded.source)
    return m.BlockInfo(info, m.Scope(None, frozenset([loaded.claim_type]), None, None, m.LEVEL_TABLE))


def bind(loaded: Loaded, block: m.BlockInfo | None):
    """What a View consults for one table: PtpTable, {code: rows}, {property: {code: value}} or {code: entry}."""
    table = loaded.table
    if loaded.kind == "ptp":
        return table
    if loaded.kind == "mue":
        return {code: _bind_limits(code, rows, block) for code, rows in table.entries.items()}
    if loaded.kind == "addon":
        return {code: _bind_addon(code, rows, block) for code, rows in table.entries.items()}
    # pctc: {"pctc": {...}, "bilateral": {...}}; hcpcs: {code: (start, end, source)};
    # icd10cm: {code: (billable, source)}
    return table.entries


def key_rows(loaded: Loaded, key: tuple) -> tuple:
    """The rows one PTP, MUE or add-on table has of one key (a code pair, a code), as :func:`bind` makes them,
    without a block: one key looked up, never the table read through."""
    table = loaded.table
    if loaded.kind == "ptp":
        return table.rows(key[0], key[1], None)
    rows = table.entries.get(key[0])
    if not rows:
        return ()
    return _bind_limits(key[0], rows, None) if loaded.kind == "mue" else _bind_addon(key[0], rows, None)


def _bind_limits(code: str, rows, block) -> tuple:
    return tuple(m.UnitLimit(code, value, mai, None, None, reason or None, source, block)
                 for value, mai, reason, source in rows)


def _bind_addon(code: str, rows, block) -> tuple:
    """One AddonEdit per (type, edit window, add-on deletion) with all its primaries."""
    groups: dict = {}
    for aoc_type, primary, start, end, addon_end, primary_end, source in rows:
        if addon_end is not None:
            end = addon_end if end is None else min(end, addon_end)
        group = groups.setdefault((aoc_type, start, end),
                                  {"primaries": {}, "sources": {}, "any": False, "source": source})
        if primary is None:
            group["any"] = True
        else:
            group["primaries"][primary] = primary_end
            group["sources"][primary] = source  # the row whose deletion date is kept
    edits = []
    for (aoc_type, start, end), group in sorted(groups.items(), key=lambda item: _file_order(item[1]["source"])):
        if group["any"] or not group["primaries"]:
            primaries, ends, sources = None, None, None
        else:
            primaries = frozenset(group["primaries"])
            ends = {p: e for p, e in group["primaries"].items() if e is not None} or None
            sources = group["sources"]
        edits.append(m.AddonEdit(code, aoc_type, primaries, start, end, group["source"], block, ends, sources))
    return tuple(edits)


def _file_order(source: str) -> tuple:
    """``aoc.csv:10`` -> ("aoc.csv", 10): rows in file order (as text, `:10` came before `:2`)."""
    name, _, row = source.rpartition(":")
    return (name, int(row)) if row.isdigit() else (source, 0)


def version_label(loaded: Loaded) -> str:
    """``HCPC2026_JUL_ANWEB.txt, in force from 2026-07-01``."""
    return f"{_file_names(loaded)}, in force from {dt.date.fromordinal(loaded.start).isoformat()}"


def _file_names(loaded: Loaded) -> str:
    """The names of a table's first four files (``, ...`` if there are more)."""
    return ", ".join(Path(f).name for f in loaded.files[:4]) + (", ..." if len(loaded.files) > 4 else "")


def table_size(loaded: Loaded) -> int:
    """A PTP table's rows; the codes of any other table (a PC/TC table holds one map per property)."""
    if loaded.kind == "pctc":
        return len(loaded.table.entries.get("pctc", {}))
    return len(loaded.table)


def version_windows(loaded_tables: list[Loaded]) -> list[dict]:
    """Each loaded table version and the dates of service it judges, oldest first per kind.

    A version judges from its start until the day before the next version of
    its kind (and claim type; ``claim_type`` is None for the tables that serve
    every claim) that judges the same payers' claims starts (a version that
    serves several payers is listed once for each list of versions they have,
    :func:`payer_scopes`); the oldest also judges earlier dates,
    except an ICD-10-CM version, which judges only the dates of its fiscal
    year (``until`` is at most its September 30).
    """
    found = []
    scopes = payer_scopes(loaded_tables)
    for (kind, claim_type), lists in sorted(scopes.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        own = sorted({payer for payers, _ in lists if payers for payer in payers})
        for payers, chosen in lists:
            for i, loaded in enumerate(chosen):
                until = last_day(kind, chosen, i)
                found.append({
                    "kind": kind,
                    "claim_type": claim_type,
                    # the payers whose claims it judges: None for every payer but those of `payers_but`
                    "payers": payers,
                    "payers_but": own if payers is None else [],
                    "from": dt.date.fromordinal(loaded.start).isoformat(),
                    "until": dt.date.fromordinal(until).isoformat() if until is not None else None,
                    "earlier_dates": i == 0 and kind != "icd10cm",
                    # where `from` comes from: the statement's `effective`, the file name, or the newest rows
                    "dated_by": dated_by(loaded),
                    "size": table_size(loaded),
                    "counts": "rows" if kind == "ptp" else "codes",
                    "files": list(loaded.files),
                    "statement": loaded.source,
                    "read_from": {"memory": "memory cache", "disk": "disk cache"}.get(loaded.from_cache, "files"),
                })
    return found


def dated_by(loaded: Loaded) -> str:
    """``effective``, ``name`` or ``rows``: what gives a loaded version its date (:func:`default_effective`)."""
    if loaded.statement.effective is not None:
        return "effective"
    names = [PurePosixPath(display).name for display in loaded.files]
    return "name" if effective_from_names(loaded.kind, names) is not None else "rows"


def last_day(kind: str, chosen: list, i: int) -> int | None:
    """The last date of service version ``i`` of ``chosen`` (one kind, oldest first) judges: the day
    before the next version starts, None for the latest; an ICD-10-CM version's at most the end of
    its fiscal year."""
    until = chosen[i + 1].start - 1 if i + 1 < len(chosen) else None
    if kind == "icd10cm":
        end = fiscal_year_end(chosen[i].start)
        until = end if until is None else min(until, end)
    return until


def code_sets(loaded_tables: list[Loaded]) -> CodeSets | None:
    """The HCPCS and ICD-10-CM versions every claim is checked against, or None if none is loaded.

    An ICD-10-CM version judges the dates from its start until the next
    version or the end of its fiscal year (September 30), whichever comes
    first; a HCPCS version, as other tables, until the next version.
    """
    chosen = {kind: sorted((t for t in loaded_tables if t.kind == kind), key=lambda t: t.start)
              for kind in CODE_SET_KINDS}
    if not any(chosen.values()):
        return None
    icd = chosen["icd10cm"]
    return CodeSets(
        hcpcs=versions(loaded_tables, "hcpcs", None),
        icd10cm=versions(loaded_tables, "icd10cm", None),
        icd_ends=tuple(last_day("icd10cm", icd, i) for i in range(len(icd))),
        labels={kind: tuple(version_label(t) for t in chosen[kind]) for kind in CODE_SET_KINDS},
        sources={kind: tuple(t.source for t in chosen[kind]) for kind in CODE_SET_KINDS},
    )


def serving(loaded_tables: list[Loaded], kind: str, claim_type: str | None, payer: str | None = None) -> list:
    """The versions of one kind (and claim type) that judge the claims of ``payer``, oldest first: those whose
    statements name the payer (`for payer`) if any do, else those that name no payer. ``payer`` None: a payer
    no statement of that kind and claim type names."""
    same = [t for t in loaded_tables if t.kind == kind and (claim_type is None or t.claim_type == claim_type)]
    own = [t for t in same if t.payers is not None and payer in t.payers] if payer is not None else []
    return sorted(own or [t for t in same if t.payers is None], key=lambda t: t.start)


def payer_scopes(loaded_tables: list[Loaded]) -> dict:
    """{(kind, claim type or None): [(payers, versions), ...]}: each distinct list of versions that judges some
    payers' claims, oldest first, with those payers: first the versions of the statements without `for payer`
    (payers None: every payer that has no versions of its own of that kind and claim type), then each list a
    statement's `for payer` gives (payers: a sorted list). A payer's own versions are its whole timeline of that
    kind and claim type, so versions are compared (RR523-RR533) within one such list only."""
    groups: dict = {}
    for loaded in loaded_tables:
        claim_type = None if loaded.kind in ALL_CLAIMS else loaded.claim_type
        groups.setdefault((loaded.kind, claim_type), []).append(loaded)
    found: dict = {}
    for (kind, claim_type), chosen in groups.items():
        lists: dict = {}  # the ids of a timeline's versions -> (payers, versions)
        shared = serving(chosen, kind, claim_type)
        if shared:
            lists[tuple(map(id, shared))] = (None, shared)
        for payer in sorted(set().union(*(t.payers for t in chosen if t.payers is not None))):
            timeline = serving(chosen, kind, claim_type, payer)
            lists.setdefault(tuple(map(id, timeline)), ([], timeline))[0].append(payer)
        found[(kind, claim_type)] = list(lists.values())
    return found


def payers_text(payers) -> str:
    """``payer acme``, ``payers acme, beta``: the payers a version's statement names (in name order); "" for every
    payer (None)."""
    if payers is None:
        return ""
    return f"payer{'s' if len(payers) > 1 else ''} {', '.join(sorted(payers))}"


def versions(loaded_tables: list[Loaded], kind: str, claim_type: str | None, payer: str | None = None,
             bound: dict | None = None) -> Versions | None:
    """The bound versions of one kind (and claim type) that judge ``payer``'s claims (:func:`serving`), oldest
    first. ``bound``: id(Loaded) -> (block, bound table), filled and reused, so that views whose payers share
    a version share its bound table."""
    return bound_versions(serving(loaded_tables, kind, claim_type, payer), kind, bound)


def bound_versions(chosen: list[Loaded], kind: str, bound: dict | None = None) -> Versions | None:
    """:func:`versions` of the versions ``chosen`` (of one kind and claim type, oldest first)."""
    if not chosen:
        return None
    if bound is None:
        bound = {}
    for t in chosen:
        if id(t) not in bound:
            block = block_for(t) if kind in TABLE_RULES else None
            bound[id(t)] = (block, bind(t, block))
    return Versions(
        starts=tuple(t.start for t in chosen),
        tables=tuple(bound[id(t)][1] for t in chosen),
        blocks=tuple(bound[id(t)][0] for t in chosen),
    )
