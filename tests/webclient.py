"""A browser's HTTP side, for tests of the plateforme's pages without a browser: cookies kept as a browser keeps
the `__Host-` ones on http://127.0.0.1 (a secure context), the CSRF token of the forms sent back, no redirect
followed (tests look at each answer)."""

from __future__ import annotations

import html
import re
from typing import Any

import requests


class WebClient:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar: dict[str, str] = {}

    def _keep(self, response: requests.Response) -> requests.Response:
        for header in response.raw.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r"Max-Age=0\b", header):
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        if response.headers.get("Content-Type", "").startswith("text/html"):
            # The text as a person reads it: entities decoded (« n'existe », not « n&#39;existe »).
            response._content = html.unescape(response.content.decode("utf-8")).encode("utf-8")
            response.encoding = "utf-8"
        return response

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def get(self, path: str, **params: Any) -> requests.Response:
        return self._keep(requests.get(self.base + path, params=params, headers=self._headers(), timeout=60,
                                       allow_redirects=False))

    def post(self, path: str, data: dict[str, str] | None = None, csrf: bool = True) -> requests.Response:
        if csrf and "__Host-ami_csrf" not in self.jar:
            self.get("/connexion")
        form = {**({"csrf_token": self.jar.get("__Host-ami_csrf", "")} if csrf else {}), **(data or {})}
        return self._keep(requests.post(self.base + path, data=form, headers=self._headers(), timeout=60,
                                        allow_redirects=False))

    def sign_in(self, email: str, password: str, totp_secret: str | None = None) -> requests.Response:
        """Sign in through the pages; with `totp_secret`, answer the authenticator-app step. The last answer."""
        answer = self.post("/connexion", {"email": email, "mot_de_passe": password, "suite": ""})
        if totp_secret is not None and answer.headers.get("Location") == "/connexion/code":
            from infra.client import totp_code

            answer = self.post("/connexion/code", {"code": totp_code(totp_secret)})
        return answer
