"""Building blocks every page uses, so every chart looks and behaves the same:
a title that says what and where, axis units, source and edition under it, a download of exactly the
plotted rows (an /api/v1 link with the same filters), and a table alternative."""
from __future__ import annotations

import functools
import json
from html import escape
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import Input, Output, clientside_callback, dcc, html
from dash.development.base_component import Component
from plotly.io.json import to_json_plotly

from dashboard import data

# Okabe-Ito colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SEQUENTIAL = [[0, "#fff5eb"], [0.25, "#fdbe85"], [0.5, "#fd8d3c"], [0.75, "#d94701"], [1, "#7f2704"]]

pio.templates["sdg87"] = go.layout.Template(layout=go.Layout(
    colorway=PALETTE, font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13),
    margin=dict(l=50, r=20, t=30, b=40), plot_bgcolor="white", paper_bgcolor="white",
    xaxis=dict(gridcolor="#e5e5e5", zeroline=False), yaxis=dict(gridcolor="#e5e5e5", zeroline=False),
    legend=dict(orientation="h", y=-0.2)))
pio.templates.default = "sdg87"

GRAPH_CONFIG = {"displaylogo": False, "topojsonURL": "/assets/topojson/", "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"], "toImageButtonOptions": {"format": "png"}}

UNIT_LABELS = {"percent": "% of children", "per_1000": "per 1,000 people", "number": "people",
               "thousands": "thousands", "millions": "millions", "per_100000": "per 100,000 people",
               "score_percent": "score (0-100)"}


def api_url(dataset: str, fmt: str = "csv", **filters) -> str:
    """Link to exactly the rows a chart plots: the same filters on the export contract."""
    query = {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
             for k, v in filters.items() if v not in (None, "", [], ())}
    return f"/api/v1/{dataset}.{fmt}" + (f"?{urlencode(query)}" if query else "")


def source_line(sources: pd.DataFrame | list[str] | str) -> str:
    """'Source: …; edition …' from rows with source/edition columns, or text."""
    if isinstance(sources, str):
        return sources
    if isinstance(sources, list):
        return "Source: " + "; ".join(sources)
    pairs = sources[["source", "edition"]].drop_duplicates().itertuples(index=False)
    return "Source: " + "; ".join(f"{s} ({e})" for s, e in pairs)


def table(frame: pd.DataFrame, columns: list[str] | None = None, max_rows: int = 300, caption: str | None = None,
          id_: str | None = None):
    """An accessible HTML table (the text alternative of a chart), rendered as one escaped HTML string: one Dash
    component per cell made pages with a few hundred rows freeze for seconds. Every cell is HTML-escaped."""
    frame = frame[columns] if columns else frame
    shown = frame.head(max_rows)
    head = "".join(f'<th scope="col">{escape(str(col))}</th>' for col in shown.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(fmt(v))}</td>" for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    markup = f'<table class="data-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    note = [html.P(f"First {max_rows} of {len(frame):,} rows; download the CSV for all.", className="note")] \
        if len(frame) > max_rows else []
    return html.Div([dcc.Markdown(markup, dangerously_allow_html=True, className="table-wrap",
                                  **({"id": id_} if id_ else {}))] + note)


def fmt(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def chart_card(id_: str, title: str, figure: go.Figure, source, download_href: str | None,
               rows=None, note: str | None = None, graph_id: str | None = None, before=None, after_source=None,
               extra=None):
    """A titled chart with its source and edition, a CSV download of the plotted rows and a table alternative.

    `rows` is a DataFrame (shown with table()) or ready-made content; `before` goes above the chart,
    `after_source` under the source line, `extra` among the actions."""
    graph = html.Div(dcc.Graph(id=graph_id or f"{id_}-graph", figure=figure, config=GRAPH_CONFIG),
                     role="figure", **{"aria-label": title})  # dcc.Graph 4.4 takes no aria-label itself
    children = [html.H3(title, id=f"{id_}-title")] + ([before] if before is not None else [])
    children += [graph, html.P(source, className="source", id=f"{id_}-source")]
    children += [after_source] if after_source is not None else []
    if note:
        children.append(html.P(note, className="note", id=f"{id_}-note"))
    actions = []
    if download_href:
        actions.append(html.A("Download the plotted data (CSV)", href=download_href, className="download",
                              id=f"{id_}-download"))
    if extra is not None:
        actions.append(extra)
    if rows is not None:
        content = table(rows) if isinstance(rows, pd.DataFrame) else rows
        actions.append(html.Details([html.Summary("Show as a table"), content], id=f"{id_}-table"))
    children.append(html.Div(actions, className="chart-actions"))
    return html.Section(children, className="card chart-card", id=id_, **{"aria-labelledby": f"{id_}-title"})


def stat_card(label: str, value: str, detail: str | list | None = None, id_: str | None = None, tone: str = ""):
    """A headline number with what it is, when and where it comes from."""
    return html.Div([html.Div(label, className="stat-label"), html.Div(value, className="stat-value"),
                     html.Div(detail, className="stat-detail") if detail else None],
                    className=f"card stat-card {tone}", id=id_)


def wrap_label(label: str, width: int = 20) -> str:
    """Break a long region name onto two lines so the bars keep their room on a phone."""
    if len(label) <= width or " " not in label:
        return label
    mid = len(label) // 2
    cut = min((i for i, ch in enumerate(label) if ch == " "), key=lambda i: abs(i - mid))
    return label[:cut] + "<br>" + label[cut + 1:]


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


REPLACE_SEARCH_JS = """function(search) {
    if (search && window.location.search !== search) {
        window.history.replaceState(window.history.state, '', window.location.pathname + search);
    }
    return window.dash_clientside.no_update;
}"""


def sync_url(prefix: str) -> None:
    """Keep the page state in the address bar: the `<prefix>-search` store's query string replaces the URL's
    (reload or share it restores the view); replaceState does not re-render the page."""
    clientside_callback(REPLACE_SEARCH_JS, Output(f"{prefix}-url-written", "data"), Input(f"{prefix}-search", "data"))


# ---- rendered parts cached per build -------------------------------------------------------------------------------

def frozen(part):
    """A finished part of a page, pre-serialised once: a component (its JSON is computed now and handed to Dash's
    response encoder, which otherwise visits every component and figure again on every request), a figure (as its
    JSON dict), or a list/tuple of those. Components stay components (their ids and props can still be read);
    nothing may change them afterwards."""
    if isinstance(part, (list, tuple)):
        return type(part)(frozen(p) for p in part)
    if isinstance(part, go.Figure):
        return json.loads(to_json_plotly(part))
    if isinstance(part, Component):
        payload = json.loads(to_json_plotly(part))
        part.to_plotly_json = lambda: payload  # this instance only; the class method stays
    return part


def rendered(maxsize: int = 32):
    """Decorator for a function that renders part of a page from the warehouse and its arguments alone: its result
    is cached per build (bounded LRU, see data.per_build) and pre-serialised (frozen)."""
    def wrap(fn):
        @data.per_build(maxsize)
        @functools.wraps(fn)
        def render(*args, **kwargs):
            return frozen(fn(*args, **kwargs))
        return render
    return wrap
