"""A one-line progress bar on standard error, for long runs over claims files.

Drawn only when the stream is a terminal: a pipe or a file gets nothing, so
logs and redirected output stay clean.
"""

from __future__ import annotations

import time

WIDTH = 24


def is_terminal(stream) -> bool:
    """Whether ``stream`` is a terminal (False for pipes, files and closed or odd streams)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """Call it with (items done, bytes read, file size); ``finish()`` when done.

    Redraws at most every ``interval`` seconds: the share of the file read,
    the items done, the rate and the time left (when the size is known).
    """

    def __init__(self, stream, *, clock=time.monotonic, interval: float = 0.1, enabled: bool | None = None,
                 noun: str = "claims"):
        self.stream = stream
        self.enabled = is_terminal(stream) if enabled is None else enabled
        self.noun = noun
        self.clock = clock
        self.interval = interval
        self.started = clock()
        self.last: float | None = None
        self.shown = 0
        self.done = 0

    def __call__(self, done: int, read: int | None, total: int | None) -> None:
        self.done = done
        if not self.enabled:
            return
        now = self.clock()
        if self.last is not None and now - self.last < self.interval:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        parts = []
        if read is not None and total:
            fraction = min(read / total, 1.0)
            filled = int(fraction * WIDTH)
            parts.append("[" + "#" * filled + "-" * (WIDTH - filled) + f"] {fraction:4.0%}")
        parts.append(f"{done:,} {self.noun}")
        parts.append(f"{rate:,.0f} {self.noun}/s")
        if read is not None and total and read > 0:
            left = elapsed * (total - min(read, total)) / read
            parts.append(f"ETA {_duration(left)}")
        self._draw("  ".join(parts))

    def finish(self) -> None:
        """Replace the bar with one line: how many items, how long, how fast."""
        if not self.enabled:
            return
        elapsed = max(self.clock() - self.started, 1e-6)
        self._draw(f"{self.done:,} {self.noun} in {_duration(elapsed)} ({self.done / elapsed:,.0f} {self.noun}/s)")
        self._write("\n")

    def clear(self) -> None:
        """Erase the bar (before other text goes to its stream); the next call draws it again."""
        if self.enabled and self.shown:
            self._write("\r" + " " * self.shown + "\r")
            self.shown = 0
            self.last = None

    def _draw(self, text: str) -> None:
        self._write("\r" + text.ljust(self.shown))
        self.shown = len(text)

    def _write(self, text: str) -> None:
        """Write on the bar's stream; a terminal that is gone (a closed session) or full ends the bar, not the
        run: the results, the summary file and the exit code do not depend on it."""
        try:
            self.stream.write(text)
            self.stream.flush()
        except OSError:
            self.enabled = False


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"
