"""Simulated INApas (INA Digital's national identity): an OpenID Connect provider.

Just enough of OpenID Connect Core and Discovery for one confidential client using the
authorization code flow with PKCE (S256), every path relative to the issuer, which is the
URL the provider is reached at (`request.base_url`: `http://host:8100/inapas` under
`python -m simulators`, `{gateway}/simulasi/inapas` when the gateway embeds it):

- `GET /.well-known/openid-configuration`: the discovery document.
- `GET /authorize`: the login page (Bahasa Indonesia). The tester picks a seeded persona or
  types a seeded citizen's NIK, then agrees ("Setuju dan masuk") or refuses; `POST /authorize`
  redirects to the client's `redirect_uri` with `code` and `state` (or `error=access_denied`).
- `POST /token`: `grant_type=authorization_code` with `code`, `redirect_uri`, `code_verifier`;
  the client authenticates with `client_secret_basic` or `client_secret_post`. A code is used
  once, lives 60 seconds, and is spent by a failed attempt too (a wrong PKCE verifier).
- `GET /jwks`: the public signing key (RS256, generated per process).
- `GET /userinfo`: `Authorization: Bearer <access token>`.

The ID token (RS256, 5 minutes) carries `iss`, `sub` (a pairwise, opaque id), `aud` (the
client id), `exp`, `iat`, `auth_time`, `nonce`, `name` and the citizen's NIK in the claim
`nik` (NIK_CLAIM). Codes and access tokens live in this process's memory: one process serves
a login from start to end. The one client is `AW_INAPAS_CLIENT_ID` / `AW_INAPAS_CLIENT_SECRET`;
without a secret the token endpoint refuses every client. Times follow the simulators' clock,
so tests can issue expired tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from simulators.base import SimulatorContext, create_simulator
from simulators.seed import sample
from simulators.seed.population import citizen_by_nik

KEY = "inapas"
NIK_CLAIM = "nik"
CODE_SECONDS = 60
TOKEN_SECONDS = 300
ALGORITHM = "RS256"
# Seeded personas offered on the login page (the tester may type any seeded NIK instead).
PERSONAS = ("adult", "bpjs_active", "parent_of_young_child", "bansos_pkh", "sim_renewable")


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    nik: str
    auth_time: int
    expires: float


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _redirect_ok(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


class Provider:
    """The provider's state: signing key, the client, codes and access tokens in flight."""

    def __init__(self, context: SimulatorContext) -> None:
        self.context = context
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig"})
        self.client_id = context.settings.inapas_client_id
        self.client_secret = context.settings.inapas_client_secret
        self.codes: dict[str, _Grant] = {}
        self.access_tokens: dict[str, tuple[str, float]] = {}

    def now(self) -> float:
        return self.context.clock.now().timestamp()

    def forget_expired(self) -> None:
        now, clock = time.monotonic(), self.now()
        self.codes = {code: grant for code, grant in self.codes.items() if grant.expires >= now}
        self.access_tokens = {key: found for key, found in self.access_tokens.items() if found[1] >= clock}

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def authenticate(self, request: Request, form: dict[str, str]) -> bool:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode()
            except ValueError:
                return False
            client_id, _, secret = decoded.partition(":")
        if not self.client_secret:
            return False
        return hmac.compare_digest(client_id.encode(), self.client_id.encode()) and hmac.compare_digest(
            secret.encode(), self.client_secret.encode()
        )

    def id_token(self, issuer: str, grant: _Grant, access_token: str) -> str:
        citizen = citizen_by_nik(grant.nik)
        now = int(self.now())
        claims = {
            "iss": issuer,
            "sub": hashlib.sha256(f"{self.client_id}:{grant.nik}".encode()).hexdigest()[:32],
            "aud": self.client_id,
            "exp": now + TOKEN_SECONDS,
            "iat": now,
            "auth_time": grant.auth_time,
            NIK_CLAIM: grant.nik,
            "name": citizen.name if citizen else "",
            "amr": ["face"],
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        header = {"alg": ALGORITHM, "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key)


def issuer_of(request: Request) -> str:
    """Where this provider is reached: scheme, host and the path it is mounted at."""
    return f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}".rstrip("/")


def _authorize_problem(provider: Provider, params: dict[str, str]) -> str | None:
    """Why an authorization request cannot even be answered at its redirect_uri."""
    if params.get("client_id") != provider.client_id:
        return "Aplikasi tidak dikenal."
    if not _redirect_ok(params.get("redirect_uri", "")):
        return "Alamat kembali aplikasi tidak valid."
    return None


def _request_error(params: dict[str, str]) -> str | None:
    """An OAuth error code for a request whose client and redirect_uri are fine."""
    if params.get("response_type") != "code":
        return "unsupported_response_type"
    if "openid" not in params.get("scope", "").split():
        return "invalid_scope"
    if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) < 43:
        return "invalid_request"
    return None


def _back(params: dict[str, str], issuer: str, **values: str) -> RedirectResponse:
    query = {**values, "iss": issuer}
    if params.get("state"):
        query["state"] = params["state"]
    separator = "&" if urlsplit(params["redirect_uri"]).query else "?"
    return RedirectResponse(f"{params['redirect_uri']}{separator}{urlencode(query)}", status_code=303)


_FORWARDED = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
              "code_challenge", "code_challenge_method")  # fmt: skip

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f2f5f9;color:#1b2430}
main{max-width:26rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 .25rem;color:#b3121b}p.sub{margin:0 0 1rem;color:#4a5563}
fieldset{border:1px solid #d5dbe3;border-radius:8px;margin:0 0 1rem;padding:.75rem}
label{display:block;margin:.25rem 0}form{display:flex;flex-direction:column}
input[type=text]{box-sizing:border-box;font:inherit;
padding:.5rem;border:1px solid #98a2b3;border-radius:6px}
.error{background:#fdecec;color:#8a1116;padding:.5rem .75rem;border-radius:6px}
.actions{display:flex;gap:.5rem}button{font:inherit;padding:.6rem 1rem;border-radius:6px;
border:1px solid #b3121b;cursor:pointer}button.ok{background:#b3121b;color:#fff;flex:1}
button.no{background:#fff;color:#b3121b}small{color:#4a5563}
"""


def _mask(nik: str) -> str:
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}"


def _login_page(params: dict[str, str], error: str | None = None) -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""), quote=True)}">'
        for name in _FORWARDED
    )
    options = []
    for index, persona in enumerate(PERSONAS):
        try:
            person = sample(persona)
        except KeyError:
            continue
        checked = " checked" if index == 0 else ""
        options.append(
            f'<label><input type="radio" name="persona_nik" value="{person["nik"]}"{checked}> '
            f"{html.escape(person['name'])} <small>({_mask(person['nik'])})</small></label>"
        )
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Masuk dengan INApas (simulasi)</title><style>{_STYLE}</style></head>
<body><main>
<h1>INApas</h1>
<p class="sub">Identitas digital nasional (simulasi). <b>Asisten Warga</b> meminta akses ke
NIK dan nama Anda untuk memverifikasi identitas Anda.</p>
{problem}
<form method="post" action="authorize">{hidden}
<fieldset><legend>Pilih warga contoh</legend>{"".join(options)}</fieldset>
<label for="nik">Atau ketik NIK warga contoh</label>
<input type="text" id="nik" name="nik" inputmode="numeric" maxlength="16" autocomplete="off">
<p><small>Di INApas sungguhan, Anda masuk dengan verifikasi wajah di aplikasi.</small></p>
<div class="actions"><button class="ok" type="submit" name="decision" value="allow">Setuju dan masuk</button>
<button class="no" type="submit" name="decision" value="deny">Tolak</button></div>
</form></main></body></html>"""
    return HTMLResponse(body, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


def _page_error(message: str) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>INApas (simulasi)</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>INApas</h1>"
        f'<p class="error">{html.escape(message)}</p></main></body></html>'
    )
    return HTMLResponse(body, status_code=400)


async def _form(request: Request) -> dict[str, str]:
    parsed = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "INApas", context)
    provider = Provider(context)
    app.state.provider = provider

    @app.get("/.well-known/openid-configuration")
    async def discovery(request: Request) -> dict[str, Any]:
        issuer = issuer_of(request)
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "scopes_supported": ["openid", "profile", "nik"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", NIK_CLAIM, "auth_time", "nonce"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return provider.jwks()

    @app.get("/authorize", response_model=None)
    async def authorize(request: Request) -> Response:
        params = {name: value for name, value in request.query_params.items() if name in _FORWARDED}
        problem = _authorize_problem(provider, params)
        if problem:
            return _page_error(problem)
        error = _request_error(params)
        if error:
            return _back(params, issuer_of(request), error=error)
        return _login_page(params)

    @app.post("/authorize", response_model=None)
    async def consent(request: Request) -> Response:
        form = await _form(request)
        params = {name: form.get(name, "") for name in _FORWARDED}
        problem = _authorize_problem(provider, params)
        if problem:
            return _page_error(problem)
        error = _request_error(params)
        if error:
            return _back(params, issuer_of(request), error=error)
        if form.get("decision") != "allow":
            return _back(params, issuer_of(request), error="access_denied")
        nik = (form.get("nik") or "").strip() or form.get("persona_nik", "")
        if citizen_by_nik(nik) is None:
            return _login_page(params, "NIK tidak terdaftar di data warga contoh. Silakan periksa kembali.")
        provider.forget_expired()
        code = secrets.token_urlsafe(32)
        provider.codes[code] = _Grant(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params["nonce"] or None,
            nik=nik,
            auth_time=int(provider.now()),
            expires=time.monotonic() + CODE_SECONDS,
        )
        return _back(params, issuer_of(request), code=code)

    @app.post("/token", response_model=None)
    async def token(request: Request) -> Response:
        form = await _form(request)
        if not provider.authenticate(request, form):
            return _error(401, "invalid_client", "Client authentication failed")
        if form.get("grant_type") != "authorization_code":
            return _error(400, "unsupported_grant_type", "Only authorization_code")
        grant = provider.codes.pop(form.get("code", ""), None)  # spent, whatever follows
        if grant is None or grant.expires < time.monotonic() or grant.client_id != provider.client_id:
            return _error(400, "invalid_grant", "Unknown, used or expired code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _error(400, "invalid_grant", "redirect_uri differs from the authorization request")
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or not hmac.compare_digest(s256(verifier), grant.code_challenge):
            return _error(400, "invalid_grant", "PKCE verification failed")
        access_token = secrets.token_urlsafe(32)
        provider.access_tokens[access_token] = (grant.nik, provider.now() + TOKEN_SECONDS)
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": "openid profile nik",
            "id_token": provider.id_token(issuer_of(request), grant, access_token),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @app.get("/userinfo", response_model=None)
    async def userinfo(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        found = provider.access_tokens.get(header[7:]) if header.lower().startswith("bearer ") else None
        if found is None or found[1] < provider.now():
            return JSONResponse({"error": "invalid_token"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
        citizen = citizen_by_nik(found[0])
        claims = {
            "sub": hashlib.sha256(f"{provider.client_id}:{found[0]}".encode()).hexdigest()[:32],
            NIK_CLAIM: found[0],
            "name": citizen.name if citizen else "",
        }
        return JSONResponse(claims, headers={"Cache-Control": "no-store"})

    return app
