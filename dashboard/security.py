"""Production settings for the Flask server: security headers on every response, no debug.

Content Security Policy: nothing is loaded from another origin, and no script runs unless it is a file served
by this app or one of the app's own inline scripts, allowed by its SHA-256 hash (Dash starts its renderer and
defines clientside callbacks with inline scripts; their hashes are computed from each HTML page as it is sent,
so neither 'unsafe-inline' nor 'unsafe-eval' is needed for scripts; checked in Chromium by
tests/test_serve_hardening.py). Styles keep 'unsafe-inline': plotly.js and React set inline styles.
"""
from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response

_CSP_REST = ("style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
             "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
INLINE_SCRIPT = re.compile(rb"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script\s*>", re.S | re.I)
NOT_SCRIPT_TYPES = (b"application/json", b"application/ld+json", b"text/template")


def csp(script_hashes: tuple[str, ...] | list[str] = ()) -> str:
    """The policy, allowing exactly the given inline scripts ('sha256-…' sources) besides same-origin files."""
    return "default-src 'self'; script-src " + " ".join(["'self'", *script_hashes]) + "; " + _CSP_REST


CSP = csp()  # responses that are not HTML pages carry no inline script at all

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP hash sources of the executable inline scripts of an HTML page (JSON data blocks are not scripts)."""
    out = []
    for m in INLINE_SCRIPT.finditer(html):
        attrs = m.group("attrs").lower()
        if re.search(rb"\ssrc\s*=", attrs) or any(t in attrs for t in NOT_SCRIPT_TYPES):
            continue
        digest = base64.b64encode(hashlib.sha256(m.group("body")).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in out:
            out.append(source)
    return out


def policy_for(response: Response) -> str:
    if response.mimetype == "text/html" and not response.is_streamed and "Content-Encoding" not in response.headers:
        return csp(inline_script_hashes(response.get_data()))
    return CSP


def install(server: Flask) -> None:
    server.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, MAX_CONTENT_LENGTH=1_000_000)

    @server.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy_for(response))
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        return response
