"""``kunde train``, ``kunde recommend for|also-bought|export`` and ``kunde evaluate recommend``."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

from kunde.engine import Engine
from kunde.privacy import Actor, ConsentChange

from .conftest import RunKunde


def _where(engine: Engine) -> tuple[str, Path]:
    return engine.settings.database_url, engine.settings.data_dir


def _history_customers(engine: Engine, n: int) -> list[str]:
    model = engine.recommend_model()
    filled = (model.candidates >= 0).sum(axis=1)
    return [str(c) for c in model.customer_ids[filled > 0][:n]]


def test_train_swaps_in_a_new_version(kunde: RunKunde, demo_engine: Engine) -> None:
    before = demo_engine.recommend_model().version
    result = kunde(["train", "--only", "recommend", "--json"], *_where(demo_engine))
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)["recommend"]
    assert manifest["version"] != before
    assert manifest["customers"] > 0
    assert "value" not in json.loads(result.stdout)
    plain = kunde(["train", "--only", "value"], *_where(demo_engine))
    assert plain.returncode == 0, plain.stderr
    assert "value models" in plain.stdout


def test_recommend_for_and_also_bought(kunde: RunKunde, demo_engine: Engine) -> None:
    customer = _history_customers(demo_engine, 1)[0]
    withdraw = ConsentChange(
        purpose="personalization", granted=False, policy_version="v1", source="web"
    )
    demo_engine.record_consents(Actor(key_id=None, role="admin"), customer, [withdraw])
    result = kunde(["recommend", "for", customer, "-k", "4", "--json"], *_where(demo_engine))
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert len(page["items"]) == 4
    assert page["personal"] is False  # consent withdrawn
    model = demo_engine.recommend_model()
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    result = kunde(["recommend", "also-bought", product, "-k", "3"], *_where(demo_engine))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("also bought this") == 3
    missing = kunde(["recommend", "for", "NOBODY"], *_where(demo_engine))
    assert missing.returncode == 2
    assert "NOBODY" in missing.stderr


def test_export_leaves_out_purchases_and_respects_consent(
    kunde: RunKunde, demo_engine: Engine, tmp_path: Path
) -> None:
    customers = _history_customers(demo_engine, 3)
    consenting = customers[0]
    change = ConsentChange(
        purpose="personalization", granted=True, policy_version="v1", source="web"
    )
    demo_engine.record_consents(Actor(key_id=None, role="admin"), consenting, [change])
    withdraw = ConsentChange(
        purpose="personalization", granted=False, policy_version="v1", source="web"
    )
    for other in customers[1:]:
        demo_engine.record_consents(Actor(key_id=None, role="admin"), other, [withdraw])
    ids_file = tmp_path / "customers.csv"
    ids_file.write_text("customer_id\n" + "\n".join(customers) + "\n", encoding="utf-8")
    out = tmp_path / "recs.csv"
    args = ["recommend", "export", "--output", str(out), "-k", "5", "--customers", str(ids_file)]
    result = kunde([*args, "--exclude-purchased"], *_where(demo_engine))
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["customer_id", "rank", "product_id", "score", "reason"]
    assert sorted({r["customer_id"] for r in rows}) == sorted(customers)
    for customer in customers:
        mine = [r for r in rows if r["customer_id"] == customer]
        assert [int(r["rank"]) for r in mine] == [1, 2, 3, 4, 5]
        lines = demo_engine.store.recommend.customer_lines(customer)
        assert not {r["product_id"] for r in mine} & set(lines.product_id.tolist())
        personal = [r for r in mine if r["reason"] != "popular this week"]
        assert bool(personal) == (customer == consenting)


def test_evaluate_recommend_reports_kunde_beside_the_baselines(
    kunde: RunKunde, demo_engine: Engine
) -> None:
    result = kunde(
        ["evaluate", "recommend", "--test-from", "2026-08-01", "-k", "10", "--json"],
        *_where(demo_engine),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for protocol in ("new", "all"):
        models = report["protocols"][protocol]["models"]
        assert {"kunde", "popularity", "EASE"} <= set(models)
        for metrics in models.values():
            assert {"recall", "ndcg", "precision", "coverage", "diversity", "novelty"} <= set(
                metrics
            )
    has_implicit = importlib.util.find_spec("implicit") is not None
    assert ("implicit BM25" in report["protocols"]["new"]["models"]) == has_implicit
    assert any("implicit" in note for note in report["notes"]) != has_implicit
    table = kunde(["evaluate", "recommend", "--test-from", "2026-08-01"], *_where(demo_engine))
    assert "protocol 'new'" in table.stdout
    late = kunde(["evaluate", "recommend", "--test-from", "2030-01-01"], *_where(demo_engine))
    assert late.returncode == 2
