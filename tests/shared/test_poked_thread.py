"""PokedThread: one run per poke (pokes during a run fold into one more), stopped and started
again, and a session that cannot open its resource ends the thread without running."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from shared.poked_thread import PokedThread


def _wait_for(cond: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.005)
    return cond()


def test_pokes_while_a_step_runs_fold_into_one_more_run_and_stop_closes_the_session() -> None:
    release, started = threading.Event(), threading.Event()
    opened, closed = [], []

    def step() -> None:
        started.set()
        release.wait(10)

    @contextmanager
    def session() -> Iterator[Callable[[], None]]:
        opened.append(1)
        try:
            yield step
        finally:
            closed.append(1)

    worker = PokedThread("test-worker", session)
    worker.poke()
    assert started.wait(10) and opened == [1]
    for _ in range(5):  # the first step is blocked: these five become one more run
        worker.poke()
    release.set()
    assert _wait_for(lambda: worker.runs == 2)
    time.sleep(0.05)
    assert worker.runs == 2
    worker.stop()
    assert not worker.running and closed == [1]
    worker.poke()  # a later poke starts it again, with a new session
    assert _wait_for(lambda: worker.runs == 3)
    assert opened == [1, 1]
    worker.stop()
    assert closed == [1, 1]


def test_a_session_that_cannot_open_ends_the_thread_without_running() -> None:
    @contextmanager
    def session() -> Iterator[Callable[[], None] | None]:
        yield None

    worker = PokedThread("test-worker", session)
    worker.poke()
    assert _wait_for(lambda: not worker.running)
    assert worker.runs == 0
    worker.stop()
