"""The emails of the AMI: what each notification says, to whom, and how it leaves (SES).

One `Notification` becomes one or more `Email`s through `compose`; the wording lives in the Jinja2
templates of `ami/domain/templates/` (`<kind>.subject.txt`, `<kind>.txt`, `<kind>.html`), the text and
HTML versions saying the same things; the SES adapter (`ami.adapters.ses`) sends them. This module
does not log: emails carry amounts and personal
data that must not end up in logs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from ami.domain.dispositif import PARIS, dispositif, paris_text
from ami.domain.models import DEPARTEMENTS_DROM, PIECE_KINDS, Bailleur, Dossier, Notification, NotificationKind
from ami.domain.rules import commune

if TYPE_CHECKING:
    from jinja2 import Environment

NBSP = "\u00a0"

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

FOOTER = "Action Logement Services — {entete}. Ce message est confidentiel. Questions : {mailbox}"
# The heading of the emails of each family of templates (`Dispositif.modeles_courriel`).
ENTETES = {
    "lli": "AMI garantie des prêts logement intermédiaire",
    "drom": "AMI programmation 2024 dans les DROM",
}

LOAN_KINDS = {"foncier": "Prêt foncier", "bati": "Prêt bâti"}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


# ---------------------------------------------------------------- French formatting


def format_euros(amount: Decimal) -> str:
    """`Decimal("1234567.89")` → `1 234 567,89 €`, with no-break spaces (U+00A0)."""
    cents = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    units, _, fraction = f"{abs(cents):.2f}".partition(".")
    return f"{sign}{format_integer(int(units))},{fraction}{NBSP}€"


def format_integer(value: int) -> str:
    """`1234567` → `1 234 567`, with no-break spaces."""
    return f"{value:,}".replace(",", NBSP)


def format_paris(moment: datetime) -> str:
    """An instant as the French read it in Paris: `27 novembre 2026 à 14 h 03 min 07 s (heure de Paris)`.

    Independent of the system locale; a naive datetime is taken as UTC (the models store UTC).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return (
        f"{day} {MOIS[local.month - 1]} {local.year} à "
        f"{local.hour} h {local.minute:02d} min {local.second:02d} s (heure de Paris)"
    )


def format_jour(day: date) -> str:
    """`date(2026, 12, 1)` → `1er décembre 2026`."""
    return f"{'1er' if day.day == 1 else day.day} {MOIS[day.month - 1]} {day.year}"


def format_nombre(value: Decimal) -> str:
    """`Decimal("0.0500")` → `0,05`: a decimal the French way, without trailing zeros."""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def format_bytes(size: int) -> str:
    """A file size in French units: `812 octets`, `45,3 Ko`, `2,4 Mo`."""
    if size < 1024:
        return f"{size}{NBSP}octet{'s' if size > 1 else ''}"
    for unit, factor in (("Ko", 1024), ("Mo", 1024**2), ("Go", 1024**3)):
        value = Decimal(size) / factor
        if value < 1024 or unit == "Go":
            rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            number = str(rounded).removesuffix(".0").replace(".", ",")
            return f"{number}{NBSP}{unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def short_hash(sha256: str) -> str:
    return f"{sha256[:12]}…" if len(sha256) > 12 else sha256


# ---------------------------------------------------------------- templates


@cache
def _environment() -> Environment:
    # Imported here: every function imports this module for its types, only notify renders emails.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("ami.domain", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["euros"] = format_euros
    env.filters["entier"] = format_integer
    env.filters["paris"] = format_paris
    env.filters["octets"] = format_bytes
    env.filters["jour"] = format_jour
    env.filters["nombre"] = format_nombre
    env.filters["empreinte_courte"] = short_hash
    return env


def _render(kind: NotificationKind, context: dict[str, Any], family: str = "lli") -> tuple[str, str, str]:
    """The email of `kind` in the dispositif's family of templates (`templates/<family>/`), or the common one."""
    env = _environment()

    def template(suffix: str) -> Any:
        return env.select_template([f"{family}/{kind}.{suffix}", f"{kind}.{suffix}"])

    subject = template("subject.txt").render(context)
    text = template("txt").render(context)
    html = template("html").render(context)
    # A subject is one line: no header injection through a raison sociale or an operation name.
    return " ".join(subject.split()), text, html


# ---------------------------------------------------------------- context of each kind


def _common(dossier: Dossier, bailleur: Bailleur) -> dict[str, Any]:
    rules = dispositif(dossier.dispositif)
    op = dossier.form.operation
    place = commune(op.commune_insee) if op.commune_insee else None
    entete = ENTETES.get(rules.modeles_courriel, rules.libelle)
    form = dossier.form.programmation
    dep = form.departement if form is not None else None
    return {
        "famille": rules.modeles_courriel,
        "entete": entete,
        "mailbox": rules.mailbox,
        "footer": FOOTER.format(entete=entete, mailbox=rules.mailbox),
        "dispositif": rules.libelle,
        "cloture": paris_text(rules.cloture - timedelta(minutes=1)) if rules.cloture else None,
        "programmation": {
            "departement": dep,
            "departement_nom": DEPARTEMENTS_DROM.get(dep or ""),
            "lignes": [{"filiere": line.filiere, "operations": line.operations, "logements": line.logements,
                        "montant": line.montant_pret_eur} for line in (form.synthese if form else [])],
            "operations": sum(line.operations for line in form.synthese) if form else 0,
            "logements": sum(line.logements for line in form.synthese) if form else 0,
            "montant": sum((line.montant_pret_eur for line in form.synthese), Decimal(0)) if form else Decimal(0),
        },
        "dossier_id": dossier.dossier_id,
        "deposit_number": dossier.deposit_number,
        "deposited_at": format_paris(dossier.envoi.sent_at) if dossier.envoi else None,
        "bailleur": {
            "raison_sociale": bailleur.raison_sociale,
            "siren": bailleur.siren,
            "forme_juridique": rules.form_label(bailleur.forme_juridique) or bailleur.forme_juridique,
            "email": bailleur.email_contact,
        },
        "operation": {
            "nom": op.nom or "non renseigné",
            # « nom » in running text; a brouillon sent without a name still reads correctly.
            "designation": f"« {op.nom} »" if op.nom else "sans nom",
            "adresse": op.adresse,
            "logements": op.logements.total if op.logements else None,
        },
        "commune": {
            "insee": op.commune_insee,
            "nom": place.nom if place else None,
            "zone": place.zone if place else None,
        },
    }


def common_context(dossier: Dossier, bailleur: Bailleur) -> dict[str, Any]:
    """What every email and every document of the lifecycle says of a dossier and its bailleur."""
    return _common(dossier, bailleur)


def environment() -> Environment:
    """The templates' environment (emails and the lifecycle's documents), with the French filters."""
    return _environment()


def _require_deposit(dossier: Dossier, kind: NotificationKind) -> None:
    if dossier.envoi is None or dossier.deposit_number is None:
        raise ValueError(f"{kind}: the dossier {dossier.dossier_id} has no numbered deposit")


def _accuse_reception(n: Notification, dossier: Dossier, bailleur: Bailleur, plateforme_url: str = "") -> list[Email]:
    _require_deposit(dossier, n.kind)
    assert dossier.envoi is not None
    rules = dispositif(dossier.dispositif)
    context = _common(dossier, bailleur)
    # The same receipt as the plateforme's (page and PDF, after sign-in): linked, not attached.
    base = plateforme_url.rstrip("/")
    context["accuse"] = {"page": f"{base}/dossiers/{dossier.dossier_id}/accuse",
                         "pdf": f"{base}/dossiers/{dossier.dossier_id}/accuse.pdf"} if base else None
    context["pieces"] = [
        {
            "libelle": rules.pieces[kind].libelle,
            "sha256": piece.sha256,
            "size": piece.size,
        }
        for kind in rules.piece_kinds
        if (piece := dossier.envoi.pieces.get(kind)) is not None
    ]
    return _to_bailleur(n.kind, bailleur, context)


def _to_bailleur(kind: NotificationKind, bailleur: Bailleur, context: dict[str, Any]) -> list[Email]:
    """The bailleur's email; none once its contact was erased (`ami rgpd effacer`): nobody to write to."""
    return [_email(kind, (bailleur.email_contact,), context)] if bailleur.email_contact else []


def _programmation_complete(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    """A DROM programmation found complete: no number (it is not first come, first served); the delegation of its
    département instructs it."""
    if dossier.envoi is None:
        raise ValueError(f"{n.kind}: the dossier {dossier.dossier_id} was never sent")
    context = _common(dossier, bailleur)
    delegation = dispositif(dossier.dispositif).delegation_of(context["programmation"]["departement"] or "")
    context["delegation"] = delegation.libelle if delegation else None
    return _to_bailleur(n.kind, bailleur, context)


def _nouvelle_programmation(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    if dossier.envoi is None:
        raise ValueError(f"{n.kind}: the dossier {dossier.dossier_id} was never sent")
    context = _common(dossier, bailleur)
    delegation = dispositif(dossier.dispositif).delegation_of(context["programmation"]["departement"] or "")
    context["delegation"] = delegation.libelle if delegation else None
    return [_email(n.kind, (dispositif(dossier.dispositif).mailbox,), context)]


def _dossier_incomplet(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    context = _common(dossier, bailleur)
    context["reasons"] = [reason.message for reason in dossier.incomplete_reasons]
    return _to_bailleur(n.kind, bailleur, context)


def _nouveau_dossier(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    _require_deposit(dossier, n.kind)
    context = _common(dossier, bailleur)
    context["loans"] = [
        {
            "kind": LOAN_KINDS.get(loan.kind, loan.kind),
            "produit": loan.produit,
            "montant": loan.montant_eur,
            "duree_mois": loan.duree_mois,
        }
        for loan in dossier.form.prets
    ]
    context["loan_count"] = len(dossier.form.prets)
    context["loan_total"] = dossier.loan_total
    return [_email(n.kind, (dispositif(dossier.dispositif).mailbox,), context)]


def _piece_refusee(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    piece = next((kind for kind in PIECE_KINDS if kind == n.details.get("piece")), None)
    if piece is None:
        raise ValueError(f"piece_refusee: unknown piece in notification {n.notification_id}")
    rules = dispositif(dossier.dispositif).pieces[piece]
    context = _common(dossier, bailleur)
    context["piece"] = {
        "libelle": rules.libelle,
        "message": n.details.get("message") or "La pièce ne respecte pas les conditions de dépôt.",
        "reason_code": n.details.get("reason_code"),
        "max_size": format_bytes(rules.max_bytes),
        "max_pages": rules.max_pages,
    }
    return _to_bailleur(n.kind, bailleur, context)


def _liste_attente(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    _require_deposit(dossier, n.kind)
    context = _common(dossier, bailleur)
    context["enveloppe"] = format_euros(Decimal(dispositif(dossier.dispositif).enveloppe))
    return _to_bailleur(n.kind, bailleur, context)


def _enveloppe_consommee(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    _require_deposit(dossier, n.kind)
    context = _common(dossier, bailleur)
    context["enveloppe"] = format_euros(Decimal(dispositif(dossier.dispositif).enveloppe))
    context["loan_total"] = dossier.loan_total
    context["principal"] = Decimal(n.details.get("principal", "0"))
    return [_email(n.kind, (dispositif(dossier.dispositif).mailbox,), context)]


def _cycle_de_vie(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    """One step of the lifecycle (ami.domain.lifecycle), told to the bailleur and to the mailbox; the acte also
    to the Banque des Territoires (`destinataire`), its documents attached by the delivery."""
    from ami.domain.jours_ouvres import TERRITOIRE_LIBELLES, dernier_jour
    from ami.domain.lifecycle import STATUS_LABELS, TRANSITIONS

    _require_deposit(dossier, n.kind)
    rules = dispositif(dossier.dispositif)
    etape = n.details.get("etape", "")
    context = _common(dossier, bailleur)
    p = dossier.suivi.proposition
    context.update(
        etape=etape, libelle=TRANSITIONS[etape].libelle if etape in TRANSITIONS else etape,
        statut=STATUS_LABELS[dossier.status], motif=n.details.get("motif"), suivi=dossier.suivi, p=p,
        loan_total=dossier.loan_total, dernier_jour=dernier_jour(p.expire_le) if p else None,
        territoire=TERRITOIRE_LIBELLES[p.territoire] if p else None,
        lien=f"{rules.plateforme_url}/dossiers/{dossier.dossier_id}",
        documents=[{"nom": d.nom, "sha256": d.sha256, "lien": f"{rules.plateforme_url}/dossiers/{dossier.dossier_id}"
                    f"/documents/{d.kind}"} for k in n.details.get("documents", "").split(",") if k
                   and (d := dossier.suivi.documents.get(k)) is not None],
        pour="bailleur",
    )
    emails = _to_bailleur(n.kind, bailleur, context)
    emails.append(_email(n.kind, (rules.mailbox,), {**context, "pour": "als"}))
    if n.details.get("destinataire"):
        emails.append(_email(n.kind, (n.details["destinataire"],), {**context, "pour": "bdt"}))
    return emails


def _liste_attente_levee(n: Notification, dossier: Dossier, bailleur: Bailleur) -> list[Email]:
    _require_deposit(dossier, n.kind)
    context = _common(dossier, bailleur)
    context["loan_total"] = dossier.loan_total
    return [*_to_bailleur(n.kind, bailleur, context),
            _email(n.kind, (dispositif(dossier.dispositif).mailbox,), {**context, "pour": "als"})]


def _email(kind: NotificationKind, to: tuple[str, ...], context: dict[str, Any]) -> Email:
    subject, text, html = _render(kind, context, context["famille"])
    return Email(to=to, subject=subject, text=text, html=html)


_COMPOSERS: dict[NotificationKind, Callable[[Notification, Dossier, Bailleur], list[Email]]] = {
    "accuse_reception": _accuse_reception,
    "dossier_incomplet": _dossier_incomplet,
    "nouveau_dossier": _nouveau_dossier,
    "piece_refusee": _piece_refusee,
    "liste_attente": _liste_attente,
    "enveloppe_consommee": _enveloppe_consommee,
    "programmation_complete": _programmation_complete,
    "nouvelle_programmation": _nouvelle_programmation,
    "cycle_de_vie": _cycle_de_vie,
    "liste_attente_levee": _liste_attente_levee,
}


def compose(n: Notification, dossier: Dossier, bailleur: Bailleur, plateforme_url: str = "") -> list[Email]:
    """The emails that notification `n` sends about `dossier` of `bailleur`; `plateforme_url` (the
    plateforme's origin) gives the links to its pages, such as the accusé de réception."""
    if n.dossier_id != dossier.dossier_id:
        raise ValueError(f"notification {n.notification_id} is not about dossier {dossier.dossier_id}")
    if n.kind == "accuse_reception":
        return _accuse_reception(n, dossier, bailleur, plateforme_url)
    return _COMPOSERS[n.kind](n, dossier, bailleur)
