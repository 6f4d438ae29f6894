"""``kunde privacy export|erase`` through the real entry point."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from kunde.config import Settings
from kunde.engine import Engine
from kunde.identity import CustomerProfile

from .conftest import RunKunde


def test_export_then_erase(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    engine = Engine(Settings(database_url=sqlite_url, data_dir=tmp_path / "d", environment="test"))
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    engine.close()
    out = tmp_path / "out" / "c1.zip"
    exported = kunde(["privacy", "export", "C-1", "--output", str(out)], sqlite_url, tmp_path / "d")
    assert exported.returncode == 0, exported.stderr
    assert "README.txt" in zipfile.ZipFile(out).namelist()
    refused = kunde(["privacy", "erase", "C-1"], sqlite_url, tmp_path / "d")
    assert refused.returncode == 1  # no --yes and no terminal to confirm on: aborted
    erased = kunde(["privacy", "erase", "C-1", "--yes"], sqlite_url, tmp_path / "d")
    assert erased.returncode == 0, erased.stderr
    assert "erased" in erased.stdout and "C-1" not in erased.stdout
    again = kunde(["privacy", "erase", "C-1", "--yes"], sqlite_url, tmp_path / "d")
    assert again.returncode == 2 and "no customer" in again.stderr


def test_an_erased_customer_is_not_imported_again(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "d"
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n"
        "A1,c1,2024-03-01T10:00:00,P1,2,9.99\n"
        "A2,c2,2024-03-02T10:00:00,P1,1,9.99\n"
        "A3,,2024-03-03T10:00:00,P1,1,9.99\n"
        "A4,c1,2024-03-04T10:00:00,P2,1,4.50\n",
        encoding="utf-8",
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,occurred_at,type,customer_id,anonymous_id\n"
        "E1,2024-03-01T09:00:00,view,c1,\n"
        "E2,2024-03-01T09:01:00,view,c2,\n"
        "E3,2024-03-01T09:02:00,view,,anon-9\n",
        encoding="utf-8",
    )
    first = kunde(["import", "orders", str(orders), "--json"], sqlite_url, data)
    assert first.returncode == 0, first.stderr
    assert kunde(["import", "events", str(events)], sqlite_url, data).returncode == 0
    erased = kunde(["privacy", "erase", "c1", "--yes"], sqlite_url, data)
    assert erased.returncode == 0, erased.stderr

    # the shop imports its old files again: c1's lines are rejected, the rest are duplicates
    again = kunde(["import", "orders", str(orders), "--json"], sqlite_url, data)
    assert again.returncode == 1, again.stderr  # some lines rejected
    summary = json.loads(again.stdout)
    assert (summary["read"], summary["imported"], summary["rejected"], summary["duplicates"]) == (
        4,
        0,
        2,
        2,
    )
    rejects = Path(summary["reject_file"]).read_text(encoding="utf-8").splitlines()
    assert rejects[0].startswith("line,reason,order_id")
    assert [r.split(",", 1)[0] for r in rejects[1:]] == ["2", "5"]  # line numbers of the file
    assert all("erased at their request" in r for r in rejects[1:])
    assert all(not r.endswith("c1,") and ",c1," not in r for r in rejects[1:])  # no values
    ev = kunde(["import", "events", str(events), "--json"], sqlite_url, data)
    assert ev.returncode == 1, ev.stderr
    assert json.loads(ev.stdout)["rejected"] == 1
    assert (
        kunde(
            ["privacy", "export", "c1", "--output", str(tmp_path / "x.zip")], sqlite_url, data
        ).returncode
        == 2
    )
