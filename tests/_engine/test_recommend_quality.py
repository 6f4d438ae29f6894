"""Quality floor: kunde's served ranking on a fixed split of the demo shop, so regressions fail CI.

Measured on the demo shop (seed 7, 400 customers), split 2026-08-01, "new to the customer",
k=10: kunde NDCG@10 0.235, popularity 0.072 (x3.2), EASE 0.167 (x1.4); recall@10 0.327.
The floors sit well below that, so that only a real regression trips them.
"""

from __future__ import annotations

from datetime import date

from kunde.engine import Engine


def test_kunde_beats_popularity_and_ease_on_the_demo_split(demo_engine: Engine) -> None:
    report = demo_engine.evaluate_recommend(date(2026, 8, 1), 10)
    new = report["protocols"]["new"]["models"]
    kunde, popularity, ease = new["kunde"], new["popularity"], new["EASE"]
    assert kunde["ndcg"] >= 2.0 * popularity["ndcg"]
    assert kunde["ndcg"] >= 1.1 * ease["ndcg"]
    assert kunde["ndcg"] >= 0.15
    assert kunde["recall"] >= 0.20
    assert kunde["coverage"] >= popularity["coverage"]
    everything = report["protocols"]["all"]["models"]
    assert everything["kunde"]["ndcg"] >= 2.0 * everything["popularity"]["ndcg"]
