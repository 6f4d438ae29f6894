"""The data inventory: what kunde stores about a customer, why, what it brings them, how long.

It is what ``GET /v1/me`` shows the customer and what the export's ``README.txt`` explains, so
every sentence is written for the customer, in plain words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["DATA_INVENTORY", "DataCategory", "data_inventory"]


@dataclass(frozen=True)
class DataCategory:
    """One kind of personal data kunde keeps."""

    category: str
    """Short name, also the export file that holds it."""
    what: str
    """What exactly is stored."""
    purpose: str
    """Why the shop keeps it (the consent purpose, where one is needed)."""
    benefit: str
    """What it brings the customer."""
    retention: str
    """How long it is kept."""


DATA_INVENTORY: tuple[DataCategory, ...] = (
    DataCategory(
        "profile",
        "Your name, salutation, title, language, e-mail address, phone number, country and "
        "delivery and billing addresses.",
        "To deliver your orders, send invoices and address you the way you prefer (contract).",
        "You are addressed correctly and do not have to type your details at every order.",
        "As long as you have a customer account; removed when you ask for erasure.",
    ),
    DataCategory(
        "preferences",
        "How you want to be contacted on each channel (allowed, preferred, how often).",
        "To respect your choices in every message (contract).",
        "You hear from the shop only where and as often as you want.",
        "As long as you have a customer account; you can change them at any time.",
    ),
    DataCategory(
        "identifiers",
        "Identifiers linked to you: customer number, e-mail, app device, loyalty card, and "
        "browser ids from before you logged in.",
        "To recognise you in the web shop, the app and the store (contract).",
        "Your cart, history and preferences follow you across devices and stores.",
        "As long as you have a customer account.",
    ),
    DataCategory(
        "orders",
        "What you bought and returned: products, quantities, prices, dates, channel and store.",
        "To fulfil orders and returns, and for bookkeeping as the law requires.",
        "Returns, warranty and invoices work without you keeping receipts.",
        "Bookkeeping records: 10 years (German commercial and tax law), without your name "
        "after an erasure; everything else until you ask for erasure.",
    ),
    DataCategory(
        "events",
        "What you viewed, searched and put in your cart in the web shop and app, and store visits.",
        "Personalisation and analytics, only with your consent for each.",
        "Recommendations that fit what you were looking for.",
        "Until you ask for erasure; not used for a purpose you did not consent to.",
    ),
    DataCategory(
        "interests",
        "Interests inferred from your own purchases (never from gifts you bought for others).",
        "Personalisation, only with your consent.",
        "You see products from categories you care about first, and each says why.",
        "Recomputed from your purchases; you can reset them; removed with an erasure.",
    ),
    DataCategory(
        "consents",
        "Each consent you gave or withdrew, with the policy version, where and when.",
        "To prove what you agreed to and to respect it (legal obligation).",
        "Your choices are followed everywhere and you can see each of them.",
        "As long as you have a customer account; removed with an erasure.",
    ),
    DataCategory(
        "payment_methods",
        "Tokens of your saved payment methods issued by the payment provider, with the last "
        "four digits and expiry; never the card number itself.",
        "Faster checkout (contract).",
        "You pay without typing your payment details again.",
        "Until you remove them or ask for erasure.",
    ),
    DataCategory(
        "value",
        "A prediction of how likely you are to buy again and your customer segment.",
        "To plan service and offers (legitimate interest); never shown to other customers.",
        "Offers and service that fit how you shop.",
        "Recomputed regularly from your purchases; removed with an erasure.",
    ),
    DataCategory(
        "audit",
        "Who at the shop looked at or changed your data, when and why.",
        "Accountability for every access to your data (legal obligation).",
        "You and the shop can check that your data was used properly.",
        "As long as your data is kept; after an erasure without anything that names you.",
    ),
)
"""Every kind of personal data kunde keeps about a customer."""


def data_inventory() -> list[dict[str, str]]:
    """The inventory as plain dicts (for JSON answers and the export)."""
    return [asdict(category) for category in DATA_INVENTORY]
