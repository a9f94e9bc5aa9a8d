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
