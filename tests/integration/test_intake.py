"""intake against the local stack: uploads through the presigned POST, S3 notifications through SQS."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from ami.adapters.dynamodb import Store
from ami.settings import settings
from pypdf import PdfReader

from infra import pdfgen

BAD_FILES = {
    "chiffre": pdfgen.encrypted_pdf,
    "pas_un_pdf": pdfgen.not_a_pdf,
    "corrompu": pdfgen.truncated_pdf,
    "sans_page": pdfgen.empty_pdf,
    "vide_octets": lambda: b"",
}


def refused_emails(ami: Any, who: Any) -> list[Any]:
    return [e for e in ami.emails_to(who.email) if "Pièce refusée" in e.subject]


def test_a_good_pdf_is_recorded_with_its_version_hash_and_pages(ami, register_bailleur, settle, s3, digest):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    data = ami.good_pdf(bailleur, "lettre_offre")
    bailleur.upload(dossier_id, "lettre_offre", data, "lettre-offre.pdf")
    settle()

    key = ami.key(bailleur, dossier_id, "lettre_offre")
    head = s3.head_object(Bucket=ami.physical["DepositsBucket"], Key=key)
    records = Store(settings()).piece_records(dossier_id)
    assert list(records) == [("lettre_offre", head["VersionId"])]
    record = records[("lettre_offre", head["VersionId"])]
    assert record.accepted and record.reason_code is None
    assert record.key == key
    assert record.sha256 == digest(data)
    assert record.size == len(data)
    assert record.pages == len(PdfReader(io.BytesIO(data)).pages)

    detail = bailleur.call("GET", f"/dossiers/{dossier_id}")
    assert [(p["piece"], p["version_id"], p["accepted"]) for p in detail["pieces"]] == [
        ("lettre_offre", head["VersionId"], True)
    ]
    assert refused_emails(ami, bailleur) == []


@pytest.fixture(scope="module")
def bad_uploads(ami, register_bailleur, settle) -> dict[str, dict[str, Any]]:
    """One dossier per kind of bad file, each uploaded as its lettre d'offre, then one drain."""
    out = {}
    for code, make in BAD_FILES.items():
        bailleur = register_bailleur()
        dossier_id = ami.new_dossier(bailleur)
        bailleur.upload(dossier_id, "lettre_offre", make(), "lettre-offre.pdf")
        key = ami.key(bailleur, dossier_id, "lettre_offre")
        out[code] = {"bailleur": bailleur, "dossier_id": dossier_id, "key": key}
    settle()
    return out


@pytest.mark.parametrize("code", list(BAD_FILES))
def test_a_bad_file_is_quarantined_and_the_bailleur_told(code, bad_uploads, ami):
    case = bad_uploads[code]
    bailleur, key = case["bailleur"], case["key"]
    records = list(Store(settings()).piece_records(case["dossier_id"]).values())
    assert len(records) == 1
    record = records[0]
    assert not record.accepted
    assert record.reason_code == code
    assert record.message

    assert not ami.deposit_version_exists(key, record.version_id)
    assert ami.quarantine_tags(f"{key}/{record.version_id}") == {"motif": code}
    assert ami.quarantined_under(key) == [f"{key}/{record.version_id}"]

    emails = refused_emails(ami, bailleur)
    assert len(emails) == 1
    assert "Lettre d'offre" in emails[0].subject

    detail = bailleur.call("GET", f"/dossiers/{case['dossier_id']}")
    assert [(p["accepted"], p["reason_code"]) for p in detail["pieces"]] == [(False, code)]


def test_objects_outside_any_known_dossier_are_quarantined(ami, register_bailleur, settle, s3):
    bailleur = register_bailleur()
    other = register_bailleur()
    real_dossier = ami.new_dossier(bailleur)
    data = ami.good_pdf(bailleur, "lettre_offre")
    bucket = ami.physical["DepositsBucket"]
    stray = {
        "dossier inconnu": f"bailleurs/{bailleur.siren}/{uuid.uuid4().hex}/lettre_offre.pdf",
        "hors du plan de clés": f"bailleurs/{uuid.uuid4().hex[:8]}/y.pdf",
        "dossier d'un autre bailleur": f"bailleurs/{other.siren}/{real_dossier}/lettre_offre.pdf",
    }
    versions = {name: s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/pdf")["VersionId"]
                for name, key in stray.items()}
    outside = f"archives/{uuid.uuid4().hex}.pdf"  # not under the notification's prefix `bailleurs/`
    s3.put_object(Bucket=bucket, Key=outside, Body=data, ContentType="application/pdf")
    settle()

    for name, key in stray.items():
        assert not ami.deposit_version_exists(key, versions[name]), name
        assert ami.quarantine_tags(f"{key}/{versions[name]}") == {"motif": "cle_inconnue"}, name
    assert Store(settings()).piece_records(real_dossier) == {}
    assert ami.quarantined_under(outside) == []
    assert s3.head_object(Bucket=bucket, Key=outside)["ContentLength"] == len(data)
    assert refused_emails(ami, bailleur) == [] and refused_emails(ami, other) == []


def test_the_s3_test_event_is_skipped_without_error(ami):
    body = ('{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-27T06:00:00.000Z",'
            f'"Bucket":"{ami.physical["DepositsBucket"]}","RequestId":"ESSAI","HostId":"essai"}}')
    response = ami.invoke("IntakeFunction", [body])
    assert response == {"batchItemFailures": []}


def test_duplicate_s3_notifications_change_nothing(ami, register_bailleur, settle, s3):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    bailleur.upload(dossier_id, "lettre_offre", pdfgen.truncated_pdf(), "lettre-offre.pdf")
    good = ami.good_pdf(bailleur, "dossier_presentation")
    bailleur.upload(dossier_id, "dossier_presentation", good, "presentation.pdf")
    settle()  # S3's own notifications are processed first

    records = Store(settings()).piece_records(dossier_id)
    refused = next(r for r in records.values() if r.piece == "lettre_offre")
    accepted = next(r for r in records.values() if r.piece == "dossier_presentation")
    good_head = s3.head_object(Bucket=ami.physical["DepositsBucket"], Key=accepted.key)
    again = [
        ami.s3_notification(refused.key, refused.version_id, refused.size, "d41d8cd98f00b204e9800998ecf8427e"),
        ami.s3_notification(accepted.key, accepted.version_id, accepted.size, good_head["ETag"]),
    ]
    for _ in range(2):  # the same event, delivered twice more
        assert ami.invoke("IntakeFunction", again) == {"batchItemFailures": []}
    settle()

    assert Store(settings()).piece_records(dossier_id) == records
    assert ami.quarantined_under(refused.key) == [f"{refused.key}/{refused.version_id}"]
    assert ami.deposit_version_exists(accepted.key, accepted.version_id)
    assert len(refused_emails(ami, bailleur)) == 1
