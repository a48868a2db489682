"""The `sdg87` command: fetch, build, status, export, serve, up."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from pipelines import config
from pipelines.errors import BuildError, RawDataError

console = Console(stderr=True, soft_wrap=True)

RAW_DIR_OPTION = click.option(
    "--raw-dir", envvar=config.ENV_RAW_DIR, type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Mirror folder laid out like shared/data/raw (env SDG87_RAW_DIR; default data/raw).")
WAREHOUSE_OPTION = click.option(
    "--warehouse", envvar=config.ENV_WAREHOUSE, type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="DuckDB warehouse file (env SDG87_WAREHOUSE; default data/processed/sdg87.duckdb).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """SDG 8.7 Monitor: build the statistics warehouse from official files, export extracts, serve the dashboard."""


@main.command()
@RAW_DIR_OPTION
@WAREHOUSE_OPTION
@click.option("--keep-going", is_flag=True,
              help="Load the good rows, put rejected rows with their reason into the `rejects` table and a report "
                   "file beside the warehouse, and say how many were rejected per file.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
def build(raw_dir, warehouse, keep_going, quiet) -> None:
    """Build the warehouse from the raw mirror (raw -> staging -> intermediate -> marts).

    The new warehouse is written to a temporary file and swapped in only when every check passed: a failed
    or interrupted build leaves the previous warehouse untouched. Exit code 1 on bad input, with the file,
    sheet, row and column named."""
    from pipelines.build import build as run_build

    raw, wh = config.raw_dir(raw_dir), config.warehouse_path(warehouse)
    try:
        with console.status("building") as status:
            result = run_build(raw, wh, keep_going=keep_going,
                               progress=(lambda m: None) if quiet else (lambda m: status.update(f"building: {m}")))
    except (RawDataError, BuildError) as exc:
        console.print(f"[bold red]build failed[/]: {exc}", highlight=False, soft_wrap=True)
        console.print(f"the previous warehouse (if any) is unchanged: {wh}", highlight=False)
        sys.exit(1)
    console.print(f"built {result.warehouse} (build {result.build_id}) in {result.seconds:.1f} s: "
                  f"{result.rows.get('observations', 0):,} observations", highlight=False)
    if keep_going:
        total = sum(result.rejected.values())
        console.print(f"rejected {total} row(s)/file(s); report: {result.report}", highlight=False)
        for file, n in sorted(result.rejected.items()):
            console.print(f"  {n:6d}  {file}", highlight=False)


@main.command()
@WAREHOUSE_OPTION
def status(warehouse) -> None:
    """Show the current warehouse: build id and time, sources with editions and row counts."""
    from pipelines.warehouse import connect_readonly

    wh = config.warehouse_path(warehouse)
    try:
        con = connect_readonly(wh)
    except BuildError as exc:
        console.print(str(exc), highlight=False)
        sys.exit(1)
    with contextlib.closing(con):
        info = con.execute("SELECT build_id, built_at, raw_dir, seconds, n_rejected FROM build_info").fetchone()
        out = Console(soft_wrap=True, width=max(Console().width, 140))
        out.print(f"warehouse {wh}\nbuild {info[0]} at {info[1]} from {info[2]} ({info[3]} s, {info[4]} rejected)",
                  highlight=False)
        table = Table("source", "edition", "edition date", "observations", "current", "population rows")
        for row in con.execute("""SELECT source, edition, edition_date, n_observations, n_current, n_population_rows
                                  FROM sources ORDER BY source, edition_date""").fetchall():
            table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row])
        out.print(table)
        for name, sql in (("geographies", "SELECT count(*) FROM geographies"),
                          ("series", "SELECT count(*) FROM series"),
                          ("observations", "SELECT count(*) FROM observations")):
            out.print(f"{name}: {con.execute(sql).fetchone()[0]:,}", highlight=False)


@main.command()
@click.argument("dataset", type=click.Choice(["observations", "series", "geographies", "progress", "regional-gaps"]))
@WAREHOUSE_OPTION
@click.option("--series", help="Series code(s), comma-separated (e.g. SL_TLF_CHLDEC).")
@click.option("--geo", help="Geography code(s), comma-separated: ISO3 for countries (NGA), WLD, M49_202, ILO_AFR …")
@click.option("--sex", help="total, female, male (comma-separated).")
@click.option("--age", help="Age band(s), e.g. 5-17,5-14.")
@click.option("--from", "year_from", help="First year (inclusive).")
@click.option("--to", "year_to", help="Last year (inclusive).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="Output format; parquet needs -o.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
def export(dataset, warehouse, series, geo, sex, age, year_from, year_to, fmt, output) -> None:
    """Export a dataset of the researchers' contract (current-edition values, with row-level lineage)."""
    from pipelines import api
    from pipelines.export import write
    from pipelines.warehouse import connect_readonly

    params = {"series": series, "geo": geo, "sex": sex, "age": age, "from": year_from, "to": year_to}
    try:
        with contextlib.closing(connect_readonly(config.warehouse_path(warehouse))) as con:
            frame = api.query(con, dataset, params)
    except (api.FilterError, BuildError) as exc:
        console.print(f"[bold red]error[/]: {exc}", highlight=False)
        sys.exit(2)
    if fmt == "parquet" and output is None:
        console.print("[bold red]error[/]: --format parquet needs -o FILE", highlight=False)
        sys.exit(2)
    write(frame, fmt, output)
    if output:
        console.print(f"wrote {len(frame):,} rows to {output}", highlight=False)


@main.command()
@RAW_DIR_OPTION
@click.option("--source", "sources", multiple=True,
              help="Source to fetch (repeatable); default all. See pipelines/metadata/fetch_sources.toml.")
@click.option("--base-url", envvar="SDG87_FETCH_BASE_URL", default=None,
              help="Replace scheme and host of every URL (testing against a local server).")
def fetch(raw_dir, sources, base_url) -> None:
    """Download official files into dated folders of the raw layer, each with a manifest (URL, time, sha256, size)."""
    from pipelines.fetch.sources import fetch_all

    try:
        fetch_all(config.raw_dir(raw_dir), sources=list(sources) or None, base_url_override=base_url,
                  progress=lambda m: console.print(m, highlight=False))
    except Exception as exc:  # a fetch failure is reported, never left as a partial file
        console.print(f"[bold red]fetch failed[/]: {exc}", highlight=False)
        sys.exit(1)


SERVE_OPTIONS = [
    click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on."),
    click.option("--port", default=8050, show_default=True, type=int, help="Port to listen on."),
    click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes."),
    click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker."),
]


def serve_options(fn):
    for option in reversed(SERVE_OPTIONS):
        fn = option(fn)
    return fn


@main.command()
@WAREHOUSE_OPTION
@serve_options
def serve(warehouse, host, port, workers, threads) -> None:
    """Serve the dashboard and /api/v1 with gunicorn (production settings, read-only warehouse)."""
    import os

    from dashboard.serve import serve as run_server

    wh = config.warehouse_path(warehouse)
    if not wh.exists():
        console.print(f"[bold red]error[/]: no warehouse at {wh}; run `sdg87 build` or `sdg87 up`", highlight=False)
        sys.exit(1)
    os.environ[config.ENV_WAREHOUSE] = str(wh)
    console.print(f"serving {wh} on http://{host}:{port} with {workers} worker(s)", highlight=False)
    run_server(host=host, port=port, workers=workers, threads=threads)


@main.command()
@RAW_DIR_OPTION
@WAREHOUSE_OPTION
@serve_options
@click.pass_context
def up(ctx, raw_dir, warehouse, host, port, workers, threads) -> None:
    """Build the warehouse if there is none yet, then serve the dashboard."""
    if not config.warehouse_path(warehouse).exists():
        ctx.invoke(build, raw_dir=raw_dir, warehouse=warehouse, keep_going=False, quiet=False)
    ctx.invoke(serve, warehouse=warehouse, host=host, port=port, workers=workers, threads=threads)


if __name__ == "__main__":
    main()
