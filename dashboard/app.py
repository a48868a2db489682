"""The Dash app: page registry, shell (header, navigation, footer), API blueprint and security headers.

Each page module in dashboard/pages/ owns its layout and callbacks. `server` is the WSGI app for gunicorn.
"""
from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, dcc, html

from dashboard import api, datapackage, routes, security

HERE = Path(__file__).resolve().parent

app = Dash(
    __name__,
    use_pages=True,
    pages_folder=str(HERE / "pages"),
    assets_folder=str(HERE / "assets"),
    # assets/vendor/ holds the partial plotly.js bundle: served, but not a <script> of every page;
    # assets/plotly-loader.js loads it when the first chart mounts, instead of the full plotly.min.js
    # (tools/plotly_bundle/README.md)
    assets_path_ignore=["^vendor$"],
    serve_locally=True,
    compress=True,
    title="SDG 8.7 Monitor",
    update_title=None,
    suppress_callback_exceptions=True,
    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
               {"name": "description", "content": "Progress on SDG target 8.7: child labour, forced labour, "
                                                  "modern slavery and human trafficking, from official data."}],
)
server = app.server
server.register_blueprint(api.blueprint)
server.register_blueprint(datapackage.blueprint)
security.install(server)
routes.install(server)

NAV = [("Overview", "/"), ("Explore", "/explore"), ("Countries", "/country"), ("Regions", "/regions"),
       ("Data", "/data"), ("Methodology", "/methodology")]

app.layout = html.Div([
    html.A("Skip to main content", href="#main", className="skip-link"),
    html.Header([
        html.A([html.Span("SDG 8.7", className="brand-mark"), " Monitor"], href="/", className="brand"),
        html.Nav(html.Ul([html.Li(dcc.Link(label, href=href)) for label, href in NAV]),
                 **{"aria-label": "Main"}),
    ], className="site-header"),
    html.Main(dash.page_container, id="main", tabIndex="-1"),
    html.Footer([
        html.P(["Official data from the UN SDG Global Database, UNICEF, ILO/ILOSTAT, Walk Free, UNODC and UN DESA "
                "Population Division. Every number links to its raw file and row: see ",
                dcc.Link("Data", href="/data"), " and ", dcc.Link("Methodology", href="/methodology"), "."]),
    ], className="site-footer"),
])


def main() -> None:  # development server: `python -m dashboard.app`
    app.run(debug=False, host="127.0.0.1", port=8050)


if __name__ == "__main__":
    main()
