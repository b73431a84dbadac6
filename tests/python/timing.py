"""Timing helper shared by the measurement scripts in this folder
(search_overhead.py, dask_overhead.py); not a test."""
import time


def best_of(repeats, call):
    """The least wall-clock seconds of `repeats` calls of `call()`."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best
