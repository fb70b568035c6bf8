"""A fault-injecting TCP proxy on 127.0.0.1 for real-HTTP sync tests.

Each client connection is forwarded to the upstream server. A :class:`Fault` queued with
:meth:`FaultyProxy.add` applies to the next connection whose first bytes contain ``match``
(e.g. ``b"PATCH /api/v1/photos"``): it can cut the connection after N bytes of the request body
or of the response body, flip one byte of the request body, or answer by itself with an HTTP
status (``503`` with ``Retry-After``...) without reaching the server. Offsets count from the
start of the body (the byte after the blank line ending the headers), so a cut at 0 falls
right after the headers and a cut at ``n`` falls mid-body.

Use clients that open one connection per request (``Connection: close``) so faults can be aimed
at one request.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

HEADER_END = b"\r\n\r\n"


@dataclass
class Fault:
    match: bytes = b""
    cut_request_body_at: int | None = None
    cut_response_body_at: int | None = None
    corrupt_request_body_at: int | None = None
    reply_status: int | None = None
    retry_after: int | None = None
    times: int = 1
    fired: int = 0


@dataclass
class _Stream:
    cut_at: int | None = None
    corrupt_at: int | None = None
    seen: bytearray = field(default_factory=bytearray)
    header_end: int | None = None
    sent: int = 0

    def process(self, data: bytes) -> tuple[bytes, bool]:
        """The bytes to forward, and whether to cut the connection after them."""
        if self.header_end is None:
            self.seen += data
            idx = self.seen.find(HEADER_END)
            if idx >= 0:
                self.header_end = idx + len(HEADER_END)
        out = bytearray(data)
        if self.header_end is not None and self.corrupt_at is not None:
            pos = self.header_end + self.corrupt_at - self.sent
            if 0 <= pos < len(out):
                out[pos] ^= 0xFF
                self.corrupt_at = None
        if self.header_end is not None and self.cut_at is not None:
            limit = self.header_end + self.cut_at - self.sent
            if limit <= len(out):
                self.sent += max(0, limit)
                return bytes(out[: max(0, limit)]), True
        self.sent += len(out)
        return bytes(out), False


def _kill(*socks: socket.socket) -> None:
    for s in socks:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)


def _pump(
    src: socket.socket, dst: socket.socket, stream: _Stream, data: bytes, cut: threading.Event
) -> None:
    """Forward src to dst through ``stream`` until EOF or the cut (which kills both sides)."""
    try:
        if not data:
            data = src.recv(65536)
        while data and not cut.is_set():
            out, cut_now = stream.process(data)
            if out:
                dst.sendall(out)
            if cut_now:
                cut.set()
                _kill(src, dst)
                return
            data = src.recv(65536)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        cut.set()
        _kill(src, dst)


class FaultyProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._closed = False
        self.connections = 0
        self.request_lines: list[bytes] = []  # first line of every request seen
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def __enter__(self) -> FaultyProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------
    def _take_fault(self, first: bytes) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.fired < fault.times and fault.match in first:
                    fault.fired += 1
                    return fault
        return None

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.settimeout(30)
            first = client.recv(65536)
            if first:
                self.request_lines.append(first.split(b"\r\n", 1)[0])
            fault = self._take_fault(first) if first else None
            if fault is not None and fault.reply_status is not None:
                self._reply(client, fault)
                return
            if not first:
                return
            upstream = socket.create_connection(self.upstream, timeout=30)
            req = _Stream(
                cut_at=fault.cut_request_body_at if fault else None,
                corrupt_at=fault.corrupt_request_body_at if fault else None,
            )
            resp = _Stream(cut_at=fault.cut_response_body_at if fault else None)
            cut = threading.Event()
            forward = threading.Thread(
                target=_pump, args=(client, upstream, req, first, cut), daemon=True
            )
            forward.start()
            _pump(upstream, client, resp, b"", cut)
            forward.join(timeout=30)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                if s is not None:
                    s.close()

    def _reply(self, client: socket.socket, fault: Fault) -> None:
        body = b'{"code": "unavailable", "message": "proxy says try later", "details": {}}'
        headers = [
            f"HTTP/1.1 {fault.reply_status} Injected",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            "Connection: close",
        ]
        if fault.retry_after is not None:
            headers.append(f"Retry-After: {fault.retry_after}")
        client.sendall(("\r\n".join(headers) + "\r\n\r\n").encode() + body)
