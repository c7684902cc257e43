"""Every error a page can raise, as the page the person sees: the one mapping (French, never a
library's message)."""

from __future__ import annotations

from ami.domain.errors import AmiError
from aws_lambda_powertools import Logger
from chalice import Response

from web.core import request
from web.rendering import page, redirect
from web.session import SignInRequired

logger = Logger(service="plateforme", child=True)
TITLES = {
    400: "Demande invalide",
    401: "Connexion nécessaire",
    403: "Accès refusé",
    404: "Page introuvable",
    409: "Action impossible",
    422: "Données invalides",
    503: "Service momentanément indisponible",
}


def error_page(exc: BaseException) -> Response:
    if isinstance(exc, SignInRequired):
        from urllib.parse import quote

        return redirect(exc.location + ("&" if "?" in exc.location else "?") + "motif=" + quote(exc.code))
    if isinstance(exc, AmiError):
        status = exc.status if 400 <= exc.status < 600 else 400
        if "application/json" in (request().headers or {}).get("accept", ""):
            import json

            return Response(body=json.dumps({"code": exc.code, "message": exc.message}, ensure_ascii=False),
                            status_code=status, headers={"Content-Type": "application/json; charset=utf-8"})
        return page("erreur.html", status, titre=TITLES.get(status, "Action impossible"), message=exc.message)
    from ami.domain.logsafe import where

    # Where it failed, never what it said: a message may carry what the user typed.
    logger.error("erreur inattendue (%s) : %s", type(exc).__name__, where(exc))
    return page("erreur.html", 500, titre="Erreur interne",
                message="Une erreur est survenue de notre côté. Réessayez dans un instant ; si elle persiste, "
                        "écrivez à la boîte de l'AMI.")
