"""Data `/data`: an extract builder for researchers.

Choose a dataset and filters; the page previews the first 20 rows with the total count, and links to exactly
that extract as CSV and Parquet (/api/v1), its Data Package descriptor (codebook for those filters) and a
recommended citation shown on the page. State lives in the URL:
    /data?dataset=observations&series=SL_TLF_CHLDEC,GE_CL_PREV&geo=NGA,WLD&sex=total&age=5-17&from=2010&to=2024
"""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import duckdb
from dash import Input, Output, callback, dcc, html

from dashboard import components, data, datapackage
from pipelines import api

dash.register_page(__name__, path="/data", title="Data and API · SDG 8.7 Monitor", order=4)

PREVIEW_ROWS = 20
DATASET_LABELS = {
    "observations": "Observations (every value, with its raw file and row)",
    "progress": "Progress (trend, pace and status by series and geography)",
    "regional-gaps": "Regional gaps (regional values, coverage and pace)",
    "series": "Series catalogue",
    "geographies": "Geographies and group memberships",
}
# Which export-contract filters act on which dataset (/api/v1 refuses the others; they are disabled here).
APPLIES = {dataset: set(names) for dataset, names in api.DATASET_FILTERS.items()}
FILTER_NOTES = {
    "observations": "Current-edition values only. Years filter the reference year.",
    "progress": "One row per series, geography, sex and age; the years filter the latest data year.",
    "regional-gaps": "Geographies filter the region; years filter the reference year.",
    "series": "The series catalogue is not filtered: it always lists every series.",
    "geographies": "Only the geographies filter applies.",
}


# ---- queries -------------------------------------------------------------------------------------------

def series_options() -> list[dict]:
    cat = data.series_catalogue()
    return [{"label": f"{r.short_name or r.name} ({r.code})", "value": r.code} for r in cat.itertuples(index=False)]


def geo_options() -> list[dict]:
    geos = data.geographies()
    return [{"label": f"{r.name} ({r.geo})", "value": r.geo} for r in geos.itertuples(index=False)]


def values_of(column: str) -> list[str]:
    """Distinct sex or age values of the observations (the values the export contract accepts)."""
    return sorted(str(v) for v in data.known_values(api.KNOWN_VALUES_SQL[column]) if v is not None)


def datasets() -> list[dict]:
    return [{"label": label if datapackage.available(d) else f"{label} (not yet computed in this build)",
             "value": d, "disabled": not datapackage.available(d)} for d, label in DATASET_LABELS.items()]


def extract(dataset: str, filters: dict) -> tuple[int, object, str]:
    """Total rows, the first rows and the recommended citation of one extract (FilterError on bad filters)."""
    f = api.parse_filters({k: v for k, v in filters.items() if v not in (None, "", [])})
    api.validate(None, f, lookup=data.known_values)
    sql, params = api.sql_for(dataset, f)
    # a count and a 20-row head: small results, the same for every visitor of this extract in this build
    n = int(data.cached(*api.count_query(dataset, f))["n"].iloc[0])
    head = data.cached(f"SELECT * FROM ({sql}) LIMIT {PREVIEW_ROWS}", tuple(params))
    return n, head, datapackage.citation_text(dataset, f, datapackage.filter_dict(f))


# ---- URL state -----------------------------------------------------------------------------------------

def as_list(value) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [str(v).strip() for v in items if str(v).strip()]


def as_year(value) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 else None


def control_filters(dataset, series, geo, sex, age, year_from, year_to) -> dict:
    """The filters of the export contract that apply to this dataset, as the controls hold them."""
    given = {"series": as_list(series), "geo": as_list(geo), "sex": as_list(sex), "age": as_list(age),
             "from": as_year(year_from), "to": as_year(year_to)}
    return {k: v for k, v in given.items() if k in APPLIES.get(dataset, set()) and v not in (None, [])}


def search_string(dataset: str, filters: dict) -> str:
    query = {"dataset": dataset} | {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in filters.items()}
    return "?" + urlencode(query)


# ---- layout --------------------------------------------------------------------------------------------

def field(label: str, control, id_: str, hint: str | None = None):
    return html.Div([html.Label(label, htmlFor=id_), control] +
                    ([html.Div(hint, className="data-hint")] if hint else []), className="data-field")


def layout(dataset: str = "observations", series: str = "", geo: str = "", sex: str = "", age: str = "", **kw):
    try:
        s_opts, g_opts, sexes, ages = series_options(), geo_options(), values_of("sex"), values_of("age")
    except data.WarehouseMissing as exc:
        return html.Div([html.H1("Data"), html.P(str(exc), className="caveat")], id="data-page")
    dataset = dataset if dataset in DATASET_LABELS and datapackage.available(dataset) else "observations"
    known_s, known_g = {o["value"] for o in s_opts}, {o["value"] for o in g_opts}
    controls = html.Div([
        field("Dataset", dcc.Dropdown(id="data-dataset", options=datasets(), value=dataset, clearable=False,
                                      searchable=False), "data-dataset"),
        field("Series", dcc.Dropdown(id="data-series", options=s_opts, multi=True, placeholder="All series",
                                     value=[s for s in as_list(series) if s.upper() in known_s]), "data-series"),
        field("Geographies", dcc.Dropdown(id="data-geo", options=g_opts, multi=True, placeholder="All geographies",
                                          value=[g for g in as_list(geo) if g.upper() in known_g]), "data-geo"),
        field("Sex", dcc.Dropdown(id="data-sex", options=sexes, multi=True, placeholder="All",
                                  value=[s for s in as_list(sex) if s in sexes]), "data-sex"),
        field("Age band", dcc.Dropdown(id="data-age", options=ages, multi=True, placeholder="All",
                                       value=[a for a in as_list(age) if a in ages]), "data-age",
              "Age bands are not comparable with each other."),
        html.Div([
            field("From year", dcc.Input(id="data-from", type="number", min=1900, max=2100, step=1, debounce=True,
                                         value=as_year(kw.get("from")), placeholder="any"), "data-from"),
            field("To year", dcc.Input(id="data-to", type="number", min=1900, max=2100, step=1, debounce=True,
                                       value=as_year(kw.get("to")), placeholder="any"), "data-to"),
        ], className="data-years"),
    ], className="controls data-controls", role="group", **{"aria-label": "Extract filters"})
    return html.Div([
        html.H1("Data and API"),
        html.P("Build an extract of the warehouse, preview it, and download exactly those rows with their codebook "
               "and a citation. Every observation names the raw file, sheet and row it was read from.",
               className="lead"),
        html.P(["Most countries have only one comparable child-labour data point, and series, age bands and "
                "source editions are not comparable with each other: keep the ", html.Code("series"), ", ",
                html.Code("age"), " and ", html.Code("edition"), " columns when you analyse these data."],
               className="caveat"),
        html.Section([html.H2("Choose an extract", id="data-builder-title"), controls,
                      html.P(id="data-filter-note", className="note")],
                     className="card", id="data-builder", **{"aria-labelledby": "data-builder-title"}),
        html.Section([
            html.H2("Preview", id="data-preview-title"),
            html.P(id="data-count", role="status", **{"aria-live": "polite"}),
            html.Div(id="data-preview"),
            html.Div([
                html.A("Download CSV", id="data-csv", className="download", href=None, download=""),
                html.A("Download Parquet", id="data-parquet", className="download", href=None, download=""),
                html.A("Codebook for this extract (datapackage.json)", id="data-datapackage", className="download",
                       href=None),
                html.A("Citation (citation.txt)", id="data-citation-link", className="download", href=None),
                html.A("Codebook of every dataset (codebook.csv)", href="/api/v1/codebook.csv", id="data-codebook",
                       className="download"),
            ], className="chart-actions data-downloads"),
        ], className="card", id="data-preview-card", **{"aria-labelledby": "data-preview-title"}),
        html.Section([
            html.H2("How to cite this extract", id="data-cite-title"),
            html.Div([html.Pre(id="data-citation", tabIndex="0", **{"aria-label": "Recommended citation"}),
                      dcc.Clipboard(target_id="data-citation", title="Copy the citation", id="data-copy",
                                    className="data-copy")], className="data-citation-wrap"),
        ], className="card", id="data-cite", **{"aria-labelledby": "data-cite-title"}),
        api_section(),
        dcc.Store(id="data-search"), dcc.Store(id="data-url-written"),
    ], id="data-page")


def api_section():
    endpoints = [
        ("/api/v1/series.csv", "the series catalogue: code, name, unit, target, source, definition"),
        ("/api/v1/geographies.csv?geo=NGA,WLD", "geographies with their group memberships"),
        ("/api/v1/observations.csv?series=SL_TLF_CHLDEC&geo=NGA&from=2010",
         "current-edition values with their lineage (raw_file, raw_sha256, raw_sheet, raw_row)"),
        ("/api/v1/progress.csv?series=SL_TLF_CHLDEC&sex=total", "trend, pace, projection and status per series"),
        ("/api/v1/regional-gaps.csv?series=SL_TLF_CHLDEC", "regional values, coverage and pace"),
        ("/api/v1/observations.parquet?series=GSI_PREV", "any of the above as Parquet: replace .csv by .parquet"),
        ("/api/v1/datapackage.json?dataset=observations&series=GSI_PREV",
         "Frictionless Data Package descriptor: schema, licences, sources and build of that extract"),
        ("/api/v1/codebook.csv", "every column of every dataset: dataset, column, type, description"),
        ("/api/v1/citation.txt?dataset=progress&geo=NGA", "recommended citation with the build id and sources"),
    ]
    return html.Section([
        html.H2("API", id="data-api-title"),
        html.P(["Stable GET endpoints, no key needed. Filters: ", html.Code("series"), ", ", html.Code("geo"), ", ",
                html.Code("sex"), ", ", html.Code("age"), " (comma-separated lists), ", html.Code("from"), " and ",
                html.Code("to"), " (years). An unknown parameter or value is answered with HTTP 400 and a "
                "plain-text message naming the parameter and the valid values."]),
        html.Ul([html.Li([html.A(html.Code(url), href=url), " — ", text]) for url, text in endpoints],
                className="data-endpoints"),
        html.H3("Lineage columns"),
        html.P("Each observation carries where it was read: raw_file (the file, relative to the raw mirror), "
               "raw_sha256 (the SHA-256 of that file as the build read it), raw_sheet (the worksheet, empty for CSV) "
               "and raw_row (the 1-based row in raw_file; for CSV files the header is row 1). Open the file, go to "
               "that row and you will find the published number."),
        html.P(["The raw files are copies of what each publisher released, listed with their provenance (repository, "
                "commit, licence and checks) in the mirror's SOURCES.md; the warehouse's sources table gives each "
                "source edition with its publisher, licence, URL and citation (see ",
                dcc.Link("Methodology", href="/methodology#sources"), ")."]),
    ], className="card", id="data-api", **{"aria-labelledby": "data-api-title"})


# ---- callbacks -----------------------------------------------------------------------------------------

FILTER_IDS = ["data-series", "data-geo", "data-sex", "data-age", "data-from", "data-to"]


@callback([Output(i, "disabled") for i in FILTER_IDS] + [Output("data-filter-note", "children")],
          Input("data-dataset", "value"))
def enable_filters(dataset):
    applies = APPLIES.get(dataset, set())
    names = ["series", "geo", "sex", "age", "from", "to"]
    return [n not in applies for n in names] + [FILTER_NOTES.get(dataset, "")]


@callback(Output("data-count", "children"), Output("data-preview", "children"),
          Output("data-csv", "href"), Output("data-parquet", "href"), Output("data-datapackage", "href"),
          Output("data-citation-link", "href"), Output("data-citation", "children"), Output("data-search", "data"),
          Input("data-dataset", "value"), *[Input(i, "value") for i in FILTER_IDS])
def update_extract(dataset, series, geo, sex, age, year_from, year_to):
    filters = control_filters(dataset, series, geo, sex, age, year_from, year_to)
    search = search_string(dataset, filters)
    try:
        n, head, citation = extract(dataset, filters)
    except (api.FilterError, data.QueryTimeout) as exc:
        return f"This extract cannot be made: {exc}.", None, None, None, None, None, "", search
    except duckdb.Error:  # a filter the dataset has no column for
        return (f"This extract cannot be made: one of these filters does not apply to the {dataset} dataset "
                "in this build; remove it.", None, None, None, None, None, "", search)
    links = [components.api_url(dataset, fmt, **filters) for fmt in ("csv", "parquet")]
    links += [doc_url(name, dataset, filters) for name in ("datapackage.json", "citation.txt")]
    return count_text(n, dataset), preview(n, head), *links, citation, search


def doc_url(name: str, dataset: str, filters: dict) -> str:
    """/api/v1/datapackage.json or citation.txt for the same extract (dataset first, then the same filters)."""
    rest = components.api_url("x", "csv", **filters).partition("?")[2]
    return f"/api/v1/{name}?" + urlencode({"dataset": dataset}) + (f"&{rest}" if rest else "")


def count_text(n: int, dataset: str) -> str:
    if n == 0:
        return "No rows match these filters. Remove a filter or widen the years."
    shown = "shown below" if n <= PREVIEW_ROWS else f"the first {PREVIEW_ROWS} are shown below"
    return f"{n:,} row{'s' if n != 1 else ''} in this extract of {dataset}; {shown}."


def preview(n: int, head):
    if n == 0:
        return None
    return components.table(head, caption=f"First {min(n, PREVIEW_ROWS)} of {n:,} rows")


components.sync_url("data")
