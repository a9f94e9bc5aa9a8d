"""The signals that stop `radrules eval` (cli/stops.py): SIGINT, SIGTERM and SIGHUP alike, in this process.

The command's own behaviour (the summary, the workers) is tested in a subprocess in test_cli_batch.py."""

from __future__ import annotations

import signal

import pytest

from radrules.cli.stops import Stops


@pytest.fixture(params=[name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)])
def number(request):
    return getattr(signal, request.param)


class TestStops:
    def test_a_signal_stops_as_ctrl_c_does(self, number):
        """Each of the three raises KeyboardInterrupt in the main thread; the earlier handler is put back after."""
        before = signal.getsignal(number)
        with Stops():
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(number)
        assert signal.getsignal(number) == before

    def test_a_signal_while_results_are_written_waits_for_their_end(self, number):
        """Results are written whole: the stop comes after the write, and a second signal stops at once."""
        written = []
        with Stops() as stops:
            with pytest.raises(KeyboardInterrupt):
                with stops.writing():
                    signal.raise_signal(number)
                    written.append("the rest of the records")
            assert written == ["the rest of the records"]
        with Stops() as stops:
            with pytest.raises(KeyboardInterrupt):
                with stops.writing():
                    signal.raise_signal(number)
                    signal.raise_signal(number)
                    written.append("never")
        assert written == ["the rest of the records"]

    def test_a_signal_while_the_summary_is_written_is_noted_only(self, number):
        """Once the run has stopped, a first signal does not cut the summary short (it is written all the same);
        a second one stops at once."""
        with Stops() as stops:
            stops.finish()
            signal.raise_signal(number)  # no KeyboardInterrupt
            assert stops.signals == 1
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(number)

    def test_a_signal_ignored_at_the_start_stays_ignored(self, number):
        """`nohup` (SIGHUP), a shell's background job (SIGINT): what the caller chose to ignore is not a stop."""
        before = signal.signal(number, signal.SIG_IGN)
        try:
            with Stops():
                assert signal.getsignal(number) == signal.SIG_IGN
                signal.raise_signal(number)
            assert signal.getsignal(number) == signal.SIG_IGN
        finally:
            signal.signal(number, before)
