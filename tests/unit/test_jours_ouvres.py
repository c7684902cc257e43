"""Time travel over the 10 jours ouvrés of a proposition de tarification: weekends, 1 May, 8 May, Ascension,
Whit Monday, Christmas, Alsace-Moselle's Good Friday and 26 December, a DROM's abolition of slavery."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from ami.domain.jours_ouvres import dernier_jour, echeance, is_jour_ouvre, jour_ouvre_plus, territoire


@pytest.mark.parametrize(("insee", "expected"), [
    ("69123", "metropole"), ("75056", "metropole"), ("57463", "alsace_moselle"), ("67482", "alsace_moselle"),
    ("68224", "alsace_moselle"), ("97209", "972"), ("97411", "974"), ("97101", "971"), (None, "metropole"),
])
def test_the_territory_is_the_operation_s_departement(insee: str | None, expected: str) -> None:
    assert territoire(insee) == expected


def paris(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.mark.parametrize(("emitted", "where", "last_day"), [
    # Wed 29 Apr 2026: Fri 1 May, Fri 8 May and Thu 14 May (Ascension) are holidays, weekends skipped.
    (paris(2026, 4, 29), "metropole", date(2026, 5, 18)),
    # Tue 12 May 2026: Ascension 14 May, Whit Monday 25 May; in Martinique also 22 May (abolition of slavery).
    (paris(2026, 5, 12), "metropole", date(2026, 5, 28)),
    (paris(2026, 5, 12), "972", date(2026, 5, 29)),
    # Guadeloupe's day is 27 May: the same proposition also ends a day later than in metropolitan France.
    (paris(2026, 5, 12), "971", date(2026, 5, 29)),
    # Mon 14 Dec 2026: Christmas on Friday 25; in Alsace-Moselle 26 Dec is a Saturday anyway.
    (paris(2026, 12, 14), "metropole", date(2026, 12, 29)),
    # La Réunion: 20 Dec 2027 (a Monday) is the abolition of slavery.
    (paris(2027, 12, 15), "metropole", date(2027, 12, 29)),
    (paris(2027, 12, 15), "974", date(2027, 12, 30)),
    # Alsace-Moselle: Good Friday 26 Mar 2027 and 26 Dec 2025 (a Friday) are holidays there only.
    (paris(2027, 3, 22), "metropole", date(2027, 4, 6)),
    (paris(2027, 3, 22), "alsace_moselle", date(2027, 4, 7)),
    (paris(2025, 12, 19), "alsace_moselle", date(2026, 1, 7)),
    (paris(2025, 12, 19), "metropole", date(2026, 1, 6)),
])
def test_ten_jours_ouvres_end_at_midnight_paris_after_the_tenth(emitted: datetime, where: str,
                                                                last_day: date) -> None:
    expiry = echeance(emitted, 10, where)  # type: ignore[arg-type]
    assert dernier_jour(expiry) == last_day
    assert jour_ouvre_plus(emitted.date(), 10, where) == last_day  # type: ignore[arg-type]
    local = expiry.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute, local.date()) == (0, 0, date.fromordinal(last_day.toordinal() + 1))


def test_the_day_of_emission_never_counts_even_late_at_night_in_paris() -> None:
    # 21:30 UTC on Thursday 30 Apr 2026 is 23:30 in Paris, still the 30th: the count starts on Mon 4 May.
    late = datetime(2026, 4, 30, 21, 30, tzinfo=UTC)
    # 22:30 UTC is 00:30 on Friday 1 May in Paris (a holiday): the emission day is the 1st.
    after_midnight = datetime(2026, 4, 30, 22, 30, tzinfo=UTC)
    assert dernier_jour(echeance(late, 10, "metropole")) == date(2026, 5, 19)
    assert dernier_jour(echeance(after_midnight, 10, "metropole")) == date(2026, 5, 19)


def test_holidays_and_weekends_are_not_jours_ouvres() -> None:
    assert not is_jour_ouvre(date(2026, 5, 1), "metropole")
    assert not is_jour_ouvre(date(2026, 5, 8), "metropole")
    assert not is_jour_ouvre(date(2026, 5, 14), "metropole")  # Ascension
    assert not is_jour_ouvre(date(2026, 12, 25), "metropole")
    assert not is_jour_ouvre(date(2026, 5, 22), "972") and is_jour_ouvre(date(2026, 5, 22), "metropole")
    assert not is_jour_ouvre(date(2026, 4, 3), "alsace_moselle") and is_jour_ouvre(date(2026, 4, 3), "metropole")
    assert not is_jour_ouvre(date(2026, 5, 2), "metropole")  # a Saturday
    with pytest.raises(ValueError):
        jour_ouvre_plus(date(2026, 5, 4), 0, "metropole")


@pytest.mark.parametrize("territory", ["metropole", "alsace_moselle", "971", "972", "973", "974", "976"])
def test_the_configured_holidays_are_those_of_the_holidays_package_year_by_year(territory: str) -> None:
    """jours_feries.toml against the `holidays` package (a dev dependency only: the oracle), 2008 to 2060."""
    import holidays
    from ami.domain.jours_ouvres import _holidays

    subdivision = {"metropole": None, "alsace_moselle": "57"}.get(territory, territory)
    for year in range(2008, 2061):
        expected = frozenset(holidays.France(subdiv=subdivision, years=year).keys())
        assert _holidays(territory, year) == expected, (territory, year)  # type: ignore[arg-type]
