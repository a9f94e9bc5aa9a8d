"""Where the grammar and the bundled rulesets live, and small helpers about files.

In a wheel, ``grammars/`` and ``rulesets/`` are mapped into the package
(pyproject.toml); in a source checkout or an editable install they sit at the
top of the repository. ``importlib.resources`` finds the first, the checkout
layout is the fallback.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_dir(name: str) -> Path:
    """The directory ``name`` (``grammars`` or ``rulesets``) as a real path."""
    packaged = resources.files("radrules") / name
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"radrules is installed without its `{name}` folder")


def resolved(path: Path) -> Path:
    """``path.resolve()``, with a loop of links a RuntimeError on every Python: 3.13 resolves one without a word
    (3.11 raises), which made a loop read as a link to nothing."""
    import errno
    import os

    target = path.resolve()
    try:
        os.stat(path)
    except OSError as problem:
        if problem.errno == errno.ELOOP:
            raise RuntimeError(f"a loop of links at {path}") from None
    except ValueError:  # a NUL: resolve() passed it on 3.13 too, and the caller's test of the target says so
        pass
    return target


def grammar_text(name: str = "radrules.lark") -> str:
    """A grammar of ``grammars/``: the rule language, or ``radrules-test.lark`` for rule tests."""
    return (resource_dir("grammars") / name).read_text(encoding="utf-8")


def bundled_rulesets() -> Path:
    return resource_dir("rulesets")


def is_rule_file(name) -> bool:
    """Whether a file's name (or path) is a rule file's: it ends in `.rr`, in any case (Windows takes `PAYER.RR`
    for one, and so does radrules everywhere)."""
    return str(name).lower().endswith(".rr")


def open_regular(path, *, follow_links: bool = True, dir_fd: int | None = None):
    """``path`` opened for reading in binary, or None when it is not a regular file (a folder, a named pipe,
    a device; with ``follow_links=False``, a link). It is opened without waiting: opening a named pipe for a
    read would wait for a writer forever. ``dir_fd``: the folder, opened, that a relative ``path`` is in.
    Raises OSError when it can't be opened."""
    import os
    import stat

    # (O_BINARY: on Windows `os.open` is in text mode without it, turning CR LF into LF and ending at a 0x1A byte)
    flags = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
             | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0)))
    handle = os.open(path, flags, dir_fd=dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            os.close(handle)
            return None
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def open_inside(root: Path, path: Path):
    """``path``, a file inside the folder ``root`` (a real path), opened as :func:`open_regular` opens it (None when
    it is not a regular file), so that it is the file inside ``root`` whatever changes while it is opened: its real
    path is found again and each folder on the way down from ``root``, then the file, is opened without following a
    link. A path checked once and opened later by name could lead elsewhere by then (another user of a shared
    folder putting a link to a file outside in the place of the file or of a folder on its way): that is an
    OSError here, not a read of the file the link leads to. Where the system can't open a file relative to an
    opened folder (Windows), the path is resolved and checked again, then opened."""
    import errno
    import os

    real = Path(os.path.realpath(path))
    if not real.is_relative_to(root):
        raise OSError(errno.EACCES, "it now leads outside the ruleset folder (a link was put in its place)",
                      str(path))
    names = real.relative_to(root).parts
    if not names:
        return None  # the folder itself
    if not (hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY") and os.open in os.supports_dir_fd):
        return open_regular(real)
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in names[:-1]:
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
        return open_regular(names[-1], follow_links=False, dir_fd=folder)
    except OSError as problem:
        if problem.errno in (errno.ELOOP, errno.ENOTDIR):  # a link where a folder or the file was just before
            raise OSError(problem.errno, "it changed while it was opened (a link was put in its place or in "
                          "the place of a folder on its way)", str(path)) from None
        raise
    finally:
        os.close(folder)


#: The largest rule file, test file or test's claim file radrules reads: far past any a person writes (the bundled
#: rule files are about 200 KB in all, a generated payer file of 700 rules about 60 KB), so that a huge file (a
#: sparse file, a table saved as `.rr`) is refused before it is read, not read whole into memory. Parsing takes
#: memory: a valid rule file about 200 times its size, one with a syntax error about 500 times (a 2 MB line of
#: codes: 450 MB, 1.1 GB), so the limit keeps a load of one file under about 2 GB.
MAX_TEXT_BYTES = 1 << 22


class TooLarge(Exception):
    """A file larger than it may be (:func:`read_at_most`); ``size`` is its size in bytes, at least the limit and
    one."""

    def __init__(self, size: int, limit: int):
        super().__init__(size)
        self.size = size
        self.limit = limit


def read_at_most(stream, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of an opened file, or :class:`TooLarge` when it holds more than ``limit``: no more than ``limit``
    and one bytes are read."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(max(file_size(stream) or 0, len(data)), limit)
    return data


def too_large_words(what: str, size: int, limit: int) -> str:
    """How a message says a file is too large: `is 8,589,934,592 bytes, more than a rule file may be (...)`."""
    return f"is {size:,} bytes, more than {what} may be (radrules reads at most {limit:,})"


FOLDER_ENTRIES = 100_000  # the most files and folders a test file's `rules` folder may hold


def rule_files_in(folder: Path, limit: int) -> bool | None:
    """Whether ``folder`` holds a ``.rr`` file (in a sub-folder too, names starting with `.` skipped), or
    None when it holds more than ``limit`` files and folders: a walk that a test file names must end soon
    (``rules "../.."`` could name a home folder). Links to folders are not followed here (the loader
    follows those that stay inside its folder, each folder once)."""
    import os

    found, seen, pending = False, 0, [folder]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen > limit:
                        return None
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif is_rule_file(entry.name):
                        found = True
        except OSError:  # a folder that can't be read holds nothing we can load
            continue
    return found


def display_path(path: Path, base: Path) -> str:
    """How a file is named in messages: relative to ``base`` (the ruleset folder's parent) if inside it."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def file_size(handle) -> int | None:
    """The size in bytes of an opened regular file, else None (a pipe, standard input, a terminal)."""
    import os
    import stat

    try:
        info = os.fstat(handle.fileno())
    except (OSError, AttributeError, ValueError):  # io.UnsupportedOperation is an OSError
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def file_position(handle) -> int | None:
    """Bytes read so far from an opened file, or None where it can't tell (a pipe)."""
    try:
        return handle.tell()
    except (OSError, ValueError, AttributeError):
        return None
