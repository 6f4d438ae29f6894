"""``POST /v1/identify``, ``POST /v1/merges/{id}/undo``, the merged customer and the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kunde.engine import Engine


def identify(
    client: TestClient, headers: dict[str, str], customer_id: str, *pairs: tuple[str, str]
) -> Any:
    body = {"customer_id": customer_id, "identifiers": [{"kind": k, "value": v} for k, v in pairs]}
    response = client.post("/v1/identify", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_login_stitches_anonymous_browsing_into_the_timeline(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    events = [
        {
            "event_id": "e1",
            "occurred_at": "2026-06-01T09:00:00",
            "type": "view",
            "anonymous_id": "cookie-1",
            "touchpoint": "web",
            "product_id": "P-1",
        },
        {
            "event_id": "e2",
            "occurred_at": "2026-06-01T09:01:00",
            "type": "view",
            "device_id": "app-7",
            "touchpoint": "app",
        },
    ]
    assert (
        client.post("/v1/events", json={"events": events}, headers=auth["integration"]).status_code
        == 201
    )
    result = identify(
        client, auth["integration"], "C-1", ("anonymous_id", "cookie-1"), ("device_id", "app-7")
    )
    assert result["linked"] == [
        {"kind": "anonymous_id", "value": "cookie-1"},
        {"kind": "device_id", "value": "app-7"},
    ]
    page = client.get("/v1/customers/C-1/timeline", headers=auth["staff"]).json()
    assert [(i["id"], i["touchpoint"], i["stitched"]) for i in page["items"]] == [
        ("e2", "app", True),
        ("e1", "web", True),
    ]
    assert page["items"][1]["details"]["product_id"] == "P-1"


def test_merge_shows_on_the_customer_and_undo_separates_them(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    identify(client, auth["integration"], "C-2", ("email", "jana@example.de"))
    result = identify(client, auth["staff"], "C-1", ("email", " Jana@Example.DE "))
    (merge,) = result["merged"]
    assert merge | {"merge_id": 0} == {
        "merge_id": 0,
        "survivor": "C-1",
        "absorbed": "C-2",
        "kind": "email",
        "value": "jana@example.de",
    }
    absorbed = client.get("/v1/customers/C-2", headers=auth["admin"]).json()
    assert absorbed["profile_id"] == "C-1" and absorbed["merged_into"] == "C-1"
    assert [m["merge_id"] for m in absorbed["merges"]] == [merge["merge_id"]]
    assert {(i["customer_id"], i["kind"]) for i in absorbed["identifiers"]} == {
        ("C-1", "email"),
        ("C-2", "email"),
    }
    undo = client.post(
        f"/v1/merges/{merge['merge_id']}/undo",
        headers={**auth["staff"], "X-Audit-Reason": "two people, one address"},
    )
    assert undo.status_code == 200, undo.text
    assert undo.json()["absorbed_profile_id"] == "C-2"
    alone = client.get("/v1/customers/C-2", headers=auth["admin"]).json()
    assert alone["profile_id"] == "C-2" and alone["merged_into"] is None and alone["merges"] == []
    again = client.post(f"/v1/merges/{merge['merge_id']}/undo", headers=auth["admin"])
    assert again.status_code == 409
    trail = client.get("/v1/audit", params={"customer_id": "C-2"}, headers=auth["admin"]).json()
    unmerge = next(e for e in trail["entries"] if e["action"] == "identity.unmerge")
    assert unmerge["reason"] == "two people, one address" and unmerge["actor_role"] == "staff"


def test_the_shared_device_guard_is_reported(
    engine: Engine, client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    engine.settings.identity_max_profiles = 1
    identify(client, auth["admin"], "A", ("device_id", "shop-tablet"))
    merged = identify(client, auth["admin"], "B", ("device_id", "shop-tablet"))  # linked to 1
    assert [m["absorbed"] for m in merged["merged"]] == ["A"]
    result = identify(client, auth["admin"], "C", ("device_id", "shop-tablet"))  # linked to 2
    assert result["merged"] == []
    assert result["linked"] == [{"kind": "device_id", "value": "shop-tablet"}]  # still recorded
    assert {(r["customer_id"], r["reason"]) for r in result["refused"]} == {
        ("A", "shared_identifier"),
        ("B", "shared_identifier"),
    }
    assert "more than the limit of 1" in result["refused"][0]["message"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"identifiers": [{"kind": "email", "value": "a@example.de"}]}, ["body", "customer_id"]),
        ({"customer_id": "C-1", "identifiers": []}, ["body", "identifiers"]),
        (
            {"customer_id": "C-1", "identifiers": [{"kind": "iban", "value": "x"}]},
            ["body", "identifiers", 0, "kind"],
        ),
        (
            {"customer_id": "C-1", "identifiers": [{"kind": "email", "value": "not-an-address"}]},
            ["body", "identifiers", 0, "value"],
        ),
        (
            {"customer_id": "C-1", "identifiers": [{"kind": "phone", "value": "+49 12"}]},
            ["body", "identifiers", 0, "value"],
        ),
        (
            {
                "customer_id": "C-1",
                "identifiers": [{"kind": "email", "value": "a@example.de"}] * 51,
            },
            ["body", "identifiers"],
        ),
        ({"customer_id": "C-1", "identifiers": [], "extra": 1}, ["body", "extra"]),
        ([1, 2], ["body"]),
    ],
    ids=[
        "no-customer",
        "no-identifiers",
        "unknown-kind",
        "bad-email",
        "short-phone",
        "too-many",
        "extra-field",
        "not-an-object",
    ],
)
def test_bad_identify_bodies_are_422_with_a_location(
    client: TestClient, auth: dict[str, dict[str, str]], body: Any, loc: list[str | int]
) -> None:
    response = client.post("/v1/identify", json=body, headers=auth["integration"])
    assert response.status_code == 422, response.text
    assert loc in [problem["loc"] for problem in response.json()["detail"]]
    assert "not-an-address" not in response.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/merges/999/undo", 404),
        ("/v1/merges/0/undo", 422),
        ("/v1/merges/abc/undo", 422),
        ("/v1/merges/99999999999999999999999/undo", 422),
    ],
    ids=["unknown", "zero", "not-a-number", "huge"],
)
def test_undo_of_bad_merge_ids(
    client: TestClient, auth: dict[str, dict[str, str]], path: str, status: int
) -> None:
    assert client.post(path, headers=auth["admin"]).status_code == status


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"cursor": "garbage"}, ["query", "cursor"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 501}, ["query", "limit"]),
        ({"since": "yesterday"}, ["query", "since"]),
        ({"since": "2026-02-01T00:00:00", "until": "2026-01-01T00:00:00"}, ["query", "until"]),
        ({"since": "0001-01-01T00:30:00+01:00"}, ["query", "since"]),
        ({"touchpoint": ""}, ["query", "touchpoint"]),
    ],
    ids=[
        "cursor",
        "limit-0",
        "limit-501",
        "since-word",
        "window-reversed",
        "before-calendar",
        "touchpoint-empty",
    ],
)
def test_bad_timeline_parameters_are_422(
    engine: Engine,
    client: TestClient,
    auth: dict[str, dict[str, str]],
    params: dict[str, Any],
    loc: list[str],
) -> None:
    identify(client, auth["admin"], "C-1", ("email", "jana@example.de"))
    response = client.get("/v1/customers/C-1/timeline", params=params, headers=auth["admin"])
    assert response.status_code == 422, response.text
    assert loc in [problem["loc"] for problem in response.json()["detail"]]


def test_timeline_of_an_unknown_customer_is_404(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    assert client.get("/v1/customers/nobody/timeline", headers=auth["admin"]).status_code == 404


def test_staff_timeline_reads_are_audited(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    identify(client, auth["admin"], "C-1", ("email", "jana@example.de"))
    client.get("/v1/customers/C-1/timeline", headers={**auth["staff"], "X-Audit-Reason": "call"})
    trail = client.get("/v1/audit", params={"customer_id": "C-1"}, headers=auth["admin"]).json()
    read = trail["entries"][0]
    assert read["action"] == "personal_data.read" and read["reason"] == "call"
    assert read["details"] == {"what": "GET /v1/customers/{customer_id}/timeline"}


def test_timeline_pages_through_the_api(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    events = [
        {
            "event_id": f"e{i}",
            "occurred_at": f"2026-06-01T09:0{i}:00",
            "type": "view",
            "customer_id": "C-1",
            "touchpoint": "web",
        }
        for i in range(5)
    ]
    client.post("/v1/events", json={"events": events}, headers=auth["integration"])
    ids: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = client.get("/v1/customers/C-1/timeline", params=params, headers=auth["admin"]).json()
        ids += [i["id"] for i in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert ids == ["e4", "e3", "e2", "e1", "e0"]
