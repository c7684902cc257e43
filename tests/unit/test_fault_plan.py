"""The fault plan of the fault-injection run (infra.faults): a site with few calls is exercised all the same."""

from __future__ import annotations

from infra.faults import FaultPlan


def test_a_site_called_one_over_rate_times_fails_at_least_once_and_the_publisher_first_duplicates() -> None:
    for seed in range(200):
        plan = FaultPlan(seed, rate=0.05, enabled=True)
        drawn = [plan.draw("publisher", "send") for _ in range(20)]
        faults = [kind for kind in drawn if kind]
        assert faults and faults[0] == "duplicate", (seed, drawn)


def test_the_rate_stays_the_rate_over_many_calls() -> None:
    plan = FaultPlan(7, rate=0.05, enabled=True)
    faults = sum(1 for _ in range(20_000) if plan.draw("store", "get_dossier"))
    assert 900 <= faults <= 1100  # 5 % of 20,000, give or take; the sure one is lost in it


def test_nothing_fails_at_a_rate_of_zero_or_when_disabled() -> None:
    assert not any(FaultPlan(1, rate=0.0, enabled=True).draw("store", "get") for _ in range(100))
    assert not any(FaultPlan(1, rate=0.05).draw("store", "get") for _ in range(100))
