"""Hypothesis state machine: random offline work and faulty syncs on three devices.

After every step: no acknowledged write is missing from the server, the server holds no visit
nobody captured, and committed pull cursors never go back. At the end: faults off, everyone
syncs, and convergence, exactly-once, photo verification and visible conflicts are checked.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.sim.faults import FaultPlan
from tests.sim.harness import make_world, server_records
from tests.sim.model import EDITABLE, Device, check_invariants, settle

DEVICES = (("rep1-phone", "rep1"), ("rep1-tablet", "rep1"), ("rep2-phone", "rep2"))
device_index = st.integers(min_value=0, max_value=len(DEVICES) - 1)


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="fl-stateful-"))
        self.world = make_world(self.root, customers_per_rep=2)
        self.devices: list[Device] = []
        for name, user in DEVICES:
            plan = FaultPlan(random.Random(len(self.devices)))
            plan.enabled = False
            device = Device(name, user, self.root / f"{name}.db", self.world, plan)
            device.sync()
            plan.enabled = True
            self.devices.append(device)

    @rule(i=device_index, seed=st.integers(0, 10**6))
    def capture_a_visit(self, i: int, seed: int) -> None:
        self.devices[i].capture(random.Random(seed))

    @rule(i=device_index, seed=st.integers(0, 10**6))
    def void_a_visit(self, i: int, seed: int) -> None:
        self.devices[i].void(random.Random(seed))

    @rule(i=device_index, k=st.integers(0, 1), name=st.sampled_from(sorted(EDITABLE)),
          value=st.integers(0, 2))  # fmt: skip
    def edit_a_customer(self, i: int, k: int, name: str, value: int) -> None:
        d = self.devices[i]
        customers = d.my_customers()
        if not customers:
            return
        cid = customers[k % len(customers)]
        new = EDITABLE[name][value]
        if d.store.get_customer(cid).model_dump(mode="json")[name] != new:
            d.store.edit_customer(cid, {name: new})

    @rule(i=device_index, fault_seed=st.integers(0, 10**6))
    def sync_through_faults(self, i: int, fault_seed: int) -> None:
        d = self.devices[i]
        d.plan.rng.seed(fault_seed)
        d.sync()

    @invariant()
    def acknowledged_visits_are_on_the_server_and_nothing_else_is(self) -> None:
        on_server = set(server_records(self.world, "visit"))
        captured = set().union(*(d.captured for d in self.devices))
        assert on_server <= captured
        for d in self.devices:
            acked = {
                e.record_id
                for e in d.store.outbox_entries()
                if e.record_type == "visit" and e.acked_at is not None
            }
            assert acked <= on_server, d.name

    @invariant()
    def committed_cursors_never_go_back(self) -> None:
        for d in self.devices:
            assert d.cursors == sorted(d.cursors), d.name

    def teardown(self) -> None:
        try:
            if self.devices:
                settle(self.devices)
                check_invariants(self.world, self.devices)
        finally:
            for d in self.devices:
                d.store.close()
            shutil.rmtree(self.root, ignore_errors=True)


SyncMachine.TestCase.settings = settings(
    max_examples=6,
    stateful_step_count=14,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_sync_machine = SyncMachine.TestCase
