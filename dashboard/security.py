"""Production settings for the Flask server: security headers on every response, no debug."""
from __future__ import annotations

from flask import Flask

# As strict as Dash allows: Dash's renderer is started by an inline script and plotly.js compiles
# some functions at run time, so script-src needs 'unsafe-inline' and 'unsafe-eval'. Nothing is loaded
# from another origin.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


def install(server: Flask) -> None:
    server.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, MAX_CONTENT_LENGTH=1_000_000)

    @server.after_request
    def add_headers(response):
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        return response
