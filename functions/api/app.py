"""HTTP API of AMI garantie (API Gateway REST + Cognito authorizer, one Lambda).

Handlers stay thin: parse the body with the domain models, check who is calling, call the
store and the deposits adapters, answer JSON. Every error leaves through `error_response`, the one
place where exceptions become `{"code", "message", "details"}` answers.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, TypeVar

from ami import accounts, audience, jsonsafe, roles, rules, textsafety
from ami import envoi as envoi_logic
from ami.aws import client
from ami.deposits import Deposits
from ami.dispositif import dispositif
from ami.errors import AmiError, Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from ami.extraction import Check, ComparisonRow, ExtractedField
from ami.extraction.compare import instruction_view
from ami.models import (
    PIECE_KINDS,
    Bailleur,
    BailleurRegistration,
    CompletenessRequest,
    DepositedPiece,
    Dossier,
    DossierForm,
    DossierStatus,
    Envoi,
    PieceKind,
    PieceRecord,
    Reason,
    WorkItem,
    utcnow,
)
from ami.settings import settings
from ami.store import Store
from chalice import Chalice, CognitoUserPoolAuthorizer, Response
from chalice.app import ChaliceViewError, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

app = Chalice(app_name="ami-garantie-api")
cognito = CognitoUserPoolAuthorizer("CognitoAuthorizer", provider_arns=[])
log = logging.getLogger("ami.api")

MAX_BODY_BYTES = 256 * 1024
DOWNLOAD_LINK_SECONDS = 300
EDITABLE = (DossierStatus.BROUILLON, DossierStatus.INCOMPLET)
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
INSTRUCTION_ONLY_ACTIONS = frozenset({"surcharge_score", "recalcul_score"})

M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------- adapters, made once per process


@cache
def store() -> Store:
    return Store(settings())


@cache
def deposits() -> Deposits:
    return Deposits(settings())


@cache
def cognito_accounts() -> accounts.CognitoAccounts:
    return accounts.CognitoAccounts(settings().user_pool_id)


# ---------------------------------------------------------------- response bodies


class ErrorBody(BaseModel):
    code: str = Field(description="Code stable, pour les programmes")
    message: str = Field(description="Message en français, pour les personnes")
    details: Any = None


class FieldError(BaseModel):
    champ: str = Field(description="Chemin du champ en cause (operation.nom, prets.0.montant_eur…)")
    loc: list[str | int]
    msg: str = Field(description="Message en français nommant le champ")
    type: str


class DossierDetail(BaseModel):
    dossier: Dossier
    pieces: list[PieceRecord] = Field(description="Conclusions de la réception sur chaque version déposée")
    checks: list[Reason] = Field(description="Ce qui manque encore au formulaire")


class UploadFormOut(BaseModel):
    url: str
    fields: dict[str, str] = Field(
        description="Champs à renvoyer tels quels dans le POST multipart vers `url`"
    )
    key: str
    expires_at: datetime
    max_bytes: int
    content_type: str = "application/pdf"


class EnvoiAccepted(BaseModel):
    dossier_id: str
    status: DossierStatus
    envoi: Envoi
    message: str


class InstructionRow(WorkItem):
    status: DossierStatus
    commune_nom: str | None = None


class DepositedLink(DepositedPiece):
    url: str = Field(description="Lien de téléchargement présigné de la version déposée")
    expires_at: datetime


class InstructionDossier(BaseModel):
    dossier: Dossier
    bailleur: Bailleur | None
    pieces: list[PieceRecord]
    documents: dict[PieceKind, DepositedLink]
    checks: list[Check] = Field(
        default_factory=list,
        description="Constats sur les pièces déposées et écarts entre les documents et le formulaire",
    )
    fields: dict[PieceKind, list[ExtractedField]] = Field(
        default_factory=dict, description="Champs lus dans chaque pièce déposée, avec page, texte source et confiance"
    )
    presentation: list[ComparisonRow] = Field(
        default_factory=list, description="Valeurs du dossier de présentation à côté de celles du formulaire"
    )


# ---------------------------------------------------------------- errors: the one mapping


class BadJson(AmiError):
    status = 400


class BodyTooLarge(AmiError):
    status = 413


CHALICE_CODES = {
    "BadRequestError": "requete_invalide",
    "BadRequest": "requete_invalide",
    "UnauthorizedError": "non_authentifie",
    "ForbiddenError": "acces_refuse",
    "NotFoundError": "ressource_introuvable",
    "MethodNotAllowedError": "methode_non_autorisee",
    "UnsupportedMediaType": "type_contenu_non_supporte",
    "RequestTimeoutError": "delai_depasse",
    "ConflictError": "conflit",
    "UnprocessableEntityError": "donnees_invalides",
    "TooManyRequestsError": "trop_de_requetes",
    "InternalServerError": "erreur_interne",
}
CHALICE_MESSAGES = {
    400: "La requête est invalide.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
    408: "Délai dépassé.",
    409: "Conflit avec l'état de la ressource.",
    415: "Type de contenu non supporté : envoyez du JSON (application/json).",
    422: "Données invalides.",
    429: "Trop de requêtes.",
    500: "Erreur interne. Réessayez plus tard.",
}


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str | list[str]] | None = None
) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body=body, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def _error(status: int, code: str, message: str, details: Any = None) -> Response:
    return json_response(
        ErrorBody(code=code, message=message, details=details).model_dump(mode="json"), status
    )


def error_response(exc: BaseException) -> Response:
    """Every exception a request can raise, as the JSON answer the client gets."""
    if isinstance(exc, AmiError):
        return _error(exc.status, exc.code, exc.message, exc.details)
    if isinstance(exc, ValidationError):
        from ami import validation_fr

        errors = [FieldError(**e).model_dump() for e in validation_fr.field_errors(exc)]
        return _error(422, "donnees_invalides", validation_fr.summary(errors), errors)
    if isinstance(exc, ChaliceViewError):
        status = exc.STATUS_CODE
        code = CHALICE_CODES.get(type(exc).__name__, "erreur_requete")
        return _error(status, code, CHALICE_MESSAGES.get(status, "La requête ne peut pas aboutir."))
    # Where it failed, never what it said: an exception's message may carry what the user typed.
    from ami.logsafe import where

    log.error("erreur inattendue (%s) : %s", type(exc).__name__, where(exc))
    return _error(500, "erreur_interne", CHALICE_MESSAGES[500])


def _reshape_chalice_error(response: Response) -> Response:
    """Chalice's own answers (405, 415, 500…) get the same JSON shape as ours."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or set(body) != {"Code", "Message"}:
        return response
    status = response.status_code
    code = CHALICE_CODES.get(str(body["Code"]), "erreur_requete")
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return json_response(
        ErrorBody(
            code=code, message=CHALICE_MESSAGES.get(status, "La requête ne peut pas aboutir.")
        ).model_dump(),
        status,
        headers,
    )


@app.middleware("http")
def _http_guard(event: Request, get_response: Callable[[Request], Response]) -> Response:
    try:
        raw = event.raw_body if event is not None else b""
        size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(
                "corps_trop_volumineux",
                f"Le corps de la requête dépasse {MAX_BODY_BYTES // 1024} Kio.",
                {"max_bytes": MAX_BODY_BYTES},
            )
        return _reshape_chalice_error(get_response(event))
    except Exception as exc:
        return error_response(exc)


def _json_errors(func: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            return error_response(exc)

    return wrapper


def route(
    path: str, method: str, *, public: bool = False
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """`app.route`, with the error mapping and (unless public) the Cognito authorizer."""

    def register(func: Callable[..., Response]) -> Callable[..., Response]:
        wrapped = _json_errors(func)
        if public:
            app.route(path, methods=[method])(wrapped)
        else:
            app.route(path, methods=[method], authorizer=cognito)(wrapped)
        return wrapped

    return register


# ---------------------------------------------------------------- request parsing


def request() -> Request:
    req = app.current_request
    assert req is not None
    return req


def parse_body(model: type[M]) -> M:
    raw = request().raw_body
    data = raw.encode("utf-8") if isinstance(raw, str) else raw  # its size was checked by _http_guard
    if jsonsafe.depth_exceeds(data):
        raise BadJson("json_trop_imbrique",
                      f"Le corps de la requête imbrique plus de {jsonsafe.MAX_DEPTH} niveaux de tableaux ou d'objets.")

    def _no_constants(name: str) -> Any:
        raise ValueError(name)

    try:
        parsed = json.loads(data, parse_constant=_no_constants) if data.strip() else None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadJson("json_invalide", "Le corps de la requête n'est pas du JSON valide.") from exc
    if not isinstance(parsed, dict):
        raise BadJson("json_invalide", "Le corps de la requête doit être un objet JSON.")
    return model.model_validate_json(data)


# ---------------------------------------------------------------- who is calling


@dataclass(frozen=True)
class Caller:
    subject: str
    email: str
    siren: str | None
    groups: frozenset[str]

    @property
    def actor(self) -> str:
        if "instructeurs" in self.groups and not self.siren:
            return f"instructeur:{self.email}"
        return f"bailleur:{self.siren}:{self.email}"


def parse_groups(raw: object) -> frozenset[str]:
    """API Gateway passes `cognito:groups` as a list, "a,b" or "[a b]": accept all three."""
    if raw is None:
        return frozenset()
    if isinstance(raw, list | tuple | set | frozenset):
        items = [str(i) for i in raw]
    else:
        text = str(raw).strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        items = re.split(r"[,\s]+", text)
    return frozenset(i.strip() for i in items if i.strip())


def current_claims() -> dict[str, Any] | None:
    """The verified ID token's claims, as the authorizer handed them over (the one place that reads them)."""
    authorizer = (request().context or {}).get("authorizer") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    return claims if isinstance(claims, dict) and claims else None


def caller() -> Caller:
    claims = current_claims()
    if claims is None:
        raise Unauthorized("non_authentifie", "Authentification requise.")
    if not audience.accepted(claims, settings().user_pool_client_ids):
        raise Unauthorized("non_authentifie",
                           "Authentification requise : ce jeton n'a pas été délivré pour ce service.")
    siren = str(claims.get("custom:siren") or "").strip() or None
    return Caller(
        subject=str(claims.get("sub") or claims.get("cognito:username") or ""),
        email=str(claims.get("email") or ""),
        siren=siren,
        groups=parse_groups(claims.get("cognito:groups")),
    )


def bailleur_caller() -> Caller:
    who = caller()
    if "bailleurs" not in who.groups or not who.siren or not re.fullmatch(r"\d{9}", who.siren):
        raise Forbidden("acces_refuse", "Cette action est réservée aux bailleurs inscrits.")
    return who


def instructeur_caller() -> Caller:
    who = caller()
    if "instructeurs" not in who.groups:
        raise Forbidden("acces_refuse", "Cette action est réservée aux instructeurs.")
    return who


def own_dossier(who: Caller, dossier_id: str) -> Dossier:
    """The caller's dossier; another bailleur's dossier does not exist for them."""
    d = store().get_dossier(dossier_id) if re.fullmatch(r"[0-9a-f]{32}", dossier_id) else None
    if d is None or d.siren != who.siren:
        raise NotFound("dossier_introuvable", "Ce dossier est introuvable.")
    return d


def require_editable(d: Dossier, code: str = "dossier_non_modifiable") -> None:
    if d.status not in EDITABLE:
        raise Conflict(
            code,
            f"Le dossier ne peut plus être modifié (statut : {d.status.value}).",
            {"status": d.status.value},
        )


def check_commune(form: DossierForm) -> None:
    insee = form.operation.commune_insee
    if insee is not None and rules.commune(insee) is None:
        raise InvalidInput(
            "commune_inconnue",
            f"Le code INSEE {insee} est inconnu du zonage ABC.",
            [{"champ": "operation.commune_insee", "message": "Commune inconnue."}],
        )


def _dump(m: BaseModel) -> Any:
    return m.model_dump(mode="json")


def for_bailleur(d: Dossier) -> Any:
    """A dossier as its bailleur may see it: the priority-2 score is for the instructors only."""
    return _dump(d.model_copy(update={"scoring": None}))


def _records(dossier_id: str) -> list[PieceRecord]:
    return sorted(store().piece_records(dossier_id).values(), key=lambda r: (r.piece, r.received_at))


# ---------------------------------------------------------------- public routes


@route("/inscription", "POST", public=True)
def inscription() -> Response:
    bailleur = accounts.register(parse_body(BailleurRegistration), store(), cognito_accounts())
    return json_response(_dump(bailleur), 201)


@route("/formes-juridiques", "GET", public=True)
def formes_juridiques() -> Response:
    return json_response([_dump(f) for f in dispositif().formes_juridiques])


# ---------------------------------------------------------------- bailleur routes


@route("/bailleur", "GET")
def get_bailleur() -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    bailleur = store().get_bailleur(who.siren)
    if bailleur is None:
        raise NotFound("bailleur_introuvable", "Aucun bailleur n'est inscrit avec ce SIREN.")
    return json_response(_dump(bailleur))


@route("/dossiers", "GET")
def list_dossiers() -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    dossiers = sorted(store().list_dossiers(who.siren), key=lambda d: d.created_at)
    return json_response([for_bailleur(d) for d in dossiers])


@route("/dossiers", "POST")
def create_dossier() -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    form = parse_body(DossierForm)
    if store().get_bailleur(who.siren) is None:
        raise Forbidden(
            "bailleur_non_inscrit", "Inscrivez d'abord votre organisme avant de créer un dossier."
        )
    check_commune(form)
    now = utcnow()
    d = Dossier(dossier_id=uuid.uuid4().hex, siren=who.siren, form=form, created_at=now, updated_at=now)
    store().create_dossier(d, who.actor)
    return json_response(for_bailleur(d), 201, {"Location": f"/dossiers/{d.dossier_id}"})


@route("/dossiers/{dossier_id}", "GET")
def get_dossier(dossier_id: str) -> Response:
    who = bailleur_caller()
    d = own_dossier(who, dossier_id)
    detail = DossierDetail(dossier=d, pieces=_records(dossier_id), checks=rules.form_gaps(d))
    return json_response({**_dump(detail), "dossier": for_bailleur(d)})


@route("/dossiers/{dossier_id}", "PUT")
def put_dossier(dossier_id: str) -> Response:
    who = bailleur_caller()
    form = parse_body(DossierForm)
    d = own_dossier(who, dossier_id)
    require_editable(d)
    check_commune(form)
    saved = store().save_form(d.model_copy(update={"form": form}), who.actor)
    return json_response(for_bailleur(saved))


@route("/dossiers/{dossier_id}/pieces/{piece}", "POST")
def upload_piece(dossier_id: str, piece: str) -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    d = own_dossier(who, dossier_id)
    if piece not in PIECE_KINDS:
        raise NotFound("piece_inconnue", "Pièce inconnue.", {"pieces": list(PIECE_KINDS)})
    kind: PieceKind = "lettre_offre" if piece == "lettre_offre" else "dossier_presentation"
    require_editable(d)
    upload = deposits().upload_form(who.siren, dossier_id, kind)
    out = UploadFormOut(
        url=upload.url,
        fields=upload.fields,
        key=upload.key,
        expires_at=upload.expires_at,
        max_bytes=upload.max_bytes,
        content_type=dispositif().pieces[kind].content_type,
    )
    return json_response(_dump(out))


@route("/dossiers/{dossier_id}/envoi", "POST")
def envoi(dossier_id: str) -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    d = own_dossier(who, dossier_id)
    require_editable(d, "envoi_impossible")
    sent = envoi_logic.send(store(), deposits(), d, who.actor)
    assert sent.envoi is not None
    try:
        client("sqs").send_message(
            QueueUrl=settings().completeness_queue_url,
            MessageBody=CompletenessRequest(
                dossier_id=dossier_id, cause="envoi", complete_when_sent=sent.envoi.complete_when_sent
            ).model_dump_json(),
            MessageGroupId=dossier_id,
            MessageDeduplicationId=sent.envoi.envoi_id,
        )
    except Exception:
        # The deposit is recorded (its PENDING item holds its place); the completeness sweep will pick it up.
        log.error("demande de contrôle de complétude non envoyée pour %s", dossier_id, exc_info=True)
    out = EnvoiAccepted(
        dossier_id=dossier_id,
        status=sent.status,
        envoi=sent.envoi,
        message=(
            "Votre dossier est déposé : ce dépôt est définitif. Toutes ses pièces ont été acceptées ; il prend "
            "rang à sa date d'envoi et son numéro de dépôt vous sera communiqué par courriel."
            if sent.envoi.complete_when_sent
            else "Votre dossier est déposé : ce dépôt est définitif. Sa complétude est en cours de vérification ; "
            "vous serez informé par courriel du résultat."
        ),
    )
    return json_response(_dump(out), 202)


@route("/dossiers/{dossier_id}/historique", "GET")
def historique(dossier_id: str) -> Response:
    who = bailleur_caller()
    own_dossier(who, dossier_id)
    # The score belongs to the instruction: the bailleur sees neither it nor its audit entries; and
    # of who acted, a role, never a person.
    return json_response([_dump(h.model_copy(update={"actor": roles.public_actor(h.actor)}))
                          for h in store().history(dossier_id) if h.action not in INSTRUCTION_ONLY_ACTIONS])


# ---------------------------------------------------------------- instructor routes


@route("/instruction/dossiers", "GET")
def instruction_list() -> Response:
    instructeur_caller()
    names: dict[str, str] = {}
    rows: list[InstructionRow] = []
    for d in sorted(store().list_numbered(), key=lambda x: x.deposit_number or 0):
        if d.deposit_number is None or d.envoi is None:
            continue
        if d.siren not in names:
            b = store().get_bailleur(d.siren)
            names[d.siren] = b.raison_sociale if b else ""
        insee = d.form.operation.commune_insee
        commune = rules.commune(insee) if insee else None
        logements = d.form.operation.logements
        rows.append(
            InstructionRow(
                dossier_id=d.dossier_id,
                deposit_number=d.deposit_number,
                deposited_at=d.envoi.sent_at,
                siren=d.siren,
                raison_sociale=names[d.siren],
                commune_insee=insee,
                commune_nom=commune.nom if commune else None,
                logements=logements.total if logements else 0,
                loan_total_eur=d.loan_total,
                status=d.status,
            )
        )
    return json_response([_dump(r) for r in rows])


@route("/instruction/dossiers/{dossier_id}", "GET")
def instruction_dossier(dossier_id: str) -> Response:
    instructeur_caller()
    d = _instruction_dossier_or_404(dossier_id)
    expires = utcnow() + timedelta(seconds=DOWNLOAD_LINK_SECONDS)
    documents = {
        kind: DepositedLink(
            **p.model_dump(),
            expires_at=expires,
            url=deposits().download_link(p.key, p.version_id, DOWNLOAD_LINK_SECONDS),
        )
        for kind, p in (d.envoi.pieces.items() if d.envoi else ())
    }
    records = _records(dossier_id)
    checks, fields, presentation = instruction_view(records, d)
    out = InstructionDossier(
        dossier=d,
        bailleur=store().get_bailleur(d.siren),
        pieces=records,
        documents=documents,
        checks=checks,
        fields=fields,
        presentation=presentation,
    )
    return json_response(_dump(out))


# ---------------------------------------------------------------- instructor routes: score, envelope, CCN registre

REGISTRE_LINK_SECONDS = 300


class ScoreOverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    points: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
    justification: Annotated[str, Field(min_length=10, max_length=2000), textsafety.MultiLine]


class ScoreOut(BaseModel):
    dossier_id: str
    scoring: dict[str, Any] = Field(description="Score recalculé : critère d'origine et surcharges visibles")


class RegistreLink(BaseModel):
    ccn: date
    dossiers: int
    key: str
    url: str = Field(description="Lien de téléchargement présigné (courte durée)")
    expires_at: datetime


def _instruction_dossier_or_404(dossier_id: str) -> Dossier:
    d = store().get_dossier(dossier_id) if re.fullmatch(r"[0-9a-f]{32}", dossier_id) else None
    # A brouillon belongs to its bailleur until it is sent: to an instructor it does not exist yet.
    if d is None or d.status == DossierStatus.BROUILLON:
        raise NotFound("dossier_introuvable", "Ce dossier est introuvable.")
    return d


@route("/instruction/dossiers/{dossier_id}/score/{critere}", "PUT")
def override_score(dossier_id: str, critere: str) -> Response:
    who = instructeur_caller()
    body = parse_body(ScoreOverrideIn)
    d = _instruction_dossier_or_404(dossier_id)
    from ami import scoring

    updated = scoring.override(d.scoring, critere, body.points, body.justification, who.actor, utcnow())
    saved = store().override_score(d, updated, who.actor, critere)
    return json_response(_dump(ScoreOut(dossier_id=saved.dossier_id, scoring=saved.scoring or {})))


@route("/instruction/enveloppe", "GET")
def instruction_enveloppe() -> Response:
    instructeur_caller()
    from ami.envelope import envelope

    return json_response(_dump(envelope(store().list_numbered())))


@route("/instruction/registre", "GET")
def instruction_registre() -> Response:
    instructeur_caller()
    params = request().query_params
    raw = str(params.get("ccn") or "") if params else ""
    try:
        ccn = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        ccn = None
    if ccn is None:
        raise InvalidInput("date_ccn_invalide", "Indiquez la date de la CCN au format AAAA-MM-JJ (paramètre ccn).",
                           [{"champ": "ccn", "message": "Date AAAA-MM-JJ attendue."}])
    from ami import registre

    now = utcnow()
    data, n = registre.from_store(store(), ccn, now)
    key = f"registres/{ccn.isoformat()}/registre-ccn-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.xlsx"
    s3 = client("s3")
    bucket = settings().deposits_bucket
    s3.put_object(Bucket=bucket, Key=key, Body=data,
                  ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    url = s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": key,
                "ResponseContentDisposition": f'attachment; filename="registre-ccn-{ccn.isoformat()}.xlsx"'},
        ExpiresIn=REGISTRE_LINK_SECONDS,
    )
    out = RegistreLink(ccn=ccn, dossiers=n, key=key, url=url,
                       expires_at=now + timedelta(seconds=REGISTRE_LINK_SECONDS))
    return json_response(_dump(out))
