"""Overview `/` (placeholder until the overview page lands)."""
import dash
from dash import html

dash.register_page(__name__, path="/", title="SDG 8.7 Monitor")

layout = html.Div([html.H1("SDG 8.7 Monitor")], id="overview")
