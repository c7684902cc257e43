"""A sent deposit stays final on the storage side too (issue 11, defect 5), against the local stack."""

from __future__ import annotations

import requests
from ami.adapters.dynamodb import Store
from ami.settings import settings

from infra import pdfgen


def test_a_presigned_post_used_after_the_envoi_changes_nothing_and_sends_no_email(
    ami, register_bailleur, upload_good_pieces, settle, s3
):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    early_form = bailleur.call("POST", f"/dossiers/{dossier_id}/pieces/lettre_offre")  # kept, unused
    settle()
    bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    settle()
    before = bailleur.call("GET", f"/dossiers/{dossier_id}")
    assert before["dossier"]["status"] == "complet" and before["dossier"]["deposit_number"] is not None
    emails_before = ami.emails_to(bailleur.email)

    # the form obtained before the envoi still works at S3 (it cannot be revoked) ...
    fields = {**early_form["fields"], "Content-Type": "application/pdf"}
    response = requests.post(early_form["url"], data=fields, timeout=30,
                             files={"file": ("lettre.pdf", pdfgen.encrypted_pdf(), "application/pdf")})
    assert response.status_code < 300
    settle()

    # ... but the file is no part of the deposit: quarantined with its reason, not examined, not listed
    key = ami.key(bailleur, dossier_id, "lettre_offre")
    quarantined = ami.quarantined_under(key + "/")
    assert len(quarantined) == 1 and ami.quarantine_tags(quarantined[0]) == {"motif": "depot_apres_envoi"}
    after = bailleur.call("GET", f"/dossiers/{dossier_id}")
    assert after["pieces"] == before["pieces"]
    assert after["dossier"] == before["dossier"]
    assert ami.emails_to(bailleur.email) == emails_before  # no « Pièce refusée … envoyez-le de nouveau »
    deposited = before["dossier"]["envoi"]["pieces"]["lettre_offre"]
    current = s3.head_object(Bucket=ami.physical["DepositsBucket"], Key=key)
    assert current["VersionId"] == deposited["version_id"]  # the deposited version is current again
    records = Store(settings()).piece_records(dossier_id)
    assert {v for (_, v) in records} == {p["version_id"] for p in before["dossier"]["envoi"]["pieces"].values()}


def test_the_deposited_versions_are_held_and_cannot_be_deleted(ami, register_bailleur, upload_good_pieces, settle, s3):
    """The pieces intake accepted are held by the numbering, off the envoi's answer path (docs/numbering.md):
    once the pipeline has settled, every deposited version is under legal hold."""
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    sent = bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    assert sent["envoi"]["complete_when_sent"]
    settle()
    assert bailleur.call("GET", f"/dossiers/{dossier_id}")["dossier"]["deposit_number"] is not None
    bucket = ami.physical["DepositsBucket"]
    for piece in sent["envoi"]["pieces"].values():
        hold = s3.get_object_legal_hold(Bucket=bucket, Key=piece["key"], VersionId=piece["version_id"])
        assert hold["LegalHold"]["Status"] == "ON"
        try:
            s3.delete_object(Bucket=bucket, Key=piece["key"], VersionId=piece["version_id"])
        except s3.exceptions.ClientError as exc:
            assert exc.response["Error"]["Code"] == "AccessDenied"
        else:
            raise AssertionError("a deposited version was deleted")
        assert ami.deposit_version_exists(piece["key"], piece["version_id"])
    settle()
