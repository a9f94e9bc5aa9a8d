"""A compiled ruleset is shared safely: by many threads, through pickle, and across processes."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

import radrules

from builders import evaluate_all, example_claims, random_claims
from strategies import TEST_RULES

CLAIMS = example_claims() + random_claims(seed=7, count=200)
RULESETS = pytest.mark.parametrize("rules", [radrules.load(), TEST_RULES], ids=["bundled", "test_rules"])


class TestThreads:
    @RULESETS
    def test_many_threads_one_ruleset(self, rules):
        """Eight threads evaluating the same claims on one ruleset get the sequential results."""
        expected = evaluate_all(rules, CLAIMS)
        work = CLAIMS * 3
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda data: rules.evaluate(data).to_dict(), work))
        assert results == expected * 3

    def test_concurrent_loads_return_one_ruleset(self):
        """Threads compiling the same text at once all get a working ruleset with the same rules."""
        text = 'rule thread.rule\n  when line.units > 5\n  then deny line "x"\n  reference "t"\nend\n'
        with ThreadPoolExecutor(max_workers=8) as pool:
            loaded = list(pool.map(lambda _: radrules.loads(text, name="threads.rr"), range(16)))
        assert {r.rule_ids() for r in loaded} == {loaded[0].rule_ids()}
        assert radrules.loads(text, name="threads.rr") in loaded

    def test_threads_loading_one_table_share_it(self, tmp_path):
        """An embedding developer's finding: threads loading the same table files at once each read a copy (8
        threads, 8 copies held for good by their rulesets: 580 MB where one load takes 100 MB). They wait for
        the first now, and take its table from the memory cache."""
        from test_tables_versions import PTP_HEADER

        (tmp_path / "cms").mkdir()
        rows = "".join(f"7{first:04d}\t7{second:04d}\t\t20110101\t*\t1\tx\r\n"  # long enough to read at once
                       for first in range(100) for second in range(100, 300))
        (tmp_path / "cms" / "ccipra-v322r0-f1.TXT").write_text(PTP_HEADER + rows, encoding="latin-1")
        (tmp_path / "tables.rr").write_text('table ptp "cms" effective 2026-07-01\n')
        import sys
        import threading

        radrules.clear_memory_cache()
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # threads switch often: each reads the files at once with the others
        try:
            start = threading.Barrier(8)  # all at once

            def load(_):
                start.wait()
                return radrules.load(tmp_path, cache_dir=None)

            with ThreadPoolExecutor(max_workers=8) as pool:
                loaded = list(pool.map(load, range(8)))
        finally:
            sys.setswitchinterval(interval)
        assert len({id(rules.tables[0].table) for rules in loaded}) == 1


class TestPickle:
    @RULESETS
    def test_round_trip_evaluates_identically(self, rules):
        """`pickle.loads(pickle.dumps(ruleset))` gives the same results on every claim, on both paths."""
        copy = pickle.loads(pickle.dumps(rules))
        assert copy.rule_ids() == rules.rule_ids()
        assert evaluate_all(copy, CLAIMS) == evaluate_all(rules, CLAIMS)
        assert [copy.evaluate(c, indexed=False).to_dict() for c in CLAIMS[:40]] == evaluate_all(rules, CLAIMS[:40])

    def test_results_pickle(self):
        """Results and their findings pickle and compare equal."""
        result = radrules.load().evaluate(example_claims()[1])
        assert pickle.loads(pickle.dumps(result)) == result


class TestProcesses:
    def test_process_pool(self):
        """Rulesets sent to two fresh (spawned) processes evaluate exactly as in this process."""
        rules = radrules.load()
        chunks = [CLAIMS[:110], CLAIMS[110:]]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            results = list(pool.map(evaluate_all, [rules, TEST_RULES], chunks))
        assert results == [evaluate_all(rules, chunks[0]), evaluate_all(TEST_RULES, chunks[1])]


def test_an_evaluation_is_freed_without_the_cycle_collector(bundled):
    """Evaluating a claim leaves no reference cycles behind (a line view does not point back to
    its evaluation), so its objects are freed at once and the collector seldom runs; explaining one neither
    (the cycles a first explain=True leaves are radrules.explain's import: attrs' slotted classes)."""
    import gc

    claims = example_claims()
    for item in claims:
        bundled.evaluate(item, explain=True)  # caches filled, explain's objects too
    gc.collect()
    gc.disable()
    try:
        for item in claims:
            bundled.evaluate(item)
            bundled.evaluate(item, explain=True)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_dropped_ruleset_is_freed_without_the_cycle_collector(tmp_path):
    """An embedding developer's finding: a view and its lookup, and the lookups and their cache budget, held
    each other, so a dropped ruleset (its tables too) stayed until the collector ran, and for ever after
    `gc.freeze()`: a service reloading each quarter grew by a ruleset per reload. Now nothing of one is a cycle."""
    import gc
    import shutil
    import weakref
    from pathlib import Path

    data = Path(__file__).parent / "data" / "cms"
    (tmp_path / "cms").mkdir()
    for name in ("radiology-ptp-v322r0-f1.TXT", "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv",
                 "aoc_v2026q3.csv", "PPRRVU26_JUL.csv"):
        shutil.copy(data / name, tmp_path / "cms" / name)
    (tmp_path / "tables.rr").write_text('table ptp "cms/radiology-ptp-v322r0-f1.TXT" effective 2026-07-01\n'
                                        'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"\n'
                                        'table addon "cms/aoc_v2026q3.csv"\ntable pctc "cms/PPRRVU26_JUL.csv"\n')
    rules = radrules.load(tmp_path, bundled=True, cache_dir=None)
    for item in example_claims() + random_claims(seed=3, count=100):
        rules.evaluate(item, explain=True)  # every cache filled
    dropped = [weakref.ref(rules), weakref.ref(rules.tables[0].table),
               *(weakref.ref(view.lookup) for view in rules.views.values())]
    gc.collect()
    gc.disable()
    try:
        del rules, item
        radrules.clear_memory_cache()
        assert [ref() for ref in dropped] == [None] * len(dropped)
    finally:
        gc.enable()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="fork is POSIX's")
def test_a_process_forked_during_a_load_loads_on_its_own(tmp_path, monkeypatch):
    """A maintainer's read: a process forked while another thread loaded a table inherited that load's lock, held,
    and no thread to let it go; its own load of the table waited for ever (a service that loads in the background
    and forks workers). The child starts with new locks, and with the cycle collector on."""
    import gc
    import os
    import signal
    import threading

    from radrules.tables import reading

    (tmp_path / "cms").mkdir()
    (tmp_path / "cms" / "ccipra-v322r0-f1.TXT").write_bytes((DATA_CMS / "radiology-ptp-v322r0-f1.TXT").read_bytes())
    (tmp_path / "tables.rr").write_text('table ptp "cms" effective 2026-07-01\n')
    radrules.clear_memory_cache()
    started, release = threading.Event(), threading.Event()
    read_table = reading._read_table
    loader: list = []

    def held(*args, **kwargs):  # the background load stops inside its lock until the fork is done
        if threading.get_ident() in loader:
            started.set()
            release.wait(30)
        return read_table(*args, **kwargs)

    monkeypatch.setattr(reading, "_read_table", held)
    collecting = gc.isenabled()  # (the load pauses it while it runs)
    thread = threading.Thread(target=lambda: (loader.append(threading.get_ident()),
                                              radrules.load(tmp_path, cache_dir=None)))
    thread.start()
    assert started.wait(30)
    pid = os.fork()
    if pid == 0:  # the child: load the same table, within 20 s
        signal.alarm(20)
        try:
            rules = radrules.load(tmp_path, cache_dir=None)
            os._exit(0 if len(rules.tables[0].table) and gc.isenabled() == collecting else 2)
        except BaseException:
            os._exit(3)
    release.set()
    thread.join(30)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


DATA_CMS = __import__("pathlib").Path(__file__).parent / "data" / "cms"
