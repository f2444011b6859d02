"""Run functions at the same moment in threads, each with its own database connection."""

import threading

from django.db import connection


def run_together(*funcs, timeout=30):
    """Start every function behind one barrier; return each one's result or raised exception."""
    barrier = threading.Barrier(len(funcs))
    results = [None] * len(funcs)

    def worker(i, func):
        try:
            barrier.wait()
            results[i] = func()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(funcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
