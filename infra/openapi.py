"""OpenAPI 3.1 description of the HTTP API, generated from the Chalice routes and the pydantic models.

    python -m infra.openapi > openapi.yaml

tests/unit/test_openapi.py checks that the committed openapi.yaml is exactly what this builds, and
that every route is documented, so the description cannot drift from the code.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

FUNCTIONS = str(Path(__file__).resolve().parents[1] / "functions")
if FUNCTIONS not in sys.path:
    sys.path.insert(0, FUNCTIONS)

from ami.domain.dispositif import EligibleForm  # noqa: E402
from ami.domain.documents import DOCUMENTS  # noqa: E402
from ami.domain.envelope import Enveloppe  # noqa: E402
from ami.domain.lifecycle import TRANSITIONS  # noqa: E402
from ami.domain.models import (  # noqa: E402
    PIECE_KINDS,
    Bailleur,
    BailleurRegistration,
    Dossier,
    DossierForm,
    EtapeIn,
    FibenIn,
    HistoryEntry,
    NouveauDossier,
    RegistrationConfirmation,
    RegistrationPending,
)
from api import schemas as api  # noqa: E402
from api.app import app as chalice_app  # noqa: E402
from chalice.app import CognitoUserPoolAuthorizer  # noqa: E402

REF = "#/components/schemas/{model}"
SECURITY_SCHEME = "cognito"


@dataclass(frozen=True)
class Doc:
    summary: str
    status: int
    response: type[BaseModel] | None
    many: bool = False
    request: type[BaseModel] | None = None
    errors: dict[int, str] = field(default_factory=dict)
    tag: str = "bailleurs"
    headers: tuple[dict[str, Any], ...] = ()


NOT_FOUND = {404: "Dossier introuvable (ou dossier d'un autre bailleur)"}

ROUTES: dict[tuple[str, str], Doc] = {
    ("/inscription", "POST"): Doc(
        "Demander l'inscription d'un bailleur : le SIREN est vérifié au répertoire Sirene, un code est "
        "envoyé à l'adresse de contact",
        202,
        RegistrationPending,
        request=BailleurRegistration,
        errors={409: "SIREN déjà inscrit, compte existant ou inscription en attente de son code",
                503: "Répertoire Sirene indisponible"},
        tag="public",
    ),
    ("/inscription/confirmation", "POST"): Doc(
        "Confirmer l'adresse de contact avec le code reçu : le compte et la fiche du bailleur sont créés",
        201,
        Bailleur,
        request=RegistrationConfirmation,
        errors={409: "SIREN inscrit entre-temps par un autre compte"},
        tag="public",
    ),
    ("/formes-juridiques", "GET"): Doc(
        "Formes juridiques éligibles à l'AMI", 200, EligibleForm, many=True, tag="public"
    ),
    ("/dispositifs", "GET"): Doc(
        "Dispositifs ouverts au dépôt, avec leurs pièces et leur bibliothèque de téléchargement",
        200, api.DispositifOut, many=True, tag="public",
    ),
    ("/bailleur", "GET"): Doc(
        "Fiche du bailleur connecté", 200, Bailleur, errors={404: "Bailleur non inscrit"}
    ),
    ("/dossiers", "GET"): Doc("Dossiers du bailleur connecté", 200, Dossier, many=True),
    ("/dossiers", "POST"): Doc(
        "Créer un dossier (brouillon) dans le dispositif choisi",
        201,
        Dossier,
        request=NouveauDossier,
        errors={403: "Bailleur non inscrit",
                409: "Dispositif clos (ou pas encore ouvert) au dépôt, ou programmation DROM déjà créée pour ce "
                "département",
                422: "Formulaire invalide ou dispositif inconnu"},
    ),
    ("/dossiers/{dossier_id}", "GET"): Doc(
        "Lire un dossier, ses pièces et ce qui lui manque", 200, api.DossierDetail, errors=NOT_FOUND
    ),
    ("/dossiers/{dossier_id}", "PUT"): Doc(
        "Modifier le formulaire d'un dossier (brouillon ou incomplet)",
        200,
        Dossier,
        request=DossierForm,
        errors={**NOT_FOUND, 409: "Dossier non modifiable ou modifié entre-temps, ou programmation DROM déjà "
                "créée pour ce département"},
    ),
    ("/dossiers/{dossier_id}/pieces/{piece}", "POST"): Doc(
        "Obtenir un formulaire de dépôt présigné (POST S3) pour une pièce",
        200,
        api.UploadFormOut,
        errors={404: "Dossier ou pièce inconnus", 409: "Dossier non modifiable"},
    ),
    ("/dossiers/{dossier_id}/envoi", "POST"): Doc(
        "Envoyer le dossier : dépôt définitif, horodaté, contrôle de complétude à suivre",
        202,
        api.EnvoiAccepted,
        errors={
            **NOT_FOUND,
            409: "Dossier déjà envoyé (par une autre requête que celle de cette clé d'idempotence)",
            422: "Clé d'idempotence invalide",
            503: "Service momentanément surchargé : rien n'est enregistré, envoyez de nouveau",
        },
        headers=(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Une clé par clic d'envoi : la même requête répétée avec la même clé (réponse "
                "perdue, délai dépassé) redonne le dépôt qu'elle a enregistré, avec sa date d'envoi, au lieu "
                "d'un conflit.",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,128}$"},
            },
        ),
    ),
    ("/dossiers/{dossier_id}/historique", "GET"): Doc(
        "Historique du dossier", 200, HistoryEntry, many=True, errors=NOT_FOUND
    ),
    ("/instruction/programmations", "GET"): Doc(
        "Programmations DROM envoyées : celles des départements de la délégation de l'instructeur (groupe "
        "delegation-<code>), toutes pour un instructeur national",
        200,
        api.ProgrammationRow,
        many=True,
        tag="instruction",
    ),
    ("/instruction/dossiers", "GET"): Doc(
        "Dossiers numérotés, dans l'ordre des numéros de dépôt",
        200,
        api.InstructionRow,
        many=True,
        tag="instruction",
    ),
    ("/instruction/dossiers/{dossier_id}", "GET"): Doc(
        "Dossier complet pour l'instruction, avec les liens de téléchargement des pièces déposées",
        200,
        api.InstructionDossier,
        errors={404: "Dossier introuvable"},
        tag="instruction",
    ),
    ("/instruction/dossiers/{dossier_id}/score/{critere}", "PUT"): Doc(
        "Surcharger les points d'un critère du score de priorité 2 (justification obligatoire, auditée)",
        200,
        api.ScoreOut,
        request=api.ScoreOverrideIn,
        errors={404: "Dossier ou critère introuvable", 409: "Dossier modifié entre-temps"},
        tag="instruction",
    ),
    ("/instruction/enveloppe", "GET"): Doc(
        "Consommation de l'enveloppe : dossiers numérotés, à avis CCN favorable, restant ; par région et zone",
        200,
        Enveloppe,
        tag="instruction",
    ),
    ("/instruction/registre", "GET"): Doc(
        "Générer le registre Excel de la CCN (paramètre ccn=AAAA-MM-JJ, ou seance=identifiant de la séance) et "
        "obtenir un lien de courte durée",
        200,
        api.RegistreLink,
        errors={422: "Date de CCN absente ou invalide, ou séance inconnue"},
        tag="instruction",
    ),
    ("/instruction/travail", "GET"): Doc(
        "La liste de travail des instructeurs, dans l'ordre des numéros de dépôt, avec qui tient chaque dossier",
        200,
        api.WorkEntryOut,
        many=True,
        tag="instruction",
    ),
    ("/instruction/travail/suivant", "POST"): Doc(
        "Prendre le prochain dossier libre, dans l'ordre des numéros (celui qu'on tient déjà, sinon)",
        200,
        api.WorkTaken,
        tag="instruction",
    ),
    ("/instruction/travail/{dossier_id}/prise", "POST"): Doc(
        "Mettre en instruction le dossier que l'on tient (statut en_instruction, audité)",
        200,
        Dossier,
        errors={404: "Dossier introuvable ou hors de la file", 409: "Dossier tenu par un autre instructeur"},
        tag="instruction",
    ),
    ("/instruction/travail/{dossier_id}/rendre", "POST"): Doc(
        "Rendre à la file le dossier que l'on tient, à la place de son numéro",
        200,
        api.WorkEntryOut,
        errors={404: "Dossier introuvable ou hors de la file", 409: "Dossier tenu par un autre instructeur"},
        tag="instruction",
    ),
    ("/instruction/dossiers/{dossier_id}/fiben", "POST"): Doc(
        "Enregistrer la cotation FIBEN du bailleur et sa date (entrée de la tarification)",
        200,
        api.EtapeOut,
        request=FibenIn,
        errors={**NOT_FOUND, 409: "Dossier hors de l'instruction", 422: "Cotation ou date invalide"},
        tag="instruction",
    ),
    ("/instruction/dossiers/{dossier_id}/etapes/{action}", "POST"): Doc(
        "Faire une étape du cycle de vie : presenter_ccn, avis_favorable, avis_defavorable, ajourner, "
        "proposer_tarification, confirmer_ca, refuser_ca, envoyer_convention, appeler_prime, regler_prime, "
        "transmettre_acte, classer_sans_suite (docs/instruction.md)",
        200,
        api.EtapeOut,
        request=EtapeIn,
        errors={**NOT_FOUND, 403: "Étape faite par le bailleur", 409: "Étape impossible dans le statut du dossier",
                422: "Motif, séance, qualité ou règlement manquant ou invalide"},
        tag="instruction",
    ),
    ("/instruction/dossiers/{dossier_id}/documents/{kind}", "GET"): Doc(
        "Lien de courte durée vers un document du dossier (proposition, convention, convention_signee, "
        "attestation_prime, acte)",
        200,
        api.DocumentLink,
        errors={404: "Dossier ou document introuvable"},
        tag="instruction",
    ),
    ("/dossiers/{dossier_id}/etapes/{action}", "POST"): Doc(
        "Faire une étape du cycle de vie du dossier : accepter (la proposition de tarification), retirer (la "
        "demande, avec un motif) ; la convention signée se dépose en fichier (POST /dossiers/{dossier_id}/"
        "convention/formulaire), deposer_convention répond 422",
        200,
        api.EtapeOut,
        request=EtapeIn,
        errors={**NOT_FOUND, 403: "Étape faite par ALS", 409: "Étape impossible dans le statut du dossier, ou "
                "proposition expirée", 422: "Motif manquant, ou convention à déposer en fichier"},
    ),
    ("/dossiers/{dossier_id}/convention/formulaire", "POST"): Doc(
        "Obtenir le formulaire de dépôt présigné (POST S3) de la convention signée, tant que le dossier l'attend "
        "(convention envoyée) : le fichier, vérifié comme une pièce PDF, fait l'étape deposer_convention s'il est "
        "accepté ; son verdict se lit dans suivi.conventions_deposees",
        200,
        api.UploadFormOut,
        errors={**NOT_FOUND, 409: "Le dossier n'attend pas de convention signée"},
    ),
    ("/dossiers/{dossier_id}/documents/{kind}", "GET"): Doc(
        "Lien de courte durée vers un document du dossier (proposition, convention, convention_signee, "
        "attestation_prime, acte)",
        200,
        api.DocumentLink,
        errors={404: "Dossier ou document introuvable"},
    ),
}

PATH_PARAMS: dict[str, dict[str, Any]] = {
    "dossier_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    "piece": {"type": "string", "enum": list(PIECE_KINDS)},
    "critere": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,40}$"},
    "kind": {"type": "string", "enum": list(DOCUMENTS)},
    "action": {"type": "string", "enum": [a for a, t in TRANSITIONS.items() if t.role != "systeme"]},
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}},
    }


def build() -> dict[str, Any]:
    """The OpenAPI document, as a plain dict."""
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {
        (api.ErrorBody, "serialization"),
        (api.FieldError, "serialization"),
    }
    for doc in ROUTES.values():
        if doc.response:
            wanted.add((doc.response, "serialization"))
        if doc.request:
            wanted.add((doc.request, "validation"))
    ordered = sorted(wanted, key=lambda km: (km[0].__name__, km[1]))
    names, defs = models_json_schema(ordered, ref_template=REF)

    paths: dict[str, dict[str, Any]] = {}
    for path, methods in sorted(chalice_app.routes.items()):
        for method, entry in sorted(methods.items()):
            doc = ROUTES[(path, method)]
            secured = isinstance(entry.authorizer, CognitoUserPoolAuthorizer)
            op: dict[str, Any] = {
                "operationId": entry.view_name,
                "summary": doc.summary,
                "tags": [doc.tag],
                "security": [{SECURITY_SCHEME: []}] if secured else [],
            }
            params = re.findall(r"{(\w+)}", path)
            parameters = [{"name": p, "in": "path", "required": True, "schema": PATH_PARAMS[p]} for p in params]
            parameters += [dict(h) for h in doc.headers]
            if parameters:
                op["parameters"] = parameters
            if doc.request:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": dict(names[(doc.request, "validation")])}},
                }
            ok: dict[str, Any] = {"description": "Succès"}
            if doc.response:
                schema = dict(names[(doc.response, "serialization")])
                ok["content"] = {
                    "application/json": {"schema": {"type": "array", "items": schema} if doc.many else schema}
                }
            responses: dict[str, Any] = {str(doc.status): ok}
            errors: dict[int, str] = {500: "Erreur interne"}
            if secured:
                errors |= {401: "Jeton absent ou invalide", 403: "Rôle insuffisant"}
            if doc.request:
                errors |= {
                    400: "JSON invalide",
                    413: "Corps de requête trop volumineux (256 Kio au plus)",
                    422: "Données invalides",
                }
            errors |= doc.errors
            for status, description in sorted(errors.items()):
                responses[str(status)] = _error(description)
            op["responses"] = responses
            paths.setdefault(path, {})[method.lower()] = op

    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "AMI garantie — API",
            "version": "0.1.0",
            "description": (
                "Dépôt des demandes de garantie par Action Logement Services des prêts logement "
                "intermédiaire de la Banque des Territoires. Montants en euros, sérialisés en chaînes "
                "décimales ; dates en UTC (ISO 8601). Toute erreur a la forme "
                "{code, message, details}."
            ),
        },
        "servers": [{"url": "/", "description": "Étape de déploiement de l'API Gateway"}],
        "tags": [
            {"name": "public", "description": "Sans authentification"},
            {"name": "bailleurs", "description": "Bailleurs inscrits (groupe Cognito « bailleurs »)"},
            {
                "name": "instruction",
                "description": "Instructeurs d'Action Logement (groupe « instructeurs »)",
            },
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Jeton d'identité (ID token) Cognito du groupe d'utilisateurs de l'AMI",
                }
            },
            "schemas": dict(sorted(defs.get("$defs", {}).items())),
        },
    }
    # Plain JSON values only: no shared objects (YAML aliases), no tuples.
    return dict(json.loads(json.dumps(document)))


def render() -> str:
    return yaml.safe_dump(build(), sort_keys=True, allow_unicode=True, width=110)


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
