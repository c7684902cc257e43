"""Emails of the notify function: wording, recipients, French formatting, HTML escaping, SES."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

import pytest
from ami.domain.dispositif import dispositif
from ami.domain.models import (
    Bailleur,
    DepositedPiece,
    Dossier,
    DossierForm,
    DossierStatus,
    Envoi,
    Loan,
    Logements,
    Notification,
    NotificationKind,
    Operation,
    Reason,
)
from ami.domain.notifications import Email, compose, format_bytes, format_euros, format_paris

NBSP = "\u00a0"
MAILBOX = "ami.garantie@actionlogement.fr"
SHA_OFFRE = "9f2c4e1b7a3d5f60" + "a" * 48
SHA_PRESENTATION = "0b1d2e3f4a5b6c7d" + "b" * 48
WINTER = datetime(2026, 11, 27, 13, 3, 7, tzinfo=UTC)  # UTC+1
WINTER_PARIS = "27 novembre 2026 à 14 h 03 min 07 s (heure de Paris)"


def make_bailleur(raison_sociale: str = "Habitat Intermédiaire du Rhône") -> Bailleur:
    return Bailleur(
        raison_sociale=raison_sociale,
        siren="732829320",
        forme_juridique="sa_hlm",
        adresse="12 rue de la République, 69002 Lyon",
        email_contact="contact@hir-habitat.fr",
        registered_at=datetime(2026, 10, 1, 8, 0, tzinfo=UTC),
    )


def make_dossier(
    *,
    sent_at: datetime = WINTER,
    deposit_number: int | None = 1287,
    status: DossierStatus = DossierStatus.COMPLET,
    reasons: list[Reason] | None = None,
    nom: str = "Résidence Les Tilleuls",
) -> Dossier:
    return Dossier(
        dossier_id="dos-01JD5Z8K",
        siren="732829320",
        status=status,
        form=DossierForm(
            operation=Operation(
                nom=nom,
                commune_insee="69123",
                adresse="45 avenue Berthelot, 69007 Lyon",
                logements=Logements(t2=20, t3=15, t4=7),
                surface_habitable_m2=Decimal("2950.50"),
                surface_utile_m2=Decimal("3010.00"),
                loyer_mensuel_total_eur=Decimal("41250.00"),
            ),
            prets=[
                Loan(
                    kind="foncier",
                    montant_eur=Decimal("1234567.89"),
                    duree_mois=720,
                    marge_pct=Decimal("0.60"),
                ),
                Loan(
                    kind="bati", montant_eur=Decimal("6543210.00"), duree_mois=480, marge_pct=Decimal("0.60")
                ),
            ],
        ),
        created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        updated_at=sent_at,
        envoi=Envoi(
            envoi_id="env-1",
            sent_at=sent_at,
            pieces={
                "lettre_offre": DepositedPiece(
                    key="k/lettre_offre.pdf", version_id="v1", sha256=SHA_OFFRE, size=845_123
                ),
                "dossier_presentation": DepositedPiece(
                    key="k/dossier_presentation.pdf",
                    version_id="v2",
                    sha256=SHA_PRESENTATION,
                    size=12_400_000,
                ),
            },
        ),
        deposit_number=deposit_number,
        incomplete_reasons=reasons or [],
    )


def notification(kind: NotificationKind, **details: str) -> Notification:
    return Notification(notification_id=f"n-{kind}", kind=kind, dossier_id="dos-01JD5Z8K", details=details)


def only(emails: list[Email]) -> Email:
    assert len(emails) == 1
    return emails[0]


def bodies(email: Email) -> tuple[str, str]:
    """The text body and the HTML body as a reader sees it (entities decoded)."""
    return email.text, unescape(email.html)


# ---------------------------------------------------------------- French formatting


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0"), f"0,00{NBSP}€"),
        (Decimal("1234567.89"), f"1{NBSP}234{NBSP}567,89{NBSP}€"),
        (Decimal("12.5"), f"12,50{NBSP}€"),
        (Decimal("999.999"), f"1{NBSP}000,00{NBSP}€"),
        (Decimal("1000"), f"1{NBSP}000,00{NBSP}€"),
        (Decimal("-1500.25"), f"-1{NBSP}500,25{NBSP}€"),
    ],
)
def test_format_euros(amount: Decimal, expected: str) -> None:
    assert format_euros(amount) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (WINTER, WINTER_PARIS),
        # Summer time (UTC+2).
        (datetime(2026, 7, 14, 8, 5, 9, tzinfo=UTC), "14 juillet 2026 à 10 h 05 min 09 s (heure de Paris)"),
        # The night of the change to summer time: 00:30 UTC is already 01:30 in Paris (UTC+1) and
        # 01:30 UTC is 03:30 (UTC+2).
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29 mars 2026 à 1 h 30 min 00 s (heure de Paris)"),
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "29 mars 2026 à 3 h 30 min 00 s (heure de Paris)"),
        # Crossing into a new year in Paris only.
        (datetime(2026, 12, 31, 23, 0, 1, tzinfo=UTC), "1er janvier 2027 à 0 h 00 min 01 s (heure de Paris)"),
        (datetime(2026, 8, 15, 10, 0), "15 août 2026 à 12 h 00 min 00 s (heure de Paris)"),  # naive = UTC
    ],
)
def test_format_paris(moment: datetime, expected: str) -> None:
    assert format_paris(moment) == expected


def test_format_bytes() -> None:
    assert format_bytes(1) == f"1{NBSP}octet"
    assert format_bytes(812) == f"812{NBSP}octets"
    assert format_bytes(26_214_400) == f"25{NBSP}Mo"
    assert format_bytes(845_123) == f"825,3{NBSP}Ko"


# ---------------------------------------------------------------- accusé de réception


def test_accuse_reception() -> None:
    email = only(compose(notification("accuse_reception"), make_dossier(), make_bailleur()))

    assert email.to == ("contact@hir-habitat.fr",)
    assert email.subject == "AMI garantie – Accusé de réception de votre dossier complet n° 1287"
    assert "Numéro de dépôt : 1287" in email.text
    assert 'Numéro de dépôt</td><td style="padding:4px 0; font-weight:bold;">1287<' in email.html
    for body in bodies(email):
        assert WINTER_PARIS in body
        assert "Résidence Les Tilleuls" in body
        assert "Lyon (69123)" in body
        assert dispositif().pieces["lettre_offre"].libelle in body
        assert dispositif().pieces["dossier_presentation"].libelle in body
        assert "instruits dans l’ordre de leur numéro de dépôt" in body
        assert "Action Logement Services — AMI garantie des prêts logement intermédiaire" in body
        assert MAILBOX in body
    # The full hashes in the text, their short form in the HTML.
    assert SHA_OFFRE in email.text
    assert SHA_PRESENTATION in email.text
    assert f"{SHA_OFFRE[:12]}…" in email.html
    assert "#E2001A" in email.html


def test_accuse_reception_links_to_the_receipt_on_the_plateforme() -> None:
    dossier = make_dossier()
    email = only(compose(notification("accuse_reception"), dossier, make_bailleur(), "https://ami.example.fr/"))
    page = f"https://ami.example.fr/dossiers/{dossier.dossier_id}/accuse"
    assert f"- page : {page}\n" in email.text and f"- PDF : {page}.pdf\n" in email.text
    assert f'<a href="{page}.pdf"' in email.html and f'<a href="{page}"' in email.html
    # Without the plateforme's address (a notify function not given it), no link rather than a broken one.
    bare = only(compose(notification("accuse_reception"), dossier, make_bailleur()))
    assert "/accuse" not in bare.text and "/accuse" not in bare.html


def test_accuse_reception_summer_time() -> None:
    dossier = make_dossier(sent_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    email = only(compose(notification("accuse_reception"), dossier, make_bailleur()))
    assert "29 mars 2026 à 1 h 30 min 00 s (heure de Paris)" in email.text
    assert "29 mars 2026 à 1 h 30 min 00 s (heure de Paris)" in email.html


def test_accuse_reception_requires_a_numbered_deposit() -> None:
    with pytest.raises(ValueError, match="no numbered deposit"):
        compose(notification("accuse_reception"), make_dossier(deposit_number=None), make_bailleur())


# ---------------------------------------------------------------- dossier incomplet


def test_dossier_incomplet() -> None:
    reasons = [
        Reason(code="piece_manquante_lettre_offre", message="Pièce manquante : Lettre d'offre de la BdT."),
        Reason(
            code="formulaire_surfaces",
            message="La surface utile ne peut pas être inférieure à la surface habitable.",
        ),
    ]
    dossier = make_dossier(deposit_number=None, status=DossierStatus.INCOMPLET, reasons=reasons)
    email = only(compose(notification("dossier_incomplet"), dossier, make_bailleur()))

    assert email.to == ("contact@hir-habitat.fr",)
    assert email.subject == "AMI garantie – Votre dossier « Résidence Les Tilleuls » est incomplet"
    assert "Pièce manquante : Lettre d&#39;offre de la BdT." in email.html
    assert "1287" not in email.text + email.html  # no number for an incomplete dossier
    for body in bodies(email):
        assert "Pièce manquante : Lettre d'offre de la BdT." in body
        assert "La surface utile ne peut pas être inférieure à la surface habitable." in body
        assert "envoyez de nouveau votre dossier" in body
        assert "un nouvel envoi constitue un nouveau dépôt" in body
        assert WINTER_PARIS in body


def test_dossier_incomplet_with_an_empty_form() -> None:
    dossier = make_dossier(deposit_number=None, status=DossierStatus.INCOMPLET)
    dossier = dossier.model_copy(
        update={
            "form": DossierForm(),
            "incomplete_reasons": [Reason(code="formulaire_nom", message="Formulaire incomplet : le nom.")],
        }
    )
    email = only(compose(notification("dossier_incomplet"), dossier, make_bailleur()))

    assert email.subject == "AMI garantie – Votre dossier sans nom est incomplet"
    for body in bodies(email):
        assert "pour l’opération sans nom, envoyée le" in body
        assert "Formulaire incomplet : le nom." in body


# ---------------------------------------------------------------- nouveau dossier


def test_nouveau_dossier() -> None:
    email = only(compose(notification("nouveau_dossier"), make_dossier(), make_bailleur()))
    total = f"7{NBSP}777{NBSP}777,89{NBSP}€"

    assert email.to == (MAILBOX,)
    assert email.subject == (
        "AMI garantie – Nouveau dossier complet n° 1287 – Habitat Intermédiaire du Rhône – Lyon"
    )
    assert "Numéro de dépôt : 1287" in email.text
    assert "Nombre de logements : 42" in email.text
    assert 'Numéro de dépôt</td><td style="padding:4px 0; font-weight:bold;">1287<' in email.html
    assert 'Nombre de logements</td><td style="padding:4px 0;">42<' in email.html
    assert "SA d&#39;HLM (art. L.422-2 du CCH)" in email.html
    for body in bodies(email):
        assert WINTER_PARIS in body
        assert "Habitat Intermédiaire du Rhône" in body
        assert "732829320" in body
        assert "SA d'HLM (art. L.422-2 du CCH)" in body
        assert "Lyon (INSEE 69123) – zone A" in body
        assert "2 prêts" in body
        assert total in body
        assert f"1{NBSP}234{NBSP}567,89{NBSP}€" in body
        assert "Veuillez agréer" not in body  # an internal message, not a letter


def test_nouveau_dossier_escapes_html() -> None:
    bailleur = make_bailleur(raison_sociale="Bailleur <script>alert('x')</script> & Cie")
    email = only(compose(notification("nouveau_dossier"), make_dossier(), bailleur))

    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Cie" in email.html
    # The text version is plain text: nothing to escape.
    assert "Bailleur <script>alert('x')</script> & Cie" in email.text


def test_subject_is_one_line() -> None:
    # The API refuses line breaks in a name now (ami.domain.textsafety);
    # one stored before must still stay out of headers.
    d = make_dossier()
    op = d.form.operation.model_copy(update={"nom": "Résidence\r\nBcc: victim@example.com"})
    dossier = d.model_copy(update={"form": d.form.model_copy(update={"operation": op})})
    email = only(compose(notification("dossier_incomplet"), dossier, make_bailleur()))
    assert "\n" not in email.subject
    assert "\r" not in email.subject


# ---------------------------------------------------------------- pièce refusée


def test_piece_refusee() -> None:
    n = notification(
        "piece_refusee",
        piece="dossier_presentation",
        message="Le fichier compte 412 pages ; 300 pages au maximum sont admises.",
        reason_code="trop_de_pages",
    )
    email = only(compose(n, make_dossier(deposit_number=None), make_bailleur()))

    assert email.to == ("contact@hir-habitat.fr",)
    assert email.subject == "AMI garantie – Pièce refusée : Dossier de présentation de l'opération"
    for body in bodies(email):
        assert "Dossier de présentation de l'opération" in body
        assert "Le fichier compte 412 pages ; 300 pages au maximum sont admises." in body
        assert "trop_de_pages" in body
        assert f"25{NBSP}Mo" in body
        assert "300 pages au maximum" in body
        assert "nouvelle version conforme" in body


def test_piece_refusee_unknown_piece() -> None:
    with pytest.raises(ValueError, match="unknown piece"):
        compose(notification("piece_refusee", piece="bilan"), make_dossier(), make_bailleur())


def test_notification_of_another_dossier_is_refused() -> None:
    n = Notification(notification_id="n", kind="accuse_reception", dossier_id="autre")
    with pytest.raises(ValueError, match="not about dossier"):
        compose(n, make_dossier(), make_bailleur())


@pytest.mark.parametrize("kind", ["liste_attente", "enveloppe_consommee"])
def test_envelope_emails_say_only_what_is_true(kind: NotificationKind) -> None:
    """Nothing is « garanti » before the acte; a place frees only when a dossier leaves the instruction."""
    import re

    n = Notification(notification_id=f"{kind}-1", kind=kind, dossier_id="dos-01JD5Z8K",
                     details={"principal": "599000000"})
    (email,) = compose(n, make_dossier(), make_bailleur())
    for body in (email.text, unescape(email.html)):
        said = re.findall(r"\S*\s?garanti\w*", body)
        assert all(w.endswith("garantir") or w.endswith("garantie") or w == "n’est garanti" for w in said), said
        assert "quitte l’instruction (refus, expiration de la proposition ou retrait)" in body
        assert "capacités se libèrent" not in body and "déjà garanti " not in body
    if kind == "enveloppe_consommee":
        assert "sont déjà réservés par les dossiers numérotés avant lui" in email.text
        assert "rien n’est garanti avant l’acte de cautionnement" in email.text
