"""The identity graph: which customer ids are one person, and what linking an identifier does.

Merges are non-destructive. Every stored row keeps the customer id it was written with; a merge
is an edge *absorbed -> survivor* between two profiles, and a customer id *resolves* to its
profile by following the active (not undone) edges to a root. Undoing a merge removes its edge,
so both profiles and their histories come back exactly as they were.

Merges only ever join two roots, so every id has at most one active outgoing edge and the
edges form a forest (no cycles): resolution is well defined.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from kunde.identity._identifiers import MERGING_KINDS, Identifier

__all__ = ["IdentifyPlan", "Merge", "Refusal", "Resolution", "plan_identify"]

ObjectArray = npt.NDArray[np.object_]


class Resolution:
    """Maps customer ids to their profile id through the active merges.

    Lookups are hash joins over Arrow string arrays (:func:`pyarrow.compute.index_in`), so a
    batch of a million ids resolves without a Python loop over them.

    Args:
        absorbed: the absorbed customer id of each active merge.
        survivor: the surviving customer id of each active merge (same length).

    Ids that were never absorbed are their own profile.
    """

    def __init__(self, absorbed: Sequence[str], survivor: Sequence[str]) -> None:
        if len(absorbed) != len(survivor):
            raise ValueError("absorbed and survivor must have the same length")
        child = pa.array(absorbed, pa.string())
        parent = pa.array(survivor, pa.string())
        if len(pc.unique(child)) != len(child):
            raise ValueError("a customer id is absorbed by two active merges")
        # Pointer jumping: each pass replaces a parent by its own parent (depth halves).
        for _ in range(64):
            jumped = self._lookup(child, parent, parent)
            if jumped.equals(parent):
                break
            parent = jumped
        else:  # pragma: no cover - merges only join roots, so there is no cycle to follow
            raise ValueError("the merges form a cycle")
        self._absorbed: pa.Array = child
        self._profile: pa.Array = parent

    @staticmethod
    def _lookup(keys: pa.Array, values: pa.Array, ids: pa.Array) -> pa.Array:
        if not len(keys) or not len(ids):
            return ids
        at = pc.index_in(ids, value_set=keys)
        return pc.coalesce(pc.take(values, at), ids)

    @property
    def absorbed(self) -> frozenset[str]:
        """Every customer id that is currently part of another profile."""
        return frozenset(self._absorbed.to_pylist())

    def resolve(self, customer_ids: Iterable[str] | npt.ArrayLike) -> ObjectArray:
        """The profile id of each customer id (vectorised; unknown ids map to themselves).

        Returns:
            An object array of ``str``, as long as ``customer_ids``.
        """
        if isinstance(customer_ids, np.ndarray):
            given = customer_ids.astype(object)
        else:
            given = np.asarray(list(customer_ids), dtype=object)  # type: ignore[arg-type]
        if not len(self._absorbed) or not len(given):
            return given
        at = pc.index_in(pa.array(given, pa.string()), value_set=self._absorbed)
        # Only the absorbed ids change: new strings are made for those alone.
        hit = np.asarray(pc.is_valid(at).to_numpy(zero_copy_only=False), dtype=bool)
        found = pc.take(self._profile, pc.drop_null(at))
        given[hit] = found.to_numpy(zero_copy_only=False)
        return given

    def profile_of(self, customer_id: str) -> str:
        """The profile id of one customer id."""
        return str(self.resolve([customer_id])[0])

    def members(self, customer_id: str) -> list[str]:
        """Every customer id of ``customer_id``'s profile, the profile id first, then sorted."""
        profile = self.profile_of(customer_id)
        if not len(self._absorbed):
            return [profile]
        others = self._absorbed.filter(pc.equal(self._profile, profile)).to_pylist()
        return [profile, *sorted(others)]


@dataclass(frozen=True)
class Merge:
    """A merge to make: ``absorbed``'s profile becomes part of ``survivor``'s."""

    survivor: str
    absorbed: str
    identifier: Identifier
    """The identifier both profiles share."""


@dataclass(frozen=True)
class Refusal:
    """A merge that was not made, and why."""

    identifier: Identifier
    customer_id: str
    """The other profile the identifier is linked to."""
    reason: str
    """``shared_identifier`` (the shared-device guard) or ``merge_undone``."""
    message: str


@dataclass(frozen=True)
class IdentifyPlan:
    """What linking identifiers to a customer does (see :func:`plan_identify`)."""

    customer_id: str
    new_links: list[Identifier] = field(default_factory=list)
    """Identifiers not yet linked to ``customer_id``."""
    already_linked: list[Identifier] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def plan_identify(
    customer_id: str,
    identifiers: Sequence[Identifier],
    links: Mapping[Identifier, Collection[str]],
    resolution: Resolution,
    undone: Collection[tuple[str, str]],
    max_profiles: int,
) -> IdentifyPlan:
    """Decide which links and merges linking ``identifiers`` to ``customer_id`` makes.

    Every identifier is linked to ``customer_id`` (recorded even when it does not merge). An
    identifier of a :data:`~kunde.identity.MERGING_KINDS` kind that is already linked to
    another profile merges that profile into ``customer_id``'s (which survives), unless:

    * **shared-device guard**: the identifier is already linked (before this call) to more
      than ``max_profiles`` customer ids: a shared tablet, a family e-mail address; or
    * **undone before**: a merge between a customer id of one profile and one of the other
      was undone; an undone merge is not made again automatically.

    Args:
        customer_id: the customer the identifiers belong to.
        identifiers: normalised identifiers (duplicates are ignored).
        links: for each identifier, the customer ids it is linked to now.
        resolution: the current resolution of customer ids to profiles.
        undone: ``(survivor, absorbed)`` of every undone merge.
        max_profiles: the shared-device guard's limit.

    Returns:
        The plan; merges are listed in the order they are to be made.
    """
    plan = IdentifyPlan(customer_id)
    blocked = {frozenset(pair) for pair in undone}
    merged: dict[str, str] = {}  # absorbed profile -> survivor, made by this plan

    def profile(cid: str) -> str:
        root = resolution.profile_of(cid)
        while root in merged:
            root = merged[root]
        return root

    def members(root: str) -> set[str]:
        found = {m for r, s in merged.items() if profile(r) == root for m in resolution.members(r)}
        return found | set(resolution.members(root))

    for identifier in dict.fromkeys(identifiers):
        linked = set(links.get(identifier, ()))
        (plan.already_linked if customer_id in linked else plan.new_links).append(identifier)
        if identifier.kind not in MERGING_KINDS:
            continue
        for other in sorted(linked - {customer_id}):
            survivor, absorbed = profile(customer_id), profile(other)
            if survivor == absorbed:
                continue
            if len(linked) > max_profiles:
                plan.refusals.append(
                    Refusal(
                        identifier,
                        other,
                        "shared_identifier",
                        f"the {identifier.kind.value} is linked to {len(linked)} customers, more "
                        f"than the limit of {max_profiles}: it is shared and does not merge",
                    )
                )
                continue
            ours, theirs = members(survivor), members(absorbed)
            if any(len(pair & ours) == 1 and len(pair & theirs) == 1 for pair in blocked):
                plan.refusals.append(
                    Refusal(
                        identifier,
                        other,
                        "merge_undone",
                        "a merge of these profiles was undone; it is not made again automatically",
                    )
                )
                continue
            merged[absorbed] = survivor
            plan.merges.append(Merge(survivor, absorbed, identifier))
    return plan
