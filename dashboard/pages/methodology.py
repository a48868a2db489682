"""Methodology `/methodology`: docs/methodology.md as read at request time, then the sources and licences of
this build (one row per source edition, from the warehouse's sources table) and the build itself.

The Markdown is our own repository file. It is split at its `##`/`###` headings so each section gets a
GitHub-style id (in-document links such as `#comparability-rules` work) and rendered with dcc.Markdown,
which renders GitHub-flavoured Markdown client-side without raw HTML.
"""
from __future__ import annotations

import re
from pathlib import Path

import dash
from dash import dcc, html

from dashboard import components, data, datapackage

dash.register_page(__name__, path="/methodology", title="Methodology · SDG 8.7 Monitor", order=5)

DOC = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"
SOURCE_COLUMNS = [("source_name", "Source"), ("publisher", "Publisher"), ("edition", "Edition"),
                  ("edition_date", "Edition date"), ("licence", "Licence"), ("citation", "Citation"), ("url", "URL")]


# ---- the document --------------------------------------------------------------------------------------

def slug(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", title.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", text))


def sections(text: str) -> list[tuple[int, str, str]]:
    """(level, title, body) per ##/### heading; level 0 for the text before the first one. Fences are respected."""
    out, level, title, body, fence = [], 0, "", [], None
    for line in text.splitlines():
        marker = re.match(r"^\s*(```+|~~~+)", line)
        if marker:
            fence = None if fence and marker.group(1).startswith(fence) else (fence or marker.group(1))
        heading = None if fence else re.match(r"^(#{1,3})\s+(.*?)\s*#*\s*$", line)
        if heading:
            out.append((level, title, "\n".join(body)))
            level, title, body = len(heading.group(1)), heading.group(2), []
        else:
            body.append(line)
    out.append((level, title, "\n".join(body)))
    return [s for s in out if s[1] or s[2].strip()]


def document():
    """The methodology as a table of contents and one section per heading; a message if the file is missing."""
    try:
        text = DOC.read_text(encoding="utf-8")
    except OSError:
        return [html.P("The methodology document is not available in this installation.", className="caveat")]
    parts, toc, seen = [], [], {}
    for level, title, body in sections(text):
        if level == 1:  # the document's own title: the page has its H1 already
            parts.append(dcc.Markdown(body, className="method-md"))
            continue
        if not title:
            parts.append(dcc.Markdown(body, className="method-md"))
            continue
        anchor = slug(title)
        seen[anchor] = seen.get(anchor, -1) + 1
        anchor = anchor if seen[anchor] == 0 else f"{anchor}-{seen[anchor]}"
        heading = (html.H2 if level == 2 else html.H3)(title.replace("`", ""), id=anchor)
        parts.append(html.Section([heading, dcc.Markdown(body, className="method-md")], className="method-section"))
        if level == 2:
            toc.append(html.Li(html.A(title.replace("`", ""), href=f"#{anchor}")))
    nav = html.Nav([html.H2("Contents", id="method-toc-title"), html.Ul(toc)], className="method-toc card",
                   **{"aria-labelledby": "method-toc-title"})
    return [nav] + parts


# ---- sources and build ---------------------------------------------------------------------------------

def sources_table():
    src = data.sources()
    if src.empty:
        return html.P("This build has no sources table.", className="caveat")
    rows = []
    for r in src.to_dict("records"):
        cells = []
        for col, label in SOURCE_COLUMNS:
            value = components.fmt(r.get(col)) if r.get(col) not in (None, "") else "–"
            content = [value, html.Br(), html.Code(r["source"])] if col == "source_name" else value
            cells.append(html.Td(content, className="method-url" if col == "url" else None, **{"data-label": label}))
        rows.append(html.Tr(cells))
    return html.Div(html.Table([
        html.Caption(f"{len(src)} source editions in this build"),
        html.Thead(html.Tr([html.Th(label, scope="col") for _, label in SOURCE_COLUMNS])),
        html.Tbody(rows)], className="data-table", id="method-sources-table"), className="table-wrap")


def published_reports():
    """The reports quoted by the curated table of published global estimates (one per edition), if known."""
    cites = datapackage.published_citations()
    if not cites:
        return None
    items = [html.Li([html.Strong(edition), f": {c.publisher} ({c.year}). {c.title}."] +
                     ([" ", html.Span(c.url, className="method-url")] if c.url else []))
             for edition, c in sorted(cites.items(), key=lambda kv: (str(kv[1].year), kv[0]))]
    return html.Details([html.Summary(f"Reports behind the published global estimates ({len(items)} editions)"),
                         html.Ul(items)], id="method-published")


def build_facts():
    info = data.cached("SELECT * FROM build_info").iloc[0]
    n_obs = int(data.cached("SELECT count(*) AS n FROM observations")["n"].iloc[0])
    built = info["built_at"]
    built = built.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if hasattr(built, "strftime") else str(built)
    facts = [("Build id", str(info["build_id"]), "method-build-id"), ("Built at", built, "method-built-at"),
             ("Build time", f"{float(info['seconds']):.1f} s", None),
             ("Observations", f"{n_obs:,}", None),
             ("Rows rejected by checks", f"{int(info['n_rejected']):,}", None),
             ("Hash of the raw inputs", str(info["inputs_sha256"]), None)]
    items = []
    for label, value, id_ in facts:
        items += [html.Dt(label), html.Dd(value, id=id_) if id_ else html.Dd(value)]
    return html.Dl(items, className="method-build")


def layout(**_):
    try:
        return html.Div(page_parts(), id="methodology-page")
    except data.WarehouseMissing as exc:  # the document still renders; sources and build say what is missing
        missing = html.P(str(exc), className="caveat")
        return html.Div(parts(missing, None, missing), id="methodology-page")


@components.rendered(maxsize=1)
def page_parts() -> list:
    """The page for this build (cached per build: the document is read and parsed once, not per visit)."""
    return parts(sources_table(), published_reports(), build_facts())


def parts(sources, published, build) -> list:
    return [
        html.H1("Methodology"),
        html.Div(document(), className="method-doc"),
        html.Section([
            html.H2("Sources and licences", id="sources"),
            html.P(["Every value in the Monitor comes from one of these source editions. The raw files are copies "
                    "of what each publisher released, with their provenance listed in the mirror's SOURCES.md; "
                    "each observation names its raw file, SHA-256, sheet and row (see ",
                    dcc.Link("Data", href="/data"), "). Cite the original sources when you use the data."]),
            sources,
            published,
        ], id="method-sources", className="card", **{"aria-labelledby": "sources"}),
        html.Section([
            html.H2("This build", id="this-build"),
            html.P("The warehouse is rebuilt from the raw files; a build is immutable and every download names it."),
            build,
        ], id="method-build", className="card", **{"aria-labelledby": "this-build"}),
    ]
