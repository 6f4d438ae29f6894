"""The engine's methods for the customer's rights: tokens, self-service, export, erasure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from kunde._engine import self_service
from kunde.config import Settings
from kunde.errors import NotFittedError, NotFoundError
from kunde.privacy import Actor, CustomerToken, erased_mask
from kunde.store import Store

__all__ = ["RightsFacade"]


class RightsFacade:
    """Mixin of :class:`~kunde.engine.Engine`: customer tokens, ``/v1/me``, export, erasure."""

    store: Store
    settings: Settings

    def issue_customer_token(
        self, actor: Actor, customer_id: str, ttl_seconds: int | None = None
    ) -> CustomerToken:
        """Issue a signed token with which the customer reads and changes only their own data.

        Raises:
            InvalidFieldError: lifetime outside 60 s .. KUNDE_CUSTOMER_TOKEN_MAX_TTL_SECONDS.
            NotFoundError: unknown customer.
        """
        return self_service.issue_token(self.store, self.settings, actor, customer_id, ttl_seconds)

    def customer_from_token(self, token: str) -> str:
        """The customer id a valid customer token belongs to.

        Raises:
            AuthenticationError: not a customer token, tampered or expired.
            NotFoundError: the customer was erased since.
        """
        return self_service.customer_from_token(self.store, self.settings, token)

    def revoke_customer_tokens(self, actor: Actor, customer_id: str) -> datetime:
        """Revoke every customer token issued to the customer so far (audited); tokens issued
        afterwards work. Returns the moment of revocation.

        Raises:
            NotFoundError: unknown customer.
        """
        return self_service.revoke_tokens(self.store, actor, customer_id)

    def revoke_own_token(self, actor: Actor, token: str) -> None:
        """The customer ends the session of ``token`` (audited with the customer as actor).

        Raises:
            AuthenticationError: the token is not valid (any more).
        """
        self_service.revoke_own_token(self.store, self.settings, actor, token)

    def purchase_interests(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's interests per category from their own non-gift purchases, strongest
        first; what ``/v1/me`` shows while no recommendation model has been trained."""
        return self_service.interests(self.store, customer_id)

    def _inferred_interests(self, customer_id: str) -> list[dict[str, Any]]:
        """What the recommender believes (resets and removals applied), else the purchases'."""
        from kunde._engine.recommend_facade import RecommendFacade

        if isinstance(self, RecommendFacade):
            try:
                view = self.interests(customer_id)
            except NotFittedError:
                pass
            else:
                return [
                    {
                        "category": item["category"],
                        "interest": item["weight"],
                        "because_you_bought": item["because_you_bought"],
                    }
                    for item in view["interests"]
                ]
        return self.purchase_interests(customer_id)

    def _export_value(self, customer_id: str) -> dict[str, Any] | None:
        """The customer's value prediction for the export, when the models are fitted."""
        from kunde._engine.value_facade import ValueFacade

        if not isinstance(self, ValueFacade):
            return None
        if not (self.settings.data_dir / "models" / "value").is_dir():
            return None  # never fitted: spare the import of scipy (seconds on a cold start)
        try:
            return self.customer_value(customer_id)
        except (NotFittedError, NotFoundError):
            return None

    def me(self, customer_id: str) -> dict[str, Any]:
        """What kunde stores about the customer, why, for how long; consents, interests,
        payment methods.

        Raises:
            NotFoundError: unknown customer.
        """
        return self_service.me(self.store, customer_id, self._inferred_interests(customer_id))

    def update_me(
        self, actor: Actor, customer_id: str, changes: Mapping[str, Any]
    ) -> dict[str, object]:
        """Change some profile or preference fields (the others stay); audited.

        Raises:
            NotFoundError: unknown customer.
        """
        return self_service.update_me(self.store, actor, customer_id, changes)

    def export_customer(self, actor: Actor, customer_id: str, target: IO[bytes]) -> dict[str, int]:
        """Write all of the customer's personal data as a zip to ``target``; audited.

        Raises:
            NotFoundError: unknown customer.
        """
        from kunde._engine.export import export_customer

        return export_customer(
            self.store, actor, customer_id, target, value=self._export_value(customer_id)
        )

    def erase_customer(
        self, actor: Actor, customer_id: str, *, vacuum: bool = False
    ) -> dict[str, Any]:
        """Erase the customer from every table, file and log kunde keeps (see
        :mod:`kunde._engine.erasure`); afterwards the customer is unknown everywhere.

        Raises:
            NotFoundError: unknown customer.
        """
        from kunde._engine.erasure import erase_customer

        result = erase_customer(self.store, self.settings, actor, customer_id, vacuum=vacuum)
        for hook in self._erasure_hooks():
            hook(customer_id)
        return result

    def _erasure_hooks(self) -> list[Callable[[str], None]]:
        hooks: list[Callable[[str], None]] = self.__dict__.setdefault("_erasure_hook_list", [])
        return hooks

    def add_erasure_hook(self, hook: Callable[[str], None]) -> None:
        """Have ``hook(customer_id)`` called after every erasure through this engine, so that an
        in-memory cache drops what it holds of the customer.

        A hook reaches only this process: caches shared by several workers must also check
        :meth:`erased_mask` or a data version.
        """
        self._erasure_hooks().append(hook)

    def erased_mask(self, customer_ids: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Which customers models must leave out at the next train: erased customers (the
        erasure register) and the pseudonyms of order lines kept only for bookkeeping."""
        return erased_mask(self.settings.secret_key, customer_ids, self.store.rights.register())
