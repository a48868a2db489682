"""Live fetchers: the official endpoints listed in metadata/fetch_sources.toml -> dated raw folders.

Every source is written to ``<raw_dir>/<source>/live_<YYYY-MM-DD>/<file>`` in the publisher's own
format, and each completed file gets an entry in that folder's ``MANIFEST.json``:
``{url, file, retrieved_at, sha256, size, http_status}``. The manifest is rewritten atomically and
never lists a file that is not complete: a failed download leaves both the folder and the manifest
as they were, and a verified re-download drops the old entry just before it replaces the old file.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

from pipelines.config import METADATA_DIR
from pipelines.fetch.http import Download, FetchError, download

FETCH_SOURCES_TOML = METADATA_DIR / "fetch_sources.toml"
ENV_BASE_URL = "SDG87_FETCH_BASE_URL"
MANIFEST_NAME = "MANIFEST.json"
LIVE_PREFIX = "live_"
MAX_PAGES = 10_000

# progress(message): one line per completed file, and one per source that fails.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class FileSpec:
    url: str
    file: str
    fallback_urls: tuple[str, ...] = ()
    series: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    name: str
    title: str
    format: str
    files: tuple[FileSpec, ...]
    paginate: str | None = None
    page_size: int | None = None
    timeout: float = 120.0
    retries: int = 3
    backoff: float = 2.0


class UnknownSourceError(KeyError):
    """A source name that fetch_sources.toml does not list."""

    def __str__(self) -> str:
        return str(self.args[0])


class FetchFailures(Exception):
    """fetch_all: one or more sources failed (the others were still fetched); ``results`` has all."""

    def __init__(self, results: dict[str, "FetchResult"]):
        self.results = results
        failed = [f"{name}: {r.error}" for name, r in results.items() if r.error]
        super().__init__(f"{len(failed)} of {len(results)} sources failed: " + "; ".join(failed))


@dataclass
class FetchResult:
    """What one source fetch wrote (manifest entries, in order) and, if it stopped, why."""
    source: str
    folder: Path
    entries: list[dict] = field(default_factory=list)
    error: FetchError | None = None


# --- entry points ----------------------------------------------------------------------------

def fetch_source(name: str, raw_dir: str | os.PathLike, base_url_override: str | None = None,
                 today: dt.date | str | None = None, progress: Progress | None = None, *,
                 catalog: dict[str, SourceSpec] | None = None, timeout: float | None = None,
                 retries: int | None = None, backoff: float | None = None) -> FetchResult:
    """Fetch every file of one source; raise FetchError on the first file that cannot be fetched.

    Files completed before the failure stay, each listed in the manifest. ``catalog`` defaults to
    fetch_sources.toml; ``timeout``/``retries``/``backoff`` override its settings.
    """
    result = _fetch(name, raw_dir, base_url_override, today, progress, catalog, timeout, retries, backoff)
    if result.error:
        raise result.error
    return result


def fetch_all(raw_dir: str | os.PathLike, base_url_override: str | None = None,
              today: dt.date | str | None = None, progress: Progress | None = None, *,
              sources: list[str] | None = None, catalog: dict[str, SourceSpec] | None = None,
              timeout: float | None = None, retries: int | None = None,
              backoff: float | None = None) -> dict[str, FetchResult]:
    """Fetch every source (or the named ``sources``); one failing source does not stop the others.

    Returns the results by source name; if any source failed, raises FetchFailures after trying
    them all (its ``results`` holds every result, failed ones with ``error`` set).
    """
    catalog = catalog or load_sources()
    for name in sources or ():
        _lookup(name, catalog)  # an unknown name fails before anything is downloaded
    results = {name: _fetch(name, raw_dir, base_url_override, today, progress, catalog, timeout, retries, backoff)
               for name in (sources or list(catalog))}
    if any(r.error for r in results.values()):
        raise FetchFailures(results)
    return results


def load_sources(path: str | os.PathLike = FETCH_SOURCES_TOML) -> dict[str, SourceSpec]:
    """The source table from fetch_sources.toml, by name."""
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    defaults = doc.get("defaults", {})
    return {name: _source_spec(name, table, defaults) for name, table in doc["sources"].items()}


def source_names() -> list[str]:
    return list(load_sources())


def live_folder(raw_dir: str | os.PathLike, name: str, today: dt.date | str | None = None) -> Path:
    """``<raw_dir>/<name>/live_<YYYY-MM-DD>`` for ``today`` (default: the current UTC date)."""
    return Path(raw_dir) / name / f"{LIVE_PREFIX}{_date(today).isoformat()}"


def rebase_url(url: str, base: str | None) -> str:
    """Replace scheme and host of ``url`` by those of ``base`` (plus any path prefix of ``base``)."""
    if not base:
        return url
    b, u = urlsplit(base), urlsplit(url)
    return urlunsplit((b.scheme, b.netloc, b.path.rstrip("/") + u.path, u.query, u.fragment))


def page_url(url: str, page: int, page_size: int | None) -> str:
    """The SDG API URL for one page (``page`` is 1-based)."""
    params = {"page": page, **({"pageSize": page_size} if page_size else {})}
    u = urlsplit(url)
    query = "&".join(q for q in (u.query, urlencode(params)) if q)
    return urlunsplit((u.scheme, u.netloc, u.path, query, u.fragment))


def read_manifest(folder: str | os.PathLike) -> list[dict]:
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def append_manifest(folder: str | os.PathLike, entry: dict) -> None:
    """Add (or replace, by file name) one entry; the manifest is replaced atomically."""
    entries = [e for e in read_manifest(folder) if e.get("file") != entry["file"]]
    _write_json_atomic(Path(folder) / MANIFEST_NAME, entries + [entry])


def forget_in_manifest(folder: str | os.PathLike, file: str) -> None:
    """Drop a file's entry before it is overwritten, so the manifest never vouches for a stale hash."""
    entries = read_manifest(folder)
    kept = [e for e in entries if e.get("file") != file]
    if len(kept) != len(entries):
        _write_json_atomic(Path(folder) / MANIFEST_NAME, kept)


# --- one source ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Run:
    folder: Path
    base: str | None
    timeout: float
    retries: int
    backoff: float


def _fetch(name, raw_dir, base_url_override, today, progress, catalog, timeout, retries, backoff) -> FetchResult:
    spec = _lookup(name, catalog)
    run = _Run(folder=live_folder(raw_dir, name, today),
               base=base_url_override or os.environ.get(ENV_BASE_URL) or None,
               timeout=spec.timeout if timeout is None else timeout,
               retries=spec.retries if retries is None else retries,
               backoff=spec.backoff if backoff is None else backoff)
    result = FetchResult(source=name, folder=run.folder)
    _say(progress, f"{name}: fetching into {run.folder}")
    try:
        for item in spec.files:
            for entry in _fetch_item(spec, item, run):
                append_manifest(run.folder, entry)
                result.entries.append(entry)
                _say(progress, f"{name}/{run.folder.name}/{entry['file']}: {entry['size']:,} bytes, "
                               f"sha256 {entry['sha256'][:12]}")
    except FetchError as exc:
        result.error = exc
        _say(progress, f"{name}: FAILED: {exc}")
    return result


def _fetch_item(spec: SourceSpec, item: FileSpec, run: _Run) -> Iterator[dict]:
    if spec.paginate == "sdg_api":
        yield from _fetch_sdg_pages(spec, item, run)
    else:
        yield _fetch_file([item.url, *item.fallback_urls], item.file, run)


def _fetch_sdg_pages(spec: SourceSpec, item: FileSpec, run: _Run) -> Iterator[dict]:
    """Page 1, 2, ... until the ``totalPages`` the API reports; one official JSON file per page."""
    page, total = 1, 1
    while page <= total:
        entry = _fetch_file([page_url(item.url, page, spec.page_size)], item.file.format(page=page), run,
                            check=_sdg_total_pages)
        total = _sdg_total_pages(run.folder / entry["file"], entry["url"])
        yield entry
        page += 1


def _fetch_file(urls: list[str], file: str, run: _Run, check: Callable[[Path, str], object] | None = None) -> dict:
    """Download the first URL that works into the live folder; the manifest entry for it.

    ``check(part_path, url)`` may reject a complete body by raising FetchError before it replaces
    anything; the file's old manifest entry is dropped only once the new body is accepted.
    """
    dest = run.folder / file
    reasons = []
    for n, url in enumerate(rebase_url(u, run.base) for u in urls):
        def accept(part: Path, url: str = url) -> None:
            if check:
                check(part, url)
            forget_in_manifest(run.folder, file)
        try:
            return _entry(download(url, dest, run.timeout, run.retries, run.backoff, before_replace=accept))
        except FetchError as exc:
            reasons.append(f"fallback {url}: {exc.reason}" if n else exc.reason)
    raise FetchError(rebase_url(urls[0], run.base), "; ".join(reasons))


def _entry(d: Download) -> dict:
    return {"url": d.url, "file": d.path.name, "retrieved_at": _utc_now(), "sha256": d.sha256,
            "size": d.size, "http_status": d.http_status}


def _sdg_total_pages(path: Path, url: str) -> int:
    """``totalPages`` of an SDG API page; FetchError if the body is not the API's JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise ValueError("no 'data' list")
        total = int(doc.get("totalPages") or 1)
    except (ValueError, TypeError) as exc:
        raise FetchError(url, f"response is not SDG API JSON ({exc})") from exc
    if total > MAX_PAGES:
        raise FetchError(url, f"totalPages {total} exceeds the limit of {MAX_PAGES}; raise page_size")
    return total


# --- small helpers ---------------------------------------------------------------------------

def _lookup(name: str, catalog: dict[str, SourceSpec] | None) -> SourceSpec:
    catalog = catalog or load_sources()
    if name not in catalog:
        raise UnknownSourceError(f"unknown fetch source '{name}' (known: {', '.join(catalog)})")
    return catalog[name]


def _source_spec(name: str, table: dict, defaults: dict) -> SourceSpec:
    files = tuple(FileSpec(url=f["url"], file=f["file"], fallback_urls=tuple(f.get("fallback_urls", ())),
                           series=f.get("series")) for f in table["files"])
    if table.get("paginate") and not all("{page}" in f.file for f in files):
        raise ValueError(f"fetch source '{name}': paginated files need '{{page}}' in their file name")
    setting = lambda key: table.get(key, defaults.get(key))  # noqa: E731
    return SourceSpec(name=name, title=table.get("title", name), format=table["format"], files=files,
                      paginate=table.get("paginate"), page_size=table.get("page_size"),
                      timeout=float(setting("timeout_seconds") or 120), retries=int(setting("retries") or 0),
                      backoff=float(setting("backoff_seconds") or 0))


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _date(today: dt.date | str | None) -> dt.date:
    if today is None:
        return dt.datetime.now(dt.timezone.utc).date()
    if isinstance(today, dt.datetime):
        return today.date()
    return today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today))


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_json_atomic(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
