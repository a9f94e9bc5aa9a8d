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

    broken = changed = False
    for path in _rule_files(args.paths):
        try:
            text = sys.stdin.read() if path == "-" else _read(path)
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
            path.write_text(formatted, encoding="utf-8", newline="\n")
            print(f"formatted {path}")
    if broken:
        return EXIT_RULE_ERRORS
    if changed and args.check:
        return EXIT_FAILURE
    return EXIT_OK


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
