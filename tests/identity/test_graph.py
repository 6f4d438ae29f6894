"""The identity graph: resolution through merges and what identify plans."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.identity import Identifier, IdentifierKind, Resolution, plan_identify

EMAIL = Identifier(kind=IdentifierKind.EMAIL, value="anna@example.de")
DEVICE = Identifier(kind=IdentifierKind.DEVICE_ID, value="tablet-1")
ORDER = Identifier(kind=IdentifierKind.ORDER_ID, value="O-1")


def test_resolution_follows_chains_of_merges() -> None:
    resolution = Resolution(["a", "b", "d"], ["b", "c", "c"])
    assert resolution.resolve(["a", "b", "c", "d", "x"]).tolist() == ["c", "c", "c", "c", "x"]
    assert resolution.members("a") == ["c", "a", "b", "d"]
    assert resolution.members("x") == ["x"]


def test_resolution_refuses_an_id_absorbed_twice() -> None:
    with pytest.raises(ValueError, match="absorbed by two"):
        Resolution(["a", "a"], ["b", "c"])


def test_resolution_of_nothing_is_identity() -> None:
    assert Resolution([], []).resolve(np.array(["p", "q"])).tolist() == ["p", "q"]


def test_an_identifier_of_another_profile_merges_it_into_the_customer() -> None:
    plan = plan_identify("c1", [EMAIL], {EMAIL: ["c2"]}, Resolution([], []), [], 3)
    assert plan.new_links == [EMAIL]
    assert [(m.survivor, m.absorbed) for m in plan.merges] == [("c1", "c2")]
    assert plan.refusals == []


def test_order_ids_link_but_never_merge() -> None:
    plan = plan_identify("c1", [ORDER], {ORDER: ["c2"]}, Resolution([], []), [], 3)
    assert plan.new_links == [ORDER] and plan.merges == [] and plan.refusals == []


def test_shared_device_guard_refuses_an_identifier_linked_to_more_than_the_limit() -> None:
    links = {DEVICE: ["c2", "c3", "c4", "c5"]}
    plan = plan_identify("c1", [DEVICE], links, Resolution([], []), [], 3)
    assert plan.merges == []
    assert {r.customer_id for r in plan.refusals} == {"c2", "c3", "c4", "c5"}
    assert {r.reason for r in plan.refusals} == {"shared_identifier"}
    assert plan.new_links == [DEVICE]  # still recorded


def test_at_the_limit_the_identifier_still_merges() -> None:
    links = {DEVICE: ["c2", "c3", "c4"]}
    plan = plan_identify("c1", [DEVICE], links, Resolution([], []), [], 3)
    assert [m.absorbed for m in plan.merges] == ["c2", "c3", "c4"]


def test_an_undone_merge_is_not_made_again() -> None:
    plan = plan_identify(
        "c1", [EMAIL], {EMAIL: ["c1", "c2"]}, Resolution([], []), [("c1", "c2")], 3
    )
    assert plan.merges == []
    assert [r.reason for r in plan.refusals] == ["merge_undone"]
    assert plan.already_linked == [EMAIL]


def test_profiles_already_one_are_not_merged_again() -> None:
    resolution = Resolution(["c2"], ["c1"])
    plan = plan_identify("c1", [EMAIL], {EMAIL: ["c2"]}, resolution, [], 3)
    assert plan.merges == [] and plan.refusals == []


def test_merges_join_roots_so_the_absorbed_side_is_a_profile() -> None:
    resolution = Resolution(["c3"], ["c2"])  # c3 is part of c2's profile
    plan = plan_identify("c1", [EMAIL], {EMAIL: ["c3"]}, resolution, [], 3)
    assert [(m.survivor, m.absorbed) for m in plan.merges] == [("c1", "c2")]


def test_two_shared_profiles_whose_merge_was_undone_stay_apart() -> None:
    links = {EMAIL: ["c2", "c3"]}
    plan = plan_identify("c1", [EMAIL], links, Resolution([], []), [("c2", "c3")], 3)
    assert [m.absorbed for m in plan.merges] == ["c2"]
    assert [(r.customer_id, r.reason) for r in plan.refusals] == [("c3", "merge_undone")]


ids = st.sampled_from([f"c{i}" for i in range(6)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ids, ids), max_size=12))
def test_merging_only_roots_keeps_a_forest_and_resolution_is_a_projection(
    pairs: list[tuple[str, str]],
) -> None:
    absorbed: list[str] = []
    survivor: list[str] = []
    for a, b in pairs:
        resolution = Resolution(absorbed, survivor)
        ra, rb = resolution.profile_of(a), resolution.profile_of(b)
        if ra != rb:
            absorbed.append(rb)
            survivor.append(ra)
    resolution = Resolution(absorbed, survivor)
    everyone = np.array([f"c{i}" for i in range(6)])
    once = resolution.resolve(everyone)
    assert resolution.resolve(once).tolist() == once.tolist()
    for profile in set(once.tolist()):
        assert sorted(resolution.members(profile)) == sorted(everyone[once == profile].tolist())
