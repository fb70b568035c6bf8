"""The engine over real HTTP (waitress on 127.0.0.1) through a fault-injecting TCP proxy.

Connections are cut mid-request and mid-response, photo uploads are cut at several byte offsets
and corrupted in flight, and the server answers 503; every test checks the server's database.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.sync.engine import SyncEngine
from client.sync.retry import RetryPolicy
from client.sync.session import TOKEN_KEY, login
from client.sync.transport import HttpTransport
from tests.sim.harness import (
    PASSWORD,
    LiveServer,
    World,
    capture,
    make_world,
    one_shot_session,
    server_records,
)
from tests.support.faulty_proxy import Fault, FaultyProxy


@dataclass
class Net:
    world: World
    server: LiveServer
    proxy: FaultyProxy
    store: LocalStore
    sleeps: list[float]
    transports: list[HttpTransport]

    def engine(self, **kwargs: object) -> SyncEngine:
        transport = HttpTransport(
            self.proxy.url,
            lambda: self.store.get_meta(TOKEN_KEY),
            session=one_shot_session(),
            read_timeout=10,
        )
        self.transports.append(transport)
        kwargs.setdefault("sleep", self.sleeps.append)
        kwargs.setdefault("rng", random.Random(7))
        return SyncEngine(self.store, transport, **kwargs)  # type: ignore[arg-type]

    def photo_blob(self, sha: str) -> bytes:
        root = Path(self.world.app.config["PHOTO_DIR"]) / "blobs" / self.world.org_id
        return (root / sha[:2] / sha).read_bytes()


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Net]:
    world = make_world(tmp_path / "server")
    server = LiveServer(world.app)
    proxy = FaultyProxy(server.port)
    store = LocalStore.open(tmp_path / "device.db")
    login(store, proxy.url, world.org_id, "rep1", PASSWORD)
    net = Net(world, server, proxy, store, [], [])
    first = net.engine().sync()
    assert first.ok, first
    try:
        yield net
    finally:
        for t in net.transports:
            t.close()
        store.close()
        proxy.close()
        server.stop()


def server_outcomes(world: World, device_id: str) -> list[tuple[int, str]]:
    with world.storage._conn() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            "SELECT seq, status FROM device_outcomes WHERE device_id = ? ORDER BY seq", (device_id,)
        ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


@pytest.mark.parametrize("where", ["request", "response"])
@pytest.mark.parametrize("offset", [0, 40, 400])
def test_a_push_cut_mid_body_is_retried_and_stored_exactly_once(
    net: Net, where: str, offset: int
) -> None:
    vids = [capture(net.store, net.world, "rep1", "rep1-c0", seed=i, photos=0) for i in range(3)]
    field = "cut_request_body_at" if where == "request" else "cut_response_body_at"
    fault = net.proxy.add(Fault(match=b"POST /api/v1/sync/push", **{field: offset}))
    result = net.engine().sync()
    assert fault.fired == 1
    assert result.ok, result
    assert result.pushed == 3
    assert net.sleeps, "the engine backed off before retrying"
    assert set(server_records(net.world, "visit")) == set(vids)
    assert server_outcomes(net.world, net.store.device_id) == [(1, "applied"), (2, "applied"),
                                                               (3, "applied")]  # fmt: skip
    assert net.store.pending_counts()["outbox"] == 0


@pytest.mark.parametrize(
    "fault",
    [
        Fault(match=b"PATCH /api/v1/photos", cut_request_body_at=0),
        Fault(match=b"PATCH /api/v1/photos", cut_request_body_at=1),
        Fault(match=b"PATCH /api/v1/photos", cut_request_body_at=1500),  # mid-chunk
        Fault(match=b"PATCH /api/v1/photos", cut_request_body_at=4095),  # last byte missing
        Fault(match=b"PATCH /api/v1/photos", cut_response_body_at=5),  # applied, answer lost
        Fault(match=b"PATCH /api/v1/photos", cut_request_body_at=700, times=3),
    ],
    ids=["at-0", "at-1", "mid-chunk", "last-byte", "answer-lost", "three-cuts"],
)
def test_a_photo_upload_cut_at_any_byte_resumes_and_completes_with_the_right_hash(
    net: Net, fault: Fault
) -> None:
    vid = capture(net.store, net.world, "rep1", "rep1-c1", seed=3, photos=1)
    net.proxy.add(fault)
    result = net.engine(chunk_size=4096).sync()
    assert fault.fired == fault.times
    assert result.ok, result
    photo = net.store.get_visit(vid).photos[0]
    assert photo.uploaded
    data = net.photo_blob(photo.stored_sha256)
    assert hashlib.sha256(data).hexdigest() == photo.stored_sha256
    assert data == net.store.blobs.get(photo.stored_sha256)
    if fault.cut_response_body_at is None:
        assert result.uploaded_bytes == len(data)  # a cut chunk is sent again, nothing twice
    else:
        assert result.uploaded_bytes == len(data) - 4096  # resumed after the applied chunk


def test_bytes_damaged_in_flight_fail_the_checksum_and_the_upload_starts_again(net: Net) -> None:
    vid = capture(net.store, net.world, "rep1", "rep1-c1", seed=4, photos=1)
    fault = net.proxy.add(Fault(match=b"PATCH /api/v1/photos", corrupt_request_body_at=100))
    result = net.engine(chunk_size=1 << 20).sync()
    assert fault.fired == 1
    assert result.ok, result
    photo = net.store.get_visit(vid).photos[0]
    data = net.photo_blob(photo.stored_sha256)
    assert hashlib.sha256(data).hexdigest() == photo.stored_sha256
    patches = [line for line in net.proxy.request_lines if line.startswith(b"PATCH")]
    assert len(patches) == 2  # sent once damaged (refused by the hash check), once whole
    assert result.uploaded_bytes == len(data)


def test_a_photo_damaged_on_the_phone_is_reported_and_does_not_block_the_others(
    net: Net,
) -> None:
    bad = capture(net.store, net.world, "rep1", "rep1-c1", seed=5, photos=1)
    good = capture(net.store, net.world, "rep1", "rep1-c2", seed=6, photos=1)
    sha = net.store.get_visit(bad).photos[0].stored_sha256
    path = net.store.blobs.path(sha)
    path.write_bytes(b"\x00" + path.read_bytes()[1:])
    result = net.engine().sync()
    assert result.error is not None and "photo" in result.error.message_en
    assert net.store.get_visit(good).photos[0].uploaded
    assert not net.store.get_visit(bad).photos[0].uploaded
    assert net.store.pending_counts() == {"visits": 0, "photos": 1, "outbox": 0}
    assert set(server_records(net.world, "visit")) == {bad, good}


def test_a_503_with_retry_after_is_retried_after_waiting_at_least_that_long(net: Net) -> None:
    capture(net.store, net.world, "rep1", "rep1-c0", seed=8, photos=0)
    net.proxy.add(Fault(match=b"POST /api/v1/sync/push", reply_status=503, retry_after=2, times=2))
    result = net.engine().sync()
    assert result.ok, result
    assert len(net.sleeps) == 2 and all(s >= 2 for s in net.sleeps)


def test_a_server_that_stays_down_ends_the_sync_as_offline_with_bounded_retries(
    net: Net,
) -> None:
    capture(net.store, net.world, "rep1", "rep1-c0", seed=9, photos=0)
    net.proxy.add(Fault(match=b"GET /api/v1/sync/hello", cut_response_body_at=0, times=100))
    result = net.engine(policy=RetryPolicy(attempts=4, base_s=1.0, cap_s=8.0)).sync()
    assert result.error is not None and result.error.kind.value == "offline"
    assert len(net.sleeps) == 3  # four attempts, three waits
    assert all(0 <= s <= min(8.0, 2**i) for i, s in enumerate(net.sleeps))  # full jitter
    assert net.store.pending_counts()["outbox"] == 1
