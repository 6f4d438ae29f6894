"""Demo customers: German and English, with proper forms of address."""

from __future__ import annotations

from collections import defaultdict

from kunde.demo import DemoShop


def test_customers_are_german_and_english_with_proper_address_forms(shop: DemoShop) -> None:
    rows = shop.customers.to_pylist()
    assert {r["country"] for r in rows} == {"DE", "GB"}
    assert {r["language"] for r in rows} == {"de", "en"}
    assert {r["formality"] for r in rows} == {"formal", "informal"}
    by_language = defaultdict(set)
    for r in rows:
        by_language[r["language"]].add(r["salutation"])
    assert by_language["de"] <= {"Frau", "Herr", None}
    assert {"Frau", "Herr"} <= by_language["de"]
    assert by_language["en"] <= {"Ms", "Mr", "Mx"}
    assert {"Ms", "Mr"} <= by_language["en"]
    assert any(r["title"] == "Dr." for r in rows)
    emails = [r["email"] for r in rows]
    assert len(set(emails)) == len(emails)
    assert all(e.isascii() and e.split("@")[1].startswith("example.") for e in emails)
    for r in rows:
        if r["country"] == "DE":
            assert len(r["postal_code"]) == 5 and r["postal_code"].isdigit()
        else:
            _outward, inward = r["postal_code"].split(" ")
            assert len(inward) == 3 and inward[0].isdigit()
        assert r["street"] and r["city"]
