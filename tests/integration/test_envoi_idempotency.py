"""An envoi's outcome is never ambiguous (issue 16): a request repeated with the same idempotency key
answers the deposit it recorded, with its time, instead of a conflict; another key is a conflict."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.client import ApiError


def test_a_repeated_envoi_answers_its_original_outcome(register_bailleur, ami, upload_good_pieces, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = bailleur.call("POST", f"/dossiers/{dossier_id}/envoi", headers=key)
    again = bailleur.call("POST", f"/dossiers/{dossier_id}/envoi", headers=key)
    assert again["envoi"] == first["envoi"] and again["envoi"]["idempotency_key"] == key["Idempotency-Key"]
    with pytest.raises(ApiError) as other:
        bailleur.call("POST", f"/dossiers/{dossier_id}/envoi", headers={"Idempotency-Key": uuid.uuid4().hex})
    assert other.value.status == 409 and other.value.payload["code"] == "envoi_impossible"
    shown = bailleur.call("GET", f"/dossiers/{dossier_id}")["dossier"]
    assert shown["envoi"]["sent_at"] == first["envoi"]["sent_at"]
    settle()
    numbered = bailleur.call("POST", f"/dossiers/{dossier_id}/envoi", headers=key)  # even once numbered
    assert numbered["envoi"]["envoi_id"] == first["envoi"]["envoi_id"] and numbered["status"] == "complet"


def test_the_same_click_sent_twice_at_once_records_one_deposit(register_bailleur, ami, upload_good_pieces, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: bailleur.call("POST", f"/dossiers/{dossier_id}/envoi", headers=key),
                                range(4)))
    assert len({a["envoi"]["envoi_id"] for a in answers}) == 1
    settle()
    history = bailleur.call("GET", f"/dossiers/{dossier_id}/historique")
    assert [h["action"] for h in history].count("envoi") == 1


def test_a_malformed_key_is_refused_in_french(register_bailleur, ami):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    with pytest.raises(ApiError) as bad:
        bailleur.call("POST", f"/dossiers/{dossier_id}/envoi", headers={"Idempotency-Key": "court"})
    assert bad.value.status == 422 and bad.value.payload["code"] == "cle_idempotence_invalide"
    assert "clé d'idempotence" in bad.value.payload["message"]
    assert bailleur.call("GET", f"/dossiers/{dossier_id}")["dossier"]["status"] == "brouillon"
