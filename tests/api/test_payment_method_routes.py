"""``/v1/customers/{customer_id}/payment-methods``: provider tokens only, never card numbers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kunde.engine import Engine
from kunde.identity import CustomerProfile

URL = "/v1/customers/C-1/payment-methods"
STRIPE = {
    "provider": "stripe",
    "token": "pm_1NvXkL2eZvKYlo2C0n8jBq3x",
    "label": "Visa ending 4242",
    "last4": "4242",
    "expiry_month": 8,
    "expiry_year": 2029,
}


@pytest.fixture(autouse=True)
def _customer(engine: Engine) -> None:
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])


def test_save_list_and_remove(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    saved = client.post(URL, json=STRIPE, headers=auth["staff"])
    assert saved.status_code == 201, saved.text
    method = saved.json()
    assert {k: method[k] for k in STRIPE} == STRIPE
    assert method["payment_method_id"].startswith("kpm_")

    again = client.post(URL, json=STRIPE, headers=auth["admin"])
    assert again.status_code == 200  # the same token: nothing new
    assert again.json()["payment_method_id"] == method["payment_method_id"]

    paypal = {"provider": "paypal", "token": "B-5YL38529J7581633C", "label": "PayPal"}
    assert client.post(URL, json=paypal, headers=auth["staff"]).status_code == 201
    listed = client.get(URL, headers=auth["staff"]).json()
    assert [m["provider"] for m in listed["payment_methods"]] == ["stripe", "paypal"]

    pm_url = f"{URL}/{method['payment_method_id']}"
    assert client.delete(pm_url, headers=auth["staff"]).status_code == 204
    assert client.delete(pm_url, headers=auth["staff"]).status_code == 404
    listed = client.get(URL, headers=auth["admin"]).json()
    assert [m["provider"] for m in listed["payment_methods"]] == ["paypal"]


def test_unknown_customer_is_404(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    url = "/v1/customers/C-404/payment-methods"
    assert client.post(url, json=STRIPE, headers=auth["staff"]).status_code == 404
    assert client.get(url, headers=auth["staff"]).status_code == 404


def test_another_customers_method_cannot_be_removed(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    engine.upsert_customers([CustomerProfile(customer_id="C-2")])
    pm_id = client.post(URL, json=STRIPE, headers=auth["staff"]).json()["payment_method_id"]
    response = client.delete(f"/v1/customers/C-2/payment-methods/{pm_id}", headers=auth["admin"])
    assert response.status_code == 404
    assert len(client.get(URL, headers=auth["admin"]).json()["payment_methods"]) == 1


CARD = "4111 1111 1111 1111"
CASES: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "token": ({**STRIPE, "token": CARD.replace(" ", "")}, ["body", "token"]),
    "token-dashes": ({**STRIPE, "token": "tok-4111-1111-1111-1111"}, ["body", "token"]),
    "label": ({**STRIPE, "label": f"Visa {CARD}"}, ["body", "label"]),
    "last4": ({**STRIPE, "last4": CARD}, ["body", "last4"]),
    "provider": ({**STRIPE, "provider": "5555555555554444"}, ["body", "provider"]),
    "unknown-field": ({**STRIPE, "card_number": CARD}, ["body", "card_number"]),
    "nested": ({**STRIPE, "extra": {"notes": ["ok", CARD]}}, ["body", "extra", "notes", 1]),
    "integer": ({**STRIPE, "label": 4111111111111111}, ["body", "label"]),
    "key": ({**STRIPE, "4111111111111111": "x"}, ["body", "[key]"]),
    "key-and-value": ({**STRIPE, "x": {"4111111111111111": CARD}}, ["body", "x", "[key]"]),
    "amex-with-cvc": ({**STRIPE, "label": "3782 822463 10005 1234"}, ["body", "label"]),
}


@pytest.mark.parametrize(("body", "loc"), CASES.values(), ids=CASES.keys())
def test_card_numbers_are_refused_named_and_never_kept(
    client: TestClient,
    auth: dict[str, dict[str, str]],
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    body: dict[str, Any],
    loc: list[Any],
) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post(URL, json=body, headers=auth["staff"])
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert "card number" in error["msg"]
    assert client.get(URL, headers=auth["staff"]).json()["payment_methods"] == []
    engine.close()  # flush the WAL and the connections before the files are read
    _assert_nowhere(response.text, caplog, engine)


def _digits_forms() -> list[str]:
    digits = ["4111111111111111", "5555555555554444", "378282246310005"]
    spaced = [" ".join(d[i : i + 4] for i in range(0, len(d), 4)) for d in digits]
    return [*digits, *spaced, "4111-1111-1111-1111", "822463"]


def _assert_nowhere(text: str, caplog: pytest.LogCaptureFixture, engine: Engine) -> None:
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    database = engine.settings.database_url.removeprefix("sqlite:///")
    files = [Path(database), Path(database + "-wal"), Path(database + "-shm")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    for form in _digits_forms():
        assert form not in text
        assert form not in logged
        assert form.encode() not in stored


def test_invalid_fields_are_422_with_the_field(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    response = client.post(URL, json={**STRIPE, "expiry_year": None}, headers=auth["staff"])
    assert response.status_code == 422
    assert "expiry" in response.json()["detail"][0]["msg"]
    response = client.post(URL, json={"provider": "stripe"}, headers=auth["staff"])
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "token"]]


@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b"null", b"{", b'{"provider": 1, "token": 2}', b"\xff", b'{"token": "\\u0000"}'],
    ids=["empty", "list", "null", "broken", "numbers", "bytes", "nul"],
)
def test_bad_bodies_are_422_never_500(
    client: TestClient, auth: dict[str, dict[str, str]], content: bytes
) -> None:
    headers = {**auth["staff"], "Content-Type": "application/json"}
    assert client.post(URL, content=content, headers=headers).status_code == 422


def test_bad_payment_method_ids_are_422_or_404(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    assert client.delete(f"{URL}/{'x' * 33}", headers=auth["staff"]).status_code == 422
    assert client.delete(f"{URL}/no%20such", headers=auth["staff"]).status_code == 422
    assert client.delete(f"{URL}/kpm_0", headers=auth["staff"]).status_code == 404


def test_changes_are_audited(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    pm_id = client.post(URL, json=STRIPE, headers=auth["staff"]).json()["payment_method_id"]
    client.post(URL, json=STRIPE, headers=auth["staff"])  # known token: no change, no entry
    client.delete(f"{URL}/{pm_id}", headers=auth["admin"])
    entries, _ = engine.audit_trail(customer_id="C-1")
    assert [(e.action, e.actor_role) for e in entries] == [
        ("payment_method.remove", "admin"),
        ("payment_method.add", "staff"),
    ]
    assert entries[1].details == {"payment_method_id": pm_id, "provider": "stripe"}
