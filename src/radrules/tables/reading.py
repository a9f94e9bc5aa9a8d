"""Reading one table statement's files: :func:`read_table`, through two caches.

Both caches are keyed by a hash of the files' content (and the radrules and loader versions, and
:data:`~radrules.tables.diskcache.STORED_LAYOUT`): an in-process LRU (cachetools, behind a lock), which also
shares every table a ruleset still holds, and the folder of compiled tables on disk
(:mod:`radrules.tables.diskcache`). A cached table whose key differs from the files' hash is never used. A
table no cache holds is read by its kind's loader (``ptp``, ``mue``, ...). Here too: the diagnostics of reading
(a file too large, of another kind, unreadable; RR530 for a cache that can't be written) and
:func:`remembered`, results computed from loaded tables, kept in both caches.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
import weakref
from pathlib import Path

import attrs
import cachetools

from .. import _resources, _version
from .. import model as m
from ..errors import Diagnostic
from .addon import load_addon
from .common import DEFAULT_HELP
from .diskcache import (CACHE_NAME, STORED_LAYOUT, Cached, NoCacheDir, cache_file_exists, cache_file_path, fetch_cached,
                        mark_used, named_diagnostics, on_disk, part_path, store_cached, why_not_private)
from .hcpcs import load_hcpcs
from .icd10cm import load_icd10cm
from .kinds import NAMES, describe, foreign_parts
from .mpfs import load_mpfs
from .mue import load_mue
from .ptp import load_ptp
from .workbook import WorkbookError

#: Bump when a loader's output changes (what its row tuples hold), so old cache files are not used. The fields of
#: the classes a cache file pickles need no bump: their layout is in the key too (STORED_LAYOUT).
LOADER_VERSION = "19"
_LOADERS = {"ptp": load_ptp, "mue": load_mue, "addon": load_addon, "pctc": load_mpfs, "hcpcs": load_hcpcs,
            "icd10cm": load_icd10cm}


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


def open_part(path: Path, root: Path | None = None):
    """A table file opened for reading in binary: inside the ruleset folder ``root`` when given
    (:func:`~radrules._resources.open_inside`: a link put in the place of the file or of a folder on its way after
    the path was checked is not followed), and never a named pipe or a device put in its place (a read would wait
    for a writer forever, or never end). OSError if it can't be opened so."""
    stream = _resources.open_inside(root, path) if root is not None else _resources.open_regular(path)
    if stream is None:
        raise OSError(errno.EINVAL, "it is no longer a file (a pipe or a device was put in its place)", str(path))
    return stream


def content_key(kind: str, paths: list[Path], root: Path | None = None) -> str:
    """The hash that keys a table in the caches: the radrules and loader versions, the kind, and each part's name,
    size and SHA-256 (sizes and part digests keep the key unambiguous: two parts never hash like one). ``root``:
    the ruleset folder the files are opened in (:func:`open_part`)."""
    described = []
    for path in paths:
        digest, size = hashlib.sha256(), 0
        with open_part(path, root) as handle:
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

    __slots__ = ("path", "name", "size", "digest", "root", "limit")

    def __init__(self, path: Path, root: Path | None = None, limit: int = 1 << 30):
        self.path = path
        self.name = path.name
        self.size = 0
        self.digest = None
        self.root = root
        self.limit = limit

    def read_bytes(self) -> bytes:
        with open_part(self.path, self.root) as stream:
            try:
                data = _resources.read_at_most(stream, self.limit)
            except _resources.TooLarge:  # its size was checked before: it grew while it was read
                raise OSError(errno.EFBIG, f"it grew past {self.limit:,} bytes while it was read",
                              str(self.path)) from None
        self.size, self.digest = len(data), hashlib.sha256(data).digest()
        return data


def read_table(kind: str, parts: list[tuple[str, Path]], cache_dir, root: Path | None = None):
    """(table or None, diagnostics, origin) for one table's files.

    ``parts`` holds (display path, real path). ``origin`` is "memory" or
    "disk" for a cached table, "" for one read from its files. ``cache_dir``: a folder, None (no disk cache)
    or a :class:`NoCacheDir`. ``root``: the ruleset folder the files were checked to be in, and are opened in
    (:func:`open_part`).
    """
    shared = why_not_private(cache_dir) if cache_dir else None
    with _loading(kind, parts):
        table, diagnostics, origin = _read_table(kind, parts, None if shared else cache_dir or None, root)
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


def _read_table(kind: str, parts: list[tuple[str, Path]], cache_dir: Path | None, root: Path | None = None):
    displays = tuple(display for display, _ in parts)
    try:
        sizes = [(display, path.stat().st_size) for display, path in parts]
        too_large = [(display, size) for display, size in sizes if size > MAX_FILE_BYTES[kind]]
        if too_large:  # refused before it is read: its memory would be many times its size
            return None, [_too_large(kind, display, size) for display, size in too_large], ""
        foreign = foreign_parts(kind, parts, lambda path: open_part(path, root))
        if foreign:  # a file of another kind: one error for it, not one for each of its lines read as rows
            return None, [_foreign(kind, display, other, len(parts) > 1) for display, other in foreign], ""
        looked_up = _may_be_cached(kind, [path.name for _, path in parts], cache_dir)
        key = content_key(kind, [path for _, path in parts], root) if looked_up else None
    except OSError as error:
        return None, [_unreadable(parts, error)], ""
    if key is None:  # no cache holds the table: its files are hashed as the loader reads them, once
        return _read_files(kind, parts, None, cache_dir, root)
    with _LOCK:
        cached = _MEMORY.get(key)
    cache_file = cache_file_path(cache_dir, kind, key)
    if cached is not None:
        warnings = cached.warnings_for(displays)
        if cache_file is not None and not cache_file_exists(cache_file):
            # read in this process without a disk cache: the next process has one
            warnings += _unwritable(cache_file, displays, store_cached(cache_file, cached))
        elif cache_file is not None:
            mark_used(cache_file)  # a process that loads its tables again keeps their file from being pruned
        return cached.table, warnings, "memory"
    stored = fetch_cached(cache_file, key) if cache_file is not None else None
    if stored is not None:
        with _LOCK:
            _MEMORY[key] = stored
        return stored.table, stored.warnings_for(displays), "disk"
    return _read_files(kind, parts, key, cache_dir, root)


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
            return any(entry.name.startswith(prefix) and CACHE_NAME.fullmatch(entry.name) for entry in entries)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # a folder that can't be read (or a name no folder has): looked up as before
        return True


def _read_files(kind: str, parts: list[tuple[str, Path]], key: str | None, cache_dir: Path | None,
                root: Path | None = None):
    """(table or None, diagnostics, "") read from the files of a table that no cache holds. ``key`` is their
    content key if they were hashed to look for it, else None: then the key is made from the bytes the loader read
    (as it is when a file changed after it was hashed), so that a table is always cached under the content it was
    built from."""
    displays = tuple(display for display, _ in parts)
    sources = [_Part(path, root, MAX_FILE_BYTES[kind]) for _, path in parts]
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
        return None, [Diagnostic("RR520", error.naming(display), None, None, error.help)], ""
    except OSError as error:
        return None, [_unreadable(parts, error)], ""
    named = named_diagnostics(diagnostics, displays)
    if table is None:
        return None, named, ""
    read_key = _key(kind, [(source.name, source.size, source.digest) for source in sources])
    if read_key != key:  # not hashed before, or a file changed after it was hashed: key the table by what was read
        table = attrs.evolve(table, key=read_key)
    cached = Cached(table, tuple(diagnostics))  # warnings only: a table with errors is not kept
    with _LOCK:
        _MEMORY[read_key] = cached
    cache_file = cache_file_path(cache_dir, kind, read_key)
    if cache_file is not None:
        named += _unwritable(cache_file, displays, store_cached(cache_file, cached))
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


def _unwritable(cache_file: Path, displays: tuple, failure: tuple | None) -> list:
    """RR530 if the disk cache could not be written (``failure``, from :func:`store_cached`), else nothing: for the
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


def _unreadable(parts: list[tuple[str, Path]], error: OSError) -> Diagnostic:
    """RR502 for a table file that exists but can't be read (permissions, a device error)."""
    display = next((display for display, path in parts if str(path) == error.filename), parts[0][0])
    return Diagnostic("RR502", f"can't read `{display}`: {error.strerror or error}", None, None,
                      "check the file's permissions")
