"""A daemon thread that does one piece of work after each poke (the device's and the server's
SQLite checkpointers: a transaction committed, copy the WAL soon, off the committing thread).

Pokes that arrive while the work runs fold into one more run. The thread is started by the
first poke and stopped by :meth:`PokedThread.stop`; a later poke starts it again. Its resource
(a database connection, say) is opened by ``session`` on the thread itself and closed when the
thread stops.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

Session = Callable[[], AbstractContextManager[Callable[[], None] | None]]


class PokedThread:
    """Runs the step ``session()`` yields after each :meth:`poke`, then waits ``interval``
    seconds before it may run again. A session that yields None (its resource could not be
    opened) ends the thread; the next poke tries again."""

    def __init__(self, name: str, session: Session, interval: float = 0.0) -> None:
        self.name = name
        self.interval = interval
        self.runs = 0
        self._session = session
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def poke(self) -> None:
        with self._lock:
            if not self.running:
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._wake.set()
        if thread is not None:
            thread.join(10)

    def _run(self) -> None:
        with self._session() as step:
            if step is None:
                return
            while True:
                self._wake.wait()
                if self._stop.is_set():
                    return
                self._wake.clear()
                step()
                self.runs += 1
                if self.interval:
                    self._stop.wait(self.interval)
