"""Security headers on every response: CSP with a nonce (no unsafe-inline), Referrer-Policy,
Permissions-Policy, Cross-Origin-Opener-Policy, HSTS, __Host- cookies."""

from __future__ import annotations

import re

from django.urls import reverse

from tests import builders


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_page_has_a_csp_without_unsafe_inline(client_for, alex):
    case = builders.make_case(alex, state="submitted")
    client = client_for(alex)
    for url in ("/", reverse("cases:detail", args=[case.pk]), "/no-such-page/", "/healthz"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy, url
        assert "unsafe-eval" not in policy, url
        directives = _csp(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]


def test_the_nonce_in_the_page_is_the_nonce_in_the_header_and_changes_each_time(client_for, alex):
    client = client_for(alex)
    nonces = []
    for _ in range(2):
        response = client.get("/")
        page_nonce = re.search(r'"inlineScriptNonce": "([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{page_nonce}'" in _csp(response)["script-src"]
        nonces.append(page_nonce)
    assert nonces[0] != nonces[1]


def test_no_page_of_the_portal_has_inline_handlers_or_style_attributes():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.glob("*/templates/**/*.html"):
        if "/email/" in str(template):  # emails are read by mail clients, not under the CSP
            continue
        text = template.read_text()
        if re.search(r"\son[a-z]+\s*=", text) or re.search(r"\sstyle\s*=", text):
            offenders.append(str(template.relative_to(root)))
        for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
            if "application/json" not in script and "nonce=" not in script:
                offenders.append(f"{template.relative_to(root)}: inline <script{script}>")
    assert offenders == []


def test_other_security_headers(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "publickey-credentials-get=(self)" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_host_only_and_secure(client, alex, settings):
    response = client.get("/accounts/login/", secure=True)
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert settings.CSRF_COOKIE_NAME.startswith("__Host-")
    assert csrf["secure"]
    assert csrf["path"] == "/"
    assert not csrf["domain"]
    signed_in = builders.sign_in(client, alex)
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert session["secure"]
    assert session["path"] == "/"
    assert not session["domain"]
