"""The purposes a customer can consent to, each with what it is for and what it brings them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["PURPOSE_DESCRIPTIONS", "Purpose"]


class Purpose(StrEnum):
    """A purpose for which kunde may use personal data, only with the customer's consent.

    Without a recorded grant a purpose counts as not consented (opt-in, GDPR Art. 6(1)(a)),
    except where kunde relies on the shop's legitimate interest (Art. 6(1)(f)): per-customer
    value scoring is done by default and stops when the customer withdraws ``analytics``
    (an objection, Art. 21).
    """

    PERSONALIZATION = "personalization"
    """Recommendations and pages based on the customer's own purchases and behaviour."""
    EMAIL_MARKETING = "email_marketing"
    """Newsletters and offers by e-mail."""
    POSTAL_MARKETING = "postal_marketing"
    """Catalogues and offers by letter."""
    SMS = "sms"
    """Offers and reminders by text message."""
    PUSH = "push"
    """Push notifications of the shop's app."""
    LOCATION_OFFERS = "location_offers"
    """Offers that use where the customer is (e.g. near a store)."""
    ANALYTICS = "analytics"
    """Using the customer's behaviour in (non-anonymous) analyses; per-customer value scoring
    runs on legitimate interest until the customer withdraws this (an objection)."""


PURPOSE_DESCRIPTIONS: Mapping[Purpose, str] = {
    Purpose.PERSONALIZATION: (
        "Recommendations based on your purchases and visits, so that you see what suits you."
    ),
    Purpose.EMAIL_MARKETING: "News and offers by e-mail.",
    Purpose.POSTAL_MARKETING: "Catalogues and offers by post.",
    Purpose.SMS: "Offers and reminders by text message.",
    Purpose.PUSH: "Notifications in the shop's app.",
    Purpose.LOCATION_OFFERS: "Offers from stores near you, using your location.",
    Purpose.ANALYTICS: (
        "Analyses of how you use the shop, to improve it, and estimates of your future "
        "purchases; withdraw it to object to being valued."
    ),
}
"""What each purpose is for and what it brings the customer, in plain words."""
