"""``radrules fmt``: write rule files in the canonical layout."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from ..errors import Diagnostic, RuleError


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

    broken = changed = unwritten = False
    for path in _rule_files(args.paths):
        try:
            text = _read_stdin() if path == "-" else _read(path)
            formatted = format_rules(text, str(path))
        except RuleError as error:
            print(str(error), file=sys.stderr)
            broken = True
            continue
        if path == "-" and not (args.check or args.diff):
            sys.stdout.write(formatted)
            continue
        if formatted == text:
            continue
        changed = True
        if args.diff:
            name = str(path)
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(keepends=True), formatted.splitlines(keepends=True), name, f"{name} (formatted)"))
        elif args.check:
            print(path)
        else:
            try:
                _replace(path, formatted)
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


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` (the file a link points to) and move it into place, so
    that a failed write (a full disk) leaves the rule file as it was; its permissions are kept."""
    import os
    import stat
    import tempfile

    target = path.resolve()
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".fmt-", suffix=".rr")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(name, stat.S_IMODE(target.stat().st_mode))
        os.replace(name, target)
    except BaseException:
        try:
            os.unlink(name)
        except OSError:
            pass
        raise


def _read_stdin() -> str:
    """Standard input as text, checked as a file is (RR404 when it is not UTF-8)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in place of standard input
        return sys.stdin.read()
    data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise RuleError([Diagnostic("RR404", f"standard input is not UTF-8 text (byte {problem.start})")]) from None


def _rule_files(paths: list[str]):
    """Each path, with a folder replaced by its `.rr` files (names starting with `.` skipped)."""
    for name in paths:
        if name == "-":
            yield name
            continue
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*.rr")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            yield path


def _read(path: Path) -> str:
    """The file's text; a file that can't be read is reported like a rule error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as problem:
        raise RuleError([Diagnostic("RR404", f"`{path}` is not UTF-8 text (byte {problem.start})")]) from None
    except OSError as problem:
        what = "no rule file or folder at" if not path.exists() else "can't read"
        raise RuleError([Diagnostic("RR401", f"{what} `{path}`" + (
            f": {problem.strerror}" if path.exists() else ""))]) from None
