"""Properties of identify, merge and unmerge on a real store (SQLite).

Each example works on its own customer ids (a fresh prefix), so one database serves them all.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kunde.engine import Engine
from kunde.identity import EventIn, IdentifierIn, IdentifierKind, IdentifyIn
from kunde.privacy import Actor

ADMIN = Actor(key_id=None, role="admin")
KINDS = [IdentifierKind.EMAIL, IdentifierKind.DEVICE_ID, IdentifierKind.ANONYMOUS_ID]
_examples = itertools.count()

# (customer index, identifier index) pairs: who was seen with what.
programs = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), min_size=1, max_size=14)
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class World:
    """One example's customers and identifiers on the shared engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.prefix = f"x{next(_examples)}-"
        self.customers = [f"{self.prefix}c{i}" for i in range(6)]

    def identifier(self, index: int) -> IdentifierIn:
        kind = KINDS[index % len(KINDS)]
        value = f"{self.prefix}id{index}" + ("@example.de" if kind is IdentifierKind.EMAIL else "")
        return IdentifierIn(kind=kind, value=value)

    def identify(self, customer: int, identifier: int) -> dict:  # type: ignore[type-arg]
        request = IdentifyIn(
            customer_id=self.customers[customer], identifiers=[self.identifier(identifier)]
        )
        return self.engine.identify(ADMIN, request)

    def resolution(self) -> list[str]:
        return self.engine.resolve_customers(self.customers).tolist()

    def link_count(self, identifier: int) -> int:
        given = self.identifier(identifier)
        return len(self.engine.store.identity.links([_normal(given)]).get(_normal(given), []))


def _normal(given: IdentifierIn):  # type: ignore[no-untyped-def]
    from kunde.identity import Identifier, normalise_identifier

    return Identifier(kind=given.kind, value=normalise_identifier(given.kind, given.value))


@SETTINGS
@given(programs, st.tuples(st.integers(0, 5), st.integers(0, 3)))
def test_merge_then_unmerge_restores_every_resolution(
    engine: Engine, program: list[tuple[int, int]], last: tuple[int, int]
) -> None:
    world = World(engine)
    for customer, identifier in program:
        world.identify(customer, identifier)
    before = world.resolution()
    made = world.identify(*last)["merged"]
    for merge in reversed(made):
        engine.undo_merge(ADMIN, merge["merge_id"])
    assert world.resolution() == before


@SETTINGS
@given(programs, st.integers(1, 3))
def test_no_merge_through_an_identifier_linked_to_more_than_the_limit(
    engine: Engine, program: list[tuple[int, int]], limit: int
) -> None:
    engine.settings.identity_max_profiles = limit
    world = World(engine)
    for customer, identifier in program:
        linked_before = world.link_count(identifier)
        result = world.identify(customer, identifier)
        if linked_before > limit:
            assert result["merged"] == []
        for refusal in result["refused"]:
            assert refusal["reason"] in ("shared_identifier", "merge_undone")
            if refusal["reason"] == "shared_identifier":
                assert linked_before > limit


@SETTINGS
@given(programs)
def test_identify_is_idempotent(engine: Engine, program: list[tuple[int, int]]) -> None:
    world = World(engine)
    for customer, identifier in program:
        world.identify(customer, identifier)
        state = world.resolution()
        again = world.identify(customer, identifier)
        assert again["linked"] == [] and again["merged"] == []
        assert world.resolution() == state


@SETTINGS
@given(st.integers(1, 5), st.booleans())
def test_stitched_events_join_the_timeline_and_leave_it_on_unmerge(
    engine: Engine, n_events: int, via_device: bool
) -> None:
    world = World(engine)
    anon = f"{world.prefix}cookie"
    at = datetime(2026, 6, 1, 9)
    engine.add_events(
        [
            EventIn(
                event_id=f"{world.prefix}e{i}",
                occurred_at=at + timedelta(minutes=i),
                type="page_view",
                touchpoint="app" if via_device else "web",
                **(
                    {"device_id": anon, "anonymous_id": f"{world.prefix}s{i}"}
                    if via_device
                    else {"anonymous_id": anon}
                ),
            )
            for i in range(n_events)
        ]
    )
    kind = IdentifierKind.DEVICE_ID if via_device else IdentifierKind.ANONYMOUS_ID
    absorbed, survivor = world.customers[1], world.customers[0]
    engine.identify(
        ADMIN, IdentifyIn(customer_id=absorbed, identifiers=[IdentifierIn(kind=kind, value=anon)])
    )
    stitched = {f"{world.prefix}e{i}" for i in range(n_events)}
    assert _event_ids(engine, absorbed) == stitched
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value=f"{world.prefix}p@example.de")
    engine.identify(ADMIN, IdentifyIn(customer_id=absorbed, identifiers=[email]))
    (merge,) = engine.identify(ADMIN, IdentifyIn(customer_id=survivor, identifiers=[email]))[
        "merged"
    ]
    assert _event_ids(engine, survivor) == stitched
    engine.undo_merge(ADMIN, merge["merge_id"])
    assert _event_ids(engine, survivor) == set()
    assert _event_ids(engine, absorbed) == stitched


def _event_ids(engine: Engine, customer_id: str) -> set[str]:
    page = engine.timeline(customer_id, limit=500)
    return {i["id"] for i in page["items"] if i["kind"] == "event"}


def test_resolution_is_vectorised_over_numpy_arrays(engine: Engine) -> None:
    world = World(engine)
    world.identify(0, 0)
    world.identify(1, 0)
    ids = np.array(world.customers * 1000)
    resolved = engine.resolve_customers(ids)
    assert resolved.shape == ids.shape
    # the customer of the later request survives
    assert set(resolved[ids == world.customers[0]].tolist()) == {world.customers[1]}
    assert set(resolved[ids == world.customers[2]].tolist()) == {world.customers[2]}
