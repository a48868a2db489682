"""Download one URL to one file, all or nothing.

The body is streamed to ``<dest>.part`` while its sha256 and size are computed; only when the HTTP
status is 2xx and the byte count matches any Content-Length is the part file renamed onto ``dest``
(``os.replace``). On every failure the part file is deleted, so a file at ``dest`` is always complete.
Connection errors, timeouts, cut bodies and 5xx answers are retried with exponential backoff;
4xx answers are not (asking again will not help) and fail at once.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import requests

USER_AGENT = "sdg87-monitor/0.1 (SDG 8.7 Monitor live fetch; python-requests)"
CHUNK_BYTES = 64 * 1024

# progress(url, bytes_done, bytes_total_or_None), called after every chunk written.
Progress = Callable[[str, int, "int | None"], None]


class FetchError(Exception):
    """A URL could not be fetched completely; ``reason`` says why in plain words."""

    def __init__(self, url: str, reason: str):
        self.url, self.reason = url, reason
        super().__init__(f"could not fetch {url}: {reason}")


class _Transient(Exception):
    """A failure worth retrying (connection error, timeout, cut body, 5xx)."""


@dataclass(frozen=True)
class Download:
    """A completed download: where it went and what it was."""
    url: str
    path: Path
    sha256: str
    size: int
    http_status: int


def download(url: str, dest: str | os.PathLike, timeout: float = 60.0, retries: int = 3,
             backoff: float = 1.0, *, progress: Progress | None = None,
             headers: dict[str, str] | None = None,
             before_replace: Callable[[Path], None] | None = None) -> Download:
    """Fetch ``url`` into ``dest``; retry transient failures ``retries`` times; raise FetchError.

    ``before_replace(part)`` runs once status and length are verified, just before the part file is
    renamed onto ``dest``; it may inspect the part file and raise FetchError to reject the body
    (``dest`` is then left untouched). The fetcher uses it to check page JSON and to drop a stale
    manifest entry for the file about to be replaced.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    last = "no attempt made"
    try:
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(backoff * 2 ** (attempt - 1))
            try:
                return _attempt(url, dest, part, timeout, progress, headers, before_replace)
            except _Transient as exc:
                last = str(exc)
                _remove(part)
        raise FetchError(url, f"{last} (gave up after {retries + 1} attempts)")
    finally:
        _remove(part)


def part_path(dest: Path) -> Path:
    """The temporary name a download is streamed to before it is complete."""
    return dest.with_name(dest.name + ".part")


def _attempt(url: str, dest: Path, part: Path, timeout: float, progress: Progress | None,
             headers: dict[str, str] | None, before_replace: Callable[[Path], None] | None) -> Download:
    """One GET: status check, stream to the part file, length check, rename."""
    try:
        with requests.get(url, stream=True, timeout=timeout, headers=_headers(headers)) as resp:
            _check_status(url, resp)
            expected = _content_length(resp)
            sha256, size = _stream(resp, part, url, expected, progress)
            _check_length(resp, expected, size)
            status = resp.status_code
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError) as exc:
        raise _Transient(f"{type(exc).__name__}: {exc}") from exc
    except requests.RequestException as exc:
        raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
    if before_replace:
        before_replace(part)
    os.replace(part, dest)
    return Download(url=url, path=dest, sha256=sha256, size=size, http_status=status)


def _headers(extra: dict[str, str] | None) -> dict[str, str]:
    # identity: the saved bytes are the served bytes, and Content-Length counts exactly those bytes
    return {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(extra or {})}


def _check_status(url: str, resp: requests.Response) -> None:
    code = resp.status_code
    if 500 <= code < 600:
        raise _Transient(f"HTTP {code} {resp.reason}")
    if not 200 <= code < 300:
        raise FetchError(url, f"HTTP {code} {resp.reason} (not retried)")


def _content_length(resp: requests.Response) -> int | None:
    value = resp.headers.get("Content-Length")
    return int(value) if value and value.strip().isdigit() else None


def _stream(resp: requests.Response, part: Path, url: str, total: int | None,
            progress: Progress | None) -> tuple[str, int]:
    """Write the body to ``part``, hashing and counting on the way; durable before returning."""
    digest, size = hashlib.sha256(), 0
    with open(part, "wb") as fh:
        for chunk in resp.iter_content(CHUNK_BYTES):
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            if progress:
                progress(url, size, total)
        fh.flush()
        os.fsync(fh.fileno())
    return digest.hexdigest(), size


def _check_length(resp: requests.Response, expected: int | None, size: int) -> None:
    """The bytes received over the wire must equal the announced Content-Length."""
    if expected is None:
        return
    wire = resp.raw.tell() if resp.raw is not None else size
    if wire != expected:
        raise _Transient(f"body cut short: Content-Length {expected} bytes, received {wire}")


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
