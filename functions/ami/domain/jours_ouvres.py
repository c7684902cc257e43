"""Jours ouvrés: Monday to Friday, less the French public holidays of the dossier's territory, in
Europe/Paris time (DESIGN §2, cahier des charges §2-A step 5: a proposition de tarification is valid
10 jours ouvrés).

The holidays are configuration (`jours_feries.toml`, with its legal sources): metropolitan France,
Alsace-Moselle (Good Friday and 26 December) and each DROM (abolition of slavery: 27 May in Guadeloupe,
22 May in Martinique, 10 June in Guyane, 20 December in La Réunion, 27 April in Mayotte), Easter from
dateutil (the Lambda runtime's). The `holidays` package, which says the same, weighed 7 MB in every
function; the tests compare the two year by year. The territory is the operation's commune (its
département). Pure: dates in, dates out.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

from dateutil.easter import easter

from ami.domain.dispositif import PARIS
from ami.domain.models import Territoire

ALSACE_MOSELLE = ("57", "67", "68")
DROM = ("971", "972", "973", "974", "976")
TERRITOIRE_LIBELLES: dict[str, str] = {
    "metropole": "France métropolitaine", "alsace_moselle": "Alsace-Moselle", "971": "Guadeloupe",
    "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte",
}


def territoire(commune_insee: str | None) -> Territoire:
    """The territory whose holidays apply to an operation in this commune (metropole when unknown)."""
    code = commune_insee or ""
    if code[:3] in DROM:
        return code[:3]  # type: ignore[return-value]
    if code[:2] in ALSACE_MOSELLE:
        return "alsace_moselle"
    return "metropole"


@cache
def _feries() -> dict[str, dict[str, list[Any]]]:
    text = resources.files("ami.domain").joinpath("jours_feries.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def _holidays(territory: Territoire, year: int) -> frozenset[date]:
    """The public holidays of `territory` in `year`: the metropole's and its own."""
    sunday = easter(year)
    days: set[date] = set()
    for section in {"metropole", territory}:
        rules = _feries()[section]
        days.update(date(year, int(md[:2]), int(md[3:])) for md in rules["fixes"])
        days.update(sunday + timedelta(days=int(n)) for n in rules["paques"])
    return frozenset(days)


def is_jour_ouvre(day: date, territory: Territoire) -> bool:
    return day.weekday() < 5 and day not in _holidays(territory, day.year)


def jour_ouvre_plus(day: date, n: int, territory: Territoire) -> date:
    """The n-th jour ouvré after `day` (not counting `day` itself)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    current, found = day, 0
    while found < n:
        current += timedelta(days=1)
        if is_jour_ouvre(current, territory):
            found += 1
    return current


def echeance(emise_le: datetime, jours: int, territory: Territoire) -> datetime:
    """The first instant (UTC) a proposition emitted at `emise_le` is no longer valid: midnight in Paris
    after the `jours`-th jour ouvré that follows the day of emission (the day itself does not count,
    whatever the hour)."""
    day = emise_le.astimezone(PARIS).date()
    last = jour_ouvre_plus(day, jours, territory)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=PARIS).astimezone(UTC)


def dernier_jour(expire_le: datetime) -> date:
    """The last day of validity, as the bailleur reads it (the Paris day before the expiry instant)."""
    return (expire_le.astimezone(PARIS) - timedelta(microseconds=1)).date()
