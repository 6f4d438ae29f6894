"""The identity graph and the timeline on :class:`~kunde.engine.Engine` (a mixin)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from kunde._engine import identity, timeline
from kunde.config import Settings
from kunde.identity import IdentifyIn, Resolution
from kunde.privacy import Actor
from kunde.store import Store

__all__ = ["IdentityFacade"]


class IdentityFacade:
    """Identify, merge, unmerge, resolve customer ids to profiles, and the timeline."""

    store: Store
    settings: Settings

    def identify(self, actor: Actor, request: IdentifyIn) -> dict[str, Any]:
        """Link identifiers to a customer; merge profiles that share one (audited).

        An identifier of a merging kind already linked to another profile merges that profile
        into the customer's, except through an identifier already linked to more than
        ``settings.identity_max_profiles`` customers (shared-device guard) or between profiles
        whose merge was undone; such refusals are listed with their reason.

        Returns:
            ``{customer_id, profile_id, linked, already_linked, merged, refused}``.

        Raises:
            InvalidFieldError: an identifier is not of its kind's shape.
        """
        return identity.identify(self.store, self.settings, actor, request)

    def undo_merge(self, actor: Actor, merge_id: int) -> dict[str, Any]:
        """Undo a merge (audited): both profiles and their histories are apart again.

        Raises:
            NotFoundError: unknown merge.
            ConflictError: already undone.
        """
        return identity.undo_merge(self.store, actor, merge_id)

    def resolve_customers(
        self, customer_ids: Iterable[str] | npt.ArrayLike
    ) -> npt.NDArray[np.object_]:
        """The profile id of each customer id: merged customers map to one id.

        One query over the active merges, then vectorised (``searchsorted``): call it once per
        batch, e.g. to group purchase histories per person before fitting value models or
        building recommendation interactions.
        """
        return identity.resolve_customers(self.store, customer_ids)

    def identity_resolution(self) -> Resolution:
        """The current :class:`~kunde.identity.Resolution` (for many lookups; one query)."""
        return identity.resolution(self.store)

    def customer_profile(self, customer_id: str) -> dict[str, object]:
        """One customer seen through merges: own fields, the profile's identifiers, merges and
        purchase summary (see :func:`kunde._engine.identity.customer_with_profile`).

        Raises:
            NotFoundError: unknown customer.
        """
        return identity.customer_with_profile(self.store, customer_id)

    def timeline(
        self,
        customer_id: str,
        *,
        touchpoint: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> dict[str, Any]:
        """A page of the customer's timeline across touchpoints, newest first, with phases.

        Raises:
            NotFoundError: unknown customer.
            InvalidFieldError: bad cursor, limit or window.
        """
        return timeline.timeline(
            self.store,
            customer_id,
            touchpoint=touchpoint,
            since=since,
            until=until,
            cursor=cursor,
            limit=limit,
        )
