"""Any unknown path: a friendly page saying how to find what was wanted."""
import dash
from dash import dcc, html

dash.register_page(__name__, title="Page not found · SDG 8.7 Monitor")

layout = html.Div([
    html.H1("Page not found"),
    html.P("There is no page at this address. You can:"),
    html.Ul([html.Li(dcc.Link("start from the overview", href="/")),
             html.Li(dcc.Link("find a country in the country list", href="/country")),
             html.Li(dcc.Link("explore every series", href="/explore"))]),
], id="notfound")
