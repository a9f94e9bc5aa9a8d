"""Signals that stop a run of ``radrules eval``: Ctrl-C (SIGINT), SIGTERM and SIGHUP, all alike.

A service manager stops a program with SIGTERM (``systemctl stop``, ``docker
stop``, a batch scheduler's time limit), a closed terminal or SSH session
sends SIGHUP: each ends the run as Ctrl-C does, by a ``KeyboardInterrupt`` in
the main thread, so the workers are stopped and the summary of the claims
written so far is printed, marked interrupted. Installing a handler also
makes SIGTERM reach the command when it runs as PID 1 in a container, where a
signal left to its default action is never delivered.
"""

from __future__ import annotations

import contextlib
import signal

#: The signals that stop a run (SIGHUP is not on Windows).
NAMES = ("SIGINT", "SIGTERM", "SIGHUP")


class Stops:
    """The stop signals' handler for the duration of a run (a context manager that puts the earlier handlers
    back). A signal ignored when the command started stays ignored (``nohup``; a background job of a shell
    ignores SIGINT).

    The first signal raises ``KeyboardInterrupt``, except while results are written (:meth:`writing`), so the
    output ends on a whole record, and once :meth:`finish` is called (the summary is being written: it is not
    to be lost, as it was when SIGTERM to every process of a service killed a worker and the parent's own
    signal came in while it reported that). A second signal stops at once, whatever is under way.
    """

    def __init__(self):
        self.signals = 0
        self.quiet = False  # inside a write of whole records, or writing the summary
        self.waiting = False  # a first signal came while quiet, and has not been acted on
        self.previous: dict = {}

    def __enter__(self) -> "Stops":
        for name in NAMES:
            number = getattr(signal, name, None)
            if number is None:
                continue
            try:
                current = signal.getsignal(number)
                if current == signal.SIG_IGN:
                    continue
                signal.signal(number, self._handle)
            except (ValueError, OSError):  # not the main thread (main() called from another program's thread)
                continue
            self.previous[number] = signal.SIG_DFL if current is None else current
        return self

    def __exit__(self, *exc) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        self.previous.clear()

    def _handle(self, number, frame) -> None:
        self.signals += 1
        if self.signals == 1 and self.quiet:
            self.waiting = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def writing(self):
        """Around a write of whole records: a first signal that comes meanwhile stops the run after it."""
        if self.quiet:  # (already writing, or reporting)
            yield
            return
        self.quiet = True
        try:
            yield
        finally:
            self.quiet = False
        if self.waiting:
            self.waiting = False
            raise KeyboardInterrupt

    def finish(self) -> None:
        """The run has stopped: from here a first signal is only noted (the summary is written all the same)."""
        self.quiet = True
        self.waiting = False
