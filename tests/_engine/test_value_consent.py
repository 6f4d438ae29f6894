"""Value scoring leaves out customers who objected to ``analytics`` (legitimate interest)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kunde.engine import Engine
from kunde.identity import IdentifierIn, IdentifierKind, IdentifyIn
from kunde.privacy import Actor, ConsentChange

ADMIN = Actor(key_id=None, role="admin")
POOL = 40


def _analytics(engine: Engine, customers: Sequence[str], granted: bool) -> None:
    change = ConsentChange(purpose="analytics", granted=granted, policy_version="v1", source="web")  # type: ignore[arg-type]
    for customer in customers:
        engine.record_consents(ADMIN, customer, [change])


def _scored(engine: Engine) -> list[str]:
    ids: list[str] = engine._value_scores(365).table.column("customer_id").to_pylist()
    return ids


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_withdrawn_analytics_consent_never_appears_in_scores_or_segments(
    demo_engine: Engine, data: st.DataObject
) -> None:
    engine = demo_engine
    everyone = _scored(engine)
    pool = everyone[:POOL]
    withdrawn = data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=12))
    regranted = data.draw(st.lists(st.sampled_from(withdrawn), unique=True)) if withdrawn else []
    _analytics(engine, withdrawn, False)
    _analytics(engine, regranted, True)  # a later grant: valued again
    objected = set(withdrawn) - set(regranted)
    try:
        scored = _scored(engine)
        assert not objected & set(scored)
        assert set(scored) == set(everyone) - objected
        totals = engine.segments()
        assert totals["customers"] == len(everyone) - len(objected)
        counts = [s["customers"] for s in totals["segments"] if s["segment"] != "high_value"]
        assert sum(counts) == totals["customers"]
        for customer in objected:
            assert engine.customer_value(customer)["profiled"] is False
    finally:
        _analytics(engine, sorted(objected), True)  # the next example starts from everyone


def _merge(engine: Engine, survivor: str, absorbed: str) -> int:
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value=f"{absorbed}.{survivor}@example.de")
    engine.identify(ADMIN, IdentifyIn(customer_id=absorbed, identifiers=[email]))
    made = engine.identify(ADMIN, IdentifyIn(customer_id=survivor, identifiers=[email]))["merged"]
    return int(made[0]["merge_id"])


def test_a_merged_profile_follows_the_latest_will_and_unmerge_restores_each(
    demo_engine: Engine,
) -> None:
    engine = demo_engine
    survivor, absorbed = _scored(engine)[:2]
    _analytics(engine, [absorbed], False)  # objected long ago under one id
    _analytics(engine, [survivor], True)  # later, under the other, allowed it
    merge_id = _merge(engine, survivor, absorbed)
    assert engine.customer_value(absorbed)["profiled"] is True  # the later grant counts
    assert engine.customer_value(absorbed)["customer_id"] == survivor
    current = {s.purpose.value: s.granted for s in engine.consents(absorbed)[0]}
    assert current["analytics"] is True
    _analytics(engine, [absorbed], False)  # the newest will: objection, through either id
    for customer in (survivor, absorbed):
        assert engine.customer_value(customer)["profiled"] is False
        assert not {s.purpose.value: s.granted for s in engine.consents(customer)[0]}["analytics"]
    assert survivor not in _scored(engine)

    _analytics(engine, [survivor], True)
    engine.undo_merge(ADMIN, merge_id)  # each id has its own ledger again
    assert engine.customer_value(survivor)["profiled"] is True
    assert engine.customer_value(absorbed)["profiled"] is False
    assert {s.purpose.value: s.granted for s in engine.consents(absorbed)[0]}["analytics"] is False
    assert {e.customer_id for e in engine.consents(absorbed)[1]} == {absorbed}
