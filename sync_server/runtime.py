"""Process tuning for a serving sync server: the cyclic garbage collector, waitress's buffers.

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


# waitress spools a request body over ``inbuf_overflow`` (512 KB) and a response over
# ``outbuf_overflow`` (1 MB) to a temporary file, then reads it back: a pulled page of 1,000
# visits is ~2.5 MB, a push of 500 ~0.4 MB. Kept in memory up to these sizes instead (at most a
# few pages per worker thread; larger bodies still spool).
WAITRESS_OPTIONS: dict[str, int] = {
    "outbuf_overflow": 16 * 1024 * 1024,
    "inbuf_overflow": 4 * 1024 * 1024,
}
