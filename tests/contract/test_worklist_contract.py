"""The instructors' work list (`WorkList` port, `ami.services.instruction`) against the in-memory fake and
the DynamoDB adapter on the emulation: numbers handed out in order to many instructors at once, each
once, none lost; a lease that runs out gives the dossier back; one abandoned too often goes to the
dead-letter queue and comes back on redrive."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ami.adapters.dynamodb import Store as DynamoStore
from ami.domain.errors import Conflict, NotFound
from ami.domain.models import Dossier, DossierStatus, WorkItem
from ami.domain.worklist import HOLD, MAX_ABANDONS
from ami.services.instruction import Instruction
from ami.services.ports import Store
from fakes import InMemoryDeadLetters, InMemoryStore
from support import empty_tables

from infra.samples import complete_form

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
SIREN = "552100554"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["memoire", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memoire":
        return InMemoryStore()
    env = request.getfixturevalue("emulation")
    empty_tables(env)
    return DynamoStore(env)


def numbered(store: Store, count: int, status: DossierStatus = DossierStatus.COMPLET) -> list[WorkItem]:
    """`count` numbered dossiers (1…count) and their work items, not yet listed."""
    items = []
    for n in range(1, count + 1):
        d = Dossier(dossier_id=uuid.uuid4().hex, siren=SIREN, status=status, form=complete_form(),
                    created_at=T0, updated_at=T0, deposit_number=n)
        store.create_dossier(d, "systeme:test")
        items.append(WorkItem(dossier_id=d.dossier_id, deposit_number=n, deposited_at=T0, siren=SIREN,
                              raison_sociale="Bailleur", commune_insee="75056", logements=10,
                              loan_total_eur=Decimal("1000000.00")))
    return items


def service(store: Store, clock: Clock) -> tuple[Instruction, InMemoryDeadLetters]:
    dead = InMemoryDeadLetters()
    return Instruction(store, store, dead, clock), dead


def test_five_instructors_take_a_hundred_items_each_once_in_number_order(store: Store) -> None:
    items = numbered(store, 100)
    svc, dead = service(store, Clock())
    for item in random.Random(13).sample(items, len(items)):  # the queue delivers them in any order
        assert svc.receive(item)
    assert not svc.receive(items[0])  # a redelivered item is listed once
    taken: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def instructor(name: str) -> None:
        mine = taken.setdefault(name, [])
        try:
            while (t := svc.take(name)) is not None:
                mine.append(t.item.deposit_number)
                svc.begin(t.item.dossier_id, name)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=instructor, args=(f"instructeur:i{k}@als.fr",)) for k in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    assert errors == []
    every = sorted(n for numbers in taken.values() for n in numbers)
    assert every == list(range(1, 101))  # each taken once, none lost
    for numbers in taken.values():
        assert numbers == sorted(numbers)  # in number order for each instructor
    assert svc.entries() == [] and dead.sent == []
    for item in (items[0], items[57], items[99]):
        d = store.get_dossier(item.dossier_id)
        assert d is not None and d.status == DossierStatus.EN_INSTRUCTION
        last = store.history(item.dossier_id)[-1]
        assert (last.action, last.actor) == ("prise_en_instruction", next(
            name for name, numbers in taken.items() if item.deposit_number in numbers))


def test_nobody_waits_behind_a_dossier_another_instructor_holds(store: Store) -> None:
    items = numbered(store, 3)
    svc, _ = service(store, Clock())
    for item in items:
        svc.receive(item)
    a = svc.take("instructeur:a@als.fr")
    b = svc.take("instructeur:b@als.fr")
    assert a is not None and b is not None
    assert (a.item.deposit_number, b.item.deposit_number) == (1, 2)
    again = svc.take("instructeur:a@als.fr")  # one dossier at a time: A is given n° 1 again
    assert again is not None and again.item.deposit_number == 1
    svc.release(a.item.dossier_id, "instructeur:a@als.fr")
    c = svc.take("instructeur:c@als.fr")
    assert c is not None and c.item.deposit_number == 1  # given back at its number's place


def test_a_crash_mid_item_gives_it_back_after_the_lease(store: Store) -> None:
    items = numbered(store, 2)
    clock = Clock()
    svc, _ = service(store, clock)
    for item in items:
        svc.receive(item)
    crashed = svc.take("instructeur:a@als.fr")
    assert crashed is not None and crashed.item.deposit_number == 1
    other = svc.take("instructeur:b@als.fr")
    assert other is not None and other.item.deposit_number == 2
    clock.now += HOLD + timedelta(seconds=1)
    back = svc.take("instructeur:c@als.fr")
    assert back is not None and back.item.deposit_number == 1
    assert [e.abandons for e in svc.entries() if e.number == 1] == [1]
    with pytest.raises(Conflict) as exc:  # the first holder's late answer changes nothing
        svc.begin(crashed.item.dossier_id, "instructeur:a@als.fr")
    assert exc.value.code == "dossier_non_pris"
    svc.begin(back.item.dossier_id, "instructeur:c@als.fr")
    d = store.get_dossier(back.item.dossier_id)
    assert d is not None and d.status == DossierStatus.EN_INSTRUCTION


def test_an_item_abandoned_too_often_goes_to_the_dead_letter_queue_and_back_on_redrive(store: Store) -> None:
    items = numbered(store, 2)
    clock = Clock()
    svc, dead = service(store, clock)
    for item in items:
        svc.receive(item)
    for k in range(MAX_ABANDONS):
        t = svc.take(f"instructeur:{k}@als.fr")
        assert t is not None and t.item.deposit_number == 1
        clock.now += HOLD + timedelta(seconds=1)
    nxt = svc.take("instructeur:z@als.fr")
    assert nxt is not None and nxt.item.deposit_number == 2  # n° 1 was set aside, not handed out a 6th time
    assert [(WorkItem.model_validate_json(body).deposit_number, "5 fois" in reason)
            for body, _, _, reason in dead.sent] == [(1, True)]
    assert next((e.number, e.state) for e in svc.entries()) == (1, "en_echec")
    d = store.get_dossier(items[0].dossier_id)
    assert d is not None and d.status == DossierStatus.COMPLET  # the dossier itself is untouched

    assert svc.receive(WorkItem.model_validate_json(dead.sent[0][0]))  # `ami dlq redrive`
    svc.release(nxt.item.dossier_id, "instructeur:z@als.fr")
    again = svc.take("instructeur:y@als.fr")
    assert again is not None and again.item.deposit_number == 1
    assert [e.abandons for e in svc.entries() if e.number == 1] == [0]


def test_stale_and_waiting_list_entries_are_not_handed_out(store: Store) -> None:
    done = numbered(store, 1, DossierStatus.EN_INSTRUCTION)
    svc, _ = service(store, Clock())
    waiting = numbered(store, 1, DossierStatus.LISTE_ATTENTE)[0].model_copy(update={"deposit_number": 2})
    svc.receive(done[0])
    svc.receive(waiting)
    assert svc.take("instructeur:a@als.fr") is None
    assert [e.number for e in svc.entries()] == [2]  # the stale one is gone, the waiting one kept
    with pytest.raises(NotFound):
        svc.begin(done[0].dossier_id, "instructeur:a@als.fr")
