"""pydantic's validation errors, field by field, in French (DESIGN.md §8: never a library's English message).

Each error names its field with the label the forms use (« Nom de l'opération »), says what is wrong
and never repeats the value sent (it may be a password, or the very character that was refused).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ami.domain import textsafety

LABELS: dict[str, str] = {
    # identification form
    "raison_sociale": "Raison sociale",
    "siren": "SIREN",
    "forme_juridique": "Forme juridique",
    "adresse": "Adresse",
    "email_contact": "Adresse électronique de contact",
    "mot_de_passe": "Mot de passe",
    # operation form
    "operation": "Opération",
    "operation.nom": "Nom de l'opération",
    "operation.commune_insee": "Code INSEE de la commune",
    "operation.adresse": "Adresse de l'opération",
    "operation.logements": "Logements",
    "operation.surface_habitable_m2": "Surface habitable",
    "operation.surface_utile_m2": "Surface utile",
    "operation.loyer_mensuel_total_eur": "Loyer mensuel total",
    "operation.date_debut_travaux": "Date de début des travaux",
    "prets": "Prêts",
    # score override
    "points": "Points",
    "justification": "Justification",
}
TYPOLOGIES = {"t1": "T1", "t1_bis": "T1 bis", "t2": "T2", "t3": "T3", "t4": "T4", "t5": "T5", "t6_plus": "T6+"}
LOAN_FIELDS = {
    "kind": "nature (foncier ou bâti)",
    "produit": "produit",
    "montant_eur": "montant",
    "duree_mois": "durée en mois",
    "index": "index",
    "marge_pct": "marge",
}
PATTERNS = {
    "siren": "doit comporter 9 chiffres",
    "operation.commune_insee": "doit être un code INSEE de 5 caractères (2A ou 2B pour la Corse)",
    "email_contact": "n'est pas une adresse électronique valide",
}

MESSAGES: dict[str, str] = {
    "missing": "est obligatoire",
    "extra_forbidden": "n'est pas un champ attendu, retirez-le",
    "string_type": "doit être un texte",
    "string_pattern_mismatch": "n'a pas le format attendu",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "decimal_type": "doit être un nombre",
    "decimal_parsing": "doit être un nombre",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "finite_number": "doit être un nombre fini",
    "decimal_max_digits": "comporte trop de chiffres (au plus {max_digits})",
    "decimal_max_places": "comporte trop de décimales (au plus {decimal_places})",
    "decimal_whole_digits": "comporte trop de chiffres avant la virgule",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "literal_error": "doit valoir {expected}",
    "enum": "doit valoir {expected}",
    "date_type": "doit être une date au format AAAA-MM-JJ",
    "date_parsing": "doit être une date au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "doit être une date au format AAAA-MM-JJ",
    "date_from_datetime_inexact": "doit être une date au format AAAA-MM-JJ, sans heure",
    "list_type": "doit être une liste",
    "model_type": "doit être un objet",
    "model_attributes_type": "doit être un objet",
    "dict_type": "doit être un objet",
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    textsafety.CONTROL: "contient un caractère de contrôle ({caractere}), retirez-le",
    textsafety.INVISIBLE: "contient un caractère invisible ({caractere}), retirez-le",
    textsafety.DIRECTION: "contient un caractère qui change le sens d'écriture ({caractere}), retirez-le",
    textsafety.LINE_BREAK: "doit tenir sur une ligne (retour à la ligne {caractere}), retirez-le",
}


NESTED_LABELS: dict[str, str] = {
    # the operation form's detail (titles of ami.domain.models, shortened where the path says the rest)
    "operation.lignes": "Détail des logements",
    "operation.transport": "Desserte en transports en commun",
    "operation.transport.distance_m": "Distance à pied jusqu'à l'arrêt de transport en commun le plus proche",
    "operation.transport.voir_page": "Desserte en transports, page du dossier de présentation",
    "operation.services_proximite": "Services de proximité",
    "operation.services_proximite.rayon_m": "Services de proximité, distance à pied retenue",
    "operation.services_proximite.services": "Services de proximité",
    "operation.services_proximite.voir_page": "Services de proximité, page du dossier de présentation",
    "operation.qualite_construction": "Qualité de construction",
    "operation.qualite_construction.classe_dpe": "Classe DPE",
    "operation.qualite_construction.label_vise": "Label visé",
    "operation.qualite_construction.voir_page": "Qualité de construction, page du dossier de présentation",
    # the lifecycle's steps (EtapeIn, FibenIn)
    "seance": "Séance", "seance.libelle": "Libellé de la séance", "seance.le": "Date de la séance",
    "justification": "Motif de la décision", "qualite": "Qualité du programme",
    "paiement": "Règlement de la prime", "paiement.montant_eur": "Montant réglé",
    "paiement.regle_le": "Date du règlement", "paiement.reference": "Référence du virement",
    "cote": "Cotation FIBEN", "date_cotation": "Date de la cotation",
}
LINE_FIELDS = {
    "typologie": "typologie",
    "nombre": "nombre de logements",
    "surface_habitable_m2": "surface habitable d'un logement",
    "surface_utile_m2": "surface utile d'un logement",
    "loyer_mensuel_eur": "loyer mensuel d'un logement",
}


def dotted(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def label(loc: tuple[int | str, ...]) -> str:
    """The field's name as the forms show it; its dotted path when the forms have no name for it."""
    path = dotted(loc)
    if path in LABELS:
        return LABELS[path]
    if len(loc) == 3 and loc[:2] == ("operation", "logements") and str(loc[2]) in TYPOLOGIES:
        return f"Logements {TYPOLOGIES[str(loc[2])]}"
    if path in NESTED_LABELS:
        return NESTED_LABELS[path]
    if len(loc) >= 3 and loc[:2] == ("operation", "lignes") and isinstance(loc[2], int):
        line = f"Détail des logements, ligne {loc[2] + 1}"
        if len(loc) == 3:
            return line
        return f"{line}, {LINE_FIELDS.get(str(loc[3]), dotted(loc[3:]))}"
    if len(loc) >= 2 and loc[0] == "prets" and isinstance(loc[1], int):
        loan = f"Prêt n° {loc[1] + 1}"
        if len(loc) == 2:
            return loan
        return f"{loan}, {LOAN_FIELDS.get(str(loc[2]), dotted(loc[2:]))}"
    return f"Champ « {path} »"


def _number(value: Any) -> str:
    if isinstance(value, Decimal | float | int):
        return str(value).replace(".", ",")
    return str(value)


def _count(n: Any, one: str, many: str) -> str:
    return f"{n} {one if int(n) <= 1 else many}"


def problem(error: Any) -> str:
    """What is wrong, after the field's label (« est obligatoire »)."""
    kind = str(error.get("type"))
    if kind.startswith("ami_"):
        return str(error.get("msg"))  # raised by the form model itself, already in French
    ctx = {k: _number(v) for k, v in (error.get("ctx") or {}).items()}
    if kind == "string_pattern_mismatch":
        return PATTERNS.get(dotted(tuple(error["loc"])), MESSAGES[kind])
    if kind == "string_too_short":
        return f"doit comporter au moins {_count(ctx.get('min_length', 1), 'caractère', 'caractères')}"
    if kind == "string_too_long":
        return f"ne doit pas dépasser {_count(ctx.get('max_length', 0), 'caractère', 'caractères')}"
    if kind == "too_long":
        return f"comporte trop d'éléments (au plus {ctx.get('max_length', '?')})"
    if kind == "too_short":
        return f"comporte trop peu d'éléments (au moins {ctx.get('min_length', '?')})"
    if kind in ("literal_error", "enum") and "expected" in ctx:
        ctx["expected"] = ctx["expected"].replace(" or ", " ou ")
    template = MESSAGES.get(kind)
    if template is None:
        return "est invalide"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split(" (", 1)[0].split(" {", 1)[0]


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """One entry per error: `champ` (dotted path), `loc`, `type` and `msg`, a French sentence; never the input."""
    out = []
    for e in exc.errors(include_url=False, include_context=True, include_input=False):
        loc = tuple(e["loc"])
        out.append({
            "champ": dotted(loc),
            "loc": list(loc),
            "msg": f"{label(loc)} : {problem(e)}.",
            "type": e["type"],
        })
    return out


def summary(errors: list[dict[str, Any]]) -> str:
    """The answer's message: the one error itself, or how many there are and the first one."""
    if len(errors) == 1:
        return str(errors[0]["msg"])
    if not errors:
        return "Les données envoyées sont invalides."
    return f"Les données envoyées comportent {len(errors)} erreurs. Première erreur : {errors[0]['msg']}"
