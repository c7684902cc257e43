"""The audit chain of the local stack: intact after real activity, and tampering is detected."""

from __future__ import annotations

import json

from ami.adapters.dynamodb import Store
from ami.domain.audit import dossier_chain, verify_chain
from ami.settings import settings


def test_the_chain_is_intact_and_tampering_is_detected(ami, register_bailleur, upload_good_pieces, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    settle()

    store = Store(settings())
    assert verify_chain(store.audit_entries()) == []

    entry = next(e for e in store.history(dossier_id) if e.action == "envoi")
    key = {"pk": dossier_chain(dossier_id), "sk": entry.seq}
    original = store.audit.get_item(Key=key, ConsistentRead=True)["Item"]["doc"]
    forged = json.loads(original)
    forged["at"] = "2026-01-01T00:00:00.000000+00:00"  # backdating a deposit
    store.audit.update_item(Key=key, UpdateExpression="SET doc = :d",
                            ExpressionAttributeValues={":d": json.dumps(forged)})
    try:
        problems = verify_chain(store.audit_entries())
        assert problems == [
            f"Dossier {dossier_id}, entrée {entry.seq} : le contenu ne correspond pas à son hachage (entrée modifiée)."
        ]
    finally:
        store.audit.update_item(Key=key, UpdateExpression="SET doc = :d", ExpressionAttributeValues={":d": original})
    assert verify_chain(store.audit_entries()) == []
