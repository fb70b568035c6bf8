"""Process tuning for a serving sync server: the cyclic garbage collector.

A push of 500 visits allocates hundreds of thousands of short-lived objects (parsed JSON,
models, rule results); with CPython's default thresholds (700, 10, 10) that triggers hundreds of
young collections per request and, every hundred of them, a full collection that walks every
long-lived object of the process (the parsed calendars, the photo hash index, the imported
modules). Serving processes therefore

* freeze what exists after start-up (``gc.freeze``: the app, its modules and caches are never
  scanned again; they are freed by reference counting as before), and
* collect the young generation every 50,000 net allocations instead of 700.

Reference counting still frees almost everything at once; only reference cycles wait longer,
and at most a few megabytes of them. Measured in bench/bench_sync_server.py (docs/deployment.md).
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 50, 100)


def tune_gc() -> None:
    """Call once in a serving process, after the app is created and before serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
