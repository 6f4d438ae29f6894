"""Demo customers: who they are, where they live, what they like and how they buy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from kunde.demo import _names as names
from kunde.demo._categories import LEAVES, interest_of

__all__ = ["CHANNELS", "CHANNEL_MIX", "INTERESTS", "STORES", "Customers", "make_customers"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

INTERESTS: tuple[str, ...] = tuple(dict.fromkeys(interest_of(leaf.path) for leaf in LEAVES))
"""Every interest (first two levels of a category path), in tree order."""

_INTEREST_POPULARITY = {
    "Kitchen > Coffee": 2.0,
    "Books > Crime": 1.5,
    "Pets > Dog Care": 1.5,
    "Pets > Cat Care": 1.4,
    "Garden > Tools": 1.2,
    "Garden > Plants & Seeds": 1.3,
    "Books > Science Fiction": 1.1,
    "Sports > Running": 1.1,
}

STORES: tuple[tuple[str, str, str], ...] = (
    ("S-BER", "Berlin", "DE"),
    ("S-HAM", "Hamburg", "DE"),
    ("S-MUC", "München", "DE"),
    ("S-KOE", "Köln", "DE"),
    ("S-LON", "London", "GB"),
    ("S-MAN", "Manchester", "GB"),
)
"""(store_id, city, country) of the shop's own stores."""

CHANNELS = ("web", "app", "store", "call_centre")
CHANNEL_MIX = np.array([0.52, 0.27, 0.15, 0.06])
"""Share of orders per channel (web, app, store, call centre) across the shop."""


@dataclass(frozen=True)
class Customers:
    """The customers' profile table and the hidden traits that drive their behaviour."""

    table: pa.Table
    """customer_id, names, salutation, title, language, formality, contact, address."""
    customer_id: list[str]
    country: list[str]
    favourite: BoolArray
    """``favourite[c, i]``: interest ``i`` of :data:`INTERESTS` is one of customer ``c``'s."""
    affinity: FloatArray
    """``affinity[c, i]``: share of ``c``'s own shopping in interest ``i`` (rows sum to 1)."""
    acquired_day: IntArray
    """The day of the first purchase (may lie before the order history starts)."""
    purchase_rate: FloatArray
    """Purchases per (seasonally average) day while alive."""
    dropout: FloatArray
    """Chance of lapsing after each purchase (BG/NBD's p)."""
    channel: IntArray
    """Preferred channel (index into :data:`CHANNELS`)."""
    home_store: IntArray
    """Index into :data:`STORES` of the nearest store of the shop."""
    occasions: IntArray
    """Two days of the year (1..365) on which this customer gives presents (birthdays)."""
    spend: FloatArray
    """Basket size multiplier (Gamma-Gamma style heterogeneity in spend)."""


def _pick(rng: np.random.Generator, words: tuple[str, ...], n: int) -> npt.NDArray[np.str_]:
    return np.array(words)[rng.integers(0, len(words), n)]


def make_customers(
    rng: np.random.Generator, n: int, today_day: int, history_days: int
) -> Customers:
    """Draw ``n`` customers from Germany (about 60 %) and the United Kingdom."""
    german = rng.random(n) < 0.6
    country = np.where(german, "DE", "GB")
    language = np.where(german ^ (rng.random(n) < np.where(german, 0.08, 0.03)), "de", "en")
    gender = np.array(["f", "m", "d"])[rng.choice(3, n, p=[0.49, 0.48, 0.03])]

    given = np.where(
        german,
        np.where(
            gender == "f",
            _pick(rng, names.DE_FEMALE, n),
            np.where(gender == "m", _pick(rng, names.DE_MALE, n), _pick(rng, names.DE_NEUTRAL, n)),
        ),
        np.where(
            gender == "f",
            _pick(rng, names.EN_FEMALE, n),
            np.where(gender == "m", _pick(rng, names.EN_MALE, n), _pick(rng, names.EN_NEUTRAL, n)),
        ),
    )
    family = np.where(german, _pick(rng, names.DE_FAMILY, n), _pick(rng, names.EN_FAMILY, n))
    salutation_de = np.select([gender == "f", gender == "m"], ["Frau", "Herr"], "")
    salutation_en = np.select([gender == "f", gender == "m"], ["Ms", "Mr"], "Mx")
    salutation = np.where(language == "de", salutation_de, salutation_en)
    title_draw = rng.random(n)
    title = np.where(
        title_draw < np.where(german, 0.09, 0.04),
        np.where(german & (title_draw < 0.01), "Prof. Dr.", "Dr."),
        "",
    )
    formal = rng.random(n) < np.where(language == "de", 0.75, 0.35)
    formality = np.where(formal, "formal", "informal")

    customer_id = [f"C{100001 + i}" for i in range(n)]
    email = _emails(rng, given, family, n)
    phone = _phones(rng, german, n)
    street, postal_code, city = _addresses(rng, german, n)

    table = pa.table(
        {
            "customer_id": pa.array(customer_id, pa.string()),
            "given_name": pa.array(given.tolist(), pa.string()),
            "family_name": pa.array(family.tolist(), pa.string()),
            "salutation": _nullable(salutation),
            "title": _nullable(title),
            "gender": pa.array(gender.tolist(), pa.string()),
            "language": pa.array(language.tolist(), pa.string()),
            "formality": pa.array(formality.tolist(), pa.string()),
            "email": pa.array(email, pa.string()),
            "phone": _nullable(phone),
            "country": pa.array(country.tolist(), pa.string()),
            "street": pa.array(street, pa.string()),
            "postal_code": pa.array(postal_code, pa.string()),
            "city": pa.array(city.tolist(), pa.string()),
        }
    )

    favourite, affinity = _interests(rng, n)
    # BG/NBD-like heterogeneity: Gamma purchase rates, Beta drop-out chances
    purchase_rate = rng.gamma(1.2, 1 / 25 / 1.2, n)
    dropout = rng.beta(1.1, 8.0, n)
    # more customers were won recently (the shop grows); some joined before the history starts
    joined = today_day - 1 - history_days * 1.25 * rng.power(0.85, n)
    acquired_day = np.floor(joined).astype(np.int64)

    home_store = _home_store(rng, german, city)
    in_store_city = np.isin(city, [s[1] for s in STORES])
    mix = np.where(in_store_city[:, None], [0.44, 0.24, 0.26, 0.06], CHANNEL_MIX)
    channel = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
    return Customers(
        table=table,
        customer_id=customer_id,
        country=country.tolist(),
        favourite=favourite,
        affinity=affinity,
        acquired_day=acquired_day,
        purchase_rate=purchase_rate,
        dropout=dropout,
        channel=np.minimum(channel, len(CHANNELS) - 1).astype(np.int64),
        home_store=home_store,
        occasions=rng.integers(1, 366, (n, 2)).astype(np.int64),
        spend=rng.gamma(6.0, 1 / 6.0, n),
    )


def _nullable(values: npt.NDArray[np.str_]) -> pa.Array:
    return pa.array([v or None for v in values.tolist()], pa.string())


def _interests(rng: np.random.Generator, n: int) -> tuple[BoolArray, FloatArray]:
    weights = np.array([_INTEREST_POPULARITY.get(i, 1.0) for i in INTERESTS])
    how_many = rng.choice([1, 2, 3], n, p=[0.35, 0.40, 0.25])
    # Gumbel top-k: k distinct interests drawn by weight, vectorised over customers
    keys = np.log(weights) - np.log(-np.log(rng.random((n, len(INTERESTS)))))
    order = np.argsort(-keys, axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(len(INTERESTS))[None, :].repeat(n, 0), axis=1)
    favourite = rank < how_many[:, None]
    affinity = np.where(favourite, rng.gamma(2.0, 1.0, favourite.shape), 0.0)
    affinity /= affinity.sum(axis=1, keepdims=True)
    return favourite, affinity


def _emails(
    rng: np.random.Generator, given: npt.NDArray[np.str_], family: npt.NDArray[np.str_], n: int
) -> list[str]:
    style = rng.integers(0, 4, n)
    year = rng.integers(60, 100, n) % 100
    domain = _pick(rng, names.EMAIL_DOMAINS, n)
    emails: list[str] = []
    seen: set[str] = set()
    for i, (g, f) in enumerate(zip(given.tolist(), family.tolist(), strict=True)):
        g_ascii = g.lower().translate(names.TRANSLITERATION)
        f_ascii = f.lower().translate(names.TRANSLITERATION)
        local = (
            f"{g_ascii}.{f_ascii}",
            f"{g_ascii[0]}.{f_ascii}",
            f"{g_ascii}.{f_ascii}{year[i]:02d}",
            f"{f_ascii}.{g_ascii}",
        )[style[i]]
        email = f"{local}@{domain[i]}"
        if email in seen:
            email = f"{local}.{i + 1}@{domain[i]}"
        seen.add(email)
        emails.append(email)
    return emails


def _phones(rng: np.random.Generator, german: BoolArray, n: int) -> npt.NDArray[np.str_]:
    line = rng.integers(0, 1000, n)
    prefix = _pick(rng, names.DE_PHONE_PREFIXES, n)
    de = np.char.add(np.char.add(prefix, " "), np.char.zfill(line.astype(str), 3))
    uk = np.char.add("+44 7700 900", np.char.zfill(line.astype(str), 3))
    has_phone = rng.random(n) < 0.7
    return np.where(has_phone, np.where(german, de, uk), "")


def _addresses(
    rng: np.random.Generator, german: BoolArray, n: int
) -> tuple[list[str], list[str], npt.NDArray[np.str_]]:
    number = rng.integers(1, 141, n).astype(str)
    number = np.where(rng.random(n) < 0.08, np.char.add(number, "a"), number)
    de_weights = 1.0 / np.arange(1, len(names.DE_CITIES) + 1) ** 0.8
    uk_weights = 1.0 / np.arange(1, len(names.UK_CITIES) + 1) ** 0.8
    de_city = rng.choice(len(names.DE_CITIES), n, p=de_weights / de_weights.sum())
    uk_city = rng.choice(len(names.UK_CITIES), n, p=uk_weights / uk_weights.sum())
    lows = np.array([c[1] for c in names.DE_CITIES])[de_city]
    highs = np.array([c[2] for c in names.DE_CITIES])[de_city]
    de_code = np.char.zfill(
        (lows + (rng.random(n) * (highs - lows + 1)).astype(int)).astype(str), 5
    )
    outward_lists = [c[1] for c in names.UK_CITIES]
    outward = np.array(
        [
            outward_lists[c][k % len(outward_lists[c])]
            for c, k in zip(uk_city, rng.integers(0, 60, n), strict=True)
        ]
    )
    letters = np.array(list(names.UK_INWARD_LETTERS))
    inward = np.char.add(
        np.char.add(rng.integers(1, 10, n).astype(str), letters[rng.integers(0, 20, n)]),
        letters[rng.integers(0, 20, n)],
    )
    uk_code = np.char.add(np.char.add(outward, " "), inward)
    de_street = np.char.add(np.char.add(_pick(rng, names.DE_STREETS, n), " "), number)
    uk_street = np.char.add(np.char.add(number, " "), _pick(rng, names.UK_STREETS, n))
    city = np.where(
        german,
        np.array([c[0] for c in names.DE_CITIES])[de_city],
        np.array([c[0] for c in names.UK_CITIES])[uk_city],
    )
    street = np.where(german, de_street, uk_street).tolist()
    postal_code = np.where(german, de_code, uk_code).tolist()
    return street, postal_code, city


def _home_store(
    rng: np.random.Generator, german: BoolArray, city: npt.NDArray[np.str_]
) -> IntArray:
    store_city = np.array([s[1] for s in STORES])
    de_stores = np.flatnonzero(np.array([s[2] for s in STORES]) == "DE")
    uk_stores = np.flatnonzero(np.array([s[2] for s in STORES]) == "GB")
    fallback = np.where(
        german,
        de_stores[rng.integers(0, de_stores.size, city.size)],
        uk_stores[rng.integers(0, uk_stores.size, city.size)],
    )
    match = city[:, None] == store_city[None, :]
    return np.where(match.any(axis=1), match.argmax(axis=1), fallback).astype(np.int64)
