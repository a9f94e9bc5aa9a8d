"""``radrules fmt``: write rule files in the canonical layout."""

from __future__ import annotations

import difflib
import errno
import os
import sys
from pathlib import Path

from .._resources import TooLarge, open_regular, read_at_most, too_large_words
from ..errors import Diagnostic, RuleError, lf_line_ends, shortened
from ..loader import files_under
from .files import replace_file


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "fmt", help="write rule files in the canonical layout",
        description="Rewrite rule files in the canonical layout, keeping comments. A folder stands for every "
                    "`.rr` file in it and its subfolders; `-` reads standard input and writes standard output.",
    )
    parser.add_argument("--check", action="store_true",
                        help="change nothing; list the files that are not in the canonical layout and exit 1")
    parser.add_argument("--diff", action="store_true", help="change nothing; print what would change as a diff")
    parser.add_argument("paths", metavar="PATH", nargs="+", help="rule file, folder, or - for standard input")


def run(args) -> int:
    from . import EXIT_FAILURE, EXIT_OK, EXIT_RULE_ERRORS
    from .. import format_rules
    from ..formatter import FormattingError

    broken = changed = unwritten = False
    for path in _rule_files(args.paths):
        if isinstance(path, RuleError):  # a link in a folder that is not formatted
            print(str(path), file=sys.stderr)
            broken = True
            continue
        try:
            text, read = (_read_stdin(), None) if path == "-" else _read(path)
            # parsed with LF line ends (a lone CR ends a line too); compared as it is, so CR LF, a lone CR and
            # a byte order mark are not the canonical layout
            formatted = format_rules(lf_line_ends(text), str(path))  # (format_rules drops a byte order mark)
        except RuleError as error:
            print(str(error), file=sys.stderr)
            broken = True
            continue
        except FormattingError as error:  # a formatter bug: this file stays as it is, the others go on
            print(f"error: {error}; the file is unchanged", file=sys.stderr)
            unwritten = True
            continue
        if path == "-" and not (args.check or args.diff):
            sys.stdout.write(formatted)
            continue
        if formatted == text:
            continue
        changed = True
        if args.diff:
            name = str(path)
            for line in difflib.unified_diff(_lines(text), _lines(formatted), name, f"{name} (formatted)"):
                # a last line without its line end, marked as `diff` does, so that `patch` takes the diff
                sys.stdout.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        elif args.check:
            print(path)
        else:
            try:
                target = path.resolve()  # (the file a link points to)
                if _identity(os.stat(target)) != read:  # (a link put in its place since: another file, not written)
                    raise OSError(errno.ESTALE, "it changed while it was formatted")
                replace_file(str(target), formatted, newline="\n")
            except OSError as problem:
                print(f"error: can't write `{path}`: {problem.strerror or problem}; the file is unchanged",
                      file=sys.stderr)
                unwritten = True
                continue
            print(f"formatted {path}")
    if broken:
        return EXIT_RULE_ERRORS
    if unwritten or (changed and args.check):
        return EXIT_FAILURE
    return EXIT_OK


def _lines(text: str) -> list[str]:
    """The lines of ``text`` with their ends, split at line feeds only (as the parser and `patch` count them:
    a form feed or U+2028 is a character of its line)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _read_stdin() -> str:
    """Standard input as text, checked as a file is (RR404 when it is not UTF-8)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in place of standard input
        return sys.stdin.read()
    return _decoded(stream.read(), "standard input")


def _decoded(data: bytes, name: str) -> str:
    """The text of a rule file as it is: a byte order mark and CR LF line ends are kept, so that a file with
    them is not in the canonical layout (LF line ends, no mark) and is rewritten; RR404 if not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise RuleError([Diagnostic("RR404", f"{name} is not UTF-8 text (byte {problem.start})")]) from None


def _shown(real: Path) -> Path:
    """A file's real path as the user would write it: relative to the working folder when it is inside it."""
    try:
        return real.relative_to(Path.cwd())
    except ValueError:
        return real


def _rule_files(paths: list[str]):
    """Each path, with a folder replaced by its `.rr` files, as `radrules check` finds them
    (:func:`~radrules.loader.files_under`: names starting with `.` skipped, links to folders inside followed, each
    file once); a link to a file or folder outside it, or to nothing, is a RuleError in its place."""
    for name in paths:
        if name == "-":
            yield name
            continue
        if not name:  # Path("") is the working directory; an empty path names nothing
            yield RuleError([Diagnostic("RR401", "no rule file or folder: the path is empty")])
            continue
        path = Path(name)
        try:
            is_dir = path.is_dir()
        except OSError as problem:  # a name too long, a folder on the way that can't be entered
            yield RuleError([Diagnostic("RR401", f"can't read `{shortened(name, 200)}`: {problem.strerror}")])
            continue
        if is_dir:  # the files `radrules check` reads: folder links inside followed, links outside refused
            files, problems = files_under(path.resolve())
            for problem in problems:
                yield RuleError([problem])
            for real in files:
                if not real.exists():  # a link to nothing
                    yield RuleError([Diagnostic("RR401", f"no rule file at `{_shown(real)}` (a link to a file that "
                                                         f"is not there)")])
                elif real.is_file():
                    yield _shown(real)
        else:
            yield path


def _identity(status) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def _read(path: Path) -> tuple[str, tuple[int, int]]:
    """The file's text, and which file it is (its device and inode: fmt writes the file it read, not another put in
    its place since, as a link to a file outside the folder); a file that can't be read is reported like a rule
    error."""
    try:
        stream = open_regular(path)  # a named pipe is not waited on
    except OSError as problem:
        if problem.errno in (errno.ENOENT, errno.ENOTDIR):  # (path.exists() raised for a name too long)
            raise RuleError([Diagnostic("RR401", f"no rule file or folder at `{path}`")]) from None
        raise RuleError([Diagnostic("RR401", f"can't read `{shortened(str(path), 200)}`: {problem.strerror}")]) \
            from None
    if stream is None:
        raise RuleError([Diagnostic("RR401", f"`{path}` is not a rule file (a folder, a pipe or a device)",
                                    help="`fmt` formats regular files ending in `.rr`")])
    with stream:
        try:
            data = read_at_most(stream)
        except TooLarge as problem:
            raise RuleError([Diagnostic("RR401", f"`{shortened(str(path), 200)}` "
                                        f"{too_large_words('a rule file', problem.size, problem.limit)}")]) from None
        return _decoded(data, f"`{path}`"), _identity(os.fstat(stream.fileno()))
