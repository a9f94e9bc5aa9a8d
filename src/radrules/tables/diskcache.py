"""The table cache on disk: a folder of compiled tables (and of parsed rule files), one pickle a file.

:mod:`radrules.tables.reading` looks a table up here after the in-process cache and stores here what it read
from the files. This module holds the folder (``RADRULES_CACHE_DIR``, default the user cache directory, and
:class:`NoCacheDir` where there is none), :class:`Cached` (a table with the warnings its files gave, the one
object a cache file holds) and the fingerprint of what a cache file pickles (:data:`STORED_LAYOUT`, part of
every key), and how a cache file is read (only from a private folder, checked against its checksum and key),
written (atomically) and pruned. :func:`on_disk` keeps other results beside the tables (the loader's parsed rule
files, the compiler's corrections).
"""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import re
import sys
import tempfile
import time
from pathlib import Path

import attrs

from .. import _resources
from ..errors import Diagnostic
from ..syntax import Span
from .kinds import KINDS
from .store import PtpTable, RawTable

#: The disk cache's kind of parsed rule files (radrules.loader), beside the tables'.
PARSED_KIND = "rules"


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
    """The user's home directory; RuntimeError if there is none, only a relative path (`HOME=home`), or one that
    is not there (`HOME=/nonexistent`, a system user's): the cache folder is made in a home, never the home itself
    (root made `/nonexistent/.cache/radrules`)."""
    home = Path.home()
    if not home.is_absolute():
        raise RuntimeError("the home directory is a relative path")
    if not home.is_dir():
        raise RuntimeError("the home directory is not there")
    return home


class NoCacheDir:
    """The default cache directory where there is none to find (no ``HOME``, no home directory for the user, or a
    relative one): no disk cache, and warning RR530 when a table is read, as for a folder that can't be written."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NoCacheDir()"


def why_not_private(folder: Path) -> str | None:
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
    """:func:`why_not_private` from the folder's ``lstat`` (or its ``fstat``, opened)."""
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


def on_disk(kind: str, key: str, cache_dir, compute) -> dict:
    """``compute()``'s dict, read from the disk cache file of ``kind`` and ``key`` (a hash of everything it is
    computed from) if there is one, else computed and stored there. On disk it is a RawTable whose entries are
    the dict, with the tables' checks: a file that is damaged, holds another key or may have been written by
    someone else is never read. A cache that can't be written, or that is not private, is passed over (the
    tables' own warning, RR530, says so)."""
    private = cache_dir and not why_not_private(cache_dir)  # a folder the tables may not use (RR530) holds nothing
    cache_file = cache_file_path(cache_dir if private else None, kind, key)
    stored = fetch_cached(cache_file, key) if cache_file is not None else None
    if stored is not None and isinstance(stored.table, RawTable):
        return stored.table.entries
    found = compute()
    if cache_file is not None:
        store_cached(cache_file, Cached(RawTable(key=key, files=(), entries=found), ()))
    return found


def cache_file_path(cache_dir: Path | None, kind: str, key: str) -> Path | None:
    return cache_dir / f"{kind}-{key[:32]}.pickle" if cache_dir else None


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
        return named_diagnostics(self.warnings, displays)


def named_diagnostics(diagnostics, displays: tuple) -> list:
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


def cache_file_exists(cache_file: Path) -> bool:
    try:
        return cache_file.is_file()
    except (OSError, ValueError):  # a folder that can't be entered, a name too long, a NUL
        return False


def fetch_cached(cache_file: Path, key: str) -> Cached | None:
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
    mark_used(cache_file)
    return stored


def mark_used(cache_file: Path) -> None:
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


def store_cached(cache_file: Path, payload) -> tuple[str, bool] | None:
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
    folder = None  # the folder, opened, where the system can open files in it (POSIX)
    blocked, whole_folder = cache_file.parent, True
    try:
        cache_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, as why_not_private asks
        if hasattr(os, "geteuid") and os.open in os.supports_dir_fd:
            # Written in the folder opened and checked here, not by its path: a link put in its place since the
            # load checked it (a cache folder in a shared folder such as /tmp) would have the pickle written, and
            # radrules' old files pruned, in whatever folder it leads to.
            try:
                folder = os.open(cache_file.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            except OSError:
                unsafe = why_not_private(cache_file.parent)  # a link (ELOOP, or ENOTDIR on Linux)
                if unsafe is None:
                    raise
                raise OSError(errno.EPERM, f"it is not private: {unsafe}") from None
            unsafe = _unsafe_folder(os.fstat(folder))
            if unsafe is not None:
                raise OSError(errno.EPERM, f"it is not private: {unsafe}")
        _prune(cache_file.parent, folder)  # (first: the temporary files of killed writers may fill the disk)
        if folder is None:
            handle, name = tempfile.mkstemp(dir=cache_file.parent, prefix=_TEMPORARY_PREFIX)
        else:
            handle, name = _temporary_in(folder)
        with os.fdopen(handle, "wb") as out:
            out.write(_CACHE_MAGIC + bytes(32))  # the checksum's place, filled once the pickle is written
            digest = hashlib.sha256()
            pickle.dump(payload, _Hashing(out, digest), protocol=pickle.HIGHEST_PROTOCOL)
            out.seek(len(_CACHE_MAGIC))
            out.write(digest.digest())
        blocked, whole_folder = cache_file, False  # the folder takes files: only this name can fail now
        if folder is None:
            os.replace(name, cache_file)
        else:
            os.replace(name, cache_file.name, src_dir_fd=folder, dst_dir_fd=folder)
        name = None
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
                os.unlink(name, dir_fd=folder)
            except OSError:
                pass
        if folder is not None:
            os.close(folder)


def _temporary_in(folder: int) -> tuple[int, str]:
    """A new temporary file in the opened folder ``folder``, as ``tempfile.mkstemp`` makes one (mode 0600, a name
    no file has): (its handle, its name)."""
    import secrets

    letters = "abcdefghijklmnopqrstuvwxyz0123456789_"
    for _ in range(100):
        name = _TEMPORARY_PREFIX + "".join(secrets.choice(letters) for _ in range(8))
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no name for a temporary file is free")


#: A cache file no load has read for this many days is removed when a new one is written (a table version
#: loaded again after that is read from its files once more). Each load that reads a file marks it as used.
CACHE_KEEP_DAYS = 90
CACHE_NAME = re.compile(r"(?:%s)-[0-9a-f]{32}\.pickle" % "|".join(KINDS + (PARSED_KIND,)))
#: A cache file being written: this prefix and mkstemp's eight random letters, digits or underscores.
_TEMPORARY_PREFIX = ".radrules-tmp-"
#: A temporary file not written to for this long was left by a writer that was killed (a writer writes without a
#: pause: a national PTP table's 50 MB in about a second), and is removed.
TEMPORARY_KEEP_SECONDS = 600
_TEMPORARY_NAME = re.compile(re.escape(_TEMPORARY_PREFIX) + r"[a-z0-9_]{8}")


#: A cache folder -> when (time.monotonic) this process last pruned it: at most once every PRUNE_SECONDS, since a
#: load writes a cache file per rule file and each prune looks at every file of the folder (a first load of 1,000
#: rule files took 5.7 s instead of 0.8 s pruning after each).
_PRUNED: dict = {}
PRUNE_SECONDS = 3600


def _prune(folder: Path, opened: int | None = None) -> None:
    """Remove the cache files of ``folder`` unused for CACHE_KEEP_DAYS (the tables of past quarters, and
    those of older radrules versions, which are never read again), and the temporary files of processes killed
    while writing, not written to for TEMPORARY_KEEP_SECONDS; at most once every PRUNE_SECONDS a folder, before
    a process first writes in it. Only radrules' own names are touched."""
    last = _PRUNED.get(folder)
    if last is not None and time.monotonic() - last < PRUNE_SECONDS:
        return
    if len(_PRUNED) >= 64:
        _PRUNED.clear()
    _PRUNED[folder] = time.monotonic()
    now = time.time()
    try:
        entries = list(os.scandir(folder if opened is None else opened))  # (``opened``: the folder, opened)
    except OSError:
        return
    for entry in entries:
        if CACHE_NAME.fullmatch(entry.name):
            age = CACHE_KEEP_DAYS * 86400
        elif _TEMPORARY_NAME.fullmatch(entry.name):
            age = TEMPORARY_KEEP_SECONDS
        else:
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > age:
                os.unlink(entry.name if opened is not None else entry.path, dir_fd=opened)
        except OSError:
            pass
