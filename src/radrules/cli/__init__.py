"""The ``radrules`` command. One module per subcommand.

Exit codes (docs/cli.md): 0 every claim passed (or nothing wrong), 2 some
claim failed (``diff``: the rulesets differ), 3 the rules have errors, 1 any
other failure (unreadable input, a claim of the wrong shape, a rule test that
failed, ``fmt --check`` found files to format).
"""

from __future__ import annotations

import argparse
import sys

from . import check_command, diff_command, eval_command, explain_command, fmt_command, test_command

EXIT_OK, EXIT_FAILURE, EXIT_CLAIMS_FAIL, EXIT_RULE_ERRORS = 0, 1, 2, 3
#: ``diff``: the rulesets (or their outcomes) differ. Same code as a failing claim: "look at this".
EXIT_DIFFERENT = EXIT_CLAIMS_FAIL

COMMANDS = {
    "eval": eval_command,
    "check": check_command,
    "test": test_command,
    "explain": explain_command,
    "fmt": fmt_command,
    "diff": diff_command,
}


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="radrules",
        description="Radiology claim edits: evaluate claims against rule files.",
    )
    parser.add_argument("--version", action="version", version=f"radrules {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, module in COMMANDS.items():
        module.add_parser(commands)
    return parser


def _tolerant(stream) -> None:
    """Write what the stream's encoding can't take (a lone surrogate in a claim's code) escaped,
    rather than fail the whole output."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a stream that can't change
            pass


def main(argv: list[str] | None = None) -> int:
    _tolerant(sys.stdout)
    _tolerant(sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except BrokenPipeError:  # e.g. `radrules eval ... | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
